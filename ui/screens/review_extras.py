"""Review: what a ballot needs beyond its boxes, for the review screen to show beside them.

- A question with a write-in, a numbered list or a long roster gets a
  ``RosterPicker`` (type a few letters; the boxes where the machine saw ink are
  offered first) instead of one button per name (a write-in on a short roster:
  under its buttons); a write-in's line is shown large in it.  The screen puts
  each picker under its question (``pickers``).
- A ballot whose QR code could not be read gets a ``SerialEntry``, with the
  printed serial shown large, in this widget above the questions.

The clips are cut out of the page by the core (``kiosk.intake.review.clips``)
in a background job.  The screen asks ``serial_text()`` when it decides and
lets ``consume_enter()`` take an Enter meant for a picker or the serial line.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtWidgets import QApplication, QSizePolicy, QVBoxLayout, QWidget

from kiosk.intake.review import ReviewItem, clips
from kiosk.reading.imaging import load_page

from ..widgets import gray_to_qimage
from ..worker import WorkContext
from .review_serial import SerialEntry
from .review_writein import RosterPicker

BUTTONS_MAX = 12  # longer rosters are picked by typing, not from a wall of buttons


def needs_picker(item: ReviewItem, qid: str) -> bool:
    q = item.question(qid)
    return q.is_number or qid in item.written or (q.type == "specialist" and len(q.choices) > BUTTONS_MAX)


def clips_job(item: ReviewItem):
    """Worker: the page as the reader saw it, and the parts a person reads large, as QImages."""
    def work(ctx: WorkContext) -> dict[str, Any]:
        gray = np.asarray(load_page(item.image["path"], item.page).convert("L"))
        return {name: gray_to_qimage(np.ascontiguousarray(a)) for name, a in clips(item, gray).items()}

    return work


class ReviewExtras(QWidget):
    """The pickers and the serial line of the ballot on the review screen (``screen``: the
    ReviewScreen, which it calls back with ``set_choice`` and asks for ``review()``)."""

    def __init__(self, screen: Any) -> None:
        super().__init__(screen)
        self.screen = screen
        self.setObjectName("reviewExtras")
        self.item: ReviewItem | None = None
        self.pickers: dict[str, RosterPicker] = {}
        self.serial: SerialEntry | None = None
        self.lay = QVBoxLayout(self)
        self.lay.setContentsMargins(0, 0, 0, 0)
        self.lay.setSpacing(6)
        # never squeezed below what it shows: the question list under it scrolls instead
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.hide()

    # -- one ballot ------------------------------------------------------------------------
    def show_item(self, item: ReviewItem | None) -> None:
        """The widgets for this ballot (the pickers of the previous one are removed with the
        screen's question list, where they were placed)."""
        while self.lay.count():
            w = self.lay.takeAt(0).widget()
            if w is not None:
                w.hide()
                w.setParent(None)
                w.deleteLater()
        self.pickers.clear()
        self.serial = None
        self.item = item
        if item is None:
            self.hide()
            return
        if item.needs_serial:
            self.serial = SerialEntry(lambda text, sid=item.sheet_id: self.screen.review().check_serial(sid, text),
                                      lambda: self.screen.ctx.lang,
                                      voided=lambda serial: self.screen.review().serial_voided(serial))
            self.lay.addWidget(self.serial)
        for q in item.questions:
            if needs_picker(item, q.id):
                picker = RosterPicker(q)
                picker.picked.connect(self.screen.set_choice)
                inked = [b["option"] for b in item.boxes if b["question"] == q.id and b["state"] in ("marked", "marginal")]
                if not q.is_number and inked:
                    picker.offer(inked)
                self.pickers[q.id] = picker
        self.setVisible(self.serial is not None)
        if (self.pickers or self.serial is not None) and item.image is not None and item.homography is not None:
            self.screen.ctx.runner.run(clips_job(item), name="review clips", key="review-clips",
                                       done=lambda found, sid=item.sheet_id: self._clips(sid, found),
                                       failed=lambda _exc: None)

    def _clips(self, sheet_id: int, found: dict[str, Any]) -> None:
        if self.item is None or self.item.sheet_id != sheet_id:
            return
        for name, image in found.items():
            if name == "serial" and self.serial is not None:
                self.serial.show_clip(image)
            elif name.startswith("writein:") and name[8:] in self.pickers:
                self.pickers[name[8:]].show_clip(image)

    # -- what the screen asks -----------------------------------------------------------------
    def handles(self, qid: str) -> bool:
        """Whether this question is picked here (the screen draws no buttons for it)."""
        return qid in self.pickers and (self.item is not None and not self._buttons_too(qid))

    def _buttons_too(self, qid: str) -> bool:
        q = self.item.question(qid)
        return not q.is_number and len(q.choices) <= BUTTONS_MAX

    def refresh(self, chosen: dict[str, list[str]]) -> None:
        for qid, picker in self.pickers.items():
            picker.show_choice(chosen.get(qid, []))

    def serial_text(self) -> str | None:
        return self.serial.text() if self.serial is not None else None

    def consume_enter(self) -> bool:
        """An Enter typed in a picker picks its match; in an unfinished serial line it does
        nothing more (the serial must check out before the ballot can be decided)."""
        focus = QApplication.focusWidget()
        for picker in self.pickers.values():
            if focus is picker.edit and picker.edit.text().strip():
                picker.pick_current()
                picker.edit.clear()
                self.screen.setFocus()
                return True
        if self.serial is not None and focus is self.serial.edit and not self.serial.valid:
            return True
        return False

    def retranslate(self) -> None:
        for picker in self.pickers.values():
            picker.retranslate()
        if self.serial is not None:
            self.serial.retranslate()
