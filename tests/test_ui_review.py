"""Review from the keyboard and with the mouse: confirm, correct, reject (asked once), skip,
undo; what Esc, N and Z say and do; the image's scores beside their own boxes; every answer
visible and reachable at small screens."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from sheets import scans
from test_ui_support import OFFSCREEN_NOISE, clock, sign_in, wait_idle, win  # noqa: F401 - fixtures

from kiosk.access.roles import Role
from kiosk.intake.scan import scan_paths
from ui.screens import Mode

pytestmark = OFFSCREEN_NOISE


def dialog_reasons():
    from kiosk.intake.review import REJECT_REASONS

    return REJECT_REASONS


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
    assert screen.machine_label.text().startswith("Nolasīts automātiski:")
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
    assert "vairākas atbildes" in screen.hint_label.text() and screen.hint_label.isVisible()  # Esc says what it did
    qtbot.keyClick(win, Qt.Key.Key_R)  # asks once: which reason
    dialog = screen.reject_dialog
    assert dialog is not None and dialog.isVisible() and dialog.reason == "several_marks"
    qtbot.keyClick(dialog, Qt.Key.Key_1)  # the first reason, by its digit
    with qtbot.waitSignal(screen.decided) as sig:
        qtbot.keyClick(dialog, Qt.Key.Key_Return)
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
    qtbot.mouseClick(screen.reject_button, Qt.MouseButton.LeftButton)
    dialog = screen.reject_dialog
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)  # not this time: nothing is decided
    assert screen.reject_dialog is None and kiosk.store.decisions(first) == [] and screen.item.sheet_id == first
    qtbot.mouseClick(screen.reject_button, Qt.MouseButton.LeftButton)
    dialog = screen.reject_dialog
    dialog.reasons.setCurrentRow(list(dialog_reasons()).index("identifying"))
    with qtbot.waitSignal(screen.decided):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
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


def test_ctrl_z_and_the_button_take_back_the_last_decisions(win, qtbot, kiosk, tmp_path):
    q1 = kiosk.layout().questions[0]
    o = [x.id for x in q1.options]
    # an overvote, and a dot beside a specialist (a marginal mark: the machine reads only the rating)
    results = stored_ballots(kiosk, tmp_path, [{q1.id: (o[0], o[1]), "rating": "4"}, {q1.id: o[2], "rating": "2"}],
                             kinds=[None, {(q1.id, o[2]): "dot"}])
    screen = open_review(win, qtbot)
    assert not screen.undo_button.isEnabled()  # nothing decided in this session yet
    qtbot.keyClick(win, Qt.Key.Key_1)
    with qtbot.waitSignal(screen.decided):
        qtbot.keyClick(win, Qt.Key.Key_Return)
    with qtbot.waitSignal(screen.decided):
        qtbot.keyClick(win, Qt.Key.Key_Return)
    assert screen.item is None and screen.empty_undo.isVisible()
    assert win.nav_buttons[Mode.REVIEW].text() == "Pārbaudīt"
    # Ctrl+Z: the last decision is taken back and its ballot is shown again
    with qtbot.waitSignal(screen.decided) as sig:
        qtbot.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert sig.args == ["undo", results[1].sheet_id]
    assert screen.item.sheet_id == results[1].sheet_id and "atsaukts" in screen.reason_box.text()
    assert win.nav_buttons[Mode.REVIEW].text() == "Pārbaudīt (1)"
    assert "Lēmums atsaukts" in win.message_bar.text()
    # the button takes back the one before
    with qtbot.waitSignal(screen.decided) as sig:
        qtbot.mouseClick(screen.undo_button, Qt.MouseButton.LeftButton)
    assert sig.args == ["undo", results[0].sheet_id] and screen.item.sheet_id == results[0].sheet_id
    assert not screen.undo_button.isEnabled()
    assert [d["action"] for d in kiosk.store.decisions(results[0].sheet_id)] == ["correct", "undo"]
    assert kiosk.store.review_queue_ids() == [results[0].sheet_id, results[1].sheet_id]
    # another session has nothing to take back
    win.ctx.sign_out()
    screen = open_review(win, qtbot)
    assert not screen.undo_button.isEnabled() and screen.undo_stack == []
    wait_idle(win, qtbot)


def test_n_on_the_last_ballot_esc_and_a_blank_ballot_say_what_happens(win, qtbot, kiosk, tmp_path):
    q1 = kiosk.layout().questions[0]
    o = q1.options[2].id
    # a dot beside a specialist and nothing else: a person must look, the machine read a blank ballot
    (result,) = stored_ballots(kiosk, tmp_path, [{q1.id: o}], kinds=[{(q1.id, o): "dot"}])
    screen = open_review(win, qtbot)
    qtbot.keyClick(win, Qt.Key.Key_N)
    assert screen.item.sheet_id == result.sheet_id and "vienīgais" in screen.hint_label.text()
    qtbot.keyClick(win, Qt.Key.Key_Escape)
    assert screen.hint_label.text() == "Atjaunots automātiskais nolasījums."
    assert screen.confirm_button.text() == "Apstiprināt: tukšs biļetens (Enter)"
    qtbot.keyClick(win, Qt.Key.Key_R)
    assert screen.reject_dialog.reason == "blank"  # the blank reason is offered first
    qtbot.keyClick(screen.reject_dialog, Qt.Key.Key_Escape)
    assert screen.reject_dialog is None and kiosk.store.decisions(result.sheet_id) == []
    with qtbot.waitSignal(screen.decided):
        qtbot.keyClick(win, Qt.Key.Key_Return)
    assert "tukšs biļetens" in win.message_bar.text() and "ieskaitīts" not in win.message_bar.text()
    wait_idle(win, qtbot)


def test_scores_sit_beside_their_own_boxes_and_z_zooms_on_the_question(win, qtbot, kiosk, tmp_path):
    stored_ballots(kiosk, tmp_path, [{kiosk.layout().questions[0].id: (kiosk.layout().questions[0].options[0].id,
                                                                        kiosk.layout().questions[0].options[1].id),
                                      "rating": "4"}])
    screen = open_review(win, qtbot)
    qtbot.waitUntil(lambda: screen.image.image is not None and bool(screen.image.boxes), timeout=20_000)
    boxes = screen.image.boxes
    rects = [screen.image.box_rect(b) for b in boxes]
    for b in boxes:
        label = screen.image.label_rect(b)
        own = screen.image.box_rect(b)
        # no label lies on another box, and each is nearer its own box than any other
        assert not any(label.intersects(r) for r in rects if r != own), b.tags
        dist = [((label.center().x() - r.center().x()) ** 2 + (label.center().y() - r.center().y()) ** 2, r == own)
                for r in rects]
        assert min(dist)[1], b.tags
    rating = [b for b in boxes if b.tags["question"] == "rating"]
    assert all(b.label_above for b in rating[1:])  # a row of boxes: the scores go above them
    # the whole page: the scores of inked boxes and of the focused one; an empty box's "0%"
    # would only cover the names and titles printed around it
    assert all(b.label for b in boxes if b.tags["state"] != "unmarked" or b.focused)
    assert [b for b in boxes if not b.label] and all(b.tags["state"] == "unmarked" for b in boxes if not b.label)
    # Z: the question in focus, larger, with every score; Z again: the whole page
    whole = screen.image.box_rect(boxes[0]).width()
    qtbot.keyClick(win, Qt.Key.Key_Z)
    assert screen.image.zoom is not None and screen.zoom_button.text() == "Attālināt (Z)"
    assert all(b.label.endswith("%") for b in screen.image.boxes)
    assert screen.image.box_rect(boxes[0]).width() > 1.5 * whole
    qtbot.keyClick(win, Qt.Key.Key_Down)  # the zoom follows the focus
    zoomed = screen.image.zoom
    assert zoomed.contains(screen.image.zoom.center())
    assert all(zoomed.contains(QPointF(*b.polygon[0])) for b in rating)
    qtbot.keyClick(win, Qt.Key.Key_Z)
    assert screen.image.zoom is None
    # a click on the picture zooms in there, the next one out
    qtbot.mouseClick(screen.image, Qt.MouseButton.LeftButton, pos=screen.image.rect().center())
    assert screen.image.zoom is not None
    qtbot.mouseClick(screen.image, Qt.MouseButton.LeftButton, pos=screen.image.rect().center())
    assert screen.image.zoom is None
    wait_idle(win, qtbot)


@pytest.mark.parametrize("size", [(1024, 768), (1366, 768)])
def test_every_answer_is_visible_and_reachable_by_keyboard(win, qtbot, kiosk, tmp_path, size):
    q1 = kiosk.layout().questions[0]
    stored_ballots(kiosk, tmp_path, [{q1.id: (q1.options[0].id, q1.options[1].id), "rating": "4"}])
    win.resize(*size)
    screen = open_review(win, qtbot)
    qtbot.waitUntil(lambda: win.width() == size[0] and win.height() <= size[1], timeout=5000)
    assert win.width() == size[0] and win.height() == size[1], (win.width(), win.height())
    viewport = screen.scroll.viewport()

    def visible(button):
        r = QRect(button.mapTo(viewport, QPoint(0, 0)), button.size())
        return viewport.rect().contains(r) and button.isVisible()

    questions = kiosk.layout().questions
    qtbot.waitUntil(lambda: screen.scroll.viewport().height() > 100, timeout=5000)  # laid out at this size
    assert all(visible(b) for b in screen.option_buttons.values()), "an answer is cut off or hidden"
    # and from the keyboard: every answer can take the focus and is in view when it does
    for qi, q in enumerate(questions):
        for oi, opt in enumerate(q.options):
            assert screen._focused() == (q.id, opt.id)
            assert visible(screen.option_buttons[(q.id, opt.id)])
            qtbot.keyClick(win, Qt.Key.Key_Right)
        qtbot.keyClick(win, Qt.Key.Key_Down)
    # with many more answers than fit (a long roster), the one in focus scrolls into view
    screen.scroll.setMaximumHeight(110)
    qtbot.waitUntil(lambda: screen.scroll.viewport().height() <= 110, timeout=5000)
    seen_scrolled = False
    for _round in range(2):
        for q in questions:
            for _opt in q.options:
                focused = screen.option_buttons[screen._focused()]
                assert visible(focused), screen._focused()
                seen_scrolled |= screen.scroll.verticalScrollBar().value() > 0
                qtbot.keyClick(win, Qt.Key.Key_Right)
            qtbot.keyClick(win, Qt.Key.Key_Down)
    assert seen_scrolled
    screen.scroll.setMaximumHeight(16777215)
    # the buttons of the panel are whole too
    for b in (screen.confirm_button, screen.reject_button, screen.undo_button, screen.skip_button,
              screen.restore_button):
        assert b.isVisible() and b.sizeHint().width() <= b.width() + 1, b.objectName()
    wait_idle(win, qtbot)


def test_a_part_for_another_kind_of_review_work_slots_in(win, qtbot, kiosk, tmp_path):
    """A widget module adds its own review work above the questions and may take an Enter."""
    from PySide6.QtWidgets import QLabel

    class TypedNote(QLabel):
        def __init__(self):
            super().__init__()
            self.shown, self.enters = [], 0

        def show_item(self, item):
            self.shown.append(item.sheet_id if item is not None else None)
            self.setText(f"sheet {item.sheet_id}" if item else "")

        def consume_enter(self):
            self.enters += 1
            return self.enters == 1  # the first Enter is its own

    q1 = kiosk.layout().questions[0]
    o = q1.options[2].id
    (result,) = stored_ballots(kiosk, tmp_path, [{q1.id: o, "rating": "2"}], kinds=[{(q1.id, o): "dot"}])
    screen = open_review(win, qtbot)
    part = TypedNote()
    screen.add_part(part)
    assert part.shown == [result.sheet_id] and part.isVisible()
    qtbot.keyClick(win, Qt.Key.Key_Return)
    assert kiosk.store.decisions(result.sheet_id) == []  # the part took it
    with qtbot.waitSignal(screen.decided):
        qtbot.keyClick(win, Qt.Key.Key_Return)
    assert part.shown[-1] is None
    wait_idle(win, qtbot)
