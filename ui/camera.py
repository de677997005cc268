"""Camera intake: ballots held up to a webcam, read while the helper holds them.

One code path for every frame source: the live camera (``QCamera`` in a
``QMediaCaptureSession``) and a video file (``QMediaPlayer``) each deliver
into a ``QVideoSink``; the panel hands the latest frame to a
``FrameAnalyser`` living in its own ``QThread``.  The analyser owns its own
``Kiosk`` (SQLite connections are per thread), a ``BallotTracker`` and a
scan run; it converts the frame to grayscale, feeds the tracker, stores an
accepted ballot (``kiosk.intake.camera.record_accepted``) and sends back a
``SheetResult`` plus a small preview with the ballot's outline.

Frames are never queued: while the analyser is busy the panel keeps only
the newest frame and drops the older one, so the preview and the outcome
never lag behind the hand, however slow the machine.

The helper's hands are full: no clicks between ballots.  A large banner
shows the last outcome (green counted, amber needs review, red rejected,
with the reason in plain words) until the next ballot's outcome.

Camera trouble (none connected, unplugged, access denied, cannot be opened,
no picture) stops the source cleanly with a plain message; the results so
far stay, and the rest of the application keeps working.  The analyser
thread stops when the source stops, when the panel is hidden (the helper
left the screen or chose another source), on sign-out and on window close.
"""
from __future__ import annotations

import logging
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import (
    QCoreApplication,
    QObject,
    QPointF,
    QRectF,
    QSize,
    Qt,
    QThread,
    QTimer,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.access.roles import Action
from kiosk.errors import KioskError
from kiosk.intake.review import reason_text
from kiosk.session import SignedIn, count_result

from .context import Level
from .widgets import STATUS_COLORS, shrinkable
from .worker import worker_opener

log = logging.getLogger("kiosk.ui.camera")

CAMERA_SOURCE = "camera:"       # stored sheets' source: "camera:<device description>"
PREVIEW_WIDTH = 640             # the analyser scales its preview to the view (at most this wide)
STALL_S = 6.0                   # a running camera that sends no picture this long is treated as lost
ACTIVITY_S = 15.0               # a ballot in view counts as the helper being present this often
STATUSES = ("counted", "review", "rejected", "duplicate")
RATE_WINDOW_S = 2.0             # frames/s shown over this window
WANTED = (1280, 720)            # the camera format asked for (the reader's design resolution)
PERMISSION_WORDS = ("permission", "denied", "not authorized", "eacces", "access")
OUTLINE_READING = QColor("#f2c200")
CONTROLS_WIDTH = 270
PLACEHOLDER_COLORS = {"warn": QColor("#8a5a00"), "error": QColor("#b3261e")}


# -- frames -----------------------------------------------------------------------------

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


def frame_to_gray(image: QImage) -> np.ndarray:
    """A QImage as an owned 2-D uint8 array (rows padded to 4 bytes are cut)."""
    g = image.convertToFormat(QImage.Format.Format_Grayscale8)
    w, h, bpl = g.width(), g.height(), g.bytesPerLine()
    rows = np.frombuffer(g.constBits(), dtype=np.uint8, count=bpl * h).reshape(h, bpl)
    return rows[:, :w].copy()


@dataclass
class FrameInfo:
    """One analysed frame, as the UI shows it (no pixels of the full frame)."""

    generation: int
    index: int
    state: str                     # empty | reading | taken | accepted (kiosk.reading.tracker.FrameReport)
    serial: str | None
    status: str | None
    reason: str | None
    outline: list[list[float]] | None
    size: tuple[int, int]           # the frame's size: the outline's coordinates
    preview: QImage | None
    analyse_ms: float               # conversion + reading + storing


class FrameAnalyser(QObject):
    """Lives in its own QThread: frames in, FrameInfo and SheetResults out.

    Every slot runs on the analyser's thread; nothing here touches a widget.
    """

    # every signal carries the analyser's generation: the panel tells a finishing
    # source's last words from the current one's
    analysed = Signal(int, object)  # FrameInfo, or None for a frame that was not analysed
    result = Signal(int, object)    # SheetResult of a stored ballot
    failed = Signal(int, object)    # exception (KioskError: said plainly; anything else: a bug)
    closed = Signal(int)            # the kiosk is closed and the thread quits

    def __init__(self, generation: int, opener: Callable[[], Any], session, source: str, *,
                 tracker_options: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.generation = generation
        self.opener = opener
        self.session = session
        self.source = source
        self.tracker_options = tracker_options or {}
        self.preview_size = (PREVIEW_WIDTH, PREVIEW_WIDTH * 9 // 16)  # set by the UI thread (plain tuple)
        self.kiosk = None
        self.tracker = None
        self.run_id: int | None = None
        self.reporter = None
        self.counts: Counter = Counter()  # the run's outcomes, for its audit event
        self.done = False

    @Slot()
    def open(self) -> None:
        from kiosk.intake.context import read_context
        from kiosk.intake.results import Reporter
        from kiosk.reading.tracker import BallotTracker

        try:
            self.kiosk = self.opener()
            SignedIn(self.kiosk, self.session).require(Action.SCAN)  # the core's role check
            self.tracker = BallotTracker.for_context(read_context(self.kiosk), **self.tracker_options)
            self.reporter = Reporter(self.kiosk)
            self.run_id = self.kiosk.store.start_run(self.kiosk.kiosk_id)
        except BaseException as exc:  # noqa: BLE001 - reported on the UI thread
            self.tracker = None
            self.failed.emit(self.generation, exc)

    @Slot(object, int)
    def analyse(self, frame, index: int) -> None:
        if self.tracker is None or self.done:
            self.analysed.emit(self.generation, None)
            return
        t0 = time.perf_counter()
        try:
            image = frame if isinstance(frame, QImage) else frame.toImage()
            if image.isNull():
                self.analysed.emit(self.generation, None)
                return
            report = self.tracker.feed(frame_to_gray(image), index)
            if report.accepted is not None:
                self._record(report.accepted)
            pw, ph = self.preview_size
            preview = image.scaled(max(16, pw), max(16, ph), Qt.AspectRatioMode.KeepAspectRatio,
                                   Qt.TransformationMode.SmoothTransformation)
            info = FrameInfo(self.generation, index, report.state, report.serial, report.status, report.reason,
                             report.outline, (image.width(), image.height()), preview, (time.perf_counter() - t0) * 1000)
            self.analysed.emit(self.generation, info)
        except BaseException as exc:  # noqa: BLE001 - a bug or a storage failure: stop analysing
            self.tracker = None
            self.failed.emit(self.generation, exc)
            self.analysed.emit(self.generation, None)

    def _record(self, accepted) -> None:
        from kiosk.intake.camera import record_accepted

        SignedIn(self.kiosk, self.session).require(Action.SCAN)
        row = record_accepted(self.kiosk, accepted, self.source, self.run_id)
        result = self.reporter.result(self.source, row)
        count_result(self.counts, result)
        result.page = accepted.frame + 1  # as `kiosk scan VIDEO` reports it: the stored frame's number
        self.result.emit(self.generation, result)

    @Slot(bool)
    def finish(self, decide: bool) -> None:
        """End of the stream.  ``decide``: a ballot still in view is decided with
        what was seen (as at the end of a video); otherwise it is dropped unstored
        (sign-out, window close) and will be read when shown again."""
        try:
            if decide and self.tracker is not None and not self.done:
                last = self.tracker.finish()
                if last is not None:
                    self._record(last)
        except BaseException as exc:  # noqa: BLE001
            self.failed.emit(self.generation, exc)
        finally:
            if self.run_id is not None and self.kiosk is not None:
                try:  # the run's counts go to the audit log
                    SignedIn(self.kiosk, self.session).record_scan_run("camera", "done", self.counts)
                except BaseException as exc:  # noqa: BLE001
                    self.failed.emit(self.generation, exc)
            self.done = True
            self.tracker = None
            try:
                if self.kiosk is not None:
                    self.kiosk.close()
            except BaseException:  # pragma: no cover
                log.exception("closing the camera analyser's kiosk")
            self.kiosk = None
            self.closed.emit(self.generation)
            # back to the UI thread, which drops the last reference; then end this thread
            self.moveToThread(QCoreApplication.instance().thread())
            QThread.currentThread().quit()


class _Link(QObject):
    """UI-thread end of one analyser's queued connections."""

    frame = Signal(object, int)
    finish = Signal(bool)


# -- frame sources ------------------------------------------------------------------------

def best_format(device):
    """The device's format nearest 1280x720 at 15 frames/s or more (None: the default)."""
    formats = list(device.videoFormats() or [])
    if not formats:
        return None
    want = WANTED[0] * WANTED[1]

    def score(f):
        r = f.resolution()
        return (f.maxFrameRate() < 15, abs(r.width() * r.height() - want), -f.maxFrameRate())

    return min(formats, key=score)


class LiveCamera:
    """A QCamera into its own QVideoSink.  Exposes the camera's own signals
    (``errorOccurred(QCamera.Error, str)``, ``activeChanged(bool)``)."""

    def __init__(self, device, parent: QObject) -> None:
        from PySide6.QtMultimedia import QCamera, QMediaCaptureSession, QVideoSink

        self.camera = QCamera(device, parent)
        fmt = best_format(device)
        if fmt is not None:
            self.camera.setCameraFormat(fmt)
        self.sink = QVideoSink(parent)
        self.capture = QMediaCaptureSession(parent)
        self.capture.setCamera(self.camera)
        self.capture.setVideoSink(self.sink)
        self.errorOccurred = self.camera.errorOccurred
        self.activeChanged = self.camera.activeChanged

    def error(self):
        return self.camera.error()

    def errorString(self) -> str:  # noqa: N802 - Qt's name
        return self.camera.errorString()

    def start(self) -> None:
        self.camera.start()

    def stop(self) -> None:
        self.camera.stop()

    def close(self) -> None:
        self.capture.setVideoSink(None)
        self.capture.setCamera(None)
        for obj in (self.capture, self.sink, self.camera):
            obj.deleteLater()


def camera_permission() -> Qt.PermissionStatus:
    """The platform's camera permission (Linux: always granted; macOS asks the user)."""
    from PySide6.QtCore import QCameraPermission

    return QCoreApplication.instance().checkPermission(QCameraPermission())


def request_camera_permission(parent: QObject, done: Callable[[bool], None]) -> None:
    from PySide6.QtCore import QCameraPermission

    QCoreApplication.instance().requestPermission(
        QCameraPermission(), parent, lambda p: done(p.status() == Qt.PermissionStatus.Granted))


def video_inputs() -> list:
    from PySide6.QtMultimedia import QMediaDevices

    return list(QMediaDevices.videoInputs())


def device_key(device) -> bytes:
    return bytes(device.id())


# -- widgets -------------------------------------------------------------------------------

class CameraView(QWidget):
    """The analysed frame, scaled to fit, with the detected ballot outlined."""

    resized = Signal(QSize)

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

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self.resized.emit(event.size())

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


# -- the panel -------------------------------------------------------------------------------

@dataclass
class CameraStats:
    """Frames through the panel since the source started (the benchmark reads these)."""

    received: int = 0
    analysed: int = 0
    dropped: int = 0
    analyse_ms: deque = field(default_factory=lambda: deque(maxlen=5000))  # the latest frames' costs
    max_ms: float = 0.0
    started: float = 0.0
    stopped: float = 0.0

    def rate(self) -> float:
        end = self.stopped or time.monotonic()
        return self.analysed / max(1e-6, end - self.started)


class CameraPanel(QWidget):
    """The intake's camera source: choose a camera (or a video file), watch, read."""

    outcome_shown = Signal(object)  # SheetResult now on the banner (tests wait on it)
    frame_shown = Signal(object)    # FrameInfo now in the preview
    stopped = Signal()              # a source stopped and its analyser closed its kiosk

    def __init__(self, screen) -> None:
        super().__init__()
        self.setObjectName("cameraPanel")
        self.screen = screen
        self.ctx = screen.ctx
        # the platform, replaceable in tests (there is no camera on CI)
        self.inputs_provider: Callable[[], list] = video_inputs
        self.camera_factory: Callable[[Any, QObject], Any] = LiveCamera
        self.permission_provider: Callable[[], Any] = camera_permission
        self.tracker_options: dict[str, Any] = {}
        self.playback_rate = 1.0

        self._media_ready = False
        self._devices: list = []
        self.media_devices = None
        self.player = None
        self.player_sink = None
        self.camera = None           # LiveCamera (or a test's stand-in) while it runs
        self.kind: str | None = None  # "camera" | "video" while a source runs
        self.device: bytes | None = None
        self.source_name = ""
        self.generation = 0
        self.analyser: FrameAnalyser | None = None
        self.link: _Link | None = None
        self.threads: list[tuple[QThread, FrameAnalyser]] = []
        self._busy = False
        self._pending: tuple[Any, int] | None = None
        self._index = 0
        self._last_frame = 0.0
        self._last_activity = 0.0
        self._rate: deque[float] = deque()
        self.stats = CameraStats()
        self._counts: dict[int, dict[str, int]] = {}  # outcomes per source run (generation)
        self.note_error: KioskError | None = None
        self.last_result = None
        self.last_info: FrameInfo | None = None

        # controls -------------------------------------------------------------
        self.camera_combo = QComboBox()
        self.camera_combo.setObjectName("cameraChoice")
        self.camera_combo.setMinimumWidth(220)
        self.camera_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.camera_combo.setMinimumContentsLength(16)
        self.start_button = QPushButton()
        self.start_button.setObjectName("cameraStart")
        self.start_button.setProperty("kind", "primary")
        self.start_button.clicked.connect(self.toggle)
        self.video_button = QPushButton()
        self.video_button.setObjectName("cameraVideo")
        self.video_button.clicked.connect(self.choose_video)
        self.note = QLabel()
        self.note.setObjectName("note")
        shrinkable(self.note)
        controls = QVBoxLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addWidget(self.camera_combo)
        controls.addWidget(self.start_button)
        controls.addWidget(self.video_button)
        controls.addWidget(self.note)
        controls.addStretch(1)
        left = QWidget()
        left.setLayout(controls)
        left.setFixedWidth(CONTROLS_WIDTH)

        # preview and outcome ---------------------------------------------------------
        self.view = CameraView()
        self.view.resized.connect(self._view_resized)
        self.banner = OutcomeBanner()
        self.state_label = centred_label("cameraState", 20)
        self.rate_label = centred_label("cameraRate")
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(4)
        right.addWidget(self.banner, 1)
        right.addWidget(self.state_label)
        right.addWidget(self.rate_label)

        # controls | preview | outcome: one row, so the list below keeps its room at 1280x800
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(left)
        outer.addWidget(self.view, 5)
        outer.addLayout(right, 5)

        self._stall = QTimer(self)
        self._stall.setInterval(1000)
        self._stall.timeout.connect(self._check_stall)
        self._state = "idle"  # the state line's key: idle | empty | reading | taken | accepted | stopped
        self.retranslate()

    # -- texts ---------------------------------------------------------------------
    def retranslate(self) -> None:
        self.video_button.setText(self.tr("Atvērt video failu…"))
        self.camera_combo.setToolTip(self.tr("Kamera"))
        self._refresh_controls()
        self._refresh_note()
        self._refresh_state()
        if self.last_result is not None:
            self._show_banner(self.last_result)
        else:
            self.banner.show_outcome(None, self.tr("Gaida biļetenu"),
                                     self.tr("Turiet biļetenu zem kameras ar QR kodu uz augšu"), "")
        self.view.update()

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().changeEvent(event)
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    def _refresh_controls(self) -> None:
        running = self.kind is not None
        self.start_button.setText(self.tr("Apturēt") if running else self.tr("Sākt"))
        self.start_button.setProperty("kind", "danger" if running else "primary")
        self.start_button.style().unpolish(self.start_button)
        self.start_button.style().polish(self.start_button)
        self.start_button.setEnabled(running or bool(self._devices))
        self.camera_combo.setEnabled(not running and bool(self._devices))
        self.video_button.setEnabled(not running)

    def _refresh_note(self) -> None:
        """The short note under the buttons, and what the preview says without a picture:
        a camera problem (until the next start), no camera, or how to begin."""
        if self.kind == "camera":
            note, level = self.tr("Kamera ieslēgta"), "ok"
        elif self.kind == "video":
            note, level = self.tr("Video: {name}").format(name=Path(self.source_name).name), "ok"
        else:
            note, level = "", ""
        self.note.setText(note)
        self.note.setVisible(bool(note))
        self.note.setProperty("level", level)
        self.note.style().unpolish(self.note)
        self.note.style().polish(self.note)
        self.view.set_placeholder(*self.problem())

    def problem(self) -> tuple[str, str]:
        """(text, level) the preview shows while it has no picture."""
        lang = self.ctx.lang
        if self.note_error is not None:
            return self.note_error.message(lang), "error"
        if self._media_ready and not self._devices:
            return KioskError("camera.none").message(lang), "warn"
        return self.tr("Kamera nav ieslēgta. Izvēlieties kameru un spiediet “Sākt” vai atveriet video failu."), ""

    def _refresh_state(self) -> None:
        texts = {
            "idle": "",
            "empty": self.tr("Gaida nākamo biļetenu"),
            "reading": self.tr("Turiet biļetenu mierīgi…"),
            "taken": self.tr("Šis biļetens jau nolasīts: ņemiet nākamo"),
            "accepted": self.tr("Nolasīts: ņemiet nākamo biļetenu"),
            "stopped": self.tr("Apturēts"),
        }
        self.state_label.setText(texts.get(self._state, ""))
        if self.kind is not None and self.stats.analysed:
            self.rate_label.setText(self.tr("Analizē {n} kadrus sekundē").format(n=round(self._current_rate())))
        elif self.kind is None and self.stats.analysed:
            self.rate_label.setText(self.tr("Analizēti {n} kadri").format(n=self.stats.analysed))
        else:
            self.rate_label.setText("")

    # -- size: no room taken while another source is chosen (a stack sizes to all its pages)
    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return super().minimumSizeHint() if not self.isHidden() else QSize(0, 0)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return super().sizeHint() if not self.isHidden() else QSize(0, 0)

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt API (QStackedLayout asks every page)
        return super().heightForWidth(width) if not self.isHidden() else 0

    # -- devices ----------------------------------------------------------------------
    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self.ensure_media()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().hideEvent(event)
        if not event.spontaneous() and self.kind is not None:
            self.stop()  # the helper left the screen or chose another source

    def ensure_media(self) -> None:
        """Load Qt Multimedia on first use (not at start-up) and list the cameras."""
        if self._media_ready:
            return
        from PySide6.QtMultimedia import QMediaDevices

        self._media_ready = True
        self.media_devices = QMediaDevices(self)
        self.media_devices.videoInputsChanged.connect(self._inputs_changed)
        self.refresh_devices()

    def refresh_devices(self) -> None:
        chosen = self.camera_combo.currentData()
        self._devices = list(self.inputs_provider())
        self.camera_combo.blockSignals(True)
        self.camera_combo.clear()
        for n, d in enumerate(self._devices):
            self.camera_combo.addItem(d.description() or self.tr("Kamera {n}").format(n=n + 1), device_key(d))
        if not self._devices:
            self.camera_combo.addItem(self.tr("Nav kameras"), None)
        elif chosen is not None:
            i = self.camera_combo.findData(chosen)
            if i >= 0:
                self.camera_combo.setCurrentIndex(i)
        self.camera_combo.blockSignals(False)
        self._refresh_controls()
        self._refresh_note()

    def _inputs_changed(self) -> None:
        """QMediaDevices.videoInputsChanged: a camera was plugged in or out."""
        self.refresh_devices()
        if self.kind == "camera" and self.device not in {device_key(d) for d in self._devices}:
            self._camera_lost()

    # -- starting and stopping ----------------------------------------------------------
    def toggle(self) -> None:
        if self.kind is not None:
            self.stop()
        else:
            self.start_camera()

    def start_camera(self, *, asked: bool = False) -> bool:
        """Start the chosen camera (``asked``: the platform's permission was just granted)."""
        self.ensure_media()
        key = self.camera_combo.currentData()
        device = next((d for d in self._devices if device_key(d) == key), None)
        if device is None:
            self.note_error = None
            self._refresh_note()
            self.ctx.info(KioskError("camera.none").message(self.ctx.lang), Level.WARN)
            return False
        status = Qt.PermissionStatus.Granted if asked else self.permission_provider()
        if status == Qt.PermissionStatus.Undetermined:  # macOS, Windows: the system asks the user
            request_camera_permission(self, lambda ok: self.start_camera(asked=True) if ok else self._say(
                KioskError("camera.permission_denied")))
            return False
        if status == Qt.PermissionStatus.Denied:
            self._say(KioskError("camera.permission_denied"))
            return False
        self.stop()
        camera = self.camera_factory(device, self)
        from PySide6.QtMultimedia import QCamera

        if camera.error() != QCamera.Error.NoError:
            self._say(self._camera_problem(camera.errorString()))
            camera.close()
            return False
        self.camera = camera
        camera.errorOccurred.connect(self._camera_error)
        camera.activeChanged.connect(self._camera_active_changed)
        camera.sink.videoFrameChanged.connect(self._frame)
        self.device = key
        self._begin("camera", CAMERA_SOURCE + (device.description() or key.decode(errors="replace")))
        camera.start()
        self._stall.start()
        return True

    def choose_video(self) -> None:  # pragma: no cover - a modal system dialog
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Video ar biļeteniem"), "",
                                              self.tr("Video (*.mp4 *.webm *.mkv *.mov *.avi);;Visi faili (*)"))
        if path:
            self.open_video(path)

    def open_video(self, path: str | Path) -> None:
        """Play a video file into the same frame path as the camera (demonstrations, tests)."""
        from PySide6.QtMultimedia import QMediaPlayer, QVideoSink

        self.ensure_media()
        self.stop()
        if self.player is None:
            self.player = QMediaPlayer(self)
            self.player_sink = QVideoSink(self)
            self.player.setVideoOutput(self.player_sink)
            self.player_sink.videoFrameChanged.connect(self._frame)
            self.player.errorOccurred.connect(self._video_error)
            self.player.mediaStatusChanged.connect(self._video_status)
        self._begin("video", str(path))
        self.player.setSource(QUrl.fromLocalFile(str(Path(path).resolve())))
        self.player.setPlaybackRate(self.playback_rate)
        self.player.play()

    def _begin(self, kind: str, source: str) -> None:
        self.wait_stopped()
        self.generation += 1
        self.kind = kind
        self.source_name = source
        self.note_error = None
        self._busy = False
        self._pending = None
        self._index = 0
        self._rate.clear()
        self.stats = CameraStats(started=time.monotonic())
        self._last_frame = time.monotonic()
        k = self.ctx.kiosk
        analyser = FrameAnalyser(self.generation, worker_opener(k.datadir, k.campaign, k.institution), self.ctx.session,
                                 source, tracker_options=self.tracker_options)
        analyser.preview_size = self._preview_size()
        thread = QThread()
        thread.setObjectName(f"camera-analyser-{self.generation}")
        analyser.moveToThread(thread)
        thread.started.connect(analyser.open)
        analyser.analysed.connect(self._analysed)
        analyser.result.connect(self._result)
        analyser.failed.connect(self._failed)
        analyser.closed.connect(self._closed)
        thread.finished.connect(self._thread_finished)
        link = _Link()
        link.frame.connect(analyser.analyse)
        link.finish.connect(analyser.finish)
        self.analyser, self.link = analyser, link
        self.threads.append((thread, analyser))
        thread.start()
        self._state = "empty"
        self.view.clear()
        self._refresh_controls()
        self._refresh_note()
        self._refresh_state()

    def stop(self, *, decide: bool = True) -> None:
        """Stop the running source.  The analyser finishes in the background:
        ``decide`` a ballot still in view (else it is dropped unstored)."""
        if self.kind is None:
            return
        kind, self.kind = self.kind, None  # first: our own stop is not a lost camera
        self._stall.stop()
        if kind == "camera" and self.camera is not None:
            camera, self.camera = self.camera, None
            try:
                camera.sink.videoFrameChanged.disconnect(self._frame)
            except (RuntimeError, TypeError):  # pragma: no cover - already gone
                pass
            camera.stop()
            camera.close()
        elif kind == "video" and self.player is not None:
            self.player.stop()
        link, self.link = self.link, None
        if link is not None:
            if decide and self._pending is not None:
                link.frame.emit(*self._pending)  # the newest frame still counts
            link.finish.emit(decide)
        self._pending = None
        self.device = None
        self.stats.stopped = time.monotonic()
        self._state = "stopped"
        self._refresh_controls()
        self._refresh_note()
        self._refresh_state()

    def shutdown(self, timeout_ms: int = 15_000) -> bool:
        """Sign-out, window close: stop without deciding and wait for the thread."""
        self.stop(decide=False)
        return self.wait_stopped(timeout_ms)

    def wait_stopped(self, timeout_ms: int = 15_000) -> bool:
        """Block until every analyser thread has ended (each is at most one frame away)."""
        ok = True
        for thread, _analyser in list(self.threads):
            if not thread.wait(timeout_ms):
                log.error("camera analyser thread %s did not stop", thread.objectName())
                ok = False
        self._thread_finished()
        return ok

    @property
    def running(self) -> bool:
        return self.kind is not None

    @property
    def analysing(self) -> bool:
        """A frame is with the analyser now."""
        return self._busy

    @property
    def busy(self) -> bool:
        """A source runs or an analyser thread has not ended yet."""
        return self.kind is not None or any(not t.isFinished() for t, _ in self.threads)

    # -- frames -----------------------------------------------------------------------
    def _frame(self, frame) -> None:
        """QVideoSink.videoFrameChanged: keep only the newest frame while the analyser is busy."""
        if self.kind is None or self.link is None or not frame.isValid():
            return
        index = self._index
        self._index += 1
        self._last_frame = time.monotonic()
        self.stats.received += 1
        if self._busy:
            if self._pending is not None:
                self.stats.dropped += 1
            self._pending = (frame, index)
            return
        self._busy = True
        self.link.frame.emit(frame, index)

    @Slot(int, object)
    def _analysed(self, generation: int, info: FrameInfo | None) -> None:
        if generation != self.generation:
            return  # an earlier source's last frame
        self._busy = False
        if self._pending is not None and self.link is not None:
            frame, index = self._pending
            self._pending = None
            self._busy = True
            self.link.frame.emit(frame, index)
        if info is None:
            return
        now = time.monotonic()
        self.stats.analysed += 1
        self.stats.analyse_ms.append(info.analyse_ms)
        self.stats.max_ms = max(self.stats.max_ms, info.analyse_ms)
        self._rate.append(now)
        while self._rate and now - self._rate[0] > RATE_WINDOW_S:
            self._rate.popleft()
        self.last_info = info
        color = OUTLINE_READING
        if info.state in ("taken", "accepted") and self.last_result is not None \
                and self.last_result.serial == info.serial:
            color = QColor(STATUS_COLORS.get(self.last_result.status, OUTLINE_READING))
        if self.note_error is None:  # after a camera problem the preview keeps saying what happened
            self.view.show_frame(info.preview, info.size, info.outline, color)
        if self.kind is not None and info.state != self._state:
            self._state = info.state
        if info.state == "reading" and now - self._last_activity > ACTIVITY_S:
            self._last_activity = now
            self.ctx.activity.emit()  # a ballot in view: the helper is at work
        self._refresh_state()
        self.frame_shown.emit(info)

    def _current_rate(self) -> float:
        if len(self._rate) < 2:
            return float(len(self._rate))
        span = self._rate[-1] - self._rate[0]
        return (len(self._rate) - 1) / span if span > 0 else 0.0

    def _view_resized(self, size: QSize) -> None:
        if self.analyser is not None:
            self.analyser.preview_size = self._preview_size()

    def _preview_size(self) -> tuple[int, int]:
        s = self.view.size()
        return min(PREVIEW_WIDTH, max(16, s.width())), max(16, s.height())

    # -- outcomes ------------------------------------------------------------------------
    @Slot(int, object)
    def _result(self, generation: int, result) -> None:
        self.last_result = result
        counts = self._counts.setdefault(generation, dict.fromkeys(STATUSES, 0))
        if result.status in counts:
            counts[result.status] += 1
        self.screen.add_results([result])
        self._show_banner(result)
        self._last_activity = time.monotonic()
        self.ctx.activity.emit()
        self.outcome_shown.emit(result)

    def _show_banner(self, result) -> None:
        lang = self.ctx.lang
        title = self.screen.status_text(result.status)
        detail = "" if result.status == "counted" else reason_text(result.reason, lang)
        serial = self.screen.serial_text(result.serial) if result.serial else ""
        self.banner.show_outcome(result.status, title, detail, serial)

    @Slot(int, object)
    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self.generation:
            self.ctx.report(exc)  # an earlier source's last words
            return
        self.stop(decide=False)
        if isinstance(exc, KioskError):
            self._say(exc)
        else:
            self.ctx.report(exc)

    @Slot(int)
    def _closed(self, generation: int) -> None:
        if generation == self.generation:
            self.analyser = None
        c = self._counts.pop(generation, None)
        if c and sum(c.values()):
            self.ctx.data_changed.emit("review")
        if c and sum(c.values()) and not (generation == self.generation and self.note_error is not None):
            # (after a camera problem its message stays in the bar; the counters show the rest)
            self.ctx.info(self.tr("Kamera apturēta. Ieskaitīti {c}, jāpārbauda {r}, noraidīti {x}, dublikāti {d}.")
                          .format(c=c["counted"], r=c["review"], x=c["rejected"], d=c["duplicate"]), Level.OK)
        self._refresh_state()
        self.stopped.emit()

    @Slot()
    def _thread_finished(self) -> None:
        for item in list(self.threads):
            if item[0].isFinished():
                item[0].wait()
                self.threads.remove(item)

    # -- trouble ---------------------------------------------------------------------------
    def _say(self, exc: KioskError) -> None:
        """A camera problem: in the preview until the next start, and in the message bar."""
        self.note_error = exc
        self.view.clear()
        self._refresh_note()
        self.ctx.report(exc)

    def _camera_problem(self, text: str) -> KioskError:
        lowered = (text or "").lower()
        if any(w in lowered for w in PERMISSION_WORDS):
            return KioskError("camera.permission_denied")
        return KioskError("camera.cannot_open", detail=text or "?")

    def _camera_error(self, error, text: str) -> None:
        """QCamera.errorOccurred: access denied, in use, cannot be opened."""
        from PySide6.QtMultimedia import QCamera

        if error == QCamera.Error.NoError or self.kind != "camera":
            return
        self.stop()
        self._say(self._camera_problem(text))

    def _camera_active_changed(self, active: bool) -> None:
        """QCamera.activeChanged(False) while running, not asked by us: the camera went away."""
        if not active and self.kind == "camera":
            self._camera_lost()

    def _camera_lost(self) -> None:
        self.stop()  # the ballot in view is decided with what was seen; results stay
        self._say(KioskError("camera.unplugged"))

    def _check_stall(self) -> None:
        if self.kind == "camera" and time.monotonic() - self._last_frame > STALL_S:
            self.stop()
            self._say(KioskError("camera.no_picture"))

    def _video_error(self, error, text: str) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if error == QMediaPlayer.Error.NoError or self.kind != "video":
            return
        self.stop()
        self._say(KioskError("camera.video_failed", detail=text or "?"))

    def _video_status(self, status) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if self.kind != "video":
            return
        if status == QMediaPlayer.MediaStatus.EndOfMedia:
            self.stop()
        elif status == QMediaPlayer.MediaStatus.InvalidMedia:
            self.stop()
            self._say(KioskError("camera.video_failed", detail=self.player.errorString() or "?"))
