"""A ballot's own image from a batch file: what the central office looks at when copies of
a serial disagree (``kiosk.central.tally.SerialConflict``: each copy names its file).

``ballot_image(path, serial)`` returns ``(extension, bytes)`` of the serial's image in that
batch, or None when the batch carries no images (``kiosk export`` without ``--images``) or
the serial is not in it.  The batch should have been verified (``verify_batches``); the image
is checked against the SHA-256 its record names all the same, and the sizes the verifier
accepts are the limits here too.
"""
from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

from ..batches.format import (
    IMAGE_PREFIX,
    MANIFEST_NAME,
    MAX_RECORDS_BYTES,
    RECORDS_NAME,
)
from ..errors import KioskError

MAX_IMAGE_BYTES = 256 << 20  # one scan: a page image, never this large


def ballot_image(path: str | Path, serial: str) -> tuple[str, bytes] | None:
    """The image of ``serial`` in the batch file ``path``: (extension, bytes), or None."""
    try:
        with zipfile.ZipFile(path) as z:
            manifest_info = z.getinfo(MANIFEST_NAME)
            if manifest_info.file_size > 1 << 20:
                raise KioskError("central.image", detail=f"{path}: {MANIFEST_NAME} too large")
            if not json.loads(z.read(manifest_info))["images"]["included"]:
                return None
            records_info = z.getinfo(RECORDS_NAME)
            if records_info.file_size > MAX_RECORDS_BYTES:
                raise KioskError("central.image", detail=f"{path}: {RECORDS_NAME} too large")
            sha = next((r.get("image_sha256") for r in json.loads(z.read(records_info))
                        if isinstance(r, dict) and r.get("serial") == serial), None)
            if not isinstance(sha, str):
                return None
            names = [n for n in z.namelist() if n.startswith(f"{IMAGE_PREFIX}{sha}.")]
            if len(names) != 1:
                raise KioskError("central.image", detail=f"{path}: the image of {serial} is missing")
            info = z.getinfo(names[0])
            if info.file_size > MAX_IMAGE_BYTES:
                raise KioskError("central.image", detail=f"{path}: the image of {serial} is too large")
            data = z.read(info)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
        raise KioskError("central.image", detail=f"{path}: {exc}") from None
    if hashlib.sha256(data).hexdigest() != sha:
        raise KioskError("central.image", detail=f"{path}: the image of {serial} does not match its hash")
    return names[0].rsplit(".", 1)[1], data
