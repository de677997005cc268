"""Central office: verify signed batches.

``verify_batches`` checks every file on its own (container, signature, key,
records hash, campaign, records, images, optionally every ballot's QR tag),
reading it once from front to back in bounded memory (a file of any size:
its JSON entries have size limits, images are hashed in chunks), and then
each kiosk's chain (batch numbers 1..n, each carrying the SHA-256 of
the one before).  Each failure is named by a reason (``REASONS``); ``kiosk.central.tally``
counts the accepted batches only, each serial once.  Format:
docs/batch-format.md.

Trust: a kiosk's key is trusted when it is in the trust directory
(``<kiosk-id>.pub``) or when the batch carries the kiosk's enrollment
certificate (format version 3) and the campaign master key derives the
institution key that made it.  A revoked kiosk's batches from a date on are
refused (``Revocations``, applied with the chains).

For the window: ``verify_batches(..., progress=...)`` reports each file;
``kiosk_chains(checks)`` gives each kiosk's chain state (complete, missing batch N, forked,
broken, revoked); ``chained(files, revocations)`` works the chains out again over files
verified earlier (when files are added or the revocation list changes).

Speed: the records of a batch are read by a strict reader first (one regular
expression over the canonical text, every QR payload of a chunk decoded at once,
the tags checked without building an object per ballot); anything it does not
recognise goes to the general reader from that chunk on, which names the first
bad record exactly as before.  A counted ballot is kept as its serial and the
index of its choices among the batch's distinct choices.
"""
from __future__ import annotations

import binascii
import datetime as dt
import gc
import hashlib
import hmac
import io
import json
import os
import re
import struct
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ..ballot import payload
from ..ballot.campaign import Campaign, Institution
from ..ballot.keys import certificate_valid
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

try:  # OpenSSL's HMAC object: keyed once per batch, copied per ballot (half the hashing of a fresh HMAC)
    from _hashlib import hmac_new as _hmac_new
except ImportError:  # pragma: no cover - a Python built without OpenSSL
    _hmac_new = None


def _tagger(key: bytes) -> Callable[[bytes], bytes]:
    """HMAC-SHA256 under ``key`` of one message (the ballot tag's MAC), keyed once."""
    keyed = _hmac_new(key, digestmod="sha256") if _hmac_new is not None else hmac.new(key, digestmod="sha256")
    copy = keyed.copy

    def mac(message: bytes) -> bytes:
        h = copy()
        h.update(message)
        return h.digest()

    return mac

REASONS = (
    "malformed", "unknown_key", "bad_signature", "wrong_campaign", "altered_record", "altered_image",
    "bad_tag", "replayed_batch", "missing_batch", "broken_chain", "too_large", "revoked",
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
MANIFEST_KEYS[3] = MANIFEST_KEYS[2] | {"certificate"}
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


@dataclass(frozen=True, slots=True)
class Choice:
    """What one ballot says, shared by every ballot of a batch that says the same."""

    specialists: tuple[tuple[str, str], ...]  # (question id, specialist id)
    ratings: tuple[int, ...]
    choices: tuple[tuple[str, str], ...] | None = None  # every (question id, option id) marked, sorted
    decided_by: str = "machine"

    @property
    def key(self) -> tuple:
        """What the voter chose: two copies of a serial agree when their keys are equal."""
        return self.choices if self.choices is not None else (self.specialists, self.ratings)


@dataclass(slots=True)
class Ballot:
    """A counted record, reduced to what the tally needs (a view: batches keep serials and choices)."""

    serial: str
    specialists: tuple[tuple[str, str], ...]  # (question id, specialist id)
    ratings: tuple[int, ...]
    choices: tuple[tuple[str, str], ...] | None = None  # every (question id, option id) marked, sorted
    decided_by: str = "machine"

    @property
    def key(self) -> tuple:
        """What the voter chose: two copies of a serial agree when their keys are equal."""
        return self.choices if self.choices is not None else (self.specialists, self.ratings)

    @property
    def choice(self) -> Choice:
        return Choice(self.specialists, self.ratings, self.choices, self.decided_by)


class BatchCheck:
    """The outcome of verifying one batch file.

    Its counted ballots are kept compactly: ``serials[i]`` says ``choices[codes[i]]``
    (a million ballots are a million short strings and four bytes each).
    ``ballots`` gives them as ``Ballot`` objects; ``ballots=`` builds a check from them."""

    def __init__(self, path: str, file_sha256: str = "", ok: bool = False, reason: str | None = None,
                 detail: str = "", kiosk_id: str | None = None, institution_id: str | None = None,
                 batch: int | None = None, previous_sha256: str | None = None,
                 manifest: dict[str, Any] | None = None, ballots: Iterable[Ballot] = (),
                 rejected_serials: Iterable[str] = (), rejected_by: Iterable[str] = ()) -> None:
        self.path = path
        self.file_sha256 = file_sha256
        self.ok = ok
        self.reason = reason
        self.detail = detail
        self.kiosk_id = kiosk_id
        self.institution_id = institution_id
        self.batch = batch
        self.previous_sha256 = previous_sha256
        self.manifest: dict[str, Any] = manifest if manifest is not None else {}
        self.serials: list[str] = []  # counted ballots
        self.codes = array("I")  # per counted ballot: its index in ``choices``
        self.choices: list[Choice] = []  # the distinct choices of this batch
        self.rejected_serials: list[str] = list(rejected_serials)  # ballots a person rejected in review
        self.rejected_by: list[str] = list(rejected_by)  # the role that rejected each (same order)
        self.certified = False  # trusted through its enrollment certificate (not a trust directory)
        self.file_reason: str | None = None  # the file's own outcome, before chains and revocations
        self.file_detail = ""
        index: dict[Choice, int] = {}
        for b in ballots:
            self.add(b.serial, index.setdefault(b.choice, len(index)))
        self.choices = list(index)

    def add(self, serial: str, code: int) -> None:
        self.serials.append(serial)
        self.codes.append(code)

    @property
    def ballots(self) -> list[Ballot]:
        return [Ballot(serial, c.specialists, c.ratings, c.choices, c.decided_by)
                for serial, c in zip(self.serials, map(self.choices.__getitem__, self.codes))]

    @property
    def counted(self) -> int:
        return len(self.serials)

    @property
    def created_at(self) -> str | None:
        return self.manifest.get("created_at") if self.manifest else None

    def clear(self) -> None:
        """Forget the ballots (the batch does not count)."""
        self.serials, self.codes, self.choices = [], array("I"), []
        self.rejected_serials, self.rejected_by = [], []

    def fail(self, reason: str, detail: str = "") -> None:
        self.ok, self.reason, self.detail = False, reason, detail

    def copy(self) -> BatchCheck:
        """A check sharing this one's ballots, whose outcome may be changed on its own."""
        other = BatchCheck.__new__(BatchCheck)
        other.__dict__.update(self.__dict__)
        return other

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
            "certified": self.certified,  # trusted through its enrollment certificate
        }

    def __repr__(self) -> str:
        return (f"BatchCheck({self.path!r}, ok={self.ok}, reason={self.reason!r}, kiosk_id={self.kiosk_id!r}, "
                f"batch={self.batch}, counted={self.counted})")


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
    shared: Shared | None = None,
) -> BatchCheck:
    """Verify one batch file on its own (the chain is checked across files).

    The file is read once, front to back: the three JSON entries are read
    (each refused above its size limit), images are hashed in chunks, so the
    memory needed does not grow with the file.  A file above
    ``MAX_BATCH_BYTES`` is refused unread (``too_large``).  With the campaign
    master key, a version 3 batch's enrollment certificate makes its key trusted
    and every ballot's QR tag is checked.  ``shared``: what files verified together
    share (the choices already seen), for speed only."""
    check = BatchCheck(str(path))
    _verify_file(check, path, trust, campaign, master, data, shared or Shared())
    check.file_reason, check.file_detail = check.reason, check.detail
    return check


def _verify_file(check: BatchCheck, path: str | Path, trust: dict[str, bytes], campaign: Campaign,
                 master: bytes | None, data: bytes | None, shared: Shared) -> None:
    try:
        fp: BinaryIO = io.BytesIO(data) if data is not None else open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        check.fail("malformed", f"cannot read: {exc}")
        return
    try:
        size = len(data) if data is not None else os.fstat(fp.fileno()).st_size
        if size > MAX_BATCH_BYTES:
            check.fail("too_large", f"{size} > {MAX_BATCH_BYTES} bytes")
            return
        reader = _Reader(fp, size)
        try:
            _verify(check, reader, trust, campaign, master, shared)
            check.ok = True
        except Refused as exc:
            check.fail(exc.reason, exc.detail)
            check.clear()
        except OSError as exc:
            check.fail("malformed", f"cannot read: {exc}")
            check.clear()
        while reader.read(CHUNK):  # whatever was not read yet, for the file's hash
            pass
        check.file_sha256 = reader.hash.hexdigest()
    finally:
        fp.close()


def _verify(check: BatchCheck, r: _Reader, trust: dict[str, bytes], campaign: Campaign, master: bytes | None,
            shared: Shared) -> None:
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
                image_shas = _check_content(check, fixed, trust, campaign, master, shared)
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


def _canonical_records(text: str, pos: int = 1) -> Iterator[Any]:
    """The records of ``records.json`` from ``pos`` on (1, or the start of a record just
    after a comma), checked to be in canonical form (so the whole array is ``[``
    records joined by ``,`` ``]``) a chunk at a time before they are yielded: never
    the whole list of them in memory at once."""
    decoder = json.JSONDecoder()
    if not text.startswith("["):
        raise Refused("malformed", f"{RECORDS_NAME} is not a list")
    if pos == 1 and text[pos:pos + 1] == "]":
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
        if m["version"] >= 3:  # the enrollment certificate
            need(isinstance(m.get("certificate"), str) and bool(HEX64.fullmatch(m["certificate"])), "certificate")
        need(set(m) == MANIFEST_KEYS[m["version"]], "keys")
    labels = m.get("labels")
    need(isinstance(labels, dict), "labels")
    for q, opts in labels.items():
        need(isinstance(opts, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in opts.items()),
             f"labels of {q}")


def _check_content(check: BatchCheck, fixed: dict[str, bytes], trust: dict[str, bytes], campaign: Campaign,
                   master: bytes | None, shared: Shared) -> set[str]:
    """Signature, manifest, trust and records (checks 2-12 of docs/batch-format.md);
    returns the image hashes the records name."""
    manifest_bytes = fixed[MANIFEST_NAME]

    # Is the signature good (with the key it names)?
    sig = _canonical(fixed[SIGNATURE_NAME], SIGNATURE_NAME)
    if not (isinstance(sig, dict) and set(sig) == {"algorithm", "public_key", "signature"}
            and sig["algorithm"] == "ed25519" and isinstance(sig["public_key"], str)
            and isinstance(sig["signature"], str) and HEX64.fullmatch(sig["public_key"])
            and HEX128.fullmatch(sig["signature"])):
        raise Refused("malformed", f"{SIGNATURE_NAME} fields")
    public = bytes.fromhex(sig["public_key"])
    owners = {kid for kid, key in trust.items() if key == public}
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(bytes.fromhex(sig["signature"]), SIGN_DOMAIN + manifest_bytes)
    except InvalidSignature:
        who = ", ".join(sorted(owners)) if owners else f"public key {sig['public_key'][:16]}…"
        raise Refused("bad_signature", f"key of {who}") from None

    manifest = _canonical(manifest_bytes, MANIFEST_NAME)
    _check_manifest(manifest)
    check.manifest = manifest
    kiosk_id = check.kiosk_id = manifest["kiosk_id"]
    check.batch = manifest["batch"]
    check.institution_id, check.previous_sha256 = manifest["institution_id"], manifest["previous_sha256"]
    if manifest["campaign_id"] != campaign.id:
        raise Refused("wrong_campaign", f"{manifest['campaign_id']} ≠ {campaign.id}")
    institution = next((i for i in campaign.institutions if i.id == manifest["institution_id"]), None)
    if institution is None:
        raise Refused("wrong_campaign", f"institution {manifest['institution_id']} is not in {campaign.id}")

    # Is the key trusted: in the trust directory, or certified by the institution key?
    certificate = manifest.get("certificate")
    if master is not None and certificate is not None:
        institution_key = payload.derive_institution_key(master, campaign.id, institution.id)
        if certificate_valid(institution_key, kiosk_id, public, certificate):
            owners.add(kiosk_id)
            check.certified = True
        elif kiosk_id not in owners:
            raise Refused("unknown_key", f"the enrollment certificate of {kiosk_id} does not verify with the key "
                                         f"of {institution.id}")
    if kiosk_id not in owners:
        if owners:
            raise Refused("unknown_key", f"the key of {', '.join(sorted(owners))} signed a batch of {kiosk_id}")
        if certificate is None and master is not None:
            raise Refused("unknown_key", f"public key {sig['public_key'][:16]}… of {kiosk_id}: a version "
                                         f"{manifest['version']} batch carries no enrollment certificate")
        raise Refused("unknown_key", f"public key {sig['public_key'][:16]}… of {kiosk_id}")

    # Records: their bytes are covered by the signed manifest.
    records_data = fixed[RECORDS_NAME]
    if hashlib.sha256(records_data).hexdigest() != manifest["records"]["sha256"]:
        raise Refused("altered_record", RECORDS_NAME)
    try:
        text = records_data.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("malformed", f"{RECORDS_NAME} is not UTF-8 JSON") from None
    return _check_records(check, text, manifest, campaign, institution, master, shared)


# -- records ---------------------------------------------------------------------

class _Slow(Exception):
    """The strict reader does not recognise a chunk: the general reader takes over."""


# One record of the strict reader: canonical JSON of the documented shape with ids,
# roles and hashes of the usual characters only (nothing to escape), each field a group.
# A record is preceded by the "[" that opens the array or by a ",".
_ID = r"[a-z0-9_-]{1,64}"
_SELECTIONS = rf'\{{(?:"{_ID}":\[(?:"{_ID}")?\](?:,"{_ID}":\[(?:"{_ID}")?\])*)?\}}'
_FAST_RECORD = re.compile(
    r'(?:\A\[|,)\{"decided_by":"([a-z_]{1,32})","image_sha256":(null|"[0-9a-f]{64}"),"payload":"LSK:([A-Z2-7]{56})",'
    rf'"selections":(null|{_SELECTIONS}),"serial":"([A-Z2-7]{{4}}-[A-Z2-7]{{4}}-[A-Z2-7]{{5}})",'
    r'"status":"(counted|rejected)"\}')
_FAST_SAMPLE = ('[{"decided_by":"m","image_sha256":null,"payload":"LSK:' + "A" * 56
                + '","selections":null,"serial":"AAAA-AAAA-AAAAA","status":"counted"}')
_FAST_FIXED = len(_FAST_SAMPLE) - sum(map(len, _FAST_RECORD.match(_FAST_SAMPLE).groups()))  # the literal characters
_RECORD_START = ',{"decided_by":"'  # can only start a record: its quote opens a string
FAST_CHUNK = 1 << 20  # characters of records.json read by the strict reader at a time
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
# base32 letters as int(..., 32) digits; a serial as printed becomes 16 digits: its 13 letters
# (65 bits, the last one padding, its dashes deleted) followed by "000"
_B32_BYTES = bytes.maketrans(_B32.encode(), b"0123456789abcdefghijklmnopqrstuv")
_REJECTED = -1
_NULL = "null"


class Shared:
    """What the files of one verification share, for speed only: each distinct counted
    selections text (with its role) checked against the campaign once, as its ``Choice``
    and the (question, option) pairs each batch must label (None: the strict reader does not
    take it).  One campaign only."""

    def __init__(self) -> None:
        self.choices: dict[tuple[str, str], tuple[Choice, tuple[tuple[str, str], ...]] | None] = {}


_UNSEEN = object()
_SEL_ITEM = re.compile(rf'"({_ID})":\[(?:"({_ID})")?\]')


def _fast_choice(questions: dict[str, Any], sel: str, role: str) -> tuple[Choice, tuple[tuple[str, str], ...]] | None:
    """A selections text matched by the strict reader (``{"q":["o"],"r":[]}``), checked as
    ``_Records.code`` checks a parsed one: canonical (question ids strictly ascending), every
    question in the campaign, a rating within its scale.  None when anything is not so."""
    specialists: list[tuple[str, str]] = []
    ratings: list[int] = []
    pairs: list[tuple[str, str]] = []
    previous = ""
    for qid, oid in _SEL_ITEM.findall(sel):
        if qid <= previous:  # canonical JSON sorts keys; a key twice is not canonical
            return None
        previous = qid
        q = questions.get(qid)
        if q is None:
            return None
        if not oid:
            continue
        pairs.append((qid, oid))
        if q.type == "specialist":
            specialists.append((qid, oid))
        elif oid.isdigit() and 1 <= int(oid) <= q.scale:
            ratings.append(int(oid))
        else:
            return None
    return Choice(tuple(specialists), tuple(ratings), tuple(pairs), role), tuple(pairs)


class _Records:
    """The records of one batch as they are read: both readers add to it in file order."""

    def __init__(self, check: BatchCheck, manifest: dict[str, Any], campaign: Campaign, institution: Institution,
                 master: bytes | None, shared: Shared | None = None) -> None:
        self.check = check
        self.shared = shared or Shared()
        self.meta = manifest["records"]
        self.version = manifest["version"]
        self.images = manifest["images"]["included"]
        self.labels = manifest["labels"]
        self.questions = {q.id: q for q in campaign.questions}
        self.tag_key = None if master is None else payload.derive_institution_key(master, campaign.id, institution.id)
        self.mac = None if self.tag_key is None else _tagger(self.tag_key)
        self.campaign_hash, self.institution_hash = campaign.hash, institution.hash
        self.count = 0
        self.seen: set[str] = set()
        self.image_shas: set[str] = set()
        self.codes: dict[Choice, int] = {}  # the batch's distinct choices
        self.by_text: dict[tuple[str, str, str], int] = {}  # the strict reader's (status, selections, role) -> code

    # -- what both readers share ----------------------------------------------------
    def code(self, serial: str, sel: Any, decided_by: str) -> int:
        """The index of a counted record's choices (checked against the campaign and the labels)."""
        if not isinstance(sel, dict):
            raise Refused("malformed", f"{serial}: selections")
        specialists: list[tuple[str, str]] = []
        ratings: list[int] = []
        for qid, options in sel.items():
            q = self.questions.get(qid)
            if q is None:
                raise Refused("wrong_campaign", f"{serial}: question {qid} is not in the campaign")
            if not isinstance(options, list) or len(options) > 1 or not all(isinstance(o, str) for o in options):
                raise Refused("malformed", f"{serial}: question {qid} has {options!r}")
            if not options:
                continue
            oid = options[0]
            if oid not in self.labels.get(qid, {}):
                raise Refused("malformed", f"{serial}: option {oid} of {qid} has no label")
            if q.type == "specialist":
                specialists.append((qid, oid))
            else:
                if not (oid.isdigit() and 1 <= int(oid) <= q.scale):
                    raise Refused("malformed", f"{serial}: rating {oid!r} out of 1..{q.scale}")
                ratings.append(int(oid))
        choices = tuple(sorted((qid, opts[0]) for qid, opts in sel.items() if opts))
        choice = Choice(tuple(specialists), tuple(ratings), choices, decided_by)
        code = self.codes.setdefault(choice, len(self.codes))
        if code == len(self.check.choices):
            self.check.choices.append(choice)
        return code

    def finish(self) -> set[str]:
        if self.count != self.meta["count"]:
            raise Refused("malformed", "record count differs from the manifest")
        if self.check.counted != self.meta["counted"] or len(self.check.rejected_serials) != self.meta["rejected"]:
            raise Refused("malformed", "counted/rejected differ from the manifest")
        return self.image_shas

    # -- the general reader: one record at a time, every failure named -----------------
    def record(self, rec: Any) -> None:
        self.count += 1
        if self.count > self.meta["count"]:
            raise Refused("malformed", "record count differs from the manifest")
        if not (isinstance(rec, dict) and rec.keys() == RECORD_KEYS):
            raise Refused("malformed", "record fields")
        serial, status = rec["serial"], rec["status"]
        if not (isinstance(serial, str) and SERIAL_RE.fullmatch(serial)):
            raise Refused("malformed", f"serial {serial!r}")
        if serial in self.seen:
            raise Refused("malformed", f"serial {serial} twice in one batch")
        self.seen.add(serial)
        if status not in STATUSES or not isinstance(rec["decided_by"], str) or not rec["decided_by"]:
            raise Refused("malformed", f"{serial}: status or decided_by")
        sha = rec["image_sha256"]
        if self.version >= 2 and not self.images:
            if sha is not None:  # version 2: a record names an image only when the batch carries it
                raise Refused("malformed", f"{serial}: image_sha256 without images")
        elif not (isinstance(sha, str) and HEX64.fullmatch(sha)):
            raise Refused("malformed", f"{serial}: image_sha256")
        elif self.version >= 2 and sha in self.image_shas:  # version 2: every ballot its own image
            raise Refused("malformed", f"{serial}: image shared with another record")
        else:
            self.image_shas.add(sha)
        try:
            p = payload.decode_text(rec["payload"])
        except KioskError as exc:
            raise Refused("malformed", f"{serial}: payload {exc.code}") from None
        if payload.serial_text(p.serial) != serial:
            raise Refused("malformed", f"{serial}: payload of another serial")
        if p.campaign != self.campaign_hash or p.institution != self.institution_hash:
            raise Refused("wrong_campaign", f"{serial}: ballot of another campaign or institution")
        if self.tag_key is not None and not p.tag_valid(self.tag_key):
            raise Refused("bad_tag", serial)
        if status == "rejected":
            if rec["selections"] is not None:
                raise Refused("malformed", f"{serial}: a rejected ballot has selections")
            self.check.rejected_serials.append(serial)
            self.check.rejected_by.append(rec["decided_by"])
            return
        self.check.add(serial, self.code(serial, rec["selections"], rec["decided_by"]))

    # -- the strict reader: a chunk of records at once ---------------------------------
    def fast_code(self, sel: str, role: str) -> int:
        """The index of a counted record's choices from its canonical selections text (as the
        strict reader matched it), checked as ``code`` checks them; ``_Slow`` if anything is
        not so.  Each distinct text is checked against the campaign once for all files."""
        entry = self.shared.choices.get((sel, role), _UNSEEN)
        if entry is _UNSEEN:
            entry = self.shared.choices[(sel, role)] = _fast_choice(self.questions, sel, role)
        if entry is None:
            raise _Slow
        choice, pairs = entry
        labels = self.labels
        for qid, oid in pairs:
            if oid not in labels.get(qid, ()):
                raise _Slow
        code = self.codes.setdefault(choice, len(self.codes))
        if code == len(self.check.choices):
            self.check.choices.append(choice)
        return code

    def chunk(self, text: str, start: int, end: int) -> None:
        """The records in ``text[start:end]`` (each preceded by ``[`` or ``,``), all at once;
        ``_Slow`` when anything is not as a kiosk writes it (nothing is changed then)."""
        fields = _FAST_RECORD.findall(text, start, end)
        n = len(fields)
        if not n:
            raise _Slow
        by, images, bodies, sels, serials, statuses = zip(*fields)
        # the records found are consecutive and cover the chunk: it is exactly these records
        if n * _FAST_FIXED + sum(sum(map(len, col)) for col in (by, images, bodies, sels, serials, statuses)) \
                != end - start:
            raise _Slow
        if self.count + n > self.meta["count"]:
            raise _Slow
        if len(set(serials)) != n or not self.seen.isdisjoint(serials):
            raise _Slow
        # images: none without images (version 2 on), else each a hash, one per record (version 2 on)
        if self.version >= 2 and not self.images:
            if images.count(_NULL) != n:
                raise _Slow
            shas: set[str] = set()
        else:
            if _NULL in images:
                raise _Slow
            shas = {sha[1:-1] for sha in images}
            if self.version >= 2 and (len(shas) != n or not self.image_shas.isdisjoint(shas)):
                raise _Slow
        # the QR payloads, decoded all at once: 35 bytes each
        raw = int("".join(bodies).encode("ascii").translate(_B32_BYTES), 32).to_bytes(payload.BODY_LEN * n, "big")
        step = payload.BODY_LEN
        if raw[0::step] != bytes((payload.FORMAT_VERSION,)) * n:
            raise _Slow
        for k, (c, i) in enumerate(zip(self.campaign_hash, self.institution_hash)):
            if raw[1 + k::step] != bytes((c,)) * n or raw[5 + k::step] != bytes((i,)) * n:
                raise _Slow
        # each serial as printed is its payload's serial: 8 bytes, then the padding bit and 15 zero bits
        printed = int(("000".join(serials) + "000").encode("ascii").translate(_B32_BYTES, b"-"), 32).to_bytes(
            10 * n, "big")
        if printed[8::10] != bytes(n) or printed[9::10] != bytes(n):
            raise _Slow
        if any(printed[k::10] != raw[13 + k::step] for k in range(payload.SERIAL_LEN)):
            raise _Slow
        if self.tag_key is not None:
            signed = payload.SIGNED_LEN
            domain = payload.TAG_DOMAIN
            macs = b"".join(map(self.mac,
                                [domain + raw[o:o + signed] for o in range(0, step * n, step)]))
            if any(macs[k::32] != raw[signed + k::step] for k in range(payload.TAG_LEN)):
                raise _Slow
        # what each record says: a few distinct (status, selections, role) in a batch
        keys = list(zip(statuses, sels, by))
        known = self.by_text
        for key in set(keys).difference(known):
            status, sel, role = key
            if status == "rejected":
                if sel != _NULL:
                    raise _Slow
                code = _REJECTED
            else:
                code = self.fast_code(sel, role)
            known[key] = code
        codes = list(map(known.__getitem__, keys))
        # nothing failed: record the chunk
        self.count += n
        self.seen.update(serials)
        self.image_shas |= shas
        if _REJECTED in codes:
            for serial, code, role in zip(serials, codes, by):
                if code == _REJECTED:
                    self.check.rejected_serials.append(serial)
                    self.check.rejected_by.append(role)
                else:
                    self.check.add(serial, code)
        else:
            self.check.serials.extend(serials)
            self.check.codes.extend(codes)


RECORD_KEYS = frozenset({"serial", "status", "selections", "decided_by", "image_sha256", "payload"})


def _check_records(check: BatchCheck, text: str, manifest: dict[str, Any], campaign: Campaign,
                   institution: Institution, master: bytes | None, shared: Shared | None = None) -> set[str]:
    """Structure of every record, their selections against the campaign, and (with the
    master key) every ballot's QR tag; fills the check's ballots.  The strict reader
    takes the records a chunk at a time; from the first chunk it does not recognise on,
    the general reader reads record by record (and names the first bad one)."""
    state = _Records(check, manifest, campaign, institution, master, shared or Shared())
    slow_from: int | None = 1
    last = len(text) - 1
    if text == "[]":
        slow_from = None
    elif text.startswith("[{") and text.endswith("}]"):
        pos = 0
        while pos < last:
            end = text.find(_RECORD_START, pos + FAST_CHUNK, last)
            end = last if end < 0 else end
            try:
                state.chunk(text, pos, end)
            except _Slow:
                slow_from = pos + 1
                break
            pos = end
        else:
            slow_from = None
    if slow_from is not None:
        for rec in _canonical_records(text, slow_from):
            state.record(rec)
    return state.finish()


# -- revocations -------------------------------------------------------------------

DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_revocations(text: str, name: str = "revocations") -> dict[str, dt.date | None]:
    """A revocation list: one kiosk id per line, optionally followed by the date (UTC,
    YYYY-MM-DD) from which its batches are refused; without a date, every batch of it.
    ``#`` starts a comment.  Every bad line is named at once."""
    out: dict[str, dt.date | None] = {}
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if len(words) > 2 or not KIOSK_ID.fullmatch(words[0]):
            problems.append(f"{name}:{number}: {line.strip()!r} is not 'kiosk-xxxxxxxx [YYYY-MM-DD]'")
            continue
        since = None
        if len(words) == 2:
            try:
                if not DATE_RE.fullmatch(words[1]):
                    raise ValueError
                since = dt.date.fromisoformat(words[1])
            except ValueError:
                problems.append(f"{name}:{number}: {words[1]!r} is not a date (YYYY-MM-DD)")
                continue
        if words[0] in out:
            problems.append(f"{name}:{number}: {words[0]} is listed twice")
            continue
        out[words[0]] = since
    if problems:
        raise KioskError("central.revocations", detail="; ".join(problems))
    return out


def load_revocations(path: str | Path) -> dict[str, dt.date | None]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise KioskError("central.revocations", detail=f"{path}: {exc}") from None
    return parse_revocations(text, Path(path).name)


def revoked_since(check: BatchCheck, revocations: dict[str, dt.date | None]) -> str | None:
    """The date (or "the start") from which ``check``'s kiosk is revoked, when the batch
    was made on or after it; None when the batch is not revoked."""
    if check.kiosk_id not in revocations:
        return None
    since = revocations[check.kiosk_id]
    if since is None:
        return "the start"
    made = (check.created_at or "")[:10]
    return since.isoformat() if made >= since.isoformat() else None


# -- many files: the chains ------------------------------------------------------

def verify_batches(
    paths: list[str | Path], trust: dict[str, bytes], campaign: Campaign, master: bytes | None = None,
    revocations: dict[str, dt.date | None] | None = None, *,
    progress: Callable[[int, int], None] | None = None,
) -> list[BatchCheck]:
    """Verify every file, then every kiosk's chain.  Only an unbroken chain
    from batch 1 counts: a batch after a gap (missing, failed to verify, or
    revoked) is held back as missing_batch; a second copy of a batch is a replay.

    ``trust``: kiosk id -> raw public key (``load_trust``; may be empty when ``master`` is
    given: version 3 batches are trusted through their certificates).  ``revocations``:
    ``parse_revocations``/``load_revocations``.  ``progress(done, total)`` is called after
    each file (a worker reports it; raising from it stops the verification)."""
    shared = Shared()
    checks = []
    # The cyclic garbage collector pauses meanwhile: verification makes no reference cycles
    # worth collecting, and the collector's full passes over every choice and batch kept so
    # far cost a sixth of the time for a million ballots.  Reference counting frees as usual.
    enabled = gc.isenabled()
    gc.disable()
    try:
        for n, p in enumerate(paths, start=1):
            checks.append(verify_file(p, trust, campaign, master, shared=shared))
            if progress is not None:
                progress(n, len(paths))
    finally:
        if enabled:
            gc.enable()
    check_chains(checks, revocations)
    return checks


@dataclass(frozen=True)
class KioskChain:
    """One kiosk's batches as received and the state of its chain: what the window shows per
    kiosk and what a report says of it.

    ``state``: ``complete`` (batches 1..last all counted), ``forked`` (``at``: a number
    received as two different files), ``revoked`` (``at``: its first revoked batch),
    ``missing`` (``at``: the first number not received, or received only as a file that
    failed on its own), ``broken`` (``at``: a batch not following the one before)."""

    kiosk_id: str
    institution_id: str
    received: int  # files that name this kiosk and a batch number
    accepted: int  # batches that count (an unbroken chain from 1)
    numbers: tuple[int, ...]  # the batch numbers among those files, sorted, each once
    state: str
    at: int | None = None
    missing: tuple[int, ...] = ()  # numbers below the last not received as a file that verified
    forked: tuple[int, ...] = ()  # numbers received as two different files
    excluded: tuple[tuple[str, str, str], ...] = ()  # (file, reason, detail) of its files that do not count

    @property
    def last(self) -> int:
        """The highest batch number received (0 when none)."""
        return self.numbers[-1] if self.numbers else 0


def kiosk_chains(checks: list[BatchCheck]) -> list[KioskChain]:
    """Each kiosk's chain, by kiosk id, from checks whose chains were worked out
    (``verify_batches``, ``chained`` or ``check_chains``).  A file that verified on its own
    (``file_reason`` None) is received whatever the chain says of it; files naming no kiosk
    or no batch number are part of no chain."""
    by_kiosk: dict[str, list[BatchCheck]] = defaultdict(list)
    for c in checks:
        if c.kiosk_id is not None and c.batch is not None:
            by_kiosk[c.kiosk_id].append(c)
    return [_kiosk_chain(kiosk_id, by_kiosk[kiosk_id]) for kiosk_id in sorted(by_kiosk)]


def _kiosk_chain(kiosk_id: str, checks: list[BatchCheck]) -> KioskChain:
    numbers = tuple(sorted({c.batch for c in checks}))
    last = numbers[-1]
    received: dict[int, set[str]] = defaultdict(set)
    for c in checks:
        if c.file_reason is None:
            received[c.batch].add(c.file_sha256)
    forked = tuple(n for n in numbers if len(received.get(n, ())) > 1)
    missing = tuple(n for n in range(1, last + 1) if n not in received)
    revoked = sorted(c.batch for c in checks if c.reason == "revoked")
    broken = sorted(c.batch for c in checks if c.reason == "broken_chain")
    if forked:
        state, at = "forked", forked[0]
    elif revoked:
        state, at = "revoked", revoked[0]
    elif missing:
        state, at = "missing", missing[0]
    elif broken:
        state, at = "broken", broken[0]
    else:
        state, at = "complete", None
    institution = next((c.institution_id for c in checks if c.institution_id), "")
    return KioskChain(kiosk_id, institution, len(checks), sum(1 for c in checks if c.ok), numbers, state, at,
                      missing, forked, tuple((c.path, c.reason or "", c.detail) for c in checks if not c.ok))


def chained(files: list[BatchCheck], revocations: dict[str, dt.date | None] | None = None) -> list[BatchCheck]:
    """The chains over files verified earlier (``verify_file``), with these revocations:
    new checks sharing the files' ballots, the files' own outcomes untouched (so the
    chains can be worked out again when files or revocations change)."""
    checks = []
    for f in files:
        c = f.copy()
        c.ok, c.reason, c.detail = f.file_reason is None, f.file_reason, f.file_detail
        checks.append(c)
    check_chains(checks, revocations)
    return checks


def check_chains(checks: list[BatchCheck], revocations: dict[str, dt.date | None] | None = None) -> None:
    for c in checks:
        since = revoked_since(c, revocations or {}) if c.ok else None
        if since is not None:
            c.fail("revoked", f"{c.kiosk_id} is revoked from {since}")
    by_kiosk: dict[str, dict[int, list[BatchCheck]]] = defaultdict(lambda: defaultdict(list))
    failed_numbers: dict[str, dict[int, BatchCheck]] = defaultdict(dict)
    unidentified = False  # a file failed before it said which batch it is
    for c in checks:
        if c.ok:
            by_kiosk[c.kiosk_id][c.batch].append(c)
        elif c.kiosk_id is not None and c.batch is not None:
            failed_numbers[c.kiosk_id].setdefault(c.batch, c)
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
                failed = failed_numbers[kiosk_id].get(expected)
                if failed is not None and failed.reason == "revoked":
                    why = "is revoked"
                elif failed is not None:
                    why = f"failed verification ({failed.path})"
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
