"""The print screen over a real CUPS spooler: the printer's state shown and refreshed, a
stopped printer refused before issuing, "waiting for the printer" with a cancel button,
the spooler's copies warned about; printing through Qt where there is no CUPS."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from test_print_cups import pages, paper
from test_ui_support import OFFSCREEN_NOISE, clock, sign_in, wait_idle, win  # noqa: F401 - fixtures

from kiosk.access.roles import Role
from kiosk.issuing.jobs import print_ballots
from kiosk.issuing.printer import Ticket
from kiosk.reading import qr
from ui.qtprint import QtSpooler, dialog_choices
from ui.screens import Mode

pytestmark = OFFSCREEN_NOISE


def front_desk(win, qtbot, printer: str):
    sign_in(win, qtbot, Role.FRONT_DESK)
    win.ctx.update_settings({"print.printer": printer})
    screen = win.screens[Mode.PRINT]
    screen.on_show()
    with qtbot.waitSignal(screen.state_job.finished, timeout=30_000):
        pass
    return screen


def level(label) -> str:
    return label.property("level")


def test_a_stopped_printer_is_shown_stopped_and_printing_is_refused_before_issuing(win, qtbot, private_cups):
    private_cups.add_pdf_queue("Birojs")
    private_cups.disable("Birojs", "Beidzies papīrs")
    screen = front_desk(win, qtbot, "Birojs")
    assert screen.target_combo.currentData() == "Birojs"
    assert "Printeris “Birojs” ir apturēts: Beidzies papīrs" in screen.target_note.text()
    assert level(screen.target_note) == "error"
    qtbot.mouseClick(screen.print_one_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(screen.job.finished, timeout=60_000):
        pass
    assert win.message_bar.text().startswith("Printeris “Birojs” ir apturēts: Beidzies papīrs")
    assert win.message_bar.level == "error"
    assert win.ctx.kiosk.store.issued_counts() == {"issued": 0, "voided": 0}  # refused before any serial
    assert private_cups.jobs("all") == []
    # switched on again: the next refresh says so
    private_cups.enable("Birojs")
    screen.refresh_printer_state()
    with qtbot.waitSignal(screen.state_job.finished, timeout=30_000):
        pass
    assert "Printeris ir gatavs" in screen.target_note.text() and level(screen.target_note) == "ok"
    wait_idle(win, qtbot)


def test_one_ballot_printed_and_the_spooler_copies_warned_about(win, qtbot, private_cups):
    queue = private_cups.add_pdf_queue("A5")  # CUPS' defaults keep job files a day
    screen = front_desk(win, qtbot, "A5")
    assert "Printeris ir gatavs" in screen.target_note.text() and level(screen.target_note) == "ok"
    assert not screen.spooler_note.isVisible()  # not known before a job ended
    qtbot.mouseClick(screen.print_one_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(screen.job.finished, timeout=60_000):
        pass
    assert win.message_bar.text() == "Biļetens izdrukāts printerī “A5”."
    assert screen.today_value.text() == "1"
    (pdf,) = queue.pdfs()
    assert paper(pdf) == ["A5"]
    (sym,) = qr.decode(np.asarray(pages(pdf)[0]))
    assert win.ctx.kiosk.store.issued_state(win.ctx.kiosk.verify_payload(sym.text).serial) == "issued"
    assert screen.spooler_note.isVisible() and "PreserveJobFiles" in screen.spooler_note.text()
    assert private_cups.jobs("all") == []  # the kiosk removed its copy all the same
    wait_idle(win, qtbot)


def test_waiting_for_the_printer_can_be_cancelled(win, qtbot, private_cups):
    queue = private_cups.add_pdf_queue("SLOW", gate=True)
    screen = front_desk(win, qtbot, "SLOW")
    qtbot.mouseClick(screen.print_one_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.progress.format() == "Gaida printeri…", timeout=30_000)
    assert screen.progress.isVisible() and screen.cancel_button.isVisible() and screen.cancel_button.isEnabled()
    assert not screen.print_one_button.isEnabled()
    queue.gate.wait_started()
    qtbot.mouseClick(screen.cancel_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(screen.job.finished, timeout=60_000):
        pass
    assert win.message_bar.text() == "Drukāšana atcelta. Anulēts 1 biļetens"
    assert win.ctx.kiosk.store.issued_counts() == {"issued": 0, "voided": 1}
    assert private_cups.jobs("all") == [] and queue.pdfs() == []
    assert not screen.progress.isVisible() and screen.print_one_button.isEnabled()
    wait_idle(win, qtbot)


def test_jobs_a_dead_kiosk_left_in_cups_are_settled_at_start(win, qtbot, private_cups):
    """A kiosk died while its job waited at the printer; the next start cancels it there and
    voids it, and says so."""
    import subprocess
    import sys

    from conftest import REPO

    queue = private_cups.add_pdf_queue("SLOW", gate=True)
    env = private_cups.env()
    env.update(KIOSK_DATA_DIR=str(win.ctx.kiosk.root), KIOSK_FAULT="print.following")
    done = subprocess.run([sys.executable, "-m", "kiosk", "print", "--printer", "SLOW"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 137, done.stderr
    queue.gate.wait_started()
    kiosk = win.ctx.kiosk
    kiosk.recovered = kiosk.store.recover_interrupted_jobs()  # what opening the data directory does
    assert kiosk.recovered == {"voided_jobs": 0, "voided": 0, "unsettled": 1}
    with qtbot.waitSignal(win.ctx.data_changed, timeout=60_000):
        win.ctx.settle_print_jobs()
    assert win.message_bar.text() == "Iepriekš pārtraukti drukas darbi: 1; anulēti biļeteni: 1"
    assert kiosk.store.issued_counts() == {"issued": 0, "voided": 1}
    assert private_cups.jobs("all") == []
    wait_idle(win, qtbot)


# -- Qt's printing (the backend where there is no CUPS) ------------------------------------------

def test_qt_prints_each_ballot_page_at_full_size(kiosk, tmp_path, qapp):
    """Through QPrinter (Qt's own PDF output standing in for a Windows printer): every page
    drawn at the printer's resolution, A5 and unscaled; the job counts as printed."""
    out = tmp_path / "qt.pdf"
    result = print_ballots(kiosk, 2, printer="Windows-printer", spooler=QtSpooler(output_file=out))
    assert (result.sheets, result.paper) == (2, "a5")
    assert paper(out) == ["A5", "A5"]
    spec = kiosk.layout()
    found = []
    for image in pages(out, 200):
        (sym,) = qr.decode(np.asarray(image))
        found.append(kiosk.verify_payload(sym.text).serial)
        width_mm = (sym.corners[1][0] - sym.corners[0][0]) / 200 * 25.4
        assert abs(width_mm - spec.qr.size) < 1.5  # true size
    assert sorted(found) == sorted(result.serials)
    assert kiosk.store.issued_counts() == {"issued": 2, "voided": 0}
    assert [j["state"] for j in kiosk.store.print_jobs()] == ["printed"]


def test_qt_sees_a_stopped_printer_and_prints_through_cups_on_linux(kiosk, private_cups, qapp):
    """Qt's printer list and states come from the same spooler; a job printed through Qt
    arrives whole."""
    import cups

    cups.setServer(private_cups.server)  # Qt's libcups in this thread read the server before the fixture set it
    queue = private_cups.add_pdf_queue("A5")
    private_cups.add_pdf_queue("Stopped")
    private_cups.disable("Stopped", "Out of paper")
    spooler = QtSpooler()
    assert {"A5", "Stopped"} <= set(spooler.printers())
    assert spooler.status("Stopped").state == "stopped"
    assert spooler.status("Nav").state == "missing"
    assert spooler.status("A5").ready
    with pytest.raises(Exception) as info:
        print_ballots(kiosk, 1, printer="Stopped", spooler=spooler)
    assert info.value.code == "print.printer_stopped"
    result = print_ballots(kiosk, 1, printer="A5", spooler=spooler)
    private_cups.wait_until_done()
    (pdf,) = queue.pdfs()
    (sym,) = qr.decode(np.asarray(pages(pdf)[0]))
    assert kiosk.verify_payload(sym.text).serial == result.serials[0]
    assert kiosk.store.issued_counts() == {"issued": 1, "voided": 0}


def test_the_print_dialog_choices_are_kept(qapp):
    from PySide6.QtGui import QPageSize

    printer = QPrinter()
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPaperSource(QPrinter.PaperSource.Upper)
    choices = dialog_choices(printer)
    assert (choices["print.paper"], choices["print.tray"]) == ("a4", "top")
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.Letter))
    printer.setPaperSource(QPrinter.PaperSource.Auto)
    choices = dialog_choices(printer)
    assert (choices["print.paper"], choices["print.tray"]) == ("", "")


def test_qt_ticket_asks_for_the_paper(tmp_path, qapp):
    spooler = QtSpooler(output_file=tmp_path / "x.pdf")
    qprinter = spooler._printer("x", Ticket("urn-kiosk", "A4"))
    assert qprinter.pageLayout().pageSize().id().name == "A4"
    assert qprinter.duplex() == QPrinter.DuplexMode.DuplexNone and qprinter.fullPage()


def test_a_pdf_of_ballots_is_named_without_a_time_and_offered_for_deletion(win, qtbot, tmp_path):
    """Without a printer the ballots go to one PDF file per stack: its name tells no time, the
    file no creation date, and the screen offers to delete it once it is on paper."""
    import re
    import subprocess

    sign_in(win, qtbot, Role.FRONT_DESK)
    win.ctx.update_settings({"print.pdf_dir": str(tmp_path / "pdf"), "print.printer": ""})
    screen = win.screens[Mode.PRINT]
    screen.printers_provider = lambda: []
    screen.on_show()
    assert not screen.delete_pdf_button.isVisible()
    qtbot.mouseClick(screen.print_one_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(screen.job.finished, timeout=30_000):
        pass
    (pdf,) = (tmp_path / "pdf").glob("*.pdf")
    assert re.fullmatch(r"biletens-[0-9a-f]{6}\.pdf", pdf.name)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "2026" not in info and str(__import__("datetime").date.today().year) not in info  # no CreationDate
    assert "Dzēst PDF failu" in win.message_bar.text() and screen.delete_pdf_button.isVisible()
    qtbot.mouseClick(screen.delete_pdf_button, Qt.MouseButton.LeftButton)
    assert not pdf.exists() and not screen.delete_pdf_button.isVisible()
    assert win.message_bar.text().startswith("PDF fails izdzēsts")
    assert win.ctx.kiosk.store.issued_counts() == {"issued": 1, "voided": 0}  # the ballot stays issued
    wait_idle(win, qtbot)
