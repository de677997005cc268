"""The main window: a header, a navigation row, a stack of screens, a message bar.

Thin on purpose: it switches screens by ``Mode`` (the navigation row, or
Ctrl+Tab / Ctrl+Shift+Tab and Ctrl+PgDn / Ctrl+PgUp from the keyboard), shows
only what the signed-in role may use (the core checks again), warns before it
signs out an idle session and says why it did, and refuses to close unless an
office PIN is given (the office's own button asks first).  Its dialogs have no
window frame and come back if minimised, so nothing can hide behind the
full-screen window.  Nothing it needs is wider than 1000 px.
"""
from __future__ import annotations

import logging
import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLayout,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.access.auth import FREE_ATTEMPTS, tries_left_text
from kiosk.access.roles import Action, Role, Session, require
from kiosk.access.settings import idle_seconds
from kiosk.audit.log import record
from kiosk.errors import KioskError

from .context import AppContext, Level, set_bug_sink
from .screens import Mode, Screen
from .widgets import CurrentPageStack, ElidedLabel, KioskDialog, MessageBar, NoteLabel, PinPad, WheelGuard, ask

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
IDLE_WARNING_MS = 30_000  # how long before an idle sign-out the warning shows (at most half the idle time)


class ExitDialog(KioskDialog):
    """Asks for an office PIN before the kiosk may close.  While the office's sign-in is
    locked it counts down (the PIN pad off); after a wrong PIN it says how many tries
    are left."""

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.window_ = window
        self.setObjectName("exitDialog")
        self.text = QLabel()
        self.text.setObjectName("dialogText")
        self.text.setWordWrap(True)
        self.pad = PinPad()
        self.pad.submitted.connect(self.try_pin)
        self.error = NoteLabel()
        self.error.setObjectName("signinError")
        self.lock_label = NoteLabel()
        self.lock_label.setObjectName("lockLabel")
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("exitCancel")
        self.cancel_button.clicked.connect(self.reject)
        self.box.addWidget(self.text)
        self.box.addWidget(self.pad)
        self.box.addWidget(self.error)
        self.box.addWidget(self.lock_label)
        self.box.addWidget(self.cancel_button)
        # as large as its contents need: the texts never end up under the keypad
        self.box.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self.setMinimumWidth(440)
        self.lock_timer = QTimer(self)
        self.lock_timer.setInterval(1000)
        self.lock_timer.timeout.connect(self.refresh_lock)
        self.finished.connect(lambda _r: self.lock_timer.stop())
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Aizvērt kiosku"))
        self.text.setText(self.tr("Kiosku var aizvērt tikai birojs. Ievadiet biroja PIN kodu."))
        self.cancel_button.setText(self.tr("Atcelt"))
        self.refresh_lock()

    def start(self) -> None:
        self.error.clear()
        self.pad.field.clear()
        self.refresh_lock()
        self.open()
        self.pad.field.setFocus()

    def refresh_lock(self) -> None:
        """The office's lock: a countdown while it lasts, then the PIN pad again."""
        lock = self.window_.ctx.auth.locks()[Role.OFFICE]
        if lock.locked_for > 0:
            self.lock_label.setText(self.tr("Biroja pierakstīšanās bloķēta. Mēģiniet vēlreiz pēc {s} s.")
                                    .format(s=lock.locked_for))
            self.pad.set_enabled_input(False)
            if not self.lock_timer.isActive():
                self.lock_timer.start()
            return
        self.lock_timer.stop()
        if not self.pad.field.isEnabled():  # the lock has just run out
            self.error.clear()
        self.pad.set_enabled_input(True)
        if lock.remaining < FREE_ATTEMPTS:
            self.lock_label.setText(self.tr("Birojam {left}.").format(left=tries_left_text(lock.remaining,
                                                                                           self.window_.ctx.lang)))
        else:
            self.lock_label.clear()

    @property
    def locked(self) -> bool:
        return not self.pad.ok_button.isEnabled()

    def try_pin(self, pin: str) -> None:
        ctx = self.window_.ctx
        try:
            session = ctx.auth.sign_in(Role.OFFICE, pin)
            require(session, Action.EXIT)
        except KioskError as exc:
            self.error.setText("" if exc.code == "auth.locked" else exc.message(ctx.lang))
            self.refresh_lock()
            return
        self.accept()
        self.window_.exit_kiosk()


class MainWindow(QMainWindow):
    idle_warned = Signal()
    idle_signed_out = Signal()
    exit_refused = Signal()

    def __init__(self, ctx: AppContext, screens: list[type[Screen]] | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("mainWindow")
        self._may_close = False
        self.keep_shown = False  # full-screen kiosk: never stays minimised (set by ui.app.run)
        self.exit_dialog: ExitDialog | None = None
        self.close_question = None  # the office's "close the kiosk?" while it is open

        # header ----------------------------------------------------------
        self.header = QWidget()
        self.header.setObjectName("header")
        self.app_title = ElidedLabel()
        self.app_title.setObjectName("appTitle")
        self.user_label = QLabel()
        self.user_label.setObjectName("userLabel")
        self.user_label.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Preferred)  # the title gives way
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
        hrow.addSpacing(24)  # closing the kiosk is not next to signing out
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
        self._badge_timer.timeout.connect(ctx.sheets.refresh_queue)

        # idle sign-out: a warning first, with a countdown -----------------------
        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.idle_timer.timeout.connect(self._idle_warning)
        self.warn_timer = QTimer(self)  # from the warning to the sign-out
        self.warn_timer.setSingleShot(True)
        self.warn_timer.timeout.connect(self._idle_timeout)
        self.warn_ticker = QTimer(self)  # the countdown's seconds
        self.warn_ticker.setInterval(1000)
        self.warn_ticker.timeout.connect(self._show_idle_warning)
        self._warn_until = 0.0
        self._warning_text = ""
        self._idle_ms = idle_seconds(ctx.kiosk.store) * 1000
        QApplication.instance().installEventFilter(self)

        # the mouse wheel scrolls pages and changes a value only in a field being edited
        self.wheel_guard = WheelGuard(self)
        for screen in self.screens.values():
            self.wheel_guard.guard(screen)

        ctx.session_changed.connect(self._session_changed)
        ctx.language_changed.connect(lambda _lang: self._refresh_lang_buttons())
        ctx.message.connect(self.message_bar.show_message)
        ctx.data_changed.connect(self._data_changed)
        ctx.sheets.queue_changed.connect(lambda _n: self._refresh_review_badge())
        ctx.activity.connect(self.touch)
        set_bug_sink(lambda text: self.message_bar.show_message(Level.ERROR, text))

        QShortcut(QKeySequence(Qt.Key.Key_F1), self, activated=self._help)
        for keys, step in (("Ctrl+Tab", 1), ("Ctrl+PgDown", 1), ("Ctrl+Shift+Tab", -1), ("Ctrl+Shift+Backtab", -1),
                           ("Ctrl+PgUp", -1)):
            QShortcut(QKeySequence(keys), self, activated=lambda step=step: self.next_screen(step))
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
            b.setToolTip(self.tr("Nākamais ekrāns: Ctrl+Tab, iepriekšējais: Ctrl+Shift+Tab"))
        self.exit_button.setToolTip(self.tr("Aizver kioska programmu (pēc apstiprinājuma)"))
        self._refresh_review_badge()
        self._refresh_user()
        self._refresh_lang_buttons()

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            if self.exit_dialog is not None:
                self.exit_dialog.retranslate()
        if event.type() == QEvent.Type.WindowStateChange and self.keep_shown \
                and self.windowState() & Qt.WindowState.WindowMinimized:
            QTimer.singleShot(0, self.showFullScreen)  # a kiosk never hides behind the desktop

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
        n = self.ctx.sheets.pending() if self.ctx.session is not None else 0
        b.setText(self.tr("Pārbaudīt") + (f" ({n})" if n else ""))

    # -- modes --------------------------------------------------------------------
    @property
    def mode(self) -> Mode:
        return self.stack.currentWidget().mode

    def screen(self, mode: Mode) -> Screen:
        return self.screens[mode]

    def next_screen(self, step: int = 1) -> bool:
        """The next (or previous) screen the signed-in role may use, round the row."""
        modes = [m for m, b in self.nav_buttons.items() if not b.isHidden()]
        if self.ctx.session is None or not modes:
            return False
        here = modes.index(self.mode) if self.mode in modes else -1
        return self.show_mode(modes[(here + step) % len(modes)])

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
            self._stop_idle()
            self.message_bar.clear()  # nothing of the last person's work stays on the sign-in screen
            self.nav.setVisible(False)
            self.show_mode(Mode.SIGN_IN)
        else:
            self.message_bar.clear()
            self.ctx.sheets.refresh_queue()
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
            self.ctx.sheets.refresh_queue()
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

    @property
    def warning_ms(self) -> int:
        return min(IDLE_WARNING_MS, self._idle_ms // 2)

    def touch(self) -> None:
        """Somebody is here: the idle time starts again, and a warning goes away."""
        if self.ctx.session is None:
            return
        if self.warning_shown:
            self._stop_idle()
            if self.message_bar.text() == self._warning_text:
                self.message_bar.clear()
        self.idle_timer.start(self._idle_ms - self.warning_ms)

    @property
    def warning_shown(self) -> bool:
        return self.warn_timer.isActive()

    def _stop_idle(self) -> None:
        self.idle_timer.stop()
        self.warn_timer.stop()
        self.warn_ticker.stop()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() in INPUT_EVENTS and self.ctx.session is not None:
            self.touch()
        return False

    def _idle_warning(self) -> None:
        if self.ctx.session is None:
            return
        if self.ctx.runner.busy(ignore=BACKGROUND_JOBS):
            self.touch()  # long work running: the person is waiting for it
            return
        self._warn_until = time.monotonic() + self.warning_ms / 1000
        self.warn_timer.start(self.warning_ms)
        self.warn_ticker.start()
        self._show_idle_warning()
        self.idle_warned.emit()

    def _show_idle_warning(self) -> None:
        left = max(1, round(self._warn_until - time.monotonic()))
        self._warning_text = self.tr(
            "Kiosks netiek lietots: pēc {s} s notiks automātiska iziešana no profila. Pieskarieties ekrānam "
            "vai nospiediet jebkuru taustiņu, lai turpinātu darbu.").format(s=left)
        self.message_bar.show_message(Level.WARN, self._warning_text)

    def _idle_timeout(self) -> None:
        self.warn_ticker.stop()
        if self.ctx.session is None:
            return
        if self.ctx.runner.busy(ignore=BACKGROUND_JOBS):
            self.message_bar.clear()
            self.touch()
            return
        minutes = max(1, round(self._idle_ms / 60_000))
        self.ctx.sign_out("idle")
        self.ctx.info(self.tr("Jūs izrakstījāties automātiski, jo kiosks netika lietots %n minūtes.", "", minutes),
                      Level.INFO)
        self.idle_signed_out.emit()

    # -- leaving the kiosk ------------------------------------------------------
    def request_exit(self) -> None:
        """The office's exit button: the signed-in office session is the PIN; it asks once."""
        try:
            require(self.ctx.session, Action.EXIT)
        except KioskError:
            self.ask_exit_pin()
            return
        if self.close_question is not None:
            return
        self.close_question = ask(
            self, self.tr("Aizvērt kiosku?"),
            self.tr("Kioska programma tiks aizvērta: šajā datorā vairs nevarēs drukāt, skenēt un pārbaudīt "
                    "biļetenus, līdz to atkal palaiž. Saglabātie dati paliek."),
            self.tr("Aizvērt kiosku"), self.tr("Atcelt"), self.exit_kiosk, danger=True)
        self.close_question.finished.connect(self._close_question_done)

    def _close_question_done(self, _result: int) -> None:
        self.close_question = None

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
        self._stop_idle()
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
        self.exit_dialog.start()

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
