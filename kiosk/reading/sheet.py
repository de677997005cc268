"""One page as read: what the reader concluded and ``Store.record_sheet`` stores.

A ``SheetReading`` comes from the reader's ``Interpretation`` (a page read),
from a page that could not be decoded (``SheetReading.failed``) or from the
frame tracker (the reading the frames agreed on).  It carries no file, page
or run: those are said where the sheet is stored.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .imaging import PageError
from .reader import Interpretation

Selections = dict[str, list[str]]  # question id -> marked option ids


@dataclass(frozen=True)
class SheetReading:
    """A sheet's machine reading."""

    status: str  # counted | review | rejected
    reasons: tuple[str, ...] = ()  # review or rejection reasons, most important first
    serial: bytes | None = None
    layout_id: int | None = None
    selections: Selections | None = None  # None when the sheet was not read as a ballot
    interpretation: dict[str, Any] = field(default_factory=dict)  # JSON-able details (what the review screen shows)

    @property
    def reason(self) -> str | None:
        return self.reasons[0] if self.reasons else None

    @classmethod
    def from_interpretation(cls, it: Interpretation) -> SheetReading:
        return cls(it.status, tuple(it.reasons), it.serial, it.layout_id, it.selections, it.details)

    @classmethod
    def failed(cls, exc: PageError) -> SheetReading:
        """A page that could not be decoded: rejected with the file's own reason."""
        return cls("rejected", (exc.reason,), interpretation={"error": exc.reason, "detail": exc.params.get("detail", "")})
