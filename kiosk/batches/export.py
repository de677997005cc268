"""Signed batch export: the kiosk's decided ballots, one file per batch.

A batch holds every ballot counted by the machine or resolved by a reviewer
since the previous batch, signed with the kiosk's Ed25519 key and chained to
the previous batch by its SHA-256.  The format is ``kiosk.batches.format``
(docs/batch-format.md).
"""
from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..ballot import payload
from ..errors import KioskError
from ..station import Kiosk
from ..storage.sheets import FinalSheet
from ..storage.store import Store, now_utc
from .format import (
    FORMAT,
    FORMAT_VERSION,
    GENESIS,
    IMAGE_PREFIX,
    MEDIA_EXT,
    ExportRecord,
    batch_file_name,
    sha256_hex,
    write_batch,
)

EXPORTABLE = ("counted", "rejected")  # final states that leave the kiosk in a batch


@dataclass
class ExportResult:
    path: Path
    public_key: Path
    batch: int
    sha256: str
    previous_sha256: str
    records: int
    counted: int
    rejected: int
    pending: int
    images: int

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["path"], d["public_key"] = str(self.path), str(self.public_key)
        return d


def _check_selections(serial: str, selections: Any, labels: Mapping[str, Mapping[str, str]]) -> dict[str, list[str]]:
    """A counted record's selections: known questions and options, at most one option each."""
    if not isinstance(selections, dict):
        raise KioskError("export.invalid_record", serial=serial, detail="no selections")
    out: dict[str, list[str]] = {}
    for qid, options in selections.items():
        if qid not in labels:
            raise KioskError("export.invalid_record", serial=serial, detail=f"unknown question {qid!r}")
        if not isinstance(options, list) or len(options) > 1:
            raise KioskError("export.invalid_record", serial=serial, detail=f"question {qid!r}: {options!r}")
        for oid in options:
            if oid not in labels[qid]:
                raise KioskError("export.invalid_record", serial=serial, detail=f"question {qid!r}: unknown option {oid!r}")
        out[qid] = list(options)
    return out


def kiosk_totals(store: Store, finals: list[FinalSheet], exported: int) -> dict[str, int]:
    """Cumulative counts of one kiosk at this moment (see docs/batch-format.md)."""
    sheets = store.sheet_counts()
    issued = store.issued_counts()
    blank_backs = store.rejected_reasons().get("blank_back", 0)
    final_counted = sum(1 for f in finals if f.final_status == "counted")
    in_review = sum(1 for f in finals if f.final_status == "review")
    reviewer_rejected = sum(1 for f in finals if f.final_status == "rejected")
    return {
        "issued": issued["issued"],
        "voided": issued["voided"],
        "scanned": sum(sheets.values()) - blank_backs,
        "counted": final_counted,
        "in_review": in_review,
        "rejected": sheets.get("rejected", 0) - blank_backs + reviewer_rejected,
        "duplicates": sheets.get("duplicate", 0),
        "blank_backs": blank_backs,
        "exported": exported,
    }


def _image_entry(kiosk: Kiosk, sha: str) -> tuple[str, Callable[[], bytes]]:
    """An original scan's entry name and a loader checking its bytes (read while writing)."""
    info = kiosk.store.image(sha)
    if info is None:
        raise KioskError("export.image_missing", sha256=sha, detail="not in the database")
    path = kiosk.datadir.resolve(info["path"])
    if not path.is_file():
        raise KioskError("export.image_missing", sha256=sha, detail=f"{path}: not found")

    def load() -> bytes:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise KioskError("export.image_missing", sha256=sha, detail=str(exc)) from None
        if sha256_hex(data) != sha:
            raise KioskError("export.image_missing", sha256=sha, detail="the stored file has changed")
        return data

    return f"{IMAGE_PREFIX}{sha}.{MEDIA_EXT.get(info['media_type'], 'bin')}", load


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def _export_lock(lock_file: Path) -> Iterator[None]:
    """One export at a time per data directory (another process gets export.busy)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: the commit still refuses a second batch n
        yield
        return
    with open(lock_file, "a+b") as fp:
        try:
            fcntl.flock(fp.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise KioskError("export.busy") from None
        try:
            yield
        finally:
            fcntl.flock(fp.fileno(), fcntl.LOCK_UN)


def export_batch(kiosk: Kiosk, out_dir: str | Path, *, images: bool = False,
                 progress: Callable[[int, int], None] | None = None) -> ExportResult:
    """Write the next batch of ``kiosk`` into ``out_dir`` and record it.

    The file is written completely (temporary name, fsync, rename) before the
    batch and its serials are recorded in one transaction; if recording
    fails, the file is removed, so a batch exists exactly when it is recorded.
    ``progress(done, total)`` counts records built, then images written.
    """
    with _export_lock(kiosk.datadir.export_lock):
        return _export(kiosk, Path(out_dir), images, progress or (lambda done, total: None))


def _export(kiosk: Kiosk, out_dir: Path, images: bool, progress: Callable[[int, int], None]) -> ExportResult:
    store = kiosk.store
    last = store.last_batch()
    number = 1 if last is None else last["number"] + 1
    previous = GENESIS if last is None else last["sha256"]

    finals = store.final_sheets()
    exported = store.exported_serials()
    # a sheet without a serial (its QR code unreadable and rejected in review) never leaves in a record
    todo = [f for f in finals if f.final_status in EXPORTABLE and f.serial is not None and f.serial not in exported]
    pending = sum(1 for f in finals if f.final_status == "review")
    layout_of = store.ballot_layouts()

    camp, inst = kiosk.campaign, kiosk.institution
    layout_labels: dict[int, Mapping[str, Mapping[str, str]]] = {}
    labels: dict[str, dict[str, str]] = {}
    records: list[ExportRecord] = []
    steps = len(todo) + (len({f.image_sha256 for f in todo}) if images else 0)
    for n, f in enumerate(todo, start=1):
        if n % 256 == 0:
            progress(n, steps)
        serial = payload.serial_text(f.serial)
        layout_id = layout_of.get(f.sheet_id)
        if layout_id is None:
            raise KioskError("export.invalid_record", serial=serial, detail="no layout")
        if layout_id not in layout_labels:
            spec = store.layout(camp.id, inst.id, layout_id)
            if spec is None:
                raise KioskError("export.invalid_record", serial=serial, detail=f"unknown layout {layout_id:08x}")
            layout_labels[layout_id] = spec.option_labels
        ll = layout_labels[layout_id]
        selections = None
        if f.final_status == "counted":
            selections = _check_selections(serial, f.selections, ll)
            for qid, options in selections.items():
                for oid in options:
                    labels.setdefault(qid, {})[oid] = ll[qid][oid]
        records.append(ExportRecord(
            serial=serial,
            status=f.final_status,
            selections=selections,
            decided_by=f.decided_by,
            image_sha256=f.image_sha256,
            # The QR text of the ballot: deterministic from the institution
            # key, so it is exactly what was printed and scanned.
            payload=payload.make_payload(kiosk.tag_key, camp.hash, inst.hash, layout_id, f.serial).text(),
        ))
    secrets.SystemRandom().shuffle(records)  # no meaningful order leaves the kiosk

    progress(len(todo), steps)
    image_entries: list[tuple[str, Callable[[], bytes]]] = []
    if images:
        image_entries = [_counting(_image_entry(kiosk, sha), len(todo) + i, steps, progress)
                         for i, sha in enumerate(sorted({r.image_sha256 for r in records}), start=1)]

    manifest = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "campaign_id": camp.id,
        "institution_id": inst.id,
        "kiosk_id": kiosk.kiosk_id,
        "batch": number,
        "previous_sha256": previous,
        "created_at": now_utc().replace("+00:00", "Z"),
        "pending_review": pending,
        "totals": kiosk_totals(store, finals, len(exported) + len(records)),
        "labels": labels,
        "images": {"included": bool(images), "count": len(image_entries)},
        "software": f"urn-kiosk {__version__}",
    }

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KioskError("export.output", detail=str(exc)) from None
    final = out_dir / batch_file_name(kiosk.kiosk_id, number)
    pub = out_dir / f"{kiosk.kiosk_id}.pub"
    tmp = out_dir / f".{final.name}.{secrets.token_hex(4)}.tmp"
    pub_tmp = out_dir / f".{pub.name}.{secrets.token_hex(4)}.tmp"
    renamed = False
    try:
        if final.exists():
            # Left by an export that never recorded its batch (killed between
            # the rename and the commit): not part of the chain; kept aside.
            final.replace(final.with_name(final.name + f".unrecorded-{secrets.token_hex(4)}"))
        with open(tmp, "xb") as fp:
            file_hash = write_batch(fp, manifest, records, kiosk.signing_key(), image_entries)
            fp.flush()
            os.fsync(fp.fileno())
        os.replace(tmp, final)
        renamed = True
        pub_tmp.write_bytes(kiosk.public_key_path.read_bytes())
        os.replace(pub_tmp, pub)
        _fsync_dir(out_dir)
    except BaseException as exc:
        for leftover in (tmp, pub_tmp, *((final,) if renamed else ())):
            leftover.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise KioskError("export.output", detail=str(exc)) from None
        raise

    counted, rejected = manifest_counts(records)
    try:
        store.record_batch(
            {
                "number": number,
                "sha256": file_hash,
                "previous_sha256": previous,
                "path": str(final.resolve()),
                "records": len(records),
                "counted": counted,
                "rejected": rejected,
                "pending": pending,
                "images": len(image_entries),
                "created_at": manifest["created_at"],
            },
            [f.serial for f in todo],
        )
    except BaseException:
        final.unlink(missing_ok=True)
        raise
    return ExportResult(final, pub, number, file_hash, previous, len(records), counted, rejected, pending,
                        len(image_entries))


def _counting(entry: tuple[str, Callable[[], bytes]], done: int, total: int,
              progress: Callable[[int, int], None]) -> tuple[str, Callable[[], bytes]]:
    """An image entry whose loading, when the batch is written, reports progress."""
    name, load = entry

    def loaded() -> bytes:
        data = load()
        progress(done, total)
        return data

    return name, loaded


def manifest_counts(records: list[ExportRecord]) -> tuple[int, int]:
    counted = sum(1 for r in records if r.status == "counted")
    return counted, len(records) - counted


def list_batches(kiosk: Kiosk) -> list[dict[str, Any]]:
    """The batches this kiosk has exported, oldest first."""
    return kiosk.store.batches()


def pending_summary(kiosk: Kiosk) -> dict[str, int]:
    """What the next export would hold, and what waits for review."""
    finals = kiosk.store.final_sheets()
    exported = kiosk.store.exported_serials()
    ready = [f for f in finals if f.final_status in EXPORTABLE and f.serial is not None and f.serial not in exported]
    return {
        "ready": len(ready),
        "counted": sum(1 for f in ready if f.final_status == "counted"),
        "rejected": sum(1 for f in ready if f.final_status == "rejected"),
        "in_review": sum(1 for f in finals if f.final_status == "review"),
        "exported": len(exported),
    }
