"""Entry point of the Qt application (minimal until the application issue)."""
from __future__ import annotations

import sys
from pathlib import Path


def run(data_dir: str | Path | None = None, lang: str = "lv") -> int:
    from PySide6.QtWidgets import QApplication, QLabel

    from kiosk.service import Kiosk

    app = QApplication.instance() or QApplication(sys.argv)
    with Kiosk.open_or_enroll_demo(data_dir) as k:
        label = QLabel(f"urn-kiosk — {k.campaign.title.get(lang, k.campaign.title['lv'])}\n{k.institution.name}")
        label.setWindowTitle("urn-kiosk")
        label.resize(800, 480)
        label.show()
        return app.exec()
