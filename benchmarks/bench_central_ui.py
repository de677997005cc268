"""The central office window under load: is the event loop ever blocked, and how long do
receiving, counting, a decision's recount and publishing take?

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_central_ui.py \
        [--ballots 200000] [--batches 200] [--institutions 200] [--specialists 60]

A generated campaign of real size (tests/central_campaign.py: format 3 batches, trusted
through the master key alone) is dropped on the window as a folder.  A 10 ms timer on the
UI thread records every gap between its ticks while the window receives, verifies, counts
and then publishes (PDF, XLSX, CSV, JSON); the longest gap is how long the event loop was
blocked at worst.  Prints the figures; docs/performance.md keeps them.
"""
from __future__ import annotations

import argparse
import sys

try:
    import resource  # POSIX: the process's peak memory
except ImportError:  # pragma: no cover - Windows
    resource = None
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

TICK_MS = 10


class Gaps:
    """The longest interval between ticks of a timer on the UI thread (and how many over 100 ms)."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)
        self.last = 0.0
        self.worst = 0.0
        self.over = 0

    def start(self) -> None:
        self.last = time.perf_counter()
        self.worst, self.over = 0.0, 0
        self.timer.start()

    def tick(self) -> None:
        now = time.perf_counter()
        gap = now - self.last
        self.last = now
        self.worst = max(self.worst, gap)
        self.over += gap > 0.100

    def stop(self) -> tuple[float, int]:
        self.timer.stop()
        return self.worst, self.over


def run_job(app: QApplication, window, start) -> tuple[object, float]:
    """Start a job and let the event loop run until the window settles; (its Done, seconds)."""
    out: list = []
    window.settled.connect(out.append)
    t0 = time.perf_counter()
    start()
    while not out:
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)
    window.settled.disconnect(out.append)
    return out[0], time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--ballots", type=int, default=200_000)
    ap.add_argument("--batches", type=int, default=200)
    ap.add_argument("--institutions", type=int, default=200)
    ap.add_argument("--specialists", type=int, default=60)
    args = ap.parse_args()

    import central_campaign

    from kiosk.ballot.campaign import load_campaign
    from ui.app import setup_application
    from ui.central.app import create_window

    app = QApplication.instance() or QApplication(sys.argv)
    setup_application(app)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        campaign_path = tmp / "campaign.toml"
        master = central_campaign.write_campaign(campaign_path, args.institutions, args.specialists)
        campaign = load_campaign(campaign_path)
        t0 = time.perf_counter()
        central_campaign.generate_batches(tmp / "stick", campaign, bytes.fromhex(master.read_text().strip()),
                                          args.ballots, args.batches)
        print(f"generated {args.ballots} ballots in {args.batches} batches of {args.institutions} institutions "
              f"({time.perf_counter() - t0:.1f} s)")

        window = create_window(tmp / "central", "lv", operator="bench")
        ui_costs: list[float] = []
        shown = window.show_snapshot

        def timed_show(snap) -> None:  # how long the UI thread spends filling the pages
            t = time.perf_counter()
            shown(snap)
            ui_costs.append(time.perf_counter() - t)

        window.show_snapshot = timed_show
        window.resize(1366, 768)
        window.show()
        while window.busy:  # the first look at the (empty) data directory
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)
        gaps = Gaps()
        gaps.start()  # the machine itself: the same timer with nothing to do for 3 s
        end = time.perf_counter() + 3
        while time.perf_counter() < end:
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)
        worst, over = gaps.stop()
        print(f"idle window (no job), 3 s: longest gap {worst * 1000:.0f} ms, over 100 ms: {over}")
        _, secs = run_job(app, window, lambda: window.configure(campaign=str(campaign_path), master=str(master)))
        gaps.start()
        done, secs = run_job(app, window, lambda: window.import_paths([tmp / "stick"]))
        worst, over = gaps.stop()
        result = done.snapshot.count.result
        print(f"receive + verify + count: {secs:.1f} s for {result.ballots_counted} ballots "
              f"({result.verified_batches} batches); event loop: longest gap {worst * 1000:.0f} ms, "
              f"gaps over 100 ms: {over}")
        gaps.start()
        done, secs = run_job(app, window, window.refresh)
        worst, over = gaps.stop()
        print(f"recount (files read before, as after a decision): {secs:.2f} s; longest gap {worst * 1000:.0f} ms, "
              f"over 100 ms: {over}")
        window.confirm = lambda text: True
        gaps.start()
        done, secs = run_job(app, window, window.publish)
        worst, over = gaps.stop()
        pub = done.note
        print(f"publish (count, PDF, XLSX, CSV, JSON): {secs:.1f} s; longest gap {worst * 1000:.0f} ms, "
              f"over 100 ms: {over}; report {Path(pub.report).stat().st_size // 1024} KiB")
        print(f"filling the pages on the UI thread: longest {max(ui_costs) * 1000:.0f} ms "
              f"({len(ui_costs)} times)")
        if resource is not None:
            print(f"peak memory of the window's process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")
        window.shutdown()
        window.deleteLater()


if __name__ == "__main__":
    main()
