"""Camera intake speed: frames analysed per second and the delay from a ballot
held still to its result, on one core, at 1280x720 and 1920x1080.

Builds videos of really printed and marked ballots being held up (tests/video.py),
then feeds every decoded frame through the same BallotTracker the camera mode uses.

    .venv/bin/python benchmarks/bench_camera.py [--ballots 8]
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ballots", type=int, default=8)
    ap.add_argument("--fps", type=int, default=15, help="video frame rate")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    import corpus as C
    from video import make_video

    from kiosk.intake.context import read_context
    from kiosk.reading import tracker as camera
    from kiosk.station import Kiosk

    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus, Python {platform.python_version()}; one core used")
    with tempfile.TemporaryDirectory() as tmp:
        kiosk = Kiosk.open_or_enroll_demo(Path(tmp) / "data")
        ctx = read_context(kiosk)
        plan = [C.CLEAR] * args.ballots
        for frame in ((1280, 720), (1920, 1080)):
            path = Path(tmp) / f"v{frame[0]}.mp4"
            shown = make_video(kiosk, path, plan, seed=frame[0], frame=frame, fps=args.fps)
            tracker = camera.BallotTracker.for_context(ctx)
            times, accepted_at = [], {}
            for index, gray in camera.iter_video(path, analyse_fps=0):  # every frame: the camera's full rate
                t0 = time.perf_counter()
                report = tracker.feed(gray, index)
                times.append((time.perf_counter() - t0) * 1000)
                if report.accepted is not None:
                    serial = report.accepted.reading.interpretation.get("payload", {}).get("serial")
                    accepted_at[serial] = (index, times[-1])
            delays = []
            for s in shown:
                if s.serial in accepted_at:
                    index, cost = accepted_at[s.serial]
                    # video time from the first still frame to the frame that decided, plus its analysis
                    delays.append((index - s.first_frame) / args.fps * 1000 + cost)
            per_frame = statistics.median(times)
            print(f"{frame[0]}x{frame[1]}: {len(times)} frames, analysis median {per_frame:.1f} ms, "
                  f"p95 {sorted(times)[int(len(times) * 0.95)]:.1f} ms, max {max(times):.1f} ms "
                  f"-> {1000 / statistics.mean(times):.0f} frames/s sustained; "
                  f"{len(accepted_at)}/{len(shown)} ballots decided; delay held-still -> result "
                  f"median {statistics.median(delays):.0f} ms, max {max(delays):.0f} ms")
        kiosk.close()
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
