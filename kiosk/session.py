"""The kiosk as one signed-in person sees it.

``SignedIn`` wraps a ``Kiosk`` and a ``Session``: every workflow checks the
role first, so a screen (or a worker thread) cannot do what its user may not.
It is the one door the Qt UI goes through to the workflows.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from .access.roles import Action, Session, require
from .batches.export import ExportResult, export_batch, list_batches, pending_summary
from .intake.results import SheetResult
from .intake.review import Review
from .intake.scan import scan_paths
from .issuing.jobs import PrintResult, print_ballots, printed_today
from .station import Kiosk


class SignedIn:
    """Wraps a kiosk the caller owns (and closes); a worker thread wraps its own."""

    def __init__(self, kiosk: Kiosk, session: Session | None) -> None:
        self.kiosk = kiosk
        self.session = session

    def require(self, action: Action) -> Session:
        return require(self.session, action)

    # front desk -----------------------------------------------------------
    def print_ballots(self, count: int, **kwargs: Any) -> PrintResult:
        self.require(Action.PRINT)
        return print_ballots(self.kiosk, count, **kwargs)

    def printed_today(self, now: float | None = None) -> int:
        return printed_today(self.kiosk, now)

    # helper ---------------------------------------------------------------
    def scan_paths(self, paths: Iterable[str | Path], **kwargs: Any) -> Iterator[SheetResult]:
        self.require(Action.SCAN)
        return scan_paths(self.kiosk, paths, **kwargs)

    def review(self) -> Review:
        self.require(Action.REVIEW)
        return Review(self.kiosk, self.session)

    # office ---------------------------------------------------------------
    def export_batch(self, out_dir: str | Path, *, images: bool = False,
                     progress: Callable[[int, int], None] | None = None) -> ExportResult:
        self.require(Action.EXPORT)
        return export_batch(self.kiosk, out_dir, images=images, progress=progress)

    def batches(self) -> list[dict[str, Any]]:
        self.require(Action.EXPORT)
        return list_batches(self.kiosk)

    def export_summary(self) -> dict[str, int]:
        self.require(Action.EXPORT)
        return pending_summary(self.kiosk)
