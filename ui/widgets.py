"""Small reusable widgets: PIN pad, ballot image view with box outlines and zoom, the
legend of its outlines, message bar, the kiosk's dialogs (no window frame: nothing to
minimise behind the full-screen window), and the guard that keeps the mouse wheel from
changing a value while it scrolls a page."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import (
    QEvent,
    QObject,
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
    QFontMetricsF,
    QImage,
    QKeySequence,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QRegularExpressionValidator,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
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
        # never squeezed: a key cut in half, or a message drawn over the keys, helps nobody
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

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
    label_above: bool = False  # set by the view: another box sits on the same line, left of this one


def place_labels(boxes: list[Box]) -> None:
    """A box's score goes left of it, in the margin; where another box sits on the same
    line to its left (a row of boxes), the score goes above it instead, so that it is
    never drawn beside the box it does not belong to."""
    rects = [QPolygonF([QPointF(x, y) for x, y in b.polygon]).boundingRect() for b in boxes]
    for b, r in zip(boxes, rects, strict=True):
        b.label_above = any(o is not r and abs(o.center().y() - r.center().y()) < r.height() / 2
                            and o.center().x() < r.center().x() for o in rects)


class ImageView(QWidget):
    """A ballot image scaled to fit, with outlined boxes and labels.

    A click zooms in around the point clicked (``ZOOM`` times) and the next click
    zooms out; ``set_zoom(rect)`` shows one region (image pixels) as large as fits."""

    ZOOM = 2.5
    zoom_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image: QImage | None = None
        self._cache: QImage | None = None
        self._cache_key: tuple | None = None
        self._boxes: list[Box] = []
        self._placeholder = ""
        self._zoom: QRectF | None = None
        self.click_zoom = True
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(200, 260)
        self.setCursor(Qt.CursorShape.CrossCursor)

    def set_image(self, image: QImage | None, boxes: list[Box] | None = None) -> None:
        if image is None or self._image is None or image.size() != self._image.size():
            self.set_zoom(None)
        self._image = image
        self.set_boxes(list(boxes or []))

    def set_boxes(self, boxes: list[Box]) -> None:
        self._boxes = list(boxes)
        place_labels(self._boxes)
        self.update()

    # -- zoom ------------------------------------------------------------------
    @property
    def zoom(self) -> QRectF | None:
        return QRectF(self._zoom) if self._zoom is not None else None

    def set_zoom(self, rect: QRectF | None) -> None:
        """Show ``rect`` (image pixels, clamped to the image) as large as it fits; None: the whole image."""
        if rect is not None and self._image is not None and not self._image.isNull():
            rect = rect.intersected(QRectF(0, 0, self._image.width(), self._image.height()))
            if rect.isEmpty():
                rect = None
        else:
            rect = None
        was = self._zoom is not None
        self._zoom = rect
        self.update()
        if was != (rect is not None):
            self.zoom_changed.emit(rect is not None)

    def zoom_at(self, point: QPointF, factor: float | None = None) -> None:
        """Zoom in ``factor`` times around a point of the image (pixels)."""
        if self._image is None or self._image.isNull():
            return
        f = factor or self.ZOOM
        w, h = self._image.width() / f, self._image.height() / f
        x = min(max(point.x() - w / 2, 0.0), self._image.width() - w)
        y = min(max(point.y() - h / 2, 0.0), self._image.height() - h)
        self.set_zoom(QRectF(x, y, w, h))

    def image_point(self, pos: QPointF) -> QPointF:
        """A point of the widget in image pixels."""
        src, dst = self._source(), self.image_rect()
        if dst.isEmpty():
            return QPointF()
        s = src.width() / dst.width()
        return QPointF(src.x() + (pos.x() - dst.x()) * s, src.y() + (pos.y() - dst.y()) * s)

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt API
        if self.click_zoom and event.button() == Qt.MouseButton.LeftButton and self._image is not None:
            if self._zoom is not None:
                self.set_zoom(None)
            else:
                self.zoom_at(self.image_point(event.position()))
            event.accept()
            return
        super().mousePressEvent(event)

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
        """The shown part of the image smoothly scaled to the target size, computed once per
        image, part and size (scaling a scan on every repaint would block the event loop)."""
        src = self._source().toAlignedRect()
        key = (self._image.cacheKey(), src.x(), src.y(), src.width(), src.height(),
               round(target.width()), round(target.height()))
        if self._cache_key != key:
            part = self._image if self._zoom is None else self._image.copy(src)
            self._cache = part.scaled(key[5], key[6], Qt.AspectRatioMode.IgnoreAspectRatio,
                                      Qt.TransformationMode.SmoothTransformation)
            self._cache_key = key
        return self._cache

    def _source(self) -> QRectF:
        """The part of the image shown (image pixels): all of it, or the zoomed region."""
        if self._image is None or self._image.isNull():
            return QRectF()
        if self._zoom is not None:
            return QRectF(self._zoom.toAlignedRect())
        return QRectF(0, 0, self._image.width(), self._image.height())

    def image_rect(self) -> QRectF:
        """Where the shown part of the image is drawn in the widget."""
        src = self._source()
        if src.isEmpty():
            return QRectF()
        w, h = src.width(), src.height()
        area = QRectF(self.rect()).adjusted(4, 4, -4, -4)
        scale = min(area.width() / w, area.height() / h)
        tw, th = w * scale, h * scale
        return QRectF(area.x() + (area.width() - tw) / 2, area.y() + (area.height() - th) / 2, tw, th)

    def box_rect(self, box: Box) -> QRectF:
        """A box's outline as drawn in the widget."""
        src, target = self._source(), self.image_rect()
        if target.isEmpty():
            return QRectF()
        s = target.width() / src.width()
        poly = QPolygonF([QPointF(target.x() + (x - src.x()) * s, target.y() + (y - src.y()) * s) for x, y in box.polygon])
        return poly.boundingRect()

    def label_font(self) -> QFont:
        """The scores' font: smaller on a small picture, larger when zoomed in."""
        src, target = self._source(), self.image_rect()
        s = target.width() / src.width() if not src.isEmpty() and not target.isEmpty() else 1.0
        font = QFont(self.font())
        font.setPixelSize(max(10, int(13 * min(1.4, max(s, 0.6)))))
        font.setBold(True)
        return font

    def label_rect(self, box: Box) -> QRectF:
        """Where a box's label is drawn in the widget (beside it, or above it in a row)."""
        r = self.box_rect(box)
        fm = QFontMetricsF(self.label_font())
        w, h = fm.horizontalAdvance(box.label) + 6, fm.height()
        if box.label_above:
            return QRectF(r.center().x() - w / 2, r.top() - h - 2, w, h)
        return QRectF(r.left() - w - 3, r.center().y() - h / 2, w, h)

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
        src = self._source()
        p.drawImage(target.topLeft(), self._scaled(target))
        p.setClipRect(target)  # zoomed in: nothing of the boxes outside the part shown
        s = target.width() / src.width()
        p.setFont(self.label_font())
        for box in self._boxes:
            poly = QPolygonF([QPointF(target.x() + (x - src.x()) * s, target.y() + (y - src.y()) * s)
                              for x, y in box.polygon])
            if box.fill is not None:
                p.setBrush(box.fill)
            else:
                p.setBrush(Qt.BrushStyle.NoBrush)
            pen = QPen(box.color, box.width * (2 if box.focused else 1))
            p.setPen(pen)
            p.drawPolygon(poly)
        for box in self._boxes:
            if box.label and target.intersects(self.box_rect(box)):
                # on a light plate, left of the box (in the margin) or above it when the box is in a row
                r = self.label_rect(box)
                path = QPainterPath()
                path.addRoundedRect(r, 3, 3)
                p.fillPath(path, QColor(255, 255, 255, 225))
                p.setPen(box.color)
                p.drawText(r, int(Qt.AlignmentFlag.AlignCenter), box.label)
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


class WrapButton(QPushButton):
    """A push button whose text wraps onto more lines instead of widening the window
    (the sign-in's roles, the large buttons).  ``text()`` is the text it shows."""

    MARGINS = (16, 8, 16, 8)

    def __init__(self, text: str = "", parent: QWidget | None = None, *, kind: str = "",
                 align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignCenter) -> None:
        super().__init__(parent)
        self._min_height = 0
        self.label = QLabel(self)
        self.label.setObjectName("wrapText")
        self.label.setWordWrap(True)
        self.label.setAlignment(align | Qt.AlignmentFlag.AlignVCenter)
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.set_kind(kind)
        self.toggled.connect(lambda _on: self._polish())
        self.setText(text)

    def set_kind(self, kind: str) -> None:
        self.setProperty("kind", kind)
        self.label.setProperty("kind", kind)
        self._polish()

    def _polish(self) -> None:
        self.label.setProperty("on", self.isChecked())
        for w in (self, self.label):
            w.style().unpolish(w)
            w.style().polish(w)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt API
        self.label.setText(text)
        self.setAccessibleName(text)
        self.updateGeometry()

    def text(self) -> str:
        return self.label.text()

    def _extra(self) -> tuple[int, int]:
        left, top, right, bottom = self.MARGINS
        return left + right, top + bottom

    def set_min_height(self, height: int) -> None:
        """The button's least height (kept when a style sheet sets its own minimum)."""
        self._min_height = height
        self.setMinimumHeight(height)
        self.updateGeometry()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        w, h = self._extra()
        width = min(self.label.sizeHint().width(), 420) + w
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        w, h = self._extra()
        words = max((self.label.fontMetrics().horizontalAdvance(word) for word in self.text().split()), default=40)
        return QSize(min(words, 220) + w, max(self._min_height, self.label.fontMetrics().height() + h))

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt API
        return True

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        # no layout of its own (a layout's height would override heightForWidth): placed by hand
        super().resizeEvent(event)
        left, top, right, bottom = self.MARGINS
        self.label.setGeometry(left, top, max(1, self.width() - left - right), max(1, self.height() - top - bottom))

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt API
        w, h = self._extra()
        return max(self._min_height, self.label.heightForWidth(max(1, width - w)) + h)


class FitScrollArea(QScrollArea):
    """A frameless scroll area whose page follows its contents: when a text inside grows
    a line (word-wrapped labels), the page grows with it instead of cutting the text."""

    def __init__(self, parent: QWidget | None = None, *, horizontal: bool = False) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        if not horizontal:
            self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def setWidget(self, widget: QWidget) -> None:  # noqa: N802 - Qt API
        super().setWidget(widget)
        widget.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if obj is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            QApplication.postEvent(self, QEvent(QEvent.Type.LayoutRequest))  # sizes the page again
        return super().eventFilter(obj, event)


class NoteLabel(QLabel):
    """A word-wrapped message label that takes no room while it has nothing to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        shrinkable(self)
        self.setVisible(False)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt API
        super().setText(text)
        self.setVisible(bool(text))

    def clear(self) -> None:
        super().clear()
        self.setVisible(False)


def shrinkable(label: QLabel) -> QLabel:
    """A word-wrapped label whose long unbreakable words (paths) never widen the window."""
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    label.setMinimumWidth(60)
    return label


def sections_splitter(*sections: tuple[QLabel | None, QWidget], stretch: tuple[int, ...] = (3, 2)) -> QSplitter:
    """A vertical splitter of sections, each a title (or none) over its widget, sized by
    ``stretch``: the central office's pages stack their tables this way."""
    split = QSplitter(Qt.Orientation.Vertical)
    for n, (title, widget) in enumerate(sections):
        if title is None:
            split.addWidget(widget)
        else:
            part = QWidget()
            lay = QVBoxLayout(part)
            lay.setContentsMargins(0, 0, 0, 0)
            lay.addWidget(title)
            lay.addWidget(widget, 1)
            split.addWidget(part)
        split.setStretchFactor(n, stretch[n] if n < len(stretch) else 1)
    return split


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


# -- the legend of the outlines ---------------------------------------------------------

OUTLINE_COLORS = {
    "focus": QColor("#1f6feb"),
    "marked": QColor("#1b7f3b"),
    "marginal": QColor("#d98200"),
    "unclear": QColor("#b3261e"),
    "unmarked": QColor("#6c7a86"),
}


class Swatch(QWidget):
    """A small outlined square in one colour (the legend's key)."""

    def __init__(self, color: QColor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.color = color
        self.setFixedSize(18, 18)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.setPen(QPen(self.color, 3))
        p.drawRect(QRectF(2, 2, 14, 14))
        p.end()


class OutlineLegend(QWidget):
    """What the outlines and the percentages on a ballot image mean."""

    def __init__(self, keys: tuple[str, ...] = ("focus", "marked", "marginal", "unclear", "unmarked"),
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outlineLegend")
        self.keys = keys
        self.labels: dict[str, QLabel] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 2, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(2)
        for n, key in enumerate(keys):
            lab = QLabel()
            lab.setObjectName("legendText")
            self.labels[key] = lab
            grid.addWidget(Swatch(OUTLINE_COLORS[key]), n // 3, 2 * (n % 3))
            grid.addWidget(lab, n // 3, 2 * (n % 3) + 1)
        self.score_label = QLabel()
        self.score_label.setObjectName("legendText")
        shrinkable(self.score_label)
        rows = (len(keys) + 2) // 3
        grid.addWidget(self.score_label, rows, 0, 1, 6)
        for col in (1, 3, 5):
            grid.setColumnStretch(col, 1)
        self.retranslate()

    def retranslate(self) -> None:
        texts = {
            "focus": self.tr("izvēlētā atbilde"),
            "marked": self.tr("atzīme"),
            "marginal": self.tr("vāja atzīme"),
            "unclear": self.tr("neskaidrs"),
            "unmarked": self.tr("tukša rūtiņa"),
        }
        for key, lab in self.labels.items():
            lab.setText(texts[key])
        self.score_label.setText(self.tr("Procenti: cik rūtiņas aizpilda tinte. Klikšķis uz attēla to palielina."))

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()


# -- the mouse wheel scrolls pages, not values --------------------------------------------

class WheelGuard(QObject):
    """Spin boxes and drop-down lists change their value with the wheel only while they
    have the keyboard focus (a click or Tab gives it); otherwise the wheel scrolls the
    page they are on, as a person scrolling expects."""

    def guard(self, root: QWidget) -> None:
        for w in [*root.findChildren(QAbstractSpinBox), *root.findChildren(QComboBox)]:
            w.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel alone never gives focus
            w.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() != QEvent.Type.Wheel or not isinstance(obj, QWidget) or obj.hasFocus():
            return False
        area = obj.parentWidget()
        while area is not None and not isinstance(area, QAbstractScrollArea):
            area = area.parentWidget()
        if area is not None:
            viewport = area.viewport()
            moved = QWheelEvent(viewport.mapFromGlobal(event.globalPosition()), event.globalPosition(),
                                event.pixelDelta(), event.angleDelta(), event.buttons(), event.modifiers(),
                                event.phase(), event.inverted())
            QApplication.sendEvent(viewport, moved)
        return True  # the value stays as it was


# -- dialogs -----------------------------------------------------------------------------

class KioskDialog(QDialog):
    """A modal dialog of the kiosk: no window frame (a window manager offers nothing to
    minimise or move behind the full-screen window), its title inside, and it comes
    back at once if something minimises it anyway."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Dialog | Qt.WindowType.FramelessWindowHint)
        self.setObjectName("kioskDialog")
        self.setModal(True)
        self.title_label = QLabel()
        self.title_label.setObjectName("dialogTitle")
        shrinkable(self.title_label)
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(24, 18, 24, 18)
        self.box.setSpacing(12)
        self.box.addWidget(self.title_label)

    def setWindowTitle(self, title: str) -> None:  # noqa: N802 - Qt API
        super().setWindowTitle(title)
        self.title_label.setText(title)

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().changeEvent(event)
        if event.type() == QEvent.Type.WindowStateChange and self.windowState() & Qt.WindowState.WindowMinimized:
            QTimer.singleShot(0, self._restore)

    def _restore(self) -> None:
        self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)
        self.show()
        self.raise_()
        self.activateWindow()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        parent = self.parentWidget()
        if parent is not None:
            self.adjustSize()
            top = parent.window()
            centre = top.mapToGlobal(top.rect().center())
            self.move(centre.x() - self.width() // 2, centre.y() - self.height() // 2)


class ConfirmDialog(KioskDialog):
    """A question with two answers: Enter takes the first (``ok``), Esc the second."""

    def __init__(self, parent: QWidget | None, title: str, text: str, ok: str, cancel: str,
                 *, danger: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("confirmDialog")
        self.setWindowTitle(title)
        self.text = QLabel(text)
        self.text.setObjectName("dialogText")
        self.text.setWordWrap(True)
        self.text.setMinimumWidth(380)
        self.ok_button = QPushButton(ok)
        self.ok_button.setObjectName("confirmOk")
        self.ok_button.setProperty("kind", "danger" if danger else "primary")
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.accept)
        self.cancel_button = QPushButton(cancel)
        self.cancel_button.setObjectName("confirmCancel")
        self.cancel_button.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.ok_button)
        self.box.addWidget(self.text)
        self.box.addLayout(row)
        self.setMaximumWidth(640)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        if event.matches(QKeySequence.StandardKey.InsertParagraphSeparator) or event.key() in (
                Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.accept()
            return
        super().keyPressEvent(event)


def ask(parent: QWidget, title: str, text: str, ok: str, cancel: str, on_yes, *, danger: bool = False,
        on_no=None) -> ConfirmDialog:
    """Open a ConfirmDialog without blocking (the event loop keeps running); ``on_yes``
    runs when it is accepted, ``on_no`` when not.  Returns the dialog (tests answer it)."""
    dialog = ConfirmDialog(parent, title, text, ok, cancel, danger=danger)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.accepted.connect(on_yes)
    if on_no is not None:
        dialog.rejected.connect(on_no)
    dialog.open()
    dialog.ok_button.setFocus()
    return dialog
