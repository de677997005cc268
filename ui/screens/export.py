"""Office: signed batches for the central office.

A batch holds every ballot decided since the previous batch (counted by the
machine or decided by a reviewer), signed with this kiosk's key and chained
to the previous batch (``kiosk.batches.export``).  Ballots still waiting for review
are not in it; the screen says how many and offers the review.  An empty batch is
not made.  The result says what to do with the two files written.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QUrl,
)
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kiosk.access.roles import Action, Session
from kiosk.batches.export import ExportResult
from kiosk.session import SignedIn

from ..context import AppContext, Level
from ..dialogs import KioskFileDialog
from ..widgets import ElidedLabel, WrapButton, shrinkable
from ..worker import WorkContext
from . import Mode, Screen


def export_job(ctx: WorkContext, session: Session | None, out_dir: str, images: bool) -> ExportResult:
    """Worker: write, sign and record the next batch."""
    office = SignedIn(ctx.kiosk, session)
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    return office.export_batch(out_dir, images=images, progress=ctx.progress)


class BatchModel(QAbstractTableModel):
    COLUMNS = ("number", "created", "counted", "rejected", "pending", "path")

    def __init__(self, screen: "ExportScreen") -> None:
        super().__init__(screen)
        self.screen = screen
        self.rows: list[dict] = []

    def set_rows(self, rows: list[dict]) -> None:
        self.beginResetModel()
        self.rows = list(reversed(rows))  # newest first
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.screen.column_titles()[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        b = self.rows[index.row()]
        col = self.COLUMNS[index.column()]
        if col == "number":
            return b["number"]
        if col == "created":
            return self.screen.local_time(b["created_at"])
        if col == "path":
            return b["path"]
        return b[col]


class ExportScreen(Screen):
    mode = Mode.EXPORT
    action = Action.EXPORT

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.job = None
        self.last_result = None

        self.summary_caption = QLabel()
        self.summary_caption.setObjectName("sectionTitle")
        self.ready_label = QLabel()
        self.ready_label.setObjectName("bigNumber")
        self.ready_detail = QLabel()
        shrinkable(self.ready_detail)
        self.pending_note = QLabel()
        self.pending_note.setObjectName("note")
        shrinkable(self.pending_note)
        self.review_button = QPushButton()
        self.review_button.clicked.connect(lambda: self.window().show_mode(Mode.REVIEW))

        self.folder_caption = QLabel()
        self.folder_label = ElidedLabel(mode=Qt.TextElideMode.ElideMiddle)  # a long path: its middle gives way
        self.folder_button = QPushButton()
        self.folder_button.clicked.connect(self.choose_folder)
        self.open_folder_button = QPushButton()
        self.open_folder_button.clicked.connect(self.open_folder)
        self.images_check = QCheckBox()
        self.images_check.toggled.connect(self._images_toggled)

        self.open_url = QDesktopServices.openUrl  # the desktop's file manager (replaceable in tests)
        self.summary: dict[str, int] = {}
        self.export_button = WrapButton(kind="hero")
        self.export_button.setObjectName("exportBatch")
        self.export_button.set_min_height(96)
        self.export_button.clicked.connect(self.start_export)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setVisible(False)
        self.result_label = QLabel()
        self.result_label.setObjectName("note")
        shrinkable(self.result_label)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.history_caption = QLabel()
        self.history_caption.setObjectName("sectionTitle")
        self.model = BatchModel(self)
        self.table = QTableView()
        self.table.setObjectName("batchTable")
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((60, 170, 120, 120, 190)):
            self.table.setColumnWidth(col, width)

        card = QFrame()
        card.setObjectName("card")
        g = QGridLayout(card)
        g.addWidget(self.summary_caption, 0, 0, 1, 2)
        g.addWidget(self.ready_label, 1, 0)
        g.addWidget(self.ready_detail, 1, 1)
        g.addWidget(self.pending_note, 2, 0, 1, 2)
        g.addWidget(self.review_button, 3, 0)
        g.setColumnStretch(1, 1)
        out = QFrame()
        out.setObjectName("card")
        og = QGridLayout(out)
        og.addWidget(self.folder_caption, 0, 0, 1, 3)
        og.addWidget(self.folder_label, 1, 0, 1, 3)
        og.addWidget(self.folder_button, 2, 0)
        og.addWidget(self.open_folder_button, 2, 1)
        og.setColumnStretch(2, 1)
        og.addWidget(self.images_check, 3, 0, 1, 3)
        left = QVBoxLayout()
        left.addWidget(card)
        left.addWidget(out)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self.export_button)
        right.addWidget(self.progress)
        right.addWidget(self.result_label)
        right.addStretch(1)
        top = QHBoxLayout()
        top.setSpacing(24)
        top.addLayout(left, 1)
        top.addLayout(right, 1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 16, 24, 16)
        outer.addLayout(top)
        outer.addWidget(self.history_caption)
        outer.addWidget(self.table, 1)
        self.retranslate()

    # -- texts --------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.summary_caption.setText(self.tr("Gatavi nākamajai partijai"))
        self.review_button.setText(self.tr("Atvērt pārbaudi"))
        self.folder_caption.setText(self.tr("Partiju mape"))
        self.folder_button.setText(self.tr("Mainīt mapi…"))
        self.open_folder_button.setText(self.tr("Atvērt mapi"))
        self.images_check.setText(self.tr("Iekļaut partijā skenētos attēlus (lielāks fails)"))
        self.export_button.setText(self.tr("Izveidot parakstītu partiju"))
        self.history_caption.setText(self.tr("Iepriekšējās partijas"))
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(BatchModel.COLUMNS) - 1)
        if self.last_result is not None:
            self.result_label.setText(self.result_text(self.last_result))
        if self.ctx.session is not None and self.ctx.session.may(Action.EXPORT):
            self.refresh()

    def result_text(self, result) -> str:
        """What was written, and what to do with it, in plain words."""
        return self.tr(
            "Partija Nr. {n} izveidota un parakstīta: ieskaitīti {c}, noraidīti {r}.\n"
            "Nosūtiet centrālajam birojam partiju “{file}” no mapes {folder}. Partijā ir iestādes "
            "apliecinājums, ka tā ir no šī kioska; kioska atslēgas failu “{key}” sūtiet tikai tad, "
            "ja birojs to lūdz."
        ).format(n=result.batch, c=result.counted, r=result.rejected, folder=Path(result.path).parent,
                 file=Path(result.path).name, key=Path(result.public_key).name)

    def column_titles(self) -> list[str]:
        return [self.tr("Nr."), self.tr("Izveidota"), self.tr("Ieskaitīti"), self.tr("Noraidīti"),
                self.tr("Gaidīja pārbaudi"), self.tr("Fails")]

    @staticmethod
    def local_time(iso: str) -> str:
        import datetime as dt

        try:
            return dt.datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return iso

    # -- state -------------------------------------------------------------------------------
    def out_dir(self) -> str:
        return self.ctx.settings()["export.dir"] or str(self.ctx.datadir.exports)

    def refresh(self) -> None:
        office = SignedIn(self.ctx.kiosk, self.ctx.session)
        summary = office.export_summary()
        self.summary = summary
        self.ready_label.setText(str(summary["ready"]))
        self.ready_detail.setText(self.tr("Ieskaitīti: {c} · Noraidīti: {r} · Jau eksportēti agrāk: {e}")
                                  .format(c=summary["counted"], r=summary["rejected"], e=summary["exported"]))
        if summary["in_review"]:
            self.pending_note.setText(self.tr(
                "Uzmanību: vēl gaida pārbaudi: {n}. Šie biļeteni netiks iekļauti šajā partijā, "
                "bet nonāks nākamajā, kad būs pārbaudīti.").format(n=summary["in_review"]))
            self.pending_note.setProperty("level", "warn")
            self.review_button.setVisible(True)
        elif summary["ready"] == 0:
            self.pending_note.setText(self.tr("Kopš pēdējās partijas nav jaunu biļetenu: jaunu partiju "
                                              "izveidot nevar, jo tā būtu tukša."))
            self.pending_note.setProperty("level", "warn")
            self.review_button.setVisible(False)
        else:
            self.pending_note.setText(self.tr("Visi nolasītie biļeteni ir izlemti."))
            self.pending_note.setProperty("level", "ok")
            self.review_button.setVisible(False)
        self.pending_note.style().unpolish(self.pending_note)
        self.pending_note.style().polish(self.pending_note)
        self.folder_label.setText(self.out_dir())
        self.images_check.blockSignals(True)
        self.images_check.setChecked(self.ctx.settings()["export.images"] == "1")
        self.images_check.blockSignals(False)
        self.model.set_rows(office.batches())
        self.export_button.setEnabled(summary["ready"] > 0 and not (self.job is not None and self.job.running))

    def on_show(self) -> None:
        self.refresh()

    # -- actions ----------------------------------------------------------------------------
    def _images_toggled(self, on: bool) -> None:
        try:
            self.ctx.update_settings({"export.images": "1" if on else "0"})
        except Exception as exc:  # noqa: BLE001 - shown plainly
            self.ctx.report(exc)

    def choose_folder(self) -> None:  # pragma: no cover - a modal dialog
        dialog = KioskFileDialog(self, self.tr("Partiju mape"), self.out_dir(), datadir=self.ctx.datadir)
        if dialog.exec() and dialog.selectedFiles():
            self.set_folder(dialog.selectedFiles()[0])

    def set_folder(self, folder: str) -> None:
        try:
            self.ctx.update_settings({"export.dir": folder})
        except Exception as exc:  # noqa: BLE001 - shown plainly
            self.ctx.report(exc)
        self.refresh()

    def open_folder(self) -> None:
        """The batch folder in the desktop's file manager; where there is none, say where it is."""
        folder = Path(self.out_dir())
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.ctx.info(self.tr("Partiju mapi {folder} nevar izveidot: {error}").format(
                folder=folder, error=exc.strerror or exc), Level.ERROR)
            return
        if not self.open_url(QUrl.fromLocalFile(str(folder))):
            self.ctx.info(self.tr("Failu pārvaldnieks šajā datorā nav atrasts. Partijas ir mapē {folder}: "
                                  "nokopējiet tās no turienes (piemēram, uz USB zibatmiņu).").format(folder=folder),
                          Level.WARN)

    def start_export(self) -> None:
        if self.job is not None and self.job.running:
            return
        self.refresh()
        if self.summary.get("ready", 0) == 0:
            self.ctx.info(self.tr("Partija netika izveidota: kopš pēdējās partijas nav jaunu biļetenu."), Level.WARN)
            return
        session, out_dir = self.ctx.session, self.out_dir()
        images = self.images_check.isChecked()
        self.export_button.setEnabled(False)
        self.progress.setRange(0, 0)  # busy until the first count arrives
        self.progress.setVisible(True)
        self.result_label.setText(self.tr("Partija tiek veidota un parakstīta…"))
        self.result_label.setProperty("level", "")
        self.job = self.ctx.runner.run(
            lambda wctx: export_job(wctx, session, out_dir, images),
            name="export",
            done=self._exported,
            failed=self._failed,
            finished=self._finished,
            progress=self._progress,
        )

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _exported(self, result) -> None:
        self.last_result = result
        self.result_label.setText(self.result_text(result))
        self.result_label.setProperty("level", "ok")
        self.ctx.info(self.tr("Partija Nr. {n} izveidota.").format(n=result.batch), Level.OK)
        if result.pending:
            self.ctx.info(self.tr("Partija Nr. {n} izveidota. Vēl gaida pārbaudi: {p}.")
                          .format(n=result.batch, p=result.pending), Level.WARN)
        self.ctx.data_changed.emit("export")

    def _failed(self, exc) -> None:
        self.last_result = None
        self.result_label.clear()
        self.ctx.report(exc)

    def _finished(self) -> None:
        self.export_button.setEnabled(True)
        self.progress.setVisible(False)
        self.result_label.style().unpolish(self.result_label)
        self.result_label.style().polish(self.result_label)
        if self.ctx.session is not None and self.ctx.session.may(Action.EXPORT):
            self.refresh()
