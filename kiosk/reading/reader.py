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
5. **Outcome**: per question a vote, blank, overvote, marginal or a write-in
   (a number-grid question: its digits make a number of the roster, or
   ``unknown_number``, or ``number_unclear``); the sheet goes to ``review``
   for every case the campaign's review policy sends to a person (by
   default: overvote, marginal_mark, unclear_box, write_in, qr_damaged and
   the number cases; a question left blank and a wholly blank ballot are
   counted as cast), is ``counted`` otherwise, ``rejected`` when it cannot
   be read or verified.  When unsure the reader says review, never a guess.
6. **No QR code decoded** on a page with ink: the page is looked for
   without it (``kiosk.reading.recover``: its four corner squares, checked
   against the boxes of every known layout).  Found, the QR code is rebuilt
   from its known place and decoded again (then verified as usual); if it
   stays unreadable the sheet goes to review as ``qr_damaged`` with its
   marks read, and a person types the serial printed under the code.

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

from ..ballot.campaign import DEFAULT_REVIEW
from ..ballot.payload import Payload, serial_text
from ..ballot.spec import DIGIT_SEP, LayoutSpec, Question
from ..errors import KioskError
from . import qr, recover

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
REVIEW_ORDER = ("qr_damaged", "blank_ballot", "overvote", "write_in", "number_unclear", "unknown_number",
                "marginal_mark", "unclear_box", "undervote")

SAMPLES_PER_MM = 6.0  # rectified patch resolution per layout millimetre at A5 scale (~152 dpi)
SEARCH_MM = 1.35  # local search for each box outline, each way
INNER_GAP = 4  # samples between the outline's centre line and the scored area (0.67 mm), at least
BLUR_PX = 1.6  # how far a printed line bleeds in a soft image (pixels): kept out of the scored area
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
    writein_ink: float = 0.006  # a write-in area with this share of ink (spread over 4 mm or more) holds writing

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
    policy: Mapping[str, str] | None = None,
    recover_damaged: bool = True,
) -> Interpretation:
    """Read one page.  ``policy``: the campaign's review policy (case -> review | count;
    kiosk.ballot.campaign.DEFAULT_REVIEW when not given).  ``recover_damaged``: look for a
    ballot whose QR code cannot be decoded (off for camera frames: a frame without a
    code is a frame without a ballot)."""
    t = thresholds or Thresholds()
    backend = backend or qr.default_backend()
    policy = {**DEFAULT_REVIEW, **(policy or {})}
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
        if ink < t.blank_ink:
            return done("rejected", ["blank_back"])
        found = recognise_page(gray, layouts, t) if recover_damaged and layouts else None
        clock.lap("recognise")
        if found is None:
            return done("rejected", ["no_qr"])
        return _read_damaged(gray, found, layouts, verify, t, policy, details, clock, done)
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
    writeins = score_writeins(gray, spec, geo.H, geo.ink, t)
    clock.lap("boxes")
    details["boxes"] = boxes
    if writeins:
        details["writeins"] = writeins
    unclear = sum(b["state"] == "unclear" for b in boxes)
    if unclear * 3 > len(boxes):
        return done("rejected", ["unreadable_marks"], payload=pay, layout_id=pay.layout)

    # 5. outcome
    selections, questions, reasons = decide(spec, boxes, policy, writeins)
    details["questions"] = questions
    _note_policy(details, questions, reasons, policy)
    status = "review" if reasons else "counted"
    return done(status, reasons, payload=pay, layout_id=pay.layout, selections=selections)


def _note_policy(details: dict[str, Any], questions: dict[str, Any], reasons: list[str], policy: Mapping[str, str]) -> None:
    """Say in the details what the policy counted without a person (a blank question, a blank ballot)."""
    counted = [c for c in ("blank_ballot", "undervote") if policy.get(c) == "count"
               and any(q.get("case") == c for q in questions.values())]
    if counted:
        details["counted_as_cast"] = counted


def decide(spec: LayoutSpec, boxes: list[dict[str, Any]], policy: Mapping[str, str] | None = None,
           writeins: Mapping[str, dict[str, Any]] | None = None) -> tuple[dict[str, list[str]], dict[str, Any], list[str]]:
    """Per question a vote, blank, overvote, marginal, write-in or (number grid) a number;
    the cases the review policy sends to a person, most important first."""
    policy = {**DEFAULT_REVIEW, **(policy or {})}
    writeins = writeins or {}
    by_q: dict[str, list[dict[str, Any]]] = {}
    for b in boxes:
        by_q.setdefault(b["question"], []).append(b)
    selections: dict[str, list[str]] = {}
    questions: dict[str, Any] = {}
    found: set[str] = set()
    all_blank = True
    for q in spec.questions:
        qb = by_q.get(q.id, [])
        written = bool(writeins.get(q.id, {}).get("written"))
        if q.is_number:
            state, marked, cases, info = _number_answer(q, qb)
        else:
            marked = [b["option"] for b in qb if b["state"] == "marked"]
            unsure = [b for b in qb if b["state"] in ("marginal", "unclear")]
            info = {}
            if len(marked) >= 2 or (marked and written):
                state, cases = "overvote", {"overvote"}
            elif unsure:
                state = "marginal"
                cases = {"unclear_box" if b["state"] == "unclear" else "marginal_mark" for b in unsure}
                if written:
                    cases.add("write_in")
            elif marked:
                state, cases = "vote", set()
            elif written:
                state, cases = "write_in", {"write_in"}
            else:
                state, cases = "blank", set()
        if state == "blank" and not q.optional:
            cases = {"undervote"}
        if state != "blank":
            all_blank = False
        found |= cases
        selections[q.id] = marked if state in ("vote", "overvote", "marginal") else []
        if state == "overvote" and q.is_number:
            selections[q.id] = []
        questions[q.id] = {"state": state, "marked": selections[q.id], **info,
                           **({"case": "undervote"} if "undervote" in cases else {})}
    if all_blank:
        for qv in questions.values():
            qv.pop("case", None)
            qv["case"] = "blank_ballot"
        return selections, questions, ([] if policy.get("blank_ballot") == "count" else ["blank_ballot"])
    return selections, questions, [r for r in REVIEW_ORDER if r in found and policy.get(r, "review") != "count"]


def _number_answer(q: Question, qb: list[dict[str, Any]]) -> tuple[str, list[str], set[str], dict[str, Any]]:
    """A number-grid question: the digits marked in each row make a number of the roster.

    Leading rows left empty are zeros (a voter marking only "7" in the last row
    means 7); a row with two marks, or an empty row after a marked one, is
    ``number_unclear``; a number the roster does not have is ``unknown_number``."""
    rows: dict[int, list[dict[str, Any]]] = {}
    for b in qb:
        pos, _, digit = b["option"].partition(DIGIT_SEP)
        rows.setdefault(int(pos), []).append({**b, "digit": int(digit)})
    digits: list[int | None] = []
    unsure: set[str] = set()
    unclear_number = False
    for pos in sorted(rows):
        marked = [b["digit"] for b in rows[pos] if b["state"] == "marked"]
        for b in rows[pos]:
            if b["state"] == "marginal":
                unsure.add("marginal_mark")
            elif b["state"] == "unclear":
                unsure.add("unclear_box")
        if len(marked) >= 2:
            unclear_number = True
            digits.append(None)
        else:
            digits.append(marked[0] if marked else None)
    text = "".join("?" if d is None else str(d) for d in digits)
    if unclear_number:
        return "overvote", [], {"number_unclear"} | unsure, {"digits": text}
    if unsure:
        return "marginal", [], unsure, {"digits": text}
    if all(d is None for d in digits):
        return "blank", [], set(), {}
    first = next(i for i, d in enumerate(digits) if d is not None)
    if any(d is None for d in digits[first:]):
        return "overvote", [], {"number_unclear"}, {"digits": text}
    number = int("".join(str(d) for d in digits[first:]))
    for r in q.roster:
        if r.number == number:
            return "vote", [r.id], set(), {"number": number}
    return "unknown_number", [], {"unknown_number"}, {"number": number}


# -- a ballot whose QR code cannot be decoded ------------------------------------------

@dataclass
class Recognised:
    """A page found without its QR code: the layout it matches and where it lies."""

    spec: LayoutSpec
    geometry: "Geometry"
    outline: float  # median strength of the layout's box outlines on the page


def recognise_page(gray: np.ndarray, layouts: Mapping[int, LayoutSpec], t: Thresholds) -> Recognised | None:
    """The known layout this page is, found from its corner squares and box outlines alone
    (kiosk.reading.recover), or None: then it is no ballot of ours that anyone could tell."""
    squares = recover.solid_squares(gray)
    if len(squares) < 4:
        return None
    by_frame: dict[tuple, list[LayoutSpec]] = {}
    for spec in layouts.values():
        by_frame.setdefault((spec.page_mm, tuple((m.x, m.y, m.size) for m in spec.marks)), []).append(spec)
    best: Recognised | None = None
    for specs in by_frame.values():
        frame = specs[0]
        for hm in recover.mark_quads(squares, frame.mark_centres, frame.marks[0].size):
            geo = _refine_marks(gray, frame, hm)
            if geo is None or not _qr_area_inked(gray, frame, geo.H):
                continue
            for spec in specs:
                boxes = score_boxes(gray, spec, geo.H, geo.ink, t)
                if not boxes:
                    continue
                outlines = np.array([b["outline"] for b in boxes])
                found = float(np.mean([b["state"] != "unclear" for b in boxes]))
                strength = float(np.median(outlines))
                if found >= 0.9 and strength >= RECOGNISED_OUTLINE and (best is None or strength > best.outline):
                    best = Recognised(spec, geo, strength)
            if best is not None and best.outline >= 2 * RECOGNISED_OUTLINE:
                return best  # unmistakable: no need to try the other ways the squares could lie
        if best is not None:
            break
    return best


RECOGNISED_OUTLINE = 0.25  # a layout's box outlines this dark (relative to the marks) where the layout puts them


def _refine_marks(gray: np.ndarray, spec: LayoutSpec, hm: np.ndarray) -> "Geometry | None":
    """The four marks located precisely where ``hm`` puts them, and the homography they give."""
    marks_mm = spec.mark_centres
    found = []
    for i in range(4):
        ppm = _scale_at(hm, tuple(marks_mm[i]))
        size = spec.marks[i].size * ppm
        f = find_mark(gray, project(hm, marks_mm[i]), size, 0.6 * size) if size >= 4 else None
        if f is None:
            return None
        found.append(f)
    dst = np.array([(f["x"], f["y"]) for f in found])
    hm2 = fit_homography(marks_mm, dst)
    ppm = _scale_at(hm2, tuple(marks_mm.mean(axis=0)))
    marks = [{"found": True, "px": [round(f["x"], 2), round(f["y"], 2)], "darkness": round(f["darkness"], 3)} for f in found]
    ink = float(np.median([f["darkness"] for f in found]))
    cx, cy = spec.page_mm[0] / 2, spec.page_mm[1] / 2
    p = project(hm2, [(cx, cy), (cx + 10, cy)])
    angle = math.degrees(math.atan2(p[1][1] - p[0][1], p[1][0] - p[0][0])) % 360.0
    rotation = int(round(angle / 90.0)) % 4 * 90
    skew = (angle - rotation + 180.0) % 360.0 - 180.0
    return Geometry(hm2, marks, ink, ppm, rotation, skew, 0.0)


def _qr_area_inked(gray: np.ndarray, spec: LayoutSpec, hm: np.ndarray) -> bool:
    """Whether the QR code's square holds print (a QR code is about half dark, damaged or not)."""
    q = spec.qr
    u, v = np.meshgrid(np.linspace(q.x + 1, q.x + q.size - 1, 24), np.linspace(q.y + 1, q.y + q.size - 1, 24))
    p = project(hm, np.stack([u, v], axis=-1))
    vals = _bilinear(gray, p[..., 0], p[..., 1])
    paper = float(np.percentile(vals, 95))
    share = float(np.mean(vals < paper * 0.6))
    return 0.2 <= share <= 0.85


def _read_damaged(gray: np.ndarray, found: Recognised, layouts: Mapping[int, LayoutSpec], verify: Callable[[str], Payload],
                  t: Thresholds, policy: Mapping[str, str], details: dict[str, Any], clock: "_Clock",
                  done: Callable[..., Interpretation]) -> Interpretation:
    """A recognised page without a decoded code: rebuild the code; else a person types the serial."""
    spec, geo = found.spec, found.geometry
    q = spec.qr
    pay: Payload | None = None
    for text in recover.rescue_qr(gray, geo.H, q.x, q.y, q.size):
        try:
            pay = verify(text)
            break
        except KioskError as exc:
            if exc.code not in PAYLOAD_REASONS:
                raise
            details.setdefault("rescued_qr_failures", []).append(PAYLOAD_REASONS[exc.code])
    clock.lap("rescue")
    details["recognised"] = {"layout": f"{spec.id:08x}", "outline": round(found.outline, 3)}
    details.update(geo.details())
    if pay is not None:
        spec = layouts.get(pay.layout, spec)
        details["qr_rescued"] = True
        details["payload"] = {
            "version": pay.version, "campaign": pay.campaign.hex(), "institution": pay.institution.hex(),
            "layout": f"{pay.layout:08x}", "serial": serial_text(pay.serial),
        }
    boxes = score_boxes(gray, spec, geo.H, geo.ink, t)
    writeins = score_writeins(gray, spec, geo.H, geo.ink, t)
    clock.lap("boxes")
    details["boxes"] = boxes
    if writeins:
        details["writeins"] = writeins
    selections, questions, reasons = decide(spec, boxes, policy, writeins)
    details["questions"] = questions
    _note_policy(details, questions, reasons, policy)
    if pay is None:
        reasons = ["qr_damaged"] + [r for r in reasons if r != "qr_damaged"]
        return done("review", reasons, layout_id=spec.id, selections=selections)
    return done("review" if reasons else "counted", reasons, payload=pay, layout_id=pay.layout, selections=selections)


# -- write-ins ---------------------------------------------------------------------

WRITEIN_SAMPLES_PER_MM = 4.0


def score_writeins(gray: np.ndarray, spec: LayoutSpec, hm: np.ndarray, ink: float, t: Thresholds) -> dict[str, dict[str, Any]]:
    """For each question with a write-in line: is something written above the line?

    The area is resampled at 4 samples per mm; darkness is relative to the
    area's own paper and to the marks' print.  Rows dark almost all across
    are the printed line (a page located a little off) and are left out.
    Writing is ink on at least ``writein_ink`` of the area spreading at
    least 4 mm along the line: a speck of dust or a dot is not a name."""
    out: dict[str, dict[str, Any]] = {}
    for q in spec.questions:
        if q.writein is None:
            continue
        x, y, w, h = q.writein
        nu, nv = max(8, int(w * WRITEIN_SAMPLES_PER_MM)), max(4, int(h * WRITEIN_SAMPLES_PER_MM))
        u, v = np.meshgrid(x + (np.arange(nu) + 0.5) * w / nu, y + (np.arange(nv) + 0.5) * h / nv)
        p = project(hm, np.stack([u, v], axis=-1))
        vals = _bilinear(gray, p[..., 0], p[..., 1])
        paper = float(np.percentile(vals, 90))
        d = np.clip(1.0 - vals / max(paper, 1.0), 0.0, 1.0) / max(ink, 0.35)
        mask = d >= 0.35
        rows = mask.mean(axis=1)
        mask[rows > 0.6] = False  # the printed line, where the page sits a little off
        share = float(mask.mean())
        cols = np.nonzero(mask.any(axis=0))[0]
        spread, extent = 0.0, [x, x + w]
        if len(cols) >= 2:
            lo, hi = np.percentile(cols, [5, 95])
            spread = float((hi - lo + 1) * w / nu)
            extent = [x + float(cols.min()) * w / nu, x + float(cols.max() + 1) * w / nu]
        corners = project(hm, [(x, y), (x + w, y), (x + w, y + h), (x, y + h)])
        out[q.id] = {"written": share >= t.writein_ink and spread >= 4.0, "ink": round(share, 4),
                     "spread_mm": round(spread, 1), "ink_mm": [round(v, 1) for v in extent],
                     "polygon": np.round(corners, 1).tolist()}
    return out


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
    # the scored area keeps clear of the outline's bleed: 0.67 mm (at A5 scale) on a scan,
    # more where the image is soft and coarse (a photo of a page at 2-3 pixels per mm)
    ppm = _scale_at(hm, (spec.page_mm[0] / 2, spec.page_mm[1] / 2))
    gap = max(INNER_GAP, int(math.ceil((spec.box_line_mm / 2 + BLUR_PX / max(ppm, 0.1)) / step)))
    gap = min(gap, int(nb * 0.3))
    side = nb - 2 * gap
    inner = np.stack([
        d[j, mg + dy[j] + gap: mg + dy[j] + gap + side, mg + dx[j] + gap: mg + dx[j] + gap + side]
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
