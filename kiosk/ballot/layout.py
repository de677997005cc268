"""Ballot layout: where everything sits on the page, in millimetres.

One function turns (campaign, institution, page size) into a ``LayoutSpec``
(``kiosk.ballot.spec``): page size, registration marks, QR square, every text
line and every checkbox with its question and option.  The printer draws
exactly this spec and the reader measures against exactly this spec, so the
two cannot drift.

The layout id is a 32-bit hash of the canonical spec: any change to the
roster, the questions, the page size or the drawing rules gives a new id.
Specs are stored in the database by id, so ballots of every earlier layout
stay readable after a roster changes.

Coordinates: millimetres from the top-left corner of the page, y downwards.
Text items give the baseline's left end (or centre, with anchor "middle").
"""
from __future__ import annotations

from functools import lru_cache

from .. import assets
from ..errors import KioskError
from .campaign import Campaign, Institution
from .spec import (
    Box,
    LayoutSpec,
    Mark,
    Option,
    QrSquare,
    Question,
    SerialText,
    TextLine,
)

LAYOUT_ALGO = 1
PAGES_MM = {"a5": (148.0, 210.0), "a4": (210.0, 297.0)}
SCALE = {"a5": 1.0, "a4": 1.35}  # everything is drawn larger on A4
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
PT_PER_MM = 72 / 25.4

QR_VERSION = 3
QR_MODULES = 17 + 4 * QR_VERSION  # 29
QR_ERROR = "M"


@lru_cache(maxsize=None)
def register_fonts() -> None:
    """Register the embedded Unicode fonts with reportlab (once per process)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT, str(assets.font(assets.FONT_REGULAR))))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(assets.font(assets.FONT_BOLD))))


def text_width_mm(text: str, font: str, size_pt: float) -> float:
    from reportlab.pdfbase import pdfmetrics

    register_fonts()
    return pdfmetrics.stringWidth(text, font, size_pt) / PT_PER_MM


def wrap(text: str, font: str, size_pt: float, width_mm: float) -> list[str]:
    """Greedy word wrap by real glyph widths."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and text_width_mm(trial, font, size_pt) > width_mm:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines or [""]


INSTRUCTIONS = {
    "lv": "Katrā jautājumā atzīmējiet vienu rūtiņu ar krustiņu ✗ vai ķeksīti ✓.",
    "en": "In each question mark one box with a cross ✗ or a tick ✓.",
}
CHOOSE_ONE = {"lv": "atzīmējiet vienu", "en": "mark one"}
OPTIONAL = {"lv": "nav obligāti", "en": "optional"}
FOOTER = {
    "lv": "Paldies! Salokiet biļetenu un iemetiet to urnā. Balsojums ir anonīms.",
    "en": "Thank you! Fold the ballot and drop it into the urn. Your vote is anonymous.",
}
SERIAL_LABEL = {"lv": "Nr.", "en": "No."}


def build_layout(campaign: Campaign, institution: Institution, page_size: str | None = None, lang: str = "lv") -> LayoutSpec:
    """The full layout spec, with its id."""
    page = (page_size or campaign.page_size).lower()
    if page not in PAGES_MM:
        raise KioskError("usage", detail=f"unknown page size {page_size!r} (a5 or a4)")
    W, H = PAGES_MM[page]
    k = SCALE[page]
    texts: list[TextLine] = []

    def text(x: float, y: float, s: str, size: float, bold: bool = False, anchor: str = "start") -> None:
        texts.append(TextLine(round(x, 2), round(y, 2), s, round(size * k, 2), bold, anchor))

    # Registration marks: solid squares near the four corners.
    mark = 6.0 * k
    inset = 11.0 * k
    marks = (
        Mark(inset, inset, mark),
        Mark(W - inset, inset, mark),
        Mark(inset, H - inset, mark),
        Mark(W - inset, H - inset, mark),
    )
    left = 18.0 * k
    right = W - 18.0 * k

    # QR square (symbol without its quiet zone) top right, serial under it.
    qr_size = 32.0 * k
    qr_x = W - 18.0 * k - qr_size
    qr_y = 19.0 * k
    module = qr_size / QR_MODULES
    serial_y = qr_y + qr_size + 4 * module + 2.5 * k  # below the quiet zone

    # Header text left of the QR code.
    head_right = qr_x - 4 * module - 2.0 * k
    head_w = head_right - left
    y = 22.0 * k
    for line in wrap(campaign.title.get(lang) or campaign.title["lv"], FONT_BOLD, 12.5 * k, head_w):
        text(left, y, line, 12.5, bold=True)
        y += 5.6 * k
    y += 0.8 * k
    for line in wrap(institution.name, FONT, 9 * k, head_w):
        text(left, y, line, 9)
        y += 4.0 * k
    y += 1.6 * k
    for line in wrap(INSTRUCTIONS[lang], FONT, 8.5 * k, head_w):
        text(left, y, line, 8.5)
        y += 3.8 * k

    y = max(y + 3.0 * k, serial_y + 6.0 * k)
    box = 6.0 * k
    questions: list[Question] = []
    width = right - left
    for n, q in enumerate(campaign.questions, start=1):
        qtext = q.text.get(lang) or q.text["lv"]
        note = OPTIONAL[lang] if q.optional else CHOOSE_ONE[lang]
        for line in wrap(f"{n}. {qtext}", FONT_BOLD, 9.5 * k, width):
            text(left, y + 3.4 * k, line, 9.5, bold=True)
            y += 4.4 * k
        text(left, y + 2.6 * k, f"({note})", 7.5)
        y += 4.6 * k
        options: list[Option] = []
        if q.type == "specialist":
            for s in institution.specialists:
                options.append(Option(s.id, s.name, Box(round(left, 2), round(y, 2), box, box)))
                text(left + box + 3.5 * k, y + 3.3 * k, s.name, 10)
                if s.position:
                    text(left + box + 3.5 * k, y + 6.6 * k, s.position, 7)
                y += 10.0 * k
        else:  # rating
            step = min(22.0 * k, (width - box) / max(q.scale - 1, 1))
            for v in range(1, q.scale + 1):
                bx = left + (v - 1) * step
                options.append(Option(str(v), str(v), Box(round(bx, 2), round(y, 2), box, box)))
                text(bx + box + 2.0 * k, y + 4.6 * k, str(v), 11, bold=True)
            y += box + 4.0 * k
            if q.low_label or q.high_label:
                lo = q.low_label.get(lang, "")
                hi = q.high_label.get(lang, "")
                text(left, y, f"1 – {lo}", 7)
                text(left + (q.scale - 1) * step + box, y, f"{q.scale} – {hi}", 7, anchor="end")
                y += 3.0 * k
            y += 2.0 * k
        y += 3.0 * k
        questions.append(Question(q.id, q.type, qtext, q.optional, tuple(options)))

    footer_y = H - inset - 1.0 * k
    if y > footer_y - 4.0 * k:
        raise KioskError("layout.too_long", page=page.upper())
    text(W / 2, footer_y, FOOTER[lang], 7, anchor="middle")

    return LayoutSpec(
        id=0,
        algo=LAYOUT_ALGO,
        campaign=campaign.id,
        institution=institution.id,
        lang=lang,
        page=page,
        page_mm=(W, H),
        marks=marks,
        qr=QrSquare(round(qr_x, 2), round(qr_y, 2), round(qr_size, 2), QR_VERSION, QR_ERROR),
        serial_text=SerialText(round(qr_x + qr_size / 2, 2), round(serial_y, 2), round(8 * k, 2), SERIAL_LABEL[lang]),
        box_line_mm=round(0.35 * k, 2),
        questions=tuple(questions),
        texts=tuple(texts),
    ).with_id()


def layouts_for(campaign: Campaign, institution: Institution) -> list[LayoutSpec]:
    """Every layout this campaign file can print for the institution (each page size)."""
    out = []
    for page in PAGES_MM:
        try:
            out.append(build_layout(campaign, institution, page))
        except KioskError:
            continue  # a roster too long for A5 simply has no A5 layout
    return out
