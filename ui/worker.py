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

``Runner.stream`` starts a long-lived streaming job (a camera's frames): it
runs on a thread of its own, not one of the pool's few threads for short
work, for as long as its source runs.  The UI thread feeds it with
``job.feed(item)`` into an ``Inbox`` that holds one waiting item, the
newest (latest wins: a producer faster than the worker never builds a
queue); the function takes the items from ``ctx.inputs()`` and emits its
per-item results as above.  A paced stream (the default) takes the next
item only once the UI thread has received the results of the previous one:
it never runs ahead of the screen showing them, and leaves the event loop
its share of the interpreter.  ``job.close_input()`` ends the input after the
waiting item; ``job.cancel()`` ends it at once.  ``job.wait()`` blocks
until the function has returned and its kiosk is closed (sign-out, exit).

The function never touches widgets.  Its return value arrives in ``done``;
a ``KioskError`` in ``failed``; anything else is a bug, reported once by
``failed`` with its traceback attached (``exc.__traceback__``).  ``finished``
always comes last.  Like Anki's CollectionOp or napari's thread_worker.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from kiosk.ballot.campaign import Campaign, Institution
from kiosk.datadir import DataDir
from kiosk.station import Kiosk

log = logging.getLogger("kiosk.ui.worker")

FLUSH_S = 0.05  # at most ~20 batches of results and progress updates a second
MAX_STREAMS = 4  # streaming jobs at once (a camera's analyser, and the previous one finishing)


class Cancelled(Exception):
    """Raised by ``WorkContext.check()`` when the job was cancelled."""


class Inbox:
    """A streaming job's input: at most one waiting item, the newest.

    ``put`` (UI thread) replaces an item the worker has not taken yet, so memory
    stays bounded however fast items arrive; ``take`` (worker thread) blocks
    until an item, the end of the input or cancellation, and when ``paced``
    also until every batch of results sent has been delivered (``seen``)."""

    def __init__(self, *, paced: bool = True) -> None:
        self._cond = threading.Condition()
        self._item: Any = None
        self._full = False
        self._closed = False
        self.paced = paced
        self._unseen = 0  # batches of results sent and not yet delivered on the UI thread

    def put(self, item: Any) -> bool:
        """Offer ``item``; True when it replaced a waiting one (that one is dropped).
        Ignored once the input is closed."""
        with self._cond:
            if self._closed:
                return False
            replaced = self._full
            self._item, self._full = item, True
            self._cond.notify_all()
            return replaced

    def empty(self) -> bool:
        with self._cond:
            return not self._full

    def close(self) -> None:
        """No more items: the waiting one is still taken, then ``take`` reports the end."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def wake(self) -> None:
        """Wake a waiting ``take`` (the job was cancelled)."""
        with self._cond:
            self._cond.notify_all()

    def sent(self) -> None:
        """The worker sent a batch of results to the UI thread."""
        with self._cond:
            self._unseen += 1

    def seen(self) -> None:
        """The UI thread has handled a batch of results."""
        with self._cond:
            self._unseen -= 1
            self._cond.notify_all()

    def take(self, cancel: threading.Event) -> tuple[bool, Any]:
        """(True, item), or (False, None) at the end of the input or on cancellation.
        Once the input is closed the waiting item is taken without waiting for the UI."""
        with self._cond:
            while not self._closed and not cancel.is_set() and (
                    not self._full or (self.paced and self._unseen > 0)):
                self._cond.wait()
            if cancel.is_set() or not self._full:
                self._item, self._full = None, False
                return False, None
            item, self._item, self._full = self._item, None, False
            return True, item


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

    def inputs(self) -> Iterator[Any]:
        """A streaming job's items as the UI thread feeds them (``Runner.stream``),
        the newest only.  Ends after the waiting item once the input is closed, or
        at once when the job is cancelled.  Whatever was emitted is delivered
        before waiting for the next item (paced: before taking the next item)."""
        inbox = self._job._inbox
        if inbox is None:
            raise RuntimeError("this job has no input (start it with Runner.stream)")
        while True:
            if inbox.paced or inbox.empty():
                self.flush()
            ok, item = inbox.take(self._job._cancel)
            if not ok:
                return
            yield item

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
            if self._job._inbox is not None:
                self._job._inbox.sent()
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
            if job._inbox is not None:
                job._inbox.close()  # nothing fed any more is kept
            try:
                ctx.close()
            except BaseException:  # pragma: no cover
                log.exception("closing the worker's kiosk")
            job._ended.set()
            job._signals.finished.emit()


class Job(QObject):
    """A handle on one background function, living on the UI thread."""

    progress = Signal(int, int)
    items = Signal(list)
    done = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(self, fn: Callable[[WorkContext], Any], opener: Callable[[], Kiosk] | None, name: str,
                 parent: QObject | None = None, *, inbox: Inbox | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._fn = fn
        self._opener = opener
        self._inbox = inbox
        self._cancel = threading.Event()
        self._ended = threading.Event()  # set on the worker thread: fn returned, its kiosk closed
        self._running = True
        self._signals = _Signals()  # created on the UI thread: its signals are delivered there
        self._signals.progress.connect(self.progress)
        self._signals.items.connect(self._on_items)
        self._signals.done.connect(self.done)
        self._signals.failed.connect(self.failed)
        self._signals.finished.connect(self._on_finished)

    def cancel(self) -> None:
        self._cancel.set()
        if self._inbox is not None:
            self._inbox.wake()

    def feed(self, item: Any) -> bool:
        """A streaming job's next item (latest wins); True when it replaced a
        waiting item the worker had not taken yet (that one is dropped)."""
        if self._inbox is None:
            raise RuntimeError("this job has no input (start it with Runner.stream)")
        return self._inbox.put(item)

    def close_input(self) -> None:
        """A streaming job gets no more items: it takes the waiting one, then ``ctx.inputs()`` ends."""
        if self._inbox is not None:
            self._inbox.close()

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """Block until the function has returned and its kiosk is closed (its last
        signals may still be on their way to the UI thread)."""
        return self._ended.wait(max(0, timeout_ms) / 1000)

    @property
    def ended(self) -> bool:
        """The function has returned and its kiosk is closed (worker side)."""
        return self._ended.is_set()

    @property
    def running(self) -> bool:
        """Until ``finished`` has been delivered on the UI thread."""
        return self._running

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    @Slot(list)
    def _on_items(self, batch: list) -> None:
        try:
            self.items.emit(batch)
        finally:
            if self._inbox is not None:
                self._inbox.seen()  # a paced stream may take its next item

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
        # streaming jobs run as long as their source: a thread each, apart from short work
        self.streams = QThreadPool(self)
        self.streams.setMaxThreadCount(MAX_STREAMS)
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
        self._start(job, self.pool, key, done, failed, progress, items, finished)
        return job

    def stream(
        self,
        fn: Callable[[WorkContext], Any],
        *,
        name: str = "",
        done: Callable[[Any], None] | None = None,
        failed: Callable[[BaseException], None] | None = None,
        progress: Callable[[int, int], None] | None = None,
        items: Callable[[list], None] | None = None,
        finished: Callable[[], None] | None = None,
        paced: bool = True,
    ) -> Job:
        """Run ``fn(ctx)`` as a streaming job on a thread of its own: it takes what
        ``job.feed(item)`` offers from ``ctx.inputs()`` (the newest waiting item
        only) until ``job.close_input()`` or ``job.cancel()``.  ``paced``: the next
        item is taken once the UI thread has received the previous one's results."""
        job = Job(fn, self._opener, name or getattr(fn, "__name__", "stream"), inbox=Inbox(paced=paced))
        self._start(job, self.streams, None, done, failed, progress, items, finished)
        return job

    def _start(self, job: Job, pool: QThreadPool, key: str | None, done, failed, progress, items, finished) -> None:
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
        pool.start(_Runnable(job))

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

    @property
    def active_threads(self) -> int:
        """Threads running a job now (short work and streams)."""
        return self.pool.activeThreadCount() + self.streams.activeThreadCount()

    def busy(self, *, ignore: tuple[str, ...] = ()) -> bool:
        return any(j.name not in ignore for j in self._jobs)

    def cancel_all(self) -> None:
        for job in list(self._jobs):
            job.cancel()

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Cancel every job and wait for the threads (at exit and in tests)."""
        self.cancel_all()
        deadline = time.monotonic() + timeout_ms / 1000
        ok = self.streams.waitForDone(timeout_ms)
        left = max(0, int((deadline - time.monotonic()) * 1000))
        return self.pool.waitForDone(left) and ok


def worker_opener(datadir: DataDir, campaign: Campaign, institution: Institution) -> Callable[[], Kiosk]:
    """Open a Kiosk for a worker thread: its own SQLite connection and the UI's
    already loaded (immutable) campaign, so a job neither re-reads and
    re-validates the campaign file nor could see a different one than the
    screen shows.  (``Kiosk.open`` would be safe too: it only recovers print
    jobs of processes that are gone.)"""
    def open_kiosk() -> Kiosk:
        return Kiosk(datadir, Kiosk.open_store(datadir), campaign, institution)

    return open_kiosk
