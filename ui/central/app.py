"""Entry point of the central office window: ``kiosk central gui`` calls ``run``."""
from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from kiosk.central.office import freeze_survivors, start_report_process
from kiosk.datadir import CentralDir
from ui import i18n
from ui.app import excepthook, setup_application, show_fitted

from .window import CentralWindow

log = logging.getLogger("kiosk.ui.central")
FONT_PX = 15  # a desk, not a touch screen: smaller than the kiosk's


def create_window(root: str | Path, lang: str | None = None, operator: str | None = None) -> CentralWindow:
    """The window over the central office's data directory (tests use it too); it starts
    by reading what the directory holds, in the background."""
    chosen = lang or "lv"
    i18n.install(chosen)
    start_report_process()
    window = CentralWindow(Path(root), chosen, operator)
    # what the program holds at start (Qt's wrappers, the modules) leaves the collector's way
    # now, before the event loop runs, not in the first job (about 0.1 s)
    freeze_survivors()
    window.refresh()
    return window


def run(data_dir: str | Path | None = None, lang: str | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    setup_application(app)
    font = app.font()
    font.setPixelSize(FONT_PX)
    app.setFont(font)
    sys.excepthook = excepthook
    root = CentralDir.locate(data_dir).root
    window = create_window(root, lang)
    try:
        show_fitted(window, 1366, 768)
        log.info("central office window started (%s)", root)
        return app.exec()
    finally:
        window.shutdown()
        window.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
