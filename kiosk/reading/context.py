"""What reading needs, and one page read: no database, no kiosk.

A ``ReadContext`` carries the layouts, the keys that check a ballot's QR
tag and the thresholds; it is plain data, handed to worker processes.
``read_file_page`` decodes one page of a file and reads it into the
``SheetReading`` that ``Store.record_sheet`` stores.
"""
from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..ballot import payload
from ..ballot.spec import LayoutSpec
from . import imaging
from .imaging import DEFAULT_LIMITS, Limits, PageError
from .reader import Thresholds, read_sheet
from .sheet import SheetReading


@dataclass(frozen=True)
class ReadContext:
    """Everything a worker needs to read pages; no database, no Kiosk."""

    layouts: dict[int, LayoutSpec]
    campaign: bytes
    institution: bytes
    key: bytes
    thresholds: dict[str, float]
    backend: str | None = None
    limits: Limits = DEFAULT_LIMITS  # resource caps (pages, pixels, bytes, video frames)
    policy: dict[str, str] | None = None  # the campaign's review policy (case -> review | count)

    def verify(self) -> Callable[[str], payload.Payload]:
        return functools.partial(
            payload.verify, campaign=self.campaign, institution=self.institution, key=self.key,
            known_layouts=frozenset(self.layouts),
        )


def read_file_page(ctx: ReadContext, path: str, number: int, kind: str) -> SheetReading:
    """Decode and read one page: the reading ``Store.record_sheet`` stores."""
    t0 = time.perf_counter()
    try:
        page = imaging.read_page(path, number, kind, ctx.limits)
    except PageError as exc:
        return SheetReading.failed(exc)
    t_decode = (time.perf_counter() - t0) * 1000
    it = read_sheet(page.gray, layouts=ctx.layouts, verify=ctx.verify(), thresholds=Thresholds.from_dict(ctx.thresholds),
                    backend=ctx.backend, policy=ctx.policy)
    it.details["image"] = {"kind": kind, "original_px": list(page.original_size), "scale": round(page.scale, 4),
                           "dpi": None if page.dpi is None else round(page.dpi, 1)}
    it.details.setdefault("timing_ms", {})["decode"] = round(t_decode, 2)
    return SheetReading.from_interpretation(it)
