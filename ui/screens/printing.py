"""Front desk: one large button prints one ballot; a stack prints many.

Printing goes through the core's ``kiosk.issuing.jobs.print_ballots``: onto a CUPS
printer (``lp``; the printer is chosen from Qt's printer list or the print
dialog) or, when no printer is chosen, into a PDF file in a folder ("save
as PDF").  The serials are recorded atomically with the job; a failed or
cancelled job voids them and the message says how many.  The preview is a
specimen (its QR code says PARAUGS, it is never a valid ballot) rendered
with pypdfium2.
"""
from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from kiosk.access.roles import Action
from kiosk.session import SignedIn

from ..context import Level
from ..widgets import ImageView, pil_to_qimage, shrinkable
from . import Mode, Screen

SPECIMEN = "PARAUGS"
STACK_MAX = 1000


def unique_pdf_path(folder: Path, count: int, now: dt.datetime | None = None) -> Path:
    now = now or dt.datetime.now()
    base = f"biletens-{now:%Y%m%d-%H%M%S}" if count == 1 else f"biletenti-{count}-{now:%Y%m%d-%H%M%S}"
    path = folder / f"{base}.pdf"
    n = 2
    while path.exists():
        path = folder / f"{base}-{n}.pdf"
        n += 1
    return path


def print_job(ctx, session, count: int, printer: str, pdf_dir: str, clock: Callable[[], float] = time.time):
    """Worker: issue and print ``count`` ballots; returns (PrintResult, printed today).

    "Today" is the day of ``clock`` (the application's clock, ``AppContext.clock``), as
    on the screen."""
    desk = SignedIn(ctx.kiosk, session)
    desk.require(Action.PRINT)
    if printer:
        result = desk.print_ballots(count, printer=printer, progress=ctx.progress, cancelled=ctx.cancelled)
    else:
        folder = Path(pdf_dir)
        folder.mkdir(parents=True, exist_ok=True)
        result = desk.print_ballots(count, out=unique_pdf_path(folder, count), progress=ctx.progress,
                                    cancelled=ctx.cancelled)
    return result, desk.printed_today(clock())


def render_pdf_page(pdf: Path, page: int = 0, width_px: int = 900):
    """Page ``page`` of a PDF as a PIL image ``width_px`` wide (through the core,
    which serialises PDFium: it is not thread-safe)."""
    from kiosk.reading.imaging import render_pdf_page as render

    return render(pdf, page, width_px=width_px)


def specimen_job(ctx):
    """Worker: the ballot's specimen as a QImage."""
    from kiosk.ballot.pdf import write_pdf

    spec = ctx.kiosk.layout()
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "specimen.pdf"
        write_pdf(spec, [(SPECIMEN, SPECIMEN)], pdf)
        return pil_to_qimage(render_pdf_page(pdf, 0, 900))


def available_printers() -> list[str]:
    from PySide6.QtPrintSupport import QPrinterInfo

    return list(QPrinterInfo.availablePrinterNames())


class PrintScreen(Screen):
    mode = Mode.PRINT
    action = Action.PRINT

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.job = None
        self.printers_provider = available_printers

        self.print_one_button = QPushButton()
        self.print_one_button.setObjectName("printOne")
        self.print_one_button.setProperty("kind", "hero")
        self.print_one_button.setMinimumHeight(150)
        self.print_one_button.clicked.connect(lambda: self.start_print(1))

        self.today_caption = QLabel()
        self.today_caption.setObjectName("caption")
        self.today_value = QLabel("0")
        self.today_value.setObjectName("bigNumber")

        # where ballots go
        self.target_caption = QLabel()
        self.target_caption.setObjectName("sectionTitle")
        self.target_combo = QComboBox()
        self.target_combo.setObjectName("targetCombo")
        self.target_combo.setMinimumHeight(48)
        self.target_combo.activated.connect(self._target_chosen)
        self.dialog_button = QPushButton()
        self.dialog_button.clicked.connect(self.choose_printer_dialog)
        self.folder_button = QPushButton()
        self.folder_button.clicked.connect(self.choose_pdf_folder)
        self.target_note = QLabel()
        self.target_note.setObjectName("note")
        shrinkable(self.target_note)
        self.target_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        # a stack
        self.stack_caption = QLabel()
        self.stack_caption.setObjectName("sectionTitle")
        self.stack_count = QSpinBox()
        self.stack_count.setObjectName("stackCount")
        self.stack_count.setRange(2, STACK_MAX)
        self.stack_count.setValue(50)
        self.stack_count.setMinimumHeight(48)
        self.stack_count.setMinimumWidth(120)
        self.stack_button = QPushButton()
        self.stack_button.setObjectName("printStack")
        self.stack_button.setMinimumHeight(48)
        self.stack_button.clicked.connect(lambda: self.start_print(self.stack_count.value()))
        self.progress = QProgressBar()
        self.progress.setMinimumHeight(28)
        self.progress.setFormat("%v / %m")
        self.progress.setVisible(False)
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("cancelPrint")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel)

        self.preview_caption = QLabel()
        self.preview_caption.setObjectName("sectionTitle")
        self.preview = ImageView()
        self.preview.setMinimumWidth(380)

        left = QVBoxLayout()
        left.setSpacing(12)
        left.addWidget(self.print_one_button)
        today = QHBoxLayout()
        today.addWidget(self.today_caption)
        today.addWidget(self.today_value)
        today.addStretch(1)
        left.addLayout(today)
        target = QFrame()
        target.setObjectName("card")
        tg = QGridLayout(target)
        tg.addWidget(self.target_caption, 0, 0, 1, 3)
        tg.addWidget(self.target_combo, 1, 0, 1, 3)
        tg.addWidget(self.dialog_button, 2, 0)
        tg.addWidget(self.folder_button, 2, 1)
        tg.setColumnStretch(2, 1)
        tg.addWidget(self.target_note, 3, 0, 1, 3)
        left.addWidget(target)
        stack = QFrame()
        stack.setObjectName("card")
        sg = QGridLayout(stack)
        sg.addWidget(self.stack_caption, 0, 0, 1, 3)
        sg.addWidget(self.stack_count, 1, 0)
        sg.addWidget(self.stack_button, 1, 1)
        sg.setColumnStretch(2, 1)
        sg.addWidget(self.progress, 2, 0, 1, 2)
        sg.addWidget(self.cancel_button, 2, 2)
        left.addWidget(stack)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self.preview_caption)
        right.addWidget(self.preview, 1)
        row = QHBoxLayout(self)
        row.setContentsMargins(24, 16, 24, 16)
        row.setSpacing(24)
        row.addLayout(left, 3)
        row.addLayout(right, 2)
        self.retranslate()

    # -- texts -------------------------------------------------------------
    def retranslate(self) -> None:
        self.print_one_button.setText(self.tr("Drukāt vienu biļetenu"))
        self.today_caption.setText(self.tr("Šodien izsniegti biļeteni:"))
        self.target_caption.setText(self.tr("Kur drukāt"))
        self.dialog_button.setText(self.tr("Printera dialogs…"))
        self.folder_button.setText(self.tr("PDF mape…"))
        self.stack_caption.setText(self.tr("Vairāki biļeteni uzreiz"))
        self.stack_count.setSuffix(self.tr(" gab."))
        self.stack_button.setText(self.tr("Drukāt kaudzi"))
        self.cancel_button.setText(self.tr("Atcelt"))
        self.preview_caption.setText(self.tr("Biļetena paraugs"))
        self.preview.set_placeholder(self.tr("Paraugs tiek sagatavots…"))
        self.refresh_target()

    # -- state ---------------------------------------------------------------
    def settings(self) -> tuple[str, str]:
        s = self.ctx.settings()
        return s["print.printer"], s["print.pdf_dir"] or str(self.ctx.datadir.pdf)

    def refresh_target(self) -> None:
        printer, pdf_dir = self.settings()
        printers = self.printers_provider()
        self.target_combo.blockSignals(True)
        self.target_combo.clear()
        self.target_combo.addItem(self.tr("PDF fails (bez printera)"), "")
        for name in printers:
            self.target_combo.addItem(self.tr("Printeris: {name}").format(name=name), name)
        if printer and printer not in printers:
            self.target_combo.addItem(self.tr("Printeris: {name} (nav pieejams)").format(name=printer), printer)
        self.target_combo.setCurrentIndex(max(0, self.target_combo.findData(printer)))
        self.target_combo.blockSignals(False)
        if printer and printer in printers:
            self.target_note.setText(self.tr("Biļeteni tiek drukāti printerī “{name}”.").format(name=printer))
            self.target_note.setProperty("level", "ok")
        elif printer:
            self.target_note.setText(self.tr(
                "Printeris “{name}” šobrīd nav pieejams. Pārbaudiet, vai tas ir ieslēgts, "
                "vai izvēlieties “PDF fails” un drukājiet PDF failu vēlāk."
            ).format(name=printer))
            self.target_note.setProperty("level", "warn")
        elif not printers:
            self.target_note.setText(self.tr(
                "Printeris nav pievienots. Biļeteni tiek saglabāti PDF failā mapē:\n{folder}"
            ).format(folder=pdf_dir))
            self.target_note.setProperty("level", "warn")
        else:
            self.target_note.setText(self.tr(
                "Printeris nav izvēlēts. Biļeteni tiek saglabāti PDF failā mapē:\n{folder}"
            ).format(folder=pdf_dir))
            self.target_note.setProperty("level", "warn")
        self.target_note.style().unpolish(self.target_note)
        self.target_note.style().polish(self.target_note)
        self.folder_button.setEnabled(not printer)

    def refresh_today(self) -> None:
        """Ballots printed since midnight of the application's clock (``AppContext.clock``)."""
        self.today_value.setText(str(SignedIn(self.ctx.kiosk, self.ctx.session).printed_today(self.ctx.clock())))

    def on_show(self) -> None:
        self.refresh_target()
        self.refresh_today()
        if self.preview.image is None:
            self.ctx.runner.run(specimen_job, name="preview", key="print-preview",
                                done=lambda img: self.preview.set_image(img))

    # -- actions -------------------------------------------------------------
    def _target_chosen(self, index: int) -> None:
        try:
            self.ctx.update_settings({"print.printer": self.target_combo.itemData(index) or ""})
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.ctx.report(exc)
        self.refresh_target()

    def choose_printer_dialog(self) -> None:  # pragma: no cover - a modal system dialog
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter()
        current, _ = self.settings()
        if current:
            printer.setPrinterName(current)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() and printer.outputFormat() == QPrinter.OutputFormat.NativeFormat and printer.printerName():
            try:
                self.ctx.update_settings({"print.printer": printer.printerName()})
            except Exception as exc:  # noqa: BLE001
                self.ctx.report(exc)
        self.refresh_target()

    def choose_pdf_folder(self) -> None:  # pragma: no cover - a modal system dialog
        _printer, folder = self.settings()
        chosen = QFileDialog.getExistingDirectory(self, self.tr("Mape PDF failiem"), folder)
        if chosen:
            try:
                self.ctx.update_settings({"print.pdf_dir": chosen})
            except Exception as exc:  # noqa: BLE001
                self.ctx.report(exc)
        self.refresh_target()

    def set_busy(self, busy: bool, count: int = 0) -> None:
        self.print_one_button.setEnabled(not busy)
        self.stack_button.setEnabled(not busy)
        self.stack_count.setEnabled(not busy)
        self.target_combo.setEnabled(not busy)
        self.progress.setVisible(busy and count > 1)
        self.cancel_button.setVisible(busy and count > 1)
        self.cancel_button.setEnabled(busy)
        if busy:
            self.progress.setRange(0, count)
            self.progress.setValue(0)

    def start_print(self, count: int) -> None:
        if self.job is not None and self.job.running:
            return
        printer, pdf_dir = self.settings()
        self.set_busy(True, count)
        session, clock = self.ctx.session, self.ctx.clock
        self.job = self.ctx.runner.run(
            lambda wctx: print_job(wctx, session, count, printer, pdf_dir, clock),
            name="print",
            progress=lambda done, total: self.progress.setValue(done),
            done=self._printed,
            failed=self._failed,
            finished=lambda: self.set_busy(False),
        )

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.cancel_button.setEnabled(False)

    def _printed(self, outcome) -> None:
        result, today = outcome
        self.today_value.setText(str(today))
        if result.target.startswith("printer:"):
            where = self.tr("printerī “{name}”").format(name=result.target.split(":", 1)[1])
        else:
            where = self.tr("failā {path}").format(path=result.target)
        if result.count == 1:
            text = self.tr("Biļetens izdrukāts {where}.").format(where=where)
        else:
            text = self.tr("Biļeteni izdrukāti: {n}, {where}.").format(n=result.count, where=where)
        self.ctx.info(text, Level.OK)
        self.ctx.data_changed.emit("printed")

    def _failed(self, exc) -> None:
        self.ctx.report(exc)
        self.refresh_today()
        self.ctx.data_changed.emit("printed")
