"""The screens as their users meet them: a live scan list, the idle warning, the close
guard, the keyboard between screens, the mouse wheel, Qt's own dialogs in Latvian and
restricted, empty batches, stack counts, the voting period, plural forms."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QCoreApplication, QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractItemView, QApplication, QFileDialog, QLabel, QScrollArea, QToolButton
from sheets import scans
from test_ui_support import OFFSCREEN_NOISE, PINS, clock, sign_in, wait_idle, win  # noqa: F401 - fixtures

from kiosk.access.roles import Role
from kiosk.intake.scan import scan_paths
from ui import i18n
from ui.dialogs import KioskFileDialog, print_dialog
from ui.screens import Mode
from ui.screens import printing as printing_module

pytestmark = OFFSCREEN_NOISE


def helper_intake(win, qtbot, role=Role.HELPER):
    sign_in(win, qtbot, role)
    win.show_mode(Mode.INTAKE)
    screen = win.screens[Mode.INTAKE]
    screen.workers = 1
    return screen


def scan(screen, qtbot, paths):
    with qtbot.waitSignal(screen.scan_finished, timeout=120_000):
        screen.scan([str(p) for p in paths])


def row_of(screen, name):
    return next(r for r in range(screen.model.rowCount()) if screen.model.index(r, 1).data() == name)


def texts(screen, row):
    return screen.model.index(row, 2).data(), screen.model.index(row, 3).data()


# -- one state of a sheet: the list, the counters and the badge follow the review ---------------

def test_the_scan_list_counters_and_badge_follow_the_review_live(win, qtbot, kiosk, tmp_path):
    q1 = kiosk.layout().questions[0]
    o = [x.id for x in q1.options]
    folder = tmp_path / "urn"
    scans(kiosk, folder, [{q1.id: o[0], "rating": "5"}, {q1.id: (o[0], o[1]), "rating": "3"},
                          {q1.id: (o[2], o[3])}], tmp_path)
    screen = helper_intake(win, qtbot)
    scan(screen, qtbot, [folder])
    assert screen.model.counts == {"counted": 1, "review": 2, "rejected": 0, "duplicate": 0}
    assert win.nav_buttons[Mode.REVIEW].text() == "Pārbaudīt (2)"
    # the helper decides both in the review screen ...
    qtbot.keyClick(win, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Tab: the next screen
    assert win.mode is Mode.REVIEW
    review = win.screens[Mode.REVIEW]
    qtbot.keyClick(win, Qt.Key.Key_1)
    with qtbot.waitSignal(review.decided):
        qtbot.keyClick(win, Qt.Key.Key_Return)
    qtbot.keyClick(win, Qt.Key.Key_R)
    with qtbot.waitSignal(review.decided):
        qtbot.keyClick(review.reject_dialog, Qt.Key.Key_Return)
    # ... and the list, its counters and the badge say so at once, without reading anything again
    assert win.nav_buttons[Mode.REVIEW].text() == "Pārbaudīt"
    assert screen.model.counts == {"counted": 2, "review": 0, "rejected": 1, "duplicate": 0}
    assert screen.counter_labels["review"].text() == "Jāpārbauda: 0"
    assert screen.counter_labels["rejected"].text() == "Noraidīti: 1"
    assert texts(screen, row_of(screen, "scan-001.png")) == ("Ieskaitīts", "Pārbaudē labots")
    assert texts(screen, row_of(screen, "scan-002.png")) == (
        "Noraidīts", "Pārbaudē noraidīts: Vienā jautājumā atzīmētas vairākas atbildes")
    # undone: back in the list as waiting
    qtbot.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert screen.model.counts == {"counted": 2, "review": 1, "rejected": 0, "duplicate": 0}
    assert texts(screen, row_of(screen, "scan-002.png")) == ("Jāpārbauda", "Atkal jāpārbauda")
    assert win.nav_buttons[Mode.REVIEW].text() == "Pārbaudīt (1)"
    # the same folder read again: each row as it stands now, nothing counted twice
    qtbot.keyClick(win, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert win.mode is Mode.INTAKE
    scan(screen, qtbot, [folder])
    assert screen.model.rowCount() == 6 and screen.model.repeats == 3
    again = [texts(screen, r) for r in range(3, 6)]
    assert ("Ieskaitīts", "Jau nolasīts agrāk, netiek skaitīts vēlreiz · Pārbaudē labots") in again
    assert screen.model.counts == {"counted": 2, "review": 1, "rejected": 0, "duplicate": 0}
    # a counter shows only its rows; again: all
    qtbot.mouseClick(screen.counter_labels["review"], Qt.MouseButton.LeftButton)
    assert screen.rows_shown.rowCount() == 1
    assert screen.rows_shown.index(0, 1).data() == "scan-002.png"
    screen.select_row(row_of(screen, "scan-002.png"))
    assert screen.review_button.isVisible() and not screen.reopen_button.isVisible()  # a helper cannot reopen
    qtbot.mouseClick(screen.review_button, Qt.MouseButton.LeftButton)  # straight to that ballot
    assert win.mode is Mode.REVIEW and review.item.sheet_id == screen.model.rows[2].sheet_id
    win.show_mode(Mode.INTAKE)
    qtbot.mouseClick(screen.counter_labels["review"], Qt.MouseButton.LeftButton)
    assert screen.rows_shown.rowCount() == 6
    wait_idle(win, qtbot)


def test_a_duplicate_names_the_sheet_it_copies_and_whether_the_marks_agree(win, qtbot, kiosk, tmp_path):
    q1 = kiosk.layout().questions[0]
    folder = tmp_path / "urn"
    (first,) = scans(kiosk, folder, [{q1.id: q1.options[0].id, "rating": "5"}], tmp_path)
    with Image.open(first) as img:
        img.load()
        img.rotate(0.5, fillcolor=255).save(folder / "scan-again.png")  # the same ballot on another scan
    screen = helper_intake(win, qtbot)
    scan(screen, qtbot, [folder])
    row = row_of(screen, "scan-again.png")
    assert texts(screen, row) == ("Dublikāts", "Šī numura biļetens jau nolasīts: scan-000.png")
    assert screen.table.columnWidth(2) >= screen.table.sizeHintForColumn(2)  # the outcome is never cut off
    screen.select_row(row)
    qtbot.waitUntil(lambda: "Kopija no" in screen.detail.text(), timeout=10_000)
    assert "Kopija no: scan-000.png." in screen.detail.text() and "Atzīmes abās lapās sakrīt." in screen.detail.text()
    wait_idle(win, qtbot)


def test_the_office_reopens_a_decided_ballot_from_its_row(win, qtbot, kiosk, tmp_path):
    q1 = kiosk.layout().questions[0]
    folder = tmp_path / "urn"
    scans(kiosk, folder, [{q1.id: q1.options[0].id, "rating": "5"}], tmp_path)
    screen = helper_intake(win, qtbot, Role.OFFICE)
    scan(screen, qtbot, [folder])
    assert win.nav_buttons[Mode.REVIEW].text() == "Pārbaudīt"
    screen.select_row(0)
    assert screen.reopen_button.isVisible()  # counted by the machine, not exported: the office may reopen it
    qtbot.mouseClick(screen.reopen_button, Qt.MouseButton.LeftButton)
    assert texts(screen, 0) == ("Jāpārbauda", "Atkal jāpārbauda")
    assert win.nav_buttons[Mode.REVIEW].text() == "Pārbaudīt (1)" and not screen.reopen_button.isVisible()
    assert "atkal gaida pārbaudi" in win.message_bar.text()
    win.show_mode(Mode.REVIEW)
    assert "Birojs atvēra" in win.screens[Mode.REVIEW].reason_box.text()
    wait_idle(win, qtbot)


def test_clearing_the_list_asks_and_keeps_the_ballots(win, qtbot, kiosk, tmp_path):
    folder = tmp_path / "urn"
    scans(kiosk, folder, [{"rating": "5"}, {"rating": "4"}], tmp_path)
    screen = helper_intake(win, qtbot)
    scan(screen, qtbot, [folder])
    qtbot.mouseClick(screen.clear_button, Qt.MouseButton.LeftButton)
    question = screen.clear_question
    assert question.isVisible() and "paliek saglabāti" in question.text.text()
    qtbot.mouseClick(question.cancel_button, Qt.MouseButton.LeftButton)
    assert screen.model.rowCount() == 2
    qtbot.mouseClick(screen.clear_button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(screen.clear_question, Qt.Key.Key_Return)
    assert screen.model.rowCount() == 0
    assert win.message_bar.text() == "Saraksts notīrīts (2 rindas). Nolasītie biļeteni paliek saglabāti."
    assert sum(kiosk.store.sheet_counts().values()) == 2  # stored all the same
    wait_idle(win, qtbot)


# -- the window: idle warning, close guard, keyboard, wheel -------------------------------------

def test_the_idle_warning_counts_down_and_a_touch_keeps_the_session(win, qtbot):
    sign_in(win, qtbot, Role.HELPER)
    win.ctx.info("Nolasīšana pabeigta: scan-001.png", "ok")
    win.set_idle_timeout(60_000)
    win.idle_timer.setInterval(1)  # the idle time runs out now (the warning's 30 s stay as they are)
    win.idle_timer.start()
    with qtbot.waitSignal(win.idle_warned, timeout=10_000):
        pass
    assert win.warning_shown and win.message_bar.level == "warn"
    assert "pēc 30 s notiks automātiska iziešana no profila" in win.message_bar.text()
    qtbot.keyClick(win, Qt.Key.Key_Shift)  # somebody is here
    assert not win.warning_shown and win.message_bar.text() == "" and win.ctx.session is not None
    assert win.idle_timer.isActive() and win.idle_timer.interval() == 30_000
    # nobody answers this time: signed out, and the sign-in screen shows only why
    win.set_idle_timeout(100)
    with qtbot.waitSignal(win.idle_signed_out, timeout=10_000):
        pass
    assert win.mode is Mode.SIGN_IN and "scan-001" not in win.message_bar.text()
    assert win.message_bar.text().startswith("Jūs izrakstījāties automātiski")


def test_signing_out_leaves_nothing_of_the_last_person_on_screen(win, qtbot):
    sign_in(win, qtbot, Role.FRONT_DESK)
    win.ctx.info("Biļetens izdrukāts failā /home/desk/pdf/biletens-3f9a1c.pdf.", "ok")
    qtbot.mouseClick(win.sign_out_button, Qt.MouseButton.LeftButton)
    assert win.mode is Mode.SIGN_IN and win.message_bar.text() == ""


@pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)")  # offscreen has no stacking
def test_the_close_dialog_counts_down_a_lock_keeps_its_keypad_apart_and_comes_back(win, qtbot, clock):
    sign_in(win, qtbot, Role.HELPER)
    win.close()
    dialog = win.exit_dialog
    assert dialog.isVisible()
    # its texts never end up under the keypad
    def apart():
        pad = dialog.pad.geometry()
        return all(not w.geometry().intersects(pad) and w.height() >= w.heightForWidth(w.width())
                   for w in (dialog.text, dialog.error, dialog.lock_label) if w.isVisible())
    for pin in ("0000", "0001"):
        qtbot.keyClicks(dialog.pad.field, pin)
        qtbot.keyClick(dialog.pad.field, Qt.Key.Key_Return)
    assert "atlicis vēl 1 mēģinājums" in dialog.lock_label.text() or "atlicis vēl 1" in dialog.error.text()
    qtbot.keyClicks(dialog.pad.field, "0002")
    qtbot.keyClick(dialog.pad.field, Qt.Key.Key_Return)
    assert dialog.locked and "pēc 30 s" in dialog.lock_label.text() and dialog.lock_timer.isActive()
    qtbot.waitUntil(apart, timeout=5000)
    clock.t += 12  # the countdown runs with the clock
    dialog.lock_timer.timeout.emit()
    assert "pēc 18 s" in dialog.lock_label.text()
    clock.t += 18
    dialog.lock_timer.timeout.emit()
    assert not dialog.locked and not dialog.lock_timer.isActive() and dialog.pad.field.isEnabled()
    # minimised by a window manager's key: it comes straight back (no black screen)
    assert dialog.windowFlags() & Qt.WindowType.FramelessWindowHint  # no frame, no minimise button
    dialog.setWindowState(Qt.WindowState.WindowMinimized)
    qtbot.waitUntil(lambda: not dialog.windowState() & Qt.WindowState.WindowMinimized and dialog.isVisible(),
                    timeout=5000)
    qtbot.keyClicks(dialog.pad.field, PINS[Role.OFFICE])
    qtbot.keyClick(dialog.pad.field, Qt.Key.Key_Return)
    assert not win.isVisible()


def test_the_keyboard_moves_between_screens(win, qtbot):
    sign_in(win, qtbot, Role.OFFICE)
    assert win.mode is Mode.EXPORT
    seen = []
    for _ in range(5):
        qtbot.keyClick(win, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
        seen.append(win.mode)
    assert seen == [Mode.SETTINGS, Mode.PRINT, Mode.INTAKE, Mode.REVIEW, Mode.EXPORT]
    qtbot.keyClick(win, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert win.mode is Mode.REVIEW and win.nav_buttons[Mode.REVIEW].isChecked()


def test_the_mouse_wheel_scrolls_settings_and_changes_no_value(win, qtbot):
    win.resize(1024, 768)
    sign_in(win, qtbot, Role.OFFICE)
    win.show_mode(Mode.SETTINGS)
    settings = win.screens[Mode.SETTINGS]
    scroll = settings.findChild(QScrollArea)
    bar = scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=5000)
    role, spin = settings.add_role, settings.threshold_spins["reader.cover"]
    before = (role.currentIndex(), spin.value(), settings.idle_spin.value())

    def wheel(widget, steps=-1):
        centre = QPointF(widget.rect().center())
        event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, 120 * steps),
                            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                            False)
        QApplication.sendEvent(widget, event)

    for w in (role, spin, settings.idle_spin):
        assert w.focusPolicy() == Qt.FocusPolicy.StrongFocus  # the wheel alone never gives it the focus
        top = bar.value()
        wheel(w)
        assert bar.value() > top or bar.value() == bar.maximum()  # the page scrolled
    assert (role.currentIndex(), spin.value(), settings.idle_spin.value()) == before  # and nothing changed
    # a field being edited (it has the focus) takes the wheel as before
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus, timeout=5000)
    wheel(spin, 1)
    assert spin.value() == before[1] + spin.singleStep()


# -- Qt's own dialogs: Latvian, restricted ----------------------------------------------------

def test_qt_dialogs_speak_the_kiosk_language(win, qtbot, kiosk, tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Atcelt"  # Qt's own words, in Latvian
    dialog = KioskFileDialog(win, "Mape", tmp_path, datadir=kiosk.datadir)
    qtbot.addWidget(dialog)
    labels = {w.objectName(): w.text() for w in dialog.findChildren(QLabel) if w.objectName()}
    assert labels["lookInLabel"] == "Meklēt:" and labels["fileNameLabel"] == "Mape:"
    assert dialog.findChild(QToolButton, "backButton").toolTip() == "Atpakaļ"
    printer = QPrinter()
    pd = print_dialog(printer, win)
    qtbot.addWidget(pd)
    assert pd.windowTitle() == "Drukāt"
    assert not pd.testOption(pd.PrintDialogOption.PrintToFile)  # no ballots written to a file from here
    win.ctx.set_language("en")
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"
    dialog = KioskFileDialog(win, "Folder", tmp_path, datadir=kiosk.datadir)
    qtbot.addWidget(dialog)
    assert dialog.findChild(QLabel, "lookInLabel").text() == "Look in:"


def test_the_front_desk_chooses_only_among_preset_folders(win, qtbot, kiosk, tmp_path, monkeypatch):
    usb = tmp_path / "media" / "desk" / "USB"
    usb.mkdir(parents=True)
    monkeypatch.setattr("kiosk.platform.removable_folders", lambda: [usb])  # a stick, where the system mounts it
    sign_in(win, qtbot, Role.FRONT_DESK)
    screen = win.screens[Mode.PRINT]
    pdf_dir = tmp_path / "pdf"
    pdf_dir.mkdir()
    win.ctx.update_settings({"print.pdf_dir": str(pdf_dir)})
    kiosk.datadir.pdf.mkdir(exist_ok=True)
    dialog = screen.pdf_folder_dialog()
    qtbot.addWidget(dialog)
    assert dialog.testOption(QFileDialog.Option.ReadOnly) and dialog.testOption(QFileDialog.Option.DontUseNativeDialog)
    assert dialog.findChild(QToolButton, "newFolderButton").isHidden()  # no new folder
    assert all(v.contextMenuPolicy() == Qt.ContextMenuPolicy.NoContextMenu  # no rename, no delete
               for v in dialog.findChildren(QAbstractItemView))
    assert {Path(u.toLocalFile()) for u in dialog.sidebarUrls()} == {pdf_dir.resolve(), kiosk.datadir.pdf.resolve(),
                                                                     usb.resolve()}
    # the data directory's own files are never shown; outside the preset folders nothing may be chosen
    for private in (kiosk.datadir.keys, kiosk.datadir.db, kiosk.datadir.root / "images"):
        assert not dialog.visible(private)
    assert dialog.allowed(pdf_dir) and dialog.allowed(usb) and dialog.allowed(kiosk.datadir.pdf)
    assert not dialog.allowed(tmp_path) and not dialog.allowed(Path.home())
    dialog.setDirectory(str(tmp_path))  # a path typed in, or a step up: back to a preset folder
    dialog.directoryEntered.emit(str(tmp_path))
    assert Path(dialog.directory().absolutePath()).resolve() in (pdf_dir.resolve(), kiosk.datadir.pdf.resolve(),
                                                                 usb.resolve())
    dialog.selectFile(str(kiosk.datadir.keys))
    dialog.accept()
    assert dialog.result() == 0  # refused
    # the office browses, but sees nothing of the data directory's own either
    win.ctx.sign_out()
    sign_in(win, qtbot, Role.OFFICE)
    win.show_mode(Mode.SETTINGS)
    office = win.screens[Mode.SETTINGS].folder_dialog(win.screens[Mode.SETTINGS].export_folder)
    qtbot.addWidget(office)
    assert office.roots is None and office.allowed(tmp_path)
    assert not office.visible(kiosk.datadir.keys) and office.visible(kiosk.datadir.exports)
    assert office.testOption(QFileDialog.Option.ReadOnly)


# -- export -------------------------------------------------------------------------------------

def test_an_empty_batch_is_refused_and_a_missing_file_manager_is_said(win, qtbot, kiosk, tmp_path):
    sign_in(win, qtbot, Role.OFFICE)
    export = win.screens[Mode.EXPORT]
    export.set_folder(str(tmp_path / "exports"))
    assert export.ready_label.text() == "0" and not export.export_button.isEnabled()
    assert "nevar" in export.pending_note.text()
    export.start_export()  # even called directly: nothing is written
    assert export.job is None and kiosk.store.batches() == []
    assert "netika izveidota" in win.message_bar.text()
    export.open_url = lambda url: False  # a desktop with no file manager
    qtbot.mouseClick(export.open_folder_button, Qt.MouseButton.LeftButton)
    assert "Failu pārvaldnieks" in win.message_bar.text() and str(tmp_path / "exports") in win.message_bar.text()


def test_the_export_result_says_what_to_do_and_follows_the_language(win, qtbot, kiosk, tmp_path):
    folder = tmp_path / "urn"
    scans(kiosk, folder, [{kiosk.layout().questions[0].id: kiosk.layout().questions[0].options[0].id,
                           "rating": "5"}], tmp_path)
    list(scan_paths(kiosk, [folder], workers=1))
    sign_in(win, qtbot, Role.OFFICE)
    export = win.screens[Mode.EXPORT]
    export.set_folder(str(tmp_path / "exports"))
    qtbot.mouseClick(export.export_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(export.job.finished, timeout=60_000):
        pass
    result = export.last_result
    text = export.result_label.text()
    assert "Nosūtiet centrālajam birojam partiju" in text and result.path.name in text
    assert "tikai tad, ja birojs to lūdz" in text  # the key file: the batch carries the certificate
    assert "publiskā" not in text.lower()
    win.ctx.set_language("en")
    assert "Send the batch" in export.result_label.text() and "only if the office asks" in export.result_label.text()
    wait_idle(win, qtbot)


# -- front desk ---------------------------------------------------------------------------------

def front_desk(win, qtbot, tmp_path):
    sign_in(win, qtbot, Role.FRONT_DESK)
    screen = win.screens[Mode.PRINT]
    screen.printers_provider = lambda: []
    win.ctx.update_settings({"print.pdf_dir": str(tmp_path / "pdf")})
    screen.on_show()
    return screen


@pytest.mark.parametrize(("n", "text"), [(1, "Drukāt 1 biļetenu"), (2, "Drukāt 2 biļetenus"),
                                         (10, "Drukāt 10 biļetenus"), (21, "Drukāt 21 biļetenu"),
                                         (22, "Drukāt 22 biļetenus")])
def test_counts_agree_with_their_words(win, qtbot, tmp_path, n, text):
    screen = front_desk(win, qtbot, tmp_path)
    screen.stack_count.setMinimum(1)
    screen.stack_count.setValue(n)
    assert screen.stack_button.text() == text
    win.ctx.set_language("en")
    assert screen.stack_button.text() == (f"Print {n} ballot" if n == 1 else f"Print {n} ballots")


def test_a_stack_over_the_limit_is_refused_with_a_word_and_a_large_one_is_asked(win, qtbot, tmp_path):
    screen = front_desk(win, qtbot, tmp_path)
    screen.stack_count.lineEdit().selectAll()
    qtbot.keyClicks(screen.stack_count.lineEdit(), "9999")
    assert screen.stack_count.value() == 9999  # not cut to 999 behind the user's back
    assert screen.stack_note.isVisible() and "ne vairāk kā 1000" in screen.stack_note.text()
    assert not screen.stack_button.isEnabled()
    screen.stack_count.setValue(150)
    assert screen.stack_button.isEnabled() and not screen.stack_note.isVisible()
    qtbot.mouseClick(screen.stack_button, Qt.MouseButton.LeftButton)
    question = screen.question
    assert question.windowTitle() == "Drukāt 150 biļetenus?" and "150 biļeteni" in question.text.text()
    qtbot.keyClick(question, Qt.Key.Key_Escape)
    assert screen.job is None and win.ctx.kiosk.store.issued_counts()["issued"] == 0


def test_printing_outside_the_voting_period_is_said_and_asked(win, qtbot, kiosk, tmp_path, clock):
    campaign = kiosk.campaign
    clock.t = dt.datetime.combine(campaign.voting_end + dt.timedelta(days=3), dt.time(12)).timestamp()
    screen = front_desk(win, qtbot, tmp_path)
    assert screen.period_note.isVisible() and "šodien nav balsošanas laiks" in screen.period_note.text()
    assert campaign.voting_end.strftime("%d.%m.%Y.") in screen.period_note.text()
    qtbot.mouseClick(screen.print_one_button, Qt.MouseButton.LeftButton)
    question = screen.question
    assert question is not None and "balsošanas laiks" in question.text.text()
    qtbot.mouseClick(question.ok_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(screen.job.finished, timeout=60_000):
        pass
    (pdf,) = (tmp_path / "pdf").glob("*.pdf")
    assert pdf.name.startswith("biletens-")
    clock.t = dt.datetime.combine(campaign.voting_start, dt.time(9)).timestamp()
    screen.on_show()
    assert not screen.period_note.isVisible()
    wait_idle(win, qtbot)


def test_a_stack_file_is_named_in_plural(tmp_path):
    assert printing_module.unique_pdf_path(tmp_path, 50).name.startswith("bileteni-50-")
    assert printing_module.unique_pdf_path(tmp_path, 1).name.startswith("biletens-")


# -- settings -----------------------------------------------------------------------------------

def test_settings_speak_english_and_agree_with_the_header(win, qtbot, kiosk):
    sign_in(win, qtbot, Role.OFFICE)
    win.show_mode(Mode.SETTINGS)
    settings = win.screens[Mode.SETTINGS]
    assert settings.language_combo.currentData() == "lv"
    qtbot.mouseClick(win.lang_buttons["en"], Qt.MouseButton.LeftButton)
    assert settings.language_combo.currentData() == "en"
    info = settings.campaign_info.text()
    assert "Kiosk number" in info and "Data are kept in the folder" in info
    for latvian in ("Kioska", "Datu mape", "Fails", ".toml", kiosk.campaign.id):
        assert latvian not in info, latvian
    assert i18n.current() == "en"
