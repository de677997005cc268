"""The intake's camera mode: real widgets, a real video, the real reader.

A generated MP4 of really printed and marked ballots being held up
(tests/video.py) plays through QMediaPlayer into the panel's QVideoSink;
frames go through the panel's analyser (a streaming job of the runner)
exactly as a webcam's would.  How fast frames are analysed is measured by
benchmarks/bench_camera_ui.py, not asserted here.

There is no camera on CI (``QMediaDevices.videoInputs()`` is empty), so the
camera's own failures are driven the way Qt would drive them: a stand-in
device plays the same video into its own sink and speaks QCamera's signals
(``errorOccurred``, ``activeChanged``), and ``QMediaDevices.videoInputsChanged``
is emitted after the stand-in device left the list.  A real ``QCamera`` on a
null device gives the "cannot open" path with Qt's own error.  What is NOT
covered here: a physical USB webcam (its formats, a real unplug, a real
permission prompt).
"""
from __future__ import annotations

import json
from pathlib import Path

import corpus as C
import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QColor, QImage
from PySide6.QtMultimedia import (
    QCamera,
    QCameraDevice,
    QMediaDevices,
    QMediaPlayer,
    QVideoFrame,
    QVideoSink,
)
from sheets import ballot
from test_ui_support import clock, sign_in, wait_idle, win  # noqa: F401 - fixtures
from video import make_video

from kiosk.access.roles import Role
from kiosk.assets import demo_campaign_path
from kiosk.ballot.campaign import load_campaign
from kiosk.station import Kiosk
from ui.camera.devices import LiveCamera
from ui.camera.frames import PREVIEW_WIDTH, frame_to_gray
from ui.camera.permissions import camera_permission
from ui.screens import Mode
from ui.widgets import STATUS_COLORS
from ui.worker import Runner

# Exactly the messages Qt Multimedia logs on a headless machine without GPU
# video decoding, PipeWire or VA-API; every other Qt warning still fails a test.
pytestmark = pytest.mark.qt_log_ignore(
    r"This plugin does not support propagateSizeHints",
    r'^"?No HW decoder found"?$',
    r"No RHI backend\. Using CPU conversion\.$",
    r"^Couldn't (load|resolve) (pipewire-0\.3|va|va-drm|va-x11|va\(in plugin\)) (library|symbols)$",
)

PLAN = [C.CLEAR, C.OVERVOTE, C.FOREIGN, C.CLEAR]


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    """A 1280x720 15 fps MP4: a counted ballot, an overvote, another institution's ballot, a counted one."""
    base = tmp_path_factory.mktemp("camera-ui")
    campaign = load_campaign(demo_campaign_path())
    ours = Kiosk.enroll(campaign.institutions[0].id, root=base / "ours", campaign_path=demo_campaign_path())
    theirs = Kiosk.enroll(campaign.institutions[1].id, root=base / "theirs", campaign_path=demo_campaign_path())
    try:
        shown = make_video(ours, base / "ballots.mp4", PLAN, seed=21, frame=(1280, 720), fps=15, foreign_kiosk=theirs)
    finally:
        ours.close()
        theirs.close()
    return base / "ballots.mp4", shown


@pytest.fixture(autouse=True)
def analysers(monkeypatch):
    """Every streaming job (camera analyser) the runner starts; each must have ended when
    the test is over (after the window closed), or the test fails: none may leak."""
    started: list = []
    stream = Runner.stream

    def tracked(self, fn, **kwargs):
        job = stream(self, fn, **kwargs)
        started.append(job)
        return job

    monkeypatch.setattr(Runner, "stream", tracked)
    yield started
    assert all(job.ended for job in started), "a camera analyser is still running"


class FakeDevice:
    """A camera in the device list (QCameraDevice cannot be built with made-up data)."""

    def __init__(self, key: bytes, name: str) -> None:
        self.key, self.name = key, name

    def id(self) -> bytes:
        return self.key

    def description(self) -> str:
        return self.name

    def videoFormats(self) -> list:  # noqa: N802 - Qt's name
        return []


class VideoCamera(QObject):
    """Stands in for a USB camera: the video plays into its own sink, and it speaks
    QCamera's signals.  Everything from the sink on is the panel's real code."""

    errorOccurred = Signal(object, str)  # noqa: N815 - Qt's names
    activeChanged = Signal(bool)  # noqa: N815

    def __init__(self, path: Path, parent: QObject) -> None:
        super().__init__(parent)
        self.sink = QVideoSink(self)
        self.player = QMediaPlayer(self)
        self.player.setVideoOutput(self.sink)
        self.player.setSource(QUrl.fromLocalFile(str(path)))
        self.active = False

    def error(self):
        return QCamera.Error.NoError

    def errorString(self) -> str:  # noqa: N802
        return ""

    def start(self) -> None:
        self.player.play()
        self.active = True
        self.activeChanged.emit(True)

    def stop(self) -> None:
        self.player.stop()
        if self.active:
            self.active = False
            self.activeChanged.emit(False)

    def close(self) -> None:
        self.deleteLater()


def camera_panel(win, qtbot, role: Role = Role.HELPER):
    sign_in(win, qtbot, role)
    assert win.mode is Mode.INTAKE
    screen = win.screens[Mode.INTAKE]
    screen.workers = 1
    qtbot.mouseClick(screen.source_buttons["camera"], Qt.MouseButton.LeftButton)
    assert screen.sources.currentWidget() is screen.camera and screen.camera.isVisible()
    return screen, screen.camera


def with_stand_in_camera(panel, path: Path, devices: list) -> None:
    devices[:] = [FakeDevice(b"/dev/video7", "Testa kamera")]
    panel.inputs_provider = lambda: list(devices)
    panel.camera_factory = lambda device, parent: VideoCamera(path, parent)
    panel.media_devices.videoInputsChanged.emit()  # as Qt does when a camera is plugged in
    assert panel.camera_combo.currentText() == "Testa kamera" and panel.start_button.isEnabled()


def rows_by_serial(screen) -> dict:
    out: dict = {}
    for r in screen.model.rows:
        out.setdefault(r.serial, []).append(r)
    return out


# -- a video through the panel ---------------------------------------------------------------

def test_a_video_is_read_like_the_camera_one_result_per_ballot(win, qtbot, kiosk, video):
    path, shown = video
    screen, panel = camera_panel(win, qtbot)
    banners, outlined = [], []
    panel.outcome_shown.connect(lambda r: banners.append(
        (r.status, panel.banner.status, panel.banner.background().name(), panel.banner.text())))
    panel.frame_shown.connect(lambda info: info.outline and outlined.append(info))
    states = set()
    panel.frame_shown.connect(lambda info: states.add(panel.state_label.text()))
    with qtbot.waitSignal(panel.stopped, timeout=60_000):
        panel.open_video(path)
        assert panel.running and panel.note.text() == "Video: ballots.mp4"

    # one result per ballot, right statuses and selections, in the list and the counters
    assert screen.model.rowCount() == len(shown)
    by_serial = rows_by_serial(screen)
    for s in shown:
        if s.cls == C.FOREIGN:
            continue
        (row,) = by_serial[s.serial]
        if s.cls == C.CLEAR:
            assert (row.status, row.selections) == ("counted", s.expected)
        else:
            assert (row.status, row.reason, row.selections) == ("review", "overvote", s.expected)
    (foreign,) = by_serial[None]
    assert (foreign.status, foreign.reason) == ("rejected", "other_institution")
    assert screen.model.counts == {"counted": 2, "review": 1, "rejected": 1, "duplicate": 0}
    texts = [(screen.model.index(r, 2).data(), screen.model.index(r, 3).data()) for r in range(4)]
    assert texts == [("Ieskaitīts", ""), ("Jāpārbauda", "Jautājumā atzīmēts vairāk nekā viens variants"),
                     ("Noraidīts", "Biļetens ir no citas iestādes"), ("Ieskaitīts", "")]
    assert all(r.source == str(path) and r.page > 1 for r in screen.model.rows)  # page: the stored frame

    # the banner: each outcome in its colour, with the reason in plain Latvian; the last stays
    assert [b[:3] for b in banners] == [(s, s, STATUS_COLORS[s].name()) for s in
                                        ("counted", "review", "rejected", "counted")]
    assert banners[1][3].startswith("Jāpārbauda\nJautājumā atzīmēts vairāk nekā viens variants")
    assert banners[2][3] == "Noraidīts\nBiļetens ir no citas iestādes"
    assert panel.banner.status == "counted" and panel.banner.text().startswith("Ieskaitīts\nbiļetens Nr. ")
    assert panel.banner.background() == QColor("#1b7f3b")
    assert "Turiet biļetenu mierīgi…" in states

    # the preview: the analysed frame with the ballot's outline, in frame pixels
    assert outlined and all(len(i.outline) == 4 and i.size == (1280, 720) for i in outlined)
    # (a page sliding out of view has corners outside the frame while its marks are still seen)
    assert all(-320 <= x <= 1600 and -180 <= y <= 900 for i in outlined for x, y in i.outline)
    held = [i for i in outlined if i.state in ("taken", "accepted")]  # a ballot located: the page outlined
    assert held and max(abs(x1 - x0) + abs(y1 - y0) for i in held
                        for (x0, y0), (x1, y1) in zip(i.outline, i.outline[1:])) > 300
    assert panel.view.image is not None and panel.view.image.width() <= PREVIEW_WIDTH

    # latest frame only: every frame delivered was analysed or replaced by a newer one
    st = panel.stats
    assert st.received >= 100 and st.analysed >= 1 and st.analysed + st.dropped <= st.received

    # each stored sheet keeps its frame for review; the screen says what happened
    for r in screen.model.rows:
        sheet = kiosk.store.sheet(r.sheet_id)
        assert Path(kiosk.store.image(sheet.image_sha256)["path"]).exists()
        assert sheet.interpretation["camera"]["agreeing_frames"] >= 3
    assert win.message_bar.text() == "Kamera apturēta. Ieskaitīti 2, jāpārbauda 1, noraidīti 1, dublikāti 0."
    assert win.nav_buttons[Mode.REVIEW].text() == "Pārbaudīt (1)"
    qtbot.waitUntil(lambda: not panel.busy, timeout=10_000)
    # the run is in the audit log with its counts (no serial, no selection)
    qtbot.waitUntil(lambda: any(r["event"] == "scan.run" for r in kiosk.store.audit_rows()), timeout=10_000)
    [run] = [json.loads(r["fields"]) for r in kiosk.store.audit_rows() if r["event"] == "scan.run"]
    assert run == {"source": "camera", "outcome": "done", "sheets": 4, "counted": 2, "review": 1, "rejected": 1,
                   "duplicate": 0, "repeat": 0}


def test_the_core_refuses_a_role_that_may_not_scan(win, qtbot, kiosk, video):
    """The front desk never sees the intake; even if its panel is driven, the core says no."""
    path, _ = video
    sign_in(win, qtbot, Role.FRONT_DESK)
    assert not win.show_mode(Mode.INTAKE)
    panel = win.screens[Mode.INTAKE].camera
    with qtbot.waitSignal(panel.stopped, timeout=30_000):
        panel.open_video(path)
    assert win.message_bar.text() == "Lomai “Reģistratūra” šī darbība nav atļauta"
    assert not panel.running and sum(kiosk.store.sheet_counts().values()) == 0


# -- no camera, and cameras that go wrong ---------------------------------------------------------

def test_no_camera_is_said_and_the_video_file_offered(win, qtbot):
    if QMediaDevices.videoInputs():
        pytest.skip("a camera is connected to this machine")
    _screen, panel = camera_panel(win, qtbot)
    text, level = panel.problem()
    assert level == "warn" and text.startswith("Kamera nav atrasta.") and "video failu" in text
    assert panel.view.placeholder == text  # said where the picture would be
    assert panel.camera_combo.currentText() == "Nav kameras" and not panel.start_button.isEnabled()
    assert panel.video_button.isEnabled() and panel.video_button.text() == "Atvērt video failu…"
    assert not panel.start_camera() and not panel.running
    assert win.message_bar.text().startswith("Kamera nav atrasta.")
    win.ctx.set_language("en")
    assert panel.problem()[0].startswith("No camera found.") and panel.video_button.text() == "Open a video file…"


def test_an_unplugged_camera_stops_cleanly_keeps_the_results_and_the_app_works_on(win, qtbot, kiosk, video, tmp_path,
                                                                                  analysers):
    path, shown = video
    screen, panel = camera_panel(win, qtbot)
    devices: list = []
    with_stand_in_camera(panel, path, devices)
    with qtbot.waitSignal(panel.outcome_shown, timeout=30_000):
        qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
        assert panel.running and panel.start_button.text() == "Apturēt" and not panel.video_button.isEnabled()
    assert screen.model.rows[0].source == "camera:Testa kamera"
    assert screen.model.index(0, 1).data() == "Kamera: Testa kamera"  # no frame number for a live camera
    assert screen.model.rows[0].serial == shown[0].serial and screen.model.rows[0].status == "counted"

    devices.clear()  # the USB cable is pulled: Qt re-lists the devices and says so
    with qtbot.waitSignal(panel.stopped, timeout=20_000):
        panel.media_devices.videoInputsChanged.emit()
    assert not panel.running and panel.camera is None
    assert win.message_bar.text().startswith("Kamera tika atvienota. Jau nolasītie biļeteni ir saglabāti")
    assert panel.problem()[1] == "error" and panel.view.image is None  # said in the preview too
    kept = screen.model.rowCount()
    assert kept >= 1 and sum(kiosk.store.sheet_counts().values()) == kept
    assert panel.camera_combo.currentText() == "Nav kameras" and not panel.start_button.isEnabled()
    qtbot.waitUntil(lambda: not panel.busy, timeout=10_000)
    assert analysers and all(job.ended for job in analysers)

    # the rest of the application keeps working: scan a file from the files source
    img, _spec, serial = ballot(kiosk, tmp_path, {"rating": "4"}, seed=3)
    scan = tmp_path / "scan-after-camera.png"
    img.save(scan)
    screen.show_source("files")
    with qtbot.waitSignal(screen.scan_finished, timeout=60_000):
        screen.scan([str(scan)])
    assert screen.model.rowCount() == kept + 1 and screen.model.rows[-1].source == str(scan)
    assert screen.model.rows[-1].status == "counted"  # the required question blank: counted as cast
    wait_idle(win, qtbot)


def test_camera_errors_are_said_plainly(win, qtbot, kiosk, video):
    path, _ = video
    _screen, panel = camera_panel(win, qtbot)
    with_stand_in_camera(panel, path, [])

    def start_and_then(signal, *args) -> None:
        assert panel.start_camera() and panel.running
        with qtbot.waitSignal(panel.stopped, timeout=20_000):
            getattr(panel.camera, signal).emit(*args)  # as QCamera would
        assert not panel.running and panel.problem()[1] == "error"

    start_and_then("errorOccurred", QCamera.Error.CameraError, "Permission denied")
    assert win.message_bar.text() == ("Piekļuve kamerai ir liegta. Atļaujiet programmai lietot kameru "
                                      "(sistēmas iestatījumos) un mēģiniet vēlreiz")
    start_and_then("errorOccurred", QCamera.Error.CameraError, "Camera is in use.")
    assert win.message_bar.text().startswith("Kameru nevar atvērt (Camera is in use.).")
    start_and_then("activeChanged", False)  # the camera switched itself off
    assert win.message_bar.text().startswith("Kamera tika atvienota.")
    assert panel.start_camera() and panel.problem()[1] == ""  # a fresh start clears the message
    panel.stop()

    # the platform asks the user first (macOS, Windows): Qt's real request; Linux grants at once
    panel.permission_provider = lambda: Qt.PermissionStatus.Undetermined
    assert not panel.start_camera()
    qtbot.waitUntil(lambda: panel.running, timeout=10_000)
    panel.stop()
    # the platform refuses access: nothing starts
    panel.permission_provider = lambda: Qt.PermissionStatus.Denied
    assert not panel.start_camera() and not panel.running
    assert panel.problem()[0].startswith("Piekļuve kamerai ir liegta.")
    # a real QCamera that cannot open its device: Qt's own error, said plainly
    panel.permission_provider = camera_permission
    panel.camera_factory = lambda device, parent: LiveCamera(QCameraDevice(), parent)
    assert not panel.start_camera() and not panel.running
    assert win.message_bar.text().startswith("Kameru nevar atvērt (") and "Pārbaudiet" in win.message_bar.text()
    win.ctx.set_language("en")
    assert panel.problem()[0].startswith("The camera cannot be opened (")
    qtbot.waitUntil(lambda: not panel.busy, timeout=10_000)


def test_leaving_the_screen_or_signing_out_stops_the_analyser(win, qtbot, kiosk, video, analysers):
    path, _ = video
    screen, panel = camera_panel(win, qtbot)
    with_stand_in_camera(panel, path, [])
    with qtbot.waitSignal(panel.frame_shown, timeout=20_000):
        panel.start_camera()
    with qtbot.waitSignal(panel.stopped, timeout=20_000):
        win.show_mode(Mode.REVIEW)  # the helper leaves the intake
    assert not panel.running
    qtbot.waitUntil(lambda: not panel.busy, timeout=10_000)

    assert win.show_mode(Mode.INTAKE) and panel.isVisible()
    with qtbot.waitSignal(panel.frame_shown, timeout=20_000):
        panel.start_camera()
    rows = screen.model.rowCount()
    qtbot.mouseClick(win.sign_out_button, Qt.MouseButton.LeftButton)
    assert win.mode is Mode.SIGN_IN and not panel.running
    assert len(analysers) == 2 and all(job.ended for job in analysers)  # shutdown waited for the analyser
    assert screen.model.rowCount() == rows  # nothing stored after the session ended

    # the office closes the kiosk while the camera runs
    sign_in(win, qtbot, Role.HELPER)
    screen.show_source("camera")
    with qtbot.waitSignal(panel.frame_shown, timeout=20_000):
        assert panel.start_camera()
    win.exit_kiosk()
    assert not win.isVisible() and not panel.running
    assert len(analysers) == 3 and all(job.ended for job in analysers)


class StillCamera(QObject):
    """A stand-in camera whose frames the test puts into its sink, one by one."""

    errorOccurred = Signal(object, str)  # noqa: N815 - Qt's names
    activeChanged = Signal(bool)  # noqa: N815

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.sink = QVideoSink(self)

    def error(self):
        return QCamera.Error.NoError

    def errorString(self) -> str:  # noqa: N802
        return ""

    def start(self) -> None:
        self.activeChanged.emit(True)

    def stop(self) -> None:
        pass

    def close(self) -> None:
        self.deleteLater()


def test_frames_arriving_while_one_is_analysed_replace_the_waiting_one(win, qtbot, monkeypatch):
    """Latest frame wins, deterministically: the analyser is held on the first frame while
    four more arrive; only the newest of them is analysed, the others are dropped."""
    import threading

    import ui.camera.analyser as analyser

    holding, release = threading.Event(), threading.Event()
    to_gray = analyser.frame_to_gray

    def held_to_gray(image):
        if not holding.is_set():
            holding.set()
            assert release.wait(20)
        return to_gray(image)

    monkeypatch.setattr(analyser, "frame_to_gray", held_to_gray)
    _screen, panel = camera_panel(win, qtbot)
    devices = [FakeDevice(b"/dev/video3", "Stāvkamera")]
    panel.inputs_provider = lambda: list(devices)
    panel.camera_factory = lambda device, parent: StillCamera(parent)
    panel.media_devices.videoInputsChanged.emit()
    assert panel.start_camera()
    shown = []
    panel.frame_shown.connect(lambda info: shown.append(info.index))

    def frame(n: int) -> QVideoFrame:
        img = QImage(320, 180, QImage.Format.Format_RGB32)
        img.fill(QColor(20 * n, 20 * n, 20 * n))
        return QVideoFrame(img)

    panel.camera.sink.setVideoFrame(frame(0))
    assert holding.wait(20) and panel.analysing  # frame 0 is with the analyser
    for n in range(1, 5):
        panel.camera.sink.setVideoFrame(frame(n))
    assert (panel.stats.received, panel.stats.dropped) == (5, 3)  # 1, 2, 3 replaced; 4 waits
    release.set()
    qtbot.waitUntil(lambda: shown == [0, 4] and not panel.analysing, timeout=20_000)
    assert panel.stats.analysed == 2 and panel.last_info.state == "empty" and panel.last_info.size == (320, 180)
    with qtbot.waitSignal(panel.stopped, timeout=20_000):
        panel.stop()
    assert shown == [0, 4]


def test_frames_become_owned_grayscale_arrays_without_row_padding():
    img = QImage(1279, 3, QImage.Format.Format_RGB32)  # 1279 gray bytes a row: padded to 1280
    for x in range(1279):
        for y in range(3):
            img.setPixelColor(x, y, QColor(x % 256, (x + y) % 256, 255 - x % 256))
    gray = frame_to_gray(img)
    ref = img.convertToFormat(QImage.Format.Format_Grayscale8)
    assert gray.shape == (3, 1279) and gray.flags["OWNDATA"] and gray.flags["C_CONTIGUOUS"]
    assert all(int(gray[y, x]) == ref.pixelColor(x, y).red() for y in range(3) for x in (0, 1, 640, 1277, 1278))
