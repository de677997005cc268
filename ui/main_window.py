"""The main window: a header, a navigation row, a stack of screens, a message bar.

Thin on purpose: it switches screens by ``Mode``, shows only what the
signed-in role may use (the core checks again), signs out an idle session,
and refuses to close unless an office PIN is given.
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.access.roles import Action, Role, Session, require
from kiosk.access.settings import idle_seconds
from kiosk.audit.log import record
from kiosk.errors import KioskError

from .context import AppContext, Level, set_bug_sink
from .screens import Mode, Screen
from .widgets import CurrentPageStack, ElidedLabel, MessageBar, PinPad

log = logging.getLogger("kiosk.ui")

# work that does not keep a session alive: previews, image loads, the camera's analyser
# (a ballot in view counts as the helper being present instead) and the scanner folder,
# which is watched signed out too
BACKGROUND_JOBS = ("preview", "image", "camera", "watch", "watch-scan")

INPUT_EVENTS = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.TouchBegin,
    QEvent.Type.TouchUpdate,
    QEvent.Type.Wheel,
}

DEFAULT_MODE = {Role.FRONT_DESK: Mode.PRINT, Role.HELPER: Mode.INTAKE, Role.OFFICE: Mode.EXPORT}


class ExitDialog(QDialog):
    """Asks for an office PIN before the kiosk may close."""

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.window_ = window
        self.setObjectName("exitDialog")
        self.setModal(True)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.pad = PinPad()
        self.pad.submitted.connect(self.try_pin)
        self.error = QLabel()
        self.error.setObjectName("signinError")
        self.error.setWordWrap(True)
        self.cancel_button = QPushButton()
        self.cancel_button.clicked.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(self.text)
        box.addWidget(self.pad)
        box.addWidget(self.error)
        box.addWidget(self.cancel_button)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Aizvērt kiosku"))
        self.text.setText(self.tr("Kiosku var aizvērt tikai birojs. Ievadiet biroja PIN kodu."))
        self.cancel_button.setText(self.tr("Atcelt"))

    def try_pin(self, pin: str) -> None:
        ctx = self.window_.ctx
        try:
            session = ctx.auth.sign_in(Role.OFFICE, pin)
            require(session, Action.EXIT)
        except KioskError as exc:
            self.error.setText(exc.message(ctx.lang))
            return
        self.accept()
        self.window_.exit_kiosk()


class MainWindow(QMainWindow):
    idle_signed_out = Signal()
    exit_refused = Signal()

    def __init__(self, ctx: AppContext, screens: list[type[Screen]] | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("mainWindow")
        self._may_close = False
        self.exit_dialog: ExitDialog | None = None

        # header ----------------------------------------------------------
        self.header = QWidget()
        self.header.setObjectName("header")
        self.app_title = ElidedLabel()
        self.app_title.setObjectName("appTitle")
        self.user_label = QLabel()
        self.user_label.setObjectName("userLabel")
        self.lang_buttons: dict[str, QPushButton] = {}
        self.sign_out_button = QPushButton()
        self.sign_out_button.setObjectName("signOut")
        self.sign_out_button.clicked.connect(lambda: self.ctx.sign_out("button"))
        self.exit_button = QPushButton()
        self.exit_button.setObjectName("exitKiosk")
        self.exit_button.clicked.connect(self.request_exit)
        hrow = QHBoxLayout(self.header)
        hrow.setContentsMargins(16, 8, 16, 8)
        hrow.addWidget(self.app_title, 1)
        hrow.addWidget(self.user_label)
        for lang in ("lv", "en"):
            b = QPushButton(lang.upper())
            b.setObjectName(f"lang_{lang}")
            b.setProperty("kind", "lang")
            b.setCheckable(True)
            b.clicked.connect(lambda _=False, lang_=lang: self.ctx.set_language(lang_))
            self.lang_buttons[lang] = b
            hrow.addWidget(b)
        hrow.addWidget(self.sign_out_button)
        hrow.addWidget(self.exit_button)

        # navigation and screens ------------------------------------------
        self.nav = QWidget()
        self.nav.setObjectName("nav")
        nrow = QHBoxLayout(self.nav)
        nrow.setContentsMargins(16, 0, 16, 0)
        nrow.setSpacing(4)
        self.nav_group = QButtonGroup(self)
        self.nav_buttons: dict[Mode, QPushButton] = {}
        self.stack = CurrentPageStack()
        self.screens: dict[Mode, Screen] = {}
        for cls in screens or default_screens():
            screen = cls(ctx)
            self.screens[screen.mode] = screen
            self.stack.addWidget(screen)
            if screen.mode is not Mode.SIGN_IN:
                b = QPushButton()
                b.setObjectName(f"nav_{screen.mode.value}")
                b.setProperty("kind", "nav")
                b.setCheckable(True)
                b.clicked.connect(lambda _=False, m=screen.mode: self.show_mode(m))
                self.nav_group.addButton(b)
                self.nav_buttons[screen.mode] = b
                nrow.addWidget(b)
        nrow.addStretch(1)

        self.message_bar = MessageBar()
        central = QWidget()
        col = QVBoxLayout(central)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(0)
        col.addWidget(self.header)
        col.addWidget(self.nav)
        col.addWidget(self.stack, 1)
        col.addWidget(self.message_bar)
        self.setCentralWidget(central)

        self._badge_timer = QTimer(self)
        self._badge_timer.setSingleShot(True)
        self._badge_timer.setInterval(250)
        self._badge_timer.timeout.connect(self._refresh_review_badge)

        # idle sign-out -----------------------------------------------------
        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.idle_timer.timeout.connect(self._idle_timeout)
        self._idle_ms = idle_seconds(ctx.kiosk.store) * 1000
        QApplication.instance().installEventFilter(self)

        ctx.session_changed.connect(self._session_changed)
        ctx.language_changed.connect(lambda _lang: self._refresh_lang_buttons())
        ctx.message.connect(self.message_bar.show_message)
        ctx.data_changed.connect(self._data_changed)
        ctx.activity.connect(self.touch)
        set_bug_sink(lambda text: self.message_bar.show_message(Level.ERROR, text))

        QShortcut(QKeySequence(Qt.Key.Key_F1), self, activated=self._help)
        self.retranslate()
        self._session_changed(ctx.session)

    # -- texts -----------------------------------------------------------------
    def retranslate(self) -> None:
        k = self.ctx.kiosk
        title = k.campaign.title.get(self.ctx.lang) or k.campaign.title["lv"]
        self.app_title.setText(f"{title} · {k.institution.name}")
        self.setWindowTitle(self.tr("Urnas kiosks") + f" — {title}")
        self.sign_out_button.setText(self.tr("Iziet no profila"))
        self.exit_button.setText(self.tr("Aizvērt kiosku"))
        names = {
            Mode.PRINT: self.tr("Drukāt"),
            Mode.INTAKE: self.tr("Skenēt"),
            Mode.REVIEW: self.tr("Pārbaudīt"),
            Mode.EXPORT: self.tr("Eksportēt"),
            Mode.SETTINGS: self.tr("Iestatījumi"),
        }
        for mode, b in self.nav_buttons.items():
            b.setText(names.get(mode, mode.value))
        self._refresh_review_badge()
        self._refresh_user()
        self._refresh_lang_buttons()

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            if self.exit_dialog is not None:
                self.exit_dialog.retranslate()

    def _refresh_lang_buttons(self) -> None:
        for lang, b in self.lang_buttons.items():
            b.setChecked(lang == self.ctx.lang)

    def _refresh_user(self) -> None:
        s = self.ctx.session
        if s is None:
            self.user_label.setText(self.tr("Neviens nav pierakstījies"))
            return
        roles = {Role.FRONT_DESK: self.tr("Reģistratūra"), Role.HELPER: self.tr("Palīgs"), Role.OFFICE: self.tr("Birojs")}
        self.user_label.setText(f"{s.name} · {roles[s.role]}" if s.name != roles[s.role] else roles[s.role])

    def _refresh_review_badge(self) -> None:
        b = self.nav_buttons.get(Mode.REVIEW)
        if b is None:
            return
        n = len(self.ctx.kiosk.store.review_queue_ids()) if self.ctx.session is not None else 0
        b.setText(self.tr("Pārbaudīt") + (f" ({n})" if n else ""))

    # -- modes --------------------------------------------------------------------
    @property
    def mode(self) -> Mode:
        return self.stack.currentWidget().mode

    def screen(self, mode: Mode) -> Screen:
        return self.screens[mode]

    def show_mode(self, mode: Mode) -> bool:
        screen = self.screens.get(mode)
        if screen is None:
            return False
        if mode is not Mode.SIGN_IN and (screen.action is None or not self.ctx.may(screen.action)):
            return False
        self.stack.setCurrentWidget(screen)
        if mode in self.nav_buttons:
            self.nav_buttons[mode].setChecked(True)
        try:
            screen.on_show()
        except Exception as exc:  # noqa: BLE001 - the user sees it plainly
            self.ctx.report(exc)
        return True

    def _session_changed(self, session: Session | None) -> None:
        for screen in self.screens.values():
            screen.on_session(session)
        self.sign_out_button.setVisible(session is not None)
        self.exit_button.setVisible(session is not None and session.may(Action.EXIT))
        for mode, b in self.nav_buttons.items():
            action = self.screens[mode].action
            b.setVisible(session is not None and action is not None and session.may(action))
        self._refresh_user()
        # switch the page before showing/hiding the navigation row, so the
        # window never needs the tall sign-in page and the row at once
        if session is None:
            self.idle_timer.stop()
            self.nav.setVisible(False)
            self.show_mode(Mode.SIGN_IN)
        else:
            self.message_bar.clear()
            self._refresh_review_badge()
            if not self.show_mode(DEFAULT_MODE[session.role]):
                for mode, screen in self.screens.items():
                    if screen.action is not None and session.may(screen.action) and self.show_mode(mode):
                        break
            self.nav.setVisible(True)
            self.touch()

    def _data_changed(self, topic: str) -> None:
        if topic == "review":
            self._badge_timer.stop()
            self._refresh_review_badge()
        elif topic == "sheets" and not self._badge_timer.isActive():
            self._badge_timer.start()  # at most a few refreshes a second while sheets pour in
        if topic == "settings":
            self._idle_ms = idle_seconds(self.ctx.kiosk.store) * 1000
            self.touch()

    # -- idle sign-out ------------------------------------------------------------
    def set_idle_timeout(self, ms: int) -> None:
        """Override the configured idle time (tests, demonstrations)."""
        self._idle_ms = ms
        self.touch()

    def touch(self) -> None:
        if self.ctx.session is not None:
            self.idle_timer.start(self._idle_ms)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() in INPUT_EVENTS and self.ctx.session is not None:
            self.idle_timer.start(self._idle_ms)
        return False

    def _idle_timeout(self) -> None:
        if self.ctx.session is None:
            return
        if self.ctx.runner.busy(ignore=BACKGROUND_JOBS):
            self.touch()  # long work running: the person is waiting for it
            return
        self.ctx.sign_out("idle")
        self.ctx.info(self.tr("Jūs izrakstījāties, jo kiosks netika lietots."), Level.INFO)
        self.idle_signed_out.emit()

    # -- leaving the kiosk ------------------------------------------------------
    def request_exit(self) -> None:
        """The office's exit button: the signed-in office session is the PIN."""
        try:
            require(self.ctx.session, Action.EXIT)
        except KioskError:
            self.ask_exit_pin()
            return
        self.exit_kiosk()

    def exit_kiosk(self) -> None:
        """Called only after an office PIN (the dialog) or by the office's own session."""
        if not self._may_close:
            try:
                record(self.ctx.kiosk.store, "kiosk.closed", Role.OFFICE.value)
            except KioskError as exc:  # the kiosk closes all the same
                log.warning("could not write kiosk.closed to the audit log: %s", exc.code)
        self._may_close = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if not self._may_close:
            event.ignore()
            self.exit_refused.emit()
            self.ask_exit_pin()
            return
        self.idle_timer.stop()
        QApplication.instance().removeEventFilter(self)
        set_bug_sink(None)
        for screen in self.screens.values():
            screen.on_close()
        self.ctx.runner.shutdown()
        for screen in self.screens.values():
            screen.on_session(None)
        event.accept()

    def ask_exit_pin(self) -> None:
        if self.exit_dialog is None:
            self.exit_dialog = ExitDialog(self)
        self.exit_dialog.error.clear()
        self.exit_dialog.open()
        self.exit_dialog.pad.field.setFocus()

    def _help(self) -> None:
        self.ctx.info(self.tr("Palīdzība: izvēlieties darbu augšējā rindā. Kļūdas un ziņas parādās šeit."), Level.INFO)


def default_screens() -> list[type[Screen]]:
    from .screens.export import ExportScreen
    from .screens.intake import IntakeScreen
    from .screens.printing import PrintScreen
    from .screens.review import ReviewScreen
    from .screens.settings import SettingsScreen
    from .screens.signin import SignInScreen

    return [SignInScreen, PrintScreen, IntakeScreen, ReviewScreen, ExportScreen, SettingsScreen]
