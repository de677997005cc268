"""The watched scanner folder, driven by a timer through the background runner.

The deciding is the core's (``kiosk.intake.watch.FolderWatch``: complete, not
merely quiet; temporary names ignored; each version once).  Here a QTimer
asks for a check every ``interval_ms``; the check (a folder listing, maybe on
a network share) runs as a job of ``ui.worker.Runner``, never on the UI
thread, one at a time; files found complete arrive by ``ready``.  Polling
rather than QFileSystemWatcher: a watcher says a file changed, not that the
scanner is done with it, and polling also works on network shares.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.intake.watch import FolderWatch, WatchState

from .worker import Runner, WorkContext

POLL_JOB = "watch"  # the runner's name for a check (idle sign-out ignores it)


class FolderWatcher(QObject):
    ready = Signal(list)    # paths (str) complete and not offered before
    failed = Signal(str)    # the folder is gone or unreadable
    polled = Signal(object)  # a check ended: its WatchState

    def __init__(self, runner: Runner, parent: QObject | None = None, interval_ms: int = 1000, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parent)
        self.runner = runner
        self.clock = clock
        self.watch: FolderWatch | None = None
        self.state: WatchState | None = None
        self._checking = False  # a check was started and its outcome not handled yet
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)

    @property
    def folder(self) -> Path | None:
        return Path(self.watch.folder) if self.watch else None

    @property
    def active(self) -> bool:
        return self.timer.isActive()

    @property
    def busy(self) -> bool:
        """A check is under way.  It ends when its outcome is handled (``polled``), not when the
        runner later hears its job finished: the next check may start from ``polled`` on."""
        return self._checking

    def start(self, folder: str | Path, settle_s: float) -> None:
        self.watch = FolderWatch(folder, settle_s, clock=self.clock)
        self.state = None
        self.timer.start()
        self.poll()

    def stop(self) -> None:
        self.timer.stop()

    def set_interval(self, ms: int) -> None:
        self.timer.setInterval(ms)

    def release(self, paths: list[str]) -> None:
        """Offer these files again (reading them failed as a whole)."""
        if self.watch is not None:
            self.watch.release(paths)

    def poll(self) -> bool:
        """Start a check (unless one is running); False when none was started."""
        if self.watch is None or self.busy or not self.active:
            return False
        watch = self.watch

        def check(_ctx: WorkContext) -> tuple[list[str], WatchState]:
            return watch.poll(), watch.state()

        self._checking = True
        self.runner.run(check, name=POLL_JOB, done=lambda res, w=watch: self._checked(w, *res),
                        failed=lambda exc, w=watch: self._lost(w, exc))
        return True

    def _checked(self, watch: FolderWatch, ready: list[str], state: WatchState) -> None:
        self._checking = False
        if watch is not self.watch:
            return  # the folder was changed meanwhile
        self.state = state
        if ready:
            self.ready.emit(ready)
        self.polled.emit(state)

    def _lost(self, watch: FolderWatch, exc: BaseException) -> None:
        """The folder cannot be listed (gone, unplugged, a share down): said once, and
        checked again on the next tick, so watching resumes when it is back."""
        self._checking = False
        if watch is not self.watch:
            return
        was_ok = self.state is None or self.state.ok
        self.state = WatchState(watch.folder, False, watch.waiting, watch.offered, str(exc))
        if was_ok:
            self.failed.emit(watch.folder)
        self.polled.emit(self.state)
