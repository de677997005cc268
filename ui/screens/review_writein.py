"""Review: a specialist found by typing, and what was written or printed, shown large.

``RosterPicker``: a line to type a few letters of a name (diacritics optional:
"kalnins" finds "Kalniņš") or a roster number, and the matches below it; Enter
or a click picks the first or the chosen one, "Nederīgs" leaves the question
blank.  The review screen uses it for a question with a write-in, for a
numbered list (hundreds of names: no button per name) and for any long
roster.  ``ClipView``: a part of the page cut out upright and scaled up (the
write-in line, the printed serial).  The matching itself is the core's
(``kiosk.intake.review.roster_matches``).
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.ballot.spec import Question
from kiosk.intake.review import roster_matches

from ..widgets import shrinkable

MATCHES = 6


class ClipView(QLabel):
    """A clip of the page, scaled to the label's width (never wider than 3x)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image: QImage | None = None
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumHeight(40)
        self.setMaximumHeight(110)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setStyleSheet("background: white; border: 1px solid #adb5bd;")

    def set_image(self, image: QImage | None) -> None:
        self._image = image
        self._fit()

    @property
    def image(self) -> QImage | None:
        return self._image

    def _fit(self) -> None:
        if self._image is None or self._image.isNull():
            self.setPixmap(QPixmap())
            return
        width = max(50, min(self.width() - 4, 3 * self._image.width()))
        scaled = self._image.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
        if scaled.height() > self.maximumHeight() - 4:
            scaled = self._image.scaledToHeight(self.maximumHeight() - 4, Qt.TransformationMode.SmoothTransformation)
        self.setPixmap(QPixmap.fromImage(scaled))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._fit()


class RosterPicker(QWidget):
    """Type to find a specialist of one question; ``picked(question id, choice id)`` ("" for none)."""

    picked = Signal(str, str)

    def __init__(self, question: Question, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.question = question
        self._offered: list = []
        self.setObjectName(f"picker_{question.id}")
        self.clip = ClipView()
        self.clip.hide()
        self.edit = QLineEdit()
        self.edit.setObjectName(f"pickerEdit_{question.id}")
        self.edit.setClearButtonEnabled(True)
        self.edit.textChanged.connect(self.search)
        self.edit.returnPressed.connect(self.pick_current)
        self.matches = QListWidget()
        self.matches.setObjectName(f"pickerMatches_{question.id}")
        self.matches.setMaximumHeight(4 + 26 * 4)  # four rows in view, the rest scrolls
        self.matches.itemActivated.connect(lambda item: self.pick(item.data(Qt.ItemDataRole.UserRole)))
        self.matches.itemClicked.connect(lambda item: self.pick(item.data(Qt.ItemDataRole.UserRole)))
        self.invalid_button = QPushButton()
        self.invalid_button.setObjectName(f"pickerNone_{question.id}")
        self.invalid_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.invalid_button.clicked.connect(lambda: self.pick(""))
        self.chosen_label = QLabel()
        self.chosen_label.setObjectName("note")
        shrinkable(self.chosen_label)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.invalid_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 6)
        lay.setSpacing(4)
        lay.addWidget(self.clip)
        lay.addLayout(row)
        lay.addWidget(self.matches)
        lay.addWidget(self.chosen_label)
        self.retranslate()
        self.search("")

    def retranslate(self) -> None:
        if self.question.is_number:
            hint = self.tr("Ierakstiet numuru vai dažus vārda burtus (garumzīmes nav vajadzīgas)")
        else:
            hint = self.tr("Ierakstiet dažus vārda vai uzvārda burtus (garumzīmes nav vajadzīgas)")
        self.edit.setToolTip(hint)
        self.edit.setPlaceholderText(self.tr("Vārds bez garumzīmēm, piem. kalnins"))
        self.invalid_button.setText(self.tr("Nederīgs"))
        self.invalid_button.setToolTip(self.tr("Neviens speciālists: šis jautājums netiek ieskaitīts"))

    def show_clip(self, image: QImage | None) -> None:
        self.clip.set_image(image)
        self.clip.setVisible(image is not None)

    def search(self, text: str) -> None:
        self.matches.clear()
        found = roster_matches(self.question, text, MATCHES) if text.strip() else list(self._offered)
        numbers = {r.id: r.number for r in self.question.roster}
        for choice in found:
            label = f"{numbers[choice.id]}. {choice.label}" if choice.id in numbers else choice.label
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, choice.id)
            self.matches.addItem(item)
        if found:
            self.matches.setCurrentRow(0)
        self.matches.setVisible(bool(found))

    def offer(self, choice_ids: list[str]) -> None:
        """Offer these answers first (the boxes where the machine saw ink), before anything is typed."""
        self._offered = [c for c in self.question.choices if c.id in choice_ids]
        if not self.edit.text().strip():
            self.search("")

    def pick_current(self) -> None:
        item = self.matches.currentItem()
        if item is not None:
            self.pick(item.data(Qt.ItemDataRole.UserRole))

    def pick(self, choice_id: str) -> None:
        self.picked.emit(self.question.id, choice_id)

    def show_choice(self, choice_ids: list[str]) -> None:
        """What is chosen for this question now (the screen's state)."""
        labels = {c.id: c.label for c in self.question.choices}
        numbers = {r.id: r.number for r in self.question.roster}
        if choice_ids:
            cid = choice_ids[0]
            name = f"{numbers[cid]}. {labels.get(cid, cid)}" if cid in numbers else labels.get(cid, cid)
            self.chosen_label.setText(self.tr("Izvēlēts: {name}").format(name=name))
        else:
            self.chosen_label.setText(self.tr("Izvēlēts: neviens (jautājums netiek ieskaitīts)"))

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        # ↑/↓ move through the matches while typing
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down) and self.matches.count():
            row = self.matches.currentRow() + (1 if event.key() == Qt.Key.Key_Down else -1)
            self.matches.setCurrentRow(max(0, min(self.matches.count() - 1, row)))
            return
        super().keyPressEvent(event)
