"""Shared fixtures for the UI tests, and tests of the background-work helper.

Other test_ui_* modules import the fixtures from here.
"""
from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication

from kiosk.access.roles import Role
from kiosk.errors import KioskError
from ui import i18n
from ui.app import create_window, setup_application
from ui.worker import Cancelled, Runner

# The offscreen platform plugin cannot resize native windows to their size
# hints and says so; every other Qt warning still fails a test.
OFFSCREEN_NOISE = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
pytestmark = OFFSCREEN_NOISE

PINS = {Role.FRONT_DESK: "1111", Role.HELPER: "2222", Role.OFFICE: "3333"}


class Clock:
    """An injectable wall clock: lockout delays are tested without sleeping."""

    def __init__(self, t: float = 1_800_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock():
    """The window's clock, standing still at the moment the test began: it moves only
    when a test moves it, and "printed today" counts every ballot the test prints,
    even when the test runs across midnight (the database stamps the real time)."""
    return Clock(float(int(time.time())))


def in_voting_period(kiosk, clock) -> None:
    """The kiosk's campaign votes on the clock's day, whatever the calendar says (the print
    screen asks before printing outside the voting period; its own test moves the period)."""
    import dataclasses
    import datetime as dt

    today = dt.datetime.fromtimestamp(clock()).date()
    kiosk.campaign = dataclasses.replace(kiosk.campaign, voting_start=today - dt.timedelta(days=30),
                                         voting_end=today + dt.timedelta(days=30))


@pytest.fixture
def win(kiosk, qtbot, clock):
    """The main window over the demo kiosk, 1280×800, Latvian, nobody signed in; the campaign
    is in its voting period on the clock's day."""
    setup_application(QApplication.instance())
    in_voting_period(kiosk, clock)
    w = create_window(kiosk, "lv", clock=clock)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    yield w
    if i18n.current() != "lv":
        i18n.install("lv")
    runner = w.ctx.runner
    w.exit_kiosk()
    assert not w.isVisible()
    assert runner.active_threads == 0, "a worker thread is still running"
    qtbot.waitUntil(lambda: runner.active == 0, timeout=5000)  # their last signals delivered
    w.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def sign_in(win, qtbot, role: Role, pin: str | None = None) -> None:
    screen = win.screens[win.mode] if win.mode.value == "sign_in" else None
    assert screen is not None, "somebody is already signed in"
    qtbot.mouseClick(screen.role_buttons[role], Qt.MouseButton.LeftButton)
    qtbot.keyClicks(screen.pad.field, pin if pin is not None else PINS[role])
    qtbot.mouseClick(screen.pad.ok_button, Qt.MouseButton.LeftButton)


class WorkGate:
    """Holds a screen's background job at its first progress report until the test
    releases it, so that a click meant for a running job (cancel) arrives while the
    job is certainly running, however fast or slow the machine is.

    ``gate.hold(module, "name")`` wraps the worker function ``module.name`` (which the
    screen looks up when it starts a job) for this test: the job reports its first
    progress to the screen as usual, then waits for ``gate.release()``.  ``at`` is the
    (done, total) it is held at."""

    TIMEOUT_S = 60.0  # a test that never releases fails here instead of hanging its worker

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._monkeypatch = monkeypatch
        self.reached = threading.Event()
        self.released = threading.Event()
        self.at: tuple[int, int] | None = None

    def hold(self, module, name: str) -> None:
        work = getattr(module, name)

        def gated(wctx, *args, **kwargs):
            report = wctx.progress

            def progress(done: int, total: int = 0) -> None:
                report(done, total)
                if not self.reached.is_set():
                    self.at = (done, total)
                    self.reached.set()
                    if not self.released.wait(self.TIMEOUT_S):
                        raise TimeoutError("the test never released the held job")

            wctx.progress = progress
            return work(wctx, *args, **kwargs)

        self._monkeypatch.setattr(module, name, gated)

    def wait_held(self, qtbot, timeout: int = 60_000) -> None:
        """Wait until the job has made its first progress report and is held there."""
        qtbot.waitUntil(self.reached.is_set, timeout=timeout)

    def release(self) -> None:
        self.released.set()


@pytest.fixture
def gate(win, monkeypatch):
    """A WorkGate, released when the test ends (before the window closes), so a
    failing test never leaves a worker waiting."""
    g = WorkGate(monkeypatch)
    yield g
    g.release()


def wait_idle(win, qtbot, timeout: int = 30_000) -> None:
    """Wait until no background job runs."""
    qtbot.waitUntil(lambda: win.ctx.runner.active == 0, timeout=timeout)


# -- the background-work helper ------------------------------------------------

def test_runner_streams_batches_progress_and_result(qtbot, kiosk):
    from ui.worker import worker_opener

    runner = Runner(worker_opener(kiosk.datadir, kiosk.campaign, kiosk.institution))
    got, progress = [], []

    def work(ctx):
        assert ctx.kiosk is not kiosk and ctx.kiosk.institution.id == kiosk.institution.id  # its own connection
        for n in range(500):
            ctx.emit(n)
            ctx.progress(n + 1, 500)
        return "done"

    job = runner.run(work, items=got.extend, progress=lambda d, t: progress.append((d, t)))
    with qtbot.waitSignal(job.finished, timeout=20_000):
        pass
    assert got == list(range(500))
    assert progress[-1] == (500, 500)
    assert runner.active == 0
    assert runner.shutdown()


def test_runner_reports_known_errors_bugs_and_cancellation(qtbot):
    runner = Runner()
    failures = []
    runner.job_failed.connect(lambda job, exc: failures.append(exc))

    job = runner.run(lambda ctx: (_ for _ in ()).throw(KioskError("print.count", max=5)))
    with qtbot.waitSignal(job.finished):
        pass
    job = runner.run(lambda ctx: 1 / 0)
    with qtbot.waitSignal(job.finished):
        pass
    assert [type(e) for e in failures] == [KioskError, ZeroDivisionError]
    assert failures[1].__traceback__ is not None

    import threading

    started = threading.Event()

    def long(ctx):
        started.set()
        while True:
            ctx.check()

    cancelled = []
    job = runner.run(long, failed=cancelled.append)
    assert started.wait(10)
    assert runner.busy()
    job.cancel()
    with qtbot.waitSignal(job.finished, timeout=10_000):
        pass
    assert isinstance(cancelled[0], Cancelled)
    assert runner.shutdown() and runner.active == 0


def test_latest_job_with_a_key_wins(qtbot):
    import threading

    runner = Runner()
    gate = threading.Event()
    results = []

    def first(ctx):
        gate.wait(10)
        return "first" if not ctx.cancelled() else "stale"

    a = runner.run(first, key="img", done=results.append)
    b = runner.run(lambda ctx: "second", key="img", done=results.append)
    assert a.is_cancelled and not b.is_cancelled
    gate.set()
    qtbot.waitUntil(lambda: runner.active == 0, timeout=10_000)
    assert sorted(results) == ["second", "stale"]
    runner.shutdown()


def test_a_stream_takes_the_newest_item_emits_per_item_and_ends_with_its_input(qtbot, kiosk):
    """A streaming job: items fed while the worker is busy replace the waiting one (one
    item held at most), every item taken gets its result, the job has its own kiosk."""
    import threading

    from ui.worker import worker_opener

    runner = Runner(worker_opener(kiosk.datadir, kiosk.campaign, kiosk.institution))
    took_first, gate = threading.Event(), threading.Event()
    seen, got, done = [], [], []

    def work(ctx):
        assert ctx.kiosk is not kiosk and ctx.kiosk.institution.id == kiosk.institution.id  # its own connection
        for item in ctx.inputs():
            seen.append(item)
            if item == 0:
                took_first.set()
                assert gate.wait(10)
            ctx.emit(item * 10)
        return "closed" if not ctx.cancelled() else "cancelled"

    job = runner.stream(work, name="frames", items=got.extend, done=done.append)
    assert job.feed(0) is False  # nothing was waiting
    assert took_first.wait(10)   # the worker holds item 0
    replaced = [job.feed(n) for n in (1, 2, 3, 4)]
    assert replaced == [False, True, True, True]  # 1, 2 and 3 were dropped, never queued
    job.close_input()
    gate.set()
    with qtbot.waitSignal(job.finished, timeout=10_000):
        pass
    assert seen == [0, 4] and got == [0, 40] and done == ["closed"]
    assert job.ended and not job.running and runner.active == 0
    assert job.feed(5) is False and seen == [0, 4]  # fed after the end: ignored
    assert runner.shutdown()


def test_a_stream_delivers_its_results_before_it_waits_and_stops_at_once_when_cancelled(qtbot):
    import threading

    runner = Runner(max_threads=1)
    gate = threading.Event()
    got, done = [], []

    def work(ctx):
        for item in ctx.inputs():
            ctx.emit(item)
            ctx.emit(item + 1)  # within the throttle: delivered when the worker waits for more
        return "cancelled" if ctx.cancelled() else "closed"

    job = runner.stream(work, items=got.extend, done=done.append)
    with qtbot.waitSignal(job.items, timeout=10_000):
        job.feed(1)
    qtbot.waitUntil(lambda: got == [1, 2], timeout=10_000)
    assert runner.busy() and not runner.busy(ignore=(job.name,))

    # a stream has a thread of its own: short work still runs beside it on a one-thread pool
    short = runner.run(lambda ctx: gate.wait(10) and "short", done=done.append)
    gate.set()
    with qtbot.waitSignal(short.finished, timeout=10_000):
        pass
    assert done == ["short"]

    job.cancel()  # the worker waits on an empty input: woken at once
    assert job.wait(10_000) and job.ended
    with qtbot.waitSignal(job.finished, timeout=10_000):
        pass
    assert done == ["short", "cancelled"]
    assert runner.shutdown() and runner.active == 0 and runner.active_threads == 0


def test_a_paced_stream_takes_its_next_item_only_after_the_ui_received_the_last_results(qtbot):
    import threading

    runner = Runner()
    emitted = threading.Event()
    taken, got = [], []

    def work(ctx):
        for item in ctx.inputs():
            taken.append(item)
            ctx.emit(item)
            emitted.set()

    job = runner.stream(work, items=got.extend)
    job.feed(1)
    assert emitted.wait(10)
    # the UI thread has not handled the result of 1 yet (no events processed): 2 keeps waiting
    assert job.feed(2) is False and job.feed(3) is True and taken == [1]
    qtbot.waitUntil(lambda: got == [1, 3], timeout=10_000)  # delivered: the newest, 3, is taken
    assert taken == [1, 3]
    job.close_input()
    with qtbot.waitSignal(job.finished, timeout=10_000):
        pass
    assert runner.shutdown()


def test_cancelling_a_stream_drops_the_waiting_item(qtbot):
    import threading

    runner = Runner()
    took, gate = threading.Event(), threading.Event()
    seen = []

    def work(ctx):
        for item in ctx.inputs():
            seen.append(item)
            took.set()
            assert gate.wait(10)

    job = runner.stream(work)
    job.feed("held")
    assert took.wait(10)
    job.feed("waiting")
    job.cancel()
    gate.set()
    assert job.wait(10_000)
    assert seen == ["held"]
    qtbot.waitUntil(lambda: runner.active == 0, timeout=10_000)
    assert runner.shutdown()


def test_void_qt_calls_and_emits_do_not_leak_none_or_true(tmp_path):
    """PySide6 6.12.0's abi3 wheels, built for Python >= 3.12 (immortal None/True,
    PEP 683), drop a reference to None on every void Qt call and to True on every
    Signal.emit under 3.11, and the interpreter aborts after a few thousand calls.
    pyproject.toml pins a PySide6 without it; this catches a regression.  Run in a
    subprocess: a leak aborts the interpreter."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from PySide6.QtCore import QObject, Signal\n"
        "from PySide6.QtWidgets import QApplication, QLabel\n"
        "app = QApplication([])\n"
        "class E(QObject):\n    fired = Signal(bool)\n"
        "label, e = QLabel(), E()\n"
        "e.fired.connect(lambda v: None)\n"
        "n, t = sys.getrefcount(None), sys.getrefcount(True)\n"
        "for _ in range(20000):\n    label.setText('x'); e.fired.emit(True)\n"
        "print(sys.getrefcount(None) - n, sys.getrefcount(True) - t)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr[-2000:]
    none_delta, true_delta = map(int, done.stdout.split())
    assert abs(none_delta) < 100 and abs(true_delta) < 100
