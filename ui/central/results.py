"""The results page: paper, online and total per specialist and institution; the online vote
import and publication."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.central.tally import rule_text
from kiosk.lang import count as count_words

from .work import Snapshot

SPECIALISTS_SHOWN = 200  # the table shows the first places; the reports hold every one


def _cell(value, *, number: bool = False, bold: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem()
    if number:
        item.setData(Qt.ItemDataRole.DisplayRole, value)
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    else:
        item.setText(str(value))
    if bold:
        font = item.font()
        font.setBold(True)
        item.setFont(font)
    return item


def _table(name: str, columns: int) -> QTableWidget:
    t = QTableWidget(0, columns)
    t.setObjectName(name)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return t


class ResultsPage(QWidget):
    import_online = Signal()
    publish = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lang = "lv"
        self.snapshot: Snapshot | None = None
        self.summary = QLabel()
        self.summary.setObjectName("note")
        self.summary.setWordWrap(True)
        self.online_label = QLabel()
        self.online_label.setObjectName("caption")
        self.online_label.setWordWrap(True)
        self.online_button = QPushButton()
        self.online_button.setObjectName("importOnline")
        self.online_button.clicked.connect(self.import_online)
        self.publish_button = QPushButton()
        self.publish_button.setObjectName("publish")
        self.publish_button.setProperty("kind", "primary")
        self.publish_button.clicked.connect(self.publish)
        self.specialists_title = QLabel()
        self.specialists_title.setObjectName("sectionTitle")
        self.specialists = _table("specialistTable", 6)
        self.specialists.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.specialists.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.institutions_title = QLabel()
        self.institutions_title.setObjectName("sectionTitle")
        self.institutions = _table("institutionTable", 7)
        self.institutions.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.institutions.setTextElideMode(Qt.TextElideMode.ElideRight)

        actions = QHBoxLayout()
        actions.addWidget(self.online_label, 1)
        actions.addWidget(self.online_button)
        actions.addWidget(self.publish_button)
        upper = QWidget()
        ub = QVBoxLayout(upper)
        ub.setContentsMargins(0, 0, 0, 0)
        ub.addWidget(self.specialists_title)
        ub.addWidget(self.specialists, 1)
        lower = QWidget()
        lb = QVBoxLayout(lower)
        lb.setContentsMargins(0, 0, 0, 0)
        lb.addWidget(self.institutions_title)
        lb.addWidget(self.institutions, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(upper)
        split.addWidget(lower)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        box = QVBoxLayout(self)
        box.addWidget(self.summary)
        box.addLayout(actions)
        box.addWidget(split, 1)
        self.retranslate()

    def retranslate(self) -> None:
        self.online_button.setText(self.tr("Importēt tiešsaistes balsis…"))
        self.publish_button.setText(self.tr("Publicēt rezultātus…"))
        self.specialists_title.setText(self.tr("Speciālisti"))
        self.institutions_title.setText(self.tr("Iestādes"))
        self.specialists.setHorizontalHeaderLabels([self.tr("Vieta"), self.tr("Speciālists"), self.tr("Iestāde"),
                                                    self.tr("Papīra"), self.tr("Tiešsaistē"), self.tr("Kopā")])
        self.institutions.setHorizontalHeaderLabels([self.tr("Vieta"), self.tr("Iestāde"), self.tr("Rezultāts"),
                                                     self.tr("Pozitīvi"), self.tr("Vidējais"), self.tr("Biļeteni"),
                                                     self.tr("Tiešsaistē")])
        if self.snapshot is not None:
            self.show_snapshot(self.snapshot)

    def show_snapshot(self, snap: Snapshot) -> None:
        self.snapshot = snap
        count = snap.count
        published = snap.publication is not None
        self.online_button.setEnabled(snap.configured and not published)
        self.publish_button.setEnabled(count is not None and not published)
        if snap.online is None:
            self.online_label.setText(self.tr("Tiešsaistes balsis vēl nav importētas."))
        else:
            votes = count_words(snap.online.votes, self.lang, ("balss", "balsis"), ("vote", "votes"))
            when = snap.online.imported_at[:16].replace("T", " ")
            self.online_label.setText(self.tr("Tiešsaistes balsis: {0} ({1}, importētas {2} UTC)")
                                      .format(snap.online.name, votes, when))
        self.specialists.setRowCount(0)
        self.institutions.setRowCount(0)
        if count is None:
            self.summary.setText(self.tr("Vēl nav ko skaitīt: importējiet partiju failus."))
            return
        r = count.result
        text = self.tr("Ieskaitīti biļeteni: {0} · partijas: {1} · izslēgtas: {2} · neizlemtas pretrunas: {3}").format(
            r.ballots_counted, r.verified_batches, len(r.excluded_batches), len(r.unresolved_conflicts))
        if published:
            text = self.tr("PUBLICĒTS {0} UTC ({1}): {2}").format(
                snap.publication.published_at[:16].replace("T", " "), snap.publication.published_by, 
                snap.publication.report) + "\n" + text
        if r.rules is not None:
            text += "\n" + rule_text(r.rules, self.lang)
        level = "ok" if published or r.complete else "warn"
        self.summary.setText(text)
        self.summary.setProperty("level", level)
        self.summary.style().unpolish(self.summary)
        self.summary.style().polish(self.summary)
        people = r.specialists[:SPECIALISTS_SHOWN]
        self.specialists.setRowCount(len(people))
        for n, sp in enumerate(people):
            cells = [_cell(sp.rank, number=True, bold=sp.winner), _cell(sp.name, bold=sp.winner),
                     _cell(sp.institution), _cell(sp.paper, number=True), _cell(sp.online, number=True),
                     _cell(sp.votes, number=True, bold=sp.winner)]
            for col, item in enumerate(cells):
                self.specialists.setItem(n, col, item)
        self.institutions.setRowCount(len(r.institutions))
        for n, i in enumerate(r.institutions):
            avg = "–" if i.average_rating is None else f"{i.average_rating:.2f}".replace(".", ",")
            score = "–" if i.score is None else (f"{i.score:g}" if isinstance(i.score, int) or float(i.score).is_integer()
                                                  else f"{i.score:.2f}").replace(".", ",")
            cells = [_cell("–" if i.rank is None else i.rank, number=i.rank is not None, bold=i.winner),
                     _cell(i.name, bold=i.winner), _cell(score, bold=i.winner), _cell(i.positive, number=True),
                     _cell(avg), _cell(i.ballots, number=True), _cell(i.online, number=True)]
            for col, item in enumerate(cells):
                self.institutions.setItem(n, col, item)

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().changeEvent(event)
        if event.type() == event.Type.LanguageChange:
            self.retranslate()
