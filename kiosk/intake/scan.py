"""Scanning a stack: files and folders in, every page read, stored once, reported.

``scan_paths(kiosk, paths)`` walks the inputs (folders recursively, in
sorted order), stores each file's original once under
``<data_dir>/images/<sha[:2]>/<sha256>.<ext>`` (written to a temporary file,
fsynced, renamed), then reads every page that is not stored yet in a pool of
worker processes (``kiosk.reading``; ``workers=1`` reads in this process) and
records each sheet with ``Store.record_sheet`` in the calling thread, which
owns ``kiosk.store``.  Results are yielded in input order, each as soon as
it is stored: a yielded result is on disk.

- Resuming: a page already stored (same file content, same page) is never
  read again; it is reported with ``repeat`` true and its stored outcome.
- The same serial on a second sheet becomes a ``duplicate`` (the storage
  layer decides, atomically).
- A file that cannot be read is rejected with its own reason and the batch
  goes on.  A missing path, or a page the reader crashed on (a bug, logged),
  is reported but not stored, so the next run tries again.
"""
from __future__ import annotations

import concurrent.futures as cf
import itertools
import logging
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from .. import platform
from ..reading import imaging, video
from ..reading.context import ReadContext, read_file_page
from ..reading.imaging import PageError
from ..reading.reader import Thresholds
from ..reading.sheet import SheetReading
from ..station import Kiosk
from . import camera
from .context import read_context
from .originals import remove_stale_parts, sha256_file, store_original
from .results import Reporter, SheetResult

log = logging.getLogger(__name__)

SKIP_NAMES = frozenset({"thumbs.db", "desktop.ini"})
INFLIGHT_PER_WORKER = 4


# -- reading in worker processes ---------------------------------------------------

_WORKER: ReadContext | None = None


def _init_worker(ctx: ReadContext) -> None:
    global _WORKER
    _WORKER = ctx


def _read_in_worker(path: str, number: int, kind: str) -> SheetReading:
    assert _WORKER is not None
    return read_file_page(_WORKER, path, number, kind)


# -- the scan ---------------------------------------------------------------------------

def expand_paths(paths: Iterable[str | Path]) -> Iterator[tuple[str, Path | None]]:
    """(source as given, path) for every file; folders recursively, sorted; a
    missing path gives (source, None).  Hidden files and OS litter are skipped."""
    for given in paths:
        source = str(given)
        p = Path(given)
        if p.is_dir():
            found = []
            for dirpath, dirnames, filenames in os.walk(p):
                dirnames[:] = [d for d in dirnames if not d.startswith(".")]
                rel = Path(dirpath).relative_to(p).parts
                found += [rel + (n,) for n in filenames if not n.startswith(".") and n.lower() not in SKIP_NAMES]
            for parts in sorted(found):
                yield os.path.join(source, *parts), p.joinpath(*parts)
        elif p.is_file():
            yield source, p
        else:
            yield source, None


@dataclass
class _Entry:
    source: str
    page: int
    sha: str | None = None
    reading: SheetReading | None = None  # known without reading (a file-level failure)
    future: cf.Future | None = None
    repeat: bool = False  # stored before (this run or an earlier one): look it up
    reason: str | None = None  # not storable: reported only


def scan_paths(
    kiosk: Kiosk,
    paths: Iterable[str | Path],
    *,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    thresholds: Thresholds | None = None,
    backend: str | None = None,
) -> Iterator[SheetResult]:
    """Read every page of every input; yield each SheetResult once it is stored.

    ``progress(done, total)`` counts sheets; ``total`` grows as multi-page
    files are opened (an unopened file counts as one sheet).  ``cancelled()``
    is polled between sheets: the scan stops, nothing half-stored.
    """
    ctx = read_context(kiosk, thresholds, backend)
    files = list(expand_paths(paths))
    workers = max(1, workers or os.cpu_count() or 1)
    run_id = kiosk.store.start_run(kiosk.kiosk_id)
    remove_stale_parts(kiosk.datadir)
    report = Reporter(kiosk)
    pool: cf.ProcessPoolExecutor | None = None
    pending: set[tuple[str, int]] = set()
    window: deque[_Entry] = deque()
    total = len(files)
    done = 0

    def submit(path: Path, number: int, kind: str) -> cf.Future:
        nonlocal pool
        if pool is None and workers > 1 and (len(files) > 1 or total > 1):
            pool = _pool(workers, ctx)
        if pool is None:
            fut: cf.Future = cf.Future()
            try:
                fut.set_result(read_file_page(ctx, str(path), number, kind))
            except Exception as exc:  # noqa: BLE001 - reported as internal_error by finish()
                fut.set_exception(exc)
            return fut
        try:
            return pool.submit(_read_in_worker, str(path), number, kind)
        except cf.process.BrokenProcessPool:  # a worker died (its pages report internal_error): start afresh
            pool.shutdown(wait=False, cancel_futures=True)
            pool = _pool(workers, ctx)
            return pool.submit(_read_in_worker, str(path), number, kind)

    def outcome(e: _Entry) -> SheetResult:
        unstored = SheetResult(e.source, e.page, "rejected", e.reason or "internal_error", [e.reason or "internal_error"])
        if e.reason is not None:
            return unstored
        if e.repeat:
            row = kiosk.store.sheet_at(e.sha, e.page)
            # None: its first copy in this run was not stored (internal error)
            return unstored if row is None else report.result(e.source, replace(row, repeat=True))
        pending.discard((e.sha, e.page))
        reading = e.reading
        if reading is None:
            try:
                reading = e.future.result()
            except Exception:  # noqa: BLE001 - a bug in reading: log, report, store nothing
                log.exception("reading %s page %d failed", e.source, e.page)
                return unstored
        row = kiosk.store.record_sheet(reading, image_sha256=e.sha, page=e.page, source=e.source, run_id=run_id)
        return report.result(e.source, row)

    def finish(e: _Entry) -> SheetResult:
        nonlocal done
        result = outcome(e)
        done += 1
        if progress:
            progress(done, total)
        return result

    try:
        for source, path in files:
            if cancelled and cancelled():
                return
            if path is not None and video.is_video(path):
                while window:  # keep the output in input order
                    yield finish(window.popleft())
                yield from _scan_video(kiosk, source, path, ctx, run_id, report, cancelled)
                done += 1
                if progress:
                    progress(done, total)
                continue
            entries = _plan_file(kiosk, source, path, pending)
            total += len(entries) - 1
            for e, task in entries:
                if task is not None:
                    e.future = submit(*task)
                window.append(e)
            while window and (len(window) > workers * INFLIGHT_PER_WORKER or _ready(window[0])):
                if cancelled and cancelled():
                    return
                yield finish(window.popleft())
        while window:
            if cancelled and cancelled():
                return
            yield finish(window.popleft())
    finally:
        for e in window:
            if e.future is not None:
                e.future.cancel()
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _scan_video(kiosk: Kiosk, source: str, path: Path, ctx: ReadContext, run_id: int, report: Reporter,
                cancelled: Callable[[], bool] | None) -> Iterator[SheetResult]:
    """A video is read as the camera would see it: one result per ballot shown
    (kiosk.intake.camera); ``page`` is the 1-based number of the frame stored."""
    frames = video.iter_video(path)
    if cancelled is not None:
        frames = itertools.takewhile(lambda _f: not cancelled(), frames)
    try:
        for row, frame in camera.scan_frames(kiosk, frames, source, ctx=ctx, run_id=run_id):
            result = report.result(source, row)
            result.page = frame + 1
            yield result
    except video.VideoError as exc:
        yield SheetResult(source, 1, "rejected", exc.reason, [exc.reason])


def _ready(e: _Entry) -> bool:
    return e.future is None or e.future.done()


def _plan_file(kiosk: Kiosk, source: str, path: Path | None, pending: set[tuple[str, int]]) -> list[tuple[_Entry, tuple | None]]:
    """Store the original, count its pages, and say for each page what to do."""
    if path is None:
        return [(_Entry(source, 1, reason="not_found"), None)]
    try:
        size = path.stat().st_size
        if size > imaging.MAX_FILE_BYTES:
            return [(_Entry(source, 1, reason="too_large"), None)]
        sha = sha256_file(path)
        try:
            kind = imaging.file_kind(path)
            failure = None
        except PageError as exc:
            kind, failure = None, exc
        ext = imaging.EXTENSIONS.get(kind, "bin")
        stored = store_original(kiosk.datadir, path, sha, ext)
    except FileNotFoundError:
        return [(_Entry(source, 1, reason="not_found"), None)]
    except OSError as exc:
        log.warning("cannot read %s: %s", source, exc)
        return [(_Entry(source, 1, reason="unreadable_file"), None)]
    kiosk.store.add_image(sha, str(stored), size, imaging.MEDIA_TYPES.get(kind, "application/octet-stream"))
    count = 1
    if failure is None:
        try:
            count = imaging.page_count(stored, kind)
        except PageError as exc:
            failure = exc
    out: list[tuple[_Entry, tuple | None]] = []
    for number in range(1, count + 1):
        key = (sha, number)
        e = _Entry(source, number, sha)
        if key in pending or kiosk.store.sheet_at(sha, number) is not None:
            e.repeat = True
            out.append((e, None))
        elif failure is not None:
            e.reading = SheetReading.failed(failure)
            pending.add(key)
            out.append((e, None))
        else:
            pending.add(key)
            out.append((e, (stored, number, kind)))
    return out


def _pool(workers: int, ctx: ReadContext) -> cf.ProcessPoolExecutor:
    # forkserver: workers never inherit this process's threads, locks or
    # SQLite connection (the Qt UI calls this from a worker thread)
    # (spawn where the system has no fork server)
    mp = platform.process_context(preload=["kiosk.reading.reader", "kiosk.reading.imaging", "kiosk.intake.scan"])
    return cf.ProcessPoolExecutor(max_workers=workers, mp_context=mp, initializer=_init_worker, initargs=(ctx,))
