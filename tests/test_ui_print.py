"""The front desk prints: one ballot, a stack, a cancelled stack, a missing printer."""
from __future__ import annotations


import pypdfium2 as pdfium
from PySide6.QtCore import Qt
from test_ui_support import OFFSCREEN_NOISE, clock, gate, sign_in, wait_idle, win  # noqa: F401 - fixtures

from kiosk.access.roles import Role
from kiosk.reading.imaging import PDFIUM_LOCK
from ui.screens import Mode
from ui.screens import printing

pytestmark = OFFSCREEN_NOISE


def pages(path) -> int:
    with PDFIUM_LOCK:  # the screen's workers may be rendering a preview meanwhile
        doc = pdfium.PdfDocument(str(path))
        try:
            return len(doc)
        finally:
            doc.close()


def front_desk(win, qtbot, tmp_path):
    sign_in(win, qtbot, Role.FRONT_DESK)
    win.ctx.update_settings({"print.pdf_dir": str(tmp_path / "pdf")})  # the front desk may choose this
    screen = win.screens[Mode.PRINT]
    screen.printers_provider = lambda: []  # a kiosk without a printer, whatever this machine has
    screen.on_show()
    return screen


def test_print_one_ballot_to_pdf_and_see_the_count(win, qtbot, tmp_path, clock):
    screen = front_desk(win, qtbot, tmp_path)
    assert screen.today_value.text() == "0"
    assert "Printeris nav pievienots" in screen.target_note.text()
    assert str(tmp_path / "pdf") in screen.target_note.text()
    qtbot.mouseClick(screen.print_one_button, Qt.MouseButton.LeftButton)
    assert not screen.print_one_button.isEnabled()  # no double issue while printing
    with qtbot.waitSignal(screen.job.finished, timeout=30_000):
        pass
    files = sorted((tmp_path / "pdf").glob("*.pdf"))
    assert len(files) == 1 and pages(files[0]) == 1
    assert screen.today_value.text() == "1"
    assert "Biļetens izdrukāts" in win.message_bar.text()
    assert win.ctx.kiosk.store.issued_counts() == {"issued": 1, "voided": 0}
    assert screen.print_one_button.isEnabled()
    clock.t += 2 * 24 * 3600  # two days later (by the window's clock) the count starts again
    screen.refresh_today()
    assert screen.today_value.text() == "0"
    # the specimen preview was rendered in the background
    qtbot.waitUntil(lambda: screen.preview.image is not None, timeout=30_000)
    assert screen.preview.image.width() > 500
    wait_idle(win, qtbot)


def test_print_a_stack_with_progress(win, qtbot, tmp_path):
    screen = front_desk(win, qtbot, tmp_path)
    screen.stack_count.setValue(12)
    seen = []
    qtbot.mouseClick(screen.stack_button, Qt.MouseButton.LeftButton)
    # connected before the event loop runs again: the job's queued reports cannot have arrived yet
    screen.job.progress.connect(lambda d, t: seen.append((d, t)))
    assert screen.progress.isVisible() and screen.cancel_button.isVisible()
    assert (screen.progress.minimum(), screen.progress.maximum()) == (0, 12)
    with qtbot.waitSignal(screen.job.finished, timeout=60_000):
        pass
    # throttled, so not every ballot is reported; the reports rise and the last is the whole stack
    dones = [d for d, _ in seen]
    assert {t for _, t in seen} == {12} and dones == sorted(set(dones)) and dones[-1] == 12
    files = list((tmp_path / "pdf").glob("*.pdf"))
    assert len(files) == 1 and pages(files[0]) == 12
    assert screen.today_value.text() == "12"
    assert "12" in win.message_bar.text()
    assert not screen.progress.isVisible()
    wait_idle(win, qtbot)


def test_cancelled_stack_voids_its_ballots_and_says_how_many(win, qtbot, tmp_path, gate):
    screen = front_desk(win, qtbot, tmp_path)
    gate.hold(printing, "print_job")  # the job waits after its first ballot until the cancel was clicked
    screen.stack_count.setValue(1000)
    qtbot.mouseClick(screen.stack_button, Qt.MouseButton.LeftButton)
    assert screen.job is None and screen.question.windowTitle() == "Drukāt 1000 biļetenus?"  # a large stack: asked
    qtbot.keyClick(screen.question, Qt.Key.Key_Return)
    job = screen.job
    gate.wait_held(qtbot)
    assert gate.at == (1, 1000)
    qtbot.waitUntil(lambda: screen.progress.value() == 1, timeout=10_000)  # the bar shows the ballot drawn
    assert screen.progress.maximum() == 1000 and screen.cancel_button.isEnabled()
    qtbot.mouseClick(screen.cancel_button, Qt.MouseButton.LeftButton)
    assert job.is_cancelled and job.running and not screen.cancel_button.isEnabled()
    with qtbot.waitSignal(job.finished, timeout=30_000):
        gate.release()
    assert win.message_bar.text() == "Drukāšana atcelta. Anulēti 1000 biļeteni"
    assert win.message_bar.level == "error"
    assert list((tmp_path / "pdf").iterdir()) == []  # no PDF, and no partial file either
    assert win.ctx.kiosk.store.issued_counts() == {"issued": 0, "voided": 1000}
    (record,) = win.ctx.kiosk.store.print_jobs()
    assert (record["count"], record["state"], record["voided"]) == (1000, "voided", 1000)
    assert screen.today_value.text() == "0"
    assert not screen.progress.isVisible() and screen.stack_button.isEnabled()
    wait_idle(win, qtbot)


def test_an_unavailable_printer_is_said_plainly_and_nothing_is_issued(win, qtbot, tmp_path):
    screen = front_desk(win, qtbot, tmp_path)
    win.ctx.update_settings({"print.printer": "Nav-tada-printera"})
    screen.on_show()
    assert "nav pieejams" in screen.target_note.text()
    assert screen.target_combo.currentData() == "Nav-tada-printera"
    qtbot.mouseClick(screen.print_one_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(screen.job.finished, timeout=60_000):
        pass
    assert win.message_bar.text().startswith("Drukas serveris (CUPS) nav pieejams")  # no print server here
    assert win.ctx.kiosk.store.issued_counts() == {"issued": 0, "voided": 0}  # refused before issuing
    # back to PDF through the target list
    screen.target_combo.setCurrentIndex(0)
    screen.target_combo.activated.emit(0)
    assert win.ctx.settings()["print.printer"] == ""
    wait_idle(win, qtbot)


def test_printing_is_refused_by_the_core_for_a_helper(win, qtbot, tmp_path):
    """The core checks the role even if a screen were reachable."""
    from kiosk.errors import KioskError
    from ui.screens.printing import print_job

    sign_in(win, qtbot, Role.HELPER)
    session = win.ctx.session

    class Ctx:
        kiosk = win.ctx.kiosk
        progress = staticmethod(lambda *a: None)
        cancelled = staticmethod(lambda: False)

    try:
        print_job(Ctx, session, 1, "", str(tmp_path))
    except KioskError as exc:
        assert exc.code == "auth.forbidden"
        assert "Palīgs" in exc.message("lv")
    else:
        raise AssertionError("a helper printed a ballot")
    assert win.ctx.kiosk.store.issued_counts()["issued"] == 0
