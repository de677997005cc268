"""The frame tracker: one outcome per ballot held up to a camera.

Frames come from any source (a live camera in the UI, a video file played by
Qt or decoded with PyAV in ``kiosk.reading.video``, still images); each analysed frame goes
through the same reader as a scanned page.  ``BallotTracker`` turns that
stream into one decision per ballot:

- a frame without a ballot QR code (an empty desk, a hand, motion blur) is
  not an outcome, only a sign that the ballot may have left;
- a ballot is accepted when ``agree`` consecutive readable frames give the
  same serial and the same marks and the machine would count it; a doubtful
  reading (overvote, marginal mark, blank) must repeat ``review_agree``
  times, so a ballot still moving into place gets its chance at a clean read;
- the sharpest frame that gave the agreed reading becomes the sheet's stored
  image (only that frame's pixels are kept per reading, so memory stays
  bounded however long a ballot stays in view);
- a ballot already taken is ignored while it stays in view and if it comes
  back; the next serial starts afresh;
- a ballot that leaves before its reading settled goes to review
  (``unstable_read``) with its best frame, so every ballot seen is reported
  exactly once and nothing uncertain is counted.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..ballot.payload import Payload
from ..ballot.spec import LayoutSpec
from .context import ReadContext
from .reader import Interpretation, Thresholds, project, read_sheet
from .sheet import SheetReading

NOT_A_BALLOT = frozenset({"no_qr", "blank_back"})  # nothing (readable) in view
NOT_YET = frozenset({"unreadable_marks", "multiple_qr"})  # a ballot is there, but not readable in this frame


def sharpness(gray: np.ndarray) -> float:
    """Variance of a 4-neighbour Laplacian on a 2x-subsampled frame: higher is sharper."""
    g = gray[::2, ::2].astype(np.float32)
    lap = g[1:-1, 1:-1] * 4 - g[:-2, 1:-1] - g[2:, 1:-1] - g[1:-1, :-2] - g[1:-1, 2:]
    return float(lap.var())


@dataclass
class Read:
    index: int
    key: tuple  # what must agree between frames: status, reasons, selections
    reading: SheetReading
    sharpness: float


@dataclass
class Accepted:
    """A ballot decided from the camera: its best frame and its reading."""

    frame: int  # index of the stored frame in the stream (0-based)
    gray: np.ndarray
    reading: SheetReading
    frames_seen: int


@dataclass
class FrameReport:
    """What the UI shows for one analysed frame."""

    index: int
    state: str  # empty | reading | taken | accepted
    serial: str | None = None
    status: str | None = None  # of this frame's reading
    reason: str | None = None
    outline: list[list[float]] | None = None  # the page's corners in frame pixels, when found
    accepted: Accepted | None = None
    elapsed_ms: float = 0.0


MAX_READS = 40  # history kept for one ballot in view (memory stays bounded however long it stays)


@dataclass
class _Current:
    ident: str  # serial hex, or "rejected:<reason>" for a refused ballot
    reads: list[Read] = field(default_factory=list)
    best: dict[tuple, tuple[Read, np.ndarray]] = field(default_factory=dict)  # sharpest frame per reading
    frames: int = 0

    def add(self, read: Read, gray: np.ndarray) -> None:
        self.reads.append(read)
        del self.reads[:-MAX_READS]
        kept = self.best.get(read.key)
        if kept is None or read.sharpness > kept[0].sharpness:
            self.best[read.key] = (read, gray)


class BallotTracker:
    """Decides one outcome per ballot from a stream of grayscale frames."""

    def __init__(
        self,
        layouts: Mapping[int, LayoutSpec],
        verify: Callable[[str], Payload],
        *,
        thresholds: Thresholds | None = None,
        backend: str | None = None,
        agree: int = 3,
        review_agree: int = 5,
        gone: int = 3,
        policy: Mapping[str, str] | None = None,
    ) -> None:
        self.layouts = layouts
        self.verify = verify
        self.policy = policy
        self.thresholds = thresholds or Thresholds()
        self.backend = backend
        self.agree, self.review_agree, self.gone = agree, review_agree, gone
        self.current: _Current | None = None
        self.taken: set[str] = set()
        self.empty_run = 0

    @classmethod
    def for_context(cls, ctx: ReadContext, **kw: Any) -> "BallotTracker":
        """From a ``ReadContext`` (layouts, keys, thresholds)."""
        return cls(ctx.layouts, ctx.verify(), thresholds=Thresholds.from_dict(ctx.thresholds), backend=ctx.backend,
                   policy=ctx.policy, **kw)

    # -- one frame ---------------------------------------------------------------
    def feed(self, gray: np.ndarray, index: int) -> FrameReport:
        t0 = time.perf_counter()
        # a frame without a decodable code is a frame without a ballot: no search for a damaged one
        it = read_sheet(gray, layouts=self.layouts, verify=self.verify, thresholds=self.thresholds, backend=self.backend,
                        policy=self.policy, recover_damaged=False)
        report = self._step(it, gray, index)
        report.elapsed_ms = (time.perf_counter() - t0) * 1000
        return report

    def _step(self, it: Interpretation, gray: np.ndarray, index: int) -> FrameReport:
        reason = it.reason
        outline = _outline(it.details, self.layouts.get(it.layout_id) if it.layout_id is not None else None)
        if it.status == "rejected" and reason in NOT_A_BALLOT:
            self.empty_run += 1
            accepted = self._leave() if self.empty_run >= self.gone else None
            return FrameReport(index, "accepted" if accepted else "empty", accepted=accepted)
        self.empty_run = 0
        serial = it.serial
        ident = serial.hex() if serial is not None else f"rejected:{reason}"
        serial_txt = it.details.get("payload", {}).get("serial")
        accepted = None
        if self.current is not None and self.current.ident != ident:
            accepted = self._leave()  # the previous ballot was swapped for this one
        if ident in self.taken:
            return FrameReport(index, "accepted" if accepted else "taken", serial_txt, it.status, reason, outline, accepted)
        if self.current is None:
            self.current = _Current(ident)
        cur = self.current
        cur.frames += 1
        if it.status == "rejected" and reason in NOT_YET:
            return FrameReport(index, "accepted" if accepted else "reading", serial_txt, it.status, reason, outline, accepted)
        reading = SheetReading.from_interpretation(it)
        key = (it.status, reading.reasons, json.dumps(it.selections, sort_keys=True))
        cur.add(Read(index, key, reading, sharpness(gray)), gray)
        need = self.agree if it.status in ("counted", "rejected") else self.review_agree
        run = _tail_run(cur.reads)
        if len(run) >= need:
            mine = self._accept(run, cur)
            return FrameReport(index, "accepted", serial_txt, it.status, reason, outline, accepted or mine)
        return FrameReport(index, "accepted" if accepted else "reading", serial_txt, it.status, reason, outline, accepted)

    def _accept(self, run: list[Read], cur: _Current, *, unstable: bool = False) -> Accepted:
        best, gray = cur.best[run[0].key]  # the sharpest frame that gave this reading
        reading = replace(best.reading, interpretation={**best.reading.interpretation, "camera": {
            "frames_seen": cur.frames, "agreeing_frames": len(run), "sharpness": round(best.sharpness, 1),
            "unstable": unstable}})
        if unstable and reading.status == "counted":
            reading = replace(reading, status="review", reasons=("unstable_read",))
        self.taken.add(cur.ident)
        self.current = None
        return Accepted(best.index, gray, reading, cur.frames)

    def _leave(self) -> Accepted | None:
        """The current ballot left the view: decide it now if it never settled."""
        cur, self.current = self.current, None
        if cur is None or not cur.reads or cur.ident in self.taken:
            return None
        groups: dict[tuple, list[Read]] = {}
        for r in cur.reads:
            groups.setdefault(r.key, []).append(r)
        run = max(groups.values(), key=lambda g: (len(g), max(r.sharpness for r in g)))
        return self._accept(run, cur, unstable=True)

    def finish(self) -> Accepted | None:
        """End of the stream: a ballot still in view is decided."""
        return self._leave()


def _tail_run(reads: list[Read]) -> list[Read]:
    """The reads at the end of the list that agree with the last one, in a row."""
    run = [reads[-1]]
    for r in reversed(reads[:-1]):
        if r.key != run[0].key:
            break
        run.append(r)
    return run


def _outline(details: dict[str, Any], spec: LayoutSpec | None = None) -> list[list[float]] | None:
    corners = details.get("page_corners")
    if corners:
        return corners
    hm = details.get("homography")  # the page located: its corners through the page homography
    if hm and spec is not None:
        w, h = spec.page_mm
        return [[round(float(x), 1), round(float(y), 1)]
                for x, y in project(np.asarray(hm, dtype=np.float64), [(0, 0), (w, 0), (w, h), (0, h)])]
    qr = details.get("qr_corners")
    return qr if qr else None
