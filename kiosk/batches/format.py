"""The signed batch format: its constants, canonical JSON and the container writer.

A batch is a ZIP file with *stored* (uncompressed) entries and fixed header
fields, written by the small writer below rather than ``zipfile`` so every
byte is specified (docs/batch-format.md).  Entries, in this order:

    manifest.json    canonical JSON: who (with the enrollment certificate), which batch, chain, counts, records hash
    records.json     canonical JSON array of records, in random order
    signature.json   canonical JSON: Ed25519 public key and signature
    images/<sha256>.<ext>   (optional) one metadata-free image per ballot, sorted by name

``kiosk.batches.export`` writes batches from a kiosk; ``kiosk.central.verify``
reads and verifies them.
"""
from __future__ import annotations

import binascii
import hashlib
import json
import struct
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from ..ballot.keys import Ed25519PrivateKey, public_hex
from ..errors import KioskError

FORMAT = "urn-kiosk-batch"
# 2: one image per ballot (image_sha256 null without images), the audit head;
# 3: the kiosk's enrollment certificate (its id and public key under the institution key)
FORMAT_VERSION = 3
READABLE_VERSIONS = (1, 2, 3)  # what kiosk.central.verify accepts
SIGN_DOMAIN = b"urn-kiosk/batch/v1\x00"
GENESIS = "0" * 64
MANIFEST_NAME = "manifest.json"
RECORDS_NAME = "records.json"
SIGNATURE_NAME = "signature.json"
IMAGE_PREFIX = "images/"
FIXED_ENTRIES = (MANIFEST_NAME, RECORDS_NAME, SIGNATURE_NAME)
MEDIA_EXT = {"image/png": "png", "image/jpeg": "jpg", "image/tiff": "tif", "application/pdf": "pdf"}
IMAGE_EXTS = frozenset(MEDIA_EXT.values()) | {"bin"}

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
MAX_RECORDS_BYTES = 64 << 20  # records.json (about 150,000 records): the central office reads it whole


def canonical_json(obj: Any) -> bytes:
    """UTF-8 JSON, keys sorted, no whitespace, non-ASCII written as is."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def batch_file_name(kiosk_id: str, number: int) -> str:
    return f"{kiosk_id}-batch-{number:04d}.zip"


@dataclass(frozen=True)
class ExportRecord:
    """One ballot in ``records.json`` (docs/batch-format.md, "records.json")."""

    serial: str  # as printed, XXXX-XXXX-XXXXX
    status: str  # counted | rejected
    selections: dict[str, list[str]] | None  # counted: question id -> [option id]; rejected: None
    decided_by: str  # "machine" or the deciding person's role
    image_sha256: str | None  # the ballot's own image in the batch; None when the batch carries no images
    payload: str  # the ballot's QR text

    def to_json(self) -> dict[str, Any]:
        return {
            "serial": self.serial,
            "status": self.status,
            "selections": self.selections,
            "decided_by": self.decided_by,
            "image_sha256": self.image_sha256,
            "payload": self.payload,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ExportRecord:
        return cls(data["serial"], data["status"], data["selections"], data["decided_by"], data["image_sha256"],
                   data["payload"])


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
    records: Sequence[ExportRecord],
    signing_key: Ed25519PrivateKey,
    images: Iterable[tuple[str, bytes | Callable[[], bytes]]] = (),
) -> str:
    """Write one signed batch container to ``fp``; returns the file's SHA-256.

    ``manifest`` gets its ``records`` entry (count, counted, rejected and the
    SHA-256 of the records entry) filled in here, so the signature over the
    manifest covers every record.  ``images`` are (entry name, bytes or a
    function returning them) pairs, written in name order, loaded one at a time.
    """
    records_bytes = canonical_json([r.to_json() for r in records])
    if len(records_bytes) > MAX_RECORDS_BYTES:
        raise KioskError("export.too_large")
    manifest = dict(manifest)
    manifest["records"] = {
        "count": len(records),
        "counted": sum(1 for r in records if r.status == "counted"),
        "rejected": sum(1 for r in records if r.status == "rejected"),
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
