"""Printing speed: time to the first ballot of a job and ballots per second.

Runs the real issuing path (kiosk.issuing.jobs.print_ballots: serials recorded in SQLite,
PDF written with reportlab) on one core in a temporary data directory.

    .venv/bin/python benchmarks/bench_print.py [--count 1000] [--repeat 3]
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core

    t0 = time.perf_counter()
    from kiosk.issuing.jobs import print_ballots  # noqa: E402  (import time is part of a cold start)
    from kiosk.station import Kiosk  # noqa: E402

    with tempfile.TemporaryDirectory() as tmp:
        kiosk = Kiosk.open_or_enroll_demo(Path(tmp) / "data")
        ready = time.perf_counter()
        first_at = []

        def progress(n, total):
            if n == 1:
                first_at.append(time.perf_counter())

        print_ballots(kiosk, 1, out=Path(tmp) / "first.pdf", progress=progress)
        first_done = time.perf_counter()
        cold_first = first_done - t0

        singles = []
        for _ in range(20):
            s = time.perf_counter()
            print_ballots(kiosk, 1, out=Path(tmp) / "one.pdf")
            singles.append(time.perf_counter() - s)

        stacks = []
        for r in range(args.repeat):
            s = time.perf_counter()
            print_ballots(kiosk, args.count, out=Path(tmp) / f"stack{r}.pdf")
            stacks.append(time.perf_counter() - s)
        size = (Path(tmp) / "stack0.pdf").stat().st_size
        kiosk.close()

    best = min(stacks)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, Python {platform.python_version()}")
    print(f"cold start to first ballot file (imports, enrollment, fonts): {cold_first * 1000:.0f} ms "
          f"(of which the job itself {(first_done - ready) * 1000:.0f} ms)")
    print(f"one-ballot job, warm: median {statistics.median(singles) * 1000:.1f} ms, max {max(singles) * 1000:.1f} ms")
    print(f"{args.count}-ballot job: best {best:.2f} s, median {statistics.median(stacks):.2f} s "
          f"-> {args.count / best:.0f} ballots/s; PDF {size / 1024:.0f} KiB ({size / args.count:.0f} B/ballot)")
    print(f"peak RSS: {rss:.0f} MiB")


if __name__ == "__main__":
    main()
