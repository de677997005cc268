"""What reading needs, and one page read: no database, no kiosk.

A ``ReadContext`` carries the layouts, the keys that check a ballot's QR
tag and the thresholds; it is plain data, handed to worker processes.
``read_page_fields`` decodes one page of a file and reads it into the
fields ``Store.record_sheet`` stores.
"""
from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..ballot import payload
from . import imaging
from .imaging import PageError
from .reader import Interpretation, Thresholds, read_sheet


@dataclass(frozen=True)
class ReadContext:
    """Everything a worker needs to read pages; no database, no Kiosk."""

    layouts: dict[int, dict[str, Any]]
    campaign: bytes
    institution: bytes
    key: bytes
    thresholds: dict[str, float]
    backend: str | None = None

    def verify(self) -> Callable[[str], payload.Payload]:
        return functools.partial(
            payload.verify, campaign=self.campaign, institution=self.institution, key=self.key,
            known_layouts=frozenset(self.layouts),
        )


def read_page_fields(ctx: ReadContext, path: str, number: int, kind: str) -> dict[str, Any]:
    """Decode and read one page: the sheet fields for ``Store.record_sheet``."""
    t0 = time.perf_counter()
    try:
        page = imaging.read_page(path, number, kind)
    except PageError as exc:
        return failed_fields(exc)
    t_decode = (time.perf_counter() - t0) * 1000
    it = read_sheet(page.gray, layouts=ctx.layouts, verify=ctx.verify(), thresholds=Thresholds.from_dict(ctx.thresholds),
                    backend=ctx.backend)
    it.details["image"] = {"kind": kind, "original_px": list(page.original_size), "scale": round(page.scale, 4),
                           "dpi": None if page.dpi is None else round(page.dpi, 1)}
    it.details.setdefault("timing_ms", {})["decode"] = round(t_decode, 2)
    return sheet_fields(it)


def sheet_fields(it: Interpretation) -> dict[str, Any]:
    return {
        "status": it.status, "reasons": it.reasons, "serial": it.serial, "layout_id": it.layout_id,
        "selections": it.selections, "interpretation": it.details,
    }


def failed_fields(exc: PageError) -> dict[str, Any]:
    return {
        "status": "rejected", "reasons": [exc.reason], "serial": None, "layout_id": None, "selections": None,
        "interpretation": {"error": exc.reason, "detail": exc.params.get("detail", "")},
    }
