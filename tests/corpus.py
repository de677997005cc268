"""A realistic test corpus of returned ballots: printed, marked by hand, scanned or photographed.

Every ballot is printed with the real printing code (``kiosk.issuing.jobs.print_ballots``),
rendered from its PDF with pdfium, marked with hand-like strokes at the
render resolution and then put through a scanner or a webcam model.  Every
sheet carries its ground truth: which boxes the voter marked, what the reader
should report (question label -> option labels, exactly as printed) and the
sheet's expected class.

Marks (all in millimetres on the page, rasterised with antialiasing):
  tick, cross, fill (hatched box), scribble, overrun (a tick or cross running
  well over the box border), pencil (a firm graphite mark), faint (light
  pencil), dot (the pen rested once), margin writing (never inside a box).
Scanner: 150/200/300 dpi, A5/A4, grey or colour, paper tone, skew up to 5
  degrees, 90/180/270 rotation, flatbed lid or feeder backing around the page,
  slight blur, noise; PNG, JPEG (quality 60-90), multi-page TIFF (LZW or
  JPEG) and image-only PDF batches, duplex batches with blank back pages.
Webcam: the page perspective-warped into a 1280x720 or 1920x1080 frame
  (either orientation) over a desk, uneven light, colour cast, soft shadow,
  mild blur, sensor noise, JPEG.

Classes (``Sheet.cls``): clear, blank_question (an optional question left
blank), blank_required (a required question left blank), overvote, faint,
dot, blank_ballot (nothing marked), stray (clear marks and stray strokes
between the boxes), write_in (a name written on the "Cits speciālists" line
instead of a box), qr_damaged (clear marks and a pen scribble across one of
the QR code's finder patterns), back_page (duplex back), foreign (a ballot of
another institution).  A number-grid question is marked digit by digit (the
leading zeros or not); its ground truth is the specialist of that number.

Everything is derived from one seed: the same seed and the same ballot
serials give byte-identical files (``fixed_serials`` seeds the serials too),
whether written in one process or several (``workers``).  Only numpy and
Pillow (plus pypdfium2 to render the printed PDF).

``evaluate`` matches the reader's ``kiosk scan --json`` lines to the ground
truth and gives the confusion table (expected class x outcome).
"""
from __future__ import annotations

import contextlib
import json
import math
import os
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageChops, ImageDraw, ImageFilter

from kiosk.ballot import payload as kiosk_payload
from kiosk.ballot.spec import LayoutSpec, Question
from kiosk.issuing.jobs import print_ballots

MM_PER_INCH = 25.4
SCAN_EPOCH = 1_790_000_000  # 2026-09-21: the date written into scanned PDFs

# -- expected classes ---------------------------------------------------------
CLEAR = "clear"
BLANK_QUESTION = "blank_question"
BLANK_REQUIRED = "blank_required"
OVERVOTE = "overvote"
FAINT = "faint"
DOT = "dot"
BLANK_BALLOT = "blank_ballot"
STRAY = "stray"
WRITE_IN = "write_in"
QR_DAMAGED = "qr_damaged"
BACK_PAGE = "back_page"
FOREIGN = "foreign"
BALLOT_CLASSES = (CLEAR, BLANK_QUESTION, BLANK_REQUIRED, OVERVOTE, FAINT, DOT, BLANK_BALLOT, STRAY, WRITE_IN, QR_DAMAGED)
ALL_CLASSES = BALLOT_CLASSES + (BACK_PAGE, FOREIGN)
UNAMBIGUOUS = frozenset({CLEAR, BLANK_QUESTION, STRAY})
# Either review, or counted exactly as the voter marked it (a blank question or a blank
# ballot is counted as cast by the default review policy, as the voter left it).
REVIEW_OR_AS_MARKED = frozenset({BLANK_REQUIRED, OVERVOTE, FAINT, DOT, BLANK_BALLOT, QR_DAMAGED})
# Only a person can tell (a write-in names someone the boxes do not).
REVIEW_ONLY = frozenset({WRITE_IN})

# Share of each class among the ballots of one capture kind (rounded, rest -> clear).
CLASS_MIX = {BLANK_QUESTION: 0.11, BLANK_REQUIRED: 0.03, OVERVOTE: 0.08, FAINT: 0.07, DOT: 0.06, BLANK_BALLOT: 0.05}
# A realistic urn: 55% clear, 8% blank, 10% overvote, 10% faint, 7% dot, 10% stray marks;
# "some questions skipped": an optional question left blank on a share of the clear ones
# and a few required ones.
URN_MIX = {BLANK_BALLOT: 0.08, OVERVOTE: 0.10, FAINT: 0.10, DOT: 0.07, STRAY: 0.10, BLANK_QUESTION: 0.10,
           BLANK_REQUIRED: 0.03}

CLEAR_KINDS = ("tick", "cross", "fill", "scribble", "overrun")
CLEAR_WEIGHTS = (0.34, 0.30, 0.12, 0.10, 0.14)
MARK_KINDS = CLEAR_KINDS + ("faint", "dot")

# -- inks ---------------------------------------------------------------------


@dataclass(frozen=True)
class Ink:
    name: str
    rgb: tuple[int, int, int]
    darkness: float  # opacity of a fully covered pixel, 0..1
    grain: float  # 0 smooth ink .. ~0.6 graphite on paper
    width_mm: tuple[float, float]  # stroke width range

    def luminance(self) -> float:
        r, g, b = self.rgb
        return 0.299 * r + 0.587 * g + 0.114 * b


def pen(rng: random.Random) -> Ink:
    """A ballpoint or felt pen: black or blue, varying pressure (about 25-110 of 255 on white)."""
    name, rgb = rng.choice([("black", (22, 22, 30)), ("blue", (24, 42, 150)), ("blue", (38, 52, 118)), ("black", (40, 38, 44))])
    return Ink(name, rgb, rng.uniform(0.82, 1.0), rng.uniform(0.0, 0.15), (0.4, 1.0))


def firm_pencil(rng: random.Random) -> Ink:
    """A pencil pressed normally: a clear grey mark (about 90-120 of 255 on white)."""
    return Ink("pencil", (55, 55, 62), rng.uniform(0.8, 0.95), rng.uniform(0.2, 0.35), (0.45, 0.8))


def light_pencil(rng: random.Random) -> Ink:
    """Light pencil: grey, thin, grainy; visible to a person, but faint (about 170-205 of 255)."""
    return Ink("light-pencil", (95, 95, 102), rng.uniform(0.42, 0.62), rng.uniform(0.3, 0.45), (0.35, 0.55))


# -- geometry helpers -----------------------------------------------------------


def _catmull_rom(ctrl: np.ndarray, samples: int = 10) -> np.ndarray:
    """A smooth curve through the control points (endpoints duplicated)."""
    if len(ctrl) < 3:
        return ctrl.astype(float)
    p = np.vstack([ctrl[:1], ctrl, ctrl[-1:]]).astype(float)
    out = []
    t = np.linspace(0.0, 1.0, samples, endpoint=False)[:, None]
    for i in range(1, len(p) - 2):
        p0, p1, p2, p3 = p[i - 1], p[i], p[i + 1], p[i + 2]
        out.append(0.5 * ((2 * p1) + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2 + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3))
    out.append(p[-2][None, :])
    return np.vstack(out)


def _resample(points: np.ndarray, step: float) -> np.ndarray:
    """Points along the polyline no further apart than ``step``."""
    if len(points) < 2:
        return points
    seg = np.diff(points, axis=0)
    lengths = np.hypot(seg[:, 0], seg[:, 1])
    cum = np.concatenate([[0.0], np.cumsum(lengths)])
    total = cum[-1]
    if total <= 0:
        return points[:1]
    n = max(2, int(math.ceil(total / step)) + 1)
    s = np.linspace(0.0, total, n)
    return np.column_stack([np.interp(s, cum, points[:, 0]), np.interp(s, cum, points[:, 1])])


@dataclass
class Stroke:
    points: np.ndarray  # (N, 2) page millimetres
    widths: np.ndarray  # (N,) millimetres

    @classmethod
    def through(cls, ctrl: Sequence[Sequence[float]], width: float, rng: random.Random, *, tremor: float = 0.04, smooth: bool = True) -> "Stroke":
        pts = np.asarray(ctrl, dtype=float)
        pts = _catmull_rom(pts, 12) if smooth and len(pts) >= 3 else pts
        pts = _resample(pts, 0.12)
        n = len(pts)
        # Hand tremor: a low-frequency wobble perpendicular-ish to the path.
        if n > 2 and tremor > 0:
            phase = rng.uniform(0, 2 * math.pi)
            freq = rng.uniform(1.5, 4.0)
            t = np.linspace(0, 1, n)
            pts = pts + tremor * np.column_stack([np.sin(2 * math.pi * freq * t + phase), np.cos(2 * math.pi * freq * t * 0.7 + phase)])
        # Pressure: lighter where the pen lands and lifts.
        t = np.linspace(0, 1, n)
        profile = 0.72 + 0.28 * np.sin(np.pi * np.clip(t * 1.15, 0, 1)) ** 0.5
        widths = width * profile * rng.uniform(0.9, 1.1)
        return cls(pts, widths)

    def shifted(self, dx: float, dy: float) -> "Stroke":
        return Stroke(self.points + np.array([dx, dy]), self.widths)


def _affine(unit: Sequence[Sequence[float]], centre: tuple[float, float], size: float, angle_deg: float, stretch: tuple[float, float] = (1.0, 1.0)) -> list[tuple[float, float]]:
    """Map points of a unit square centred at 0 (y down) into millimetres."""
    a = math.radians(angle_deg)
    ca, sa = math.cos(a), math.sin(a)
    out = []
    for u, v in unit:
        u, v = u * stretch[0], v * stretch[1]
        out.append((centre[0] + size * (u * ca - v * sa), centre[1] + size * (u * sa + v * ca)))
    return out


# -- hand-like marks --------------------------------------------------------------


def _jit(rng: random.Random, a: float) -> float:
    return rng.uniform(-a, a)


def tick_strokes(box: Sequence[float], rng: random.Random, width: float, scale: tuple[float, float] = (0.6, 0.95), spread: float = 0.12) -> list[Stroke]:
    x, y, w, h = box
    s = min(w, h)
    centre = (x + w / 2 + _jit(rng, spread * s), y + h / 2 + _jit(rng, spread * s))
    size = s * rng.uniform(*scale)
    angle = rng.uniform(-14, 10)
    j = 0.05
    start = (-0.42 + _jit(rng, j), -0.02 + _jit(rng, 0.1))
    bottom = (-0.12 + _jit(rng, j), 0.40 + _jit(rng, j))
    end = (0.48 + _jit(rng, j), -0.50 + _jit(rng, 0.08))
    short = _affine([start, ((start[0] + bottom[0]) / 2 + 0.02, (start[1] + bottom[1]) / 2 + 0.03), bottom], centre, size, angle)
    long = _affine([bottom, ((bottom[0] + end[0]) / 2 - 0.03, (bottom[1] + end[1]) / 2 + 0.04), end], centre, size, angle)
    if rng.random() < 0.75:  # one continuous stroke with a sharp vertex
        pts = _catmull_rom(np.array(short), 8)[:-1].tolist() + _catmull_rom(np.array(long), 8).tolist()
        return [Stroke.through(pts, width, rng, smooth=False)]
    return [Stroke.through(short, width, rng), Stroke.through(long, width, rng)]


def cross_strokes(box: Sequence[float], rng: random.Random, width: float, scale: tuple[float, float] = (0.6, 0.95), spread: float = 0.1) -> list[Stroke]:
    x, y, w, h = box
    s = min(w, h)
    centre = (x + w / 2 + _jit(rng, spread * s), y + h / 2 + _jit(rng, spread * s))
    size = s * rng.uniform(*scale)
    angle = rng.uniform(-10, 10)
    strokes = []
    for a, b in (((-0.5, -0.5), (0.5, 0.5)), ((0.5, -0.5), (-0.5, 0.5))):
        a = (a[0] + _jit(rng, 0.08), a[1] + _jit(rng, 0.08))
        b = (b[0] + _jit(rng, 0.08), b[1] + _jit(rng, 0.08))
        bow = _jit(rng, 0.07)
        mid = ((a[0] + b[0]) / 2 + bow, (a[1] + b[1]) / 2 - bow)
        strokes.append(Stroke.through(_affine([a, mid, b], centre, size, angle), width * rng.uniform(0.9, 1.1), rng))
    return strokes


def fill_strokes(box: Sequence[float], rng: random.Random, width: float) -> list[Stroke]:
    """The box hatched or filled with a zigzag, sometimes spilling over its border."""
    x, y, w, h = box
    lo, hi = rng.uniform(0.04, 0.15), rng.uniform(0.85, 1.0)
    rows = rng.randint(5, 10)
    pts = []
    vertical = rng.random() < 0.3
    for i in range(rows + 1):
        t = lo + (hi - lo) * i / rows + _jit(rng, 0.02)
        a = lo + _jit(rng, 0.06)
        b = hi + _jit(rng, 0.06)
        ends = (a, b) if i % 2 == 0 else (b, a)
        for e in ends:
            u, v = (t, e) if vertical else (e, t)
            pts.append((x + u * w, y + v * h))
    return [Stroke.through(pts, max(width, 0.6), rng, smooth=False, tremor=0.03)]


def scribble_strokes(box: Sequence[float], rng: random.Random, width: float) -> list[Stroke]:
    """A loopy scribble over the box (round and round)."""
    x, y, w, h = box
    s = min(w, h)
    cx, cy = x + w / 2 + _jit(rng, 0.08 * s), y + h / 2 + _jit(rng, 0.08 * s)
    turns = rng.uniform(2.5, 4.5)
    n = int(turns * 14)
    r0 = s * rng.uniform(0.3, 0.42)
    pts = []
    phase = rng.uniform(0, 2 * math.pi)
    drift = (_jit(rng, 0.25 * s), _jit(rng, 0.25 * s))
    for i in range(n):
        t = i / (n - 1)
        ang = phase + 2 * math.pi * turns * t
        r = r0 * (1.0 - 0.55 * t) * rng.uniform(0.85, 1.15)
        ex = rng.uniform(0.8, 1.2)
        pts.append((cx + drift[0] * (t - 0.5) + r * ex * math.cos(ang), cy + drift[1] * (t - 0.5) + r * math.sin(ang)))
    return [Stroke.through(pts, width, rng, tremor=0.03)]


def overrun_strokes(box: Sequence[float], rng: random.Random, width: float) -> list[Stroke]:
    """A big tick or cross whose strokes run well over the box border (within the gap to the next box)."""
    if rng.random() < 0.5:
        return cross_strokes(box, rng, width, scale=(1.15, 1.55), spread=0.08)
    return tick_strokes(box, rng, width, scale=(1.2, 1.6), spread=0.08)


def dot_strokes(box: Sequence[float], rng: random.Random, width: float) -> list[Stroke]:
    """The pen set down once: a small blob inside the box."""
    x, y, w, h = box
    cx = x + w * rng.uniform(0.3, 0.7)
    cy = y + h * rng.uniform(0.3, 0.7)
    d = rng.uniform(0.7, 1.4)
    a = rng.uniform(0, math.pi)
    ln = rng.uniform(0.05, 0.3)
    pts = [(cx - ln * math.cos(a) / 2, cy - ln * math.sin(a) / 2), (cx + ln * math.cos(a) / 2, cy + ln * math.sin(a) / 2)]
    return [Stroke(np.array(pts), np.array([d, d]))]


def faint_strokes(box: Sequence[float], rng: random.Random, width: float) -> list[Stroke]:
    if rng.random() < 0.55:
        return tick_strokes(box, rng, width, scale=(0.55, 0.85))
    return cross_strokes(box, rng, width, scale=(0.55, 0.85))


STROKES = {
    "tick": tick_strokes,
    "cross": cross_strokes,
    "fill": fill_strokes,
    "scribble": scribble_strokes,
    "overrun": overrun_strokes,
    "faint": faint_strokes,
    "dot": dot_strokes,
}


def margin_strokes(region: Sequence[float], rng: random.Random, width: float) -> list[Stroke]:
    """Handwriting-like lines (a comment, a signature) inside region [x, y, w, h] (mm).

    Cursive is modelled as a prolate trochoid: loops of varying height
    (x-height, ascenders, descenders) along a slightly wavy baseline.
    """
    x, y, w, h = region
    strokes: list[Stroke] = []
    lines = rng.randint(1, 2)
    letter = rng.uniform(1.6, 2.6)  # x-height, mm
    line_gap = letter * 2.6
    slant = rng.uniform(0.1, 0.35)
    for ln in range(lines):
        base = y + letter * 2.4 + ln * line_gap
        if base + letter * 0.6 > y + h:
            break
        cx = x + rng.uniform(0, 0.1 * w)
        end = x + w * rng.uniform(0.5, 0.95)
        while cx < end - 4:
            word_end = min(cx + rng.uniform(6, 20), end)
            period = letter * rng.uniform(0.8, 1.15)
            loops = max(2, int((word_end - cx) / period))
            heights = [letter * rng.choice([1, 1, 1, 0.8, 2.0, 2.3]) for _ in range(loops + 2)]
            curl = [rng.uniform(0.15, 0.45) for _ in range(loops + 2)]
            drops = [letter * (0.9 if rng.random() < 0.1 else 0.0) for _ in range(loops + 2)]
            n = loops * 14
            pts = []
            for i in range(n + 1):
                t = i / 14  # loops done
                k = int(t)
                f = t - k
                top = heights[k] * (1 - f) + heights[k + 1] * f
                low = drops[k] * (1 - f) + drops[k + 1] * f
                ang = 2 * math.pi * t
                yy = base - top * (0.5 - 0.5 * math.cos(ang)) + low * max(0.0, math.cos(ang)) ** 8
                xx = cx + period * t - curl[k] * period * math.sin(ang) + slant * (base - yy)
                pts.append((xx, yy + 0.3 * math.sin(0.2 * xx)))
            strokes.append(Stroke.through(pts, width * 0.8, rng, tremor=0.03, smooth=False))
            cx = word_end + rng.uniform(1.5, 3.5)
    if rng.random() < 0.4:  # an underline or a flourish
        yy = y + min(h, lines * line_gap + letter)
        strokes.append(Stroke.through([(x + 1, yy), (x + w * 0.3, yy + _jit(rng, 0.6)), (x + w * 0.6, yy + _jit(rng, 0.6))], width, rng))
    return strokes


def margin_regions(spec: LayoutSpec) -> list[list[float]]:
    """Places on the page where writing touches no box, write-in line, QR code, mark or footer:
    the free bands across the page at least 8 mm tall between the printed parts."""
    W, H = spec.page_mm
    k = spec.box_line_mm / 0.35
    boxes = [o.box for q in spec.questions for o in q.options]
    left = min(b[0] for b in boxes)
    footer_y = max(t.y for t in spec.texts)
    taken = [(b[1] - 2.0, b[1] + b[3] + 2.0) for b in boxes]
    taken += [(q.writein.y - 3.0, q.writein.y + q.writein.h + 6.0) for q in spec.questions if q.writein is not None]
    taken += [(t.y - 4.0, t.y + 1.5) for t in spec.texts if t.y > spec.qr.y + spec.qr.size]
    taken.append((0.0, spec.serial_text.y + 6.0 * k))
    taken.append((footer_y - 7.0 * k, H))
    taken.sort()
    regions, y = [], 0.0
    for a, b in taken:
        if a - y > 8:
            regions.append([left, y + 0.5, W - 2 * left, a - y - 1.0])
        y = max(y, b)
    return regions


def underline_region(spec: LayoutSpec, rng: random.Random) -> list[float]:
    """A strip under a specialist's name (a voter underlining a name, outside the box)."""
    q = next((q for q in spec.questions if q.type == "specialist"), spec.questions[0])
    o = rng.choice(q.options)
    x, y, w, h = o.box
    k = spec.box_line_mm / 0.35
    return [x + w + 3.5 * k, y + h + 0.6 * k, 40.0 * k, 0.8 * k]


# -- painting ------------------------------------------------------------------------


def paint(img: Image.Image, strokes: Sequence[Stroke], ink: Ink, px_per_mm: float, nprng: np.random.Generator, *, supersample: int = 4) -> None:
    """Rasterise strokes (page millimetres) onto ``img`` (L or RGB) in place.

    Coverage is drawn supersampled, box-filtered down, given grain, and
    composited subtractively: paper * (1 - alpha * (1 - ink / 255)).
    """
    if not strokes:
        return
    pad = max(float(s.widths.max()) for s in strokes) + 0.2
    allp = np.vstack([s.points for s in strokes]) * px_per_mm
    x0 = int(math.floor(allp[:, 0].min() - pad * px_per_mm)) - 1
    y0 = int(math.floor(allp[:, 1].min() - pad * px_per_mm)) - 1
    x1 = int(math.ceil(allp[:, 0].max() + pad * px_per_mm)) + 2
    y1 = int(math.ceil(allp[:, 1].max() + pad * px_per_mm)) + 2
    x0, y0 = max(x0, 0), max(y0, 0)
    x1, y1 = min(x1, img.width), min(y1, img.height)
    if x1 <= x0 or y1 <= y0:
        return
    ss = supersample
    cov = Image.new("L", ((x1 - x0) * ss, (y1 - y0) * ss), 0)
    draw = ImageDraw.Draw(cov)
    f = px_per_mm * ss
    for s in strokes:
        pts = (s.points * px_per_mm - np.array([x0, y0])) * ss
        wpx = s.widths * f
        for i in range(len(pts)):
            r = max(wpx[i] / 2, 0.5 * ss)
            px, py = pts[i]
            draw.ellipse([px - r, py - r, px + r, py + r], fill=255)
            if i:
                qx, qy = pts[i - 1]
                draw.line([(qx, qy), (px, py)], fill=255, width=max(1, int(round(min(wpx[i], wpx[i - 1])))))
    cov = cov.resize((x1 - x0, y1 - y0), Image.Resampling.BOX)
    alpha = np.asarray(cov, dtype=np.float32) / 255.0
    if ink.grain > 0:
        alpha *= 1.0 - ink.grain * nprng.random(alpha.shape, dtype=np.float32)
    alpha *= ink.darkness
    region = (x0, y0, x1, y1)
    base = np.asarray(img.crop(region), dtype=np.float32)
    if base.ndim == 2:
        absorb = 1.0 - ink.luminance() / 255.0
        out = base * (1.0 - alpha * absorb)
    else:
        absorb = 1.0 - np.asarray(ink.rgb, dtype=np.float32) / 255.0
        out = base * (1.0 - alpha[..., None] * absorb[None, None, :])
    img.paste(Image.fromarray(np.clip(out + 0.5, 0, 255).astype(np.uint8)), region[:2])


# -- ballot plans ----------------------------------------------------------------------


@dataclass
class MarkPlan:
    question: str
    option: str  # the box marked (a digit box "<position>:<digit>" in a number grid)
    kind: str  # one of MARK_KINDS
    choice: str = ""  # the answer the voter means (the option itself, or the specialist of a number)


def number_marks(q: Question, number: int, kind: str, rng: random.Random, *, leading: bool | None = None) -> list[MarkPlan]:
    """The digit boxes a voter marks for a number: every row (leading zeros too) or only from
    the first significant digit on."""
    entry = next(r for r in q.roster if r.number == number)
    digits = str(number).zfill(q.digits)
    if leading is None:
        leading = rng.random() < 0.6
    out = []
    for pos, d in enumerate(digits, start=1):
        if not leading and d == "0" and all(x == "0" for x in digits[: pos]):
            continue
        out.append(MarkPlan(q.id, f"{pos}:{d}", kind, entry.id))
    return out


def plan_marks(spec: LayoutSpec, cls: str, rng: random.Random) -> list[MarkPlan]:
    """Which boxes the voter marks, and how, for a sheet of class ``cls``."""
    questions = spec.questions
    optional = [q for q in questions if q.optional]
    required = [q for q in questions if not q.optional]

    def clear_kind() -> str:
        return rng.choices(CLEAR_KINDS, CLEAR_WEIGHTS)[0]

    def one(q: Question, kind: str | None = None) -> list[MarkPlan]:
        kind = kind or clear_kind()
        if q.is_number:
            marks = number_marks(q, rng.choice(q.roster).number, kind, rng)
            if kind in ("faint", "dot"):  # one digit faint or a dot, the others clear
                i = rng.randrange(len(marks))
                marks = [MarkPlan(m.question, m.option, kind if n == i else clear_kind(), m.choice) for n, m in enumerate(marks)]
            return marks
        o = rng.choice(q.options).id
        return [MarkPlan(q.id, o, kind, o)]

    if cls == BLANK_BALLOT:
        return []
    special: dict[str, list[MarkPlan]] = {}
    if cls == BLANK_QUESTION:
        if not optional:
            raise ValueError("blank_question needs an optional question")
        special[rng.choice(optional).id] = []
    elif cls == BLANK_REQUIRED:
        if not required:
            raise ValueError("blank_required needs a required question")
        special[rng.choice(required).id] = []
    elif cls == OVERVOTE:
        q = rng.choice(questions)
        if q.is_number:
            a, b = rng.sample(q.roster, 2)
            both = number_marks(q, a.number, clear_kind(), rng, leading=True) + number_marks(q, b.number, clear_kind(), rng, leading=True)
            special[q.id] = list({m.option: m for m in both}.values())  # a digit both share is marked once
        else:
            a, b = rng.sample(q.options, 2)
            special[q.id] = [MarkPlan(q.id, a.id, clear_kind(), a.id), MarkPlan(q.id, b.id, clear_kind(), b.id)]
    elif cls in (FAINT, DOT):
        q = rng.choice(questions)
        special[q.id] = one(q, "faint" if cls == FAINT else "dot")
    elif cls == WRITE_IN:
        q = next((q for q in questions if q.writein is not None), None)
        if q is None:
            raise ValueError("write_in needs a question with a write-in line")
        special[q.id] = []
    elif cls not in (CLEAR, STRAY, QR_DAMAGED):
        raise ValueError(f"unknown class {cls!r}")
    marks: list[MarkPlan] = []
    for q in questions:
        if q.id in special:
            marks.extend(special[q.id])
        elif q.optional and cls not in (CLEAR, BLANK_REQUIRED, STRAY, QR_DAMAGED) and rng.random() < 0.2:
            continue  # an optional question also left blank: still the sheet's own class
        else:
            marks.extend(one(q))
    return marks


def votes_of(spec: LayoutSpec, marks: Sequence[MarkPlan]) -> dict[str, list[str]]:
    """Question id -> answers the voter marked (faint and dot marks included), in printed order;
    a number grid's answer is the specialist whose number the digits make."""
    chosen = {(m.question, m.choice or m.option) for m in marks}
    return {q.id: [c.id for c in q.choices if (q.id, c.id) in chosen] for q in spec.questions}


def labels_of(spec: LayoutSpec, votes: dict[str, list[str]]) -> dict[str, list[str]]:
    """The same selections as printed labels: question label -> option labels."""
    out = {}
    for q in spec.questions:
        names = {c.id: c.label for c in q.choices}
        out[q.label] = [names[o] for o in votes.get(q.id, [])]
    return out


def _touches(strokes: Sequence[Stroke], rects: Sequence[Sequence[float]], margin: float) -> bool:
    """Whether any stroke (with its width) comes within ``margin`` mm of any rect [x, y, w, h]."""
    for st in strokes:
        px, py, r = st.points[:, 0], st.points[:, 1], st.widths / 2
        for x, y, w, h in rects:
            dx = np.maximum(np.maximum(x - margin - px, 0.0), px - (x + w + margin))
            dy = np.maximum(np.maximum(y - margin - py, 0.0), py - (y + h + margin))
            if np.any(np.hypot(dx, dy) < r):
                return True
    return False


def _draw_clear_of(make: Any, rects: Sequence[Sequence[float]], margin: float) -> list[Stroke]:
    """Strokes from ``make()`` that keep clear of ``rects``: a voter's stroke that strayed into
    another box would change the ground truth, so such a draw is made again."""
    for _ in range(50):
        strokes = make()
        if not _touches(strokes, rects, margin):
            return strokes
    raise RuntimeError("could not place the strokes clear of the other boxes")


def _printed_features(spec: LayoutSpec) -> list[list[float]]:
    """Boxes, write-in areas, the QR code with its quiet zone and the registration marks, as rects (mm)."""
    q = spec.qr
    quiet = 4 * q.size / 29
    rects = [list(o.box) for qq in spec.questions for o in qq.options]
    rects += [[w.x, w.y - 1.0, w.w, w.h + 2.5] for w in (qq.writein for qq in spec.questions) if w is not None]
    rects.append([q.x - quiet, q.y - quiet, q.size + 2 * quiet, q.size + 2 * quiet])
    rects += [[m.x - m.size / 2, m.y - m.size / 2, m.size, m.size] for m in spec.marks]
    return rects


def writein_strokes(spec: LayoutSpec, rng: random.Random, width: float) -> list[Stroke]:
    """A name handwritten on the write-in line: cursive on the line, one or two words."""
    q = next(q for q in spec.questions if q.writein is not None)
    x, y, w, h = q.writein
    region = [x + rng.uniform(1, 6), y + h - 6.5, w * rng.uniform(0.45, 0.8), 6.0]
    for _ in range(20):
        strokes = margin_strokes(region, rng, width)
        if strokes:
            return [st for st in strokes if st.points[:, 1].max() < y + h + 1.5]
    raise RuntimeError("no write-in strokes")


def qr_scribble_strokes(spec: LayoutSpec, rng: random.Random, width: float) -> list[Stroke]:
    """A pen scribble across one of the QR code's three finder patterns (a voter's pen crossing it)."""
    q = spec.qr
    m = q.size / 29
    fx, fy = rng.choice([(q.x, q.y), (q.x + q.size - 7 * m, q.y), (q.x, q.y + q.size - 7 * m)])
    pts = [(fx + rng.uniform(-0.5, 7.5) * m, fy + rng.uniform(-0.5, 7.5) * m) for _ in range(rng.randint(5, 9))]
    return [Stroke.through(pts, width * rng.uniform(1.0, 1.6), rng, tremor=0.05)]


def stray_strokes(spec: LayoutSpec, rng: random.Random, width: float) -> list[Stroke]:
    """Stray pen strokes that touch no box: a tick beside a name, a line under a heading, a doodle."""
    out: list[Stroke] = []
    q = next((q for q in spec.questions if q.type == "specialist" and not q.is_number), spec.questions[0])
    o = rng.choice(q.options)
    x, y, bw, bh = o.box
    k = spec.box_line_mm / 0.35
    for _ in range(rng.randint(1, 3)):
        r = rng.random()
        if r < 0.4:  # a small tick after the name, well right of the box
            cx = x + bw + rng.uniform(18, 30) * k
            out += tick_strokes([cx, y + 0.1 * bh, bh * 0.8, bh * 0.8], rng, width)
        elif r < 0.7:  # a line under a heading or a name
            ty = rng.choice([t.y for t in spec.texts if t.y > spec.qr.y + spec.qr.size]) + 1.0
            x0 = x + bw + 3.0
            out.append(Stroke.through([(x0, ty), (x0 + rng.uniform(10, 25), ty + _jit(rng, 0.4))], width, rng))
        else:  # a doodle in the margin left of the boxes
            cx, cy = rng.uniform(3.0, max(3.5, x - 3.0)), rng.uniform(60, spec.page_mm[1] - 40)
            out += scribble_strokes([cx - 2, cy - 2, 4, 4], rng, width)
    return out


def mark_page(img: Image.Image, spec: LayoutSpec, marks: Sequence[MarkPlan], rng: random.Random, nprng: np.random.Generator, *, margin: str | None = None, ink_kind: str = "pen",
              extra: str | None = None) -> dict[str, Any]:
    """Draw the planned marks (and margin writing; ``extra``: "write_in", "qr_damaged" or
    "stray" strokes) on a rendered page; returns what was drawn."""
    px_per_mm = img.width / spec.page_mm[0]
    hand = firm_pencil(rng) if ink_kind == "pencil" else pen(rng)
    width = rng.uniform(*hand.width_mm)
    boxes = {(q.id, o.id): o.box for q in spec.questions for o in q.options}
    drawn = []
    for m in marks:
        if m.kind == "faint":
            ink = light_pencil(rng)
            w = rng.uniform(*ink.width_mm)
        elif m.kind == "dot":
            ink = Ink(hand.name, hand.rgb, max(hand.darkness, 0.85), 0.05, hand.width_mm)
            w = width
        else:
            ink, w = hand, width * rng.uniform(0.9, 1.1)
        others = [b for k, b in boxes.items() if k != (m.question, m.option)]
        others += [[w.x, w.y - 1.0, w.w, w.h + 2.5] for w in (q.writein for q in spec.questions) if w is not None]
        strokes = _draw_clear_of(lambda: STROKES[m.kind](boxes[(m.question, m.option)], rng, w), others, spec.box_line_mm / 2 + 0.2)
        paint(img, strokes, ink, px_per_mm, nprng)
        drawn.append({"question": m.question, "option": m.option, "choice": m.choice, "kind": m.kind, "ink": ink.name,
                      "darkness": round(ink.darkness, 3), "width_mm": round(w, 3)})
    if margin:
        def writing() -> list[Stroke]:
            region = underline_region(spec, rng) if margin == "underline" else rng.choice(margin_regions(spec))
            if margin == "underline":
                return [Stroke.through([(region[0], region[1]), (region[0] + region[2] * 0.5, region[1] + _jit(rng, 0.3)),
                                        (region[0] + region[2], region[1] + _jit(rng, 0.4))], width, rng)]
            return margin_strokes(region, rng, width)

        if margin == "underline" or margin_regions(spec):
            paint(img, _draw_clear_of(writing, _printed_features(spec), 1.0), hand, px_per_mm, nprng)
        else:
            margin = None  # a page filled to its footer has no room for a comment
    if extra == "write_in":
        paint(img, writein_strokes(spec, rng, width), hand, px_per_mm, nprng)
    elif extra == "qr_damaged":
        paint(img, qr_scribble_strokes(spec, rng, width), hand, px_per_mm, nprng)
    elif extra == "stray":
        clear = [list(o.box) for q in spec.questions for o in q.options]
        clear += [[w.x, w.y - 1.0, w.w, w.h + 2.5] for w in (q.writein for q in spec.questions) if w is not None]
        paint(img, _draw_clear_of(lambda: stray_strokes(spec, rng, width), clear, 1.2), hand, px_per_mm, nprng)
    return {"ink": hand.name, "width_mm": round(width, 3), "marks": drawn, "margin": margin, "extra": extra}


# -- rendering ---------------------------------------------------------------------------


def render_page(doc: pdfium.PdfDocument, index: int, dpi: float, *, color: bool) -> Image.Image:
    """One page of a printed PDF at ``dpi``: mode RGB (colour) or L."""
    page = doc[index]
    try:
        bitmap = page.render(scale=dpi / 72.0, grayscale=not color)
        img = bitmap.to_pil()
    finally:
        page.close()
    img = img.convert("RGB" if color else "L")
    return img


_INV_CDF = np.array([NormalDist().inv_cdf((i + 0.5) / 256) for i in range(256)], dtype=np.float32)


def _noise_image(mode: str, size: tuple[int, int], sigma: float, nprng: np.random.Generator) -> Image.Image:
    """Gaussian noise centred on 128 (quantised through an inverse-CDF table: fast on big pages)."""
    lut = np.clip(np.round(128 + _INV_CDF * sigma), 0, 255).astype(np.uint8)
    shape = (size[1], size[0]) if mode == "L" else (size[1], size[0], 3)
    return Image.fromarray(lut[nprng.integers(0, 256, shape, dtype=np.uint8)])


def _tone(img: Image.Image, tone: Sequence[float]) -> Image.Image:
    """Multiply by the paper's tone (per channel, 0..1)."""
    if img.mode == "L":
        t = tone[0]
        return img.point([int(v * t + 0.5) for v in range(256)])
    lut: list[int] = []
    for c in range(3):
        lut.extend(int(v * tone[c] + 0.5) for v in range(256))
    return img.point(lut)


def _add_noise(img: Image.Image, sigma: float, nprng: np.random.Generator) -> Image.Image:
    if sigma <= 0:
        return img
    return ImageChops.add(img, _noise_image(img.mode, img.size, sigma, nprng), 1.0, -128)


# -- scanner -----------------------------------------------------------------------------


@dataclass
class ScanParams:
    dpi: int
    color: bool
    rotation: int  # 0, 90, 180, 270 (counter-clockwise, as the sheet lay on the glass)
    skew: float  # degrees
    paper: tuple[float, float, float]  # tone per channel, 0..1
    background: int  # grey level around the page
    margins_mm: tuple[float, float, float, float]  # left, top, right, bottom beyond the skewed page
    blur: float  # Gaussian radius in pixels (0 = none)
    noise: float  # Gaussian sigma in grey levels


def random_scan_params(rng: random.Random, *, dpi: int | None = None, color: bool | None = None, lossless: bool = False) -> ScanParams:
    r = rng.random()
    rotation = 0 if r < 0.55 else 180 if r < 0.8 else 90 if r < 0.9 else 270
    skew = rng.uniform(-1.0, 1.0) if rng.random() < 0.5 else rng.uniform(-5.0, 5.0)
    if rng.random() < 0.5:  # flatbed: white lid, the page near the glass's corner
        background = rng.randint(215, 245)
        margins = (rng.uniform(0.5, 3), rng.uniform(0.5, 3), rng.uniform(0.5, 30), rng.uniform(0.5, 30))
    else:  # sheet feeder: grey or dark backing all round
        background = rng.choice([rng.randint(30, 70), rng.randint(110, 190)])
        margins = tuple(rng.uniform(0.5, 5) for _ in range(4))
    base = rng.uniform(0.90, 0.99)
    paper = (base, base * rng.uniform(0.985, 1.0), base * rng.uniform(0.95, 1.0))
    return ScanParams(
        dpi=dpi or rng.choice([150, 200, 200, 300]),
        color=rng.random() < 0.3 if color is None else color,
        rotation=rotation,
        skew=round(skew, 3),
        paper=paper,
        background=background,
        margins_mm=margins,
        blur=round(rng.uniform(0.3, 0.9), 3) if rng.random() < 0.4 else 0.0,
        noise=round(rng.uniform(0.8, 2.5) if lossless else rng.uniform(1.0, 4.0), 3),
    )


_TRANSPOSE = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_270}


def scan(page: Image.Image, p: ScanParams, nprng: np.random.Generator) -> Image.Image:
    """What a scanner writes for a (marked) page rendered at ``p.dpi``."""
    img = _tone(page, p.paper if page.mode == "RGB" else (0.299 * p.paper[0] + 0.587 * p.paper[1] + 0.114 * p.paper[2],))
    if p.rotation:
        img = img.transpose(_TRANSPOSE[p.rotation])
    bg: int | tuple[int, int, int] = p.background if img.mode == "L" else (p.background,) * 3
    if p.skew:
        img = img.rotate(p.skew, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=bg)
    ppm = p.dpi / MM_PER_INCH
    l, t, r, b = (int(round(m * ppm)) for m in p.margins_mm)
    canvas = Image.new(img.mode, (img.width + l + r, img.height + t + b), bg)
    canvas.paste(img, (l, t))
    if p.blur > 0:
        canvas = canvas.filter(ImageFilter.GaussianBlur(p.blur))
    return _add_noise(canvas, p.noise, nprng)


def scan_point(p: ScanParams, page_px: tuple[int, int], pt: tuple[float, float]) -> tuple[float, float]:
    """Where a point of the rendered page (pixels) lands in the scanned image made by ``scan``."""
    x, y = pt
    w, h = page_px
    if p.rotation == 90:
        x, y, w, h = y, w - x, h, w
    elif p.rotation == 180:
        x, y = w - x, h - y
    elif p.rotation == 270:
        x, y, w, h = h - y, x, h, w
    if p.skew:  # Image.rotate(expand=True): the same reverse matrix and output size as Pillow
        a = -math.radians(p.skew)
        m = [round(math.cos(a), 15), round(math.sin(a), 15), 0.0, round(-math.sin(a), 15), round(math.cos(a), 15), 0.0]
        m[2] = m[0] * (-w / 2) + m[1] * (-h / 2) + w / 2
        m[5] = m[3] * (-w / 2) + m[4] * (-h / 2) + h / 2
        xs = [m[0] * cx + m[1] * cy + m[2] for cx, cy in ((0, 0), (w, 0), (w, h), (0, h))]
        ys = [m[3] * cx + m[4] * cy + m[5] for cx, cy in ((0, 0), (w, 0), (w, h), (0, h))]
        nw = math.ceil(max(xs)) - math.floor(min(xs))
        nh = math.ceil(max(ys)) - math.floor(min(ys))
        tx, ty = -(nw - w) / 2.0, -(nh - h) / 2.0
        m[2], m[5] = m[0] * tx + m[1] * ty + m[2], m[3] * tx + m[4] * ty + m[5]
        inv = np.linalg.inv(np.array([[m[0], m[1]], [m[3], m[4]]]))
        x, y = (float(v) for v in inv @ np.array([x - m[2], y - m[5]]))
    ppm = p.dpi / MM_PER_INCH
    return x + int(round(p.margins_mm[0] * ppm)), y + int(round(p.margins_mm[1] * ppm))


def cam_point(corners: Sequence[tuple[float, float]], page_mm: Sequence[float], pt_mm: tuple[float, float]) -> tuple[float, float]:
    """Where a page point (mm) lands in the webcam frame, given the page's corners there."""
    W, H = page_mm
    hm = _homography([(0.0, 0.0), (W, 0.0), (W, H), (0.0, H)], corners)
    v = hm @ np.array([pt_mm[0], pt_mm[1], 1.0])
    return float(v[0] / v[2]), float(v[1] / v[2])


def blank_back(front: Image.Image, p: ScanParams, nprng: np.random.Generator, *, show_through: float = 0.035) -> Image.Image:
    """The blank back of a duplex-scanned sheet: paper, a faint mirrored show-through, dust."""
    ppm = p.dpi / MM_PER_INCH
    gray = front.convert("L").transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    small = gray.reduce(4).filter(ImageFilter.GaussianBlur(max(1.0, 1.2 * ppm / 4)))
    ghost = np.asarray(small.resize(gray.size, Image.Resampling.BILINEAR), dtype=np.float32)
    back = 255.0 - show_through * (255.0 - ghost)
    img = Image.fromarray(np.clip(back + 0.5, 0, 255).astype(np.uint8))
    if front.mode == "RGB":
        img = img.convert("RGB")
    draw = ImageDraw.Draw(img)
    for _ in range(int(nprng.integers(0, 4))):  # dust specks
        x, y = float(nprng.uniform(0, img.width)), float(nprng.uniform(0, img.height))
        r = float(nprng.uniform(0.1, 0.3)) * ppm
        draw.ellipse([x - r, y - r, x + r, y + r], fill=(90 if img.mode == "L" else (90, 90, 90)))
    return scan(img, p, nprng)


# -- webcam -------------------------------------------------------------------------------


@dataclass
class CamParams:
    frame: tuple[int, int]
    quarter: int  # the page's rotation in the frame: 0, 90, 180, 270
    fill: float  # share of the frame the page spans along its limiting side
    roll: float  # degrees
    keystone: tuple[float, float]  # relative shrink of the far edge (vertical, horizontal)
    corner_jitter: float  # relative random displacement of each corner
    offset: tuple[float, float]  # page centre offset, share of the free space
    desk: tuple[int, int, int]
    light: tuple[float, float, float, float]  # min level, direction angle, vignette, gain
    cast: tuple[float, float, float]
    shadow: float  # 0 none, else the darkest level of a soft shadow band
    blur: float
    noise: float
    quality: int


def random_cam_params(rng: random.Random) -> CamParams:
    frame = rng.choices([(1280, 720), (1920, 1080), (720, 1280), (1080, 1920)], [0.35, 0.45, 0.1, 0.1])[0]
    landscape = frame[0] > frame[1]
    if landscape:
        quarter = rng.choice([0, 180]) if rng.random() < 0.55 else rng.choice([90, 270])
    else:
        quarter = 0 if rng.random() < 0.8 else 180
    desk = rng.choice([(150, 108, 70), (118, 118, 124), (52, 50, 56), (196, 192, 184), (95, 70, 48)])
    warm = rng.random() < 0.6
    cast = (1.0, rng.uniform(0.95, 0.99), rng.uniform(0.84, 0.93)) if warm else (rng.uniform(0.9, 0.96), rng.uniform(0.96, 0.99), 1.0)
    return CamParams(
        frame=frame,
        quarter=quarter,
        fill=rng.uniform(0.74, 0.92),
        roll=rng.uniform(-8, 8),
        keystone=(rng.uniform(-0.12, 0.12), rng.uniform(-0.06, 0.06)),
        corner_jitter=rng.uniform(0.0, 0.015),
        offset=(rng.uniform(-0.8, 0.8), rng.uniform(-0.8, 0.8)),
        desk=desk,
        light=(rng.uniform(0.62, 0.92), rng.uniform(0, 2 * math.pi), rng.uniform(0.0, 0.25), rng.uniform(1.0, 1.12)),
        cast=cast,
        shadow=rng.uniform(0.72, 0.9) if rng.random() < 0.2 else 0.0,
        blur=rng.uniform(0.4, 1.1),
        noise=rng.uniform(2.0, 6.0),
        quality=rng.randint(70, 92),
    )


def _homography(src: Sequence[tuple[float, float]], dst: Sequence[tuple[float, float]]) -> np.ndarray:
    """3x3 H with dst ~ H @ src for four point pairs."""
    a = []
    bvec = []
    for (x, y), (u, v) in zip(src, dst):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        bvec.extend([u, v])
    h = np.linalg.solve(np.asarray(a, dtype=float), np.asarray(bvec, dtype=float))
    return np.append(h, 1.0).reshape(3, 3)


def cam_page_corners(p: CamParams, page_mm: Sequence[float], rng: random.Random | None = None) -> list[tuple[float, float]]:
    """Frame pixel positions of the page's own TL, TR, BR, BL corners."""
    fw, fh = p.frame
    W, H = page_mm
    pw, ph = (H, W) if p.quarter in (90, 270) else (W, H)  # page extent as it lies in the frame
    scale = p.fill * min(fw / pw, fh / ph)
    for _ in range(40):
        hw, hh = pw * scale / 2, ph * scale / 2
        kv, kh = p.keystone
        # Corners as they lie (frame TL, TR, BR, BL), keystoned: the far (top) edge shorter.
        lying = [(-hw * (1 - kv), -hh * (1 - kh)), (hw * (1 - kv), -hh * (1 + kh)), (hw * (1 + kv), hh * (1 + kh)), (-hw * (1 + kv), hh * (1 - kh))]
        if rng is not None:
            lying = [(x + p.corner_jitter * 2 * hw * _jit(rng, 1), y + p.corner_jitter * 2 * hh * _jit(rng, 1)) for x, y in lying]
        a = math.radians(p.roll)
        rot = [(x * math.cos(a) - y * math.sin(a), x * math.sin(a) + y * math.cos(a)) for x, y in lying]
        xs, ys = [q[0] for q in rot], [q[1] for q in rot]
        free_x = fw - (max(xs) - min(xs)) - 24
        free_y = fh - (max(ys) - min(ys)) - 24
        if free_x > 0 and free_y > 0:
            cx = fw / 2 - (max(xs) + min(xs)) / 2 + p.offset[0] * free_x / 2
            cy = fh / 2 - (max(ys) + min(ys)) / 2 + p.offset[1] * free_y / 2
            placed = [(x + cx, y + cy) for x, y in rot]
            # The page's own TL is the lying TL rotated by the quarter turn.
            shift = {0: 0, 90: 1, 180: 2, 270: 3}[p.quarter]
            return placed[shift:] + placed[:shift]
        scale *= 0.96
    raise ValueError("page does not fit the frame")


def cam_render_dpi(p: CamParams, page_mm: Sequence[float]) -> float:
    """A render resolution twice the page's scale in the frame (then reduced by 2)."""
    fw, fh = p.frame
    W, H = page_mm
    pw, ph = (H, W) if p.quarter in (90, 270) else (W, H)
    px_per_mm = p.fill * min(fw / pw, fh / ph) * 1.15
    return 2 * px_per_mm * MM_PER_INCH


def _desk(p: CamParams, nprng: np.random.Generator) -> Image.Image:
    """A desk or table top: the base colour with soft blotches and grain."""
    fw, fh = p.frame
    sw, sh = fw // 16 + 2, fh // 16 + 2
    blotch = 0.85 + 0.3 * np.clip(0.5 + 0.16 * nprng.standard_normal((sh, sw, 1), dtype=np.float32), 0, 1)
    grain = 1.0 + 0.05 * nprng.standard_normal((sh * 4, sw * 4, 1), dtype=np.float32)
    grain_img = Image.fromarray(np.clip(128 * grain[..., 0], 0, 255).astype(np.uint8)).resize((fw, fh), Image.Resampling.BILINEAR)
    small = np.asarray(p.desk, dtype=np.float32)[None, None, :] * blotch
    desk = Image.fromarray(np.clip(small + 0.5, 0, 255).astype(np.uint8)).resize((fw, fh), Image.Resampling.BICUBIC)
    return ImageChops.multiply(desk, Image.merge("RGB", [grain_img.point(lambda v: min(255, v * 2))] * 3))


def _light_field(p: CamParams, rng: random.Random) -> np.ndarray:
    """Uneven light over the frame: a gradient, a vignette, maybe a soft shadow (float32, frame size)."""
    fw, fh = p.frame
    sw, sh = fw // 8, fh // 8
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    xx, yy = xx * fw / sw, yy * fh / sh
    lo, ang, vig, gain = p.light
    u = ((xx - fw / 2) * math.cos(ang) + (yy - fh / 2) * math.sin(ang)) / (0.5 * math.hypot(fw, fh))
    light = lo + (1 - lo) * (u + 1) / 2
    r2 = ((xx - fw / 2) / (fw / 2)) ** 2 + ((yy - fh / 2) / (fh / 2)) ** 2
    light = light * (1 - vig * r2 / 2) * gain
    if p.shadow:
        sa = rng.uniform(0, 2 * math.pi)
        d = ((xx - fw / 2) * math.cos(sa) + (yy - fh / 2) * math.sin(sa)) / (0.5 * min(fw, fh)) - rng.uniform(0.2, 0.8)
        light = light * (1 - (1 - p.shadow) / (1 + np.exp(-np.clip(d * 6, -30, 30))))
    big = Image.fromarray(light.astype(np.float32)).resize((fw, fh), Image.Resampling.BILINEAR)
    return np.asarray(big, dtype=np.float32)


def photograph(page: Image.Image, page_mm: Sequence[float], p: CamParams, rng: random.Random, nprng: np.random.Generator) -> tuple[Image.Image, list[tuple[float, float]]]:
    """A webcam frame of the (marked, RGB) page; also returns the page corners in the frame."""
    page = page.convert("RGB").reduce(2)
    paper = rng.uniform(0.94, 1.0)
    page = _tone(page, (paper, paper * 0.99, paper * 0.97))
    corners = cam_page_corners(p, page_mm, rng)
    src = [(0.0, 0.0), (float(page.width), 0.0), (float(page.width), float(page.height)), (0.0, float(page.height))]
    h = _homography(corners, src)  # frame -> page pixels, as Pillow wants
    coeffs = tuple((h / h[2, 2]).flatten()[:8])
    fw, fh = p.frame
    warped = page.transform((fw, fh), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC, fillcolor=(0, 0, 0))
    mask = Image.new("L", page.size, 255).transform((fw, fh), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BILINEAR, fillcolor=0)
    frame = Image.composite(warped, _desk(p, nprng), mask)
    lit = np.asarray(frame, dtype=np.float32) * _light_field(p, rng)[..., None] * np.asarray(p.cast, dtype=np.float32)[None, None, :]
    img = Image.fromarray(np.clip(lit + 0.5, 0, 255).astype(np.uint8))
    img = img.filter(ImageFilter.GaussianBlur(p.blur))
    return _add_noise(img, p.noise, nprng), corners


# -- the corpus ------------------------------------------------------------------------------


@dataclass
class Sheet:
    """One page of one corpus file and its ground truth."""

    file: str  # path relative to the corpus root
    page: int  # 1-based within the file
    capture: str  # scanner | webcam
    cls: str
    page_size: str | None = None
    serial: str | None = None  # as printed (XXXX-XXXX-XXXXX)
    votes: dict[str, list[str]] = field(default_factory=dict)  # question id -> option ids
    expected: dict[str, list[str]] = field(default_factory=dict)  # question label -> option labels
    drawn: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def unambiguous(self) -> bool:
        return self.cls in UNAMBIGUOUS

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Corpus:
    root: Path
    folders: list[Path]  # what to hand to the reader
    sheets: list[Sheet]
    seed: int

    def by_key(self) -> dict[tuple[str, int], Sheet]:
        return {(os.path.realpath(self.root / s.file), s.page): s for s in self.sheets}

    def ballots(self) -> list[Sheet]:
        return [s for s in self.sheets if s.cls in BALLOT_CLASSES]

    def write_truth(self, path: Path | None = None) -> Path:
        path = path or self.root / "truth.json"
        path.write_text(json.dumps({"seed": self.seed, "sheets": [s.to_json() for s in self.sheets]}, ensure_ascii=False, indent=1))
        return path


def class_schedule(n: int, rng: random.Random, mix: dict[str, float] | None = None) -> list[str]:
    """Exactly ``n`` classes in the shares of ``mix`` (rounded; the rest clear), shuffled."""
    out: list[str] = []
    for cls, share in (CLASS_MIX if mix is None else mix).items():
        out += [cls] * int(round(n * share))
    out += [CLEAR] * max(0, n - len(out))
    out = out[:n]
    rng.shuffle(out)
    return out


@contextlib.contextmanager
def seeded_serials(seed: int) -> Iterator[None]:
    """Make ``kiosk.issuing.jobs.print_ballots`` draw its serials from a seeded stream (for byte-identical corpora)."""
    rng = random.Random(f"serials:{seed}")
    original = kiosk_payload.new_serial
    kiosk_payload.new_serial = lambda: rng.getrandbits(64).to_bytes(8, "big")
    try:
        yield
    finally:
        kiosk_payload.new_serial = original


@dataclass(frozen=True)
class Printed:
    """One printed PDF: its layout and the serial of each page."""

    pdf: str
    spec: LayoutSpec
    serials: tuple[str, ...]  # serial_text per page


def print_stock(kiosk: Any, folder: Path, size: str, n: int, *, seed: int | None, tag: str = "") -> Printed:
    """Print ``n`` ballots with the real printing code (serials seeded when ``seed`` is given)."""
    folder.mkdir(parents=True, exist_ok=True)
    pdf = folder / f"printed{tag}-{size}.pdf"
    ctx = seeded_serials(seed * 1000 + (7 if size == "a4" else 5) + len(tag)) if seed is not None else contextlib.nullcontext()
    with ctx:
        res = print_ballots(kiosk, n, out=pdf, page_size=size)
    return Printed(str(pdf), kiosk.layout(size), tuple(kiosk_payload.serial_text(s) for s in res.serials))


@dataclass
class _Plan:
    capture: str
    cls: str
    size: str
    ink: str
    margin: str | None
    foreign: bool = False
    stock: str = ""  # key of the Printed it comes from
    index: int = 0  # its page there


@dataclass
class _Job:
    """One corpus file to write: its name, how it is captured and its ballots."""

    name: str  # relative to the corpus root
    capture: str
    fmt: str
    plans: list[_Plan]
    dpi: int = 200
    color: bool = False
    duplex: bool = False
    quality: int = 85
    compression: str = ""  # TIFF: tiff_lzw or jpeg

    @property
    def lossless(self) -> bool:
        return self.fmt == "png" or self.compression == "tiff_lzw"


def _plans(n: int, capture: str, rng: random.Random, a4_share: float, mix: dict[str, float] | None = None) -> list[_Plan]:
    out = []
    for cls in class_schedule(n, rng, mix):
        size = "a4" if rng.random() < a4_share else "a5"
        ink = "pencil" if rng.random() < 0.08 else "pen"
        r = rng.random()
        margin = ("writing" if r < 0.14 else "underline" if r < 0.2 else None)
        if cls == BLANK_BALLOT and rng.random() < 0.3:
            margin = "writing"
        out.append(_Plan(capture, cls, size, ink, margin))
    return out


def _sheet_rngs(seed: int, key: str) -> tuple[random.Random, np.random.Generator]:
    r = random.Random(f"{seed}:{key}")
    return r, np.random.default_rng(r.getrandbits(64))


def _save(images: Sequence[Image.Image], path: Path, fmt: str, dpi: int | None, quality: int = 85, compression: str = "tiff_lzw") -> None:
    opts: dict[str, Any] = {}
    if dpi:
        opts["dpi"] = (dpi, dpi)
    if fmt == "png":
        images[0].save(path, "PNG", compress_level=1, **opts)
    elif fmt == "jpeg":
        images[0].save(path, "JPEG", quality=quality, **opts)
    elif fmt == "tiff":
        if compression == "jpeg":
            opts["quality"] = quality
        images[0].save(path, "TIFF", save_all=True, append_images=list(images[1:]), compression=compression, **opts)
    elif fmt == "pdf":
        stamp = time.gmtime(SCAN_EPOCH)  # a fixed date keeps the bytes reproducible
        images[0].save(path, "PDF", save_all=True, append_images=list(images[1:]), resolution=float(dpi or 200), quality=quality,
                       creationDate=stamp, modDate=stamp, producer="corpus scanner")
    else:
        raise ValueError(fmt)


_DOCS: dict[str, pdfium.PdfDocument] = {}  # per process: printed PDFs opened once


def _doc(path: str) -> pdfium.PdfDocument:
    if path not in _DOCS:
        _DOCS[path] = pdfium.PdfDocument(path)
    return _DOCS[path]


def _close_docs() -> None:
    while _DOCS:
        _DOCS.popitem()[1].close()


def _ballot_sheet(printed: Printed, plan: _Plan, seed: int, key: str, dpi: float, color: bool) -> tuple[Image.Image, Sheet, random.Random, np.random.Generator]:
    rng, nprng = _sheet_rngs(seed, key)
    spec = printed.spec
    img = render_page(_doc(printed.pdf), plan.index, dpi, color=color)
    cls = CLEAR if plan.foreign else plan.cls
    marks = plan_marks(spec, cls, rng)
    drawn = mark_page(img, spec, marks, rng, nprng, margin=plan.margin, ink_kind=plan.ink,
                      extra=cls if cls in (STRAY, WRITE_IN, QR_DAMAGED) else None)
    votes = votes_of(spec, marks)
    sheet = Sheet(file="", page=1, capture=plan.capture, cls=plan.cls, page_size=plan.size, serial=printed.serials[plan.index],
                  votes=votes, expected=labels_of(spec, votes), drawn=drawn)
    return img, sheet, rng, nprng


def _write_job(root: str, job: _Job, stocks: dict[str, Printed], seed: int) -> list[Sheet]:
    """Make one corpus file (every random choice derives from seed and the file's name)."""
    sheets: list[Sheet] = []
    pages: list[Image.Image] = []
    if job.capture == "scanner":
        for plan in job.plans:
            key = f"{job.name}:{len(pages)}"
            img, sheet, srng, nprng = _ballot_sheet(stocks[plan.stock], plan, seed, key, job.dpi, job.color)
            params = random_scan_params(srng, dpi=job.dpi, color=job.color, lossless=job.lossless)
            pages.append(scan(img, params, nprng))
            sheet.file, sheet.page = job.name, len(pages)
            corners = [scan_point(params, img.size, c) for c in ((0, 0), (img.width, 0), (img.width, img.height), (0, img.height))]
            sheet.params = {"format": job.fmt, "compression": job.compression or None,
                            "quality": None if job.lossless else job.quality, "duplex": job.duplex,
                            **asdict(params), "corners": [[round(x, 1), round(y, 1)] for x, y in corners]}
            sheets.append(sheet)
            if job.duplex:
                pages.append(blank_back(img, params, nprng))
                sheets.append(Sheet(file=job.name, page=len(pages), capture="scanner", cls=BACK_PAGE, page_size=plan.size,
                                    params={"format": job.fmt, "dpi": job.dpi}))
        _save(pages, Path(root) / job.name, job.fmt, job.dpi, job.quality, job.compression)
    else:
        (plan,) = job.plans
        crng = random.Random(f"{seed}:camparams:{job.name}")
        cp = random_cam_params(crng)
        printed = stocks[plan.stock]
        page_mm = printed.spec.page_mm
        dpi = cam_render_dpi(cp, page_mm)
        img, sheet, srng, nprng = _ballot_sheet(printed, plan, seed, job.name, dpi, True)
        frame, corners = photograph(img, page_mm, cp, srng, nprng)
        _save([frame], Path(root) / job.name, job.fmt, None, cp.quality)
        sheet.file, sheet.page = job.name, 1
        sheet.params = {"format": job.fmt, "render_dpi": round(dpi, 1), "corners": [[round(x, 1), round(y, 1)] for x, y in corners], **asdict(cp)}
        sheets.append(sheet)
    return sheets


def _plan_jobs(seed: int, scan_plans: list[_Plan], cam_plans: list[_Plan], foreign_plans: list[_Plan], rng: random.Random) -> list[_Job]:
    jobs: list[_Job] = []
    # Scanner: singles (PNG, JPEG) and batches (multi-page TIFF, image-only PDF), some duplex.
    queue: list[_Plan] = list(scan_plans)
    for fp in foreign_plans:  # foreign ballots are scattered through the stack
        queue.insert(rng.randrange(len(queue) + 1), fp)
    i = nfile = 0
    while i < len(queue):
        nfile += 1
        frng = random.Random(f"{seed}:file:{nfile}")
        r = frng.random()
        fmt = "png" if r < 0.18 else "jpeg" if r < 0.6 else "tiff" if r < 0.8 else "pdf"
        n = 1 if fmt in ("png", "jpeg") else frng.randint(3, 6)
        batch = queue[i: i + n]
        i += n
        compression = ("jpeg" if frng.random() < 0.6 else "tiff_lzw") if fmt == "tiff" else ""
        lossless = fmt == "png" or compression == "tiff_lzw"
        # Lossless files are grey and at most 200 dpi (noisy 300-dpi colour PNGs run to 7 MB a page).
        dpi = frng.choice([150, 200, 200] if lossless else [150, 200, 200, 300])
        color = frng.random() < 0.3 and not lossless
        duplex = fmt in ("tiff", "pdf") and frng.random() < 0.5
        quality = frng.randint(60, 90)
        name = f"scanner/scan-{nfile:03d}." + {"png": "png", "jpeg": "jpg", "tiff": "tif", "pdf": "pdf"}[fmt]
        jobs.append(_Job(name, "scanner", fmt, batch, dpi, color, duplex, quality, compression))
    # Webcam: one JPEG (a few PNG) per photo.
    for n, plan in enumerate(cam_plans, start=1):
        fmt = "png" if random.Random(f"{seed}:camfmt:{n}").random() < 0.05 else "jpeg"
        jobs.append(_Job(f"webcam/photo-{n:03d}." + ("png" if fmt == "png" else "jpg"), "webcam", fmt, [plan]))
    return jobs


def _job_worker(args: tuple[str, _Job, dict[str, Printed], int]) -> list[Sheet]:
    return _write_job(*args)


def build_corpus(
    kiosk: Any,
    root: str | Path,
    *,
    seed: int = 2026,
    scanner: int = 200,
    webcam: int = 100,
    foreign_kiosk: Any | None = None,
    foreign: int = 4,
    a4_share: float = 0.4,
    fixed_serials: bool = True,
    workers: int = 1,
    mix: dict[str, float] | None = None,
) -> Corpus:
    """Print, mark, scan and photograph a corpus under ``root``.

    ``root/scanner`` and ``root/webcam`` hold the files to read;
    ``root/print`` the printed PDFs; ``root/truth.json`` the ground truth.
    ``workers`` > 1 writes files in that many processes (same bytes as one).
    """
    root = Path(root)
    rng = random.Random(seed)
    scan_plans = _plans(scanner, "scanner", rng, a4_share, mix)
    cam_plans = _plans(webcam, "webcam", rng, a4_share, mix)
    foreign_plans = [_Plan("scanner", FOREIGN, "a5", "pen", None, foreign=True) for _ in range(foreign if foreign_kiosk is not None else 0)]
    serial_seed = seed if fixed_serials else None
    stocks: dict[str, Printed] = {}
    for size in ("a5", "a4"):
        own = [p for p in scan_plans + cam_plans if p.size == size]
        if own:
            stocks[size] = print_stock(kiosk, root / "print", size, len(own), seed=serial_seed)
            for i, p in enumerate(own):
                p.stock, p.index = size, i
    if foreign_plans:
        stocks["foreign"] = print_stock(foreign_kiosk, root / "print", "a5", len(foreign_plans), seed=serial_seed, tag="-foreign")
        for i, p in enumerate(foreign_plans):
            p.stock, p.index = "foreign", i
    jobs = _plan_jobs(seed, scan_plans, cam_plans, foreign_plans, rng)
    scan_dir, cam_dir = root / "scanner", root / "webcam"
    scan_dir.mkdir(parents=True, exist_ok=True)
    cam_dir.mkdir(parents=True, exist_ok=True)
    tasks = [(str(root), job, stocks, seed) for job in jobs]
    sheets: list[Sheet] = []
    if workers > 1:
        import concurrent.futures as cf

        from kiosk import platform

        # Big batches first so the pool ends evenly; results are put back in file order.
        order = sorted(range(len(tasks)), key=lambda i: -len(jobs[i].plans) * jobs[i].dpi ** 2 if jobs[i].capture == "scanner" else 0)
        done: dict[int, list[Sheet]] = {}
        with cf.ProcessPoolExecutor(workers, mp_context=platform.process_context()) as pool:
            futures = {pool.submit(_job_worker, tasks[i]): i for i in order}
            for fut in cf.as_completed(futures):
                done[futures[fut]] = fut.result()
        for i in range(len(tasks)):
            sheets.extend(done[i])
    else:
        try:
            for t in tasks:
                sheets.extend(_write_job(*t))
        finally:
            _close_docs()
    corpus = Corpus(root, [scan_dir, cam_dir], sheets, seed)
    corpus.write_truth()
    return corpus


# -- evaluation ---------------------------------------------------------------------------------

OUTCOMES = ("counted_ok", "counted_wrong", "review", "rejected", "duplicate", "missing")


def _serial_matches(reported: str | None, printed: str | None) -> bool:
    if reported is None or printed is None:
        return reported == printed
    norm = lambda s: s.replace("-", "").replace(" ", "").upper()  # noqa: E731
    return norm(reported) == norm(printed)


def _same_selections(got: dict[str, list[str]] | None, expected: dict[str, list[str]]) -> bool:
    if got is None:
        return False
    if set(got) - set(expected):
        return False
    return all(sorted(got.get(q, [])) == sorted(v) for q, v in expected.items())


@dataclass
class Outcome:
    sheet: Sheet
    line: dict[str, Any] | None  # the reader's JSON object for this page

    @property
    def status(self) -> str:
        return self.line["status"] if self.line else "missing"

    @property
    def reason(self) -> str | None:
        return self.line.get("reason") if self.line else None

    @property
    def kind(self) -> str:
        """counted_ok | counted_wrong | review | rejected | duplicate | missing."""
        if self.line is None:
            return "missing"
        st = self.status
        if st == "counted":
            s = self.sheet
            ok = (s.cls in BALLOT_CLASSES and _same_selections(self.line.get("selections"), s.expected)
                  and _serial_matches(self.line.get("serial"), s.serial))
            return "counted_ok" if ok else "counted_wrong"
        return st if st in OUTCOMES else "rejected"

    def acceptable(self) -> bool:
        """What the acceptance allows for this sheet (unambiguous sheets: see the rates)."""
        c, k = self.sheet.cls, self.kind
        if k == "counted_wrong":
            return False
        if c in UNAMBIGUOUS:
            return k == "counted_ok"
        if c in REVIEW_OR_AS_MARKED:
            return k in ("review", "counted_ok")
        if c in REVIEW_ONLY:
            return k == "review"
        if c == BACK_PAGE:
            return k == "rejected" and self.reason == "blank_back"
        if c == FOREIGN:
            return k == "rejected"
        return False

    def describe(self) -> str:
        s = self.sheet
        p = s.params
        keys = ("format", "dpi", "color", "rotation", "skew", "blur", "noise", "quality", "frame", "quarter", "fill", "roll", "keystone", "shadow")
        brief = {k: (round(v, 2) if isinstance(v, float) else v) for k, v in p.items() if k in keys}
        marks = ", ".join(f"{m['kind']}@{m['question']}/{m['option']}" for m in s.drawn.get("marks", [])) or "no marks"
        got = self.line.get("selections") if self.line else None
        return (f"{s.file} p{s.page} [{s.capture}/{s.page_size}/{s.cls}] -> {self.status}"
                f"{'/' + self.reason if self.reason else ''}; marks: {marks}; margin: {s.drawn.get('margin')}; "
                f"expected {s.expected if s.cls in BALLOT_CLASSES else '-'}; got {got}; {brief}")


@dataclass
class Evaluation:
    outcomes: list[Outcome]
    unexpected: list[dict[str, Any]]  # output lines that match no corpus page

    def rows(self, capture: str | None = None) -> list[Outcome]:
        return [o for o in self.outcomes if capture is None or o.sheet.capture == capture]

    def rate(self, capture: str) -> tuple[int, int]:
        """(counted correctly, total) among the unambiguous sheets of one capture kind."""
        rows = [o for o in self.rows(capture) if o.sheet.unambiguous]
        return sum(o.kind == "counted_ok" for o in rows), len(rows)

    def wrong(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind == "counted_wrong"]

    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.acceptable()]

    def table(self) -> str:
        """The confusion table: expected class x outcome, per capture kind and in all."""
        lines = []
        head = f"{'class':<16}" + "".join(f"{k:>14}" for k in OUTCOMES) + f"{'total':>8}  reasons"
        for capture in ("scanner", "webcam", None):
            rows = self.rows(capture)
            if not rows:
                continue
            lines.append(f"== {capture or 'all'} ({len(rows)} pages)")
            lines.append(head)
            for cls in ALL_CLASSES:
                sel = [o for o in rows if o.sheet.cls == cls]
                if not sel:
                    continue
                counts = {k: sum(o.kind == k for o in sel) for k in OUTCOMES}
                reasons: dict[str, int] = {}
                for o in sel:
                    if o.reason:
                        reasons[o.reason] = reasons.get(o.reason, 0) + 1
                rs = ", ".join(f"{r}:{n}" for r, n in sorted(reasons.items()))
                lines.append(f"{cls:<16}" + "".join(f"{counts[k]:>14}" for k in OUTCOMES) + f"{len(sel):>8}  {rs}")
            if capture:
                ok, n = self.rate(capture)
                lines.append(f"unambiguous {capture} sheets counted correctly: {ok}/{n} = {100.0 * ok / max(n, 1):.1f}%")
        if self.unexpected:
            lines.append(f"unexpected output lines: {len(self.unexpected)}")
        return "\n".join(lines)


def evaluate(corpus: Corpus, lines: Sequence[dict[str, Any]]) -> Evaluation:
    """Match the reader's JSON lines to the corpus by source (real path) and page."""
    by_key = corpus.by_key()
    found: dict[tuple[str, int], dict[str, Any]] = {}
    unexpected = []
    for line in lines:
        key = (os.path.realpath(line.get("source", "")), int(line.get("page") or 0))
        if key in by_key and key not in found:
            found[key] = line
        else:
            unexpected.append(line)
    outcomes = [Outcome(s, found.get(k)) for k, s in by_key.items()]
    return Evaluation(outcomes, unexpected)


def page_image(path: str | Path, page: int) -> Image.Image:
    """One page of a corpus file (PDF pages: their one embedded image, as scanned)."""
    path = Path(path)
    if path.suffix == ".pdf":
        doc = pdfium.PdfDocument(str(path))
        try:
            return next(doc[page - 1].get_objects()).get_bitmap().to_pil()
        finally:
            doc.close()
    with Image.open(path) as im:
        for n in range(page):
            im.seek(n)
        return im.copy()


def save_failures(corpus: Corpus, evaluation: Evaluation, folder: Path) -> list[Path]:
    """Every page not handled as accepted, as PNG, with README.txt saying what and why."""
    failures = evaluation.failures()
    if not failures:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    out, notes = [], []
    for o in failures:
        name = f"{o.sheet.file.replace('/', '_').rsplit('.', 1)[0]}-p{o.sheet.page}.png"
        page_image(corpus.root / o.sheet.file, o.sheet.page).save(folder / name)
        out.append(folder / name)
        notes.append(f"{name}: {o.describe()}")
    (folder / "README.txt").write_text("\n".join(notes) + "\n", encoding="utf-8")
    (folder / "truth.json").write_text((corpus.root / "truth.json").read_text(encoding="utf-8"), encoding="utf-8")
    return out


def parse_json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(ln) for ln in text.splitlines() if ln.strip()]
