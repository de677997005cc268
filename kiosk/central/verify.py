"""Central office: verify signed batches.

``verify_batches`` checks every file on its own (container, key, signature,
records hash, campaign, records, images, optionally every ballot's QR tag)
and then each kiosk's chain (batch numbers 1..n, each carrying the SHA-256 of
the one before).  Each failure is named by a reason (``REASONS``); ``kiosk.central.tally``
counts the accepted batches only, each serial once.  Format:
docs/batch-format.md.
"""
from __future__ import annotations

import binascii
import hashlib
import json
import re
import struct
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ..ballot import payload
from ..ballot.campaign import Campaign, Institution
from ..batches.format import (
    CENTRAL_FMT,
    END_FMT,
    FIXED_ENTRIES,
    FORMAT,
    FORMAT_VERSION,
    GENESIS,
    IMAGE_EXTS,
    IMAGE_PREFIX,
    LOCAL_FMT,
    LOCAL_SIG,
    MANIFEST_NAME,
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
    "bad_tag", "replayed_batch", "missing_batch", "broken_chain",
)
HEX64 = re.compile(r"[0-9a-f]{64}")
HEX128 = re.compile(r"[0-9a-f]{128}")
KIOSK_ID = re.compile(r"kiosk-[a-z2-7]{8}")
SERIAL_RE = re.compile(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{5}")
IMAGE_RE = re.compile(r"images/([0-9a-f]{64})\.([a-z]{3})")
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


@dataclass
class Ballot:
    """A counted record, reduced to what the tally needs."""

    serial: str
    specialists: tuple[tuple[str, str], ...]  # (question id, specialist id)
    ratings: tuple[int, ...]


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
    rejected_serials: list[str] = field(default_factory=list)

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

def read_container(blob: bytes) -> list[tuple[str, memoryview, int]]:
    """The entries (name, data, crc) of a batch container, checking every
    header byte against the canonical form (docs/batch-format.md).  CRCs are
    only compared between the two headers here; ``check_crcs`` compares
    them with the data once the content has been verified, so that changed
    content is named by what it breaks."""
    view = memoryview(blob)
    entries: list[tuple[str, memoryview, int, int]] = []
    pos = 0
    while len(blob) - pos >= 4 and struct.unpack_from("<I", blob, pos)[0] == LOCAL_SIG:
        if len(blob) - pos < LOCAL_LEN:
            raise Refused("malformed", "truncated local header")
        fields = struct.unpack_from(LOCAL_FMT, blob, pos)
        crc, size, name_len = fields[6], fields[7], fields[9]
        name_raw = bytes(view[pos + LOCAL_LEN: pos + LOCAL_LEN + name_len])
        if len(name_raw) != name_len:
            raise Refused("malformed", "truncated entry name")
        if bytes(view[pos: pos + LOCAL_LEN + name_len]) != local_header(name_raw, size, crc):
            raise Refused("malformed", f"non-canonical local header at offset {pos}")
        try:
            name = name_raw.decode("ascii")
        except UnicodeDecodeError:
            raise Refused("malformed", "entry name is not ASCII") from None
        start = pos + LOCAL_LEN + name_len
        if start + size > len(blob):
            raise Refused("malformed", f"entry {name} is truncated")
        entries.append((name, view[start: start + size], crc, pos))
        pos = start + size
    if not entries:
        raise Refused("malformed", "not a batch file (no ZIP entry at its start)")
    cd_start = pos
    for name, data, crc, offset in entries:
        expected = central_header(name.encode("ascii"), len(data), crc, offset)
        if bytes(view[pos: pos + len(expected)]) != expected:
            raise Refused("malformed", f"central directory entry of {name} does not match its local header")
        pos += len(expected)
    if bytes(view[pos:]) != end_record(len(entries), pos - cd_start, cd_start):
        raise Refused("malformed", "bad end of central directory (or bytes after it)")
    names = [e[0] for e in entries]
    if tuple(names[:3]) != FIXED_ENTRIES:
        raise Refused("malformed", f"entries {names[:3]} instead of {list(FIXED_ENTRIES)}")
    images = names[3:]
    if images != sorted(set(images)) or not all(IMAGE_RE.fullmatch(n) for n in images):
        raise Refused("malformed", "image entries are not unique, sorted images/<sha256>.<ext> names")
    for n in images:
        if n.rsplit(".", 1)[1] not in IMAGE_EXTS:
            raise Refused("malformed", f"unknown image type {n}")
    return [(name, data, crc) for name, data, crc, _ in entries]


def check_crcs(entries: list[tuple[str, memoryview, int]]) -> None:
    for name, data, crc in entries:
        if binascii.crc32(data) != crc:
            raise Refused("malformed", f"CRC-32 of {name} does not match its data")


def _canonical(data: memoryview | bytes, what: str) -> Any:
    try:
        obj = json.loads(bytes(data).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Refused("malformed", f"{what} is not UTF-8 JSON") from None
    try:
        same = canonical_json(obj) == bytes(data)
    except ValueError:
        same = False
    if not same:
        raise Refused("malformed", f"{what} is not in canonical form")
    return obj


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _check_manifest(m: Any) -> None:
    """Structure and types of a (signed) manifest."""
    def need(cond: bool, what: str) -> None:
        if not cond:
            raise Refused("malformed", f"manifest: {what}")

    need(isinstance(m, dict), "not an object")
    need(m.get("format") == FORMAT, "format")
    need(m.get("version") == FORMAT_VERSION, f"unsupported version {m.get('version')!r}")
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
    labels = m.get("labels")
    need(isinstance(labels, dict), "labels")
    for q, opts in labels.items():
        need(isinstance(opts, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in opts.items()),
             f"labels of {q}")


def verify_file(
    path: str | Path,
    trust: dict[str, bytes],
    campaign: Campaign,
    master: bytes | None = None,
    data: bytes | None = None,
) -> BatchCheck:
    """Verify one batch file on its own (the chain is checked across files)."""
    check = BatchCheck(str(path))
    try:
        blob = Path(path).read_bytes() if data is None else data
    except OSError as exc:
        check.fail("malformed", f"cannot read: {exc}")
        return check
    check.file_sha256 = hashlib.sha256(blob).hexdigest()
    try:
        _verify(check, blob, trust, campaign, master)
        check.ok = True
    except Refused as exc:
        check.fail(exc.reason, exc.detail)
        check.ballots, check.rejected_serials = [], []
    return check


def _verify(check: BatchCheck, blob: bytes, trust: dict[str, bytes], campaign: Campaign, master: bytes | None) -> None:
    entries = read_container(blob)
    by_name = {name: data for name, data, _ in entries}
    manifest_bytes = bytes(by_name[MANIFEST_NAME])

    # Who signed it, and is the signature good?
    sig = _canonical(by_name[SIGNATURE_NAME], SIGNATURE_NAME)
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
    records_data = by_name[RECORDS_NAME]
    if hashlib.sha256(records_data).hexdigest() != manifest["records"]["sha256"]:
        raise Refused("altered_record", RECORDS_NAME)
    records = _canonical(records_data, RECORDS_NAME)
    image_shas = _check_records(check, records, manifest, campaign, institution, master)

    # Images: named by their SHA-256, which the records carry.
    image_entries = [(n, d) for n, d, _ in entries if n.startswith(IMAGE_PREFIX)]
    if manifest["images"]["count"] != len(image_entries) or (image_entries and not manifest["images"]["included"]):
        raise Refused("malformed", "image count differs from the manifest")
    for name, data in image_entries:
        sha = name[len(IMAGE_PREFIX):].split(".")[0]
        if hashlib.sha256(data).hexdigest() != sha:
            raise Refused("altered_image", name)
    if manifest["images"]["included"] and {n[len(IMAGE_PREFIX):].split(".")[0] for n, _ in image_entries} != image_shas:
        raise Refused("malformed", "the images are not exactly those of the records")
    check_crcs(entries)


def _check_records(
    check: BatchCheck, records: Any, manifest: dict[str, Any], campaign: Campaign, institution: Institution,
    master: bytes | None,
) -> set[str]:
    """Structure of every record, their selections against the campaign, and
    (with the master key) every ballot's QR tag.  Fills check.ballots."""
    if not isinstance(records, list):
        raise Refused("malformed", "records is not a list")
    meta = manifest["records"]
    if len(records) != meta["count"]:
        raise Refused("malformed", "record count differs from the manifest")
    questions = {q.id: q for q in campaign.questions}
    labels = manifest["labels"]
    tag_key = None if master is None else payload.derive_institution_key(master, campaign.id, institution.id)
    campaign_hash, institution_hash = campaign.hash, institution.hash
    seen: set[str] = set()
    image_shas: set[str] = set()
    ballots: list[Ballot] = []
    rejected: list[str] = []
    keys = {"serial", "status", "selections", "decided_by", "image_sha256", "payload"}
    for rec in records:
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
        if not (isinstance(sha, str) and HEX64.fullmatch(sha)):
            raise Refused("malformed", f"{serial}: image_sha256")
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
        ballots.append(Ballot(serial, tuple(specialists), tuple(ratings)))
    if len(ballots) != meta["counted"] or len(rejected) != meta["rejected"]:
        raise Refused("malformed", "counted/rejected differ from the manifest")
    check.ballots, check.rejected_serials = ballots, rejected
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
