"""The results page: paper, online and total per specialist and institution; the online vote
import and publication."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kiosk.central.tally import rule_text
from kiosk.lang import count as count_words

from ..widgets import sections_splitter
from .work import Snapshot

NUMBER = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class RowsModel(QAbstractTableModel):
    """Rows of plain values shown as they are scrolled to (12,000 specialists cost what the
    visible rows cost); numbers right-aligned, a row in bold when it wins."""

    def __init__(self, numeric: frozenset[int] = frozenset(), parent=None) -> None:
        super().__init__(parent)
        self.numeric = numeric  # columns of figures: right-aligned, also when shown as text ("3,80", "–")
        self.header: list[str] = []
        self.rows: list[tuple] = []
        self.bold: list[bool] = []
        self._font = QFont()
        self._font.setBold(True)

    def set_rows(self, rows: list[tuple], bold: list[bool]) -> None:
        self.beginResetModel()
        self.rows, self.bold = rows, bold
        self.endResetModel()

    def set_header(self, header: list[str]) -> None:
        self.header = header
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, max(0, len(header) - 1))

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.header)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        value = self.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return value if isinstance(value, int) else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and (index.column() in self.numeric or isinstance(value, int | float)):
            return NUMBER
        if role == Qt.ItemDataRole.FontRole and self.bold[index.row()]:
            return self._font
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 - Qt API
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and section < len(self.header):
            return self.header[section]
        return None

    def text(self, row: int, column: int) -> str:
        return str(self.rows[row][column])


def _table(name: str, numeric: frozenset[int]) -> tuple[QTableView, RowsModel]:
    t = QTableView()
    t.setObjectName(name)
    model = RowsModel(numeric, t)
    t.setModel(model)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.verticalHeader().setVisible(False)
    t.setTextElideMode(Qt.TextElideMode.ElideRight)
    # fixed widths: sizing columns to their contents measures every row on the UI thread
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    t.horizontalHeader().setDefaultSectionSize(110)
    t.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    return t, model


def _score(x: float | int | None) -> str:
    if x is None:
        return "–"
    return (f"{x:g}" if float(x).is_integer() else f"{x:.2f}").replace(".", ",")


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
        # place, paper, online, total
        self.specialists, self.specialist_rows = _table("specialistTable", frozenset({0, 3, 4, 5}))
        self.institutions_title = QLabel()
        self.institutions_title.setObjectName("sectionTitle")
        # place, score, positive, average, ballots, online
        self.institutions, self.institution_rows = _table("institutionTable", frozenset({0, 2, 3, 4, 5, 6}))

        actions = QHBoxLayout()
        actions.addWidget(self.online_label, 1)
        actions.addWidget(self.online_button)
        actions.addWidget(self.publish_button)
        split = sections_splitter((self.specialists_title, self.specialists),
                                  (self.institutions_title, self.institutions))
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
        self.specialist_rows.set_header([self.tr("Vieta"), self.tr("Speciālists"), self.tr("Iestāde"),
                                         self.tr("Papīra"), self.tr("Tiešsaistē"), self.tr("Kopā")])
        self.institution_rows.set_header([self.tr("Vieta"), self.tr("Iestāde"), self.tr("Rezultāts"),
                                          self.tr("Pozitīvi"), self.tr("Vidējais"), self.tr("Biļeteni"),
                                          self.tr("Tiešsaistē")])
        self._widths()
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
        if count is None:
            self.specialist_rows.set_rows([], [])
            self.institution_rows.set_rows([], [])
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
        self.specialist_rows.set_rows(
            [(sp.rank, sp.name, sp.institution, sp.paper, sp.online, sp.votes) for sp in r.specialists],
            [sp.winner for sp in r.specialists])
        self.institution_rows.set_rows(
            [("–" if i.rank is None else i.rank, i.name, _score(i.score), i.positive,
              "–" if i.average_rating is None else f"{i.average_rating:.2f}".replace(".", ","), i.ballots, i.online)
             for i in r.institutions],
            [i.winner for i in r.institutions])

    def _widths(self) -> None:
        for table, stretch, widths in ((self.specialists, 2, {0: 70, 1: 230}), (self.institutions, 1, {0: 70})):
            table.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
            for col, width in widths.items():
                table.setColumnWidth(col, width)

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().changeEvent(event)
        if event.type() == event.Type.LanguageChange:
            self.retranslate()
