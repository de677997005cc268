"""The reading context of one kiosk: its layouts, keys and the thresholds set for it."""
from __future__ import annotations

from ..access.settings import reader_thresholds, scan_limits
from ..reading.context import ReadContext
from ..reading.reader import Thresholds
from ..station import Kiosk


def read_context(kiosk: Kiosk, thresholds: Thresholds | None = None, backend: str | None = None) -> ReadContext:
    """Everything a reader (in this process or a worker) needs, taken from the kiosk."""
    layouts = {i: spec for i in kiosk.known_layouts() if (spec := kiosk.stored_layout(i)) is not None}
    if thresholds is None:
        thresholds = reader_thresholds(kiosk.store)
    return ReadContext(layouts, kiosk.campaign.hash, kiosk.institution.hash, kiosk.tag_key, thresholds.to_dict(), backend,
                       scan_limits(kiosk.store), dict(kiosk.campaign.review))
