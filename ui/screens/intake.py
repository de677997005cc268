"""Helper: scanned sheets in, a live list out.

Sources feed one list: files and folders chosen by hand, a scan-to-folder
directory being watched, and a camera (``ui/camera/``).  A source is a panel
in ``self.sources`` plus a call to ``self.scan(paths)`` or ``self.add_results``:
the camera panel is registered with ``add_source`` and pushes each ballot's
``SheetResult`` through ``add_results``.

Reading runs in the background (``kiosk.intake.scan.scan_paths`` in a worker of the
shared runner, which uses a process pool of its own); results arrive in
batches and are appended to the model with one insert per batch, so the
window stays responsive at 20+ sheets a second.

Each row shows its sheet as it stands now (``ctx.sheets``: the machine's outcome
with the last review decision on top), so the list and its counters follow the
review live; the counters filter the list.  A duplicate names the sheet it
copies.  The office can send a decided ballot back to review from its row.
"""
from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QImage
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kiosk.access.roles import Action, Session
from kiosk.access.settings import watch_settings
from kiosk.errors import KioskError
from kiosk.intake.review import reason_text, reject_reason_text
from kiosk.intake.watch import scan_ready
from kiosk.session import SignedIn
from kiosk.storage.sheets import SheetState

from ..camera import CAMERA_SOURCE, CameraPanel
from ..context import AppContext, Level
from ..dialogs import KioskFileDialog, folder_roots
from ..watch import FolderWatcher
from ..widgets import (
    STATUS_COLORS,
    Box,
    CurrentPageStack,
    FitScrollArea,
    ImageView,
    OutlineLegend,
    ask,
    pil_to_qimage,
    shrinkable,
)
from ..worker import WorkContext
from . import Mode, Screen

STATUSES = ("counted", "review", "rejected", "duplicate")
BOX_COLORS = {"marked": "#1b7f3b", "marginal": "#d98200", "unclear": "#b3261e", "unmarked": "#6c7a86"}


def default_workers() -> int:
    """Reader processes: one per core.  Measured on 2 shared cores (docs/performance.md):
    two processes read 39–51 sheets/s with the event loop blocked at most 46–96 ms; one
    (reading in the worker thread) 20–26 sheets/s, blocked at most 35–60 ms."""
    return max(1, os.cpu_count() or 1)


def scan_job(ctx: WorkContext, session: Session | None, paths: list[str], workers: int | None = None) -> int:
    """Worker: read ``paths`` and stream each stored SheetResult back."""
    helper = SignedIn(ctx.kiosk, session)
    n = 0
    for result in helper.scan_paths(paths, workers=workers, progress=ctx.progress, cancelled=ctx.cancelled):
        ctx.emit(result)
        n += 1
    return n


def watch_scan_job(ctx: WorkContext, paths: list[str], workers: int | None = None) -> int:
    """Worker: read files the scanner folder offered (under the kiosk's watching setting:
    no session needed, watching goes on while nobody is signed in)."""
    n = 0
    for result in scan_ready(ctx.kiosk, paths, workers=workers, progress=ctx.progress, cancelled=ctx.cancelled):
        ctx.emit(result)
        n += 1
    return n


def load_image_job(path: str, page: int):
    """Worker: the page as the reader saw it (its pixel geometry applies)."""
    def work(ctx: WorkContext) -> QImage:
        from kiosk.reading.imaging import load_page

        return pil_to_qimage(load_page(path, page))

    return work


def boxes_for(interpretation: dict[str, Any], focused: tuple[str, str] | None = None,
              all_labels: bool = True) -> list[Box]:
    """Outlines for the stored boxes: colour by the machine's state, the ink score as label
    (``all_labels`` False: only boxes with some ink and the focused one are labelled: small
    previews, and whole pages whose many empty boxes' "0%" would cover names and titles)."""
    out = []
    for b in interpretation.get("boxes") or []:
        color = QColor(BOX_COLORS.get(b.get("state"), "#6c7a86"))
        out.append(Box(
            polygon=[tuple(p) for p in b.get("polygon") or []],
            color=color,
            label=(f"{round(100 * float(b.get('score', 0)))}%"
                   if all_labels or b.get("state") != "unmarked" or focused == (b.get("question"), b.get("option"))
                   else ""),
            width=3.0 if b.get("state") == "marked" else 2.0,
            focused=focused == (b.get("question"), b.get("option")),
            tags={"question": b.get("question"), "option": b.get("option"), "state": b.get("state")},
        ))
    return out


class SheetModel(QAbstractTableModel):
    """The live list: one row per SheetResult, appended in batches; each row shows its
    sheet's state now (``ctx.sheets``)."""

    COLUMNS = ("n", "file", "status", "reason")  # the serial is in the tooltip and the detail panel

    def __init__(self, screen: "IntakeScreen") -> None:
        super().__init__(screen)
        self.screen = screen
        self.rows: list[Any] = []
        self.counts = dict.fromkeys(STATUSES, 0)
        self.repeats = 0
        self._counted: list[str | None] = []  # the status each row is counted under (None: a repeat)
        self._by_sheet: dict[int, list[int]] = {}

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def state(self, r: Any) -> SheetState | None:
        return self.screen.ctx.sheets.state(r.sheet_id)

    def status(self, r: Any) -> str:
        """The row's outcome now: the machine's, or the review's."""
        st = self.state(r)
        return st.status if st is not None else r.status

    def append(self, results: list[Any]) -> None:
        if not results:
            return
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + len(results) - 1)
        self.rows.extend(results)
        for n, r in enumerate(results, start=first):
            if r.sheet_id is not None:
                self._by_sheet.setdefault(r.sheet_id, []).append(n)
            if r.repeat:
                self.repeats += 1
                self._counted.append(None)
            else:
                status = self.status(r)
                self._counted.append(status)
                if status in self.counts:
                    self.counts[status] += 1
        self.endInsertRows()

    def sheets_changed(self, sheet_ids) -> None:
        """These sheets' states changed (a review decision, an undo, a reopening)."""
        rows = sorted(n for sid in sheet_ids for n in self._by_sheet.get(sid, ()))
        if not rows:
            return
        for n in rows:
            old = self._counted[n]
            if old is None:
                continue
            new = self.status(self.rows[n])
            if new != old:
                if old in self.counts:
                    self.counts[old] -= 1
                if new in self.counts:
                    self.counts[new] += 1
                self._counted[n] = new
        self.dataChanged.emit(self.index(rows[0], 0), self.index(rows[-1], len(self.COLUMNS) - 1))

    def clear(self) -> None:
        self.beginResetModel()
        self.rows.clear()
        self._counted.clear()
        self._by_sheet.clear()
        self.counts = dict.fromkeys(STATUSES, 0)
        self.repeats = 0
        self.endResetModel()

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.screen.column_titles()[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        col = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if col == "n":
                return index.row() + 1
            if col == "file":
                if r.source.startswith(CAMERA_SOURCE):  # a live camera: its name, not a frame number
                    return self.screen.camera_source_text(r.source[len(CAMERA_SOURCE):])
                name = Path(r.source).name
                return f"{name} · {r.page}" if r.page > 1 else name
            if col == "status":
                return self.screen.status_text(self.status(r))
            if col == "reason":
                return self.screen.reason_text(r, self.state(r))
        if role == Qt.ItemDataRole.ForegroundRole and col == "status":
            return QBrush(STATUS_COLORS.get(self.status(r)))
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [r.source] + ([self.screen.serial_text(r.serial)] if r.serial else [])
            lines += [reason_text(x, self.screen.ctx.lang) for x in r.reasons]
            return "\n".join(lines)
        if role == Qt.ItemDataRole.UserRole:
            return r
        return None


class SheetFilter(QSortFilterProxyModel):
    """The list as the counters filter it: every row, or the rows of one outcome."""

    def __init__(self, model: SheetModel) -> None:
        super().__init__(model)
        self.model_ = model
        self.status: str | None = None
        self.setSourceModel(model)
        self.setDynamicSortFilter(True)

    def show_only(self, status: str | None) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.9 on
            self.beginFilterChange()
            self.status = status
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - earlier Qt
            self.status = status
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: N802
        if self.status is None:
            return True
        r = self.model_.rows[row]
        return not r.repeat and self.model_.status(r) == self.status


class IntakeScreen(Screen):
    mode = Mode.INTAKE
    action = Action.SCAN
    results_added = Signal(int)  # rows appended (tests and the benchmark wait on it)
    scan_finished = Signal()     # a scan job (not the queue) ended

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.job = None
        self.queue: list[str] = []
        self.watch_queue: list[str] = []  # files the scanner folder offered, read without a session
        self.follow = True
        self.workers: int | None = None  # reader processes (None: default_workers())

        # sources ------------------------------------------------------------
        self.source_group = QButtonGroup(self)
        self.source_buttons: dict[str, QPushButton] = {}
        self.sources = CurrentPageStack()  # as tall as the chosen source's panel (the camera's is large)
        self.sources.setObjectName("sourcePanel")
        source_row = QHBoxLayout()
        source_row.setSpacing(6)
        self.source_caption = QLabel()
        self.source_caption.setObjectName("sectionTitle")
        source_row.addWidget(self.source_caption)
        self._source_row = source_row

        files_panel = QWidget()
        self.add_files_button = QPushButton()
        self.add_files_button.setObjectName("addFiles")
        self.add_files_button.setProperty("kind", "primary")
        self.add_files_button.clicked.connect(self.choose_files)
        self.add_folder_button = QPushButton()
        self.add_folder_button.setObjectName("addFolder")
        self.add_folder_button.setProperty("kind", "primary")
        self.add_folder_button.clicked.connect(self.choose_folder)
        self.files_note = QLabel()
        self.files_note.setObjectName("note")
        shrinkable(self.files_note)
        fl = QHBoxLayout(files_panel)
        fl.setContentsMargins(0, 0, 0, 0)
        fl.addWidget(self.add_files_button)
        fl.addWidget(self.add_folder_button)
        fl.addWidget(self.files_note, 1)

        watch_panel = QWidget()
        self.watcher = FolderWatcher(ctx.runner, self)
        self.watcher.ready.connect(self._files_ready)
        self.watcher.failed.connect(self._watch_failed)
        self.watcher.polled.connect(lambda _state: self.refresh_watch())
        self.watch_button = QPushButton()
        self.watch_button.setObjectName("watchToggle")
        self.watch_button.setProperty("kind", "primary")
        self.watch_button.setCheckable(True)
        self.watch_button.toggled.connect(self._watch_toggled)
        self.watch_folder_button = QPushButton()
        self.watch_folder_button.clicked.connect(self.choose_watch_folder)
        self.watch_note = QLabel()
        self.watch_note.setObjectName("note")
        shrinkable(self.watch_note)
        wl = QHBoxLayout(watch_panel)
        wl.setContentsMargins(0, 0, 0, 0)
        wl.addWidget(self.watch_button)
        wl.addWidget(self.watch_folder_button)
        wl.addWidget(self.watch_note, 1)

        self.camera = CameraPanel(self)  # live camera or a video file (ui/camera/)

        self.add_source("files", files_panel)
        self.add_source("folder", watch_panel)
        self.add_source("camera", self.camera)
        source_row.addStretch(1)
        self.source_buttons["files"].setChecked(True)

        # counters: each one also shows only its rows ---------------------------------
        self.counter_labels: dict[str, QPushButton] = {}
        counters = QHBoxLayout()
        counters.setSpacing(8)
        for status in STATUSES:
            b = QPushButton()
            b.setObjectName(f"count_{status}")
            b.setProperty("kind", "counter")
            b.setProperty("status", status)
            b.setCheckable(True)
            b.toggled.connect(lambda on, st=status: self.filter_status(st if on else None))
            self.counter_labels[status] = b
            counters.addWidget(b)
        self.repeat_label = QLabel()
        self.repeat_label.setObjectName("note")
        counters.addWidget(self.repeat_label)
        self.watch_state = QLabel()  # whether the scanner folder is watched, whatever source is shown
        self.watch_state.setObjectName("note")  # coloured by its level, like the other notes
        shrinkable(self.watch_state)  # wraps rather than widening the window (1024 px)
        counters.addWidget(self.watch_state, 1)
        self.clear_button = QPushButton()
        self.clear_button.setObjectName("clearList")
        self.clear_button.clicked.connect(self.ask_clear_list)
        self.clear_question = None
        counters.addWidget(self.clear_button)

        # list and image ---------------------------------------------------------
        self.model = SheetModel(self)
        self.rows_shown = SheetFilter(self.model)
        self.table = QTableView()
        self.table.setObjectName("sheetTable")
        self.table.setModel(self.rows_shown)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(34)
        self.table.setWordWrap(False)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)  # the outcome is never cut off
        hh.setStretchLastSection(True)
        self.table.setColumnWidth(1, 150)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table.verticalScrollBar().valueChanged.connect(self._scrolled)

        self.image = ImageView()
        self.image.setMinimumWidth(300)
        self.image.setMinimumHeight(120)  # the camera panel takes room from it on a small screen
        self.legend = OutlineLegend(("marked", "marginal", "unclear", "unmarked"))
        self.detail = QLabel()
        self.detail.setObjectName("sheetDetail")
        shrinkable(self.detail)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.reopen_button = QPushButton()  # the office: a decided ballot back to review
        self.reopen_button.setObjectName("reopenSheet")
        self.reopen_button.clicked.connect(self.reopen_selected)
        self.reopen_button.hide()
        self.review_button = QPushButton()  # a ballot waiting: straight to it in review
        self.review_button.setObjectName("reviewSheet")
        self.review_button.clicked.connect(self.review_selected)
        self.review_button.hide()
        actions = QHBoxLayout()
        actions.addWidget(self.review_button)
        actions.addWidget(self.reopen_button)
        actions.addStretch(1)
        details = QWidget()
        details.setObjectName("sheetDetails")
        dl = QVBoxLayout(details)
        dl.setContentsMargins(0, 0, 4, 0)
        dl.addWidget(self.detail)
        dl.addLayout(actions)
        dl.addWidget(self.legend)
        dl.addStretch(1)
        # what is said of the sheet scrolls on a small screen instead of pushing the window taller
        self.detail_scroll = FitScrollArea()
        self.detail_scroll.setWidget(details)
        self.detail_scroll.setMinimumHeight(60)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.image, 3)
        rl.addWidget(self.detail_scroll, 2)
        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([820, 410])

        # progress -----------------------------------------------------------------
        self.progress = QProgressBar()
        self.progress.setMinimumHeight(28)
        self.progress.setFormat("%v / %m")
        self.progress_label = QLabel()
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("cancelScan")
        self.cancel_button.clicked.connect(self.cancel)
        prow = QHBoxLayout()
        prow.addWidget(self.progress_label)
        prow.addWidget(self.progress, 1)
        prow.addWidget(self.cancel_button)

        top = QFrame()
        top.setObjectName("card")
        tl = QVBoxLayout(top)
        tl.addLayout(source_row)
        tl.addWidget(self.sources)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 12, 24, 12)
        outer.setSpacing(10)
        outer.addWidget(top)
        outer.addLayout(counters)
        outer.addWidget(splitter, 1)
        outer.addLayout(prow)
        # the camera's preview and banner share any room to spare with the list
        self.sources.currentChanged.connect(
            lambda _i: outer.setStretchFactor(top, 1 if self.sources.currentWidget() is self.camera else 0))
        self._set_running(False)
        ctx.sheets.changed.connect(self._sheets_changed)
        self.retranslate()
        self.restore_watch()

    # -- sources ---------------------------------------------------------------
    def add_source(self, key: str, panel: QWidget) -> None:
        """Register an intake source: a toggle in the source row and its panel."""
        b = QPushButton()
        b.setObjectName(f"source_{key}")
        b.setCheckable(True)
        self.source_group.addButton(b)
        self.source_buttons[key] = b
        index = self.sources.addWidget(panel)
        b.toggled.connect(lambda on, i=index: on and self.sources.setCurrentIndex(i))
        self._source_row.insertWidget(self._source_row.count(), b)

    def show_source(self, key: str) -> None:
        self.source_buttons[key].setChecked(True)

    # -- texts -------------------------------------------------------------------
    def retranslate(self) -> None:
        self.source_caption.setText(self.tr("Avots:"))
        self.source_buttons["files"].setText(self.tr("Faili un mapes"))
        self.source_buttons["folder"].setText(self.tr("Skenera mape"))
        self.source_buttons["camera"].setText(self.tr("Kamera"))
        self.add_files_button.setText(self.tr("Pievienot failus…"))
        self.add_folder_button.setText(self.tr("Pievienot mapi…"))
        self.files_note.setText(self.tr("PDF, PNG, JPEG vai TIFF no skenera. Katrs fails tiek nolasīts vienreiz."))
        self.watch_folder_button.setText(self.tr("Mainīt mapi…"))
        self.clear_button.setText(self.tr("Notīrīt sarakstu"))
        self.clear_button.setToolTip(self.tr("Notīra tikai šo sarakstu ekrānā; nolasītie biļeteni paliek saglabāti."))
        self.reopen_button.setText(self.tr("Atvērt pārbaudei no jauna"))
        self.review_button.setText(self.tr("Pārbaudīt šo biļetenu"))
        for b in self.counter_labels.values():
            b.setToolTip(self.tr("Rādīt tikai šīs rindas (vēlreiz: visas)"))
        self.cancel_button.setText(self.tr("Apturēt"))
        self.image.set_placeholder(self.tr("Izvēlieties rindu sarakstā, lai redzētu biļetenu"))
        self.refresh_watch()
        self.refresh_counters()
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(SheetModel.COLUMNS) - 1)
        if self.model.rows:
            self.model.dataChanged.emit(self.model.index(0, 0),
                                        self.model.index(len(self.model.rows) - 1, len(SheetModel.COLUMNS) - 1))
        self._row_changed(self.table.currentIndex(), QModelIndex())

    def column_titles(self) -> list[str]:
        return [self.tr("Nr."), self.tr("Fails"), self.tr("Rezultāts"), self.tr("Iemesls")]

    def status_text(self, status: str) -> str:
        return {
            "counted": self.tr("Ieskaitīts"),
            "review": self.tr("Jāpārbauda"),
            "rejected": self.tr("Noraidīts"),
            "duplicate": self.tr("Dublikāts"),
        }.get(status, status)

    def serial_text(self, serial: str) -> str:
        return self.tr("biļetens Nr. {serial}").format(serial=serial)

    def camera_source_text(self, device: str) -> str:
        return self.tr("Kamera: {device}").format(device=device)

    def reason_text(self, r: Any, state: SheetState | None) -> str:
        """A row's reason in plain words: a reviewer's decision, the sheet a duplicate copies,
        a file read before, or the machine's reason."""
        lang = self.ctx.lang
        parts = []
        if r.repeat:
            parts.append(self.tr("Jau nolasīts agrāk, netiek skaitīts vēlreiz"))
        if state is not None and state.decision == "reject":
            parts.append(self.tr("Pārbaudē noraidīts: {reason}").format(reason=reject_reason_text(state.reason, lang)))
        elif state is not None and state.decision == "confirm":
            parts.append(self.tr("Pārbaudē apstiprināts"))
        elif state is not None and state.decision == "correct":
            parts.append(self.tr("Pārbaudē labots"))
        elif state is not None and state.decision in ("undo", "reopen"):
            parts.append(self.tr("Atkal jāpārbauda"))
        elif state is not None and state.duplicate_of is not None:
            parts.append(self.tr("Šī numura biļetens jau nolasīts: {sheet}").format(sheet=self.original_text(state)))
        elif r.reason:
            parts.append(reason_text(r.reason, lang))
        return " · ".join(parts)

    def original_text(self, state: SheetState) -> str:
        """The sheet a duplicate copies: its file (and page)."""
        if state.original_source is None:
            return "—"
        name = Path(state.original_source).name
        if state.original_source.startswith(CAMERA_SOURCE):
            name = self.camera_source_text(state.original_source[len(CAMERA_SOURCE):])
        return name + (self.tr(", lapa {n}").format(n=state.original_page) if (state.original_page or 1) > 1 else "")

    def refresh_counters(self) -> None:
        names = {
            "counted": self.tr("Ieskaitīti: {n}"),
            "review": self.tr("Jāpārbauda: {n}"),
            "rejected": self.tr("Noraidīti: {n}"),
            "duplicate": self.tr("Dublikāti: {n}"),
        }
        for status, lab in self.counter_labels.items():
            lab.setText(names[status].format(n=self.model.counts[status]))
        self.repeat_label.setText(
            self.tr("Jau nolasīti agrāk: {n}").format(n=self.model.repeats) if self.model.repeats else "")

    def refresh_watch(self) -> None:
        folder = self.ctx.settings()["scan.folder"]
        state = self.watcher.state
        if self.watcher.active and state is not None and not state.ok:
            self.watch_state.setText(self.tr("Skenera mape nav pieejama"))
            self.watch_state.setProperty("level", "error")
        elif self.watcher.active:
            waiting = state.waiting if state is not None else 0
            self.watch_state.setText(self.tr("Skenera mape: vēro") + (
                self.tr(" (gaida: {n})").format(n=waiting) if waiting else ""))
            self.watch_state.setProperty("level", "ok")
        else:
            self.watch_state.setText(self.tr("Skenera mape: nevēro"))
            self.watch_state.setProperty("level", "")
        self.watch_state.style().unpolish(self.watch_state)
        self.watch_state.style().polish(self.watch_state)
        self.watch_button.blockSignals(True)
        self.watch_button.setChecked(self.watcher.active)
        self.watch_button.blockSignals(False)
        if self.watcher.active and state is not None and not state.ok:
            self.watch_button.setText(self.tr("Beigt vērot"))
            self.watch_note.setText(self.tr("Mape {folder} nav pieejama; vērošana turpināsies, kad tā atgriezīsies.")
                                    .format(folder=self.watcher.folder))
            self.watch_note.setProperty("level", "warn")
        elif self.watcher.active:
            self.watch_button.setText(self.tr("Beigt vērot"))
            self.watch_note.setText(self.tr("Vēro mapi {folder}. Jauni faili tiek nolasīti, tiklīdz skeneris tos pabeidzis.")
                                    .format(folder=self.watcher.folder))
            self.watch_note.setProperty("level", "ok")
        elif folder:
            self.watch_button.setText(self.tr("Sākt vērot"))
            self.watch_note.setText(self.tr("Skenera mape: {folder}").format(folder=folder))
            self.watch_note.setProperty("level", "")
        else:
            self.watch_button.setText(self.tr("Sākt vērot"))
            self.watch_note.setText(self.tr("Skenera mape nav izvēlēta: spiediet “Mainīt mapi…”."))
            self.watch_note.setProperty("level", "warn")
        self.watch_button.setEnabled(bool(folder) or self.watcher.active)
        self.watch_note.style().unpolish(self.watch_note)
        self.watch_note.style().polish(self.watch_note)

    # -- choosing input ------------------------------------------------------------
    def file_dialog(self, title: str, *, folders: bool) -> KioskFileDialog | None:
        """Qt's dialog, restricted: the helper moves among the scanner folder and removable
        drives only (the office may browse); None, with a word, where there is nowhere to go."""
        folder = self.ctx.settings()["scan.folder"]
        roots = folder_roots(self.ctx.session, folder)
        if roots == []:
            self.ctx.info(self.tr("Nav mapes, no kuras nolasīt: birojs iestatījumos nav norādījis skenera mapi, "
                                  "un USB zibatmiņa nav pievienota."), Level.WARN)
            return None
        return KioskFileDialog(self, title, folder or (roots[0] if roots else ""), datadir=self.ctx.datadir,
                               roots=roots, folders=folders,
                               filters=self.tr("Skenējumi (*.pdf *.png *.jpg *.jpeg *.tif *.tiff)"))

    def choose_files(self) -> None:  # pragma: no cover - a modal dialog
        dialog = self.file_dialog(self.tr("Skenētie biļeteni"), folders=False)
        if dialog is not None and dialog.exec() and dialog.selectedFiles():
            self.scan(dialog.selectedFiles())

    def choose_folder(self) -> None:  # pragma: no cover - a modal dialog
        dialog = self.file_dialog(self.tr("Mape ar skenētiem biļeteniem"), folders=True)
        if dialog is not None and dialog.exec() and dialog.selectedFiles():
            self.scan(dialog.selectedFiles()[:1])

    def choose_watch_folder(self) -> None:  # pragma: no cover - a modal dialog
        dialog = self.file_dialog(self.tr("Skenera mape"), folders=True)
        if dialog is not None and dialog.exec() and dialog.selectedFiles():
            self.set_watch_folder(dialog.selectedFiles()[0])

    def set_watch_folder(self, folder: str) -> None:
        try:
            self.ctx.update_settings({"scan.folder": folder})
        except Exception as exc:  # noqa: BLE001 - shown plainly
            self.ctx.report(exc)
            return
        if self.watcher.active:
            self.restore_watch()
        self.refresh_watch()

    def restore_watch(self) -> None:
        """Watch the scanner folder when the kiosk's setting says so (at start-up, after a
        restart, after the folder changed): watching belongs to the kiosk, not to a session."""
        on, folder, settle = watch_settings(self.ctx.kiosk.store)
        if on and folder:
            self.watcher.start(folder, settle)
        else:
            self.watcher.stop()
        self.refresh_watch()

    def _watch_toggled(self, on: bool) -> None:
        folder = self.ctx.settings()["scan.folder"]
        if on and folder and not Path(folder).is_dir():
            self._watch_failed(folder)
            self.refresh_watch()
            return
        try:
            self.ctx.update_settings({"scan.watch": "1" if on and folder else "0"})
        except Exception as exc:  # noqa: BLE001 - shown plainly (e.g. the role may not scan)
            self.ctx.report(exc)
        self.restore_watch()

    def _watch_failed(self, folder: str) -> None:
        self.ctx.info(self.tr("Skenera mape {folder} nav pieejama. Pārbaudiet, vai tā eksistē.").format(folder=folder),
                      Level.ERROR)
        self.refresh_watch()

    def _files_ready(self, paths: list[str]) -> None:
        if self.ctx.session is not None:
            self.ctx.activity.emit()  # the helper is feeding the scanner
        self.watch_queue.extend(paths)
        if self.job is None or not self.job.running:
            self._start_next()

    # -- scanning ---------------------------------------------------------------------
    def scan(self, paths: list[str]) -> None:
        """Read these files/folders (queued behind a running scan)."""
        self.queue.extend(str(p) for p in paths)
        if self.job is None or not self.job.running:
            self._start_next()

    def _start_next(self) -> None:
        workers = self.workers or default_workers()
        if self.queue:
            paths, self.queue = self.queue, []
            session = self.ctx.session
            work, name, failed = (lambda wctx: scan_job(wctx, session, paths, workers)), "scan", self.ctx.report
        elif self.watch_queue:
            paths, self.watch_queue = self.watch_queue, []

            def failed(exc: BaseException, paths: list[str] = paths) -> None:
                self.watcher.release(paths)  # offered again at the next check
                self.ctx.report(exc)

            work, name = (lambda wctx: watch_scan_job(wctx, paths, workers)), "watch-scan"
        else:
            return
        self._set_running(True)
        self.progress.setRange(0, 0)
        self.job = self.ctx.runner.run(
            work,
            name=name,
            items=self.add_results,
            progress=self._progress,
            failed=failed,
            finished=self._job_finished,
        )

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress_label.setText(self.tr("Nolasīti {done} no {total}").format(done=done, total=total))

    def _job_finished(self) -> None:
        cancelled = self.job is not None and self.job.is_cancelled
        self.job = None
        if (self.queue or self.watch_queue) and not cancelled:
            self._start_next()
            return
        self._set_running(False)
        c = self.model.counts
        self.ctx.info(self.tr("Nolasīšana pabeigta. Ieskaitīti {c}, jāpārbauda {r}, noraidīti {x}, dublikāti {d}.")
                      .format(c=c["counted"], r=c["review"], x=c["rejected"], d=c["duplicate"]),
                      Level.WARN if cancelled else Level.OK)
        self.ctx.data_changed.emit("review")
        self.scan_finished.emit()

    def cancel(self) -> None:
        self.queue.clear()
        self.watcher.release(self.watch_queue)
        self.watch_queue.clear()
        if self.job is not None:
            self.job.cancel()
        self.cancel_button.setEnabled(False)

    def _set_running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.progress_label.setVisible(running)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)
        if not running:
            self.progress_label.clear()

    @property
    def running(self) -> bool:
        return self.job is not None and self.job.running

    def add_results(self, results: list[Any]) -> None:
        """Append SheetResults from any source (files, folder, camera)."""
        self.ctx.sheets.track(r.sheet_id for r in results)  # their state now (a repeat may be decided already)
        self.model.append(results)
        self.refresh_counters()
        if self.follow:
            self.table.scrollToBottom()
        if any(r.status == "review" for r in results):
            self.ctx.data_changed.emit("sheets")
        self.results_added.emit(len(results))

    def _scrolled(self, value: int) -> None:
        bar = self.table.verticalScrollBar()
        self.follow = value >= bar.maximum() - 2

    def _sheets_changed(self, sheet_ids) -> None:
        self.model.sheets_changed(sheet_ids)
        self.refresh_counters()
        current = self._current_row()
        if current is not None and self.model.rows[current].sheet_id in sheet_ids:
            self._show_detail(current)

    def filter_status(self, status: str | None) -> None:
        """Show only the rows of one outcome (None: all); the counter buttons call it."""
        for st, b in self.counter_labels.items():
            b.blockSignals(True)
            b.setChecked(st == status)
            b.blockSignals(False)
        self.rows_shown.show_only(status)

    def ask_clear_list(self) -> None:
        if not self.model.rows or self.clear_question is not None:
            return
        self.clear_question = ask(
            self, self.tr("Notīrīt sarakstu?"),
            self.tr("Tiks notīrīts tikai saraksts šajā ekrānā. Nolasītie biļeteni paliek saglabāti kioskā un "
                    "tiks eksportēti kā parasti."),
            self.tr("Notīrīt sarakstu"), self.tr("Atcelt"), self.clear_list)
        self.clear_question.finished.connect(self._clear_question_done)

    def _clear_question_done(self, _result: int) -> None:
        self.clear_question = None

    def clear_list(self) -> None:
        n = len(self.model.rows)
        self.filter_status(None)
        self.model.clear()
        self.ctx.sheets.forget()
        self.refresh_counters()
        self.image.set_image(None)
        self.detail.clear()
        self.reopen_button.hide()
        self.review_button.hide()
        if n:
            self.ctx.info(self.tr("Saraksts notīrīts (%n rindas). Nolasītie biļeteni paliek saglabāti.", "", n),
                          Level.OK)

    # -- the selected sheet -------------------------------------------------------------
    def select_row(self, row: int) -> None:
        """Select a row of the list (its number in the whole list, whatever the filter)."""
        shown = self.rows_shown.mapFromSource(self.model.index(row, 0))
        if shown.isValid():
            self.table.selectRow(shown.row())

    def _current_row(self) -> int | None:
        index = self.rows_shown.mapToSource(self.table.currentIndex())
        return index.row() if index.isValid() else None

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        index = self.rows_shown.mapToSource(current) if current.isValid() else QModelIndex()
        if not index.isValid():
            self.detail.clear()
            self.reopen_button.hide()
            self.review_button.hide()
            return
        self._show_detail(index.row(), load_image=True)

    def _show_detail(self, row: int, load_image: bool = False) -> None:
        r = self.model.rows[row]
        state = self.model.state(r)
        lang = self.ctx.lang
        status = self.model.status(r)
        lines = [f"<b>{self.status_text(status)}</b> — {html.escape(Path(r.source).name)}"
                 + (self.tr(", lapa {n}").format(n=r.page) if r.page > 1 else "")
                 + (" — " + self.serial_text(r.serial) if r.serial else "")]
        sheet = self.ctx.kiosk.store.sheet(r.sheet_id) if r.sheet_id is not None else None
        detail = sheet.interpretation.get("detail", "") if sheet else ""
        decided = self.reason_text(r, state) if state is not None and state.decision else ""
        if decided:
            lines.append("• " + html.escape(decided))
        for code in r.reasons:
            lines.append("• " + html.escape(reason_text(code, lang, detail)))
        if state is not None and state.duplicate_of is not None:
            lines.append(html.escape(self.duplicate_text(sheet, state)))
        if r.selections:
            for q, opts in r.selections.items():
                lines.append(f"{html.escape(q)}: <b>{html.escape(', '.join(opts)) if opts else '—'}</b>")
        self.detail.setText("<br>".join(lines))
        self.reopen_button.setVisible(state is not None and state.reopenable and self.ctx.may(Action.REOPEN))
        self.review_button.setVisible(state is not None and state.pending and self.ctx.may(Action.REVIEW))
        if not load_image:
            return
        image = self.ctx.kiosk.store.image(sheet.image_sha256) if sheet else None
        if image is None:
            self.image.set_image(None)
            self.image.set_placeholder(self.tr("Šai rindai attēla nav"))
            return
        boxes = boxes_for(sheet.interpretation, all_labels=False)
        self.ctx.runner.run(load_image_job(image["path"], sheet.page), name="image", key="intake-image",
                            done=lambda img, b=boxes: self.image.set_image(img, b),
                            failed=lambda exc: self.image.set_image(None))

    def duplicate_text(self, sheet, state: SheetState) -> str:
        """Which sheet a duplicate copies, and whether their marks agree."""
        original = self.ctx.kiosk.store.sheet(state.duplicate_of)
        same = original is not None and sheet is not None and (original.selections or {}) == (sheet.selections or {})
        text = self.tr("Kopija no: {sheet}.").format(sheet=self.original_text(state))
        if original is not None and sheet is not None:
            text += " " + (self.tr("Atzīmes abās lapās sakrīt.") if same else
                           self.tr("Atzīmes atšķiras: skaitās tikai pirmā lapa."))
        return text

    def reopen_selected(self) -> None:
        """The office: the selected ballot goes back to review (it was decided, not exported)."""
        row = self._current_row()
        if row is None:
            return
        sheet_id = self.model.rows[row].sheet_id
        try:
            SignedIn(self.ctx.kiosk, self.ctx.session).review().reopen(sheet_id)
        except KioskError as exc:
            self.ctx.report(exc)
            return
        self.ctx.sheets.refresh({sheet_id})
        self.ctx.data_changed.emit("review")
        self.ctx.info(self.tr("Biļetens atkal gaida pārbaudi (“Pārbaudīt”)."), Level.OK)

    def review_selected(self) -> None:
        row = self._current_row()
        window = self.window()
        if row is None or not hasattr(window, "show_mode"):
            return
        sheet_id = self.model.rows[row].sheet_id
        if window.show_mode(Mode.REVIEW):
            window.screen(Mode.REVIEW).show_sheet(sheet_id)

    # -- screen hooks -------------------------------------------------------------
    def on_show(self) -> None:
        self.refresh_watch()

    def on_close(self) -> None:
        self.watcher.stop()  # the setting stays: the next start watches again

    def on_session(self, session: Session | None) -> None:
        # the scanner folder stays watched across sign-out (a kiosk setting); the camera does not
        if session is None:
            self.camera.shutdown()  # the camera and its analyser stop; nothing more is stored
