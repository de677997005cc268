"""Demo material for screenshots and the intake benchmark: real printed ballots,
rendered with pypdfium2 and marked with a cross where a voter would.

Not used by the application itself.
"""
from __future__ import annotations

import random
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageDraw

from kiosk.ballot.spec import LayoutSpec
from kiosk.issuing.jobs import print_ballots
from kiosk.reading.imaging import PDFIUM_LOCK, render_pdf_page

MM_PER_IN = 25.4


def render_pages(pdf: Path, dpi: float = 150):
    """Every page of a PDF as a grayscale PIL image (PDFium serialised by the core)."""
    with PDFIUM_LOCK:
        doc = pdfium.PdfDocument(str(pdf))
        try:
            count = len(doc)
        finally:
            doc.close()
    for index in range(count):
        yield render_pdf_page(pdf, index, dpi=dpi, grayscale=True).convert("L")


def cross(img: Image.Image, box_mm: list[float], dpi: float, rnd: random.Random, *, ink: int = 25) -> None:
    """A voter's cross in a box (layout millimetres), a little wobbly."""
    s = dpi / MM_PER_IN
    x, y, w, h = (v * s for v in box_mm)
    d = ImageDraw.Draw(img)
    pen = max(2, round(0.55 * s))

    def j(v: float) -> float:
        return v + rnd.uniform(-0.05, 0.05) * w

    d.line([(j(x + 0.15 * w), j(y + 0.15 * h)), (j(x + 0.85 * w), j(y + 0.85 * h))], fill=ink, width=pen)
    d.line([(j(x + 0.85 * w), j(y + 0.15 * h)), (j(x + 0.15 * w), j(y + 0.85 * h))], fill=ink, width=pen)


def plan(spec: LayoutSpec, rnd: random.Random, kind: str) -> dict[str, list[str]]:
    """Which boxes a voter marks: 'vote' (one per question), 'over' (two
    specialists), 'blank_specialist' (rating only)."""
    out: dict[str, list[str]] = {}
    for n, q in enumerate(spec.questions):
        ids = [o.id for o in q.options]
        if n == 0 and kind == "over":
            out[q.id] = rnd.sample(ids, 2)
        elif n == 0 and kind == "blank_specialist":
            out[q.id] = []
        else:
            out[q.id] = [rnd.choice(ids)]
    return out


def mark_page(img: Image.Image, spec: LayoutSpec, votes: dict[str, list[str]], dpi: float,
              rnd: random.Random) -> None:
    for q in spec.questions:
        for o in q.options:
            if o.id in votes.get(q.id, []):
                cross(img, o.box, dpi, rnd)


def make_urn(kiosk, folder: Path, count: int, *, dpi: float = 150, seed: int = 7,
             mix: tuple[float, float] = (0.08, 0.05), fmt: str = "png") -> list[Path]:
    """Print ``count`` ballots, mark them, save each page as an image in ``folder``.

    ``mix``: shares of overvotes and ballots without a specialist (both go to review).
    """
    folder.mkdir(parents=True, exist_ok=True)
    pdf = folder.parent / f".{folder.name}-printed.pdf"
    result = print_ballots(kiosk, count, out=pdf)
    spec = kiosk.store.layout(kiosk.campaign.id, kiosk.institution.id, result.layout_id)
    rnd = random.Random(seed)
    paths = []
    for n, img in enumerate(render_pages(pdf, dpi)):
        r = rnd.random()
        kind = "over" if r < mix[0] else "blank_specialist" if r < mix[0] + mix[1] else "vote"
        mark_page(img, spec, plan(spec, rnd, kind), dpi, rnd)
        path = folder / f"scan-{n + 1:04d}.{fmt}"
        if fmt == "jpg":
            img.save(path, quality=85, dpi=(dpi, dpi))
        else:
            img.save(path, dpi=(dpi, dpi))
        paths.append(path)
    pdf.unlink(missing_ok=True)
    return paths
