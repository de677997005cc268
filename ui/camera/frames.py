"""Camera frames as the analyser reads them and the panel shows them.

``frame_to_gray`` turns a picture into the reader's input (an owned 2-D
uint8 array); ``FrameInfo`` is one analysed frame as the UI shows it: the
tracker's state, the ballot's outline and a small preview, never the full
frame's pixels.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

PREVIEW_WIDTH = 640  # the analyser scales its preview to the view (at most this wide)


def frame_to_gray(image: QImage) -> np.ndarray:
    """A QImage as an owned 2-D uint8 array (rows padded to 4 bytes are cut)."""
    g = image.convertToFormat(QImage.Format.Format_Grayscale8)
    w, h, bpl = g.width(), g.height(), g.bytesPerLine()
    rows = np.frombuffer(g.constBits(), dtype=np.uint8, count=bpl * h).reshape(h, bpl)
    return rows[:, :w].copy()


def to_image(frame) -> QImage:
    """A QVideoFrame (or a QImage already) as a QImage (null when it has no picture)."""
    return frame if isinstance(frame, QImage) else frame.toImage()


def preview_size(width: int, height: int) -> tuple[int, int]:
    """The preview's size for a view of ``width`` x ``height`` (at most PREVIEW_WIDTH wide)."""
    return min(PREVIEW_WIDTH, max(16, width)), max(16, height)


def scaled_preview(image: QImage, size: tuple[int, int]) -> QImage:
    pw, ph = size
    return image.scaled(max(16, pw), max(16, ph), Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation)


@dataclass
class FrameInfo:
    """One analysed frame, as the UI shows it (no pixels of the full frame)."""

    index: int
    state: str                     # empty | reading | taken | accepted (kiosk.reading.tracker.FrameReport)
    serial: str | None
    status: str | None
    reason: str | None
    outline: list[list[float]] | None
    size: tuple[int, int]           # the frame's size: the outline's coordinates
    preview: QImage | None
    analyse_ms: float               # conversion + reading + storing
    at: float                       # time.monotonic() when its analysis ended
