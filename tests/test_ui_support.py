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


@pytest.fixture
def win(kiosk, qtbot, clock):
    """The main window over the demo kiosk, 1280×800, Latvian, nobody signed in."""
    setup_application(QApplication.instance())
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
    assert runner.pool.activeThreadCount() == 0, "a worker thread is still running"
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
