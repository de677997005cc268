"""`kiosk` with no arguments opens the application; bugs are logged and told plainly."""
from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from test_ui_support import OFFSCREEN_NOISE, clock, sign_in, win  # noqa: F401 - fixtures

from kiosk.access.roles import Role
from ui.main_window import MainWindow
from ui.screens import Mode

pytestmark = OFFSCREEN_NOISE


def test_kiosk_command_opens_the_application_on_the_demo_campaign(tmp_path, monkeypatch, qtbot):
    from kiosk.cli import main as cli

    monkeypatch.setenv("KIOSK_WINDOWED", "1")
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run() installs its own; restored afterwards
    seen = {}

    def look_and_leave() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        assert len(windows) == 1
        w = windows[0]
        seen["title"] = w.windowTitle()
        seen["mode"] = w.mode
        seen["size"] = (w.width(), w.height())
        avail = QApplication.primaryScreen().availableGeometry()  # the session's screen is 800x800
        seen["fitted"] = (max(w.minimumWidth(), min(1280, avail.width())), min(800, avail.height()))
        seen["institution"] = w.ctx.kiosk.institution.id
        w.close()  # refused: nobody gave an office PIN
        seen["still_open"] = w.isVisible()
        w.exit_dialog.reject()
        w.exit_kiosk()

    QTimer.singleShot(0, look_and_leave)
    assert cli.main(["--data-dir", str(tmp_path / "fresh")]) == 0
    assert seen["title"].startswith("Urnas kiosks — Laba servisa kustība 2026")
    assert seen["mode"] is Mode.SIGN_IN and seen["still_open"]
    assert seen["size"] == seen["fitted"]  # 1280x800, or as much of a smaller screen as its minimum allows
    assert seen["institution"] == "riga-vid-klientu-centrs"  # a fresh data directory enrolled itself in the demo
    assert (tmp_path / "fresh" / "kiosk.db").exists()


def test_the_kiosk_covers_the_whole_screen_by_default(tmp_path):
    """Full-screen by default, with the screen's geometry set explicitly: a bare kiosk
    X session has no window manager to honour a full-screen request.  Run as its own
    process on a 1280x800 offscreen screen (the test session's screen is 800x800)."""
    import json
    import os
    import subprocess

    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "kiosk", "x": 0, "y": 0, "width": 1280, "height": 800,
                                               "logicalDpi": 96}]}))
    driver = (
        "import json, sys\n"
        "from PySide6.QtCore import QTimer\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from kiosk.cli import main as cli\n"
        "from ui.main_window import MainWindow\n"
        "def look():\n"
        "    (w,) = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]\n"
        "    g, s = w.geometry(), QApplication.primaryScreen().geometry()\n"
        "    print(json.dumps({'full': w.isFullScreen(), 'window': [g.x(), g.y(), g.width(), g.height()],\n"
        "                      'screen': [s.x(), s.y(), s.width(), s.height()]}))\n"
        "    w.exit_kiosk()\n"
        "QTimer.singleShot(0, look)\n"
        "sys.exit(cli.main(['--data-dir', sys.argv[1]]))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "KIOSK_WINDOWED"}
    env["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"
    done = subprocess.run([sys.executable, "-c", driver, str(tmp_path / "data")], capture_output=True, text=True,
                          timeout=120, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["full"] and seen["window"] == seen["screen"] == [0, 0, 1280, 800], seen


def test_a_bug_in_a_slot_is_logged_and_told_plainly(win, qtbot, caplog):
    from ui.app import excepthook

    sign_in(win, qtbot, Role.HELPER)
    try:
        raise ZeroDivisionError("boom")
    except ZeroDivisionError:
        exc_type, exc, tb = sys.exc_info()
    with caplog.at_level(logging.ERROR, logger="kiosk.ui"):
        excepthook(exc_type, exc, tb)
    assert "Radās programmas kļūda" in win.message_bar.text()
    assert win.message_bar.level == "error"
    assert "ZeroDivisionError: boom" in caplog.text and "Traceback" in caplog.text
    assert win.isVisible() and win.ctx.session is not None  # the kiosk carries on


def test_a_failed_background_job_that_is_a_bug_is_reported_once(win, qtbot, caplog):
    sign_in(win, qtbot, Role.HELPER)
    with caplog.at_level(logging.ERROR, logger="kiosk.ui"):
        job = win.ctx.runner.run(lambda ctx: [][1], name="broken")
        with qtbot.waitSignal(job.finished):
            pass
    bugs = [r for r in caplog.records if r.levelno == logging.ERROR and "IndexError" in r.getMessage()]
    assert len(bugs) == 1 and "Traceback" in bugs[0].getMessage()  # once, with its trace
    assert "Radās programmas kļūda" in win.message_bar.text() and win.message_bar.level == "error"
    assert win.ctx.session is not None  # the kiosk carries on
