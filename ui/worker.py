"""Background work for every screen: one helper, no ad-hoc threads.

A screen hands ``Runner.run`` a plain function ``fn(ctx)``; it runs on a pool
thread of the runner's own ``QThreadPool`` and gets a ``WorkContext``:

* ``ctx.kiosk``    its OWN ``Kiosk`` (SQLite connections are per thread),
                   opened on first use and closed when the job ends;
* ``ctx.progress(done, total)`` and ``ctx.emit(item)``: reported to the UI
                   thread by queued signals, throttled and batched (a burst
                   of 20+ results a second arrives as a few lists, so models
                   insert rows in batches and the event loop never drowns);
* ``ctx.cancelled()`` / ``ctx.check()``: cooperative cancellation.

The function never touches widgets.  Its return value arrives in ``done``;
a ``KioskError`` in ``failed``; anything else is a bug, reported once by
``failed`` with its traceback attached (``exc.__traceback__``).  ``finished``
always comes last.  Like Anki's CollectionOp or napari's thread_worker.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from kiosk.ballot.campaign import Campaign, Institution
from kiosk.datadir import DataDir
from kiosk.station import Kiosk

log = logging.getLogger("kiosk.ui.worker")

FLUSH_S = 0.05  # at most ~20 batches of results and progress updates a second


class Cancelled(Exception):
    """Raised by ``WorkContext.check()`` when the job was cancelled."""


class WorkContext:
    """What a background function sees.  Lives on the worker thread."""

    def __init__(self, job: "Job", opener: Callable[[], Kiosk] | None) -> None:
        self._job = job
        self._opener = opener
        self._kiosk: Kiosk | None = None
        self._buffer: list[Any] = []
        self._last_flush = 0.0
        self._last_progress = 0.0

    @property
    def kiosk(self) -> Kiosk:
        if self._kiosk is None:
            if self._opener is None:
                raise RuntimeError("this job was started without a data directory")
            self._kiosk = self._opener()
        return self._kiosk

    def cancelled(self) -> bool:
        return self._job._cancel.is_set()

    def check(self) -> None:
        if self.cancelled():
            raise Cancelled()

    def progress(self, done: int, total: int = 0) -> None:
        now = time.monotonic()
        if done == total or now - self._last_progress >= FLUSH_S:
            self._last_progress = now
            self._job._signals.progress.emit(int(done), int(total))

    def emit(self, item: Any) -> None:
        self._buffer.append(item)
        if time.monotonic() - self._last_flush >= FLUSH_S:
            self.flush()

    def flush(self) -> None:
        self._last_flush = time.monotonic()
        if self._buffer:
            batch, self._buffer = self._buffer, []
            self._job._signals.items.emit(batch)

    def close(self) -> None:
        if self._kiosk is not None:
            self._kiosk.close()
            self._kiosk = None


class _Signals(QObject):
    progress = Signal(int, int)
    items = Signal(list)
    done = Signal(object)
    failed = Signal(object)
    finished = Signal()


class _Runnable(QRunnable):
    def __init__(self, job: "Job") -> None:
        super().__init__()
        self.setAutoDelete(True)
        self.job = job

    def run(self) -> None:  # worker thread
        job = self.job
        ctx = WorkContext(job, job._opener)
        try:
            result = job._fn(ctx)
            ctx.flush()
            job._signals.done.emit(result)
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the UI thread
            try:
                ctx.flush()
            except BaseException:  # pragma: no cover
                pass
            job._signals.failed.emit(exc)
        finally:
            try:
                ctx.close()
            except BaseException:  # pragma: no cover
                log.exception("closing the worker's kiosk")
            job._signals.finished.emit()


class Job(QObject):
    """A handle on one background function, living on the UI thread."""

    progress = Signal(int, int)
    items = Signal(list)
    done = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(self, fn: Callable[[WorkContext], Any], opener: Callable[[], Kiosk] | None, name: str,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._fn = fn
        self._opener = opener
        self._cancel = threading.Event()
        self._running = True
        self._signals = _Signals()  # created on the UI thread: its signals are delivered there
        self._signals.progress.connect(self.progress)
        self._signals.items.connect(self.items)
        self._signals.done.connect(self.done)
        self._signals.failed.connect(self.failed)
        self._signals.finished.connect(self._on_finished)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def running(self) -> bool:
        return self._running

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    @Slot()
    def _on_finished(self) -> None:
        self._running = False
        self.finished.emit()


class Runner(QObject):
    """Starts background jobs and knows which ones are still running."""

    busy_changed = Signal(bool)
    job_failed = Signal(object, object)  # (job, exception) for a job without its own handler

    def __init__(self, opener: Callable[[], Kiosk] | None = None, parent: QObject | None = None,
                 max_threads: int = 2) -> None:
        super().__init__(parent)
        self._opener = opener
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._jobs: set[Job] = set()
        self._keyed: dict[str, Job] = {}

    def run(
        self,
        fn: Callable[[WorkContext], Any],
        *,
        name: str = "",
        key: str | None = None,
        done: Callable[[Any], None] | None = None,
        failed: Callable[[BaseException], None] | None = None,
        progress: Callable[[int, int], None] | None = None,
        items: Callable[[list], None] | None = None,
        finished: Callable[[], None] | None = None,
    ) -> Job:
        """Run ``fn(ctx)`` in the background.  A job with the same ``key``
        still running is cancelled first (latest wins, e.g. image previews)."""
        if key is not None and key in self._keyed and self._keyed[key].running:
            self._keyed[key].cancel()
        # no Qt parent: Python owns the job; the runner keeps it until it finished
        job = Job(fn, self._opener, name or getattr(fn, "__name__", "job"))
        if progress:
            job.progress.connect(progress)
        if items:
            job.items.connect(items)
        if done:
            job.done.connect(done)
        if failed:
            job.failed.connect(failed)
        else:
            job.failed.connect(lambda exc, j=job: self.job_failed.emit(j, exc))
        if finished:
            job.finished.connect(finished)
        job.finished.connect(lambda j=job: self._forget(j))
        was_busy = bool(self._jobs)
        self._jobs.add(job)
        if key is not None:
            self._keyed[key] = job
        if not was_busy:
            self.busy_changed.emit(True)
        self.pool.start(_Runnable(job))
        return job

    def _forget(self, job: Job) -> None:
        self._jobs.discard(job)
        for k, j in list(self._keyed.items()):
            if j is job:
                del self._keyed[k]
        if not self._jobs:
            self.busy_changed.emit(False)

    @property
    def active(self) -> int:
        return len(self._jobs)

    def busy(self, *, ignore: tuple[str, ...] = ()) -> bool:
        return any(j.name not in ignore for j in self._jobs)

    def cancel_all(self) -> None:
        for job in list(self._jobs):
            job.cancel()

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Cancel every job and wait for the threads (at exit and in tests)."""
        self.cancel_all()
        ok = self.pool.waitForDone(timeout_ms)
        return ok


def worker_opener(datadir: DataDir, campaign: Campaign, institution: Institution) -> Callable[[], Kiosk]:
    """Open a Kiosk for a worker thread: its own SQLite connection and the UI's
    already loaded (immutable) campaign, so a job neither re-reads and
    re-validates the campaign file nor could see a different one than the
    screen shows.  (``Kiosk.open`` would be safe too: it only recovers print
    jobs of processes that are gone.)"""
    def open_kiosk() -> Kiosk:
        return Kiosk(datadir, Kiosk.open_store(datadir), campaign, institution)

    return open_kiosk
