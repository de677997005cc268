"""What a scan reports per sheet, with selections named as printed."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..ballot import payload
from ..ballot.spec import LayoutSpec
from ..station import Kiosk
from ..storage.sheets import StoredSheet


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
    detail: str = ""  # what the reason is about (a special file's kind, a cap and the value met)
    source_bytes: bytes | None = None  # the path's exact bytes when ``source`` escapes some (not UTF-8)

    def to_json(self) -> dict[str, Any]:
        out = {
            "source": self.source, "page": self.page, "status": self.status, "reason": self.reason,
            "reasons": self.reasons, "serial": self.serial, "selections": self.selections,
            "sheet_id": self.sheet_id, "repeat": self.repeat,
        }
        if self.detail:
            out["detail"] = self.detail
        if self.source_bytes is not None:
            out["source_hex"] = self.source_bytes.hex()  # the name's exact bytes
        return out


class Reporter:
    """Stored sheets -> ``SheetResult``s, selections named as printed
    (each layout looked up once)."""

    def __init__(self, kiosk: Kiosk) -> None:
        self.kiosk = kiosk
        self._specs: dict[int, LayoutSpec | None] = {}

    def result(self, source: str, sheet: StoredSheet, source_bytes: bytes | None = None) -> SheetResult:
        return SheetResult(
            source=source,
            page=sheet.page,
            status=sheet.status,
            reason=sheet.reason,
            reasons=list(sheet.reasons),
            serial=payload.serial_text(sheet.serial) if sheet.serial else None,
            selections=self.labelled(sheet.selections, sheet.layout_id),
            sheet_id=sheet.id,
            repeat=sheet.repeat,
            detail=str(sheet.interpretation.get("detail") or "") if sheet.status == "rejected" else "",
            source_bytes=source_bytes,
        )

    def labelled(self, selections: dict[str, list[str]] | None, layout_id: int | None) -> dict[str, list[str]] | None:
        """{question id: [option id]} -> {question label: [option label]} as printed."""
        if selections is None or layout_id is None:
            return None
        if layout_id not in self._specs:
            self._specs[layout_id] = self.kiosk.stored_layout(layout_id)
        spec = self._specs[layout_id]
        if spec is None:  # a layout this kiosk does not know: the ids as they are
            return {q: list(opts) for q, opts in selections.items()}
        return spec.labelled(selections)


def count_result(counts: Counter, result: SheetResult) -> None:
    """Add one result to a scan run's counts (sheets, each outcome, repeats)."""
    counts["sheets"] += 1
    counts[result.status] += 1
    counts["repeat"] += bool(result.repeat)


def audited_run(results: Iterator[SheetResult], cancelled: Callable[[], bool] | None,
                finish: Callable[[str, Counter], None]) -> Iterator[SheetResult]:
    """Pass a scan's results through, counting them; when the run ends, ``finish``
    gets its outcome (done, cancelled, failed; cancelled too when the caller
    closed it early) and the counts, to write the scan.run audit event."""
    counts: Counter = Counter()
    outcome = "cancelled"
    try:
        for result in results:
            count_result(counts, result)
            yield result
        outcome = "cancelled" if cancelled is not None and cancelled() else "done"
    except GeneratorExit:
        raise
    except BaseException:
        outcome = "failed"
        raise
    finally:
        finish(outcome, counts)
