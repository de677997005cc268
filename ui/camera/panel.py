"""The camera panel: choose a camera (or a video file), watch, read.

One code path for every frame source: the live camera (``QCamera`` in a
``QMediaCaptureSession``, ``devices.LiveCamera``) and a video file
(``QMediaPlayer``) each deliver into a ``QVideoSink``; the panel feeds each
frame to the analyser, a streaming job of the application's runner
(``analyser.FrameAnalyser``), and shows what comes back: the preview with
the ballot's outline, the tracker's state, and the outcome banner.

Frames are never queued: the job's input holds one waiting frame, the
newest, so the preview and the outcome never lag behind the hand, however
slow the machine, and memory stays bounded.

Camera trouble (none connected, unplugged, access denied, cannot be opened,
no picture) stops the source cleanly with a plain message; the results so
far stay, and the rest of the application keeps working.  The analyser
stops when the source stops, when the panel is hidden (the helper left the
screen or chose another source), on sign-out and on window close.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.errors import KioskError
from kiosk.intake.results import SheetResult
from kiosk.intake.review import reason_text

from ..context import Level
from ..widgets import STATUS_COLORS, shrinkable
from ..worker import Job
from .analyser import FrameAnalyser
from .banner import OutcomeBanner, centred_label
from .devices import LiveCamera, device_key, source_name, video_inputs
from .frames import FrameInfo, preview_size
from .permissions import camera_permission, camera_problem, request_camera_permission
from .preview import OUTLINE_READING, CameraView
from .stats import CameraStats, RateMeter, new_counts

log = logging.getLogger("kiosk.ui.camera")

STALL_S = 6.0                   # a running camera that sends no picture this long is treated as lost
ACTIVITY_S = 15.0               # a ballot in view counts as the helper being present this often
CONTROLS_WIDTH = 270


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
        self.job: Job | None = None  # the running source's analyser (a streaming job of ctx.runner)
        self.jobs: list[Job] = []    # analysers whose end has not been handled yet
        self._in_flight = 0          # frames fed to the current analyser and not yet reported
        self._index = 0
        self._last_frame = 0.0
        self._last_activity = 0.0
        self._rate = RateMeter()
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
            self.rate_label.setText(self.tr("Analizē {n} kadrus sekundē").format(n=round(self._rate.rate())))
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
            self._say(camera_problem(camera.errorString()))
            camera.close()
            return False
        self.camera = camera
        camera.errorOccurred.connect(self._camera_error)
        camera.activeChanged.connect(self._camera_active_changed)
        camera.sink.videoFrameChanged.connect(self._frame)
        self.device = key
        self._begin("camera", source_name(device))
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
        generation = self.generation
        self.kind = kind
        self.source_name = source
        self.note_error = None
        self._in_flight = 0
        self._index = 0
        self._rate.clear()
        self.stats = CameraStats(started=time.monotonic())
        self._last_frame = time.monotonic()
        self.job = self.ctx.runner.stream(
            FrameAnalyser(self.ctx.session, source, tracker_options=self.tracker_options), name="camera",
            items=lambda batch: self._analysed(generation, batch),
            failed=lambda exc: self._failed(generation, exc),
            finished=lambda: self._closed(generation))
        self.jobs.append(self.job)
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
        job, self.job = self.job, None
        if job is not None:
            if decide:
                job.close_input()  # the waiting frame, the newest, still counts; then the ballot in view is decided
            else:
                job.cancel()
        self.device = None
        self.stats.stopped = time.monotonic()
        self._state = "stopped"
        self._refresh_controls()
        self._refresh_note()
        self._refresh_state()

    def shutdown(self, timeout_ms: int = 15_000) -> bool:
        """Sign-out, window close: stop without deciding and wait for the analyser."""
        self.stop(decide=False)
        return self.wait_stopped(timeout_ms)

    def wait_stopped(self, timeout_ms: int = 15_000) -> bool:
        """Block until every analyser has returned and closed its kiosk (each is at most
        one frame away); their last results still arrive by signal."""
        ok = True
        for job in list(self.jobs):
            if not job.wait(timeout_ms):
                log.error("the camera analyser did not stop")
                ok = False
        return ok

    @property
    def running(self) -> bool:
        return self.kind is not None

    @property
    def analysing(self) -> bool:
        """A frame is with the analyser now (or waits for it)."""
        return self._in_flight > 0

    @property
    def busy(self) -> bool:
        """A source runs or an analyser's end has not been handled yet."""
        return self.kind is not None or bool(self.jobs)

    # -- frames -----------------------------------------------------------------------
    def _frame(self, frame) -> None:
        """QVideoSink.videoFrameChanged: to the analyser, replacing a frame still waiting for it."""
        if self.kind is None or self.job is None or not frame.isValid():
            return
        index = self._index
        self._index += 1
        self._last_frame = time.monotonic()
        self.stats.received += 1
        size = self.view.size()
        if self.job.feed((frame, index, preview_size(size.width(), size.height()))):
            self.stats.dropped += 1
        else:
            self._in_flight += 1

    def _analysed(self, generation: int, batch: list) -> None:
        """The analyser's results in order: SheetResults of stored ballots, and a FrameInfo
        (None: no picture) per frame it took."""
        for item in batch:
            if isinstance(item, SheetResult):
                self._result(generation, item)
            elif generation == self.generation:  # (an earlier source's last frames are not shown)
                self._in_flight = max(0, self._in_flight - 1)
                if item is not None:
                    self._show_frame(item)

    def _show_frame(self, info: FrameInfo) -> None:
        now = time.monotonic()
        self.stats.add(info.analyse_ms)
        self._rate.add(info.at)
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

    # -- outcomes ------------------------------------------------------------------------
    def _result(self, generation: int, result: SheetResult) -> None:
        self.last_result = result
        counts = self._counts.setdefault(generation, new_counts())
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

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self.generation:
            self.ctx.report(exc)  # an earlier source's last words
            return
        self.stop(decide=False)
        if isinstance(exc, KioskError):
            self._say(exc)
        else:
            self.ctx.report(exc)

    def _closed(self, generation: int) -> None:
        """An analyser finished: its kiosk is closed and every result of it delivered."""
        self.jobs = [j for j in self.jobs if j.running]
        if generation == self.generation:
            if self.job is not None and not self.job.running:
                self.job = None
            self._in_flight = 0
        c = self._counts.pop(generation, None)
        if c and sum(c.values()):
            self.ctx.data_changed.emit("review")
        if c and sum(c.values()) and not (generation == self.generation and self.note_error is not None):
            # (after a camera problem its message stays in the bar; the counters show the rest)
            self.ctx.info(self.tr("Kamera apturēta. Ieskaitīti {c}, jāpārbauda {r}, noraidīti {x}, dublikāti {d}.")
                          .format(c=c["counted"], r=c["review"], x=c["rejected"], d=c["duplicate"]), Level.OK)
        self._refresh_state()
        self.stopped.emit()

    # -- trouble ---------------------------------------------------------------------------
    def _say(self, exc: KioskError) -> None:
        """A camera problem: in the preview until the next start, and in the message bar."""
        self.note_error = exc
        self.view.clear()
        self._refresh_note()
        self.ctx.report(exc)

    def _camera_error(self, error, text: str) -> None:
        """QCamera.errorOccurred: access denied, in use, cannot be opened."""
        from PySide6.QtMultimedia import QCamera

        if error == QCamera.Error.NoError or self.kind != "camera":
            return
        self.stop()
        self._say(camera_problem(text))

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
