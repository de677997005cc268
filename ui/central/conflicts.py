"""The conflicts page: a serial whose copies disagree, every copy side by side, and the
decision a person takes (the copy that counts, or none) with a note."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from kiosk.ballot.campaign import Campaign
from kiosk.central.tally import SerialConflict, SerialCopy
from ui.widgets import ImageView

from .work import Snapshot


def reading(campaign: Campaign | None, copy: SerialCopy, lang: str) -> list[str]:
    """What a copy says, in words: each question's text and the option marked."""
    if campaign is None:
        return [f"{q}: {o}" for q, o in copy.choices]
    questions = {q.id: q for q in campaign.questions}
    roster = {}
    for inst in campaign.institutions:
        if inst.id == copy.institution_id:
            roster = {s.id: s.name for s in inst.specialists}
    lines = []
    for qid, oid in copy.choices:
        q = questions.get(qid)
        label = (q.text.get(lang) or q.text.get("lv") or qid) if q else qid
        value = roster.get(oid, oid) if q is not None and q.type == "specialist" else oid
        lines.append(f"{label.rstrip('?:. ')}: {value}")
    return lines


class CopyCard(QFrame):
    """One copy: its image (when the batch carries one), where it came from, what it says."""

    def __init__(self, copy: SerialCopy, text: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.copy = copy
        self.image = ImageView()
        self.image.setMinimumSize(200, 260)
        self.image.set_placeholder(self.tr("attēls tiek ielādēts…"))
        self.where = QLabel(f"<b>{copy.kiosk_id}</b> · " + self.tr("partija {0}").format(copy.batch)
                            + f"<br/><small>{copy.file}</small>")
        self.where.setWordWrap(True)
        if copy.status == "counted":
            said = "<br/>".join(text) if text else self.tr("nekas nav atzīmēts")
            who = self.tr("mašīna") if copy.decided_by == "machine" else copy.decided_by
            by = self.tr("nolasīja: {0}").format(who)
            self.said = QLabel(f"{said}<br/><small>{by}</small>")
        else:
            self.said = QLabel(self.tr("noraidīts pārskatīšanā ({0})").format(copy.decided_by))
        self.said.setWordWrap(True)
        self.choose = QRadioButton(self.tr("Skaitīt šo kopiju"))
        self.choose.setEnabled(copy.status == "counted")
        box = QVBoxLayout(self)
        box.addWidget(self.image, 1)
        box.addWidget(self.where)
        box.addWidget(self.said)
        box.addWidget(self.choose)

    def set_image(self, image: QImage | None, missing: str) -> None:
        if image is None:
            self.image.set_image(None)
            self.image.set_placeholder(missing)
        else:
            self.image.set_image(image)


class ConflictsPage(QWidget):
    """Conflicting serials on the left; the chosen one's copies side by side on the right."""

    decide = Signal(str, object, str)  # serial, the SerialCopy that counts (None: none), note
    withdraw = Signal(str)
    wants_images = Signal(object)  # the SerialConflict shown

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lang = "lv"
        self.snapshot: Snapshot | None = None
        self.current: SerialConflict | None = None
        self.cards: list[CopyCard] = []

        self.list = QListWidget()
        self.list.setObjectName("conflictList")
        self.list.currentItemChanged.connect(self._chosen)
        self.list_title = QLabel()
        self.list_title.setObjectName("sectionTitle")
        left = QWidget()
        lbox = QVBoxLayout(left)
        lbox.setContentsMargins(0, 0, 0, 0)
        lbox.addWidget(self.list_title)
        lbox.addWidget(self.list, 1)

        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.title.setWordWrap(True)
        self.explain = QLabel()
        self.explain.setObjectName("caption")
        self.explain.setWordWrap(True)
        self.copies = QWidget()
        self.copies_box = QHBoxLayout(self.copies)
        self.copies_box.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.copies)
        self.none = QRadioButton()
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.group.buttonToggled.connect(lambda *_: self.update_buttons())
        self.note = QLineEdit()
        self.note.setObjectName("decisionNote")
        self.note.textChanged.connect(lambda *_: self.update_buttons())
        self.save = QPushButton()
        self.save.setObjectName("saveDecision")
        self.save.setProperty("kind", "primary")
        self.save.clicked.connect(self._save)
        self.undo = QPushButton()
        self.undo.setObjectName("withdrawDecision")
        self.undo.clicked.connect(self._withdraw)
        self.standing = QLabel()
        self.standing.setObjectName("note")
        self.standing.setWordWrap(True)
        decide_row = QHBoxLayout()
        decide_row.addWidget(self.none)
        decide_row.addWidget(self.note, 1)
        decide_row.addWidget(self.save)
        decide_row.addWidget(self.undo)
        right = QWidget()
        rbox = QVBoxLayout(right)
        rbox.setContentsMargins(0, 0, 0, 0)
        rbox.addWidget(self.title)
        rbox.addWidget(self.explain)
        rbox.addWidget(scroll, 1)
        rbox.addWidget(self.standing)
        rbox.addLayout(decide_row)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 4)
        split.setSizes([230, 900])
        box = QVBoxLayout(self)
        box.addWidget(split)
        self.retranslate()

    # -- text ---------------------------------------------------------------------
    def retranslate(self) -> None:
        self.list_title.setText(self.tr("Pretrunīgi numuri"))
        self.none.setText(self.tr("Neskaitīt nevienu kopiju"))
        self.note.setPlaceholderText(self.tr("Piezīme: kāpēc tā izlemts (ieraksta ziņojumā)"))
        self.save.setText(self.tr("Saglabāt lēmumu"))
        self.undo.setText(self.tr("Atsaukt lēmumu"))
        self.explain.setText(self.tr(
            "Viena numura kopijas nesakrīt: tās netiek skaitītas nevienam, kamēr cilvēks neizlemj, kura kopija "
            "skaitās (vai neviena). Lēmumu var mainīt līdz rezultātu publicēšanai."))
        if self.snapshot is not None:
            self.show_snapshot(self.snapshot)

    def kind_text(self, kind: str) -> str:
        return self.tr("atšķirīgas atzīmes") if kind == "different_selections" else self.tr("viena kopija noraidīta")

    # -- state --------------------------------------------------------------------
    def show_snapshot(self, snap: Snapshot) -> None:
        self.snapshot = snap
        keep = self.current.serial if self.current is not None else None
        conflicts = snap.count.conflicts if snap.count is not None else ()
        self.list.blockSignals(True)
        self.list.clear()
        chosen_row = 0
        for n, c in enumerate(conflicts):
            state = self.tr("izlemts") if c.resolved else self.tr("neizlemts")
            item = QListWidgetItem(f"{c.serial}\n{self.kind_text(c.kind)} · {state}")
            item.setData(Qt.ItemDataRole.UserRole, c.serial)
            if not c.resolved:
                item.setForeground(Qt.GlobalColor.darkRed)
            self.list.addItem(item)
            if c.serial == keep:
                chosen_row = n
        self.list.blockSignals(False)
        if conflicts:
            self.list.setCurrentRow(chosen_row)
            self._show(conflicts[chosen_row])
        else:
            self._show(None)

    def _chosen(self, item: QListWidgetItem | None, _previous=None) -> None:
        if item is None or self.snapshot is None or self.snapshot.count is None:
            return
        serial = item.data(Qt.ItemDataRole.UserRole)
        conflict = next((c for c in self.snapshot.count.conflicts if c.serial == serial), None)
        self._show(conflict)

    def _show(self, conflict: SerialConflict | None) -> None:
        self.current = conflict
        for card in self.cards:
            self.group.removeButton(card.choose)
            card.setParent(None)
            card.deleteLater()
        self.cards = []
        self.group.removeButton(self.none)
        published = self.snapshot is not None and self.snapshot.publication is not None
        if conflict is None:
            self.title.setText(self.tr("Pretrunu nav: katrs numurs skaitīts vienreiz.") if self.snapshot
                               and self.snapshot.count is not None else self.tr("Vēl nav saskaitīts."))
            self.standing.setText("")
            for w in (self.none, self.note, self.save, self.undo):
                w.setEnabled(False)
            return
        self.title.setText(self.tr("Numurs {0}: {1}").format(conflict.serial, self.kind_text(conflict.kind)))
        campaign = self.snapshot.campaign if self.snapshot else None
        for copy in conflict.copies:
            card = CopyCard(copy, reading(campaign, copy, self.lang))
            self.copies_box.addWidget(card, 1)
            self.group.addButton(card.choose)
            self.cards.append(card)
        self.group.addButton(self.none)
        decision = self.snapshot.count.decisions.get(conflict.serial) if self.snapshot and self.snapshot.count else None
        self.group.setExclusive(False)
        for b in self.group.buttons():
            b.setChecked(False)
        self.group.setExclusive(True)
        if decision is not None:
            if decision.kind == "none":
                self.none.setChecked(True)
                which = self.tr("neskaita nevienu kopiju")
            else:
                for card in self.cards:
                    if (card.copy.kiosk_id, card.copy.batch) == (decision.kiosk_id, decision.batch):
                        card.choose.setChecked(True)
                which = self.tr("skaita {0} partijas {1} kopiju").format(decision.kiosk_id, decision.batch)
            self.note.setText(decision.note)
            when = decision.decided_at[:16].replace("T", " ")
            note = f" – {decision.note}" if decision.note else ""
            self.standing.setText(self.tr("Lēmums: {0} ({1}, {2} UTC){3}").format(which, decision.decided_by, when, note))
        else:
            self.note.setText("")
            self.standing.setText(self.tr("Vēl nav izlemts: šis numurs netiek skaitīts."))
        self.standing.setProperty("level", "ok" if decision else "warn")
        self.standing.style().unpolish(self.standing)
        self.standing.style().polish(self.standing)
        for w in (self.none, self.note, *[c.choose for c in self.cards if c.copy.status == "counted"]):
            w.setEnabled(not published)
        self.undo.setEnabled(decision is not None and not published)
        self.update_buttons()
        self.wants_images.emit(conflict)

    def show_images(self, serial: str, images: list) -> None:
        if self.current is None or self.current.serial != serial:
            return  # another serial is shown by now
        for card, image in zip(self.cards, images):
            card.set_image(image, self.tr("partijā nav attēla"))

    def update_buttons(self) -> None:
        published = self.snapshot is not None and self.snapshot.publication is not None
        self.save.setEnabled(self.current is not None and self.group.checkedButton() is not None and not published)

    def choice(self) -> SerialCopy | None:
        for card in self.cards:
            if card.choose.isChecked():
                return card.copy
        return None

    def choose_copy(self, index: int | None) -> None:
        """Check the copy at ``index`` (None: no copy counts)."""
        (self.none if index is None else self.cards[index].choose).setChecked(True)

    def _save(self) -> None:
        if self.current is None or self.group.checkedButton() is None:
            return
        self.decide.emit(self.current.serial, self.choice(), self.note.text())

    def _withdraw(self) -> None:
        if self.current is not None:
            self.withdraw.emit(self.current.serial)

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().changeEvent(event)
        if event.type() == event.Type.LanguageChange:
            self.retranslate()
