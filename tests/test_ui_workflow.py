"""The whole day through the widgets: print → scan those ballots → review → export,
then settings and users; each role sees only its own work."""
from __future__ import annotations

import random

from PySide6.QtCore import Qt
from sheets import mark, render
from test_ui_support import OFFSCREEN_NOISE, PINS, clock, sign_in, wait_idle, win  # noqa: F401 - fixtures

from kiosk.access.roles import Role
from kiosk.central.tally import tally
from kiosk.central.verify import load_trust, verify_batches
from kiosk.intake.context import read_context
from ui.screens import Mode

pytestmark = OFFSCREEN_NOISE
DPI = 200


def test_print_scan_review_export(win, qtbot, kiosk, tmp_path):
    # -- the front desk prints three ballots ------------------------------------
    sign_in(win, qtbot, Role.FRONT_DESK)
    printing = win.screens[Mode.PRINT]
    printing.printers_provider = lambda: []
    win.ctx.update_settings({"print.pdf_dir": str(tmp_path / "pdf")})
    printing.on_show()
    printing.stack_count.setValue(3)
    qtbot.mouseClick(printing.stack_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(printing.job.finished, timeout=60_000):
        pass
    (pdf,) = (tmp_path / "pdf").glob("*.pdf")
    assert printing.today_value.text() == "3"
    qtbot.mouseClick(win.sign_out_button, Qt.MouseButton.LeftButton)

    # -- voters mark them; the urn's contents are scanned into a folder ----------
    spec = kiosk.layout()
    q1 = spec.questions[0]
    o = [x.id for x in q1.options]
    urn = tmp_path / "urn"
    urn.mkdir()
    votes = [
        {q1.id: [o[0]], "rating": ["5"]},        # counts
        {q1.id: [o[1], o[2]], "rating": ["3"]},  # overvote: review
        {"rating": ["2", "4"]},                     # two ratings, no specialist: review
    ]
    for page, v in enumerate(votes):
        img = render(pdf, page, DPI)
        for q, opts in v.items():
            for opt in opts:
                mark(img, spec, q, opt, DPI, "cross", rnd=random.Random(page))
        img.save(urn / f"scan-{page + 1}.png")
        if page == 0:  # the same ballot scanned twice (a second, different image)
            img.rotate(0.6, fillcolor=255).save(urn / "scan-1-again.png")

    # -- the helper scans the urn --------------------------------------------------
    sign_in(win, qtbot, Role.HELPER)
    intake = win.screens[Mode.INTAKE]
    intake.workers = 1
    with qtbot.waitSignal(intake.scan_finished, timeout=120_000):
        intake.scan([str(urn)])
    assert intake.model.counts == {"counted": 1, "review": 2, "rejected": 0, "duplicate": 1}

    # -- ... and reviews the two doubtful ballots from the keyboard -------------------
    qtbot.mouseClick(win.nav_buttons[Mode.REVIEW], Qt.MouseButton.LeftButton)
    review = win.screens[Mode.REVIEW]
    assert review.queue_label.text() == "Jāpārbauda: 2"
    with qtbot.waitSignal(review.decided):
        qtbot.keyClick(win, Qt.Key.Key_2)   # the voter's intent: the second specialist
        qtbot.keyClick(win, Qt.Key.Key_Return)
    qtbot.keyClick(win, Qt.Key.Key_R)   # the other one is rejected, after one question
    with qtbot.waitSignal(review.decided):
        qtbot.keyClick(review.reject_dialog, Qt.Key.Key_Return)
    assert review.item is None
    qtbot.mouseClick(win.sign_out_button, Qt.MouseButton.LeftButton)

    # -- the office exports a signed batch ----------------------------------------------
    sign_in(win, qtbot, Role.OFFICE)
    assert win.mode is Mode.EXPORT
    export = win.screens[Mode.EXPORT]
    export.set_folder(str(tmp_path / "exports"))
    assert export.ready_label.text() == "3"
    assert "Ieskaitīti: 2" in export.ready_detail.text()
    assert "Visi nolasītie biļeteni ir izlemti" in export.pending_note.text()
    qtbot.mouseClick(export.export_button, Qt.MouseButton.LeftButton)
    assert not export.export_button.isEnabled() and export.progress.isVisible()
    with qtbot.waitSignal(export.job.finished, timeout=60_000):
        pass
    result = export.last_result
    assert result.batch == 1 and result.counted == 2 and result.rejected == 1
    assert result.path.exists() and result.path.parent == tmp_path / "exports"
    assert "Partija Nr. 1 izveidota" in win.message_bar.text()
    assert export.model.rowCount() == 1
    assert export.model.index(0, 5).data() == str(result.path)
    assert export.ready_label.text() == "0"
    assert "nav jaunu biļetenu" in export.pending_note.text()

    # the central office verifies the batch and counts exactly the voters' intent
    trust = load_trust(kiosk.root)
    checks = verify_batches([result.path], trust, kiosk.campaign)
    assert checks[0].ok, checks[0].message("en")
    counted = sorted((dict(b.specialists).get(q1.id), b.ratings) for b in checks[0].ballots)
    assert counted == sorted([(o[0], (5,)), (o[1], (3,))])
    result = tally(checks, kiosk.campaign)
    assert result.ballots_counted == 2
    assert result.excluded_batches == () and result.duplicate_serial_list == ()
    votes = {(s.institution_id, s.id): s.votes for s in result.specialists if s.votes}
    assert votes == {(kiosk.institution.id, o[0]): 1, (kiosk.institution.id, o[1]): 1}
    (ours,) = [i for i in result.institutions if i.id == kiosk.institution.id]
    assert (ours.evaluations, ours.average_rating) == (2, 4.0)  # ratings 5 and 3
    wait_idle(win, qtbot)


def test_export_warns_about_ballots_pending_review(win, qtbot, kiosk, tmp_path):
    from sheets import ballot

    from kiosk.intake.scan import scan_paths

    img, _spec, _ = ballot(kiosk, tmp_path, {"rating": ("3", "4")})
    img.save(tmp_path / "p.png")
    list(scan_paths(kiosk, [tmp_path / "p.png"], workers=1))
    sign_in(win, qtbot, Role.OFFICE)
    export = win.screens[Mode.EXPORT]
    assert "vēl gaida pārbaudi: 1" in export.pending_note.text()
    assert export.review_button.isVisible()
    qtbot.mouseClick(export.review_button, Qt.MouseButton.LeftButton)
    assert win.mode is Mode.REVIEW


def test_settings_and_users(win, qtbot, kiosk, tmp_path):
    sign_in(win, qtbot, Role.OFFICE)
    qtbot.mouseClick(win.nav_buttons[Mode.SETTINGS], Qt.MouseButton.LeftButton)
    screen = win.screens[Mode.SETTINGS]
    assert kiosk.institution.name in screen.campaign_info.text()
    assert "centrālo biroju" in screen.campaign_note.text() and "kiosk enroll" not in screen.campaign_note.text()
    # thresholds go to the reader's own setting
    spin = screen.threshold_spins["reader.outline"]
    spin.setValue(30.0)
    qtbot.mouseClick(screen.threshold_save, Qt.MouseButton.LeftButton)

    assert read_context(kiosk).thresholds["outline"] == 0.3
    assert "sliekšņi saglabāti" in win.message_bar.text()
    # the expert thresholds are shown on request; defaults come back in one click
    assert not spin.isVisibleTo(screen) and screen.threshold_spins["reader.cover"].isVisibleTo(screen)
    qtbot.mouseClick(screen.threshold_more, Qt.MouseButton.LeftButton)
    assert spin.isVisibleTo(screen)
    qtbot.mouseClick(screen.threshold_defaults, Qt.MouseButton.LeftButton)
    from kiosk.reading.reader import Thresholds

    assert read_context(kiosk).thresholds["outline"] == Thresholds().outline
    # folders
    screen.scan_folder.setText(str(tmp_path / "scans"))
    qtbot.mouseClick(screen.places_save, Qt.MouseButton.LeftButton)
    assert win.ctx.settings()["scan.folder"] == str(tmp_path / "scans")
    # users: the demo PINs are flagged; add a helper; change the office PIN
    texts = [screen.users_table.item(r, 2).text() for r in range(screen.users_table.rowCount())]
    assert texts.count("demonstrācijas PIN — nomainiet!") == 3
    screen.add_name.setText("Anna Bērziņa")
    screen.add_role.setCurrentIndex(screen.add_role.findData("helper"))
    qtbot.keyClicks(screen.add_pin, "2222")
    qtbot.mouseClick(screen.add_button, Qt.MouseButton.LeftButton)
    assert "jau ir lietotājs ar šādu PIN" in win.message_bar.text()
    qtbot.keyClicks(screen.add_pin, "4321")
    qtbot.mouseClick(screen.add_button, Qt.MouseButton.LeftButton)
    assert "pievienots" in win.message_bar.text()
    assert screen.users_table.rowCount() == 4
    anna_row = next(r for r in range(4) if screen.users[r]["name"] == "Anna Bērziņa")
    screen.users_table.selectRow(anna_row)
    qtbot.mouseClick(screen.toggle_user_button, Qt.MouseButton.LeftButton)
    assert "atslēgts" in win.message_bar.text()
    screen.users_table.selectRow(anna_row)
    assert screen.toggle_user_button.text() == "Ieslēgt"
    qtbot.mouseClick(screen.toggle_user_button, Qt.MouseButton.LeftButton)
    assert "ieslēgts" in win.message_bar.text()
    office_row = next(r for r in range(4) if screen.users[r]["role"] == "office")
    screen.users_table.selectRow(office_row)
    qtbot.keyClicks(screen.new_pin, "97531")  # the office's PINs have at least 6 digits
    qtbot.mouseClick(screen.change_pin_button, Qt.MouseButton.LeftButton)
    assert "PIN kodā jābūt 6–8 cipariem" in win.message_bar.text()
    screen.users_table.selectRow(office_row)
    qtbot.keyClicks(screen.new_pin, "975319")
    qtbot.mouseClick(screen.change_pin_button, Qt.MouseButton.LeftButton)
    assert "nomainīts" in win.message_bar.text()
    assert screen.users_table.item(office_row, 2).text() == "nomainīts"
    screen.users_table.selectRow(office_row)
    qtbot.mouseClick(screen.toggle_user_button, Qt.MouseButton.LeftButton)
    assert "Pēdējo biroja lietotāju nevar atslēgt" in win.message_bar.text()
    # the new helper signs in; the old office PIN no longer works, the new one does
    qtbot.mouseClick(win.sign_out_button, Qt.MouseButton.LeftButton)
    signin = win.screens[Mode.SIGN_IN]
    assert "birojs" not in signin.demo_hint.text()
    sign_in(win, qtbot, Role.HELPER, "4321")
    assert "Anna Bērziņa" in win.user_label.text()
    qtbot.mouseClick(win.sign_out_button, Qt.MouseButton.LeftButton)
    sign_in(win, qtbot, Role.OFFICE, "3333")
    assert win.ctx.session is None
    sign_in(win, qtbot, Role.OFFICE, "975319")
    assert win.ctx.session is not None and win.ctx.session.role is Role.OFFICE


def test_the_office_sets_pin_lengths_and_sees_and_lifts_role_locks(win, qtbot, clock):
    signin = win.screens[Mode.SIGN_IN]
    for pin in ("0000", "0001", "0002"):
        sign_in(win, qtbot, Role.HELPER, pin)
    assert signin.locked
    sign_in(win, qtbot, Role.OFFICE)  # only the helper is locked
    qtbot.mouseClick(win.nav_buttons[Mode.SETTINGS], Qt.MouseButton.LeftButton)
    screen = win.screens[Mode.SETTINGS]
    assert screen.lock_labels[Role.HELPER].text() == "bloķēta vēl 30 s"
    assert screen.lock_labels[Role.FRONT_DESK].text() == "nav bloķēta"
    assert screen.unlock_buttons[Role.HELPER].isEnabled()
    assert not screen.unlock_buttons[Role.FRONT_DESK].isEnabled()
    clock.t += 5
    screen.refresh_locks()
    assert screen.lock_labels[Role.HELPER].text() == "bloķēta vēl 25 s"
    qtbot.mouseClick(screen.unlock_buttons[Role.HELPER], Qt.MouseButton.LeftButton)
    assert "atbloķēta" in win.message_bar.text()
    assert screen.lock_labels[Role.HELPER].text() == "nav bloķēta"
    # the PIN length policy: the office's 6 by default; a longer one for the helper
    assert [screen.pin_length_spins[r].value() for r in Role] == [4, 4, 6]
    screen.pin_length_spins[Role.HELPER].setValue(5)
    qtbot.mouseClick(screen.pin_length_save, Qt.MouseButton.LeftButton)
    assert "PIN garumi saglabāti" in win.message_bar.text()
    assert win.ctx.auth.pin_min_length(Role.HELPER) == 5
    # the demo PINs are 4 digits: still flagged as demo PINs to change
    texts = [screen.users_table.item(r, 2).text() for r in range(screen.users_table.rowCount())]
    assert texts.count("demonstrācijas PIN — nomainiet!") == 3
    screen.add_name.setText("Jānis")
    screen.add_role.setCurrentIndex(screen.add_role.findData("helper"))
    qtbot.keyClicks(screen.add_pin, "4321")
    qtbot.mouseClick(screen.add_button, Qt.MouseButton.LeftButton)
    assert "PIN kodā jābūt 5–8 cipariem" in win.message_bar.text()
    qtbot.keyClicks(screen.add_pin, "54321")
    qtbot.mouseClick(screen.add_button, Qt.MouseButton.LeftButton)
    assert "pievienots" in win.message_bar.text()
    # a stricter policy flags the PINs already shorter
    screen.pin_length_spins[Role.HELPER].setValue(6)
    qtbot.mouseClick(screen.pin_length_save, Qt.MouseButton.LeftButton)
    row = next(r for r in range(screen.users_table.rowCount()) if screen.users[r]["name"] == "Jānis")
    assert screen.users_table.item(row, 2).text() == "īsāks, nekā prasa politika — nomainiet!"
    qtbot.mouseClick(win.sign_out_button, Qt.MouseButton.LeftButton)
    sign_in(win, qtbot, Role.HELPER, "54321")  # and it still opens the helper's screens
    assert win.ctx.session is not None and win.ctx.session.name == "Jānis"


def test_language_setting_switches_the_whole_window(win, qtbot):
    sign_in(win, qtbot, Role.OFFICE)
    qtbot.mouseClick(win.nav_buttons[Mode.SETTINGS], Qt.MouseButton.LeftButton)
    screen = win.screens[Mode.SETTINGS]
    screen.language_combo.setCurrentIndex(screen.language_combo.findData("en"))
    qtbot.mouseClick(screen.general_save, Qt.MouseButton.LeftButton)
    assert win.ctx.lang == "en" and win.ctx.settings()["ui.language"] == "en"
    assert win.nav_buttons[Mode.SETTINGS].text() == "Settings"
    assert screen.users_box.title() == "Users and PINs"
    assert win.screens[Mode.PRINT].print_one_button.text() == "Print one ballot"
    assert win.sign_out_button.text() == "Sign out"
