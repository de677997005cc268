"""Front desk: one large button prints one ballot; a stack prints many.

Printing goes through the core's ``kiosk.issuing.jobs.print_ballots``: onto a
printer through the context's spooler (CUPS, each job followed until the
printer finished it; Qt's printing where there is no CUPS: ``ui.qtprint``) or,
when no printer is chosen, into a PDF file in a folder ("save as PDF").  The
chosen printer's state (ready, printing, stopped with its reason) is shown and
refreshed in the background; a stopped printer is refused by the core before
any serial is issued.  While the printer works the screen says "waiting for
the printer" and offers a cancel button.  A failed or cancelled job voids its
serials and the message says why and how many.  When the spooler keeps copies
of finished jobs, the screen warns.  The preview is a specimen (its QR code
says PARAUGS, it is never a valid ballot) rendered with pypdfium2.

A stack larger than ``STACK_MAX`` is refused with a word (the count is never cut
silently), a large one (``LARGE_STACK``) is printed after a question, and outside
the campaign's voting period the screen says so and asks before printing.  The PDF
folder is chosen among preset folders only (``ui.dialogs``).
"""
from __future__ import annotations

import datetime as dt
import functools
import secrets
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QComboBox,
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

from kiosk.access.roles import Action, Session
from kiosk.errors import KioskError
from kiosk.issuing.jobs import PrintResult, spooler_keeps_files
from kiosk.session import SignedIn

from ..context import AppContext, Level
from ..dialogs import KioskFileDialog, folder_roots, print_dialog
from ..widgets import FitScrollArea, ImageView, WrapButton, ask, pil_to_qimage, shrinkable
from ..worker import WorkContext
from . import Mode, Screen

SPECIMEN = "PARAUGS"
STACK_MAX = 1000
STACK_TYPED_MAX = 9999  # what the count field takes, so that a larger number is refused with a word, not cut
LARGE_STACK = 100  # from this many ballots on, the front desk is asked first
STATE_REFRESH_MS = 5000  # how often the chosen printer's state is asked while the screen shows


def unique_pdf_path(folder: Path, count: int) -> Path:
    """A new file name that tells nothing of when or in which order it was printed (a random part)."""
    while True:
        token = secrets.token_hex(3)
        base = f"biletens-{token}" if count == 1 else f"bileteni-{count}-{token}"
        path = folder / f"{base}.pdf"
        if not path.exists():
            return path


def print_job(ctx: WorkContext, session: Session | None, count: int, printer: str, pdf_dir: str, spooler=None,
              paper: str = "", tray: str = "", clock: Callable[[], float] = time.time) -> tuple[PrintResult, int]:
    """Worker: issue and print ``count`` ballots; returns (PrintResult, printed today).
    Its phases (drawing, sending, waiting for the printer) arrive as ("phase", name) items.

    "Today" is the day of ``clock`` (the application's clock, ``AppContext.clock``), as
    on the screen."""
    desk = SignedIn(ctx.kiosk, session)
    desk.require(Action.PRINT)
    if printer:
        result = desk.print_ballots(count, printer=printer, spooler=spooler, paper=paper, tray=tray,
                                    progress=ctx.progress, cancelled=ctx.cancelled,
                                    phase=functools.partial(report_phase, ctx))
    else:
        folder = Path(pdf_dir)
        folder.mkdir(parents=True, exist_ok=True)
        result = desk.print_ballots(count, out=unique_pdf_path(folder, count), progress=ctx.progress,
                                    cancelled=ctx.cancelled)
    return result, desk.printed_today(clock())


def report_phase(ctx, name: str) -> None:
    """Worker: tell the screen the job's phase now, not with the next item (a printer may take long)."""
    ctx.emit(("phase", name))
    ctx.flush()


def render_pdf_page(pdf: Path, page: int = 0, width_px: int = 900):
    """Page ``page`` of a PDF as a PIL image ``width_px`` wide (through the core,
    which serialises PDFium: it is not thread-safe)."""
    from kiosk.reading.imaging import render_pdf_page as render

    return render(pdf, page, width_px=width_px)


def specimen_job(ctx: WorkContext) -> QImage:
    """Worker: the ballot's specimen as a QImage."""
    from kiosk.ballot.pdf import write_pdf

    spec = ctx.kiosk.layout()
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "specimen.pdf"
        write_pdf(spec, [(SPECIMEN, SPECIMEN)], pdf)
        return pil_to_qimage(render_pdf_page(pdf, 0, 900))


def printer_state_job(printers_provider, spooler, printer: str):
    """Worker: the printers on offer, the chosen one's state, whether the spooler keeps finished jobs' files."""
    def run(ctx):
        return printers_provider(), spooler.status(printer), spooler_keeps_files(ctx.kiosk)
    return run


def available_printers(spooler=None) -> list[str]:
    """The printers the spooler offers ([] when it cannot be reached)."""
    from ui.qtprint import ui_spooler

    try:
        return (spooler or ui_spooler()).printers()
    except KioskError:
        return []


class PrintScreen(Screen):
    mode = Mode.PRINT
    action = Action.PRINT

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.job = None
        self.spooler = ctx.spooler
        self.printers_provider = lambda: available_printers(self.spooler)
        self.printer_status = None      # the chosen printer's last known PrinterStatus
        self.status_error = None        # or why it could not be asked (a KioskError)
        self.keeps_files = None         # the spooler kept the last job's files (None: not known)
        self.state_job = None
        self._state_seq = 0
        self.state_timer = QTimer(self)
        self.state_timer.setInterval(STATE_REFRESH_MS)
        self.state_timer.timeout.connect(self._tick)

        self.print_one_button = WrapButton(kind="hero")
        self.print_one_button.setObjectName("printOne")
        self.print_one_button.set_min_height(100)
        self.print_one_button.clicked.connect(lambda: self.ask_print(1))

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
        self.delete_pdf_button = QPushButton()  # the last PDF file printed, once it is on paper
        self.delete_pdf_button.setObjectName("deletePdf")
        self.delete_pdf_button.setVisible(False)
        self.delete_pdf_button.clicked.connect(self.delete_last_pdf)
        self.last_pdf: Path | None = None
        self.folder_button = QPushButton()
        self.folder_button.clicked.connect(self.choose_pdf_folder)
        self.target_note = QLabel()
        self.target_note.setObjectName("note")
        shrinkable(self.target_note)
        self.target_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.spooler_note = QLabel()
        self.spooler_note.setObjectName("note")
        self.spooler_note.setProperty("level", "warn")
        self.spooler_note.setVisible(False)
        shrinkable(self.spooler_note)

        # a stack
        self.stack_caption = QLabel()
        self.stack_caption.setObjectName("sectionTitle")
        self.stack_count = QSpinBox()
        self.stack_count.setObjectName("stackCount")
        self.stack_count.setRange(2, STACK_TYPED_MAX)
        self.stack_count.setValue(50)
        self.stack_count.setMinimumHeight(48)
        self.stack_count.setMinimumWidth(120)
        self.stack_count.valueChanged.connect(lambda _n: self.refresh_stack())
        self.stack_button = QPushButton()
        self.stack_button.setObjectName("printStack")
        self.stack_button.setMinimumHeight(48)
        self.stack_button.clicked.connect(lambda: self.ask_print(self.stack_count.value()))
        self.stack_note = QLabel()
        self.stack_note.setObjectName("note")
        self.stack_note.setProperty("level", "warn")
        self.stack_note.setVisible(False)
        shrinkable(self.stack_note)
        self.period_note = QLabel()
        self.period_note.setObjectName("note")
        self.period_note.setProperty("level", "warn")
        self.period_note.setVisible(False)
        shrinkable(self.period_note)
        self.question = None  # an open question before printing (tests answer it)
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

        left_page = QWidget()
        left_page.setObjectName("printControls")
        left = QVBoxLayout(left_page)
        left.setContentsMargins(0, 0, 8, 0)
        left.setSpacing(10)
        left.addWidget(self.print_one_button)
        left.addWidget(self.period_note)
        target = QFrame()
        target.setObjectName("card")
        tg = QGridLayout(target)
        tg.addWidget(self.target_caption, 0, 0, 1, 3)
        tg.addWidget(self.target_combo, 1, 0, 1, 3)
        tg.addWidget(self.dialog_button, 2, 0)
        tg.addWidget(self.folder_button, 2, 1)
        tg.addWidget(self.delete_pdf_button, 2, 2)
        tg.setColumnStretch(2, 1)
        tg.addWidget(self.target_note, 3, 0, 1, 3)
        tg.addWidget(self.spooler_note, 4, 0, 1, 3)
        left.addWidget(target)
        stack = QFrame()
        stack.setObjectName("card")
        sg = QGridLayout(stack)
        sg.addWidget(self.stack_caption, 0, 0, 1, 3)
        sg.addWidget(self.stack_count, 1, 0)
        sg.addWidget(self.stack_button, 1, 1)
        sg.setColumnStretch(2, 1)
        sg.addWidget(self.stack_note, 2, 0, 1, 3)
        sg.addWidget(self.progress, 3, 0, 1, 2)
        sg.addWidget(self.cancel_button, 3, 2)
        left.addWidget(stack)
        left.addStretch(1)
        # on a small screen the controls scroll rather than squeeze into each other
        left_scroll = FitScrollArea()
        left_scroll.setObjectName("printScroll")
        left_scroll.setWidget(left_page)
        today = QHBoxLayout()
        today.addWidget(self.today_caption)
        today.addWidget(self.today_value)
        today.addStretch(1)
        right = QVBoxLayout()
        right.addLayout(today)
        right.addWidget(self.preview_caption)
        right.addWidget(self.preview, 1)
        row = QHBoxLayout(self)
        row.setContentsMargins(24, 12, 24, 12)
        row.setSpacing(20)
        row.addWidget(left_scroll, 3)
        row.addLayout(right, 2)
        self.retranslate()

    # -- texts -------------------------------------------------------------
    def retranslate(self) -> None:
        self.print_one_button.setText(self.tr("Drukāt vienu biļetenu"))
        self.today_caption.setText(self.tr("Šodien izsniegti biļeteni:"))
        self.target_caption.setText(self.tr("Kur drukāt"))
        self.dialog_button.setText(self.tr("Printera dialogs…"))
        self.folder_button.setText(self.tr("PDF mape…"))
        self.delete_pdf_button.setText(self.tr("Dzēst PDF failu"))
        self.stack_caption.setText(self.tr("Vairāki biļeteni uzreiz"))
        self.stack_count.setSuffix(self.tr(" gab."))
        self.refresh_stack()
        self.cancel_button.setText(self.tr("Atcelt"))
        self.preview_caption.setText(self.tr("Biļetena paraugs"))
        self.preview.set_placeholder(self.tr("Paraugs tiek sagatavots…"))
        self.refresh_target()
        self.refresh_period()

    def refresh_stack(self) -> None:
        """The stack button names the count; a count over the limit is refused with a word."""
        n = self.stack_count.value()
        self.stack_button.setText(self.tr("Drukāt %n biļetenus", "", n))
        too_many = n > STACK_MAX
        self.stack_note.setText(self.tr("Vienā reizē var drukāt ne vairāk kā {max} biļetenus: samaziniet skaitu.")
                                .format(max=STACK_MAX) if too_many else "")
        self.stack_note.setVisible(too_many)
        self.stack_button.setEnabled(not too_many and not (self.job is not None and self.job.running))

    def voting_today(self) -> bool:
        """Whether today (by the application's clock) is within the campaign's voting period."""
        camp = self.ctx.kiosk.campaign
        today = dt.datetime.fromtimestamp(self.ctx.clock()).date()
        return camp.voting_start <= today <= camp.voting_end

    def refresh_period(self) -> None:
        camp = self.ctx.kiosk.campaign
        outside = not self.voting_today()
        self.period_note.setText(self.tr(
            "Uzmanību: šodien nav balsošanas laiks (balsošana: {start}–{end}). "
            "Drukājiet biļetenus tikai tad, ja tas ir norunāts ar biroju.").format(
                start=camp.voting_start.strftime("%d.%m.%Y."), end=camp.voting_end.strftime("%d.%m.%Y."))
            if outside else "")
        self.period_note.setVisible(outside)

    # -- state ---------------------------------------------------------------
    def settings(self) -> tuple[str, str]:
        s = self.ctx.settings()
        return s["print.printer"], s["print.pdf_dir"] or str(self.ctx.datadir.pdf)

    def refresh_target(self, printers: list[str] | None = None) -> None:
        printer, pdf_dir = self.settings()
        printers = self.printers_provider() if printers is None else printers
        items = [(self.tr("PDF fails (bez printera)"), "")]
        items += [(self.tr("Printeris: {name}").format(name=name), name) for name in printers]
        if printer and printer not in printers:
            items.append((self.tr("Printeris: {name} (nav pieejams)").format(name=printer), printer))
        shown = [(self.target_combo.itemText(i), self.target_combo.itemData(i)) for i in range(self.target_combo.count())]
        self.target_combo.blockSignals(True)
        if items != shown:  # rebuilt only when it changed: a list the user has open stays open
            self.target_combo.clear()
            for text, data in items:
                self.target_combo.addItem(text, data)
        self.target_combo.setCurrentIndex(max(0, self.target_combo.findData(printer)))
        self.target_combo.blockSignals(False)
        if printer and printer in printers:
            text, level = self._state_text(printer)
            self.target_note.setText(text)
            self.target_note.setProperty("level", level)
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
        self.keeps_files = spooler_keeps_files(self.ctx.kiosk)
        self.spooler_note.setText(self.tr(
            "Drukas serveris pēc drukāšanas glabā darbu kopijas (CUPS “PreserveJobFiles”). Kiosks savējās "
            "izdzēš uzreiz pēc katra darba; tomēr iestatiet “PreserveJobFiles No” (skat. README)."))
        self.spooler_note.setVisible(bool(printer) and self.keeps_files is True)

    def _state_text(self, printer: str) -> tuple[str, str]:
        """The note for a chosen printer the spooler lists: its state in words, and a level."""
        where = self.tr("Biļeteni tiek drukāti printerī “{name}”.").format(name=printer)
        status = self.printer_status if self.printer_status and self.printer_status.name == printer else None
        if self.status_error is not None:
            return f"{where} {self.status_error.message(self.ctx.lang)}", "warn"
        if status is None:
            return where + " " + self.tr("Pārbauda printera stāvokli…"), "info"
        if status.state == "stopped":
            reason = status.reason.message(self.ctx.lang)
            return self.tr("Printeris “{name}” ir apturēts: {reason}. Kamēr tas nav atkal ieslēgts, "
                           "biļeteni netiek izsniegti.").format(name=printer, reason=reason), "error"
        if not status.accepting:
            reason = status.reason.message(self.ctx.lang)
            return self.tr("Printeris “{name}” nepieņem drukas darbus: {reason}.").format(
                name=printer, reason=reason), "error"
        if status.state == "missing":
            return self.tr("Printeris “{name}” nav atrasts.").format(name=printer), "error"
        if status.state == "printing":
            return where + " " + self.tr("Printeris drukā."), "ok"
        return where + " " + self.tr("Printeris ir gatavs."), "ok"

    def refresh_printer_state(self) -> None:
        """Ask the spooler for the chosen printer's state in the background (the latest asking wins)."""
        printer, _ = self.settings()
        if not printer:
            return
        self._state_seq += 1
        seq = self._state_seq
        self.state_job = self.ctx.runner.run(
            printer_state_job(self.printers_provider, self.spooler, printer), name="printer-state", key="printer-state",
            done=lambda outcome: self._state_arrived(seq, outcome),
            failed=lambda exc: self._state_failed(seq, exc))

    def _state_arrived(self, seq: int, outcome) -> None:
        if seq != self._state_seq:
            return  # an older answer
        printers, self.printer_status, _keeps = outcome
        self.status_error = None
        self.refresh_target(printers)

    def _state_failed(self, seq: int, exc) -> None:
        if not isinstance(exc, KioskError):
            self.ctx.report(exc)
            return
        if seq != self._state_seq:
            return
        self.printer_status, self.status_error = None, exc
        self.refresh_target()

    def _tick(self) -> None:
        if not self.isVisible():
            self.state_timer.stop()
            return
        busy = self.state_job is not None and self.state_job.running
        if not busy and (self.job is None or not self.job.running):
            self.refresh_printer_state()  # in the background: a spooler may be slow to answer

    def refresh_today(self) -> None:
        """Ballots printed since midnight of the application's clock (``AppContext.clock``)."""
        self.today_value.setText(str(SignedIn(self.ctx.kiosk, self.ctx.session).printed_today(self.ctx.clock())))

    def on_show(self) -> None:
        self.refresh_target()
        self.refresh_period()
        self.refresh_today()
        self.refresh_printer_state()
        self.state_timer.start()
        if self.preview.image is None:
            self.ctx.runner.run(specimen_job, name="preview", key="print-preview",
                                done=lambda img: self.preview.set_image(img))

    # -- actions -------------------------------------------------------------
    def _target_chosen(self, index: int) -> None:
        try:
            self.ctx.update_settings({"print.printer": self.target_combo.itemData(index) or ""})
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.ctx.report(exc)
        self.printer_status = self.status_error = None
        self.refresh_target()
        self.refresh_printer_state()

    def choose_printer_dialog(self) -> None:  # pragma: no cover - a modal system dialog
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        from ui.qtprint import dialog_choices

        printer = QPrinter()
        current, _ = self.settings()
        if current:
            printer.setPrinterName(current)
        dialog: QPrintDialog = print_dialog(printer, self)
        if dialog.exec() and printer.outputFormat() == QPrinter.OutputFormat.NativeFormat and printer.printerName():
            try:  # the printer, and the paper and tray chosen there, are kept
                self.ctx.update_settings(dialog_choices(printer))
            except Exception as exc:  # noqa: BLE001
                self.ctx.report(exc)
        self.printer_status = self.status_error = None
        self.refresh_target()
        self.refresh_printer_state()

    def pdf_folder_dialog(self) -> KioskFileDialog:
        """The folder dialog for PDF files: among the preset folders only (the office may browse)."""
        _printer, folder = self.settings()
        roots = folder_roots(self.ctx.session, folder, self.ctx.datadir.pdf)
        return KioskFileDialog(self, self.tr("Mape PDF failiem"), folder, datadir=self.ctx.datadir, roots=roots)

    def choose_pdf_folder(self) -> None:  # pragma: no cover - a modal dialog
        dialog = self.pdf_folder_dialog()
        chosen = dialog.selectedFiles()[0] if dialog.exec() and dialog.selectedFiles() else ""
        if chosen:
            try:
                self.ctx.update_settings({"print.pdf_dir": chosen})
            except Exception as exc:  # noqa: BLE001
                self.ctx.report(exc)
        self.refresh_target()

    def set_busy(self, busy: bool, count: int = 0) -> None:
        self.print_one_button.setEnabled(not busy)
        self.stack_button.setEnabled(not busy and self.stack_count.value() <= STACK_MAX)
        self.stack_count.setEnabled(not busy)
        self.target_combo.setEnabled(not busy)
        self.progress.setVisible(busy and count > 1)
        self.cancel_button.setVisible(busy and count > 1)
        self.cancel_button.setEnabled(busy)
        if busy:
            self.progress.setFormat("%v / %m")
            self.progress.setRange(0, count)
            self.progress.setValue(0)

    def _phase(self, items: list) -> None:
        """The job's phases: sending to the printer, then waiting until it printed."""
        for kind, name in items:
            if kind != "phase" or name not in ("sending", "waiting"):
                continue
            self.progress.setRange(0, 0)  # busy: how long the printer takes is not known
            self.progress.setFormat(self.tr("Sūta printerim…") if name == "sending" else self.tr("Gaida printeri…"))
            self.progress.setVisible(True)
            self.cancel_button.setVisible(True)

    def ask_print(self, count: int) -> None:
        """The buttons: a large stack, or any printing outside the voting period, is asked about first."""
        if self.job is not None and self.job.running or self.question is not None:
            return
        if count > STACK_MAX:
            self.refresh_stack()
            return
        doubts = []
        if count >= LARGE_STACK:
            doubts.append(self.tr("Tiks izdrukāti %n biļeteni: tas ir daudz. Pārbaudiet, vai printerī pietiek papīra.",
                                  "", count))
        if not self.voting_today():
            doubts.append(self.period_note.text())
        if not doubts:
            self.start_print(count)
            return
        self.question = ask(self, self.tr("Drukāt %n biļetenus?", "", count), "\n\n".join(doubts),
                            self.tr("Drukāt %n biļetenus", "", count), self.tr("Atcelt"),
                            lambda: self.start_print(count))
        self.question.finished.connect(self._question_done)

    def _question_done(self, _result: int) -> None:
        self.question = None

    def start_print(self, count: int) -> None:
        if self.job is not None and self.job.running:
            return
        if not 1 <= count <= STACK_MAX:
            raise KioskError("print.count", max=STACK_MAX)
        printer, pdf_dir = self.settings()
        s = self.ctx.settings()
        paper, tray = s["print.paper"], s["print.tray"]
        self.set_busy(True, count)
        session, clock = self.ctx.session, self.ctx.clock
        spooler = self.spooler
        self.job = self.ctx.runner.run(
            lambda wctx: print_job(wctx, session, count, printer, pdf_dir, spooler, paper, tray, clock),
            name="print",
            progress=lambda done, total: self.progress.setValue(done),
            items=self._phase,
            done=self._printed,
            failed=self._failed,
            finished=self._print_finished,
        )

    def _print_finished(self) -> None:
        self.set_busy(False)
        self.refresh_printer_state()

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
        if not result.target.startswith("printer:"):
            # the file holds valid ballots: offered for deletion once they are on paper
            self.last_pdf = Path(result.target)
            self.delete_pdf_button.setVisible(True)
            text += " " + self.tr("Kad tas izdrukāts, izdzēsiet failu (“Dzēst PDF failu”).")
        if result.per_sheet == 2:
            text += " " + self.tr("Pa diviem uz A4 lapas: sagrieziet lapas pa svītrlīniju.")
        self.ctx.info(text, Level.OK)
        self.refresh_target()  # what the spooler said of its copies shows at once
        self.ctx.data_changed.emit("printed")

    def delete_last_pdf(self) -> None:
        """Delete the last PDF file of ballots (printed on paper by now): no copy stays behind."""
        path, self.last_pdf = self.last_pdf, None
        self.delete_pdf_button.setVisible(False)
        if path is None:
            return
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            self.ctx.info(self.tr("PDF failu nevar izdzēst: {error}").format(error=exc.strerror or exc), Level.ERROR)
            return
        self.ctx.info(self.tr("PDF fails izdzēsts: {path}").format(path=path), Level.OK)

    def _failed(self, exc) -> None:
        self.ctx.report(exc)
        self.refresh_today()
        self.ctx.data_changed.emit("printed")
