"""Intake screen under load: 500 rendered ballots from a folder through the real UI.

    .venv/bin/python benchmarks/bench_intake_ui.py [--count 500] [--dpi 150] [--workers N] [--keep DIR]

Prints (and returns as JSON with --json):
- the longest time the Qt event loop was blocked while the scan ran, measured by
  a QTimer ticking every 5 ms (lateness = time between ticks minus 5 ms; goal < 100 ms);
- sheets per second through the screen (goal: 20+), with the screen's default
  number of reader processes (one per core) or --workers N (1: reading in the
  screen's worker thread);
- a UI-only run: the same screen fed synthetic results at 200 sheets/s, to show
  the screen itself is not the bottleneck.

Runs offscreen (QT_QPA_PLATFORM=offscreen unless a display is set).  The
ballots are printed by the real printing code, rendered with pypdfium2 and
marked (8 % overvotes, 5 % without a specialist: those go to review).
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
sys.path[:0] = [str(REPO), str(REPO / "tests")]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


class LoopMonitor:
    """A 5 ms QTimer; the lateness of each tick is how long the loop was blocked."""

    def __init__(self, interval_ms: int = 5) -> None:
        self.interval = interval_ms
        self.timer = QTimer()
        self.timer.setTimerType(__import__("PySide6.QtCore", fromlist=["Qt"]).Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.clock = QElapsedTimer()
        self.gaps: list[float] = []
        self.long: list[tuple[float, float]] = []  # (seconds since start, block ms) of blocks > 50 ms
        self.last = 0

    def start(self) -> None:
        self.gaps.clear()
        self.long.clear()
        self.clock.start()
        self.last = self.clock.nsecsElapsed()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        now = self.clock.nsecsElapsed()
        gap = max(0.0, (now - self.last) / 1e6 - self.interval)
        self.gaps.append(gap)
        if gap > 50:
            self.long.append((round(now / 1e9, 2), round(gap, 1)))
        self.last = now

    def summary(self) -> dict[str, float]:
        g = sorted(self.gaps) or [0.0]
        return {"ticks": len(self.gaps), "max_block_ms": round(g[-1], 1),
                "p99_block_ms": round(g[int(0.99 * (len(g) - 1))], 1), "median_block_ms": round(statistics.median(g), 2),
                "blocks_over_50ms": list(self.long)}


def wait(app, cond, timeout: float) -> None:
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise TimeoutError
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=500)
    ap.add_argument("--dpi", type=float, default=150)
    ap.add_argument("--workers", type=int, default=None, help="reader processes (default: the screen's, one per core)")
    ap.add_argument("--keep", help="keep the data directory and ballots here (reused when present)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    from kiosk.access.roles import Role
    from kiosk.intake.results import SheetResult
    from kiosk.station import Kiosk
    from ui.app import create_window, setup_application
    from demo import make_urn
    from ui.screens import Mode

    app = QApplication.instance() or QApplication(sys.argv)
    setup_application(app)
    tmp = None
    if args.keep:
        base = Path(args.keep)
        base.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="bench-intake-")
        base = Path(tmp.name)
    urn = base / "urn"
    ballots_root = base / "printing-data"  # the ballots are printed by one kiosk ...
    data = base / f"data-{time.time_ns()}"  # ... and read by a fresh copy of it each run
    from ui.screens.intake import default_workers

    results: dict[str, object] = {"count": args.count, "dpi": args.dpi, "cpus": os.cpu_count(),
                                  "workers": args.workers or default_workers()}
    t0 = time.perf_counter()
    if not urn.is_dir() or len(list(urn.glob("*.png"))) < args.count:
        with Kiosk.open_or_enroll_demo(ballots_root) as printer:
            make_urn(printer, urn, args.count, dpi=args.dpi)
    results["prepare_s"] = round(time.perf_counter() - t0, 1)
    import shutil

    shutil.copytree(ballots_root, data)  # same keys and issued serials, no sheets yet
    kiosk = Kiosk.open(data)
    window = create_window(kiosk, "lv")
    window.resize(1280, 800)
    window.show()
    wait(app, window.isVisible, 10)
    window.ctx.sign_in(Role.HELPER, "2222")
    window.set_idle_timeout(3_600_000)
    intake = window.screens[Mode.INTAKE]
    intake.workers = args.workers
    batches: list[int] = []
    intake.results_added.connect(batches.append)

    # 1. the real thing: a folder of scans through the reader and the screen
    monitor = LoopMonitor()
    monitor.start()
    start = time.perf_counter()
    intake.scan([str(urn)])
    wait(app, lambda: not intake.running and intake.model.rowCount() >= args.count, 3600)
    elapsed = time.perf_counter() - start
    monitor.stop()
    results["scan"] = {
        "sheets": intake.model.rowCount(),
        "seconds": round(elapsed, 2),
        "sheets_per_s": round(intake.model.rowCount() / elapsed, 1),
        "counts": dict(intake.model.counts),
        "batches": len(batches),
        "largest_batch": max(batches or [0]),
        **monitor.summary(),
    }

    # 2. the screen alone: synthetic results at 200 sheets/s for 5 s, selecting rows meanwhile
    intake.clear_list()
    template = intake.model.rows[0] if intake.model.rows else None
    sample = [r for r in kiosk.store.review_queue()[:1]]
    fake = SheetResult("urn/synthetic.png", 1, "review", "overvote", ["overvote"], "ABCD-EFGH-IJKL",
                       {"Labākais klientu apkalpošanas speciālists": ["Ģirta Ozoliņa", "Ķēniņš Kalniņš"]},
                       sample[0].id if sample else None, False)
    del template
    fed = [0]

    def feed() -> None:
        intake.add_results([fake] * 10)
        fed[0] += 10
        if fed[0] % 200 == 0:
            intake.select_row(intake.model.rowCount() - 1)

    feeder = QTimer()
    feeder.setInterval(50)  # 10 results every 50 ms = 200 sheets/s
    feeder.timeout.connect(feed)
    monitor.start()
    start = time.perf_counter()
    feeder.start()
    wait(app, lambda: fed[0] >= 1000, 60)
    feeder.stop()
    ui_elapsed = time.perf_counter() - start
    wait(app, lambda: window.ctx.runner.active == 0, 30)
    monitor.stop()
    results["ui_only"] = {"sheets": fed[0], "sheets_per_s": round(fed[0] / ui_elapsed, 1), **monitor.summary()}

    window.exit_kiosk()
    kiosk.close()
    if tmp is not None:
        tmp.cleanup()
    if args.json:
        print(json.dumps(results, ensure_ascii=False))
    else:
        s, u = results["scan"], results["ui_only"]
        print(f"ballots: {args.count} at {args.dpi:g} dpi (prepared in {results['prepare_s']} s), {os.cpu_count()} CPUs, "
              f"{results['workers']} reader worker(s)")
        print(f"scan through the intake screen: {s['sheets']} sheets in {s['seconds']} s = {s['sheets_per_s']} sheets/s; "
              f"counts {s['counts']}; {s['batches']} batches (largest {s['largest_batch']})")
        print(f"  event loop blocked: max {s['max_block_ms']} ms, p99 {s['p99_block_ms']} ms, median {s['median_block_ms']} ms "
              f"over {s['ticks']} ticks")
        print(f"  blocks over 50 ms (s since start, ms): {s['blocks_over_50ms']}")
        print(f"screen alone at 200 sheets/s: {u['sheets']} rows, max block {u['max_block_ms']} ms, p99 {u['p99_block_ms']} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
