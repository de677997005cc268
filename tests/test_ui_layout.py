"""No screen cuts a text off: in Latvian and English at 1024×768, and in the pseudo-language
(every string of the kiosk 40 % longer, as Vorta checks its layouts) at 1366×768; and the
window never needs more than 1000 px of width."""
from __future__ import annotations

import pytest
from clipping import clipped
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton
from sheets import scans
from test_ui_support import OFFSCREEN_NOISE, clock, sign_in, wait_idle, win  # noqa: F401 - fixtures

from kiosk.access.roles import Role
from ui import i18n
from ui.screens import Mode

pytestmark = OFFSCREEN_NOISE

ROLES = (Role.FRONT_DESK, Role.HELPER, Role.OFFICE)


def every_screen(win, qtbot, kiosk, tmp_path):
    """Sign in as each role with some work on the screens; yield (where, window) at each screen."""
    q1 = kiosk.layout().questions[0]
    o = [x.id for x in q1.options]
    folder = tmp_path / "urn"
    scans(kiosk, folder, [{q1.id: o[0], "rating": "5"}, {q1.id: (o[0], o[1]), "rating": "3"}], tmp_path)
    yield "sign-in", win
    for role in ROLES:
        sign_in(win, qtbot, role)
        if role is Role.FRONT_DESK:
            win.screens[Mode.PRINT].printers_provider = lambda: []
        if role is Role.HELPER:
            intake = win.screens[Mode.INTAKE]
            intake.workers = 1
            with qtbot.waitSignal(intake.scan_finished, timeout=120_000):
                intake.scan([str(folder)])
            intake.select_row(1)
        if role is Role.OFFICE:
            win.screens[Mode.SETTINGS].printers_provider = lambda: []
        for mode, button in win.nav_buttons.items():
            if not button.isHidden():
                qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
                wait_idle(win, qtbot)
                yield f"{role.value}/{mode.value}", win
        win.ctx.sign_out()


@pytest.mark.parametrize(("lang", "size"), [("lv", (1024, 768)), ("en", (1024, 768)), (i18n.PSEUDO, (1366, 768))])
def test_no_screen_cuts_a_text_off(win, qtbot, kiosk, tmp_path, lang, size):
    win.resize(*size)
    win.ctx.set_language(lang)
    problems = []
    for where, window in every_screen(win, qtbot, kiosk, tmp_path):
        qtbot.waitUntil(lambda: window.width() == size[0], timeout=5000)
        for _ in range(3):  # the layouts a shown screen asked for, done now (each may ask for the next)
            QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        if (window.width(), window.height()) != size:
            problems.append(f"{where}: the window grew to {window.width()}×{window.height()}")
        if window.minimumSizeHint().width() > 1000 and lang != i18n.PSEUDO:
            problems.append(f"{where}: the window needs {window.minimumSizeHint().width()} px")
        problems += [f"{where}: {text}" for text in clipped(window)]
    assert not problems, "\n".join(problems)


def test_the_check_finds_a_cut_off_text(win, qtbot):
    """The check can fail: a label and a button made too narrow for their texts are found."""
    screen = win.screens[Mode.SIGN_IN]
    label = QLabel("Šis teksts neietilpst šaurajā vietā", screen)
    label.setGeometry(0, 0, 40, 20)
    button = QPushButton("Drukāt vienu biļetenu", screen)
    button.setGeometry(0, 30, 60, 40)
    label.show()
    button.show()
    found = clipped(win)
    assert any("neietilpst" in f for f in found) and any("Drukāt vienu" in f for f in found)
    label.hide()
    button.hide()
    assert clipped(win) == []


def test_the_pseudo_language_stretches_every_kiosk_string_and_keeps_its_placeholders():
    text = i18n.pseudo_text("Partija Nr. {n} izveidota: {path}\nNolasīti %n")
    first, second = text.split("\n")
    assert "{n}" in first and "{path}" in first and second.startswith("Nolasīti %n")
    plain = "Drukāt vienu biļetenu"
    assert len(i18n.pseudo_text(plain)) >= 1.4 * len(plain)
    translator = i18n.PseudoTranslator()
    assert translator.translate("PrintScreen", plain) == i18n.pseudo_text(plain)
    assert translator.translate("QFileDialog", "Look in:") == ""  # Qt's own words keep their language
