"""Entry point of the Qt application: ``kiosk`` with no arguments calls ``run``.

``run`` opens (or, the first time, enrolls in the demo campaign) the data
directory, shows the kiosk full-screen in Latvian (or the language chosen in
Settings), and returns the exit status when an office PIN closes it.
"""
from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox

# The reader is imported here, on the UI thread at start-up: importing numpy, Pillow
# and the decoders later on a worker thread would hold the GIL and stall the event loop.
import kiosk.intake.scan  # noqa: F401
import kiosk.reading.imaging  # noqa: F401
from kiosk import assets
from kiosk.errors import KioskError
from kiosk.station import Kiosk

from . import i18n
from .context import AppContext, report_bug
from .main_window import MainWindow

log = logging.getLogger("kiosk.ui")


def excepthook(exc_type, exc, tb) -> None:
    """Bugs in slots and event handlers: log the trace, show a plain message."""
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    report_bug(exc_type, exc, tb)


def setup_application(app: QApplication) -> None:
    """Fonts (DejaVu Sans: every Latvian letter) and the kiosk style sheet."""
    app.setApplicationName("urn-kiosk")
    app.setOrganizationName("Laba servisa kustība")
    family = None
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        fid = QFontDatabase.addApplicationFont(str(assets.font(name)))
        if fid >= 0 and family is None:
            family = QFontDatabase.applicationFontFamilies(fid)[0]
    font = QFont(family or app.font().family())
    font.setPixelSize(17)
    app.setFont(font)
    style = assets.style()
    app.setStyleSheet(style.read_text(encoding="utf-8").replace("@ICONS@", assets.icons_dir().as_posix()))


def create_window(kiosk: Kiosk, lang: str | None = None, *, clock: Callable[[], float] = time.time) -> MainWindow:
    """The main window over an open kiosk (tests and the screenshot script use it too)."""
    ctx = AppContext(kiosk, clock=clock)
    stored = kiosk.store.get_setting("ui.language")
    chosen = stored or lang or "lv"
    ctx.lang = chosen
    i18n.install(chosen)
    return MainWindow(ctx)


def show_fitted(window, width: int, height: int) -> None:
    """Show ``window`` at ``width`` × ``height``, or as much of the screen as there is (an office
    PC at 1024×768; the position too, where no window manager places it)."""
    screen = QApplication.primaryScreen()
    if screen is not None:
        avail = screen.availableGeometry()
        width, height = min(width, avail.width()), min(height, avail.height())
        window.setGeometry(avail.x() + (avail.width() - width) // 2, avail.y() + (avail.height() - height) // 2,
                           width, height)
    else:
        window.resize(width, height)
    window.show()


def run(data_dir: str | Path | None = None, lang: str | None = None, *, fullscreen: bool | None = None) -> int:
    """The kiosk, full-screen (``KIOSK_WINDOWED=1``: a 1280×800 window, for trying it out)."""
    if fullscreen is None:
        fullscreen = os.environ.get("KIOSK_WINDOWED", "") in ("", "0")
    app = QApplication.instance() or QApplication(sys.argv)
    setup_application(app)
    sys.excepthook = excepthook
    try:
        kiosk = Kiosk.open_or_enroll_demo(data_dir)
    except KioskError as exc:
        QMessageBox.critical(None, "urn-kiosk", exc.message(lang or "lv"))
        return 1
    window = None
    try:
        window = create_window(kiosk, lang)
        window.ctx.settle_print_jobs()
        if fullscreen:
            # Cover the screen even where no window manager honours the full-screen
            # request (a bare X session on a kiosk): set the geometry ourselves too.
            screen = app.primaryScreen()
            if screen is not None:
                window.setGeometry(screen.geometry())
            window.keep_shown = True
            window.showFullScreen()
        else:
            show_fitted(window, 1280, 800)
        log.info("kiosk application started (%s)", kiosk.root)
        return app.exec()
    finally:
        if window is not None:
            # delete the window now, not whenever the garbage collector finds its cycles
            window.deleteLater()
            QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        kiosk.close()
