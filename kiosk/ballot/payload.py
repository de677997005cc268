"""The ballot QR payload: what it holds, how it is tagged, how it is parsed.

Byte layout (specified in docs/ballot-format.md)::

    0      format version (1)
    1..4   campaign:    SHA-256(campaign id)[:4]
    5..8   institution: SHA-256(institution id)[:4]
    9..12  layout id, big-endian uint32 (see kiosk.ballot.layout)
    13..20 serial, 8 random bytes
    21..34 tag: HMAC-SHA256(institution key, TAG_DOMAIN || bytes 0..20)[:14]

The 35 bytes are written as "LSK:" + RFC 4648 base32 without padding
(56 characters, 60 in all), which QR's alphanumeric mode stores in a
version 3 symbol at error correction M.  Base32 keeps the payload printable
text, so both decoders return it unchanged (ZBar mangles raw binary).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import KioskError

PREFIX = "LSK:"
FORMAT_VERSION = 1
BODY_LEN = 35
SIGNED_LEN = 21
TAG_LEN = 14
SERIAL_LEN = 8
TEXT_LEN = len(PREFIX) + BODY_LEN * 8 // 5  # 60
TAG_DOMAIN = b"urn-kiosk/ballot-tag/v1\x00"
KEY_DOMAIN = b"urn-kiosk/institution-key/v1\x00"
_B32 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def derive_institution_key(master: bytes, campaign_id: str, institution_id: str) -> bytes:
    """The institution's 32-byte tag key, derived by the central office from its master key."""
    msg = KEY_DOMAIN + campaign_id.encode() + b"\x00" + institution_id.encode()
    return hmac.new(master, msg, hashlib.sha256).digest()


def new_serial() -> bytes:
    return secrets.token_bytes(SERIAL_LEN)


def serial_text(serial: bytes) -> str:
    """The human-readable form printed under the QR code: XXXX-XXXX-XXXXX."""
    s = base64.b32encode(serial).decode().rstrip("=")
    return f"{s[:4]}-{s[4:8]}-{s[8:]}"


def serial_from_text(text: str) -> bytes:
    s = text.replace("-", "").replace(" ", "").upper()
    try:
        raw = base64.b32decode(s + "=" * (-len(s) % 8))
    except (ValueError, base64.binascii.Error):
        raise KioskError("usage", detail=f"not a ballot serial: {text!r}") from None
    if len(raw) != SERIAL_LEN:
        raise KioskError("usage", detail=f"not a ballot serial: {text!r}")
    return raw


# -- the serial as printed, with check characters -------------------------------------
#
# Layouts from algorithm 2 on print the serial followed by CHECK_CHARS characters
# of the ballot's tag: "Nr. XXXX-XXXX-XXXXX-CCCC".  When the QR code is damaged, a
# person types that line; the kiosk rebuilds the payload from the serial, the
# sheet's layout and the institution key and compares the check characters with
# the rebuilt tag: the same key and the same HMAC as the QR's tag, so a typo or a
# made-up number is refused (a forger without the key guesses 20 bits).

CHECK_CHARS = 4
SERIAL_CHARS = 13  # base32 characters of an 8-byte serial
# characters people confuse with base32 ones (base32 has no 0, 1, 8 or 9)
_LOOKALIKE = str.maketrans({"0": "O", "1": "I", "8": "B"})


def check_text(tag: bytes, n: int = CHECK_CHARS) -> str:
    """The first ``n`` base32 characters of a tag: what is printed after the serial."""
    return base64.b32encode(tag).decode()[:n]


def printed_serial(p: Payload, check: int = CHECK_CHARS) -> str:
    """The serial line as printed: XXXX-XXXX-XXXXX, then -CCCC when ``check`` characters are printed."""
    text = serial_text(p.serial)
    return f"{text}-{check_text(p.tag, check)}" if check else text


@dataclass(frozen=True)
class TypedSerial:
    serial: bytes
    check: str  # "" when only the serial was typed


def parse_typed_serial(text: str) -> TypedSerial:
    """What a person typed from a ballot: the serial, with or without its check
    characters; spaces, dashes and case do not matter, and 0, 1, 8 are read as
    O, I, B (which base32 has instead)."""
    s = "".join(c for c in text.upper() if c not in " -–.").translate(_LOOKALIKE)
    if s.startswith("NR"):
        s = s[2:]
    if not _B32.issuperset(s) or len(s) not in (SERIAL_CHARS, SERIAL_CHARS + CHECK_CHARS):
        raise KioskError("payload.bad_serial_text", text=text.strip())
    body, check = s[:SERIAL_CHARS], s[SERIAL_CHARS:]
    raw = base64.b32decode(body + "=" * (-len(body) % 8))
    if serial_text(raw).replace("-", "") != body:  # the 13th character carries one unused bit
        raise KioskError("payload.bad_serial_text", text=text.strip())
    return TypedSerial(raw, check)


def rebuild_payload(typed: TypedSerial, *, key: bytes, campaign: bytes, institution: bytes,
                    layouts: Iterable[int]) -> Payload:
    """The full payload of a ballot whose QR code cannot be read, from its printed
    serial line: rebuilt with the institution key for each candidate layout and
    accepted only when the printed check characters equal the rebuilt tag's.

    Raises payload.no_check when only the serial was typed (the check characters
    are needed), payload.bad_check when they match no layout (a typo, or not
    this institution's ballot).
    """
    if not typed.check:
        raise KioskError("payload.no_check")
    for layout in layouts:
        p = make_payload(key, campaign, institution, layout, typed.serial)
        if hmac.compare_digest(check_text(p.tag, len(typed.check)), typed.check):
            return p
    raise KioskError("payload.bad_check")


@dataclass(frozen=True)
class Payload:
    campaign: bytes  # 4-byte hash
    institution: bytes  # 4-byte hash
    layout: int
    serial: bytes
    tag: bytes
    version: int = FORMAT_VERSION

    def signed_bytes(self) -> bytes:
        return struct.pack(">B4s4sI8s", self.version, self.campaign, self.institution, self.layout, self.serial)

    def text(self) -> str:
        body = self.signed_bytes() + self.tag
        return PREFIX + base64.b32encode(body).decode()

    def tag_valid(self, key: bytes) -> bool:
        return hmac.compare_digest(compute_tag(key, self.signed_bytes()), self.tag)


def compute_tag(key: bytes, signed: bytes) -> bytes:
    return hmac.new(key, TAG_DOMAIN + signed, hashlib.sha256).digest()[:TAG_LEN]


def make_payload(key: bytes, campaign: bytes, institution: bytes, layout: int, serial: bytes) -> Payload:
    unsigned = Payload(campaign, institution, layout, serial, b"")
    return Payload(campaign, institution, layout, serial, compute_tag(key, unsigned.signed_bytes()))


def decode_text(data: str | bytes) -> Payload:
    """Structural parse only (no key, no campaign): raises payload.not_ballot,
    payload.malformed or payload.bad_version."""
    if isinstance(data, bytes):
        try:
            data = data.decode("ascii")
        except UnicodeDecodeError:
            raise KioskError("payload.not_ballot") from None
    if not data.startswith(PREFIX):
        raise KioskError("payload.not_ballot")
    body_text = data[len(PREFIX):]
    if len(body_text) != TEXT_LEN - len(PREFIX):
        raise KioskError("payload.malformed", detail=f"length {len(data)}, expected {TEXT_LEN}")
    if not _B32.issuperset(body_text):
        raise KioskError("payload.malformed", detail="invalid character")
    body = base64.b32decode(body_text)
    version = body[0]
    if version != FORMAT_VERSION:
        raise KioskError("payload.bad_version", version=version)
    _, campaign, institution, layout, serial = struct.unpack(">B4s4sI8s", body[:SIGNED_LEN])
    return Payload(campaign, institution, layout, serial, body[SIGNED_LEN:], version)


def verify(
    data: str | bytes,
    *,
    campaign: bytes,
    institution: bytes,
    key: bytes,
    known_layouts: frozenset[int] | set[int] | None = None,
) -> Payload:
    """Full check of a scanned payload for one institution's kiosk.

    Each failure has its own code, checked in this order: not_ballot,
    malformed, bad_version, foreign_campaign, other_institution, bad_tag,
    unknown_layout (the layout id is covered by the tag, so an unknown layout
    with a valid tag is a genuine ballot this kiosk has no layout for).
    """
    p = decode_text(data)
    if p.campaign != campaign:
        raise KioskError("payload.foreign_campaign")
    if p.institution != institution:
        raise KioskError("payload.other_institution")
    if not p.tag_valid(key):
        raise KioskError("payload.bad_tag")
    if known_layouts is not None and p.layout not in known_layouts:
        raise KioskError("payload.unknown_layout", layout=f"{p.layout:08x}")
    return p
