"""QR decoding behind one small function with two backends.

``decode(gray)`` takes a 2-D uint8 numpy array (grayscale: pyzbar silently
reads only the first channel of a colour array, so colour is never passed)
and returns the QR symbols found, each with its text and its four corners in
pixel coordinates (top-left, top-right, bottom-right, bottom-left of the
symbol as printed, whatever the image's rotation).

- ``zxing`` (default): zxing-cpp, restricted to QR codes.  Fast, no system
  library, good on camera photos.
- ``zbar``: pyzbar over libzbar0 (the original design's choice).

Select with ``backend=`` or the KIOSK_QR_BACKEND environment variable.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..errors import KioskError

BACKENDS = ("zxing", "zbar")


@dataclass(frozen=True)
class Symbol:
    text: str
    corners: tuple[tuple[float, float], ...]  # TL, TR, BR, BL in image pixels


def default_backend() -> str:
    name = os.environ.get("KIOSK_QR_BACKEND", "zxing").lower()
    return name if name in BACKENDS else "zxing"


@lru_cache(maxsize=None)
def _zxing():
    try:
        import zxingcpp
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise KioskError("qr.backend_unavailable", backend="zxing", detail=str(exc)) from None
    return zxingcpp


@lru_cache(maxsize=None)
def _zbar():
    try:
        from pyzbar import pyzbar
    except (ImportError, OSError) as exc:
        raise KioskError("qr.backend_unavailable", backend="zbar", detail=str(exc)) from None
    return pyzbar


def decode(gray: np.ndarray, backend: str | None = None) -> list[Symbol]:
    if gray.ndim != 2 or gray.dtype != np.uint8:
        raise ValueError("decode() takes a 2-D uint8 grayscale array")
    backend = backend or default_backend()
    if backend == "zxing":
        return _decode_zxing(gray)
    if backend == "zbar":
        return _decode_zbar(gray)
    raise KioskError("qr.backend_unavailable", backend=backend, detail="unknown backend")


# A cheap pass at the image's own scale first (no rotated, downscaled or inverted
# retries: about half the time on a webcam frame, and it finds every printed
# ballot's code on the test corpora), then the thorough one.
_ZXING_PASSES = (
    {"try_rotate": False, "try_downscale": False, "try_invert": False},
    {"try_rotate": True, "try_downscale": True, "try_invert": True},
)


def _decode_zxing(gray: np.ndarray) -> list[Symbol]:
    zx = _zxing()
    image = np.ascontiguousarray(gray)
    for options in _ZXING_PASSES:
        out = []
        for r in zx.read_barcodes(image, formats=zx.BarcodeFormat.QRCode, **options):
            if r.valid:
                p = r.position
                out.append(Symbol(r.text, tuple((float(pt.x), float(pt.y))
                                                for pt in (p.top_left, p.top_right, p.bottom_right, p.bottom_left))))
        if out:
            return out
    return []


def _decode_zbar(gray: np.ndarray) -> list[Symbol]:
    zb = _zbar()
    h, w = gray.shape
    results = zb.decode((np.ascontiguousarray(gray).tobytes(), w, h), symbols=[zb.ZBarSymbol.QRCODE])
    out = []
    for r in results:
        try:
            text = r.data.decode("utf-8")
        except UnicodeDecodeError:
            text = r.data.decode("latin-1")
        pts = [(float(x), float(y)) for x, y in r.polygon]
        out.append(Symbol(text, _order_corners(pts, r.orientation)))
    return out


def _order_corners(pts: list[tuple[float, float]], orientation: str | None) -> tuple[tuple[float, float], ...]:
    """ZBar gives a polygon plus the symbol's orientation (UP, RIGHT, DOWN, LEFT).

    Reduce the polygon to four corners in image-clockwise order starting at
    the image's top-left-most point, then rotate the list so it starts at the
    symbol's own top-left corner.
    """
    if len(pts) != 4:
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        pts = [(min(xs), min(ys)), (max(xs), min(ys)), (max(xs), max(ys)), (min(xs), max(ys))]
    cx = sum(p[0] for p in pts) / 4
    cy = sum(p[1] for p in pts) / 4
    pts = sorted(pts, key=lambda p: np.arctan2(p[1] - cy, p[0] - cx))  # clockwise on screen, from the left
    start = min(range(4), key=lambda i: pts[i][0] + pts[i][1])
    pts = pts[start:] + pts[:start]
    shift = {"UP": 0, "RIGHT": 1, "DOWN": 2, "LEFT": 3}.get(orientation or "UP", 0)
    pts = pts[shift:] + pts[:shift]
    return tuple(pts)
