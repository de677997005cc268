"""Ballot PDFs: one ballot per page, drawn from a layout spec.

Everything that is the same on every page (marks, texts, boxes) is drawn
once into a PDF form XObject; each page then adds only its QR code and
serial.  That keeps a 1,000-ballot job fast and its file small.

Where a printer has no A5 paper, A5 ballots go two to an A4 sheet
(``per_sheet=2``): each turned a quarter and at full size, one above the other,
with a dashed cut line between them, as offices cut them by hand.  Nothing is
ever shrunk.  The file carries no creation time (``invariant``): ballots on
paper or in a folder do not tell when they were printed.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import zxingcpp
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas

from ..errors import KioskError
from .layout import FONT, PAGES_MM, QR_ERROR, QR_VERSION, font_name, register_fonts
from .spec import LayoutSpec

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


class PrintCancelled(Exception):
    pass


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR symbol's modules (no quiet zone), version 3, error correction M.

    zxing-cpp's encoder (C++, with full mask selection) takes ~0.1 ms; the
    same library decodes the ballots back.
    """
    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level=QR_ERROR, version=QR_VERSION)
    img = np.asarray(code.to_image(scale=1, add_quiet_zones=False))
    size = 17 + 4 * QR_VERSION
    if img.shape != (size, size):
        raise ValueError(f"payload does not fit a version {QR_VERSION} QR code: {img.shape}")
    return (img < 128).tolist()


def _runs(row: Sequence[bool]) -> list[tuple[int, int]]:
    out, start = [], None
    for i, dark in enumerate(row):
        if dark and start is None:
            start = i
        elif not dark and start is not None:
            out.append((start, i - start))
            start = None
    if start is not None:
        out.append((start, len(row) - start))
    return out


class BallotCanvas:
    """Draws ballots of one layout into one PDF file, one per page or two per A4 sheet."""

    def __init__(self, spec: LayoutSpec, path: str | Path, per_sheet: int = 1) -> None:
        register_fonts()
        self.spec = spec
        self.W, self.H = spec.page_mm
        self.per_sheet = per_sheet
        if per_sheet == 1:
            self.sheet = (self.W, self.H)
        elif per_sheet == 2 and spec.page == "a5":
            self.sheet = PAGES_MM["a4"]
        else:
            raise ValueError(f"{per_sheet} {spec.page} ballots per sheet")
        self.c = rl_canvas.Canvas(str(path), pagesize=(self.sheet[0] * mm, self.sheet[1] * mm), pageCompression=1,
                                  invariant=1)
        self.c.setTitle("Balsošanas biļeteni")
        self.c.setAuthor("urn-kiosk")
        self.c.setCreator("urn-kiosk")
        self._static_drawn = False
        self._slot = 0  # ballots already on the current sheet

    def _y(self, y_mm: float) -> float:
        return (self.H - y_mm) * mm

    def _draw_static(self) -> None:
        c = self.c
        c.beginForm("ballot")
        c.setFillGray(0)
        for m in self.spec.marks:
            s = m.size
            c.rect((m.x - s / 2) * mm, self._y(m.y + s / 2), s * mm, s * mm, stroke=0, fill=1)
        c.setLineWidth(self.spec.box_line_mm * mm)
        for _, o in self.spec.boxes:
            x, y, w, h = o.box
            c.rect(x * mm, self._y(y + h), w * mm, h * mm, stroke=1, fill=0)
        for r in self.spec.rules:
            c.setLineWidth(r.width * mm)
            c.line(r.x1 * mm, self._y(r.y1), r.x2 * mm, self._y(r.y2))
        for t in self.spec.texts:
            c.setFont(font_name(t.bold, t.font), t.size)
            x, y = t.x * mm, self._y(t.y)
            if t.anchor == "middle":
                c.drawCentredString(x, y, t.text)
            elif t.anchor == "end":
                c.drawRightString(x, y, t.text)
            else:
                c.drawString(x, y, t.text)
        c.endForm()
        self._static_drawn = True

    def add_ballot(self, payload_text: str, serial_label: str) -> None:
        if not self._static_drawn:
            self._draw_static()
        if self.per_sheet == 1:
            self._draw_ballot(payload_text, serial_label)
            self.c.showPage()
            return
        # two per sheet: a quarter turn, so the ballot's width runs up the sheet and its
        # top lies on the sheet's left edge; the first one in the upper half
        c = self.c
        sheet_w, sheet_h = self.sheet
        half = sheet_h / 2
        c.saveState()
        c.translate((sheet_w - (sheet_w - self.H) / 2) * mm,
                    ((half if self._slot == 0 else 0) + (half - self.W) / 2) * mm)
        c.rotate(90)
        self._draw_ballot(payload_text, serial_label)
        c.restoreState()
        self._slot += 1
        if self._slot == self.per_sheet:
            self._finish_sheet()

    def _finish_sheet(self) -> None:
        c = self.c
        sheet_w, sheet_h = self.sheet
        c.saveState()
        c.setStrokeGray(0.45)
        c.setLineWidth(0.25 * mm)
        c.setDash(4 * mm, 2 * mm)
        c.line(0, sheet_h / 2 * mm, sheet_w * mm, sheet_h / 2 * mm)
        c.restoreState()
        c.showPage()
        self._slot = 0

    def _draw_ballot(self, payload_text: str, serial_label: str) -> None:
        c = self.c
        c.doForm("ballot")
        qr = self.spec.qr
        matrix = qr_matrix(payload_text)
        module = qr.size / len(matrix)
        path = c.beginPath()
        for r, row in enumerate(matrix):
            top = qr.y + r * module
            for start, length in _runs(row):
                path.rect((qr.x + start * module) * mm, self._y(top + module), length * module * mm, module * mm)
        c.setFillGray(0)
        c.drawPath(path, stroke=0, fill=1)
        st = self.spec.serial_text
        c.setFont(FONT, st.size)
        c.drawCentredString(st.x * mm, self._y(st.y), f"{st.label} {serial_label}")

    def save(self) -> None:
        if self._slot:
            self._finish_sheet()  # the last sheet's other half stays empty
        self.c.save()


def write_pdf(
    spec: LayoutSpec,
    ballots: Sequence[tuple[str, str]],
    out: str | Path,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    per_sheet: int = 1,
) -> None:
    """Write (payload text, serial label) ballots to ``out`` atomically, one per
    page or (``per_sheet=2``, A5 ballots) two per A4 sheet.

    The file appears only when complete; a failure or cancellation leaves
    no partial file behind.
    """
    out = Path(out)
    tmp = out.with_name(f".{out.name}.part")
    try:
        pdf = BallotCanvas(spec, tmp, per_sheet)
        total = len(ballots)
        for n, (payload_text, serial_label) in enumerate(ballots, start=1):
            if cancelled is not None and cancelled():
                raise PrintCancelled()
            pdf.add_ballot(payload_text, serial_label)
            if progress is not None:
                progress(n, total)
        pdf.save()
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise KioskError("print.output", detail=f"{out}: {exc.strerror or exc}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
