"""How long can any program on this machine wait for its turn?  The floor under every
responsiveness figure (the central office window's event loop, the kiosk's screens).

    python benchmarks/machine_floor.py [--seconds 60]

A minimal loop (no Qt, nothing else: sleep 10 ms, note the gap) runs while 0, 1 and 2
other processes keep CPUs busy (a shell loop each, pinned with ``taskset`` where there is
more than one CPU).  Prints the longest gap and how many were over 100 ms; Linux only
(``taskset``).  docs/performance.md keeps the figures.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import time


def longest_gap(seconds: float) -> tuple[float, int]:
    start = last = time.perf_counter()
    worst, over = 0.0, 0
    while last - start < seconds:
        time.sleep(0.01)
        now = time.perf_counter()
        worst = max(worst, now - last)
        over += now - last > 0.100
        last = now
    return worst, over


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=60.0)
    args = ap.parse_args()
    cpus = sorted(os.sched_getaffinity(0))
    for busy in range(len(cpus) + 1):
        hogs = [subprocess.Popen(["taskset", "-c", str(cpus[n]), "sh", "-c", "while :; do :; done"])
                for n in range(busy)]
        try:
            worst, over = longest_gap(args.seconds)
        finally:
            for h in hogs:
                h.kill()
                h.wait()
        print(f"{busy} of {len(cpus)} CPUs kept busy by other processes, {args.seconds:.0f} s: "
              f"longest gap {worst * 1000:.0f} ms, gaps over 100 ms: {over}", flush=True)


if __name__ == "__main__":
    main()
