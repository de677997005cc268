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
- Hostile inputs: only regular files are opened (without blocking); a FIFO, a
  device, a link to one, an unreadable folder or a link to a folder each
  stand in the results with their own reason.  A name of any bytes is stored
  lossless (``source`` shows it with undecodable bytes escaped, the exact
  bytes are kept beside it).  Every exception while planning or reading one
  file is that file's rejection, never the batch's end.  Resource caps
  (``kiosk.reading.imaging.Limits``: pages, pixels, bytes, video frames) are
  the kiosk's settings.
- Reader processes die with the scan that started them (``die_with_parent``).
"""
from __future__ import annotations

import concurrent.futures as cf
import itertools
import logging
import os
import stat
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .. import faults, platform
from ..reading import imaging, video
from ..reading.context import ReadContext, read_file_page
from ..reading.imaging import Limits, PageError
from ..reading.reader import Thresholds
from ..reading.sheet import SheetReading
from ..station import Kiosk
from . import camera
from .context import read_context
from .originals import (
    Changing,
    NotRegular,
    commit_original,
    copy_original,
    display_name,
    file_type,
    open_regular,
    raw_name,
    remove_stale_parts,
)
from .results import Reporter, SheetResult

log = logging.getLogger(__name__)

SKIP_NAMES = frozenset({"thumbs.db", "desktop.ini"})
INFLIGHT_PER_WORKER = 4


# -- reading in worker processes ---------------------------------------------------

_WORKER: ReadContext | None = None


def _init_worker(ctx: ReadContext, parent_pid: int) -> None:
    """A reader process: dies with the scan that started it, even when that one is killed."""
    global _WORKER
    _WORKER = ctx
    platform.die_with_parent(parent_pid)


def _read_in_worker(path: str, number: int, kind: str) -> SheetReading:
    assert _WORKER is not None
    faults.point("scan.worker_read")
    return read_file_page(_WORKER, path, number, kind)


# -- the inputs -------------------------------------------------------------------------

@dataclass(frozen=True)
class Input:
    """One input of a scan: a file to open, or what stands in its place and why."""

    source: str  # shown and stored: the path as given, bytes that are not UTF-8 escaped
    path: str | None  # the operating system's path (None: there is no file to open)
    reason: str | None = None  # reported without opening: not_found, special_file, unreadable_folder, linked_folder
    detail: str = ""
    raw: bytes | None = None  # the path's exact bytes when ``source`` is not the name itself


def _input(path: str, reason: str | None = None, detail: str = "") -> Input:
    return Input(display_name(path), None if reason else path, reason, detail, raw_name(path))


def expand_paths(paths: Iterable[str | Path | bytes]) -> Iterator[Input]:
    """Every input, in order; folders recursively, sorted by name.  Hidden files
    and OS litter are skipped; a missing path, a special file, an unreadable
    folder or a link to a folder inside a folder stands for itself with its
    reason (the file's own kind is checked again when it is opened)."""
    for given in paths:
        path = os.fsdecode(os.fspath(given))
        try:
            st = os.stat(path)
        except FileNotFoundError:
            yield _input(path, "not_found")
            continue
        except OSError as exc:
            yield _input(path, "unreadable_file", exc.strerror or type(exc).__name__)
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(path)
        elif stat.S_ISREG(st.st_mode):
            yield _input(path)
        else:
            yield _input(path, "special_file", file_type(st.st_mode))


def _walk(folder: str) -> Iterator[Input]:
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield _input(folder, "unreadable_folder", exc.strerror or type(exc).__name__)
        return
    for e in entries:
        if e.name.startswith(".") or e.name.lower() in SKIP_NAMES:
            continue
        path = os.path.join(folder, e.name)
        try:
            if e.is_dir(follow_symlinks=False):
                yield from _walk(path)
                continue
            if e.is_symlink() and e.is_dir():
                yield _input(path, "linked_folder")  # never followed: a link may lead in a circle
                continue
        except OSError:
            pass  # decided when it is opened
        yield _input(path)


@dataclass
class _Entry:
    source: str
    page: int
    sha: str | None = None
    reading: SheetReading | None = None  # known without reading (a file-level failure)
    future: cf.Future | None = None
    repeat: bool = False  # stored before (this run or an earlier one): look it up
    reason: str | None = None  # not storable: reported only
    detail: str = ""
    raw: bytes | None = None  # the source's exact bytes (a name that is not UTF-8)


def scan_paths(
    kiosk: Kiosk,
    paths: Iterable[str | Path | bytes],
    *,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    thresholds: Thresholds | None = None,
    backend: str | None = None,
    limits: Limits | None = None,
) -> Iterator[SheetResult]:
    """Read every page of every input; yield each SheetResult once it is stored.

    ``progress(done, total)`` counts sheets; ``total`` grows as multi-page
    files are opened (an unopened file counts as one sheet).  ``cancelled()``
    is polled between sheets: the scan stops, nothing half-stored.
    ``limits`` override the kiosk's resource caps.
    """
    ctx = read_context(kiosk, thresholds, backend)
    if limits is not None:
        ctx = replace(ctx, limits=limits)
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
        unstored = SheetResult(e.source, e.page, "rejected", e.reason or "internal_error", [e.reason or "internal_error"],
                               detail=e.detail, source_bytes=e.raw)
        if e.reason is not None:
            return unstored
        if e.repeat:
            row = kiosk.store.sheet_at(e.sha, e.page)
            # None: its first copy in this run was not stored (internal error)
            return unstored if row is None else report.result(e.source, replace(row, repeat=True), e.raw)
        pending.discard((e.sha, e.page))
        reading = e.reading
        if reading is None:
            try:
                reading = e.future.result()
            except Exception:  # noqa: BLE001 - a bug in reading: log, report, store nothing
                log.exception("reading %s page %d failed", e.source, e.page)
                return unstored
        row = kiosk.store.record_sheet(reading, image_sha256=e.sha, page=e.page, source=e.source, run_id=run_id,
                                       source_bytes=e.raw)
        faults.point("scan.after_store")
        return report.result(e.source, row, e.raw)

    def finish(e: _Entry) -> SheetResult:
        nonlocal done
        result = outcome(e)
        done += 1
        if progress:
            progress(done, total)
        return result

    try:
        for inp in files:
            if cancelled and cancelled():
                return
            planned = _plan_file(kiosk, inp, pending, ctx.limits)
            if isinstance(planned, _Video):
                while window:  # keep the output in input order
                    yield finish(window.popleft())
                yield from _scan_video(kiosk, inp, planned.path, ctx, run_id, report, cancelled)
                done += 1
                if progress:
                    progress(done, total)
                continue
            total += len(planned) - 1
            for e, task in planned:
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


def _scan_video(kiosk: Kiosk, inp: Input, path: str, ctx: ReadContext, run_id: int, report: Reporter,
                cancelled: Callable[[], bool] | None) -> Iterator[SheetResult]:
    """A video is read as the camera would see it: one result per ballot shown
    (kiosk.intake.camera); ``page`` is the 1-based number of the frame stored.
    A damaged stretch is skipped (and said), the frames after it still read."""
    reader = video.VideoFrames(path, max_frames=ctx.limits.max_video_frames)
    frames: Iterable[tuple[int, Any]] = reader
    if cancelled is not None:
        frames = itertools.takewhile(lambda _f: not cancelled(), frames)
    source = inp.source
    try:
        for row, frame in camera.scan_frames(kiosk, frames, source, ctx=ctx, run_id=run_id, source_bytes=inp.raw):
            result = report.result(source, row, inp.raw)
            result.page = frame + 1
            yield result
    except video.VideoError as exc:
        yield SheetResult(source, 1, "rejected", exc.reason, [exc.reason], detail=exc.detail, source_bytes=inp.raw)
        return
    if reader.damaged:
        at = (reader.damaged_at or 0) + 1
        detail = f"{reader.damaged}" + (f"; {reader.broken}" if reader.broken else "")
        yield SheetResult(source, at, "rejected", "damaged_video", ["damaged_video"], detail=detail,
                          source_bytes=inp.raw)
    if reader.truncated:
        yield SheetResult(source, reader.decoded + 1, "rejected", "video_too_long", ["video_too_long"],
                          detail=f"> {reader.max_frames}", source_bytes=inp.raw)


def _ready(e: _Entry) -> bool:
    return e.future is None or e.future.done()


@dataclass
class _Video:
    path: str


def _plan_file(kiosk: Kiosk, inp: Input, pending: set[tuple[str, int]],
               limits: Limits) -> list[tuple[_Entry, tuple | None]] | _Video:
    """Store the original, count its pages, and say for each page what to do.
    Whatever goes wrong becomes this file's rejection (a bug: logged, not
    stored, tried again next time); the batch goes on."""
    try:
        return _plan(kiosk, inp, pending, limits)
    except Exception:  # noqa: BLE001 - a bug met on one file ends that file only
        log.exception("planning %s failed", inp.source)
        return [(_Entry(inp.source, 1, reason="internal_error", raw=inp.raw), None)]


def _plan(kiosk: Kiosk, inp: Input, pending: set[tuple[str, int]],
          limits: Limits) -> list[tuple[_Entry, tuple | None]] | _Video:
    def only(reason: str, detail: str = "") -> list[tuple[_Entry, tuple | None]]:
        return [(_Entry(inp.source, 1, reason=reason, detail=detail, raw=inp.raw), None)]

    if inp.path is None:
        return only(inp.reason or "not_found", inp.detail)
    try:
        fd, st = open_regular(inp.path)
    except NotRegular as exc:
        return only("special_file", exc.kind)
    except FileNotFoundError:
        return only("not_found")
    except OSError as exc:
        log.warning("cannot open %s: %s", inp.source, exc)
        return only("unreadable_file", exc.strerror or type(exc).__name__)
    try:
        if st.st_size > limits.max_file_bytes:
            return only("file_too_large", f"{st.st_size} > {limits.max_file_bytes}")
        head = os.pread(fd, 16, 0)
        if any(head[off:off + len(magic)] == magic for off, magic in video.VIDEO_MAGIC):
            after = os.stat(inp.path)
            if (after.st_dev, after.st_ino) != (st.st_dev, st.st_ino):
                return only("file_changing")
            return _Video(inp.path)
        try:
            copied = copy_original(kiosk.datadir, fd, st)
        except Changing as exc:
            return only("file_changing", str(exc))
        except OSError as exc:
            log.warning("cannot read %s: %s", inp.source, exc)
            return only("unreadable_file", exc.strerror or type(exc).__name__)
    finally:
        os.close(fd)
    faults.point("scan.after_copy")
    failure: PageError | None = None
    kind = imaging.sniff(copied.head) if copied.size else None
    if copied.size == 0:
        failure = PageError("empty_file")
    elif kind is None:
        failure = PageError("unsupported_file")
    ext = imaging.EXTENSIONS.get(kind, "bin")
    stored = commit_original(kiosk.datadir, copied, ext)
    kiosk.store.add_image(copied.sha256, str(stored), copied.size, imaging.MEDIA_TYPES.get(kind, "application/octet-stream"))
    faults.point("scan.after_image")
    sha = copied.sha256
    count, whole = 1, 0  # pages, of which the first ``whole`` are readable despite a failure
    if failure is None:
        try:
            count = imaging.page_count(stored, kind, limits)
        except PageError as exc:
            failure = exc
            whole = getattr(exc, "pages_ok", 0)  # a multi-page file cut short: its whole pages are read
            count = whole + 1
    out: list[tuple[_Entry, tuple | None]] = []
    for number in range(1, count + 1):
        key = (sha, number)
        e = _Entry(inp.source, number, sha, raw=inp.raw)
        if key in pending or kiosk.store.sheet_at(sha, number) is not None:
            e.repeat = True
            out.append((e, None))
        elif failure is not None and number > whole:
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
    return cf.ProcessPoolExecutor(max_workers=workers, mp_context=mp, initializer=_init_worker,
                                  initargs=(ctx, os.getpid()))
