"""Camera intake through the Qt application: the UI frame path under a real video.

    .venv/bin/python benchmarks/bench_camera_ui.py [--ballots 8] [--fps 30] [--rate 1] [--size 1280x720] [--cores N] [--json]

Builds a video of really printed, marked ballots being held up (tests/video.py),
plays it with QMediaPlayer into the intake's camera panel (the same QVideoSink
path a webcam uses) in the real main window, offscreen, and reports:

- frames delivered by the sink, analysed by the panel's analyser (a streaming
  job of the application's runner), and dropped (latest-frame-only), the share
  of delivered frames analysed, and the frames analysed per second;
- the analyser's cost per frame (QVideoFrame -> QImage -> grayscale, the
  reader and tracker, storing an accepted ballot, the preview);
- the longest time the Qt event loop was blocked while the video played
  (a 5 ms QTimer; lateness of each tick = block);
- the delay from a ballot held still (its first still frame, by the player's
  clock) to its outcome on the banner, and whether each ballot was reported
  once with the right marks.

With ``--rate 2`` a 30 frames/s video offers 60 frames a second, more than
the analyser takes, so the analysed rate is the panel's capacity (the delay
is then measured in video time, i.e. doubled in wall time).  ``--cores 1``
pins the whole process (UI, decoder, analyser) to one core.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests"), str(REPO / "benchmarks")]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_intake_ui import LoopMonitor, wait  # noqa: E402 - the same event-loop probe as the intake benchmark
from PySide6.QtWidgets import QApplication  # noqa: E402


def pct(values: list[float], q: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, int(q * (len(v) - 1)))] if v else 0.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ballots", type=int, default=8)
    ap.add_argument("--fps", type=int, default=30, help="the video's frame rate")
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--cores", type=int, default=0, help="pin the process to this many cores (0: all)")
    ap.add_argument("--rate", type=float, default=1.0, help="playback rate (2: frames arrive twice as fast)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    frame = tuple(int(v) for v in args.size.lower().split("x"))
    if args.cores and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[: args.cores]))

    import corpus as C
    from video import make_video

    from kiosk.access.roles import Role
    from kiosk.station import Kiosk
    from ui.app import create_window, setup_application
    from ui.screens import Mode

    app = QApplication.instance() or QApplication(sys.argv)
    setup_application(app)
    out: dict[str, object] = {"ballots": args.ballots, "fps": args.fps, "rate": args.rate, "size": list(frame),
                              "cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="bench-camera-ui-") as tmp:
        kiosk = Kiosk.open_or_enroll_demo(Path(tmp) / "data")
        clip = Path(tmp) / "ballots.mp4"
        t0 = time.perf_counter()
        plan = [C.CLEAR] * args.ballots
        shown = make_video(kiosk, clip, plan, seed=frame[0] + args.fps, frame=frame, fps=args.fps)
        out["prepare_s"] = round(time.perf_counter() - t0, 1)

        window = create_window(kiosk, "lv")
        window.resize(1280, 800)
        window.show()
        wait(app, window.isVisible, 10)
        window.ctx.sign_in(Role.HELPER, "2222")
        intake = window.screens[Mode.INTAKE]
        intake.show_source("camera")
        panel = intake.camera
        wait(app, lambda: panel.isVisible(), 10)
        outcomes: list[tuple[str | None, str, int]] = []  # (serial, status, player position ms)
        panel.outcome_shown.connect(lambda r: outcomes.append((r.serial, r.status, panel.player.position())))
        stopped = []
        panel.stopped.connect(lambda: stopped.append(1))

        monitor = LoopMonitor()
        monitor.start()
        start = time.perf_counter()
        panel.playback_rate = args.rate
        panel.open_video(clip)
        wait(app, lambda: bool(stopped), 600)
        elapsed = time.perf_counter() - start
        monitor.stop()
        st = panel.stats
        ms = list(st.analyse_ms)
        delays = []
        by_serial: dict[str | None, list] = {}
        for serial, status, pos in outcomes:
            by_serial.setdefault(serial, []).append((status, pos))
        right = 0
        rows = {r.serial: r for r in intake.model.rows}
        for s in shown:
            got = by_serial.get(s.serial, [])
            if len(got) == 1:
                delays.append(got[0][1] - s.first_frame * 1000 / args.fps)
                r = rows.get(s.serial)
                right += r is not None and r.status == "counted" and r.selections == s.expected
        out["panel"] = {
            "seconds": round(elapsed, 2),
            "frames_received": st.received,
            "frames_analysed": st.analysed,
            "frames_dropped": st.dropped,
            "analysed_per_s": round(st.analysed / max(1e-6, st.stopped - st.started), 1),
            "analysed_share": round(st.analysed / max(1, st.received), 2),
            "analyse_ms_median": round(statistics.median(ms), 1) if ms else None,
            "analyse_ms_p95": round(pct(ms, 0.95), 1),
            "analyse_ms_max": round(st.max_ms, 1),
            "results": intake.model.rowCount(),
            "reported_once": sum(1 for s in shown if len(by_serial.get(s.serial, [])) == 1),
            "counted_right": right,
            "delay_ms_median": round(statistics.median(delays)) if delays else None,
            "delay_ms_max": round(max(delays)) if delays else None,
            **monitor.summary(),
        }
        window.exit_kiosk()
        kiosk.close()
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
        return 0
    p = out["panel"]
    print(f"video: {args.ballots} ballots, {frame[0]}x{frame[1]} at {args.fps} frames/s "
          f"played at {args.rate:g}x (made in {out['prepare_s']} s); {out['cpus']} core(s)")
    print(f"through the camera panel: {p['frames_received']} frames delivered in {p['seconds']} s, "
          f"{p['frames_analysed']} analysed ({p['analysed_share']:.0%}), {p['frames_dropped']} dropped "
          f"-> {p['analysed_per_s']} frames/s analysed")
    print(f"  analyser per frame: median {p['analyse_ms_median']} ms, p95 {p['analyse_ms_p95']} ms, max {p['analyse_ms_max']} ms")
    print(f"  ballots: {p['results']} results, {p['reported_once']}/{args.ballots} reported once, "
          f"{p['counted_right']} counted with the right marks; held still -> banner: "
          f"median {p['delay_ms_median']} ms, max {p['delay_ms_max']} ms")
    print(f"  event loop blocked: max {p['max_block_ms']} ms, p99 {p['p99_block_ms']} ms, "
          f"median {p['median_block_ms']} ms over {p['ticks']} ticks; over 50 ms: {p['blocks_over_50ms']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
