"""Reading one ballot page: QR, geometry, ink in each box, the sheet's outcome.

``read_sheet(gray, layouts=..., verify=...)`` takes a grayscale page (any of
the four orientations, skewed, or a perspective photo) and returns an
``Interpretation``:

1. **QR**: decode every QR symbol (kiosk.reading.qr) and verify its payload with the
   caller's ``verify`` (``Kiosk.verify_payload``); the first symbol that
   verifies names the layout.  No symbol at all: ``blank_back`` when the page
   carries almost no ink, else ``no_qr``.
2. **Geometry**: the QR's four corners (top-left, top-right, bottom-right,
   bottom-left of the symbol as printed, whatever the rotation) predict where
   the layout's four solid corner squares are.  They are searched nearest
   first, each one found sharpening the prediction of the next (a photo's
   perspective is poorly known from the small QR alone), located to a
   fraction of a pixel and checked to be an isolated solid square of print
   darkness.  A homography (layout millimetres -> image pixels) is fitted to
   the marks and the QR corners, one outlier may be dropped, and the fit is
   checked.  Fewer than three marks: ``unreadable_marks``.
3. **Boxes**: each box is resampled through the homography into a small
   rectified patch (6 samples per layout millimetre), its printed outline
   is found by a local search (+-1.3 mm, top/bottom and left/right edges
   together), and ink is measured only inside the outline, 0.5 mm clear of it.
4. **Scores**: darkness is relative to the paper around the box and to the
   print of the registration marks on the same sheet (0 paper, 1 as dark as
   the marks), so uneven light and grey paper do not matter, and relative to
   the sheet's own blank boxes (most boxes of a sheet are empty), so a noisy
   photo does not either.  Averaged over 0.83 mm, noise fades and strokes
   stay: ``score`` (cover) is the share of the inner area that holds such
   ink, ``span`` how far the ink spreads across the box (a tick spreads, a
   dot does not), ``peak`` how dark the strokes are compared with the
   printed box outline on the same sheet (blur fades both alike; light
   pencil stays well below),
   ``evidence`` how much darker than blank the darkest spot is.  A box is
   ``marked`` with dark strokes that cover and span it (or cover much of it),
   ``marginal`` with any other evidence of ink (a dot, light pencil),
   ``unmarked`` without; ``unclear`` when its outline cannot be found.
   Thresholds (``Thresholds``) were calibrated on the hand-mark corpus of
   tests/corpus.py; see docs/reading.md.
5. **Outcome**: per question a vote, blank, overvote or marginal; the sheet is
   ``counted`` only when every question is clear (an optional question left
   blank is clear), ``review`` otherwise (overvote, marginal_mark,
   unclear_box, undervote, blank_ballot), ``rejected`` when it cannot be read
   or verified.  When unsure the reader says review, never a guess.

Everything here is pure computation on numpy arrays: no files, no database,
so it runs in worker processes.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np

from ..ballot.payload import Payload, serial_text
from ..ballot.spec import LayoutSpec
from ..errors import KioskError
from . import qr

READER_VERSION = 1

# payload error code -> sheet reason code, most specific first (when several
# QR symbols are on a page, the most ballot-like failure is reported)
PAYLOAD_REASONS = {
    "payload.bad_tag": "bad_tag",
    "payload.other_institution": "other_institution",
    "payload.foreign_campaign": "foreign_campaign",
    "payload.unknown_layout": "unknown_layout",
    "payload.bad_version": "bad_version",
    "payload.malformed": "malformed_qr",
    "payload.not_ballot": "not_ballot",
}
REVIEW_ORDER = ("blank_ballot", "overvote", "marginal_mark", "unclear_box", "undervote")

SAMPLES_PER_MM = 6.0  # rectified patch resolution per layout millimetre at A5 scale (~152 dpi)
SEARCH_MM = 1.35  # local search for each box outline, each way
INNER_GAP = 4  # samples between the outline's centre line and the scored area (0.67 mm)
MIN_MARK_DARKNESS = 0.45  # printed black is 0.7-1.0 of the paper's brightness darker, even in photos
MARK_CANDIDATES = 6  # solid places tried per registration mark, nearest the prediction first
SMOOTH = 5  # samples (0.83 mm) over which ink is averaged for cover and evidence
BOX_MARGIN_MM = 2.0  # patch margin around each box


@dataclass(frozen=True)
class Thresholds:
    """What counts as ink and as a mark.  Fractions are of the box's inner area;
    darkness is relative to the sheet's registration marks (1.0 = as dark as
    the printed squares, 0.0 = paper)."""

    ink: float = 0.40  # a sample is ink (for the span) when this dark relative to the printed outline
    cover_level: float = 0.10  # smoothed ink at least this dark covers the box (the score)
    cover: float = 0.12  # marked: this much cover spanning the box ...
    span_long: float = 0.50  # ... at least this far one way (a dot never does) ...
    span: float = 0.30  # ... and this far the other way (a lone straight line does not),
    cover_full: float = 0.40  # or this much cover whatever its shape,
    peak: float = 0.55  # and strokes this dark relative to the printed outline (light pencil is not: marginal)
    evidence: float = 0.045  # smoothed ink this much darker than the sheet's blank boxes: marginal
    base_cap: float = 0.08  # the sheet's blank level is taken as at most this
    outline: float = 0.50  # a box's outline is found when this dark relative to the sheet's other outlines
    blank_ink: float = 0.004  # a page without QR and less ink than this is a blank back

    def to_dict(self) -> dict[str, float]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> "Thresholds":
        names = {f.name for f in fields(cls)}
        return cls(**{k: float(v) for k, v in (data or {}).items() if k in names})


@dataclass
class Interpretation:
    status: str  # counted | review | rejected
    reasons: list[str]
    payload: Payload | None = None
    layout_id: int | None = None
    selections: dict[str, list[str]] | None = None  # question id -> marked option ids
    details: dict[str, Any] = field(default_factory=dict)  # JSON-able: what the review screen shows

    @property
    def reason(self) -> str | None:
        return self.reasons[0] if self.reasons else None

    @property
    def serial(self) -> bytes | None:
        return self.payload.serial if self.payload else None


def read_sheet(
    gray: np.ndarray,
    *,
    layouts: Mapping[int, LayoutSpec],
    verify: Callable[[str], Payload],
    thresholds: Thresholds | None = None,
    backend: str | None = None,
) -> Interpretation:
    t = thresholds or Thresholds()
    backend = backend or qr.default_backend()
    clock = _Clock()
    h, w = gray.shape
    details: dict[str, Any] = {"reader": READER_VERSION, "decoder": backend, "page_px": [w, h], "thresholds": t.to_dict()}

    def done(status: str, reasons: list[str], **kw: Any) -> Interpretation:
        details["timing_ms"] = clock.laps
        return Interpretation(status, reasons, details=details, **kw)

    # 1. QR
    symbols = qr.decode(gray, backend)
    clock.lap("qr")
    if not symbols:
        ink = ink_fraction(gray)
        details["ink"] = round(ink, 5)
        return done("rejected", ["blank_back" if ink < t.blank_ink else "no_qr"])
    verified: list[tuple[qr.Symbol, Payload]] = []
    failures: list[str] = []
    for sym in symbols:
        try:
            verified.append((sym, verify(sym.text)))
        except KioskError as exc:
            if exc.code not in PAYLOAD_REASONS:
                raise
            failures.append(PAYLOAD_REASONS[exc.code])
    details["symbols"] = len(symbols)
    if not verified:
        order = list(PAYLOAD_REASONS.values())
        return done("rejected", [min(failures, key=order.index)])
    if len({p.serial for _, p in verified}) > 1:
        return done("rejected", ["multiple_qr"])
    sym, pay = verified[0]
    details["payload"] = {
        "version": pay.version, "campaign": pay.campaign.hex(), "institution": pay.institution.hex(),
        "layout": f"{pay.layout:08x}", "serial": serial_text(pay.serial),
    }
    details["qr_corners"] = [[round(x, 2), round(y, 2)] for x, y in sym.corners]
    spec = layouts.get(pay.layout)
    if spec is None:
        return done("rejected", ["unknown_layout"], payload=pay, layout_id=pay.layout)

    # 2. geometry
    geo = locate_page(gray, spec, sym.corners)
    clock.lap("geometry")
    details.update(geo.details())
    if geo.H is None:
        return done("rejected", ["unreadable_marks"], payload=pay, layout_id=pay.layout)

    # 3-4. boxes
    boxes = score_boxes(gray, spec, geo.H, geo.ink, t)
    clock.lap("boxes")
    details["boxes"] = boxes
    unclear = sum(b["state"] == "unclear" for b in boxes)
    if unclear * 3 > len(boxes):
        return done("rejected", ["unreadable_marks"], payload=pay, layout_id=pay.layout)

    # 5. outcome
    selections, questions, reasons = decide(spec, boxes)
    details["questions"] = questions
    status = "review" if reasons else "counted"
    return done(status, reasons, payload=pay, layout_id=pay.layout, selections=selections)


def decide(spec: LayoutSpec, boxes: list[dict[str, Any]]) -> tuple[dict[str, list[str]], dict[str, Any], list[str]]:
    """Per question a vote, blank, overvote or marginal; the sheet's review reasons."""
    by_q: dict[str, list[dict[str, Any]]] = {}
    for b in boxes:
        by_q.setdefault(b["question"], []).append(b)
    selections: dict[str, list[str]] = {}
    questions: dict[str, Any] = {}
    found: set[str] = set()
    all_blank = True
    for q in spec.questions:
        qb = by_q.get(q.id, [])
        marked = [b["option"] for b in qb if b["state"] == "marked"]
        unsure = [b for b in qb if b["state"] in ("marginal", "unclear")]
        if len(marked) >= 2:
            state = "overvote"
            found.add("overvote")
        elif unsure:
            state = "marginal"
            found.update("unclear_box" if b["state"] == "unclear" else "marginal_mark" for b in unsure)
        elif marked:
            state = "vote"
        else:
            state = "blank"
            if not q.optional:
                found.add("undervote")
        if state != "blank":
            all_blank = False
        selections[q.id] = marked
        questions[q.id] = {"state": state, "marked": marked}
    if all_blank:
        return selections, questions, ["blank_ballot"]
    return selections, questions, [r for r in REVIEW_ORDER if r in found]


# -- geometry -------------------------------------------------------------------

def fit_homography(src: np.ndarray, dst: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Least-squares homography src -> dst (normalised DLT), N >= 4 points."""
    src = np.asarray(src, dtype=np.float64)
    dst = np.asarray(dst, dtype=np.float64)
    ts, tdst = _normaliser(src), _normaliser(dst)
    s = _apply(ts, src)
    d = _apply(tdst, dst)
    n = len(s)
    a = np.zeros((2 * n, 9))
    x, y, u, v = s[:, 0], s[:, 1], d[:, 0], d[:, 1]
    a[0::2, 0], a[0::2, 1], a[0::2, 2] = -x, -y, -1
    a[0::2, 6], a[0::2, 7], a[0::2, 8] = u * x, u * y, u
    a[1::2, 3], a[1::2, 4], a[1::2, 5] = -x, -y, -1
    a[1::2, 6], a[1::2, 7], a[1::2, 8] = v * x, v * y, v
    if weights is not None:
        a *= np.repeat(np.asarray(weights, dtype=np.float64), 2)[:, None]
    hn = np.linalg.svd(a)[2][-1].reshape(3, 3)
    hm = np.linalg.inv(tdst) @ hn @ ts
    return hm / hm[2, 2]


def fit_affine(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    src = np.asarray(src, dtype=np.float64)
    a = np.hstack([src, np.ones((len(src), 1))])
    m, *_ = np.linalg.lstsq(a, np.asarray(dst, dtype=np.float64), rcond=None)
    return np.vstack([m.T, [0.0, 0.0, 1.0]])


def _normaliser(p: np.ndarray) -> np.ndarray:
    c = p.mean(axis=0)
    d = np.sqrt(((p - c) ** 2).sum(axis=1)).mean() or 1.0
    k = math.sqrt(2) / d
    return np.array([[k, 0, -k * c[0]], [0, k, -k * c[1]], [0, 0, 1.0]])


def _apply(hm: np.ndarray, pts: np.ndarray) -> np.ndarray:
    pts = np.asarray(pts, dtype=np.float64)
    q = pts @ hm[:, :2].T + hm[:, 2]
    return q[..., :2] / q[..., 2:3]


def project(hm: np.ndarray, pts: Any) -> np.ndarray:
    """Map layout millimetres to image pixels (any shape ..., 2)."""
    return _apply(hm, np.asarray(pts, dtype=np.float64))


def _scale_at(hm: np.ndarray, pt: tuple[float, float]) -> float:
    """Pixels per millimetre of ``hm`` around a point (geometric mean of the axes)."""
    p = project(hm, [pt, (pt[0] + 1, pt[1]), (pt[0], pt[1] + 1)])
    return math.sqrt(np.linalg.norm(p[1] - p[0]) * np.linalg.norm(p[2] - p[0]))


@dataclass
class Geometry:
    H: np.ndarray | None
    marks: list[dict[str, Any]]
    ink: float  # darkness of the printed marks relative to their paper (0..1)
    px_per_mm: float = 0.0
    rotation: int = 0
    skew_deg: float = 0.0
    residual_mm: float = 0.0

    def details(self) -> dict[str, Any]:
        d: dict[str, Any] = {"marks": self.marks, "ink_darkness": round(self.ink, 3)}
        if self.H is not None:
            d.update({
                "homography": [[float(f"{v:.8g}") for v in row] for row in self.H],
                "px_per_mm": round(self.px_per_mm, 3),
                "rotation": self.rotation,
                "skew_deg": round(self.skew_deg, 2),
                "residual_mm": round(self.residual_mm, 3),
            })
        return d


def locate_page(gray: np.ndarray, spec: LayoutSpec, qr_corners: Any) -> Geometry:
    """Registration marks found near where the QR code predicts them, and the page homography."""
    qr_mm = spec.qr_corners
    qr_px = np.asarray(qr_corners, dtype=np.float64)
    marks_mm = spec.mark_centres
    mark_size = float(spec.marks[0].size)
    k = mark_size / 6.0  # layout scale: 1 on A5, 1.35 on A4
    # Nearest marks first.  A scan is an affine picture of the page, so the
    # QR's affine map predicts every mark to a millimetre or two and a small
    # window is searched first.  A photo's perspective is poorly known from
    # the small QR alone: when a mark is not where predicted, the map is
    # refitted to the QR and the marks found so far, and the search widens
    # (the QR code and the marks found may lie on one line, as with a strong
    # keystone: then only a wide search finds the far marks).
    found: list[dict[str, Any] | None] = [None] * 4
    qr_centre = qr_mm.mean(axis=0)
    src, dst = list(qr_mm), list(qr_px)
    affine_qr = fit_affine(qr_mm, qr_px)
    fits: dict[int, np.ndarray] = {}

    def fitted() -> np.ndarray:
        """The homography of the QR corners and every mark found so far."""
        n = len(src)
        if n not in fits:
            fits[n] = fit_homography(np.array(src), np.array(dst), np.array([0.3] * 4 + [1.0] * (n - 4)))
        return fits[n]

    for i in sorted(range(4), key=lambda n: float(np.hypot(*(marks_mm[n] - qr_centre)))):
        tries: list[tuple[Callable[[], np.ndarray], float | None]] = [(lambda: affine_qr, None)]
        if len(src) > 4:
            tries.append((fitted, None))
        tries += [(fitted, 9.0 * k), (fitted, 16.0 * k), (fitted, 40.0 * k)]
        if len(src) == 5:
            tries.insert(-1, (lambda: fit_affine(np.array(src), np.array(dst)), 16.0 * k))
        for make, radius_mm in tries:
            hm = make()
            ppm = _scale_at(hm, tuple(marks_mm[i]))
            size = mark_size * ppm
            radius = 0.6 * size if radius_mm is None else radius_mm * ppm  # first a window where a scan's mark is
            found[i] = find_mark(gray, project(hm, marks_mm[i]), size, radius) if size >= 4 else None
            if found[i] is not None:
                src.append(marks_mm[i])
                dst.append((found[i]["x"], found[i]["y"]))
                break
    marks = [
        {"found": f is not None, **({"px": [round(f["x"], 2), round(f["y"], 2)], "darkness": round(f["darkness"], 3)} if f else {})}
        for f in found
    ]
    ink = float(np.median([f["darkness"] for f in found if f])) if any(found) else 0.0
    idx = [i for i, f in enumerate(found) if f]
    if len(idx) < 3:
        return Geometry(None, marks, ink)

    # marks weigh more than QR corners (those are located to a pixel or so)
    src = np.vstack([marks_mm[idx], qr_mm])
    dst = np.vstack([[(found[i]["x"], found[i]["y"]) for i in idx], qr_px])
    wts = np.array([1.0] * len(idx) + [0.3] * 4)
    hm = fit_homography(src, dst, wts)
    ppm = _scale_at(hm, tuple(marks_mm.mean(axis=0)))
    err = np.linalg.norm(project(hm, src) - dst, axis=1) / ppm
    limits = np.array([0.6 * k] * len(idx) + [1.2 * k] * 4)
    bad = [j for j in np.argsort(-err / limits) if err[j] > limits[j]]
    if bad and bad[0] < len(idx) and len(idx) == 4:
        # one mark disagrees with the rest (a stroke over it, a fold): drop it
        drop = bad[0]
        keep = [j for j in range(len(src)) if j != drop]
        marks[idx[drop]]["outlier"] = True
        idx = [i for n, i in enumerate(idx) if n != drop]
        src, dst, wts, limits = src[keep], dst[keep], wts[keep], limits[keep]
        hm = fit_homography(src, dst, wts)
        err = np.linalg.norm(project(hm, src) - dst, axis=1) / ppm
    if np.any(err > limits):
        return Geometry(None, marks, ink)
    for n, i in enumerate(idx):
        marks[i]["residual_mm"] = round(float(err[n]), 3)

    cx, cy = spec.page_mm[0] / 2, spec.page_mm[1] / 2
    p = project(hm, [(cx, cy), (cx + 10, cy)])
    angle = math.degrees(math.atan2(p[1][1] - p[0][1], p[1][0] - p[0][0])) % 360.0
    rotation = int(round(angle / 90.0)) % 4 * 90
    skew = (angle - rotation + 180.0) % 360.0 - 180.0
    return Geometry(hm, marks, ink, ppm, rotation, skew, float(err[: len(idx)].max()))


def _levels(a: np.ndarray, lo: float, hi: float) -> tuple[float, float]:
    """Two percentiles of an image region, from every other pixel (one partition)."""
    flat = a[::2, ::2].ravel() if a.shape[0] > 40 and a.shape[1] > 40 else a.ravel()
    n = flat.size - 1
    i, j = int(lo / 100 * n), int(hi / 100 * n)
    part = np.partition(flat, (i, j))
    return float(part[i]), float(part[j])


def find_mark(gray: np.ndarray, centre: np.ndarray, size_px: float, radius_px: float) -> dict[str, float] | None:
    """A solid square of about ``size_px`` near ``centre``: its centroid, or None.

    Looks in the window for places where a square of 0.6 x the size is all
    ink (true for any rotation) and tries them nearest first: the centroid is
    refined with soft weights, then the blob must have the right area, clear
    paper around it and the darkness of print.  Text is never solid, a
    filled voting box is far from every mark, the desk around a photographed
    sheet has no paper ring.
    """
    h, w = gray.shape
    r = int(radius_px + size_px)
    cx, cy = int(round(centre[0])), int(round(centre[1]))
    x0, y0, x1, y1 = max(cx - r, 0), max(cy - r, 0), min(cx + r + 1, w), min(cy + r + 1, h)
    if x1 - x0 < size_px or y1 - y0 < size_px:
        return None
    win = gray[y0:y1, x0:x1]
    black, paper = _levels(win, 0.5, 90)
    if paper - black < 30:
        return None
    dark = (win < (paper + black) / 2).astype(np.int32)
    m = max(3, int(size_px * 0.6))
    ii = np.zeros((dark.shape[0] + 1, dark.shape[1] + 1), dtype=np.int32)
    ii[1:, 1:] = dark.cumsum(0).cumsum(1)
    sums = ii[m:, m:] - ii[:-m, m:] - ii[m:, :-m] + ii[:-m, :-m]
    ys, xs = np.nonzero(sums >= 0.92 * m * m)
    if len(xs) == 0:
        return None
    dist = (xs + m / 2 + x0 - centre[0]) ** 2 + (ys + m / 2 + y0 - centre[1]) ** 2
    for _ in range(MARK_CANDIDATES):
        j = int(np.argmin(dist))
        if not np.isfinite(dist[j]):
            return None
        fx, fy = xs[j] + m / 2 + x0, ys[j] + m / 2 + y0
        found = _check_mark(gray, fx, fy, size_px, paper, black)
        if found is not None:
            return found
        dist[(xs + m / 2 + x0 - fx) ** 2 + (ys + m / 2 + y0 - fy) ** 2 < (1.5 * size_px) ** 2] = np.inf
    return None


def _check_mark(gray: np.ndarray, fx: float, fy: float, size_px: float, paper: float, black: float) -> dict[str, float] | None:
    h, w = gray.shape
    # soft weights: 0 at paper, 1 at ink, linear between 20% and 80% of the contrast
    half = int(math.ceil(size_px * 0.78))
    mass = 0.0
    for _ in range(2):
        ax0, ay0 = int(fx) - half, int(fy) - half
        ax1, ay1 = int(fx) + half + 1, int(fy) + half + 1
        if ax0 < 0 or ay0 < 0 or ax1 > w or ay1 > h:
            return None
        patch = gray[ay0:ay1, ax0:ax1].astype(np.float32)
        wt = np.clip(((paper - patch) / (paper - black) - 0.2) / 0.6, 0.0, 1.0)
        mass = float(wt.sum())
        if mass <= 0:
            return None
        fx = float(wt.sum(axis=0) @ (np.arange(ax0, ax1) + 0.5)) / mass
        fy = float(wt.sum(axis=1) @ (np.arange(ay0, ay1) + 0.5)) / mass
    area = size_px * size_px
    if not 0.6 * area <= mass <= 1.45 * area:
        return None
    # paper around it: a ring beyond the square's corners
    ring_r = int(math.ceil(size_px * 1.25))
    bx0, by0 = max(int(fx) - ring_r, 0), max(int(fy) - ring_r, 0)
    bx1, by1 = min(int(fx) + ring_r + 1, w), min(int(fy) + ring_r + 1, h)
    around = gray[by0:by1, bx0:bx1]
    dxs = np.abs(np.arange(bx0, bx1) + 0.5 - fx)[None, :]
    dys = np.abs(np.arange(by0, by1) + 0.5 - fy)[:, None]
    dist = np.maximum(dxs, dys)
    ring = (dist > size_px * 0.8) & (dist <= size_px * 1.25)
    if ring.sum() < 10 or float(np.mean(around[ring] < (paper + black) / 2)) > 0.12:
        return None
    c = max(1, int(size_px * 0.2))
    core = gray[int(fy) - c: int(fy) + c + 1, int(fx) - c: int(fx) + c + 1]
    darkness = 1.0 - float(core.mean()) / max(paper, 1.0)
    if darkness < MIN_MARK_DARKNESS:  # a shadow or the desk, not printed black
        return None
    return {"x": fx, "y": fy, "darkness": darkness}


# -- boxes ------------------------------------------------------------------------

def _bilinear(gray: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    h, w = gray.shape
    x = np.clip(x - 0.5, 0, w - 1.001)  # pixel centres are at +0.5
    y = np.clip(y - 0.5, 0, h - 1.001)
    x0 = x.astype(np.intp)
    y0 = y.astype(np.intp)
    fx = (x - x0).astype(np.float32)
    fy = (y - y0).astype(np.float32)
    flat = gray.ravel()
    i = y0 * w + x0
    a = flat[i].astype(np.float32)
    b = flat[i + 1].astype(np.float32)
    c = flat[i + w].astype(np.float32)
    d = flat[i + w + 1].astype(np.float32)
    top = a + (b - a) * fx
    bot = c + (d - c) * fx
    return top + (bot - top) * fy


def score_boxes(gray: np.ndarray, spec: LayoutSpec, hm: np.ndarray, ink: float, t: Thresholds) -> list[dict[str, Any]]:
    """Every box's patch, outline, inner ink and state (see the module doc)."""
    opts = spec.boxes
    if not opts:
        return []
    boxes_mm = spec.box_array
    bw = float(boxes_mm[0, 2])
    k = bw / 6.0
    step = k / SAMPLES_PER_MM
    nb = int(round(bw / step))  # samples across a box (36)
    mg = int(round(BOX_MARGIN_MM * k / step))  # margin samples (12)
    n = nb + 2 * mg
    rng = int(round(SEARCH_MM * k / step))
    offs = (np.arange(n) - mg + 0.5) * step  # mm from the box's top-left corner
    u = boxes_mm[:, 0, None, None] + offs[None, None, :]
    v = boxes_mm[:, 1, None, None] + offs[None, :, None]
    u, v = np.broadcast_arrays(u, v)
    den = hm[2, 0] * u + hm[2, 1] * v + hm[2, 2]
    px = (hm[0, 0] * u + hm[0, 1] * v + hm[0, 2]) / den
    py = (hm[1, 0] * u + hm[1, 1] * v + hm[1, 2]) / den
    patches = _bilinear(gray, px, py)  # (boxes, n, n)

    paper = _row_quantile(patches[:, ::2, ::2].reshape(len(opts), -1), 0.90)[:, None, None]
    ref = max(ink, 0.35)  # darkness of printed ink on this sheet
    d = np.clip(1.0 - patches / np.maximum(paper, 1.0), 0.0, 1.0) / ref
    # gentle [1,2,1] smoothing against scanner noise, keeping thin strokes
    # (the patches' outermost samples stay as they are: nothing looks at them)
    e = d.copy()
    e[:, 1:-1] = (d[:, :-2] + 2 * d[:, 1:-1] + d[:, 2:]) * 0.25
    d = e.copy()
    d[:, :, 1:-1] = (e[:, :, :-2] + 2 * e[:, :, 1:-1] + e[:, :, 2:]) * 0.25

    # outline: rows/columns through the middle of the box, away from corners
    mid = slice(mg + rng + 2, mg + nb - rng - 2)
    rows = d[:, :, mid].mean(axis=2)  # (boxes, n)
    cols = d[:, mid, :].mean(axis=1)
    edge_r = rows[:, :-1] + rows[:, 1:]  # edge_r[j] ~ line between samples j and j+1
    edge_c = cols[:, :-1] + cols[:, 1:]
    shifts = np.arange(-rng, rng + 1)
    top_i = mg - 1 + shifts
    bot_i = mg + nb - 1 + shifts
    sy = edge_r[:, top_i] + edge_r[:, bot_i]
    sx = edge_c[:, top_i] + edge_c[:, bot_i]
    dy = shifts[np.argmax(sy, axis=1)]
    dx = shifts[np.argmax(sx, axis=1)]

    ar = np.arange(len(opts))
    line = np.minimum.reduce([
        edge_r[ar, mg - 1 + dy], edge_r[ar, mg + nb - 1 + dy], edge_c[ar, mg - 1 + dx], edge_c[ar, mg + nb - 1 + dx],
    ]) / 2
    side = nb - 2 * INNER_GAP
    inner = np.stack([
        d[j, mg + dy[j] + INNER_GAP: mg + dy[j] + INNER_GAP + side, mg + dx[j] + INNER_GAP: mg + dx[j] + INNER_GAP + side]
        for j in range(len(opts))
    ])
    s5 = _box_mean(inner, SMOOTH)  # ink averaged over 0.83 mm: noise fades, strokes stay
    peak_s5 = s5.reshape(len(opts), -1).max(axis=1)
    # the sheet's own blank level: most boxes of a sheet are empty
    base = min(float(np.median(peak_s5)), t.base_cap)
    # how dark a thin printed line comes out on this sheet: blur and low
    # resolution (a photo) fade a pen stroke as much as the box outline
    line_ref = max(float(np.median(line)), 0.15)
    peak = (_row_quantile(inner.reshape(len(opts), -1), 0.99) - base) / line_ref
    evidence = peak_s5 - base
    cover = (s5 >= t.cover_level + base).reshape(len(opts), -1).mean(axis=1)

    # each box's printed outline where it was found, in image pixels
    x0 = boxes_mm[:, 0] + dx * step
    y0 = boxes_mm[:, 1] + dy * step
    x1, y1 = x0 + boxes_mm[:, 2], y0 + boxes_mm[:, 3]
    polys = np.round(project(hm, np.stack([np.stack([x0, y0], 1), np.stack([x1, y0], 1), np.stack([x1, y1], 1),
                                            np.stack([x0, y1], 1)], 1)), 1).tolist()
    out = []
    for j, (qid, o) in enumerate(opts):
        span, span_long = _span(inner[j] >= t.ink * line_ref + base)
        if line[j] < t.outline * line_ref:
            state = "unclear"
        elif peak[j] >= t.peak and ((cover[j] >= t.cover and span_long >= t.span_long and span >= t.span)
                                    or cover[j] >= t.cover_full):
            state = "marked"
        elif evidence[j] >= t.evidence:
            state = "marginal"
        else:
            state = "unmarked"
        out.append({
            "question": qid, "option": o.id, "state": state,
            "score": round(float(cover[j]), 4), "span": round(span, 3), "span_long": round(span_long, 3), "peak": round(float(peak[j]), 3),
            "evidence": round(float(evidence[j]), 3), "outline": round(float(line[j]), 3),
            "shift_mm": [round(float(dx[j] * step), 2), round(float(dy[j] * step), 2)],
            "polygon": polys[j],
        })
    return out


def _row_quantile(a: np.ndarray, q: float) -> np.ndarray:
    k = int(q * (a.shape[1] - 1))
    return np.partition(a, k, axis=1)[:, k]


def _box_mean(a: np.ndarray, k: int) -> np.ndarray:
    """Mean over every k x k window of the last two axes ('valid' positions only)."""
    ii = np.zeros(a.shape[:-2] + (a.shape[-2] + 1, a.shape[-1] + 1), dtype=np.float64)
    ii[..., 1:, 1:] = a.cumsum(-2).cumsum(-1)
    return (ii[..., k:, k:] - ii[..., :-k, k:] - ii[..., k:, :-k] + ii[..., :-k, :-k]) / (k * k)


def _span(mask: np.ndarray) -> tuple[float, float]:
    """How far the ink spreads across the box: its horizontal and vertical
    extents (5th to 95th percentile of the ink) as shares of the side, the
    smaller first."""
    total = int(mask.sum())
    if total < 3:
        return 0.0, 0.0
    spans = []
    for axis in (0, 1):
        prof = np.cumsum(mask.sum(axis=axis))
        lo = int(np.searchsorted(prof, 0.05 * total))
        hi = int(np.searchsorted(prof, 0.95 * total))
        spans.append((hi - lo + 1) / mask.shape[1 - axis])
    return min(spans), max(spans)


def ink_fraction(gray: np.ndarray) -> float:
    """Share of the page's central part (70% each way: no scanner backing, no
    skewed edges) that is clearly darker than paper.  A ballot's front is a
    few percent ink there; a blank back, show-through and dust, almost none."""
    h, w = gray.shape
    step = max(1, min(h, w) // 300)
    core = gray[int(h * 0.15): int(h * 0.85): step, int(w * 0.15): int(w * 0.85): step]
    if core.size == 0:
        return 0.0
    paper = float(np.percentile(core, 90))
    return float(np.mean(core < paper * 0.6))


class _Clock:
    def __init__(self) -> None:
        self.t0 = self.last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round((now - self.last) * 1000, 2)
        self.laps["total"] = round((now - self.t0) * 1000, 2)
        self.last = now
