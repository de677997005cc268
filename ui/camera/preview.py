"""The camera preview: the analysed frame, scaled to fit, with the ballot outlined."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

OUTLINE_READING = QColor("#f2c200")
PLACEHOLDER_COLORS = {"warn": QColor("#8a5a00"), "error": QColor("#b3261e")}


class CameraView(QWidget):
    """The analysed frame, scaled to fit, with the detected ballot outlined."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cameraView")
        self.image: QImage | None = None
        self.size_px: tuple[int, int] = (0, 0)
        self.outline: list[list[float]] | None = None
        self.outline_color = OUTLINE_READING
        self.placeholder = ""
        self.level = ""  # "", warn, error: the placeholder's background
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 200)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(427, 240)

    def show_frame(self, image: QImage | None, size: tuple[int, int], outline, color: QColor) -> None:
        self.image, self.size_px, self.outline, self.outline_color = image, size, outline, color
        self.update()

    def clear(self) -> None:
        self.image, self.outline = None, None
        self.update()

    def set_placeholder(self, text: str, level: str = "") -> None:
        """What the view says while it shows no picture (a camera problem: in colour)."""
        self.placeholder, self.level = text, level
        self.update()

    def target(self) -> QRectF:
        """Where the frame is drawn (aspect kept, centred)."""
        w, h = self.size_px
        if self.image is None or not w or not h:
            return QRectF()
        area = QRectF(self.rect())
        scale = min(area.width() / w, area.height() / h)
        return QRectF(area.x() + (area.width() - w * scale) / 2, area.y() + (area.height() - h * scale) / 2,
                      w * scale, h * scale)

    def outline_polygon(self) -> QPolygonF:
        """The outline in widget coordinates (empty without one)."""
        t = self.target()
        if not self.outline or t.isEmpty():
            return QPolygonF()
        sx, sy = t.width() / self.size_px[0], t.height() / self.size_px[1]
        return QPolygonF([QPointF(t.x() + x * sx, t.y() + y * sy) for x, y in self.outline])

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#1d2327"))
        if self.image is None or self.image.isNull():
            r = self.rect().adjusted(14, 14, -14, -14)
            flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
            if self.level in PLACEHOLDER_COLORS:
                box = p.boundingRect(r.adjusted(10, 0, -10, 0), flags, self.placeholder).adjusted(-10, -8, 10, 8)
                p.setRenderHint(QPainter.RenderHint.Antialiasing)
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(PLACEHOLDER_COLORS[self.level])
                p.drawRoundedRect(box, 8, 8)
            p.setPen(QColor("#ffffff"))
            p.drawText(r.adjusted(10, 0, -10, 0), flags, self.placeholder)
            p.end()
            return
        p.drawImage(self.target(), self.image)
        poly = self.outline_polygon()
        if not poly.isEmpty():
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setPen(QPen(self.outline_color, 4))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawPolygon(poly)
        p.end()
