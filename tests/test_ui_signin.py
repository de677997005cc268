"""Sign-in by role and PIN, lockout, idle sign-out, the full-screen exit guard."""
from __future__ import annotations

from PySide6.QtCore import Qt
from test_ui_support import OFFSCREEN_NOISE, PINS, clock, sign_in, win  # noqa: F401 - fixtures

from kiosk.access.auth import Auth
from kiosk.access.roles import Role
from kiosk.station import Kiosk
from ui.screens import Mode

pytestmark = OFFSCREEN_NOISE


def test_sign_in_opens_the_role_s_screen_and_only_its_navigation(win, qtbot):
    assert win.mode is Mode.SIGN_IN
    signin = win.screens[Mode.SIGN_IN]
    assert "1111" in signin.demo_hint.text() and "birojs" in signin.demo_hint.text()
    assert signin.role_buttons[Role.HELPER].text().startswith("Palīgs")
    assert not win.nav.isVisible()
    sign_in(win, qtbot, Role.FRONT_DESK)
    assert win.mode is Mode.PRINT
    visible = {m for m, b in win.nav_buttons.items() if b.isVisible()}
    assert visible == {Mode.PRINT}
    assert "Reģistratūra" in win.user_label.text()
    assert not win.exit_button.isVisible()
    # a screen the role may not use cannot be shown, even programmatically
    assert win.show_mode(Mode.SETTINGS) is False and win.mode is Mode.PRINT
    qtbot.mouseClick(win.sign_out_button, Qt.MouseButton.LeftButton)
    assert win.mode is Mode.SIGN_IN and win.ctx.session is None
    sign_in(win, qtbot, Role.OFFICE)
    assert win.mode is not Mode.SIGN_IN
    visible = {m for m, b in win.nav_buttons.items() if b.isVisible()}
    assert Mode.SETTINGS in visible and Mode.PRINT in visible
    assert win.exit_button.isVisible()


def test_pin_without_role_asks_for_the_role(win, qtbot):
    screen = win.screens[Mode.SIGN_IN]
    qtbot.keyClicks(screen.pad.field, "1111")
    qtbot.keyClick(screen.pad.field, Qt.Key.Key_Return)
    assert "lomu" in screen.error_label.text()
    assert win.ctx.session is None


def test_wrong_pins_lock_the_role_out_with_growing_delays_and_survive_restart(win, qtbot, clock):
    screen = win.screens[Mode.SIGN_IN]
    sign_in(win, qtbot, Role.HELPER, "0000")
    assert screen.error_label.text() == "Nepareizs PIN kods: atlikuši vēl 2 mēģinājumi"
    sign_in(win, qtbot, Role.HELPER, "0001")
    assert screen.error_label.text() == "Nepareizs PIN kods: atlicis vēl 1 mēģinājums"
    assert not screen.locked
    sign_in(win, qtbot, Role.HELPER, "0002")
    assert screen.locked
    assert "30 s" in screen.lock_label.text()
    assert not screen.pad.ok_button.isEnabled()
    # the right PIN typed through the keyboard is refused while locked
    sign_in(win, qtbot, Role.HELPER)
    qtbot.keyClick(screen.pad.field, Qt.Key.Key_Return)
    assert win.ctx.session is None and win.mode is Mode.SIGN_IN and screen.locked
    clock.t += 10
    screen.refresh_lock()
    assert "20 s" in screen.lock_label.text()
    # a restart reads the same lock from the database
    with Kiosk.open(win.ctx.datadir) as k2:
        assert Auth(k2.store, clock=clock).locked_for(Role.HELPER) == 20
    # only the helper is locked: choosing the front desk opens the pad, and it signs in
    screen.choose_role(Role.FRONT_DESK)
    assert not screen.locked and screen.lock_label.text() == ""
    sign_in(win, qtbot, Role.FRONT_DESK)
    assert win.mode is Mode.PRINT
    qtbot.mouseClick(win.sign_out_button, Qt.MouseButton.LeftButton)
    screen.choose_role(Role.HELPER)
    assert screen.locked
    clock.t += 20
    screen.refresh_lock()
    assert not screen.locked
    # after the lock, fresh tries: one wrong PIN does not lock again
    sign_in(win, qtbot, Role.HELPER, "9999")
    assert not screen.locked and "atlikuši vēl 2" in screen.error_label.text()
    screen.choose_role(Role.OFFICE)
    screen.choose_role(Role.HELPER)  # choosing the role again tells its tries
    assert screen.lock_label.text() == "Lomai atlikuši vēl 2 mēģinājumi."
    sign_in(win, qtbot, Role.HELPER, "9998")
    sign_in(win, qtbot, Role.HELPER, "9997")
    assert screen.locked and "60 s" in screen.lock_label.text()  # the second lock is longer
    clock.t += 60
    # the countdown timer re-enables the pad by itself, at its next tick
    assert screen.locked and screen._lock_timer.isActive()
    with qtbot.waitSignal(screen._lock_timer.timeout, timeout=10_000):
        pass
    assert not screen.locked and not screen._lock_timer.isActive() and screen.lock_label.text() == ""
    sign_in(win, qtbot, Role.HELPER)
    assert win.mode is Mode.INTAKE


def test_idle_session_signs_out(win, qtbot):
    sign_in(win, qtbot, Role.FRONT_DESK)
    win.set_idle_timeout(150)
    assert win.idle_timer.isActive() and win.idle_timer.interval() == 150 - win.warning_ms  # a warning first
    with qtbot.waitSignal(win.idle_warned, timeout=10_000):
        pass
    assert win.ctx.session is not None and "automātiska iziešana" in win.message_bar.text()
    with qtbot.waitSignal(win.idle_signed_out, timeout=10_000):
        pass
    assert win.mode is Mode.SIGN_IN and win.ctx.session is None
    assert win.message_bar.text() == "Jūs izrakstījāties automātiski, jo kiosks netika lietots 1 minūti."
    assert not win.idle_timer.isActive()


def test_user_input_restarts_the_idle_timer(win, qtbot):
    """The timer is stopped by the test (as if the idle time were about to run out):
    only the person's input can start it again, with the full idle time."""
    sign_in(win, qtbot, Role.FRONT_DESK)
    win.set_idle_timeout(60_000)
    assert win.idle_timer.isActive() and win.idle_timer.interval() == 30_000  # then 30 s of warning
    spin = win.screens[Mode.PRINT].stack_count
    before = spin.value()
    win.idle_timer.stop()
    qtbot.keyClick(spin, Qt.Key.Key_Up)  # a key press
    assert spin.value() == before + 1  # the key reached the screen
    assert win.idle_timer.isActive() and win.idle_timer.interval() == 30_000
    win.idle_timer.stop()
    qtbot.mouseClick(win.user_label, Qt.MouseButton.LeftButton)  # a tap anywhere
    assert win.idle_timer.isActive() and win.idle_timer.interval() == 30_000
    assert win.ctx.session is not None and win.mode is Mode.PRINT


def test_window_refuses_to_close_without_an_office_pin(win, qtbot):
    sign_in(win, qtbot, Role.HELPER)
    with qtbot.waitSignal(win.exit_refused):
        win.close()
    assert win.isVisible()
    dialog = win.exit_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.keyClicks(dialog.pad.field, "2222")  # the helper's PIN does not open the door
    qtbot.mouseClick(dialog.pad.ok_button, Qt.MouseButton.LeftButton)
    assert "Nepareizs" in dialog.error.text()
    assert win.isVisible()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and win.isVisible()
    win.close()
    qtbot.keyClicks(dialog.pad.field, PINS[Role.OFFICE])
    qtbot.keyClick(dialog.pad.field, Qt.Key.Key_Return)
    assert not win.isVisible()


def test_office_exit_button_asks_once_then_closes(win, qtbot):
    sign_in(win, qtbot, Role.OFFICE)
    qtbot.mouseClick(win.exit_button, Qt.MouseButton.LeftButton)
    question = win.close_question
    assert question is not None and question.isVisible() and win.isVisible()
    assert question.windowTitle() == "Aizvērt kiosku?"
    qtbot.mouseClick(question.cancel_button, Qt.MouseButton.LeftButton)  # a slip of the finger: nothing happens
    assert win.close_question is None and win.isVisible() and win.ctx.session is not None
    qtbot.mouseClick(win.exit_button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(win.close_question, Qt.Key.Key_Return)
    assert not win.isVisible()
    events = [(r["event"], r["actor"]) for r in win.ctx.kiosk.store.audit_rows()]
    assert events[-2:] == [("auth.signed_in", "office"), ("kiosk.closed", "office")]


def test_language_switches_live(win, qtbot):
    screen = win.screens[Mode.SIGN_IN]
    qtbot.mouseClick(win.lang_buttons["en"], Qt.MouseButton.LeftButton)
    assert win.ctx.lang == "en"
    assert screen.role_buttons[Role.HELPER].text().startswith("Helper")
    sign_in(win, qtbot, Role.HELPER, "0000")
    assert screen.error_label.text() == "Wrong PIN: 2 tries left"
    qtbot.mouseClick(win.lang_buttons["lv"], Qt.MouseButton.LeftButton)
    assert screen.role_buttons[Role.HELPER].text().startswith("Palīgs")
