"""Signed batch export: the kiosk's decided ballots, one file per batch.

A batch holds every ballot counted by the machine or resolved by a reviewer
since the previous batch, signed with the kiosk's Ed25519 key and chained to
the previous batch by its SHA-256.  The byte format is specified in
docs/batch-format.md; this module writes it (and holds its constants and
primitives), ``kiosk.central`` reads and verifies it.

Container: a ZIP file with *stored* (uncompressed) entries and fixed header
fields, written by the small writer below rather than ``zipfile`` so every
byte is specified.  Entries, in this order:

    manifest.json    canonical JSON: who, which batch, chain, counts, records hash
    records.json     canonical JSON array of records, in random order
    signature.json   canonical JSON: Ed25519 public key and signature
    images/<sha256>.<ext>   (optional) the original scans, sorted by name
"""
from __future__ import annotations

import binascii
import contextlib
import hashlib
import json
import os
import secrets
import struct
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, BinaryIO

from . import __version__, payload
from .errors import KioskError
from .keys import public_hex
from .layout import option_labels
from .storage import now_utc

FORMAT = "urn-kiosk-batch"
FORMAT_VERSION = 1
SIGN_DOMAIN = b"urn-kiosk/batch/v1\x00"
GENESIS = "0" * 64
MANIFEST_NAME = "manifest.json"
RECORDS_NAME = "records.json"
SIGNATURE_NAME = "signature.json"
IMAGE_PREFIX = "images/"
FIXED_ENTRIES = (MANIFEST_NAME, RECORDS_NAME, SIGNATURE_NAME)
MEDIA_EXT = {"image/png": "png", "image/jpeg": "jpg", "image/tiff": "tif", "application/pdf": "pdf"}
IMAGE_EXTS = frozenset(MEDIA_EXT.values()) | {"bin"}
EXPORTABLE = ("counted", "rejected")  # final states that leave the kiosk in a batch

# ZIP header constants (APPNOTE 6.3.x): version 2.0, no flags, method 0
# (stored), MS-DOS time 00:00:00 and date 1980-01-01, no extra fields, no
# comments, no attributes.  Limits: < 4 GiB, < 65535 entries (no ZIP64).
ZIP_VERSION = 20
DOS_TIME = 0x0000
DOS_DATE = 0x0021
LOCAL_SIG = 0x04034B50
CENTRAL_SIG = 0x02014B50
END_SIG = 0x06054B50
LOCAL_FMT = "<IHHHHHIIIHH"  # 30 bytes
CENTRAL_FMT = "<IHHHHHHIIIHHHHHII"  # 46 bytes
END_FMT = "<IHHHHIIH"  # 22 bytes
ZIP_MAX = 0xFFFFFFFF
ZIP_MAX_ENTRIES = 0xFFFF


def canonical_json(obj: Any) -> bytes:
    """UTF-8 JSON, keys sorted, no whitespace, non-ASCII written as is."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def batch_file_name(kiosk_id: str, number: int) -> str:
    return f"{kiosk_id}-batch-{number:04d}.zip"


# -- ZIP primitives ------------------------------------------------------------

def local_header(name: bytes, size: int, crc: int) -> bytes:
    return struct.pack(LOCAL_FMT, LOCAL_SIG, ZIP_VERSION, 0, 0, DOS_TIME, DOS_DATE, crc, size, size, len(name), 0) + name


def central_header(name: bytes, size: int, crc: int, offset: int) -> bytes:
    return struct.pack(
        CENTRAL_FMT, CENTRAL_SIG, ZIP_VERSION, ZIP_VERSION, 0, 0, DOS_TIME, DOS_DATE, crc, size, size,
        len(name), 0, 0, 0, 0, 0, offset,
    ) + name


def end_record(count: int, cd_size: int, cd_offset: int) -> bytes:
    return struct.pack(END_FMT, END_SIG, 0, 0, count, count, cd_size, cd_offset, 0)


class ZipWriter:
    """Writes the batch container to a binary file, hashing every byte."""

    def __init__(self, fp: BinaryIO) -> None:
        self.fp = fp
        self.offset = 0
        self.entries: list[tuple[bytes, int, int, int]] = []
        self.hash = hashlib.sha256()

    def _write(self, data: bytes) -> None:
        self.fp.write(data)
        self.hash.update(data)
        self.offset += len(data)

    def add(self, name: str, data: bytes) -> None:
        raw = name.encode("ascii")
        if len(self.entries) + 1 >= ZIP_MAX_ENTRIES or self.offset + len(data) + 30 + len(raw) > ZIP_MAX:
            raise KioskError("export.too_large")
        crc = binascii.crc32(data)
        self.entries.append((raw, len(data), crc, self.offset))
        self._write(local_header(raw, len(data), crc))
        self._write(data)

    def close(self) -> str:
        """Write the central directory and the end record; returns the file's SHA-256."""
        start = self.offset
        for raw, size, crc, offset in self.entries:
            self._write(central_header(raw, size, crc, offset))
        if self.offset > ZIP_MAX:
            raise KioskError("export.too_large")
        self._write(end_record(len(self.entries), self.offset - start, start))
        return self.hash.hexdigest()


def write_batch(
    fp: BinaryIO,
    manifest: dict[str, Any],
    records: list[dict[str, Any]],
    signing_key: Any,
    images: Iterable[tuple[str, bytes | Callable[[], bytes]]] = (),
) -> str:
    """Write one signed batch container to ``fp``; returns the file's SHA-256.

    ``manifest`` gets its ``records`` entry (count, counted, rejected and the
    SHA-256 of the records entry) filled in here, so the signature over the
    manifest covers every record.  ``images`` are (entry name, bytes or a
    function returning them) pairs, written in name order, loaded one at a time.
    """
    records_bytes = canonical_json(records)
    manifest = dict(manifest)
    manifest["records"] = {
        "count": len(records),
        "counted": sum(1 for r in records if r["status"] == "counted"),
        "rejected": sum(1 for r in records if r["status"] == "rejected"),
        "sha256": sha256_hex(records_bytes),
    }
    manifest_bytes = canonical_json(manifest)
    signature = signing_key.sign(SIGN_DOMAIN + manifest_bytes)
    sig_bytes = canonical_json(
        {"algorithm": "ed25519", "public_key": public_hex(signing_key), "signature": signature.hex()}
    )
    zw = ZipWriter(fp)
    zw.add(MANIFEST_NAME, manifest_bytes)
    zw.add(RECORDS_NAME, records_bytes)
    zw.add(SIGNATURE_NAME, sig_bytes)
    for name, data in sorted(images, key=lambda item: item[0]):
        zw.add(name, data() if callable(data) else data)
    return zw.close()


# -- export from a kiosk -----------------------------------------------------

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


def _check_selections(serial: str, selections: Any, labels: dict[str, dict[str, str]]) -> dict[str, list[str]]:
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


def kiosk_totals(store: Any, finals: list[dict[str, Any]], exported: int) -> dict[str, int]:
    """Cumulative counts of one kiosk at this moment (see docs/batch-format.md)."""
    sheets = store.sheet_counts()
    issued = store.issued_counts()
    blank_backs = store.rejected_reasons().get("blank_back", 0)
    final_counted = sum(1 for f in finals if f["final_status"] == "counted")
    in_review = sum(1 for f in finals if f["final_status"] == "review")
    reviewer_rejected = sum(1 for f in finals if f["final_status"] == "rejected")
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


def _image_entry(kiosk: Any, sha: str) -> tuple[str, Callable[[], bytes]]:
    """An original scan's entry name and a loader checking its bytes (read while writing)."""
    info = kiosk.store.image(sha)
    if info is None:
        raise KioskError("export.image_missing", sha256=sha, detail="not in the database")
    path = Path(info["path"])
    if not path.is_absolute():
        path = kiosk.root / path
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
def _export_lock(root: Path) -> Iterator[None]:
    """One export at a time per data directory (another process gets export.busy)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: the commit still refuses a second batch n
        yield
        return
    with open(root / ".export.lock", "a+b") as fp:
        try:
            fcntl.flock(fp.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise KioskError("export.busy") from None
        try:
            yield
        finally:
            fcntl.flock(fp.fileno(), fcntl.LOCK_UN)


def export_batch(kiosk: Any, out_dir: str | Path, *, images: bool = False,
                 progress: Callable[[int, int], None] | None = None) -> ExportResult:
    """Write the next batch of ``kiosk`` into ``out_dir`` and record it.

    The file is written completely (temporary name, fsync, rename) before the
    batch and its serials are recorded in one transaction; if recording
    fails, the file is removed, so a batch exists exactly when it is recorded.
    ``progress(done, total)`` counts records built, then images written.
    """
    with _export_lock(kiosk.root):
        return _export(kiosk, Path(out_dir), images, progress or (lambda done, total: None))


def _export(kiosk: Any, out_dir: Path, images: bool, progress: Callable[[int, int], None]) -> ExportResult:
    store = kiosk.store
    last = store.last_batch()
    number = 1 if last is None else last["number"] + 1
    previous = GENESIS if last is None else last["sha256"]

    finals = store.final_sheets()
    exported = store.exported_serials()
    todo = [f for f in finals if f["final_status"] in EXPORTABLE and f["serial"] not in exported]
    pending = sum(1 for f in finals if f["final_status"] == "review")
    layout_of = store.ballot_layouts()

    camp, inst = kiosk.campaign, kiosk.institution
    layout_labels: dict[int, dict[str, dict[str, str]]] = {}
    labels: dict[str, dict[str, str]] = {}
    records: list[dict[str, Any]] = []
    steps = len(todo) + (len({f["image_sha256"] for f in todo}) if images else 0)
    for n, f in enumerate(todo, start=1):
        if n % 256 == 0:
            progress(n, steps)
        serial = payload.serial_text(f["serial"])
        layout_id = layout_of.get(f["sheet_id"])
        if layout_id is None:
            raise KioskError("export.invalid_record", serial=serial, detail="no layout")
        if layout_id not in layout_labels:
            spec = store.layout(camp.id, inst.id, layout_id)
            if spec is None:
                raise KioskError("export.invalid_record", serial=serial, detail=f"unknown layout {layout_id:08x}")
            layout_labels[layout_id] = option_labels(spec)
        ll = layout_labels[layout_id]
        selections = None
        if f["final_status"] == "counted":
            selections = _check_selections(serial, f["selections"], ll)
            for qid, options in selections.items():
                for oid in options:
                    labels.setdefault(qid, {})[oid] = ll[qid][oid]
        records.append({
            "serial": serial,
            "status": f["final_status"],
            "selections": selections,
            "decided_by": f["decided_by"],
            "image_sha256": f["image_sha256"],
            # The QR text of the ballot: deterministic from the institution
            # key, so it is exactly what was printed and scanned.
            "payload": payload.make_payload(kiosk.tag_key, camp.hash, inst.hash, layout_id, f["serial"]).text(),
        })
    secrets.SystemRandom().shuffle(records)  # no meaningful order leaves the kiosk

    progress(len(todo), steps)
    image_entries: list[tuple[str, Callable[[], bytes]]] = []
    if images:
        image_entries = [_counting(_image_entry(kiosk, sha), len(todo) + i, steps, progress)
                         for i, sha in enumerate(sorted({r["image_sha256"] for r in records}), start=1)]

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
            [f["serial"] for f in todo],
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


def manifest_counts(records: list[dict[str, Any]]) -> tuple[int, int]:
    counted = sum(1 for r in records if r["status"] == "counted")
    return counted, len(records) - counted


def list_batches(kiosk: Any) -> list[dict[str, Any]]:
    """The batches this kiosk has exported, oldest first."""
    return kiosk.store.batches()


def pending_summary(kiosk: Any) -> dict[str, int]:
    """What the next export would hold, and what waits for review."""
    finals = kiosk.store.final_sheets()
    exported = kiosk.store.exported_serials()
    ready = [f for f in finals if f["final_status"] in EXPORTABLE and f["serial"] not in exported]
    return {
        "ready": len(ready),
        "counted": sum(1 for f in ready if f["final_status"] == "counted"),
        "rejected": sum(1 for f in ready if f["final_status"] == "rejected"),
        "in_review": sum(1 for f in finals if f["final_status"] == "review"),
        "exported": len(exported),
    }
