"""Key files of a data directory, written with owner-only permissions.

- ``keys/institution.key``: the institution's 32-byte ballot-tag key (hex).
  Every kiosk of the institution and the central office hold it; nobody else.
- ``keys/kiosk-ed25519.pem``: this kiosk's private signing key for batches.
- ``kiosk.pub``: its public key (raw 32 bytes, hex), handed to the central office.

A kiosk's **enrollment certificate** binds its id to its public key under the
institution key: ``HMAC-SHA256(institution key, CERT_DOMAIN || kiosk id || 0x00 ||
public key)``.  Every batch carries it (docs/batch-format.md, version 3), so the
central office, which derives every institution key from the campaign master key,
trusts every enrolled kiosk without collecting its ``.pub`` file.
"""
from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from .. import platform
from ..errors import KioskError

CERT_DOMAIN = b"urn-kiosk/kiosk-certificate/v1\x00"


def write_private(path: Path, data: bytes) -> None:
    """Create or replace a file readable by its owner only, atomically."""
    platform.write_private(path, data)


def read_hex_key(path: Path) -> bytes:
    try:
        text = path.read_text(encoding="ascii").strip()
        key = bytes.fromhex(text)
    except FileNotFoundError:
        raise KioskError("enroll.bad_key", detail=f"{path}: not found") from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise KioskError("enroll.bad_key", detail=f"{path}: {exc}") from None
    if len(key) != 32:
        raise KioskError("enroll.bad_key", detail=f"{path}: expected 32 bytes, found {len(key)}")
    return key


def write_hex_key(path: Path, key: bytes) -> None:
    write_private(path, key.hex().encode() + b"\n")


def new_signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def save_signing_key(path: Path, key: Ed25519PrivateKey) -> None:
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    write_private(path, pem)


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise KioskError("enroll.bad_key", detail=f"{path}: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KioskError("enroll.bad_key", detail=f"{path}: not an Ed25519 key")
    return key


def public_hex(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def load_public_hex(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(bytes.fromhex(text.strip()))


def kiosk_certificate(institution_key: bytes, kiosk_id: str, public_key: bytes) -> str:
    """The enrollment certificate (64 hex digits) of ``kiosk_id`` holding the raw Ed25519 ``public_key``."""
    msg = CERT_DOMAIN + kiosk_id.encode("ascii") + b"\x00" + public_key
    return hmac.new(institution_key, msg, hashlib.sha256).hexdigest()


def certificate_valid(institution_key: bytes, kiosk_id: str, public_key: bytes, certificate: str) -> bool:
    if not (isinstance(kiosk_id, str) and kiosk_id.isascii() and isinstance(certificate, str) and certificate.isascii()):
        return False
    return hmac.compare_digest(kiosk_certificate(institution_key, kiosk_id, public_key), certificate)
