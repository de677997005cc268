"""Signed batch export: the kiosk's decided ballots, one file per batch.

A batch holds every ballot counted by the machine or resolved by a reviewer
since the previous batch, signed with the kiosk's Ed25519 key and chained to
the previous batch by its SHA-256.  The format is ``kiosk.batches.format``
(docs/batch-format.md).

Nothing in a batch tells who voted when: records are shuffled and carry no
time; with images, each ballot gets its own image (its page of the scan,
re-encoded without metadata: ``kiosk.batches.images``), so that no record
shows which ballots were scanned together, and the kiosk keeps which
original each image came from (``batch_images``).  Batch files are written
owner-only (0600) where the file system has permissions.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from .. import __version__, faults, platform
from ..audit.log import head as audit_head
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
    ExportRecord,
    batch_file_name,
    write_batch,
)
from .images import BallotImage, ballot_image

EXPORTABLE = ("counted", "rejected")  # final states that leave the kiosk in a batch
WORK_PREFIX = ".export-"  # temporary folders for ballot images, in the data directory


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




@contextlib.contextmanager
def _export_lock(lock_file: Path) -> Iterator[None]:
    """One export at a time per data directory (another process gets export.busy)."""
    try:
        with platform.exclusive_lock(lock_file):
            yield
    except platform.LockBusy:
        raise KioskError("export.busy") from None


def export_batch(kiosk: Kiosk, out_dir: str | Path, *, images: bool = False,
                 progress: Callable[[int, int], None] | None = None) -> ExportResult:
    """Write the next batch of ``kiosk`` into ``out_dir`` and record it.

    The file is written completely under a hidden temporary name (fsynced),
    then the batch and its serials are recorded in one transaction, and only
    then is the file renamed to its final name.  So a file under a batch's
    name is always a recorded batch: a crash before the commit leaves only a
    temporary file (removed by the next export; it is never a batch), a crash
    between the commit and the rename leaves the recorded batch's file under
    its temporary name, renamed by the next export or ``kiosk export --list``
    (``recover_unrenamed``).  ``progress(done, total)`` counts records built,
    then images made.
    """
    with _export_lock(kiosk.datadir.export_lock):
        recover_unrenamed(kiosk)
        # ballot images are made into a private temporary folder before the
        # batch is signed (the records carry their hashes) and removed after;
        # one left by a killed export (no other export runs now) goes first
        for stale in kiosk.datadir.tmp.glob(f"{WORK_PREFIX}*"):
            shutil.rmtree(stale, ignore_errors=True)
        with tempfile.TemporaryDirectory(prefix=WORK_PREFIX, dir=kiosk.datadir.tmp) as work:
            return _export(kiosk, Path(out_dir), images, progress or (lambda done, total: None), Path(work))


def _tmp_names(final: Path) -> list[Path]:
    """Temporary files left for the batch file ``final`` by earlier attempts."""
    try:
        return sorted(final.parent.glob(f".{final.name}.*.tmp"))
    except OSError:
        return []


def recover_unrenamed(kiosk: Kiosk) -> Path | None:
    """The last recorded batch whose file is still under its temporary name
    (the export was killed between recording and renaming): rename it.
    Returns the file's final path when one was renamed."""
    last = kiosk.store.last_batch()
    if last is None:
        return None
    final = Path(last["path"])
    try:
        if final.exists() or not final.parent.is_dir():
            return None  # in place, or on a medium that is not here now
    except OSError:
        return None
    for tmp in _tmp_names(final):
        try:
            if _file_sha256(tmp) == last["sha256"]:
                os.replace(tmp, final)
                platform.fsync_dir(final.parent)
                return final
        except OSError:
            continue
    return None


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _export(kiosk: Kiosk, out_dir: Path, images: bool, progress: Callable[[int, int], None],
            work: Path) -> ExportResult:
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
    records: list[tuple[ExportRecord, int, str]] = []  # the record, its sheet and original scan
    steps = len(todo) * (2 if images else 1)
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
        records.append((ExportRecord(
            serial=serial,
            status=f.final_status,
            selections=selections,
            decided_by=f.decided_by,
            # with images: this ballot's own image (filled in below); without: none
            image_sha256=None,
            # The QR text of the ballot: deterministic from the institution
            # key, so it is exactly what was printed and scanned.
            payload=payload.make_payload(kiosk.tag_key, camp.hash, inst.hash, layout_id, f.serial).text(),
        ), f.sheet_id, f.image_sha256))
    secrets.SystemRandom().shuffle(records)  # no meaningful order leaves the kiosk

    progress(len(todo), steps)
    made: list[BallotImage] = []
    shuffled: list[ExportRecord] = []
    for i, (r, sheet_id, original) in enumerate(records, start=1):
        if images:
            made.append(ballot_image(kiosk, original, store.sheet_page(sheet_id), work))
            r = replace(r, image_sha256=made[-1].sha256)
            progress(len(todo) + i, steps)
        shuffled.append(r)
    records = shuffled
    image_entries = [(f"{IMAGE_PREFIX}{m.sha256}.{m.ext}", m.load) for m in made]
    head = audit_head(store)

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
        # the audit log's last row when the batch was made: the log can later be
        # shown to reach at least this far
        "audit": None if head is None else {"seq": head[0], "sha256": head[1]},
        "software": f"urn-kiosk {__version__}",
        # the institution key's word that this kiosk id holds the key signing this batch
        "certificate": kiosk.certificate,
    }

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KioskError("export.output", detail=str(exc)) from None
    final = out_dir / batch_file_name(kiosk.kiosk_id, number)
    pub = out_dir / f"{kiosk.kiosk_id}.pub"
    tmp = out_dir / f".{final.name}.{secrets.token_hex(4)}.tmp"
    pub_tmp = out_dir / f".{pub.name}.{secrets.token_hex(4)}.tmp"
    try:
        public = kiosk.public_key_path.read_bytes()  # before anything is written or recorded
        for stale in _tmp_names(final):  # earlier attempts at this batch that never got recorded
            stale.unlink(missing_ok=True)
        if final.exists():
            # Not a recorded batch (written by a version that renamed before it recorded,
            # or copied here by hand): not part of the chain; kept aside.
            final.replace(final.with_name(final.name + f".unrecorded-{secrets.token_hex(4)}"))
        with _private_file(tmp) as fp:
            file_hash = write_batch(fp, manifest, records, kiosk.signing_key(), image_entries)
            fp.flush()
            os.fsync(fp.fileno())
        platform.fsync_dir(out_dir)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise KioskError("export.output", detail=str(exc)) from None
        raise
    faults.point("export.after_write")

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
                "audit_seq": None if head is None else head[0],
                "audit_hash": None if head is None else head[1],
            },
            [f.serial for f in todo],
            images=[(m.sha256, m.original, m.page) for m in made],
        )
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    faults.point("export.after_record")
    try:
        os.replace(tmp, final)  # the batch is recorded: now it may be seen under its name
        faults.point("export.after_rename")
        with _private_file(pub_tmp) as fp:
            fp.write(public)
        os.replace(pub_tmp, pub)
        platform.fsync_dir(out_dir)
    except OSError as exc:
        pub_tmp.unlink(missing_ok=True)
        raise KioskError("export.output", detail=f"{exc} (batch {number} is recorded; the next export finishes it)") \
            from None
    return ExportResult(final, pub, number, file_hash, previous, len(records), counted, rejected, pending,
                        len(image_entries))


def _private_file(path: Path):
    """A new file readable and writable by its owner only (0600; on a file system
    without permissions, such as a FAT USB stick, whatever it gives)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    return os.fdopen(fd, "wb")


def manifest_counts(records: list[ExportRecord]) -> tuple[int, int]:
    counted = sum(1 for r in records if r.status == "counted")
    return counted, len(records) - counted


def list_batches(kiosk: Kiosk) -> list[dict[str, Any]]:
    """The batches this kiosk has exported, oldest first (a last batch left under
    its temporary name by a crash is renamed first)."""
    try:
        with _export_lock(kiosk.datadir.export_lock):
            recover_unrenamed(kiosk)
    except KioskError:  # an export is running: it renames what needs renaming
        pass
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
