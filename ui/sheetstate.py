"""What the screens know of the stored sheets now: one model for the scan list, its
counters and the review badge.

A sheet's state (``kiosk.storage.sheets.SheetState``: the machine's outcome with
the last person's decision on top) comes from ``Store.sheet_states``.  The scan
list tracks the sheets it shows; whoever changes a sheet (a scan storing it, a
review decision, an undo, a reopening) calls ``refresh`` with its id, and
``changed`` tells every view at once, so the list, the counters and the badge
never disagree.  The review badge's number is the store's queue, counted once
per change.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject, Signal

from kiosk.storage.sheets import SheetState
from kiosk.storage.store import Store


class SheetStates(QObject):
    changed = Signal(object)  # frozenset of the sheet ids whose state changed
    queue_changed = Signal(int)  # sheets waiting for review, store-wide

    def __init__(self, store: Callable[[], Store], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._states: dict[int, SheetState] = {}
        self._pending: int | None = None

    def state(self, sheet_id: int | None) -> SheetState | None:
        return self._states.get(sheet_id) if sheet_id is not None else None

    def track(self, sheet_ids: Iterable[int | None]) -> None:
        """Start following these sheets (a scan stored them, or met them again).  The
        queue's count is left to ``refresh_queue`` (at most a few times a second while
        sheets pour in)."""
        ids = {i for i in sheet_ids if i is not None and i not in self._states}
        if ids:
            self._states.update(self._store().sheet_states(ids))
            self.changed.emit(frozenset(ids))

    def forget(self) -> None:
        """The list was cleared: nothing is followed any more."""
        self._states.clear()

    def refresh(self, sheet_ids: Iterable[int] | None = None) -> None:
        """Read these sheets' states again (None: every sheet followed); tell who changed."""
        ids = set(self._states) if sheet_ids is None else {i for i in sheet_ids if i is not None}
        fresh = self._store().sheet_states(ids) if ids else {}
        moved = {i for i, s in fresh.items() if self._states.get(i) != s}
        tracked = {i: s for i, s in fresh.items() if i in self._states or sheet_ids is not None}
        self._states.update(tracked)
        if moved:
            self.changed.emit(frozenset(moved))
        self.refresh_queue()

    def pending(self) -> int:
        """Sheets waiting for review in the whole store."""
        if self._pending is None:
            self._pending = self._store().review_queue_count()
        return self._pending

    def refresh_queue(self) -> None:
        n = self._store().review_queue_count()
        if n != self._pending:
            self._pending = n
            self.queue_changed.emit(n)
