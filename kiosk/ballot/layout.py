"""Ballot layout: where everything sits on the page, in millimetres.

One function turns (campaign, institution, page size) into a ``LayoutSpec``
(``kiosk.ballot.spec``): page size, registration marks, QR square, every text
line, every printed rule and every checkbox with its question and option.
The printer draws exactly this spec and the reader measures against exactly
this spec, so the two cannot drift.

The layout id is a 32-bit hash of the canonical spec: any change to the
roster, the questions, the page size or the drawing rules gives a new id.
Specs are stored in the database by id, so ballots of every earlier layout
stay readable after a roster changes (or after the drawing rules change:
``LAYOUT_ALGO`` names them, and is part of every spec).

Algorithm 2 (this one):

- The frame is algorithm 1's: four solid corner squares, the QR code top
  right with the serial under it (now with four check characters of the
  ballot's tag, and what the number is for), A4 drawn 1.35x larger.
- A specialist list flows into as many columns as the page allows,
  alphabetical by surname (Latvian order).  Names wrap onto further lines
  rather than being cut; the position is a smaller line, dropped (for the
  whole list) before the page overflows.  The layout tries the most
  comfortable setting first (big boxes and type, one column) and takes the
  first that fits: ``DENSITIES`` from roomy to tight, columns one to
  ``MAX_COLUMNS``, positions shown, then the same without positions.  Boxes
  are never smaller than 5 mm and never closer than 2 mm to another box in
  any direction.  Space left over is spread between rows and questions, so a
  short roster does not leave half a page empty.
- A question of style "number" prints the roster with numbers in small type
  and, instead of one box per specialist, a grid of digit boxes: one row of
  0-9 per digit of the number (``spec.Question.roster``, option ids
  ``"<position>:<digit>"``).
- A question with a write-in prints "Cits speciālists: ____" under its list
  (``spec.Question.writein``: the area above the line).
- The instruction says which questions may be left blank and what to do
  after a mistake; the serial's line says that the number only protects
  against copies.

Coordinates: millimetres from the top-left corner of the page, y downwards.
Text items give the baseline's left end (or centre, with anchor "middle").
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .. import assets
from ..errors import KioskError
from ..lang import surname_key
from .spec import (
    DIGIT_SEP,
    Box,
    LayoutSpec,
    Mark,
    Option,
    QrSquare,
    Question,
    Region,
    RosterEntry,
    Rule,
    SerialText,
    TextLine,
)

LAYOUT_ALGO = 2
PAGES_MM = {"a5": (148.0, 210.0), "a4": (210.0, 297.0)}
SCALE = {"a5": 1.0, "a4": 1.35}  # the frame (marks, QR code, header) is drawn larger on A4
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_CONDENSED = "DejaVuSansCondensed"
FONT_CONDENSED_BOLD = "DejaVuSansCondensed-Bold"
PT_PER_MM = 72 / 25.4

QR_VERSION = 3
QR_MODULES = 17 + 4 * QR_VERSION  # 29
QR_ERROR = "M"
CHECK_CHARS = 4  # check characters of the tag printed after the serial (kiosk.ballot.payload)

MIN_BOX_MM = 5.0
MIN_GAP_MM = 2.0  # between any two boxes, every direction
MAX_COLUMNS = {"a5": 3, "a4": 4}
MARGIN_MM = {"a5": 15.0, "a4": 18.0}  # left and right, beside the marks' band
LINE_MM = {"a5": 0.35, "a4": 0.45}  # box outlines


@dataclass(frozen=True)
class Density:
    """One setting of the list: box side, type sizes (pt), the gap between rows and the narrow face."""

    box: float
    name_pt: float
    pos_pt: float
    gap: float = MIN_GAP_MM
    condensed: bool = False

    @property
    def font(self) -> str:
        return FONT_CONDENSED if self.condensed else FONT


# from roomy to tight; the first that fits is used
DENSITIES = {
    "a5": (Density(8.0, 12.5, 9.5, 3.5), Density(7.0, 11.0, 8.5, 3.0), Density(6.0, 10.0, 8.0, 2.5),
           Density(6.0, 9.0, 7.5, 2.2), Density(5.5, 9.0, 7.5, 2.2), Density(5.5, 8.5, 7.0, 2.0, True),
           Density(5.0, 8.5, 7.0, 2.0, True), Density(5.0, 8.0, 6.5, 2.0, True)),
    "a4": (Density(9.5, 14.5, 11.0, 4.0), Density(8.0, 12.5, 9.5, 3.5), Density(7.0, 11.0, 8.5, 3.0), Density(6.5, 10.0, 8.0, 2.5),
           Density(6.5, 9.0, 7.5, 2.2, True), Density(6.0, 9.0, 7.5, 2.0, True), Density(5.5, 8.5, 7.0, 2.0, True),
           Density(5.0, 8.5, 7.0, 2.0, True), Density(5.0, 8.0, 6.5, 2.0, True)),
}
LIST_LEADING = 1.12  # line spacing of names and positions in a list (of the type size)


@lru_cache(maxsize=None)
def register_fonts() -> None:
    """Register the embedded Unicode fonts with reportlab (once per process)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT, str(assets.font(assets.FONT_REGULAR))))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(assets.font(assets.FONT_BOLD))))
    pdfmetrics.registerFont(TTFont(FONT_CONDENSED, str(assets.font(assets.FONT_CONDENSED))))
    pdfmetrics.registerFont(TTFont(FONT_CONDENSED_BOLD, str(assets.font(assets.FONT_CONDENSED_BOLD))))


def font_name(bold: bool, face: str = "") -> str:
    """The registered font of a text line (``TextLine.bold`` and ``TextLine.font``)."""
    if face == "condensed":
        return FONT_CONDENSED_BOLD if bold else FONT_CONDENSED
    return FONT_BOLD if bold else FONT


@lru_cache(maxsize=65536)
def text_width_mm(text: str, font: str, size_pt: float) -> float:
    from reportlab.pdfbase import pdfmetrics

    register_fonts()
    return pdfmetrics.stringWidth(text, font, size_pt) / PT_PER_MM


def line_mm(size_pt: float) -> float:
    """Baseline-to-baseline distance of a type size."""
    return 1.2 * size_pt / PT_PER_MM


def wrap(text: str, font: str, size_pt: float, width_mm: float) -> list[str]:
    """Greedy word wrap by real glyph widths (a word wider than the line stays whole)."""
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


def wrap_name(text: str, font: str, size_pt: float, width_mm: float) -> list[str] | None:
    """Wrap a name: at spaces, and after a hyphen of a double name when a word is
    wider than the line; never cut.  None when even that does not fit."""
    words: list[str] = []
    for word in text.split():
        if text_width_mm(word, font, size_pt) <= width_mm or "-" not in word:
            words.append(word)
            continue
        parts = word.split("-")
        words += [p + "-" for p in parts[:-1]] + [parts[-1]]
    if any(text_width_mm(w, font, size_pt) > width_mm for w in words):
        return None
    lines: list[str] = []
    current = ""
    for word in words:
        joiner = "" if current.endswith("-") else " "
        trial = f"{current}{joiner}{word}" if current else word
        if current and text_width_mm(trial, font, size_pt) > width_mm:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def clip(text: str, font: str, size_pt: float, width_mm: float, max_lines: int) -> list[str]:
    """Wrap into at most ``max_lines`` lines; the last one ends with "…" when text is left over."""
    lines = wrap(text, font, size_pt, width_mm)
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    last = kept[-1]
    while last and text_width_mm(last + "…", font, size_pt) > width_mm:
        last = last[:-1].rstrip()
    kept[-1] = last + "…"
    return kept


# -- texts printed on every ballot ------------------------------------------------------

ORDINALS = {
    "lv": ("pirmais", "otrais", "trešais", "ceturtais", "piektais", "sestais", "septītais", "astotais", "devītais",
           "desmitais"),
    "en": ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"),
}
MARK_HOW = {
    "lv": "Atzīmējiet vienu rūtiņu katrā jautājumā ar krustiņu ✗ vai ķeksīti ✓",
    "en": "Mark one box in each question with a cross ✗ or a tick ✓",
}
MARK_HOW_NUMBER = {
    "lv": "Atzīmējiet vienu rūtiņu katrā jautājumā (numuram — vienu ciparu katrā rindā) ar krustiņu ✗ vai ķeksīti ✓",
    "en": "Mark one box in each question (for a number, one digit in each row) with a cross ✗ or a tick ✓",
}
OPTIONAL_ONE = {"lv": "{q} jautājums nav obligāts", "en": "the {q} question is optional"}
OPTIONAL_MANY = {"lv": "{q} jautājums nav obligāti", "en": "the {q} questions are optional"}
AND = {"lv": "un", "en": "and"}
MISTAKE = {
    "lv": "Ja kļūdījāties, neko nelabojiet: lūdziet jaunu biļetenu.",
    "en": "If you make a mistake, do not correct it: ask for a new ballot.",
}
CHOOSE_ONE = {"lv": "atzīmējiet vienu", "en": "mark one"}
OPTIONAL = {"lv": "nav obligāts", "en": "optional"}
NUMBER_NOTE = {
    "lv": "atrodiet speciālistu sarakstā, ierakstiet viņa numuru un katrā rindā atzīmējiet vienu ciparu",
    "en": "find the specialist in the list, write their number and mark one digit in each row",
}
NUMBER_CAPTION = {"lv": "Numurs:", "en": "Number:"}
DIGIT_ROW = {"lv": "{n}. cipars", "en": "digit {n}"}
WRITEIN = {"lv": "Cits speciālists:", "en": "Another specialist:"}
WRITEIN_NOTE = {
    "lv": "ja jūsu speciālista sarakstā nav, ierakstiet vārdu un uzvārdu (rūtiņu tad neatzīmējiet)",
    "en": "if your specialist is not listed, write their name (and mark no box)",
}
FOOTER = {
    "lv": "Paldies! Salokiet biļetenu un iemetiet to urnā. Balsojums ir anonīms.",
    "en": "Thank you! Fold the ballot and drop it into the urn. Your vote is anonymous.",
}
SERIAL_LABEL = {"lv": "Nr.", "en": "No."}
SERIAL_NOTE = {
    "lv": "Numurs tikai sargā pret kopijām; tas nav saistīts ar jums.",
    "en": "The number only guards against copies; it is not linked to you.",
}


def instruction(questions: Sequence[Any], lang: str, numbered: bool = False) -> str:
    """The instruction at the top: how to mark, which questions may stay blank, what to do after a mistake."""
    optional = [n for n, q in enumerate(questions, start=1) if q.optional]
    text = (MARK_HOW_NUMBER if numbered else MARK_HOW)[lang]
    if optional and len(optional) < len(questions):
        names = [ORDINALS[lang][n - 1] if n <= 10 else f"{n}." for n in optional]
        joined = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {AND[lang]} {names[-1]}"
        text += "; " + (OPTIONAL_ONE if len(names) == 1 else OPTIONAL_MANY)[lang].format(q=joined)
    elif optional:  # every question optional
        text += "; " + ("neviens jautājums nav obligāts" if lang == "lv" else "no question is required")
    return f"{text}. {MISTAKE[lang]}"


# -- which kind of list a question gets -----------------------------------------------------

def question_style(question: Any, institution: Any) -> str:
    """"number" when the campaign asks for the number grid (always, or above a roster size), else "boxes"."""
    if question.type != "specialist":
        return "boxes"
    style = getattr(question, "style", "boxes")
    above = getattr(question, "number_above", None)
    if style == "number" or (above is not None and len(institution.specialists) > above):
        return "number"
    return "boxes"


# -- composing a page --------------------------------------------------------------------------

class _Overflow(Exception):
    """The content does not fit the page with the chosen setting."""


@dataclass(frozen=True)
class _Setting:
    density: Density
    columns: int
    positions: bool
    stretch: float = 0.0  # extra mm per list row
    spread: float = 0.0  # extra mm between questions
    lead: float = 0.0  # extra mm before the first question


@dataclass
class _Entry:
    """One specialist as laid out in a column: the lines of text and the height."""

    sid: str
    name: str
    name_lines: list[str]
    pos_lines: list[str]
    height: float
    number: int = 0


class _Page:
    """Everything of one page being composed."""

    def __init__(self, page: str, lang: str) -> None:
        self.page = page
        self.lang = lang
        self.W, self.H = PAGES_MM[page]
        self.k = SCALE[page]
        self.texts: list[TextLine] = []
        self.rules: list[Rule] = []

    def text(self, x: float, y: float, s: str, size: float, bold: bool = False, anchor: str = "start",
             face: str = "") -> None:
        self.texts.append(TextLine(round(x, 2), round(y, 2), s, round(size, 2), bold, anchor, face))

    def rule(self, x1: float, y1: float, x2: float, y2: float, width: float) -> None:
        self.rules.append(Rule(round(x1, 2), round(y1, 2), round(x2, 2), round(y2, 2), round(width, 2)))


def _balance(heights: Sequence[float], gap: float, columns: int) -> list[list[int]]:
    """Split entries (in order) into at most ``columns`` consecutive runs, as even in height as possible."""
    n = len(heights)
    if n == 0:
        return [[]]
    columns = min(columns, n)

    def runs(limit: float) -> list[list[int]] | None:
        out: list[list[int]] = [[]]
        used = 0.0
        for i, h in enumerate(heights):
            need = h if not out[-1] else used + gap + h
            if out[-1] and need > limit + 1e-9:
                out.append([i])
                used = h
            else:
                out[-1].append(i)
                used = need
            if len(out) > columns:
                return None
        return out

    lo, hi = max(heights), sum(heights) + gap * (n - 1)
    best = runs(hi)
    for _ in range(40):
        mid = (lo + hi) / 2
        r = runs(mid)
        if r is None:
            lo = mid
        else:
            best, hi = r, mid
        if hi - lo < 0.05:
            break
    assert best is not None
    return best


def _column_height(run: Sequence[int], heights: Sequence[float], gap: float) -> float:
    return sum(heights[i] for i in run) + gap * max(len(run) - 1, 0)


@dataclass
class _Header:
    """The frame and the header: the same whatever the list's setting."""

    marks: tuple[Mark, ...]
    qr: QrSquare
    serial: SerialText
    texts: list[TextLine]
    top: float  # where the questions may begin
    bottom: float  # where they must end
    left: float
    right: float


def _header(title: str, institution_name: str, questions: Sequence[Any], page: str, lang: str,
            numbered: bool = False) -> _Header:
    p = _Page(page, lang)
    W, H, k = p.W, p.H, p.k
    mark = 6.0 * k
    inset = 11.0 * k
    marks = (Mark(inset, inset, mark), Mark(W - inset, inset, mark), Mark(inset, H - inset, mark),
             Mark(W - inset, H - inset, mark))
    left, right = MARGIN_MM[page], W - MARGIN_MM[page]

    # QR square (symbol without its quiet zone) top right; the serial and what it is for under it
    qr_size = 32.0 * k
    qr_x = W - 18.0 * k - qr_size
    qr_y = 19.0 * k
    module = qr_size / QR_MODULES
    serial_size = 7.0 * k
    serial_y = qr_y + qr_size + 4 * module + 2.2 * k
    note_size = 5.6 * k
    note_w = qr_size + 6 * module
    y_note = serial_y + 0.9 * line_mm(note_size) + 0.6 * k
    for line in wrap(SERIAL_NOTE[lang], FONT, note_size, note_w):
        p.text(qr_x + qr_size / 2, y_note, line, note_size, anchor="middle")
        y_note += line_mm(note_size)
    qr_block_end = y_note

    # header text left of the QR code (full width once below it)
    head_right = qr_x - 4 * module - 2.0 * k
    y = 22.0 * k

    def width_at(yy: float) -> float:
        return (head_right if yy - 4 * k < qr_block_end else right) - left

    def para(text: str, font: str, size: float, bold: bool, after: float) -> None:
        nonlocal y
        words = text.split()
        while words:
            width = width_at(y)
            line = ""
            while words and (not line or text_width_mm(f"{line} {words[0]}", font, size) <= width):
                line = f"{line} {words.pop(0)}".strip()
            p.text(left, y, line, size, bold=bold)
            y += line_mm(size)
        y += after

    para(title, FONT_BOLD, 12.5 * k, True, 0.8 * k)
    para(institution_name, FONT, 9.0 * k, False, 1.4 * k)
    para(instruction(questions, lang, numbered), FONT, 8.0 * k, False, 0.0)
    top = max(y, qr_block_end) + 2.5 * k

    # footer in the band of the bottom marks, between them
    foot_w = W - 2 * (inset + 1.4 * mark)
    foot_size = 7.0 * k
    lines = wrap(FOOTER[lang], FONT, foot_size, foot_w)
    fy = H - inset + 1.0 * k - line_mm(foot_size) * (len(lines) - 1) / 2
    for line in lines:
        p.text(W / 2, fy, line, foot_size, anchor="middle")
        fy += line_mm(foot_size)
    bottom = H - inset - mark / 2 - 3.0 * k
    serial = SerialText(round(qr_x + qr_size / 2, 2), round(serial_y, 2), round(serial_size, 2), SERIAL_LABEL[lang],
                        CHECK_CHARS)
    qr = QrSquare(round(qr_x, 2), round(qr_y, 2), round(qr_size, 2), QR_VERSION, QR_ERROR)
    return _Header(marks, qr, serial, p.texts, top, bottom, left, right)


def _compose(campaign: Any, institution: Any, page: str, lang: str, head: _Header, s: _Setting) -> tuple[_Page, list[Question], float]:
    """Lay out the questions with one setting; returns the page, the questions and the space left (mm).
    Raises _Overflow when they do not fit."""
    p = _Page(page, lang)
    d = s.density
    left, right = head.left, head.right
    width = right - left
    y = head.top + s.lead
    questions: list[Question] = []
    face = "condensed" if d.condensed else ""
    head_pt = 9.5 * (1.0 if page == "a5" else 1.2)
    note_pt = 7.5 * (1.0 if page == "a5" else 1.15)
    for n, q in enumerate(campaign.questions, start=1):
        if n > 1:
            y += 3.0 + s.spread
        qtext = q.text.get(lang) or q.text["lv"]
        style = question_style(q, institution)
        note = NUMBER_NOTE[lang] if style == "number" else OPTIONAL[lang] if q.optional else CHOOSE_ONE[lang]
        if style == "number" and q.optional:
            note = f"{OPTIONAL[lang]}; {note}"
        heading = wrap(f"{n}. {qtext}", FONT_BOLD, head_pt, width)
        tail = f"({note})"
        last_w = text_width_mm(heading[-1] + " ", FONT_BOLD, head_pt)
        inline = last_w + text_width_mm(tail, FONT, note_pt) <= width
        for line in heading:
            y += line_mm(head_pt)
            p.text(left, y - 0.25 * line_mm(head_pt), line, head_pt, bold=True)
        if inline:
            p.text(left + last_w, y - 0.25 * line_mm(head_pt), tail, note_pt)
        else:
            for line in wrap(tail, FONT, note_pt, width):
                y += line_mm(note_pt)
                p.text(left, y - 0.25 * line_mm(note_pt), line, note_pt)
        y += 1.6
        if q.type == "specialist" and style == "number":
            y, question = _number_question(p, q, qtext, institution, s, face, left, right, y, head.bottom)
        elif q.type == "specialist":
            y, question = _box_list(p, q, qtext, institution, s, face, left, right, y, head.bottom)
        else:
            y, question = _rating(p, q, qtext, s, left, right, y)
        questions.append(question)
        if y > head.bottom:
            raise _Overflow
    return p, questions, head.bottom - y


@lru_cache(maxsize=256)
def _by_surname(specialists: tuple[Any, ...]) -> tuple[Any, ...]:
    """The roster in Latvian alphabetical order by surname (then the whole name)."""
    return tuple(sorted(specialists, key=lambda x: surname_key(x.name)))


def list_line_mm(size_pt: float) -> float:
    return LIST_LEADING * size_pt / PT_PER_MM


def _entries(specialists: Sequence[Any], s: _Setting, text_w: float, name_font: str, name_pt: float, pos_pt: float,
             box: float = 0.0, numbered: bool = False) -> list[_Entry]:
    """The roster sorted by surname, each name wrapped (and its position, when shown), with the
    entry's height (its text, and its box beside it)."""
    out = []
    for number, sp in enumerate(_by_surname(tuple(specialists)), start=1):
        lines = wrap_name(sp.name, name_font, name_pt, text_w)
        if lines is None:
            raise _Overflow
        pos = clip(sp.position, name_font, pos_pt, text_w, 2) if (s.positions and sp.position) else []
        h = len(lines) * list_line_mm(name_pt) + len(pos) * list_line_mm(pos_pt)
        out.append(_Entry(sp.id, sp.name, lines, pos, max(box, h), number if numbered else 0))
    return out


def _fits_in_columns(heights: Sequence[float], gap: float, columns: int, room: float) -> list[list[int]]:
    """The entries balanced into columns, or _Overflow when they cannot be ``room`` mm tall or less
    (checked against a lower bound first: most settings that fail never get balanced)."""
    if room <= 0 or max(heights, default=0.0) > room or (sum(heights) + gap * (len(heights) - columns)) / columns > room:
        raise _Overflow
    runs = _balance(heights, gap, columns)
    if max(_column_height(r, heights, gap) for r in runs) > room:
        raise _Overflow
    return runs


def _box_list(p: _Page, q: Any, qtext: str, institution: Any, s: _Setting, face: str, left: float, right: float,
              y: float, limit: float) -> tuple[float, Question]:
    d = s.density
    box = d.box
    col_gap = max(MIN_GAP_MM, 3.0)
    col_w = (right - left - col_gap * (s.columns - 1)) / s.columns
    text_gap = 0.45 * box
    text_w = col_w - box - text_gap
    if text_w < 18.0:
        raise _Overflow
    entries = _entries(institution.specialists, s, text_w, d.font, d.name_pt, d.pos_pt, box)
    gap = d.gap + s.stretch
    runs = _fits_in_columns([e.height for e in entries], gap, s.columns, limit - y)
    options: list[Option] = []
    tallest = 0.0
    name_lh, pos_lh = list_line_mm(d.name_pt), list_line_mm(d.pos_pt)
    for c, run in enumerate(runs):
        x = left + c * (col_w + col_gap)
        yy = y
        for i in run:
            e = entries[i]
            # the box and the text block centred on each other
            text_h = len(e.name_lines) * name_lh + len(e.pos_lines) * pos_lh
            by = yy + (e.height - box) / 2
            options.append(Option(e.sid, e.name, Box(round(x, 2), round(by, 2), box, box)))
            ty = yy + (e.height - text_h) / 2
            for line in e.name_lines:
                ty += name_lh
                p.text(x + box + text_gap, ty - 0.24 * name_lh, line, d.name_pt, face=face)
            for line in e.pos_lines:
                ty += pos_lh
                p.text(x + box + text_gap, ty - 0.24 * pos_lh, line, d.pos_pt, face=face)
            yy += e.height + gap
        tallest = max(tallest, yy - gap - y)
    y += tallest
    # keep the options in roster order (the order of the campaign file): the
    # spec's box order does not matter to the reader, the labels do
    order = {sp.id: n for n, sp in enumerate(institution.specialists)}
    options.sort(key=lambda o: order[o.id])
    writein = None
    if getattr(q, "write_in", False):
        y += 2.5 + 0.3 * s.stretch
        lab_pt = d.name_pt
        label = WRITEIN[p.lang]
        p.text(left, y + 5.6, label, lab_pt, bold=True)
        x0 = left + text_width_mm(label, FONT_BOLD, lab_pt) + 2.0
        line_y = y + 6.4
        p.rule(x0, line_y, right, line_y, 0.25)
        writein = Region(round(x0, 2), round(y, 2), round(right - x0, 2), round(line_y - y - 0.5, 2))
        y = line_y + 0.6
        note_pt = max(6.0, d.pos_pt - 0.5)
        for line in wrap(f"({WRITEIN_NOTE[p.lang]})", FONT, note_pt, right - left):
            y += line_mm(note_pt)
            p.text(left, y - 0.25 * line_mm(note_pt), line, note_pt)
    return y, Question(q.id, q.type, qtext, q.optional, tuple(options), "boxes", (), writein)


def _number_question(p: _Page, q: Any, qtext: str, institution: Any, s: _Setting, face: str, left: float,
                     right: float, y: float, limit: float) -> tuple[float, Question]:
    d = s.density
    box = d.box
    count = len(institution.specialists)
    ndig = len(str(count))
    # the roster: number and name in small type, in columns
    list_pt = max(6.5, d.name_pt - 1.5)
    pos_pt = max(6.0, list_pt - 1.0)
    font = FONT_CONDENSED
    columns = s.columns + 1
    col_gap = 3.0
    col_w = (right - left - col_gap * (columns - 1)) / columns
    num_w = text_width_mm("8" * ndig + ".", font, list_pt) + 1.2
    text_w = col_w - num_w
    if text_w < 16.0:
        raise _Overflow
    entries = _entries(institution.specialists, s, text_w, font, list_pt, pos_pt, numbered=True)
    gap = 0.5 + 0.25 * s.stretch
    grid_h = (len(str(count))) * (box + d.gap) + line_mm(max(7.0, d.pos_pt)) + 3.0  # the digit rows under the list
    runs = _fits_in_columns([e.height for e in entries], gap, columns, limit - y - grid_h)
    tallest = 0.0
    lh, plh = list_line_mm(list_pt), list_line_mm(pos_pt)
    for c, run in enumerate(runs):
        x = left + c * (col_w + col_gap)
        yy = y
        for i in run:
            e = entries[i]
            ty = yy
            for j, line in enumerate(e.name_lines):
                ty += lh
                if j == 0:
                    p.text(x + num_w - 1.2, ty - 0.27 * lh, f"{e.number}.", list_pt, bold=True, anchor="end", face="condensed")
                p.text(x + num_w, ty - 0.27 * lh, line, list_pt, face="condensed")
            for line in e.pos_lines:
                ty += plh
                p.text(x + num_w, ty - 0.27 * plh, line, pos_pt, face="condensed")
            yy += e.height + gap
        tallest = max(tallest, yy - gap - y)
    y += tallest + 3.0 + 0.5 * s.stretch

    # the digit grid: a row of 0-9 per digit position, the digits printed above the first row
    pitch = box + d.gap
    row_pt = max(7.0, d.pos_pt)
    label_w = max(text_width_mm(DIGIT_ROW[p.lang].format(n=n), FONT, row_pt) for n in range(1, ndig + 1)) + 2.0
    grid_x = left + label_w
    grid_w = 10 * pitch - (pitch - box)
    if grid_x + grid_w > right:
        raise _Overflow
    digit_pt = max(7.0, d.pos_pt)
    y += line_mm(digit_pt)
    for v in range(10):
        p.text(grid_x + v * pitch + box / 2, y - 0.6, str(v), digit_pt, bold=True, anchor="middle")
    y += 0.6
    options: list[Option] = []
    for r in range(ndig):
        by = y + r * pitch
        p.text(left, by + box / 2 + 0.35 * line_mm(row_pt), DIGIT_ROW[p.lang].format(n=r + 1), row_pt)
        for v in range(10):
            options.append(Option(f"{r + 1}{DIGIT_SEP}{v}", str(v),
                                  Box(round(grid_x + v * pitch, 2), round(by, 2), box, box)))
    grid_bottom = y + (ndig - 1) * pitch + box
    # where the voter writes the number first (not read: it helps the voter and a reviewer)
    cell = box + 1.5
    cap_pt = max(7.5, d.name_pt - 0.5)
    cap_w = text_width_mm(NUMBER_CAPTION[p.lang], FONT_BOLD, cap_pt) + 2.0
    beside = grid_x + grid_w + 6.0
    if beside + cap_w + ndig * cell <= right:
        cx, cy = beside + cap_w, y + (grid_bottom - y - cell) / 2
        p.text(beside, cy + cell / 2 + 0.35 * line_mm(cap_pt), NUMBER_CAPTION[p.lang], cap_pt, bold=True)
        end = grid_bottom
    else:
        cx, cy = left + cap_w, grid_bottom + 2.5
        p.text(left, cy + cell / 2 + 0.35 * line_mm(cap_pt), NUMBER_CAPTION[p.lang], cap_pt, bold=True)
        end = cy + cell
    for i in range(ndig + 1):
        p.rule(cx + i * cell, cy, cx + i * cell, cy + cell, 0.2)
    p.rule(cx, cy + cell, cx + ndig * cell, cy + cell, 0.2)
    roster = tuple(RosterEntry(e.number, e.sid, e.name) for e in entries)
    return end, Question(q.id, q.type, qtext, q.optional, tuple(options), "number", roster, None)


def _rating(p: _Page, q: Any, qtext: str, s: _Setting, left: float, right: float, y: float) -> tuple[float, Question]:
    box = s.density.box
    width = right - left
    num_pt = 11.0 if p.page == "a5" else 13.0
    step = min(22.0 * p.k, (width - box) / max(q.scale - 1, 1))
    options = []
    for v in range(1, q.scale + 1):
        bx = left + (v - 1) * step
        options.append(Option(str(v), str(v), Box(round(bx, 2), round(y, 2), box, box)))
        p.text(bx + box + 1.8, y + box / 2 + 0.36 * line_mm(num_pt), str(v), num_pt, bold=True)
    y += box + 0.8
    lab_pt = 7.0 * (1.0 if p.page == "a5" else 1.15)
    if q.low_label or q.high_label:
        lo = q.low_label.get(p.lang, "")
        hi = q.high_label.get(p.lang, "")
        y += line_mm(lab_pt)
        p.text(left, y - 0.25 * line_mm(lab_pt), f"1 – {lo}", lab_pt)
        p.text(left + (q.scale - 1) * step + box, y - 0.25 * line_mm(lab_pt), f"{q.scale} – {hi}", lab_pt, anchor="end")
    return y, Question(q.id, q.type, qtext, q.optional, tuple(options))


def _settings(page: str) -> list[_Setting]:
    """Every setting in order of preference: roomy first, positions dropped last."""
    out = []
    for positions in (True, False):
        for density in DENSITIES[page]:
            for columns in range(1, MAX_COLUMNS[page] + 1):
                out.append(_Setting(density, columns, positions))
    return out


_FITS: dict[str, tuple[_Header, _Page, list[Question], _Setting] | None] = {}
_FITS_MAX = 512


def _fingerprint(campaign: Any, institution: Any, page: str, lang: str) -> str:
    """Everything a layout depends on (the campaign's title and questions, the institution's
    name and roster, the page and the language), as one text."""
    return repr((LAYOUT_ALGO, campaign.id, sorted(campaign.title.items()), campaign.questions, institution.id,
                 institution.name, tuple(institution.specialists), page, lang))


def _fit(campaign: Any, institution: Any, page: str, lang: str) -> tuple[_Header, _Page, list[Question], _Setting]:
    """The first setting that fits, composed (kept per process: a kiosk builds its layouts on
    every open, a campaign file checks every institution when it is loaded)."""
    key = _fingerprint(campaign, institution, page, lang)
    if key not in _FITS:
        if len(_FITS) >= _FITS_MAX:
            _FITS.clear()
        try:
            _FITS[key] = _search(campaign, institution, page, lang)
        except _Overflow:
            _FITS[key] = None
    found = _FITS[key]
    if found is None:
        raise _Overflow
    return found


def _search(campaign: Any, institution: Any, page: str, lang: str) -> tuple[_Header, _Page, list[Question], _Setting]:
    title = campaign.title.get(lang) or campaign.title["lv"]
    numbered = any(question_style(q, institution) == "number" for q in campaign.questions)
    head = _header(title, institution.name, campaign.questions, page, lang, numbered)
    for s in _settings(page):
        try:
            p, questions, left_over = _compose(campaign, institution, page, lang, head, s)
        except _Overflow:
            continue
        # spread what is left: more air between rows, then between the questions, then above them
        rows = max(1, _list_rows(questions))
        extra = max(0.0, left_over - 0.5)
        stretch = min(extra * 0.6 / rows, 1.1 * s.density.box)
        rest = extra - stretch * rows
        spread = min(rest * 0.7 / max(len(questions) - 1, 1), 22.0) if len(questions) > 1 else 0.0
        lead = min(max(0.0, rest - spread * max(len(questions) - 1, 0)) / 2, 10.0)
        for trial in (_Setting(s.density, s.columns, s.positions, stretch, spread, lead),
                      _Setting(s.density, s.columns, s.positions, stretch / 2, spread / 2, lead / 2)):
            try:
                p2, q2, _ = _compose(campaign, institution, page, lang, head, trial)
                return head, p2, q2, trial
            except _Overflow:
                continue
        return head, p, questions, s
    raise _Overflow


def _list_rows(questions: Sequence[Question]) -> int:
    """Rows of the tallest specialist list (boxes stacked in one column)."""
    rows = 0
    for q in questions:
        if q.type == "specialist" and not q.is_number:
            xs: dict[float, int] = {}
            for o in q.options:
                xs[o.box.x] = xs.get(o.box.x, 0) + 1
            rows = max(rows, max(xs.values(), default=0))
        elif q.is_number:
            rows = max(rows, math.ceil(len(q.roster) / 3))
    return rows


def build_layout(campaign: Any, institution: Any, page_size: str | None = None, lang: str = "lv") -> LayoutSpec:
    """The full layout spec, with its id (``campaign`` and ``institution`` as in kiosk.ballot.campaign)."""
    page = (page_size or campaign.page_size).lower()
    if page not in PAGES_MM:
        raise KioskError("usage", detail=f"unknown page size {page_size!r} (a5 or a4)")
    try:
        head, p, questions, s = _fit(campaign, institution, page, lang)
    except _Overflow:
        raise too_long(campaign, institution, page, lang) from None
    return LayoutSpec(
        id=0,
        algo=LAYOUT_ALGO,
        campaign=campaign.id,
        institution=institution.id,
        lang=lang,
        page=page,
        page_mm=PAGES_MM[page],
        marks=head.marks,
        qr=head.qr,
        serial_text=head.serial,
        box_line_mm=LINE_MM[page],
        questions=tuple(questions),
        texts=tuple(head.texts + p.texts),
        rules=tuple(p.rules),
    ).with_id()


def layouts_for(campaign: Any, institution: Any) -> list[LayoutSpec]:
    """Every layout this campaign file can print for the institution (each page size)."""
    out = []
    for page in PAGES_MM:
        try:
            out.append(build_layout(campaign, institution, page))
        except KioskError:
            continue  # a roster too long for A5 simply has no A5 layout
    return out


# -- how many fit -------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Roster:
    """An institution with only part of its roster (for the capacity search)."""

    id: str
    name: str
    specialists: tuple[Any, ...]


def fits(campaign: Any, institution: Any, page: str, lang: str = "lv") -> bool:
    try:
        _fit(campaign, institution, page, lang)
        return True
    except _Overflow:
        return False


def roster_capacity(campaign: Any, institution: Any, page: str, lang: str = "lv") -> int:
    """How many of this institution's specialists (in its own order, with their
    names and positions) fit on one page of ``page`` as this campaign asks for
    them (0: not even one)."""
    people = tuple(institution.specialists)
    lo, hi = 0, len(people)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(campaign, _Roster(institution.id, institution.name, people[:mid]), page, lang):
            lo = mid
        else:
            hi = mid - 1
    return lo


def too_long(campaign: Any, institution: Any, page: str, lang: str = "lv") -> KioskError:
    """The error for a roster that does not fit ``page``: its limit there and what to do
    (the number grid; A4 when on A5 and A4 would take it; never the page already chosen)."""
    count = len(institution.specialists)
    limit = roster_capacity(campaign, institution, page, lang)
    numbered = any(question_style(q, institution) == "number" for q in campaign.questions)
    other = "a4" if page == "a5" else None
    if other is not None and fits(campaign, institution, other, lang):
        return KioskError("layout.too_long_for_page", page=page.upper(), count=count, max=limit, other=other.upper())
    if numbered:
        return KioskError("layout.too_long_numbered", page=page.upper(), count=count, max=limit)
    return KioskError("layout.too_long", page=page.upper(), count=count, max=limit)
