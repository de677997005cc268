"""Finds texts a layout cuts off: the check behind the layout tests (tests/test_ui_layout.py)
and the screenshot script (docs/make_screenshots.py).

A text is cut off when the widget showing it is smaller than the text needs:
a one-line label or a check box narrower than its text, a word-wrapping label or a
wrapping button shorter than its lines, a push button narrower than its text and a
little of its padding, a drop-down list narrower than its current item, a group
box narrower than its title.  Labels that shorten their text with "…" on purpose
(``ElidedLabel``) and anything not shown are left out.
"""
from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QLabel,
    QPushButton,
    QRadioButton,
    QWidget,
)

from ui.widgets import ElidedLabel, WrapButton

SLACK = 2  # pixels of rounding
PADDING_EATEN = 10  # a push button may lose this much of its padding before its text is cut


def _shown(w: QWidget) -> bool:
    return w.isVisible() and w.width() > 0 and w.height() > 0


def _name(w: QWidget, text: str) -> str:
    owner = w
    while owner is not None and not owner.objectName():
        owner = owner.parentWidget()
    where = owner.objectName() if owner is not None else "?"
    return f"{type(w).__name__} in {where}: {text[:60]!r} ({w.width()}×{w.height()})"


def clipped(root: QWidget) -> list[str]:
    """Every widget under ``root`` (shown) whose text does not fit it."""
    out = []
    for w in [root, *root.findChildren(QWidget)]:
        if not _shown(w) or isinstance(w, ElidedLabel):
            continue
        if isinstance(w, WrapButton):
            if w.text() and w.heightForWidth(w.width()) > w.height() + SLACK:
                out.append(_name(w, w.text()))
        elif isinstance(w, QLabel):
            if isinstance(w.parentWidget(), WrapButton):
                continue
            text = w.text()
            if not text or w.pixmap() is not None and not w.pixmap().isNull():
                continue
            rect = w.contentsRect()
            if w.wordWrap():
                if w.heightForWidth(w.width()) > w.height() + SLACK:
                    out.append(_name(w, text))
            elif w.sizeHint().width() > w.width() + SLACK or w.sizeHint().height() > rect.height() + 2 * SLACK + 8:
                out.append(_name(w, text))
        elif isinstance(w, QCheckBox | QRadioButton):
            if w.text() and w.sizeHint().width() > w.width() + SLACK:
                out.append(_name(w, w.text()))
        elif isinstance(w, QPushButton | QAbstractButton):
            if w.text() and w.sizeHint().width() > w.width() + PADDING_EATEN:
                out.append(_name(w, w.text()))
        elif isinstance(w, QComboBox):
            text = w.currentText()
            need = w.fontMetrics().horizontalAdvance(text) + 40 + 8  # the arrow's part and the padding
            if text and need > w.width() + SLACK:
                out.append(_name(w, text))
        elif isinstance(w, QGroupBox):
            if w.title() and w.fontMetrics().horizontalAdvance(w.title()) + 24 > w.width():
                out.append(_name(w, w.title()))
    return out
