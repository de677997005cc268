"""What a scan reports per sheet, with selections named as printed."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..ballot import payload
from ..ballot.layout import option_labels
from ..station import Kiosk


@dataclass
class SheetResult:
    source: str  # the path as given (for a folder: the folder joined with the file's relative path)
    page: int  # 1-based within the file
    status: str  # counted | review | rejected | duplicate
    reason: str | None
    reasons: list[str] = field(default_factory=list)
    serial: str | None = None  # payload.serial_text form
    selections: dict[str, list[str]] | None = None  # question label -> option labels as printed
    sheet_id: int | None = None  # None: not stored (missing file, internal error)
    repeat: bool = False  # this page of this file was stored before

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source, "page": self.page, "status": self.status, "reason": self.reason,
            "reasons": self.reasons, "serial": self.serial, "selections": self.selections,
            "sheet_id": self.sheet_id, "repeat": self.repeat,
        }


class Reporter:
    """Stored sheet rows -> ``SheetResult``s, selections named as printed
    (each layout's labels looked up once)."""

    def __init__(self, kiosk: Kiosk) -> None:
        self.kiosk = kiosk
        self._labels: dict[int, tuple[dict[str, str], dict[str, dict[str, str]]]] = {}

    def result(self, source: str, row: dict[str, Any]) -> SheetResult:
        serial = row.get("serial")
        return SheetResult(
            source=source,
            page=row["page"],
            status=row["status"],
            reason=row["reasons"][0] if row["reasons"] else None,
            reasons=list(row["reasons"]),
            serial=payload.serial_text(serial) if serial else None,
            selections=self.labelled(row.get("selections"), row.get("layout_id")),
            sheet_id=row["id"],
            repeat=bool(row.get("repeat")),
        )

    def labelled(self, selections: dict[str, list[str]] | None, layout_id: int | None) -> dict[str, list[str]] | None:
        """{question id: [option id]} -> {question label: [option label]} as printed."""
        if selections is None or layout_id is None:
            return None
        if layout_id not in self._labels:
            spec = self.kiosk.stored_layout(layout_id) or {"questions": []}
            self._labels[layout_id] = ({q["id"]: q["label"] for q in spec["questions"]}, option_labels(spec))
        qlabels, olabels = self._labels[layout_id]
        return {
            qlabels.get(q, q): [olabels.get(q, {}).get(o, o) for o in opts]
            for q, opts in selections.items()
        }
