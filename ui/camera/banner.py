"""The outcome banner: the last ballot's outcome, large, in its status colour."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ..widgets import STATUS_COLORS, shrinkable


def centred_label(name: str, pixel_size: int | None = None) -> QLabel:
    """A named, centred label that never widens the panel (long words in another
    language), optionally in a bold font of ``pixel_size``."""
    label = QLabel()
    label.setObjectName(name)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    shrinkable(label)
    if pixel_size:
        font = QFont(label.font())
        font.setPixelSize(pixel_size)
        font.setBold(True)
        label.setFont(font)
    return label


class OutcomeBanner(QFrame):
    """The last ballot's outcome, large, in its status colour."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cameraBanner")
        self.status: str | None = None
        self.title = centred_label("bannerTitle")
        self.detail = centred_label("bannerDetail", 21)
        self.serial = centred_label("bannerSerial")
        box = QVBoxLayout(self)
        box.setContentsMargins(16, 12, 16, 12)
        box.addStretch(1)
        box.addWidget(self.title)
        box.addWidget(self.detail)
        box.addWidget(self.serial)
        box.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(140)
        self.show_outcome(None, "", "", "")

    def background(self) -> QColor:
        return QColor(STATUS_COLORS[self.status]) if self.status in STATUS_COLORS else QColor("#dde4ea")

    def show_outcome(self, status: str | None, title: str, detail: str, serial: str) -> None:
        self.status = status
        fg = "#ffffff" if status in STATUS_COLORS else "#1d2327"
        self.setStyleSheet(
            f"QFrame#cameraBanner {{ background: {self.background().name()}; border-radius: 14px; }}"
            f" QFrame#cameraBanner QLabel {{ color: {fg}; background: transparent; }}")
        font = QFont(self.title.font())
        font.setPixelSize(46 if status else 30)  # an outcome large; the waiting hint less so
        font.setBold(True)
        self.title.setFont(font)
        self.title.setText(title)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
        self.serial.setText(serial)
        self.serial.setVisible(bool(serial))

    def text(self) -> str:
        return "\n".join(t for t in (self.title.text(), self.detail.text(), self.serial.text()) if t)
