"""Printed ballots as the reader meets them, for the reader's own tests.

Ballots come from the real printing code (``kiosk.issuing.jobs.print_ballots``), are
rendered with pypdfium2, marked with Pillow (a cross, a tick, a filled box,
a dot, a faint pencil cross) and degraded like a scanner or a camera would
(rotation, skew, perspective, noise, blur, uneven light).  Box positions are
taken from the layout spec, so a mark lands where a voter's would.
"""
from __future__ import annotations

import io
import random
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from kiosk.ballot.spec import LayoutSpec
from kiosk.intake.context import read_context
from kiosk.issuing.jobs import print_ballots
from kiosk.reading.imaging import render_pdf_page

MM_PER_IN = 25.4


def print_pdf(kiosk, tmp: Path, count: int = 1, page_size: str = "a5") -> tuple[Path, LayoutSpec, list[bytes]]:
    out = tmp / f"ballots-{page_size}-{count}.pdf"
    n = 0
    while out.exists():
        n += 1
        out = tmp / f"ballots-{page_size}-{count}-{n}.pdf"
    res = print_ballots(kiosk, count, out=out, page_size=page_size)
    spec = kiosk.store.layout(kiosk.campaign.id, kiosk.institution.id, res.layout_id)
    return out, spec, res.serials


def render(pdf: Path, page: int = 0, dpi: float = 200) -> Image.Image:
    """A printed page as the scanner would see it (PDFium serialised by the core: UI
    workers may be rendering at the same time)."""
    return render_pdf_page(pdf, page, dpi=dpi, grayscale=True).convert("L")


def box_px(spec: LayoutSpec, question: str, option: str, dpi: float) -> tuple[float, float, float, float]:
    for q in spec.questions:
        if q.id == question:
            for o in q.options:
                if o.id == option:
                    x, y, w, h = o.box
                    s = dpi / MM_PER_IN
                    return x * s, y * s, w * s, h * s
    raise KeyError((question, option))


def mark(img: Image.Image, spec: LayoutSpec, question: str, option: str, dpi: float,
         kind: str = "cross", ink: int = 30, pen_mm: float = 0.5, rnd: random.Random | None = None) -> None:
    """Draw a voter's mark into one box of an upright rendered page."""
    rnd = rnd or random.Random(0)
    x, y, w, h = box_px(spec, question, option, dpi)
    d = ImageDraw.Draw(img)
    pen = max(1, round(pen_mm * dpi / MM_PER_IN))

    def j(v: float) -> float:  # a little hand wobble
        return v + rnd.uniform(-0.06, 0.06) * w

    if kind == "cross":
        d.line([(j(x + 0.15 * w), j(y + 0.15 * h)), (j(x + 0.85 * w), j(y + 0.85 * h))], fill=ink, width=pen)
        d.line([(j(x + 0.85 * w), j(y + 0.15 * h)), (j(x + 0.15 * w), j(y + 0.85 * h))], fill=ink, width=pen)
    elif kind == "big_cross":  # overrunning the box
        d.line([(x - 0.25 * w, y - 0.25 * h), (x + 1.25 * w, y + 1.25 * h)], fill=ink, width=pen)
        d.line([(x + 1.25 * w, y - 0.25 * h), (x - 0.25 * w, y + 1.25 * h)], fill=ink, width=pen)
    elif kind == "tick":
        d.line([(j(x + 0.2 * w), j(y + 0.55 * h)), (j(x + 0.42 * w), j(y + 0.8 * h)), (j(x + 0.85 * w), j(y + 0.18 * h))],
               fill=ink, width=pen, joint="curve")
    elif kind == "fill":
        d.rectangle([x + 0.1 * w, y + 0.1 * h, x + 0.9 * w, y + 0.9 * h], fill=ink)
    elif kind == "dot":
        r = max(1.0, 0.5 * dpi / MM_PER_IN)
        cx, cy = x + 0.5 * w, y + 0.5 * h
        d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=ink)
    elif kind == "faint":  # light pencil cross
        mark(img, spec, question, option, dpi, "cross", ink=185, pen_mm=pen_mm, rnd=rnd)
    else:
        raise ValueError(kind)


def ballot(kiosk, tmp: Path, votes: dict[str, tuple[str, ...] | str] | None = None, *, dpi: float = 200,
           page_size: str = "a5", kind: str = "cross", seed: int = 0,
           kinds: dict[tuple[str, str], str] | None = None) -> tuple[Image.Image, LayoutSpec, bytes]:
    """One freshly printed, rendered and marked ballot (upright, clean).

    ``votes`` maps question id -> option id(s); the default votes for the
    first specialist and a rating of 4.  ``kinds``: another kind of mark for
    some boxes, {(question, option): "dot"}.
    """
    pdf, spec, serials = print_pdf(kiosk, tmp, 1, page_size)
    img = render(pdf, 0, dpi)
    if votes is None:
        votes = {spec.questions[0].id: spec.questions[0].options[0].id, "rating": "4"}
    rnd = random.Random(seed)
    for q, opts in votes.items():
        for o in ((opts,) if isinstance(opts, str) else opts):
            mark(img, spec, q, o, dpi, (kinds or {}).get((q, o), kind), rnd=rnd)
    return img, spec, serials[0]


def scans(kiosk, folder: Path, votes_list, tmp: Path, prefix: str = "scan",
          kinds: list[dict[tuple[str, str], str] | None] | None = None) -> list[Path]:
    """One printed, marked ballot per entry of ``votes_list``, saved as PNG scans in ``folder``
    (``kinds``: per ballot, marks other than a cross, as ``ballot`` takes them)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for n, votes in enumerate(votes_list):
        img, _spec, _serial = ballot(kiosk, tmp, votes, seed=n, kinds=(kinds or [None] * len(votes_list))[n])
        out.append(folder / f"{prefix}-{n:03d}.png")
        img.save(out[-1])
    return out


# -- degradations ---------------------------------------------------------------

def rotate(img: Image.Image, degrees: float) -> Image.Image:
    """Rotate counter-clockwise; multiples of 90 are exact, others fill with paper."""
    if degrees % 90 == 0:
        return img.rotate(degrees, expand=True)
    return img.rotate(degrees, resample=Image.BICUBIC, expand=True, fillcolor=250)


def scanner(img: Image.Image, *, skew: float = 0.0, noise: float = 6.0, paper: int = 238, seed: int = 0) -> Image.Image:
    """Grey paper, sensor noise and a little skew, like an office scanner."""
    a = np.asarray(img, dtype=np.float32) * (paper / 255.0)
    rng = np.random.default_rng(seed)
    a += rng.normal(0, noise, a.shape)
    out = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    if skew:
        out = out.rotate(skew, resample=Image.BICUBIC, expand=True, fillcolor=paper)
    return out.filter(ImageFilter.GaussianBlur(0.6))


def _perspective_coeffs(dst: list[tuple[float, float]], src: list[tuple[float, float]]) -> list[float]:
    """Coefficients for Image.transform(PERSPECTIVE): output point -> input point."""
    a, b = [], []
    for (x, y), (u, v) in zip(dst, src):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y]); b.append(u)
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y]); b.append(v)
    return list(np.linalg.solve(np.array(a, dtype=np.float64), np.array(b, dtype=np.float64)))


def photo(img: Image.Image, size: tuple[int, int] = (1280, 720), *, seed: int = 0, fill: float = 0.92,
          tilt: float = 0.12, blur: float = 0.9, light: float = 0.35, turn: float = 90.0) -> Image.Image:
    """A camera frame of the sheet: perspective, a dark desk, uneven light, blur, noise.

    The sheet (portrait) lies turned by ``turn`` degrees in a landscape frame,
    its corners pulled about by ``tilt`` (a share of the sheet's size)."""
    rng = random.Random(seed)
    W, H = size
    src = img.rotate(turn, expand=True) if turn else img
    sw, sh = src.size
    s = min(W / sw, H / sh) * fill
    cw, ch = sw * s, sh * s
    x0, y0 = (W - cw) / 2, (H - ch) / 2
    quad = [(x0, y0), (x0 + cw, y0), (x0 + cw, y0 + ch), (x0, y0 + ch)]
    quad = [(qx + rng.uniform(-tilt, tilt) * cw * 0.5, qy + rng.uniform(-tilt, tilt) * ch * 0.5) for qx, qy in quad]
    coeffs = _perspective_coeffs(quad, [(0, 0), (sw, 0), (sw, sh), (0, sh)])
    desk = Image.new("L", size, 60)
    mask = Image.new("L", src.size, 255).transform(size, Image.PERSPECTIVE, coeffs, Image.BILINEAR)
    sheet = src.transform(size, Image.PERSPECTIVE, coeffs, Image.BICUBIC)
    frame = Image.composite(sheet, desk, mask)
    a = np.asarray(frame, dtype=np.float32)
    yy, xx = np.mgrid[0:H, 0:W]
    gx, gy = rng.uniform(-1, 1), rng.uniform(-1, 1)
    shade = 1.0 - light * (0.5 + 0.5 * (gx * (xx / W - 0.5) + gy * (yy / H - 0.5)) * 2) / 1.0
    a = a * np.clip(shade, 0.4, 1.0) * 0.92
    a += np.random.default_rng(seed).normal(0, 4.0, a.shape)
    out = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    return out.filter(ImageFilter.GaussianBlur(blur)) if blur else out


def jpeg_bytes(img: Image.Image, quality: int = 85, dpi: float | None = None) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, **({"dpi": (dpi, dpi)} if dpi else {}))
    return buf.getvalue()


def read(kiosk, img: Image.Image, **kw: Any):
    """The reader's interpretation of a page image, as a scan would get it."""
    from kiosk.reading.reader import read_sheet

    ctx = read_context(kiosk)
    return read_sheet(np.asarray(img.convert("L")), layouts=ctx.layouts, verify=ctx.verify(), **kw)


def forged_pdf(kiosk, tmp: Path, *, key: bytes | None = None, campaign: bytes | None = None,
               layout: int | None = None, name: str = "forged.pdf") -> Path:
    """A ballot drawn with the kiosk's layout but a payload of our choosing."""
    from kiosk.ballot import payload
    from kiosk.ballot.pdf import write_pdf

    spec = kiosk.layout()
    serial = payload.new_serial()
    p = payload.make_payload(key or kiosk.tag_key, campaign or kiosk.campaign.hash, kiosk.institution.hash,
                             spec.id if layout is None else layout, serial)
    out = tmp / name
    write_pdf(spec, [(p.text(), payload.serial_text(serial))], out)
    return out
