"""Ballot images for a batch: one image per ballot, re-encoded, no metadata.

A scan file may hold several ballots (a multi-page TIFF or PDF of a stack)
and keeps whatever its scanner or camera wrote into it (EXIF dates, camera
serial numbers, XMP, ICC profiles, PDF information).  A batch therefore
never carries the original: each ballot gets the one page it was read from,
decoded and encoded afresh in grey (``kiosk.reading.imaging.full_page``),
as JPEG when the scan was a JPEG and as PNG otherwise, with nothing but
pixels in it.  The original stays in the kiosk's store, and ``batch_images``
records which original and page each image came from.
"""
from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import KioskError
from ..reading import imaging
from ..station import Kiosk

LONG_SIDE = 2000        # pixels on the long side, at least (about 240 dpi on an A5 page)
JPEG_QUALITY = 90


@dataclass(frozen=True)
class BallotImage:
    sha256: str      # of the image's bytes: its entry name and the record's image_sha256
    ext: str         # png or jpg
    path: Path       # a temporary file holding the bytes
    original: str    # the stored original's SHA-256
    page: int        # the page of the original

    def load(self) -> bytes:
        return self.path.read_bytes()


def encode_page(path: str | Path, page: int, media_type: str) -> tuple[bytes, str]:
    """One page of a scan as the bytes of a metadata-free image, and their extension."""
    im = imaging.full_page(path, page, long_side=LONG_SIDE)
    buf = io.BytesIO()
    if media_type == "image/jpeg":
        im.save(buf, format="JPEG", quality=JPEG_QUALITY)
        return buf.getvalue(), "jpg"
    im.save(buf, format="PNG", compress_level=6)
    return buf.getvalue(), "png"


def ballot_image(kiosk: Kiosk, original: str, page: int, work: Path) -> BallotImage:
    """The image of the ballot on ``page`` of the stored original ``original``,
    written into the folder ``work`` (temporary, owner-only)."""
    info = kiosk.store.image(original)
    if info is None:
        raise KioskError("export.image_missing", sha256=original, detail="not in the database")
    path = kiosk.datadir.resolve(info["path"])
    try:
        with open(path, "rb") as fh:
            h = hashlib.sha256()
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError as exc:
        raise KioskError("export.image_missing", sha256=original,
                         detail=f"{path}: not found" if isinstance(exc, FileNotFoundError) else str(exc)) from None
    if h.hexdigest() != original:
        raise KioskError("export.image_missing", sha256=original, detail="the stored file has changed")
    try:
        data, ext = encode_page(path, page, info["media_type"])
    except KioskError as exc:
        raise KioskError("export.image_missing", sha256=original, detail=exc.message("en")) from None
    sha = hashlib.sha256(data).hexdigest()
    out = work / f"{sha}.{ext}"
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return BallotImage(sha, ext, out, original, page)
