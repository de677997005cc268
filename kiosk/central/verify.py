"""Central office: verify signed batches.

``verify_batches`` checks every file on its own (container, key, signature,
records hash, campaign, records, images, optionally every ballot's QR tag),
reading it once from front to back in bounded memory (a file of any size:
its JSON entries have size limits, images are hashed in chunks), and then
each kiosk's chain (batch numbers 1..n, each carrying the SHA-256 of
the one before).  Each failure is named by a reason (``REASONS``); ``kiosk.central.tally``
counts the accepted batches only, each serial once.  Format:
docs/batch-format.md.
"""
from __future__ import annotations

import binascii
import hashlib
import io
import json
import os
import re
import struct
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ..ballot import payload
from ..ballot.campaign import Campaign, Institution
from ..batches.format import (
    CENTRAL_FMT,
    END_FMT,
    FIXED_ENTRIES,
    FORMAT,
    GENESIS,
    IMAGE_EXTS,
    IMAGE_PREFIX,
    LOCAL_FMT,
    LOCAL_SIG,
    MANIFEST_NAME,
    MAX_RECORDS_BYTES,
    READABLE_VERSIONS,
    RECORDS_NAME,
    SIGN_DOMAIN,
    SIGNATURE_NAME,
    canonical_json,
    central_header,
    end_record,
    local_header,
)
from ..errors import KioskError

REASONS = (
    "malformed", "unknown_key", "bad_signature", "wrong_campaign", "altered_record", "altered_image",
    "bad_tag", "replayed_batch", "missing_batch", "broken_chain", "too_large",
)
HEX64 = re.compile(r"[0-9a-f]{64}")
HEX128 = re.compile(r"[0-9a-f]{128}")
KIOSK_ID = re.compile(r"kiosk-[a-z2-7]{8}")
SERIAL_RE = re.compile(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{5}")
IMAGE_RE = re.compile(r"images/([0-9a-f]{64})\.([a-z]{3})")
MANIFEST_KEYS = {
    1: {"format", "version", "campaign_id", "institution_id", "kiosk_id", "batch", "previous_sha256", "created_at",
        "records", "pending_review", "totals", "labels", "images", "software"},
}
MANIFEST_KEYS[2] = MANIFEST_KEYS[1] | {"audit"}
STATUSES = ("counted", "rejected")
TOTALS = ("issued", "voided", "scanned", "counted", "in_review", "rejected", "duplicates", "blank_backs", "exported")
LOCAL_LEN = struct.calcsize(LOCAL_FMT)
CENTRAL_LEN = struct.calcsize(CENTRAL_FMT)
END_LEN = struct.calcsize(END_FMT)


class Refused(Exception):
    """A batch fails verification for ``reason``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        assert reason in REASONS, reason
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


@dataclass(slots=True)
class Ballot:
    """A counted record, reduced to what the tally needs."""

    serial: str
    specialists: tuple[tuple[str, str], ...]  # (question id, specialist id)
    ratings: tuple[int, ...]
    choices: tuple[tuple[str, str], ...] | None = None  # every (question id, option id) marked, sorted
    decided_by: str = "machine"

    @property
    def key(self) -> tuple:
        """What the voter chose: two copies of a serial agree when their keys are equal."""
        return self.choices if self.choices is not None else (self.specialists, self.ratings)


@dataclass
class BatchCheck:
    """The outcome of verifying one batch file."""

    path: str
    file_sha256: str = ""
    ok: bool = False
    reason: str | None = None
    detail: str = ""
    kiosk_id: str | None = None
    institution_id: str | None = None
    batch: int | None = None
    previous_sha256: str | None = None
    manifest: dict[str, Any] = field(default_factory=dict)
    ballots: list[Ballot] = field(default_factory=list)
    rejected_serials: list[str] = field(default_factory=list)  # ballots a person rejected in review
    rejected_by: list[str] = field(default_factory=list)  # the role that rejected each (same order)

    def fail(self, reason: str, detail: str = "") -> None:
        self.ok, self.reason, self.detail = False, reason, detail

    def message(self, lang: str | None = None) -> str:
        if self.ok:
            return ""
        return KioskError(f"batch.{self.reason}", detail=self.detail).message(lang)

    def to_json(self, lang: str | None = None) -> dict[str, Any]:
        return {
            "file": self.path,
            "ok": self.ok,
            "reason": self.reason,
            "detail": self.detail,
            "message": self.message(lang) if not self.ok else None,
            "kiosk_id": self.kiosk_id,
            "institution_id": self.institution_id,
            "batch": self.batch,
            "sha256": self.file_sha256,
            "records": self.manifest.get("records", {}).get("count") if self.manifest else None,
        }


# -- trust -------------------------------------------------------------------

def load_trust(directory: str | Path) -> dict[str, bytes]:
    """kiosk id -> raw Ed25519 public key, from ``<kiosk-id>.pub`` files (hex)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise KioskError("central.trust", detail=f"{directory}: not a directory")
    trust: dict[str, bytes] = {}
    for path in sorted(directory.glob("*.pub")):
        try:
            text = path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise KioskError("central.trust", detail=f"{path.name}: {exc}") from None
        if not HEX64.fullmatch(text.lower()):
            raise KioskError("central.trust", detail=f"{path.name}: not a hex Ed25519 public key")
        trust[path.stem] = bytes.fromhex(text)
    return trust


# -- one file ------------------------------------------------------------------

MAX_BATCH_BYTES = 0xFFFFFFFF  # the format's own limit (a ZIP without ZIP64): a larger file is refused unread
MAX_ENTRY_BYTES = {MANIFEST_NAME: 1 << 20, RECORDS_NAME: MAX_RECORDS_BYTES, SIGNATURE_NAME: 4096}
CHUNK = 1 << 20  # images are hashed in chunks of this size, never held whole


class _Reader:
    """A batch file read front to back once, every byte hashed (the file's SHA-256)."""

    def __init__(self, fp: BinaryIO, size: int) -> None:
        self.fp = fp
        self.size = size
        self.pos = 0
        self.hash = hashlib.sha256()

    @property
    def left(self) -> int:
        return self.size - self.pos

    def read(self, n: int) -> bytes:
        data = self.fp.read(n) if n > 0 else b""
        self.hash.update(data)
        self.pos += len(data)
        return data

    def stream(self, n: int) -> Iterator[bytes]:
        while n > 0:
            chunk = self.read(min(n, CHUNK))
            if not chunk:
                raise Refused("malformed", "the file ends early")
            n -= len(chunk)
            yield chunk


def verify_file(
    path: str | Path,
    trust: dict[str, bytes],
    campaign: Campaign,
    master: bytes | None = None,
    data: bytes | None = None,
) -> BatchCheck:
    """Verify one batch file on its own (the chain is checked across files).

    The file is read once, front to back: the three JSON entries are read
    (each refused above its size limit), images are hashed in chunks, so the
    memory needed does not grow with the file.  A file above
    ``MAX_BATCH_BYTES`` is refused unread (``too_large``)."""
    check = BatchCheck(str(path))
    try:
        fp: BinaryIO = io.BytesIO(data) if data is not None else open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        check.fail("malformed", f"cannot read: {exc}")
        return check
    try:
        size = len(data) if data is not None else os.fstat(fp.fileno()).st_size
        if size > MAX_BATCH_BYTES:
            check.fail("too_large", f"{size} > {MAX_BATCH_BYTES} bytes")
            return check
        reader = _Reader(fp, size)
        try:
            _verify(check, reader, trust, campaign, master)
            check.ok = True
        except Refused as exc:
            check.fail(exc.reason, exc.detail)
            check.ballots, check.rejected_serials, check.rejected_by = [], [], []
        except OSError as exc:
            check.fail("malformed", f"cannot read: {exc}")
            check.ballots, check.rejected_serials, check.rejected_by = [], [], []
        while reader.read(CHUNK):  # whatever was not read yet, for the file's hash
            pass
        check.file_sha256 = reader.hash.hexdigest()
    finally:
        fp.close()
    return check


def _verify(check: BatchCheck, r: _Reader, trust: dict[str, bytes], campaign: Campaign, master: bytes | None) -> None:
    """Stream the container, checking every header byte against the canonical
    form (docs/batch-format.md) as it comes.  A broken container is named at
    once (``malformed``); a content failure (signature, records, an image) is
    kept until the container was read to its end, so that a file is named by
    what breaks first in the documented order; CRCs are compared last."""
    entries: list[tuple[str, int, int, int]] = []  # name, size, crc in the header, offset
    crcs: list[int] = []  # computed from the data
    fixed: dict[str, bytes] = {}
    content: Refused | None = None  # the first content failure
    altered: str | None = None  # the first image whose bytes do not match its name
    image_shas: set[str] | None = None
    previous_image = ""
    head = r.read(4)
    while len(head) == 4 and struct.unpack("<I", head)[0] == LOCAL_SIG:
        offset = r.pos - 4
        rest = r.read(LOCAL_LEN - 4)
        if len(rest) != LOCAL_LEN - 4:
            raise Refused("malformed", "truncated local header")
        fields = struct.unpack(LOCAL_FMT, head + rest)
        crc, size, name_len = fields[6], fields[7], fields[9]
        name_raw = r.read(name_len)
        if len(name_raw) != name_len:
            raise Refused("malformed", "truncated entry name")
        if head + rest + name_raw != local_header(name_raw, size, crc):
            raise Refused("malformed", f"non-canonical local header at offset {offset}")
        try:
            name = name_raw.decode("ascii")
        except UnicodeDecodeError:
            raise Refused("malformed", "entry name is not ASCII") from None
        if size > r.left:
            raise Refused("malformed", f"entry {name} is truncated")
        index = len(entries)
        if index < len(FIXED_ENTRIES):
            if name != FIXED_ENTRIES[index]:
                raise Refused("malformed", f"entry {index + 1} is {name} instead of {FIXED_ENTRIES[index]}")
            if size > MAX_ENTRY_BYTES[name]:
                raise Refused("too_large", f"{name}: {size} > {MAX_ENTRY_BYTES[name]} bytes")
            data = r.read(size)
            fixed[name] = data
            crcs.append(binascii.crc32(data))
        else:
            m = IMAGE_RE.fullmatch(name)
            if m is None or name <= previous_image or m.group(2) not in IMAGE_EXTS:
                raise Refused("malformed", "image entries are not unique, sorted images/<sha256>.<ext> names")
            previous_image = name
            h, c = hashlib.sha256(), 0
            for chunk in r.stream(size):
                h.update(chunk)
                c = binascii.crc32(chunk, c)
            crcs.append(c)
            if altered is None and h.hexdigest() != m.group(1):
                altered = name
        entries.append((name, size, crc, offset))
        if index == len(FIXED_ENTRIES) - 1 and content is None:
            try:
                image_shas = _check_content(check, fixed, trust, campaign, master)
            except Refused as exc:
                content = exc
            fixed.clear()  # the records' bytes are not needed any more
        head = r.read(4)
    if not entries:
        raise Refused("malformed", "not a batch file (no ZIP entry at its start)")
    if len(entries) < len(FIXED_ENTRIES):
        raise Refused("malformed", f"entries {[e[0] for e in entries]} instead of {list(FIXED_ENTRIES)}")
    cd_start = r.pos - len(head)
    central = head
    for name, size, crc, offset in entries:
        expected = central_header(name.encode("ascii"), size, crc, offset)
        central += r.read(len(expected) - len(central))
        if central != expected:
            raise Refused("malformed", f"central directory entry of {name} does not match its local header")
        central = b""
    end = r.read(END_LEN + 1)
    if end != end_record(len(entries), r.pos - len(end) - cd_start, cd_start):
        raise Refused("malformed", "bad end of central directory (or bytes after it)")
    if content is not None:
        raise content
    assert image_shas is not None
    manifest = check.manifest
    images = [e[0] for e in entries[len(FIXED_ENTRIES):]]
    if manifest["images"]["count"] != len(images) or (images and not manifest["images"]["included"]):
        raise Refused("malformed", "image count differs from the manifest")
    if altered is not None:
        raise Refused("altered_image", altered)
    if manifest["images"]["included"] and {n[len(IMAGE_PREFIX):].split(".")[0] for n in images} != image_shas:
        raise Refused("malformed", "the images are not exactly those of the records")
    if manifest["version"] >= 2 and manifest["images"]["included"] and len(images) != manifest["records"]["count"]:
        raise Refused("malformed", "not one image per record")
    for (name, _size, crc, _offset), computed in zip(entries, crcs):
        if computed != crc:
            raise Refused("malformed", f"CRC-32 of {name} does not match its data")


def _canonical(data: bytes, what: str) -> Any:
    try:
        obj = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Refused("malformed", f"{what} is not UTF-8 JSON") from None
    try:
        same = canonical_json(obj) == data
    except ValueError:
        same = False
    if not same:
        raise Refused("malformed", f"{what} is not in canonical form")
    return obj


RECORDS_CHUNK = 256  # records checked for canonical form together (one json.dumps per chunk)


def _canonical_records(data: bytes) -> Iterator[Any]:
    """The records of ``records.json``, checked to be in canonical form (so the whole
    array is ``[`` records joined by ``,`` ``]``) a chunk at a time before they are
    yielded: never the whole list of them in memory at once."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("malformed", f"{RECORDS_NAME} is not UTF-8 JSON") from None
    del data
    decoder = json.JSONDecoder()
    if not text.startswith("["):
        raise Refused("malformed", f"{RECORDS_NAME} is not a list")
    pos = 1
    if text[pos:pos + 1] == "]":
        pos += 1
    else:
        chunk: list[Any] = []
        start = pos
        while True:
            try:
                obj, end = decoder.raw_decode(text, pos)
            except ValueError:
                raise Refused("malformed", f"{RECORDS_NAME} is not UTF-8 JSON") from None
            chunk.append(obj)
            sep = text[end:end + 1]
            if sep not in (",", "]"):
                raise Refused("malformed", f"{RECORDS_NAME} is not in canonical form")
            pos = end + 1
            if len(chunk) == RECORDS_CHUNK or sep == "]":
                try:
                    same = canonical_json(chunk).decode("utf-8")[1:-1] == text[start:end]
                except ValueError:
                    same = False
                if not same:
                    raise Refused("malformed", f"{RECORDS_NAME} is not in canonical form")
                yield from chunk
                chunk, start = [], pos
            if sep == "]":
                break
    if pos != len(text):
        raise Refused("malformed", f"{RECORDS_NAME} is not in canonical form")


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _check_manifest(m: Any) -> None:
    """Structure and types of a (signed) manifest."""
    def need(cond: bool, what: str) -> None:
        if not cond:
            raise Refused("malformed", f"manifest: {what}")

    need(isinstance(m, dict), "not an object")
    need(m.get("format") == FORMAT, "format")
    need(_is_int(m.get("version")) and m["version"] in READABLE_VERSIONS, f"unsupported version {m.get('version')!r}")
    for key in ("campaign_id", "institution_id", "kiosk_id", "created_at", "software"):
        need(isinstance(m.get(key), str), key)
    need(bool(KIOSK_ID.fullmatch(m["kiosk_id"])), "kiosk_id")
    need(_is_int(m.get("batch")) and m["batch"] >= 1, "batch")
    need(isinstance(m.get("previous_sha256"), str) and bool(HEX64.fullmatch(m["previous_sha256"])), "previous_sha256")
    need(m["batch"] != 1 or m["previous_sha256"] == GENESIS, "batch 1 must follow the genesis hash")
    need(_is_int(m.get("pending_review")) and m["pending_review"] >= 0, "pending_review")
    rec = m.get("records")
    need(isinstance(rec, dict) and set(rec) == {"count", "counted", "rejected", "sha256"}, "records")
    need(all(_is_int(rec[k]) and rec[k] >= 0 for k in ("count", "counted", "rejected")), "records counts")
    need(isinstance(rec["sha256"], str) and bool(HEX64.fullmatch(rec["sha256"])), "records sha256")
    tot = m.get("totals")
    need(isinstance(tot, dict) and set(tot) == set(TOTALS), "totals")
    need(all(_is_int(tot[k]) and tot[k] >= 0 for k in TOTALS), "totals values")
    img = m.get("images")
    need(isinstance(img, dict) and set(img) == {"included", "count"}, "images")
    need(isinstance(img["included"], bool) and _is_int(img["count"]) and img["count"] >= 0, "images values")
    if m["version"] >= 2:  # the audit log's head when the batch was made (null: the log was empty)
        audit = m.get("audit")
        need(audit is None or (isinstance(audit, dict) and set(audit) == {"seq", "sha256"} and _is_int(audit["seq"])
                               and audit["seq"] >= 1 and isinstance(audit["sha256"], str)
                               and bool(HEX64.fullmatch(audit["sha256"]))), "audit")
        need(set(m) == MANIFEST_KEYS[2], "keys")
    labels = m.get("labels")
    need(isinstance(labels, dict), "labels")
    for q, opts in labels.items():
        need(isinstance(opts, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in opts.items()),
             f"labels of {q}")


def _check_content(check: BatchCheck, fixed: dict[str, bytes], trust: dict[str, bytes], campaign: Campaign,
                   master: bytes | None) -> set[str]:
    """Signature, manifest and records (checks 2-11 of docs/batch-format.md);
    returns the image hashes the records name."""
    manifest_bytes = fixed[MANIFEST_NAME]

    # Who signed it, and is the signature good?
    sig = _canonical(fixed[SIGNATURE_NAME], SIGNATURE_NAME)
    if not (isinstance(sig, dict) and set(sig) == {"algorithm", "public_key", "signature"}
            and sig["algorithm"] == "ed25519" and isinstance(sig["public_key"], str)
            and isinstance(sig["signature"], str) and HEX64.fullmatch(sig["public_key"])
            and HEX128.fullmatch(sig["signature"])):
        raise Refused("malformed", f"{SIGNATURE_NAME} fields")
    public = bytes.fromhex(sig["public_key"])
    owners = {kid for kid, key in trust.items() if key == public}
    if not owners:
        raise Refused("unknown_key", f"public key {sig['public_key'][:16]}…")
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(bytes.fromhex(sig["signature"]), SIGN_DOMAIN + manifest_bytes)
    except InvalidSignature:
        raise Refused("bad_signature", f"key of {', '.join(sorted(owners))}") from None

    manifest = _canonical(manifest_bytes, MANIFEST_NAME)
    _check_manifest(manifest)
    check.manifest = manifest
    check.kiosk_id, check.batch = manifest["kiosk_id"], manifest["batch"]
    check.institution_id, check.previous_sha256 = manifest["institution_id"], manifest["previous_sha256"]
    if manifest["kiosk_id"] not in owners:
        raise Refused("unknown_key", f"the key of {', '.join(sorted(owners))} signed a batch of {manifest['kiosk_id']}")
    if manifest["campaign_id"] != campaign.id:
        raise Refused("wrong_campaign", f"{manifest['campaign_id']} ≠ {campaign.id}")
    institution = next((i for i in campaign.institutions if i.id == manifest["institution_id"]), None)
    if institution is None:
        raise Refused("wrong_campaign", f"institution {manifest['institution_id']} is not in {campaign.id}")

    # Records: their bytes are covered by the signed manifest.
    records_data = fixed[RECORDS_NAME]
    if hashlib.sha256(records_data).hexdigest() != manifest["records"]["sha256"]:
        raise Refused("altered_record", RECORDS_NAME)
    return _check_records(check, _canonical_records(records_data), manifest, campaign, institution, master)


def _check_records(
    check: BatchCheck, records: Any, manifest: dict[str, Any], campaign: Campaign, institution: Institution,
    master: bytes | None,
) -> set[str]:
    """Structure of every record, their selections against the campaign, and
    (with the master key) every ballot's QR tag.  Fills check.ballots."""
    meta = manifest["records"]
    questions = {q.id: q for q in campaign.questions}
    labels = manifest["labels"]
    tag_key = None if master is None else payload.derive_institution_key(master, campaign.id, institution.id)
    campaign_hash, institution_hash = campaign.hash, institution.hash
    seen: set[str] = set()
    image_shas: set[str] = set()
    ballots: list[Ballot] = []
    rejected: list[str] = []
    rejected_by: list[str] = []
    shared: dict[Any, Any] = {}  # one object per distinct choice, role or tuple: a million ballots stay small
    keys = {"serial", "status", "selections", "decided_by", "image_sha256", "payload"}
    count = 0
    for rec in records:
        count += 1
        if count > meta["count"]:
            raise Refused("malformed", "record count differs from the manifest")
        if not (isinstance(rec, dict) and rec.keys() == keys):
            raise Refused("malformed", "record fields")
        serial, status = rec["serial"], rec["status"]
        if not (isinstance(serial, str) and SERIAL_RE.fullmatch(serial)):
            raise Refused("malformed", f"serial {serial!r}")
        if serial in seen:
            raise Refused("malformed", f"serial {serial} twice in one batch")
        seen.add(serial)
        if status not in STATUSES or not isinstance(rec["decided_by"], str) or not rec["decided_by"]:
            raise Refused("malformed", f"{serial}: status or decided_by")
        sha = rec["image_sha256"]
        if manifest["version"] >= 2 and not manifest["images"]["included"]:
            if sha is not None:  # version 2: a record names an image only when the batch carries it
                raise Refused("malformed", f"{serial}: image_sha256 without images")
        elif not (isinstance(sha, str) and HEX64.fullmatch(sha)):
            raise Refused("malformed", f"{serial}: image_sha256")
        elif manifest["version"] >= 2 and sha in image_shas:  # version 2: every ballot its own image
            raise Refused("malformed", f"{serial}: image shared with another record")
        else:
            image_shas.add(sha)
        try:
            p = payload.decode_text(rec["payload"])
        except KioskError as exc:
            raise Refused("malformed", f"{serial}: payload {exc.code}") from None
        if payload.serial_text(p.serial) != serial:
            raise Refused("malformed", f"{serial}: payload of another serial")
        if p.campaign != campaign_hash or p.institution != institution_hash:
            raise Refused("wrong_campaign", f"{serial}: ballot of another campaign or institution")
        if tag_key is not None and not p.tag_valid(tag_key):
            raise Refused("bad_tag", serial)
        if status == "rejected":
            if rec["selections"] is not None:
                raise Refused("malformed", f"{serial}: a rejected ballot has selections")
            rejected.append(serial)
            rejected_by.append(shared.setdefault(rec["decided_by"], rec["decided_by"]))
            continue
        sel = rec["selections"]
        if not isinstance(sel, dict):
            raise Refused("malformed", f"{serial}: selections")
        specialists: list[tuple[str, str]] = []
        ratings: list[int] = []
        for qid, options in sel.items():
            q = questions.get(qid)
            if q is None:
                raise Refused("wrong_campaign", f"{serial}: question {qid} is not in the campaign")
            if not isinstance(options, list) or len(options) > 1 or not all(isinstance(o, str) for o in options):
                raise Refused("malformed", f"{serial}: question {qid} has {options!r}")
            if not options:
                continue
            oid = options[0]
            if oid not in labels.get(qid, {}):
                raise Refused("malformed", f"{serial}: option {oid} of {qid} has no label")
            if q.type == "specialist":
                specialists.append((qid, oid))
            else:
                if not (oid.isdigit() and 1 <= int(oid) <= q.scale):
                    raise Refused("malformed", f"{serial}: rating {oid!r} out of 1..{q.scale}")
                ratings.append(int(oid))
        choices = tuple(sorted((qid, opts[0]) for qid, opts in sel.items() if opts))
        sp, ra, ch = tuple(specialists), tuple(ratings), choices
        ballots.append(Ballot(serial, shared.setdefault(sp, sp), shared.setdefault(ra, ra), shared.setdefault(ch, ch),
                              shared.setdefault(rec["decided_by"], rec["decided_by"])))
    if count != meta["count"]:
        raise Refused("malformed", "record count differs from the manifest")
    if len(ballots) != meta["counted"] or len(rejected) != meta["rejected"]:
        raise Refused("malformed", "counted/rejected differ from the manifest")
    check.ballots, check.rejected_serials, check.rejected_by = ballots, rejected, rejected_by
    return image_shas


# -- many files: the chains ------------------------------------------------------

def verify_batches(
    paths: list[str | Path], trust: dict[str, bytes], campaign: Campaign, master: bytes | None = None
) -> list[BatchCheck]:
    """Verify every file, then every kiosk's chain.  Only an unbroken chain
    from batch 1 counts: a batch after a gap (missing, or failed to verify)
    is held back as missing_batch; a second copy of a batch is a replay."""
    checks = [verify_file(p, trust, campaign, master) for p in paths]
    check_chains(checks)
    return checks


def check_chains(checks: list[BatchCheck]) -> None:
    by_kiosk: dict[str, dict[int, list[BatchCheck]]] = defaultdict(lambda: defaultdict(list))
    failed_numbers: dict[str, dict[int, str]] = defaultdict(dict)
    unidentified = False  # a file failed before it said which batch it is
    for c in checks:
        if c.ok:
            by_kiosk[c.kiosk_id][c.batch].append(c)
        elif c.kiosk_id is not None and c.batch is not None:
            failed_numbers[c.kiosk_id].setdefault(c.batch, c.path)
        else:
            unidentified = True
    for kiosk_id, numbers in by_kiosk.items():
        candidates: dict[int, BatchCheck] = {}
        for number, copies in numbers.items():
            first = copies[0]
            if any(c.file_sha256 != first.file_sha256 for c in copies):
                for c in copies:
                    c.fail("broken_chain", f"{kiosk_id}: {len(copies)} different files are batch {number}")
                continue
            for c in copies[1:]:
                c.fail("replayed_batch", f"{kiosk_id} batch {number} is also {first.path}")
            candidates[number] = first
        expected, previous, gap = 1, GENESIS, None
        for number in sorted(set(numbers)):
            c = candidates.get(number)
            if c is None:  # a fork at this number: everything after it waits
                gap = gap or f"{kiosk_id} batch {number} is not unique"
                continue
            if gap is None and number != expected:
                if expected in failed_numbers[kiosk_id]:
                    why = f"failed verification ({failed_numbers[kiosk_id][expected]})"
                else:
                    why = "is missing or failed verification" if unidentified else "is missing"
                gap = f"{kiosk_id} batch {expected} {why}"
            if gap is not None:
                c.fail("missing_batch", gap)
                continue
            if c.previous_sha256 != previous:
                c.fail("broken_chain", f"{kiosk_id} batch {number} does not follow batch {number - 1}")
                gap = f"{kiosk_id} batch {number} does not follow batch {number - 1}"
                continue
            expected, previous = number + 1, c.file_sha256
