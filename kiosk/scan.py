"""Scanning a stack: files and folders in, every page read, stored once, reported.

``scan_paths(kiosk, paths)`` walks the inputs (folders recursively, in
sorted order), stores each file's original once under
``<data_dir>/images/<sha[:2]>/<sha256>.<ext>`` (written to a temporary file,
fsynced, renamed), then reads every page that is not stored yet in a pool of
worker processes (``kiosk.reader``; ``workers=1`` reads in this process) and
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
import functools
import hashlib
import itertools
import json
import logging
import multiprocessing
import os
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import camera, imaging, payload
from .imaging import PageError
from .layout import option_labels
from .reader import Interpretation, Thresholds, read_sheet

log = logging.getLogger(__name__)

THRESHOLDS_SETTING = "reader_thresholds"  # JSON object in settings overriding Thresholds fields
SKIP_NAMES = frozenset({"thumbs.db", "desktop.ini"})
INFLIGHT_PER_WORKER = 4


@dataclass
class SheetResult:
    source: str  # the path as given (for a folder: the folder joined with the file's relative path)
    page: int  # 1-based within the file
    status: str  # counted | review | rejected | duplicate
    reason: str | None
    reasons: list[str] = field(default_factory=list)
    serial: str | None = None  # payload.serial_text form
    selections: dict[str, list[str]] | None = None  # question label -> option labels as printed
    sheet_id: int | None = None  # None: not stored (missing file, internal error)
    repeat: bool = False  # this page of this file was stored before

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source, "page": self.page, "status": self.status, "reason": self.reason,
            "reasons": self.reasons, "serial": self.serial, "selections": self.selections,
            "sheet_id": self.sheet_id, "repeat": self.repeat,
        }


# -- reading in worker processes ---------------------------------------------------

@dataclass(frozen=True)
class ReadContext:
    """Everything a worker needs to read pages; no database, no Kiosk."""

    layouts: dict[int, dict[str, Any]]
    campaign: bytes
    institution: bytes
    key: bytes
    thresholds: dict[str, float]
    backend: str | None = None

    @classmethod
    def of(cls, kiosk, thresholds: Thresholds | None = None, backend: str | None = None) -> "ReadContext":
        store = kiosk.store
        ids = kiosk.known_layouts()
        layouts = {i: store.layout(kiosk.campaign.id, kiosk.institution.id, i) for i in ids}
        if thresholds is None:
            thresholds = Thresholds.from_dict(json.loads(store.get_setting(THRESHOLDS_SETTING) or "{}"))
        return cls(layouts, kiosk.campaign.hash, kiosk.institution.hash, kiosk.tag_key, thresholds.to_dict(), backend)

    def verify(self) -> Callable[[str], payload.Payload]:
        return functools.partial(
            payload.verify, campaign=self.campaign, institution=self.institution, key=self.key,
            known_layouts=frozenset(self.layouts),
        )


_WORKER: ReadContext | None = None


def _init_worker(ctx: ReadContext) -> None:
    global _WORKER
    _WORKER = ctx


def _read_in_worker(path: str, number: int, kind: str) -> dict[str, Any]:
    assert _WORKER is not None
    return read_stored_page(_WORKER, path, number, kind)


def read_stored_page(ctx: ReadContext, path: str, number: int, kind: str) -> dict[str, Any]:
    """Decode and read one page: the sheet fields for ``Store.record_sheet``."""
    t0 = time.perf_counter()
    try:
        page = imaging.read_page(path, number, kind)
    except PageError as exc:
        return _failed(exc)
    t_decode = (time.perf_counter() - t0) * 1000
    it = read_sheet(page.gray, layouts=ctx.layouts, verify=ctx.verify(), thresholds=Thresholds.from_dict(ctx.thresholds),
                    backend=ctx.backend)
    it.details["image"] = {"kind": kind, "original_px": list(page.original_size), "scale": round(page.scale, 4),
                           "dpi": None if page.dpi is None else round(page.dpi, 1)}
    it.details.setdefault("timing_ms", {})["decode"] = round(t_decode, 2)
    return _fields(it)


def _fields(it: Interpretation) -> dict[str, Any]:
    return {
        "status": it.status, "reasons": it.reasons, "serial": it.serial, "layout_id": it.layout_id,
        "selections": it.selections, "interpretation": it.details,
    }


def _failed(exc: PageError) -> dict[str, Any]:
    return {
        "status": "rejected", "reasons": [exc.reason], "serial": None, "layout_id": None, "selections": None,
        "interpretation": {"error": exc.reason, "detail": exc.params.get("detail", "")},
    }


# -- originals ------------------------------------------------------------------------

def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def store_original(root: Path, path: str | Path, sha: str, ext: str) -> Path:
    """Copy the file to images/<sha[:2]>/<sha>.<ext> once (tmp + fsync + rename)."""
    final = root / "images" / sha[:2] / f"{sha}.{ext}"
    if final.exists():
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".part-", dir=final.parent)
    try:
        with os.fdopen(fd, "wb") as out, open(path, "rb") as src:
            h = hashlib.sha256()
            for chunk in iter(lambda: src.read(1 << 20), b""):
                h.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if h.hexdigest() != sha:  # the file changed while we read it
            raise OSError(f"{path} changed while it was being stored")
        os.replace(tmp, final)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dfd = os.open(final.parent, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)
    return final


def remove_stale_parts(root: Path, older_than_s: float = 600.0) -> int:
    """Delete temporary copies left by a killed scan (another scan may be
    writing a fresh one right now, hence the age limit)."""
    removed = 0
    cutoff = time.time() - older_than_s
    for part in (root / "images").glob("*/.part-*"):
        try:
            if part.stat().st_mtime < cutoff:
                part.unlink()
                removed += 1
        except OSError:
            pass
    return removed


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
    fields: dict[str, Any] | None = None  # known without reading (a file-level failure)
    future: cf.Future | None = None
    repeat: bool = False  # stored before (this run or an earlier one): look it up
    reason: str | None = None  # not storable: reported only


def scan_paths(
    kiosk,
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
    ctx = ReadContext.of(kiosk, thresholds, backend)
    files = list(expand_paths(paths))
    workers = max(1, workers or os.cpu_count() or 1)
    run_id = kiosk.store.start_run(kiosk.kiosk_id)
    remove_stale_parts(kiosk.root)
    labels: dict[int, tuple[dict[str, str], dict[str, dict[str, str]]]] = {}
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
                fut.set_result(read_stored_page(ctx, str(path), number, kind))
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
            return unstored if row is None else _result(e.source, {**row, "repeat": True}, labels, kiosk)
        pending.discard((e.sha, e.page))
        fields = e.fields
        if fields is None:
            try:
                fields = e.future.result()
            except Exception:  # noqa: BLE001 - a bug in reading: log, report, store nothing
                log.exception("reading %s page %d failed", e.source, e.page)
                return unstored
        row = kiosk.store.record_sheet({**fields, "image_sha256": e.sha, "page": e.page, "source": e.source,
                                        "run_id": run_id})
        return _result(e.source, row, labels, kiosk)

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
            if path is not None and camera.is_video(path):
                while window:  # keep the output in input order
                    yield finish(window.popleft())
                yield from _scan_video(kiosk, source, path, ctx, run_id, labels, cancelled)
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


def _scan_video(kiosk, source: str, path: Path, ctx: ReadContext, run_id: int, labels: dict,
                cancelled: Callable[[], bool] | None) -> Iterator[SheetResult]:
    """A video is read as the camera would see it: one result per ballot shown
    (kiosk.camera); ``page`` is the 1-based number of the frame stored."""
    frames = camera.iter_video(path)
    if cancelled is not None:
        frames = itertools.takewhile(lambda _f: not cancelled(), frames)
    try:
        for row, frame in camera.scan_frames(kiosk, frames, source, ctx=ctx, run_id=run_id):
            result = _result(source, row, labels, kiosk)
            result.page = frame + 1
            yield result
    except camera.VideoError as exc:
        yield SheetResult(source, 1, "rejected", exc.reason, [exc.reason])


def _ready(e: _Entry) -> bool:
    return e.future is None or e.future.done()


def _plan_file(kiosk, source: str, path: Path | None, pending: set[tuple[str, int]]) -> list[tuple[_Entry, tuple | None]]:
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
        stored = store_original(kiosk.root, path, sha, ext)
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
            e.fields = _failed(failure)
            pending.add(key)
            out.append((e, None))
        else:
            pending.add(key)
            out.append((e, (stored, number, kind)))
    return out


def _pool(workers: int, ctx: ReadContext) -> cf.ProcessPoolExecutor:
    # forkserver: workers never inherit this process's threads, locks or
    # SQLite connection (the Qt UI calls this from a worker thread)
    mp = multiprocessing.get_context("forkserver")
    mp.set_forkserver_preload(["kiosk.reader", "kiosk.imaging", "kiosk.scan"])
    return cf.ProcessPoolExecutor(max_workers=workers, mp_context=mp, initializer=_init_worker, initargs=(ctx,))


def _result(source: str, row: dict[str, Any], labels: dict, kiosk) -> SheetResult:
    serial = row.get("serial")
    return SheetResult(
        source=source,
        page=row["page"],
        status=row["status"],
        reason=row["reasons"][0] if row["reasons"] else None,
        reasons=list(row["reasons"]),
        serial=payload.serial_text(serial) if serial else None,
        selections=_labelled(row.get("selections"), row.get("layout_id"), labels, kiosk),
        sheet_id=row["id"],
        repeat=bool(row.get("repeat")),
    )


def _labelled(selections: dict[str, list[str]] | None, layout_id: int | None, cache: dict, kiosk) -> dict[str, list[str]] | None:
    """{question id: [option id]} -> {question label: [option label]} as printed."""
    if selections is None or layout_id is None:
        return None
    if layout_id not in cache:
        spec = kiosk.store.layout(kiosk.campaign.id, kiosk.institution.id, layout_id) or {"questions": []}
        cache[layout_id] = ({q["id"]: q["label"] for q in spec["questions"]}, option_labels(spec))
    qlabels, olabels = cache[layout_id]
    return {
        qlabels.get(q, q): [olabels.get(q, {}).get(o, o) for o in opts]
        for q, opts in selections.items()
    }
