"""Printing where there is no CUPS to talk to (Windows; macOS without pycups): Qt's QPrinter.

``QtSpooler`` is the UI's spooler backend for ``kiosk.issuing.jobs.print_ballots``
when pycups is missing.  It knows what Qt knows: before printing, the printer's
state (``QPrinterInfo.state()``: idle, active, aborted, error) and its paper
sizes, so a stopped or missing printer is refused before any serial is issued;
when printing, whether the system's spooler took the job (``QPainter.end()``).
It cannot follow a job after that (``follows_jobs`` is false): a job the system
spooler accepted counts as printed, and a job that later fails in the Windows
print queue keeps its serials.  README.md says so.

Each ballot page of the PDF is drawn at the printer's own resolution (pypdfium2
renders it), full page, at its true size: no margins, no scaling, no duplex.

``ui_spooler()`` chooses: CUPS when pycups is installed (it follows every job),
else this one.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from kiosk.errors import KioskError
from kiosk.issuing import cups_backend
from kiosk.issuing.printer import JobStatus, PrinterStatus, Reason, Spooler, Ticket
from kiosk.reading.imaging import page_count, render_pdf_page

OUTPUT_FILE_DPI = 600  # Qt's PDF output stands in for an office printer (its default would be 1200 dpi)
_PAGE_IDS = {"A5": QPageSize.PageSizeId.A5, "A4": QPageSize.PageSizeId.A4}
_STATES = {
    QPrinter.PrinterState.Idle: "idle",
    QPrinter.PrinterState.Active: "printing",
    QPrinter.PrinterState.Aborted: "stopped",
    QPrinter.PrinterState.Error: "stopped",
}


class QtSpooler:
    """The system's printers through Qt (see the module docstring)."""

    kind = "qt"
    follows_jobs = False
    keeps_job_files = None

    def __init__(self, output_file: str | Path | None = None) -> None:
        # output_file: Qt's own "print to PDF file" instead of a printer (what Qt draws, page by page)
        self.output_file = output_file

    def printers(self) -> list[str]:
        return list(QPrinterInfo.availablePrinterNames())

    def status(self, printer: str) -> PrinterStatus:
        if self.output_file is not None:
            return PrinterStatus(printer, "idle", media=frozenset({"a4", "a5"}))
        info = QPrinterInfo.printerInfo(printer)
        if info.isNull():
            return PrinterStatus(printer, "missing", accepting=False)
        state = _STATES.get(info.state(), "stopped")
        ids = {size.id() for size in info.supportedPageSizes()}
        media = frozenset(name.lower() for name, page_id in _PAGE_IDS.items() if page_id in ids) if ids else None
        reason = Reason("", ["printer-stopped"] if state == "stopped" else [])
        return PrinterStatus(printer, state, accepting=state != "stopped", reason=reason, media=media)

    def submit(self, pdf: Path, printer: str, ticket: Ticket, created: Callable[[str], None]) -> str:
        """Draw every page of ``pdf`` onto the printer; returns once the system's spooler has the job.
        (There is no job number to give ``created``: the job cannot be followed.)"""
        qprinter = self._printer(printer, ticket)
        painter = QPainter()
        if not painter.begin(qprinter):
            raise KioskError("print.refused", printer=printer, detail="QPainter.begin")
        try:
            dpi = qprinter.resolution()
            paper = qprinter.paperRect(QPrinter.Unit.DevicePixel)
            for index in range(page_count(pdf, "pdf")):
                if index and not qprinter.newPage():
                    raise KioskError("print.refused", printer=printer, detail="QPrinter.newPage")
                image = render_pdf_page(pdf, index, dpi=dpi, grayscale=True)
                pixels = image.tobytes()  # alive while Qt draws from it
                qimage = QImage(pixels, image.width, image.height, image.width, QImage.Format.Format_Grayscale8)
                painter.drawImage(QRectF(0, 0, paper.width(), paper.height()), qimage)
        except BaseException:
            qprinter.abort()
            painter.end()
            raise
        if not painter.end():
            raise KioskError("print.refused", printer=printer, detail="the system's print spooler refused the job")
        return ""

    def _printer(self, printer: str, ticket: Ticket) -> QPrinter:
        if self.output_file is not None:
            qprinter = QPrinter(QPrinter.PrinterMode.HighResolution)
            qprinter.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            qprinter.setOutputFileName(str(self.output_file))
            qprinter.setResolution(OUTPUT_FILE_DPI)
        else:
            info = QPrinterInfo.printerInfo(printer)
            if info.isNull():
                raise KioskError("print.printer_missing", printer=printer)
            qprinter = QPrinter(info, QPrinter.PrinterMode.HighResolution)
        qprinter.setDocName(ticket.title)
        qprinter.setFullPage(True)
        qprinter.setDuplex(QPrinter.DuplexMode.DuplexNone)
        layout = QPageLayout(QPageSize(_PAGE_IDS[ticket.media]), QPageLayout.Orientation.Portrait,
                             QMarginsF(0, 0, 0, 0))
        layout.setMode(QPageLayout.Mode.FullPageMode)
        if not qprinter.setPageLayout(layout):
            raise KioskError("print.paper_missing", paper=ticket.media)
        return qprinter

    def job(self, ref: str) -> JobStatus:
        return JobStatus("gone")  # the system's spooler is not asked: nothing is known after submit

    def cancel(self, ref: str) -> None:
        pass

    def forget(self, ref: str) -> bool | None:
        return None


def ui_spooler() -> Spooler:
    """CUPS where pycups is installed (every job followed to its end), else Qt."""
    if cups_backend.available():
        return cups_backend.CupsSpooler()
    return QtSpooler()  # pragma: no cover - systems without pycups (Windows)


def dialog_choices(qprinter: QPrinter) -> dict[str, str]:
    """What a print dialog chose that the kiosk keeps: the printer, the paper, the tray.

    Paper is "a4"/"a5" (else "" = the ballot's own size); the tray is the IPP
    media-source keyword of Qt's paper source where one corresponds ("" = the
    printer's default)."""
    page = qprinter.pageLayout().pageSize().id()
    paper = {v: k.lower() for k, v in _PAGE_IDS.items()}.get(page, "")
    source = qprinter.paperSource()
    tray = {
        QPrinter.PaperSource.Upper: "top",
        QPrinter.PaperSource.Lower: "bottom",
        QPrinter.PaperSource.Middle: "middle",
        QPrinter.PaperSource.Manual: "manual",
        QPrinter.PaperSource.Envelope: "envelope",
        QPrinter.PaperSource.LargeCapacity: "large-capacity",
        QPrinter.PaperSource.Cassette: "main",
    }.get(source, "")
    return {"print.printer": qprinter.printerName(), "print.paper": paper, "print.tray": tray}
