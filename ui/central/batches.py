"""The batches page: what was received, per institution and kiosk, and what does not count."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.central.verify import KioskChain

from ..widgets import sections_splitter
from .work import Snapshot


def _numbers(ns: tuple[int, ...]) -> str:
    return ", ".join(str(n) for n in ns[:8]) + (" …" if len(ns) > 8 else "")


class BatchesPage(QWidget):
    """A tree of institutions and their kiosks (batches received, counted, the chain), and
    the excluded files with their reasons in plain words."""

    open_folder = Signal()
    open_files = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lang = "lv"
        self.summary = QLabel()
        self.summary.setObjectName("note")
        self.summary.setWordWrap(True)
        self.folder_button = QPushButton()
        self.folder_button.setProperty("kind", "primary")
        self.folder_button.clicked.connect(self.open_folder)
        self.files_button = QPushButton()
        self.files_button.clicked.connect(self.open_files)
        self.drop_hint = QLabel()
        self.drop_hint.setObjectName("caption")
        self.drop_hint.setWordWrap(True)

        self.tree = QTreeWidget()
        self.tree.setObjectName("chainTree")
        self.tree.setColumnCount(5)
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col, width in ((1, 100), (2, 100), (3, 250), (4, 200)):  # fixed: sizing to contents measures every row
            self.tree.header().setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            self.tree.setColumnWidth(col, width)

        self.excluded_title = QLabel()
        self.excluded_title.setObjectName("sectionTitle")
        self.excluded = QTableWidget(0, 4)
        self.excluded.setObjectName("excludedTable")
        self.excluded.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.excluded.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.excluded.verticalHeader().setVisible(False)
        self.excluded.setWordWrap(True)
        h = self.excluded.horizontalHeader()
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)

        top = QHBoxLayout()
        top.addWidget(self.folder_button)
        top.addWidget(self.files_button)
        top.addWidget(self.drop_hint, 1)
        split = sections_splitter((None, self.tree), (self.excluded_title, self.excluded))
        box = QVBoxLayout(self)
        box.addLayout(top)
        box.addWidget(self.summary)
        box.addWidget(split, 1)
        self.snapshot: Snapshot | None = None
        self._shown: tuple | None = None
        self.retranslate()

    def retranslate(self) -> None:
        self.folder_button.setText(self.tr("Atvērt mapi…"))
        self.files_button.setText(self.tr("Atvērt failus…"))
        self.drop_hint.setText(self.tr("Vai ievelciet šeit mapi vai partiju failus (piemēram, no USB atmiņas)."))
        self.tree.setHeaderLabels([self.tr("Iestāde / kiosks"), self.tr("Saņemtas"), self.tr("Ieskaitītas"),
                                   self.tr("Ķēde"), self.tr("Ievērībai")])
        self.excluded_title.setText(self.tr("Izslēgtie faili"))
        self.excluded.setHorizontalHeaderLabels([self.tr("Fails"), self.tr("Kiosks"), self.tr("Nr."),
                                                 self.tr("Iemesls")])
        if self.snapshot is not None:
            self.show_snapshot(self.snapshot, force=True)

    def chain_text(self, k: KioskChain) -> str:
        if k.state == "complete":
            return self.tr("pilna: partijas 1–{0}").format(k.last) if k.last > 1 else self.tr("pilna: partija 1")
        if k.state == "missing":
            return self.tr("trūkst partijas Nr. {0}").format(_numbers(k.missing))
        if k.state == "forked":
            return self.tr("sazarota: divi dažādi faili partijai Nr. {0}").format(_numbers(k.forked))
        if k.state == "revoked":
            return self.tr("kiosks atsaukts: tā partijas neskaita")
        return self.tr("ķēde pārtraukta: partija neturpina iepriekšējo")

    def show_snapshot(self, snap: Snapshot, *, force: bool = False) -> None:
        self.snapshot = snap
        view = snap.overview
        signals = tuple((g.institution_id, g.signals) for g in snap.count.result.integrity) if snap.count else ()
        shown = (view, signals, self.lang)
        if shown == self._shown and not force:
            return  # the same files and figures (a decision, a recount): the tree stays as it is
        self._shown = shown
        self.tree.clear()
        self.excluded.setRowCount(0)
        if view is None:
            self.summary.setText(self.tr("Vispirms norādiet kampaņas failu un galveno atslēgu (“Kampaņa un atslēgas”)."))
            return
        kiosks = sum(len(v) for v in view.institutions.values())
        text = self.tr("Saņemti faili: {0} · kioski: {1} · iestādes: {2} · izslēgti faili: {3}").format(
            view.files, kiosks, len(view.institutions), len(view.excluded))
        if view.unverified:
            text += " · " + self.tr("gaida pārbaudi: {0}").format(view.unverified)
        self.summary.setText(text)
        self.summary.setProperty("level", "warn" if view.excluded else "ok" if view.files else "")
        self.summary.style().unpolish(self.summary)
        self.summary.style().polish(self.summary)
        names = {i.id: i.name for i in snap.campaign.institutions} if snap.campaign else {}
        integrity = {g.institution_id: g for g in snap.count.result.integrity} if snap.count is not None else {}
        for iid, chains in view.institutions.items():
            top = QTreeWidgetItem([names.get(iid, iid), str(sum(k.received for k in chains)),
                                   str(sum(k.accepted for k in chains)),
                                   self.tr("visas ķēdes pilnas") if all(k.state == "complete" for k in chains)
                                   else self.tr("skatīt kioskus")])
            top.setData(0, Qt.ItemDataRole.UserRole, iid)
            row = integrity.get(iid)
            if row is not None and row.signals:
                look = "; ".join(sig.text(self.lang) for sig in row.signals)
                top.setText(4, look)
                top.setToolTip(4, look)
                top.setForeground(4, Qt.GlobalColor.darkYellow)
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            for k in chains:
                child = QTreeWidgetItem([k.kiosk_id, str(k.received), str(k.accepted), self.chain_text(k)])
                child.setData(0, Qt.ItemDataRole.UserRole, k.kiosk_id)
                if k.state != "complete":
                    child.setForeground(3, Qt.GlobalColor.darkRed)
                top.addChild(child)
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
        self.excluded.setRowCount(len(view.excluded))
        for row, e in enumerate(view.excluded):
            cells = [e.name, e.kiosk_id or "–", "–" if e.batch is None else str(e.batch), e.message(self.lang)]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text if col != 3 else f"{text}\n[{e.reason}] {e.detail}")
                self.excluded.setItem(row, col, item)
        self.excluded.resizeRowsToContents()

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().changeEvent(event)
        if event.type() == event.Type.LanguageChange:
            self.retranslate()
