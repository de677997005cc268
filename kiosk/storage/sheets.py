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
