"""Small reusable widgets: PIN pad, ballot image view with box outlines, message bar."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import (
    QEvent,
    QPointF,
    QRectF,
    QRegularExpression,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPainter,
    QPen,
    QPolygonF,
    QRegularExpressionValidator,
)
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.access.auth import PIN_MAX

# status colours, shared by the intake list, counters and review
STATUS_COLORS = {
    "counted": QColor("#1b7f3b"),
    "review": QColor("#b26a00"),
    "rejected": QColor("#b3261e"),
    "duplicate": QColor("#5e35b1"),
}


def gray_to_qimage(gray: np.ndarray) -> QImage:
    """A 2-D uint8 array as an owned QImage (safe to create on a worker thread)."""
    gray = np.ascontiguousarray(gray, dtype=np.uint8)
    h, w = gray.shape
    return QImage(gray.data, w, h, w, QImage.Format.Format_Grayscale8).copy()


def pil_to_qimage(img) -> QImage:
    """A PIL image as an owned QImage (grayscale or RGB)."""
    if img.mode not in ("L", "RGB"):
        img = img.convert("RGB")
    if img.mode == "L":
        return gray_to_qimage(np.asarray(img))
    arr = np.ascontiguousarray(np.asarray(img, dtype=np.uint8))
    h, w, _ = arr.shape
    return QImage(arr.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class PinPad(QWidget):
    """Digits on screen and from the keyboard; Enter submits."""

    submitted = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = QLineEdit()
        self.field.setObjectName("pinField")
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setMaxLength(PIN_MAX)
        self.field.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.field.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,8}"), self.field))
        self.field.returnPressed.connect(self.submit)
        grid = QGridLayout()
        grid.setSpacing(8)
        self.digit_buttons: dict[str, QPushButton] = {}
        for n, d in enumerate("123456789"):
            b = self._key(d)
            grid.addWidget(b, n // 3, n % 3)
        self.clear_button = self._key("⌫")
        self.clear_button.clicked.disconnect()
        self.clear_button.clicked.connect(self.field.backspace)
        grid.addWidget(self.clear_button, 3, 0)
        grid.addWidget(self._key("0"), 3, 1)
        self.ok_button = QPushButton("OK")
        self.ok_button.setProperty("kind", "primary")
        self.ok_button.setObjectName("pinOk")
        self.ok_button.setMinimumSize(QSize(96, 58))
        self.ok_button.clicked.connect(self.submit)
        grid.addWidget(self.ok_button, 3, 2)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.field)
        box.addLayout(grid)

    def _key(self, text: str) -> QPushButton:
        b = QPushButton(text)
        b.setObjectName("pinKey")
        b.setMinimumSize(QSize(96, 58))
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        b.clicked.connect(lambda _=False, t=text: self.press(t))
        if text.isdigit():
            self.digit_buttons[text] = b
        return b

    def press(self, digit: str) -> None:
        if len(self.field.text()) < PIN_MAX:
            self.field.setText(self.field.text() + digit)
        self.field.setFocus()

    def submit(self) -> None:
        pin = self.field.text()
        self.field.clear()
        if pin:
            self.submitted.emit(pin)

    def set_enabled_input(self, enabled: bool) -> None:
        self.field.setEnabled(enabled)
        for b in (*self.digit_buttons.values(), self.clear_button, self.ok_button):
            b.setEnabled(enabled)
        if enabled:
            self.field.setFocus()


@dataclass
class Box:
    """An outline to draw over the image: polygon in image pixels."""

    polygon: list[tuple[float, float]]
    color: QColor
    label: str = ""
    width: float = 2.0
    focused: bool = False
    fill: QColor | None = None
    tags: dict = field(default_factory=dict)


class ImageView(QWidget):
    """A ballot image scaled to fit, with outlined boxes and labels."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image: QImage | None = None
        self._cache: QImage | None = None
        self._cache_key: tuple | None = None
        self._boxes: list[Box] = []
        self._placeholder = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(200, 260)

    def set_image(self, image: QImage | None, boxes: list[Box] | None = None) -> None:
        self._image = image
        self._boxes = list(boxes or [])
        self.update()

    def set_boxes(self, boxes: list[Box]) -> None:
        self._boxes = list(boxes)
        self.update()

    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        self.update()

    @property
    def image(self) -> QImage | None:
        return self._image

    @property
    def boxes(self) -> list[Box]:
        return list(self._boxes)

    def _scaled(self, target: QRectF) -> QImage:
        """The image smoothly scaled to the target size, computed once per image and size
        (scaling a scan on every repaint would block the event loop)."""
        key = (self._image.cacheKey(), round(target.width()), round(target.height()))
        if self._cache_key != key:
            self._cache = self._image.scaled(key[1], key[2], Qt.AspectRatioMode.IgnoreAspectRatio,
                                             Qt.TransformationMode.SmoothTransformation)
            self._cache_key = key
        return self._cache

    def image_rect(self) -> QRectF:
        if self._image is None or self._image.isNull():
            return QRectF()
        w, h = self._image.width(), self._image.height()
        area = QRectF(self.rect()).adjusted(4, 4, -4, -4)
        scale = min(area.width() / w, area.height() / h)
        tw, th = w * scale, h * scale
        return QRectF(area.x() + (area.width() - tw) / 2, area.y() + (area.height() - th) / 2, tw, th)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#e9ecef"))
        if self._image is None or self._image.isNull():
            p.setPen(QColor("#555"))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._placeholder)
            p.end()
            return
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        target = self.image_rect()
        p.drawImage(target.topLeft(), self._scaled(target))
        sx = target.width() / self._image.width()
        sy = target.height() / self._image.height()
        font = QFont(self.font())
        font.setPixelSize(max(10, int(13 * min(1.0, max(sx, 0.6)))))
        font.setBold(True)
        p.setFont(font)
        for box in self._boxes:
            poly = QPolygonF([QPointF(target.x() + x * sx, target.y() + y * sy) for x, y in box.polygon])
            if box.fill is not None:
                p.setBrush(box.fill)
            else:
                p.setBrush(Qt.BrushStyle.NoBrush)
            pen = QPen(box.color, box.width * (2 if box.focused else 1))
            if box.focused:
                pen.setStyle(Qt.PenStyle.SolidLine)
            p.setPen(pen)
            p.drawPolygon(poly)
            if box.label:
                # left of the box, in the margin or the gap after the previous option's text
                r = poly.boundingRect()
                fm = p.fontMetrics()
                w = fm.horizontalAdvance(box.label)
                p.setPen(box.color)
                p.drawText(QPointF(r.left() - w - 4, r.center().y() + fm.ascent() / 2 - 1), box.label)
        p.end()


class MessageBar(QWidget):
    """Routine news at the bottom of the window, coloured by level; no dialogs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        self.label = QLabel("")
        self.label.setObjectName("messageText")
        shrinkable(self.label)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.close_button = QPushButton("✕")
        self.close_button.setObjectName("messageClose")
        self.close_button.setFixedSize(QSize(40, 40))
        self.close_button.clicked.connect(self.clear)
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 6, 8, 6)
        row.addWidget(self.label, 1)
        row.addWidget(self.close_button)
        self.level = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clear)
        self.clear()

    def show_message(self, level: str, text: str) -> None:
        self.level = level
        self.label.setText(text)
        self.setProperty("level", level)
        self.style().unpolish(self)
        self.style().polish(self)
        self.close_button.setVisible(True)
        # errors stay until the next message; routine news fades after a while
        if level in ("error", "warn"):
            self._timer.stop()
        else:
            self._timer.start(15_000)

    def clear(self) -> None:
        self.level = ""
        self.label.setText("")
        self.setProperty("level", "none")
        self.style().unpolish(self)
        self.style().polish(self)
        self.close_button.setVisible(False)

    def text(self) -> str:
        return self.label.text()

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.clear()  # a message in the old language would confuse


class ElidedLabel(QLabel):
    """A one-line label that shortens its text with "…" instead of widening the window.

    ``text()`` stays the full text; the tooltip shows it too.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None, mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight) -> None:
        super().__init__(text, parent)
        self._mode = mode
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt API
        super().setText(text)
        self.setToolTip(text)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(40, super().minimumSizeHint().height())

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(self.text(), self._mode, rect.width())
        p.setPen(self.palette().color(self.foregroundRole()))
        p.drawText(rect, int(self.alignment()) | int(Qt.AlignmentFlag.AlignVCenter), text)
        p.end()


def shrinkable(label: QLabel) -> QLabel:
    """A word-wrapped label whose long unbreakable words (paths) never widen the window."""
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    label.setMinimumWidth(60)
    return label


class CurrentPageStack(QStackedWidget):
    """A stack whose size hints are the current page's, not the largest page's
    (the sign-in page may be tall because the navigation row is hidden then)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.currentChanged.connect(lambda _i: self.updateGeometry())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        w = self.currentWidget()
        return w.sizeHint() if w is not None else super().sizeHint()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        w = self.currentWidget()
        return w.minimumSizeHint() if w is not None else super().minimumSizeHint()
