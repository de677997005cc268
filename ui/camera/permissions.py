"""Camera access: the platform's permission, and a camera's refusal said plainly."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, Qt

from kiosk.errors import KioskError

PERMISSION_WORDS = ("permission", "denied", "not authorized", "eacces", "access")


def camera_permission() -> Qt.PermissionStatus:
    """The platform's camera permission (Linux: always granted; macOS asks the user)."""
    from PySide6.QtCore import QCameraPermission

    return QCoreApplication.instance().checkPermission(QCameraPermission())


def request_camera_permission(parent: QObject, done: Callable[[bool], None]) -> None:
    """Ask the user (macOS, Windows); ``done(granted)`` comes later on the UI thread."""
    from PySide6.QtCore import QCameraPermission

    QCoreApplication.instance().requestPermission(
        QCameraPermission(), parent, lambda p: done(p.status() == Qt.PermissionStatus.Granted))


def camera_problem(text: str) -> KioskError:
    """A camera's error text as the message the helper reads: access refused, or cannot be opened."""
    lowered = (text or "").lower()
    if any(w in lowered for w in PERMISSION_WORDS):
        return KioskError("camera.permission_denied")
    return KioskError("camera.cannot_open", detail=text or "?")
