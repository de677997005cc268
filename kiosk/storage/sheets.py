"""Sheets as the database holds them: one stored sheet, and each ballot's final state.

``kiosk.storage.store`` turns rows into these types (and readings into rows);
nothing else sees a row of the ``sheets`` table.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..reading.sheet import Selections, SheetReading


@dataclass(frozen=True)
class StoredSheet:
    """One page of one image, read once and stored (``Store.record_sheet``)."""

    id: int
    image_sha256: str
    page: int  # 1-based within the image
    source: str  # the path as given to the scan, or the camera's source
    run_id: int | None
    status: str  # counted | review | rejected | duplicate
    reasons: tuple[str, ...]
    serial: bytes | None
    layout_id: int | None
    selections: Selections | None  # the machine's: question id -> marked option ids
    interpretation: dict[str, Any] = field(default_factory=dict)  # the reader's details (JSON)
    duplicate_of: int | None = None  # the sheet that holds the ballot of this serial
    repeat: bool = False  # this page of this image was stored before (and is returned as it was)
    source_bytes: bytes | None = None  # the source's exact bytes when it is not UTF-8 (``source`` escapes them)

    @property
    def reason(self) -> str | None:
        return self.reasons[0] if self.reasons else None

    @property
    def reading(self) -> SheetReading:
        """The machine's reading as stored (a duplicate says so in its status and reason)."""
        return SheetReading(self.status, self.reasons, self.serial, self.layout_id, self.selections, self.interpretation)


@dataclass(frozen=True)
class FinalSheet:
    """A ballot's final state (``Store.final_sheets``): the last person's decision
    if someone decided, else the machine's status."""

    sheet_id: int
    serial: bytes | None  # None: a damaged QR code whose serial nobody has typed (yet)
    image_sha256: str
    machine_status: str  # counted | review
    final_status: str  # counted | review | rejected
    selections: Selections | None  # final: the decision's, else the machine's
    decided_by: str  # "machine" or the deciding person's role


# a person's decisions on a sheet, and the rows that take one back
DECISIONS = ("confirm", "correct", "reject")
REVERSALS = ("undo", "reopen")


@dataclass(frozen=True)
class SheetState:
    """A stored sheet as it stands now (``Store.sheet_states``): the machine's outcome
    with the last person's decision on top.  The scan list, its counters and the
    review queue all read this one state."""

    sheet_id: int
    machine_status: str  # counted | review | rejected | duplicate, as read
    status: str  # now: counted | review | rejected | duplicate
    decision: str | None  # the last row: confirm, correct, reject, undo, reopen (None: nobody decided)
    decision_id: int | None  # that row's id
    decided_by: str  # "machine" or the role of the person whose decision stands
    reason: str | None  # a reviewer's reject reason
    ballot: bool  # the sheet holds its serial's ballot (a duplicate or a foreign sheet does not)
    exported: bool  # its ballot left in a batch: nothing can change it any more
    duplicate_of: int | None = None  # the sheet holding the ballot this one copies
    original_source: str | None = None  # that sheet's source and page
    original_page: int | None = None

    @property
    def pending(self) -> bool:
        """Waiting for a person."""
        return self.status == "review"

    @property
    def reviewed(self) -> bool:
        """A person's decision stands."""
        return self.decision in DECISIONS

    @property
    def reopenable(self) -> bool:
        """The office may send it back to review: a ballot decided (by the machine or a
        person) whose batch has not been written yet."""
        return self.ballot and not self.exported and self.status in ("counted", "rejected")
