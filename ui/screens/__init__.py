"""One module per screen; the main window switches between them by ``Mode``.

Each screen is a ``Screen``: it knows the action it needs (checked again by
the core on every operation), retranslates itself on a language change and
hears when it is shown and when the session changes.  A screen holds no
business rules and no SQL: it calls kiosk/ services, directly for quick
reads and through ``ctx.runner`` for anything long.
"""
from __future__ import annotations

import enum

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QWidget

from kiosk.access.roles import Action, Session

from ..context import AppContext


class Mode(enum.Enum):
    SIGN_IN = "sign_in"
    PRINT = "print"
    INTAKE = "intake"
    REVIEW = "review"
    EXPORT = "export"
    SETTINGS = "settings"


class Screen(QWidget):
    mode: Mode
    action: Action | None = None  # what the signed-in role must be allowed to do

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName(f"screen_{self.mode.value}")

    # hooks -------------------------------------------------------------
    def retranslate(self) -> None:
        """Set every translatable text (called at start and on a language change)."""

    def on_show(self) -> None:
        """The screen became the current one: refresh what it shows."""

    def on_session(self, session: Session | None) -> None:
        """Someone signed in (session) or out (None)."""

    def on_close(self) -> None:
        """The application is closing: stop timers that would start background work."""

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
