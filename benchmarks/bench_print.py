"""Printing speed: time to the first ballot of a job and ballots per second, per layout.

Runs the real issuing path (kiosk.issuing.jobs.print_ballots: serials recorded in SQLite,
PDF written with reportlab) on one core in temporary data directories, for three ballots:
the demo's 4-name A5 ballot, a 60-name A4 ballot (names in columns, positions shown) and a
200-name number-grid A4 ballot (the numbered roster and the digit boxes).

    .venv/bin/python benchmarks/bench_print.py [--count 1000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def kiosks(tmp: Path):
    """(label, kiosk) for each ballot measured."""
    import rosters

    from kiosk.assets import demo_campaign_path
    from kiosk.station import Kiosk

    yield "4 names, A5 (demo)", Kiosk.enroll("kuldiga-vpvkac", root=tmp / "demo", campaign_path=demo_campaign_path())
    rng = random.Random(60)
    yield "60 names, A4", rosters.enrolled(rosters.campaign(rosters.institutions(1, [60], rng), page_size="a4"), tmp / "sixty")
    yield "200 names, number grid, A4", rosters.enrolled(
        rosters.campaign(rosters.institutions(1, [200], rng), page_size="a4", style="number"), tmp / "grid")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core

    t0 = time.perf_counter()
    from kiosk.issuing.jobs import print_ballots  # noqa: E402  (import time is part of a cold start)

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, Python {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        first = True
        for label, kiosk in kiosks(tmp):
            ready = time.perf_counter()
            print_ballots(kiosk, 1, out=tmp / "first.pdf")
            first_done = time.perf_counter()
            if first:
                print(f"cold start to the first ballot file (imports, enrollment, fonts): {(first_done - t0) * 1000:.0f} ms")
                first = False
            singles = []
            for _ in range(20):
                s = time.perf_counter()
                print_ballots(kiosk, 1, out=tmp / "one.pdf")
                singles.append(time.perf_counter() - s)
            stacks = []
            for r in range(args.repeat):
                s = time.perf_counter()
                print_ballots(kiosk, args.count, out=tmp / f"stack{r}.pdf")
                stacks.append(time.perf_counter() - s)
            size = (tmp / "stack0.pdf").stat().st_size
            one_size = (tmp / "one.pdf").stat().st_size
            best = min(stacks)
            spec = kiosk.layout()
            t_layout = time.perf_counter()
            kiosk.layout()
            t_layout = time.perf_counter() - t_layout
            print(f"\n{label}: layout {spec.id:08x}, {len(spec.boxes)} boxes, {len(spec.texts)} text lines; "
                  f"computing the layout {t_layout * 1000:.1f} ms")
            print(f"  first job of this kiosk (one ballot): {(first_done - ready) * 1000:.0f} ms")
            print(f"  one-ballot job, warm: median {statistics.median(singles) * 1000:.1f} ms, max {max(singles) * 1000:.1f} ms; "
                  f"PDF {one_size / 1024:.0f} KiB")
            print(f"  {args.count}-ballot job: best {best:.2f} s, median {statistics.median(stacks):.2f} s "
                  f"-> {args.count / best:.0f} ballots/s; PDF {size / 1024:.0f} KiB ({size / args.count:.0f} B/ballot)")
            kiosk.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS: {rss:.0f} MiB")


if __name__ == "__main__":
    main()
