"""The kiosk as one signed-in person sees it.

``SignedIn`` wraps a ``Kiosk`` and a ``Session``: every workflow checks the
role first, so a screen (or a worker thread) cannot do what its user may not.
It is the one door the Qt UI and the command line go through to the
workflows, and it writes each workflow's audit event (``kiosk.audit``):
counts and outcomes only, never a serial, a selection or a file name.
"""
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from .access.roles import Action, Session, require
from .audit.log import record
from .batches.export import ExportResult, export_batch, list_batches, pending_summary
from .errors import KioskError
from .intake.results import SheetResult, audited_run, count_result
from .intake.review import Review
from .intake.scan import scan_paths
from .issuing.jobs import PrintResult, print_ballots, printed_today
from .station import Kiosk

log = logging.getLogger(__name__)

SCAN_OUTCOMES = ("counted", "review", "rejected", "duplicate")


def scan_counts(results: Iterable[SheetResult]) -> Counter:
    """Sheets, each outcome and repeats of some scan results (what a scan.run event holds)."""
    counts: Counter = Counter()
    for r in results:
        count_result(counts, r)
    return counts


class SignedIn:
    """Wraps a kiosk the caller owns (and closes); a worker thread wraps its own."""

    def __init__(self, kiosk: Kiosk, session: Session | None) -> None:
        self.kiosk = kiosk
        self.session = session

    def require(self, action: Action) -> Session:
        return require(self.session, action)

    def _audit(self, event: str, **fields: Any) -> None:
        assert self.session is not None
        record(self.kiosk.store, event, self.session.role.value, **fields)

    def _audit_after_failure(self, event: str, **fields: Any) -> None:
        """Audit a failed workflow without hiding its own error behind a second one."""
        try:
            self._audit(event, **fields)
        except Exception:  # noqa: BLE001 - the workflow's error is what the caller must see
            log.exception("could not write the audit event %s", event)

    # front desk -----------------------------------------------------------
    def print_ballots(self, count: int, **kwargs: Any) -> PrintResult:
        """Issue ``count`` ballots (``kiosk.issuing.jobs.print_ballots``, which also empties
        the database's write-ahead log once the job is settled) and audit the job.
        The audit event is written before that, so the log is emptied after it too."""
        self.require(Action.PRINT)
        to = "printer" if kwargs.get("printer") else "pdf"
        try:
            result = print_ballots(self.kiosk, count, **kwargs)
        except KioskError as exc:
            outcome = "cancelled" if exc.code == "print.cancelled" else "failed"
            self._audit_after_failure("print.job", count=count, outcome=outcome, voided=exc.params.get("voided", 0),
                                      to=to, error=exc.code)
            raise
        except BaseException as exc:
            self._audit_after_failure("print.job", count=count, outcome="failed", voided=count, to=to,
                                      error=f"bug: {type(exc).__name__}")
            raise
        else:
            self._audit("print.job", count=count, outcome="printed", voided=0, to=to, error=None)
        finally:
            self.kiosk.store.forget_history()  # the audit row above was written after the job's own emptying
        return result

    def printed_today(self, now: float | None = None) -> int:
        return printed_today(self.kiosk, now)

    # helper ---------------------------------------------------------------
    def scan_paths(self, paths: Iterable[str | Path], **kwargs: Any) -> Iterator[SheetResult]:
        """Read files (``kiosk.intake.scan.scan_paths``); the run is audited with its counts when it ends."""
        self.require(Action.SCAN)
        return audited_run(scan_paths(self.kiosk, paths, **kwargs), kwargs.get("cancelled"),
                           lambda outcome, counts: self.record_scan_run("files", outcome, counts))

    def record_scan_run(self, source: str, outcome: str, counts: Counter) -> None:
        """Audit a scan run that ended (``source``: files or camera)."""
        self.require(Action.SCAN)
        fields = {k: int(counts.get(k, 0)) for k in ("sheets", *SCAN_OUTCOMES, "repeat")}
        if outcome == "done":
            self._audit("scan.run", source=source, outcome=outcome, **fields)
        else:
            self._audit_after_failure("scan.run", source=source, outcome=outcome, **fields)

    def review(self) -> Review:
        self.require(Action.REVIEW)
        return Review(self.kiosk, self.session)

    # office ---------------------------------------------------------------
    def export_batch(self, out_dir: str | Path, *, images: bool = False,
                     progress: Callable[[int, int], None] | None = None) -> ExportResult:
        self.require(Action.EXPORT)
        try:
            res = export_batch(self.kiosk, out_dir, images=images, progress=progress)
        except KioskError as exc:
            self._audit_after_failure("export.failed", error=exc.code)
            raise
        except BaseException as exc:
            self._audit_after_failure("export.failed", error=f"bug: {type(exc).__name__}")
            raise
        self._audit("export.batch", batch=res.batch, records=res.records, counted=res.counted, rejected=res.rejected,
                    pending=res.pending, images=res.images)
        return res

    def batches(self) -> list[dict[str, Any]]:
        self.require(Action.EXPORT)
        return list_batches(self.kiosk)

    def export_summary(self) -> dict[str, int]:
        self.require(Action.EXPORT)
        return pending_summary(self.kiosk)
