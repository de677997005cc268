"""Input images: files in, grayscale pages out, at the resolution the reader works at.

``iter_pages(path)`` reads PNG, JPEG, TIFF (every frame) and PDF (every page,
image-only scans and vector PDFs alike, rendered with pypdfium2) and yields
each page as a 2-D uint8 numpy array.  The file type comes from the file's
first bytes, never from its name.

Pages are brought to about 150 dpi on the way in (a long side of at least
``WORK_LONG_SIDE`` pixels): ballots are read at that print-equivalent
resolution, which is plenty for a 6 mm box and much faster than a 600-dpi
scan.  JPEGs are decoded at reduced scale by libjpeg itself (``draft``),
PNG and TIFF pages are box-averaged by an integer factor, PDF pages are
rendered at the right scale.  ``load_page`` gives the review screen exactly
the image the reader measured, so the stored geometry (pixels) applies to it.

Failures carry the reader's reason codes (``PageError.reason``):
``empty_file``, ``unsupported_file``, ``corrupt_file``, ``encrypted`` (a PDF
that needs a password), ``too_large`` (more pixels than ``Limits.max_pixels``:
a decompression bomb is refused before it is decoded; a PDF page is refused
before it is rendered), ``file_too_large`` and ``too_many_pages``.  Whatever a
decoder raises on a hostile file becomes ``corrupt_file``: one file never
ends a batch.

``Limits`` are the resource caps (pages per file, pixels per page, bytes per
file, frames per video); each kiosk may set its own (``kiosk.access.settings``).
"""
from __future__ import annotations

import os
import struct
import sys
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps

from ..errors import KioskError

MAX_PIXELS = 90_000_000  # about Pillow's MAX_IMAGE_PIXELS; an A4 page at 600 dpi is 35 Mpx
MAX_FILE_BYTES = 1 << 30  # a ballot scan file of more than 1 GiB is refused unread
MAX_PAGES = 500  # pages of one file: a 200,000-page PDF of 1.2 MB is refused, not read for hours
MAX_VIDEO_FRAMES = 108_000  # an hour of 30 fps video
WORK_LONG_SIDE = 1150  # pixels: ~140 dpi on an A5 page, more on a smaller photo
PDF_LONG_SIDE = 1300  # PDF pages are rendered with this long side

MEDIA_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "tiff": "image/tiff", "pdf": "application/pdf"}
EXTENSIONS = {"png": "png", "jpeg": "jpg", "tiff": "tif", "pdf": "pdf"}


@dataclass(frozen=True)
class Limits:
    """Resource caps of reading: anything above is refused with its own reason."""

    max_pages: int = MAX_PAGES  # pages (or TIFF frames) of one file: too_many_pages
    max_pixels: int = MAX_PIXELS  # pixels of one page or embedded image: too_large
    max_file_bytes: int = MAX_FILE_BYTES  # bytes of one file: file_too_large
    max_video_frames: int = MAX_VIDEO_FRAMES  # decoded frames of one video: video_too_long


DEFAULT_LIMITS = Limits()
# what a decoder may raise on a damaged or hostile file (Pillow raises TypeError
# "Missing dimensions" for a TIFF frame still being written, struct.error, ...)
DECODER_ERRORS = (OSError, SyntaxError, ValueError, EOFError, MemoryError, TypeError, KeyError, IndexError,
                  AttributeError, ZeroDivisionError, OverflowError, RuntimeError, struct.error)


class PageError(KioskError):
    """A file or page the reader cannot take: ``reason`` is the sheet's reason code."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        super().__init__(f"sheet.{reason}", detail=detail)


@dataclass
class Page:
    number: int  # 1-based within the file
    gray: np.ndarray  # 2-D uint8, at working resolution
    scale: float  # original pixels per working pixel (1.0: not reduced)
    dpi: float | None  # estimate at working resolution (None when unknown)
    original_size: tuple[int, int]  # (width, height) of the page as stored


def sniff(head: bytes) -> str | None:
    """The file kind from its first bytes: png, jpeg, tiff, pdf, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")):
        return "tiff"
    if b"%PDF-" in head[:1024]:
        return "pdf"
    return None


def file_kind(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> str:
    """Sniff a file; raises PageError (empty_file, unsupported_file, file_too_large)."""
    size = os.path.getsize(path)
    if size == 0:
        raise PageError("empty_file")
    if size > limits.max_file_bytes:
        raise PageError("file_too_large", detail=f"{size} > {limits.max_file_bytes}")
    with open(path, "rb") as fh:
        kind = sniff(fh.read(1024))
    if kind is None:
        raise PageError("unsupported_file")
    return kind


def page_count(path: str | Path, kind: str | None = None, limits: Limits = DEFAULT_LIMITS) -> int:
    """How many pages the file holds (cheap: headers only); more than
    ``limits.max_pages`` raises too_many_pages, a damaged file corrupt_file."""
    kind = kind or file_kind(path, limits)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a damaged file's warnings are its failure, said below
            if kind == "pdf":
                with _pdf(path) as pdf:
                    n = len(pdf)
            elif kind == "tiff":
                with _open_image(path) as im:
                    n = _tiff_frames(im, limits.max_pages + 1)
            else:
                return 1
    except PageError:
        raise
    except DECODER_ERRORS as exc:
        raise PageError("corrupt_file", detail=_detail(exc)) from None
    if n < 1:
        raise PageError("empty_file", detail="no pages")
    if n > limits.max_pages:
        counted = str(n) if kind == "pdf" else f"{limits.max_pages}+"  # a TIFF is counted up to the cap only
        raise PageError("too_many_pages", detail=f"{counted} > {limits.max_pages}")
    return n


def _tiff_frames(im: Image.Image, stop: int) -> int:
    """Frames of a TIFF, counted up to ``stop`` (Pillow's n_frames walks them all).
    A frame that cannot be reached (a file cut short while it was written) raises
    corrupt_file with ``pages_ok``: the frames before it are whole and readable."""
    n = 1
    while n < stop:
        try:
            im.seek(n)
        except EOFError:
            break
        except DECODER_ERRORS as exc:
            err = PageError("corrupt_file", detail=f"page {n + 1}: {_detail(exc)}")
            err.pages_ok = n  # type: ignore[attr-defined]
            raise err from None
        n += 1
    return n


def _detail(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def iter_pages(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[Page | PageError]:
    """Every page of the file in order.

    A failure of the whole file (empty, not an image, unreadable header)
    raises PageError; a failure of one page of a multi-page file is yielded
    in its place (its ``number`` attribute says which) and the rest follow.
    """
    kind = file_kind(path, limits)
    n = page_count(path, kind, limits)
    for number in range(1, n + 1):
        try:
            yield read_page(path, number, kind, limits)
        except PageError as exc:
            exc.number = number  # type: ignore[attr-defined]
            if n == 1:
                raise
            yield exc


def read_page(path: str | Path, number: int, kind: str | None = None, limits: Limits = DEFAULT_LIMITS) -> Page:
    """One page (1-based) at working resolution; raises PageError."""
    kind = kind or file_kind(path, limits)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a damaged file's warnings are its failure, said below
            if kind == "pdf":
                return _pdf_page(path, number, limits)
            return _raster_page(path, number, kind, limits)
    except PageError:
        raise
    except Image.DecompressionBombError as exc:  # a later frame of a TIFF
        raise PageError("too_large", detail=str(exc)) from None
    except DECODER_ERRORS as exc:
        # Pillow's truncated/broken-file errors are OSError/SyntaxError/ValueError; a
        # TIFF frame still being written raises TypeError; any of them is this file's end
        raise PageError("corrupt_file", detail=_detail(exc)) from None


def load_page(path_or_stored_image: str | Path | dict[str, Any], page: int = 1) -> Image.Image:
    """The page as the reader saw it (mode L), for the review screen.

    Takes a path, or a stored image row (``Store.image(sha)``: its ``path``).
    Pixel coordinates in a stored interpretation refer to this image.
    """
    path = path_or_stored_image["path"] if isinstance(path_or_stored_image, dict) else path_or_stored_image
    return Image.fromarray(read_page(path, page).gray, "L")


# -- raster files ---------------------------------------------------------

def full_page(path: str | Path, number: int = 1, *, long_side: int = 2000) -> Image.Image:
    """One page (1-based) as a new mode-L image that carries nothing but its pixels.

    For a copy of the page that leaves the kiosk: upright as the file says
    (EXIF orientation applied), in grey, a raster page reduced by an integer
    factor while its long side stays at least ``long_side``, a PDF page
    rendered with that long side.  No metadata of the file (EXIF, XMP, ICC
    profile, resolution, comments, PDF information) is carried over."""
    kind = file_kind(path)
    try:
        if kind == "pdf":
            gray = _to_gray(_render_long_side(path, number, long_side))
        else:
            with _open_image(path) as im:
                if number > 1:
                    im.seek(number - 1)
                width, height = im.size
                if width * height > MAX_PIXELS:
                    raise PageError("too_large", detail=f"{width}x{height} pixels")
                im.load()
                gray = _to_gray(ImageOps.exif_transpose(im))
            factor = max(1, max(gray.size) // long_side)
            if factor > 1:
                gray = gray.reduce(factor)
    except PageError:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
        raise PageError("corrupt_file", detail=str(exc) or type(exc).__name__) from None
    return Image.frombytes("L", gray.size, gray.tobytes())  # a fresh image: no info dictionary at all


def _open_image(path: str | Path) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            im = Image.open(path)
        except Image.DecompressionBombError as exc:
            raise PageError("too_large", detail=str(exc)) from None
        except DECODER_ERRORS as exc:
            raise PageError("corrupt_file", detail=_detail(exc)) from None
    return im


def reduction_factor(width: int, height: int) -> int:
    """The integer factor that brings a page near WORK_LONG_SIDE (never below it)."""
    return max(1, max(width, height) // WORK_LONG_SIDE)


def _raster_page(path: str | Path, number: int, kind: str, limits: Limits = DEFAULT_LIMITS) -> Page:
    with _open_image(path) as im:
        if number > 1:
            try:
                im.seek(number - 1)
            except EOFError:
                raise PageError("corrupt_file", detail=f"no page {number}") from None
        width, height = im.size
        if width < 1 or height < 1:
            raise PageError("corrupt_file", detail="zero-sized image")
        if width * height > limits.max_pixels:
            raise PageError("too_large", detail=f"{width}x{height} pixels")
        dpi = _dpi(im.info.get("dpi"))
        factor = reduction_factor(width, height)
        if kind == "jpeg":
            # libjpeg gives the luminance only (no colour conversion) and scales
            # by 1/2, 1/4 or 1/8 while decoding: far less work
            im.draft("L", (width // factor, height // factor))
        im.load()
        gray = _to_gray(im)
    drafted = max(1, round(width / gray.width))  # libjpeg's 1/2, 1/4, 1/8 (sizes rounded up)
    rest = max(1, factor // drafted)
    if rest > 1:
        gray = gray.reduce(rest)
    scale = float(drafted * rest)
    return Page(number, _array(gray), scale, dpi / scale if dpi else None, (width, height))


def _to_gray(im: Image.Image) -> Image.Image:
    """Any Pillow mode as 8-bit grey; transparency is paper, 16-bit is scaled, not clipped."""
    mode = im.mode
    if mode == "L":
        return im
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        a = np.asarray(im.convert("F") if mode != "F" else im, dtype=np.float64)
        top = 65535.0 if a.max(initial=0) > 255 else 255.0 if a.max(initial=0) > 1.0 else 1.0
        return Image.fromarray(np.clip(a * (255.0 / top), 0, 255).astype(np.uint8), "L")
    if mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("L")
    return im.convert("L")


_spare = threading.local()  # this thread's last page buffer, reused once nothing refers to it


def _array(im: Image.Image) -> np.ndarray:
    """A mode-L image as a numpy array.

    ``np.asarray(im)`` goes through ``tobytes`` (chunked encoding, then a
    join: ~1.5 ms per megapixel); pasting into an image that shares a numpy
    buffer is a row-wise memcpy.  A fresh buffer costs its page faults
    (~1 ms per megapixel) on every page, so the thread's previous buffer is
    reused when no one holds it any more (its reference count says so).
    """
    arr = getattr(_spare, "arr", None)
    if arr is None or arr.shape != (im.height, im.width) or sys.getrefcount(arr) > 3:  # _spare, arr, the call
        arr = np.empty((im.height, im.width), dtype=np.uint8)
        _spare.arr = arr
    del arr
    arr = _spare.arr
    try:
        shared = Image.frombuffer("L", im.size, arr, "raw", "L", 0, 1)
        shared.readonly = 0  # paste into the shared buffer instead of a private copy
        shared.paste(im, (0, 0))
    except (AttributeError, ValueError, TypeError):  # pragma: no cover - a Pillow without this layout
        return np.asarray(im)
    return arr


def _dpi(value: Any) -> float | None:
    try:
        x = float(value[0])
    except (TypeError, ValueError, IndexError):
        return None
    return x if 100 <= x <= 2400 else None  # 72/96 mean "unknown" for most writers


# -- PDF --------------------------------------------------------------------

# PDFium is not thread-safe: no two of its calls may run at once in one process,
# not even on different documents (pypdfium2's documentation: it crashes or
# corrupts the process).  Every use in this process -- the reader, the review
# screen, the print preview -- holds this lock, from opening a document to
# closing its last page and bitmap (their finalizers are PDFium calls too).
PDFIUM_LOCK = threading.RLock()


class _pdf:
    """A pypdfium2 document as a context manager holding PDFIUM_LOCK, failures as reader reasons."""

    def __init__(self, path: str | Path) -> None:
        self.path = path

    def __enter__(self):
        import pypdfium2 as pdfium

        PDFIUM_LOCK.acquire()
        try:
            self.doc = pdfium.PdfDocument(str(self.path))
        except pdfium.PdfiumError as exc:
            PDFIUM_LOCK.release()
            if getattr(exc, "err_code", None) == pdfium.raw.FPDF_ERR_PASSWORD:
                raise PageError("encrypted", detail=str(exc)) from None
            raise PageError("corrupt_file", detail=str(exc)) from None
        except BaseException:
            PDFIUM_LOCK.release()
            raise
        return self.doc

    def __exit__(self, *exc: object) -> None:
        try:
            self.doc.close()
        finally:
            PDFIUM_LOCK.release()


def render_pdf_page(path: str | Path, index: int = 0, *, width_px: int | None = None, dpi: float | None = None,
                    grayscale: bool = False) -> Image.Image:
    """Page ``index`` (0-based) of a PDF as a PIL image that owns its pixels,
    ``width_px`` wide or at ``dpi``; safe to call from any thread."""
    with _pdf(path) as pdf:
        page = pdf[index]
        try:
            scale = width_px / page.get_width() if width_px else (dpi or 72.0) / 72.0
            bitmap = page.render(scale=scale, grayscale=grayscale)
            try:
                return bitmap.to_pil().copy()  # to_pil() shares the bitmap's buffer
            finally:
                bitmap.close()
        finally:
            page.close()


def _render_long_side(path: str | Path, number: int, long_side: int) -> Image.Image:
    """Page ``number`` (1-based) of a PDF rendered in grey with this long side."""
    import pypdfium2 as pdfium

    with _pdf(path) as pdf:
        if not 1 <= number <= len(pdf):
            raise PageError("corrupt_file", detail=f"no page {number}")
        page = pdf[number - 1]
        try:
            w_pt, h_pt = page.get_size()
            if not (w_pt > 0 and h_pt > 0):
                raise PageError("corrupt_file", detail="zero-sized page")
            bitmap = page.render(scale=long_side / max(w_pt, h_pt), grayscale=True)
            try:
                return bitmap.to_pil().copy()
            finally:
                bitmap.close()
        except pdfium.PdfiumError as exc:
            raise PageError("corrupt_file", detail=str(exc)) from None
        finally:
            page.close()


def _pdf_page(path: str | Path, number: int, limits: Limits = DEFAULT_LIMITS) -> Page:
    import pypdfium2 as pdfium

    with _pdf(path) as pdf:
        if not 1 <= number <= len(pdf):
            raise PageError("corrupt_file", detail=f"no page {number}")
        page = None
        try:
            page = pdf[number - 1]
            w_pt, h_pt = page.get_size()
            if not (w_pt > 0 and h_pt > 0):
                raise PageError("corrupt_file", detail="zero-sized page")
            scale = PDF_LONG_SIDE / max(w_pt, h_pt)
            for obj in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE]):
                iw, ih = obj.get_px_size()  # pdfium would decode a bomb whole to render it
                if iw * ih > limits.max_pixels:
                    raise PageError("too_large", detail=f"embedded image {iw}x{ih} pixels")
            bitmap = page.render(scale=scale, grayscale=True)
            try:
                gray = np.array(bitmap.to_numpy(), copy=True)
            finally:
                bitmap.close()
        except pdfium.PdfiumError as exc:
            raise PageError("corrupt_file", detail=str(exc)) from None
        finally:
            if page is not None:
                page.close()
    if gray.ndim == 3:
        gray = gray[:, :, 0]
    return Page(number, gray, 1.0, 72.0 * scale, (gray.shape[1], gray.shape[0]))
