"""Cameras: the platform's list, the format asked for, one camera into a video sink.

Qt Multimedia is imported on first use, not at start-up.
"""
from __future__ import annotations

from PySide6.QtCore import QObject

CAMERA_SOURCE = "camera:"  # stored sheets' source: "camera:<device description>"
WANTED = (1280, 720)       # the camera format asked for (the reader's design resolution)


def video_inputs() -> list:
    from PySide6.QtMultimedia import QMediaDevices

    return list(QMediaDevices.videoInputs())


def device_key(device) -> bytes:
    return bytes(device.id())


def source_name(device) -> str:
    """What a camera's sheets are stored with as their source."""
    return CAMERA_SOURCE + (device.description() or device_key(device).decode(errors="replace"))


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
