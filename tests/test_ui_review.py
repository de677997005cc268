"""Review from the keyboard and with the mouse: confirm, correct, reject, skip."""
from __future__ import annotations

from PySide6.QtCore import Qt
from sheets import scans
from test_ui_support import OFFSCREEN_NOISE, clock, sign_in, wait_idle, win  # noqa: F401 - fixtures

from kiosk.access.roles import Role
from kiosk.intake.scan import scan_paths
from ui.screens import Mode

pytestmark = OFFSCREEN_NOISE


def stored_ballots(kiosk, tmp_path, votes_list, kinds=None):
    return list(scan_paths(kiosk, scans(kiosk, tmp_path, votes_list, tmp_path, prefix="r", kinds=kinds), workers=1))


def open_review(win, qtbot, role=Role.HELPER):
    sign_in(win, qtbot, role)
    qtbot.mouseClick(win.nav_buttons[Mode.REVIEW], Qt.MouseButton.LeftButton)
    assert win.mode is Mode.REVIEW
    return win.screens[Mode.REVIEW]


def test_review_entirely_from_the_keyboard(win, qtbot, kiosk, tmp_path):
    q1 = kiosk.layout().questions[0]
    o = [x.id for x in q1.options]
    results = stored_ballots(kiosk, tmp_path, [
        {q1.id: (o[0], o[1]), "rating": "4"},   # overvote
        {q1.id: o[2], "rating": "2"},           # a dot in the specialist list: nothing there for the machine
        {q1.id: (o[2], o[3]), "rating": "1"},   # overvote again
    ], kinds=[None, {(q1.id, o[2]): "dot"}, None])
    assert [r.status for r in results] == ["review"] * 3
    screen = open_review(win, qtbot)
    assert win.nav_buttons[Mode.REVIEW].text() == "Pārbaudīt (3)"
    assert screen.item.sheet_id == results[0].sheet_id
    assert "Jāpārbauda: 3" == screen.queue_label.text()
    assert "vairāk nekā viens" in screen.reason_box.text()
    assert q1.options[0].label in screen.machine_label.text()
    assert screen.machine_label.text().startswith("Mašīna nolasīja:")
    # the image arrives with every box outlined and scored
    qtbot.waitUntil(lambda: screen.image.image is not None and bool(screen.image.boxes), timeout=20_000)
    assert len(screen.image.boxes) == sum(len(q.options) for q in kiosk.layout().questions)
    # an overvote starts empty in that question; Enter alone would count nothing there,
    # so the reviewer picks: 2 (second specialist), ↓ to the rating, 4, Enter
    assert screen.chosen[q1.id] == []
    qtbot.keyClick(win, Qt.Key.Key_2)
    assert screen.chosen[q1.id] == [o[1]]
    assert screen.confirm_button.text() == "Saglabāt labojumu (Enter)"
    qtbot.keyClick(win, Qt.Key.Key_Down)
    assert screen.focus_q == 1
    assert screen.chosen["rating"] == ["4"]  # the machine read the rating fine
    with qtbot.waitSignal(screen.decided) as sig:
        qtbot.keyClick(win, Qt.Key.Key_Return)
    assert sig.args == ["correct", results[0].sheet_id]
    assert "ar jūsu labojumu" in win.message_bar.text()
    # the second: confirm the machine's reading as it is (no specialist, rating 2)
    assert screen.item.sheet_id == results[1].sheet_id
    assert screen.confirm_button.text() == "Apstiprināt (Enter)"
    with qtbot.waitSignal(screen.decided) as sig:
        qtbot.keyClick(win, Qt.Key.Key_Enter)
    assert sig.args == ["confirm", results[1].sheet_id]
    # the third: arrows and space pick, Esc restores, R rejects
    qtbot.keyClick(win, Qt.Key.Key_Right)
    qtbot.keyClick(win, Qt.Key.Key_Space)
    assert screen.chosen[q1.id] == [o[1]]
    qtbot.keyClick(win, Qt.Key.Key_Space)
    assert screen.chosen[q1.id] == []
    qtbot.keyClick(win, Qt.Key.Key_Escape)
    with qtbot.waitSignal(screen.decided) as sig:
        qtbot.keyClick(win, Qt.Key.Key_R)
    assert sig.args == ["reject", results[2].sheet_id]
    assert screen.item is None and screen.empty_label.isVisible()
    assert win.nav_buttons[Mode.REVIEW].text() == "Pārbaudīt"
    # recorded beside the machine's reading, with the role
    d0 = kiosk.store.decisions(results[0].sheet_id)
    assert d0[0]["action"] == "correct" and d0[0]["role"] == "helper"
    assert d0[0]["selections"] == {q1.id: [o[1]], "rating": ["4"]}
    assert kiosk.store.sheet(results[0].sheet_id).selections[q1.id] == [o[0], o[1]]
    assert kiosk.store.decisions(results[1].sheet_id)[0]["action"] == "confirm"
    d2 = kiosk.store.decisions(results[2].sheet_id)[0]
    assert d2["action"] == "reject" and d2["reason"] == "unreadable"
    wait_idle(win, qtbot)


def test_mouse_review_skip_and_reject_reason(win, qtbot, kiosk, tmp_path):
    q1 = kiosk.layout().questions[0]
    o = [x.id for x in q1.options]
    results = stored_ballots(kiosk, tmp_path, [{q1.id: (o[0], o[1])}, {"rating": ("4", "5")}])
    screen = open_review(win, qtbot, Role.OFFICE)
    first = screen.item.sheet_id
    qtbot.mouseClick(screen.skip_button, Qt.MouseButton.LeftButton)
    assert screen.item.sheet_id == results[1].sheet_id
    qtbot.mouseClick(screen.skip_button, Qt.MouseButton.LeftButton)
    assert screen.item.sheet_id == first  # wraps round
    screen.reject_reason.setCurrentIndex(screen.reject_reason.findData("identifying"))
    qtbot.mouseClick(screen.reject_button, Qt.MouseButton.LeftButton)
    assert kiosk.store.decisions(first)[0]["reason"] == "identifying"
    assert kiosk.store.decisions(first)[0]["role"] == "office"
    assert "noraidīts" in win.message_bar.text()
    # clicking an option and clicking it again clears it
    button = screen.option_buttons[(q1.id, o[2])]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert button.isChecked() and screen.chosen[q1.id] == [o[2]]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert not button.isChecked() and screen.chosen[q1.id] == []
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(screen.confirm_button, Qt.MouseButton.LeftButton)
    assert kiosk.store.decisions(results[1].sheet_id)[0]["selections"][q1.id] == [o[2]]
    wait_idle(win, qtbot)


def test_a_decision_someone_else_made_first_is_said_plainly(win, qtbot, kiosk, tmp_path):
    from kiosk.access.auth import Auth
    from kiosk.intake.review import Review

    results = stored_ballots(kiosk, tmp_path, [{"rating": ("4", "5")}])
    open_review(win, qtbot)
    other = Auth(kiosk.store).sign_in(Role.OFFICE, "3333")
    Review(kiosk, other).reject(results[0].sheet_id, "damaged")  # another kiosk screen won the race
    qtbot.keyClick(win, Qt.Key.Key_Return)
    assert "vairs negaida pārbaudi" in win.message_bar.text()
    assert len(kiosk.store.decisions(results[0].sheet_id)) == 1
    wait_idle(win, qtbot)
