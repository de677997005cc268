"""The application's shared state: the UI thread's Kiosk, the session, the
language, the background runner and the message bar's feed.

Screens get one ``AppContext`` and talk to the core through it; the core
does the checking (``kiosk.access.roles.require``), the context only remembers
who is signed in.
"""
from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, Signal

from kiosk.access.auth import Auth
from kiosk.access.roles import Action, Role, Session
from kiosk.access.settings import get_settings, update_settings
from kiosk.errors import KioskError
from kiosk.issuing.jobs import settle_interrupted
from kiosk.station import Kiosk

from . import i18n
from .qtprint import ui_spooler
from .sheetstate import SheetStates
from .worker import Runner, worker_opener

log = logging.getLogger("kiosk.ui")


class Level:
    INFO = "info"
    OK = "ok"
    WARN = "warn"
    ERROR = "error"


class AppContext(QObject):
    session_changed = Signal(object)   # Session or None
    language_changed = Signal(str)
    data_changed = Signal(str)         # topic: printed, sheets, review, export, settings, users
    message = Signal(str, str)         # level, text
    activity = Signal()                # something happened that counts as the user being present

    def __init__(self, kiosk: Kiosk, *, clock: Callable[[], float] = time.time, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.kiosk = kiosk
        self.datadir = kiosk.datadir
        self.clock = clock
        self.auth = Auth(kiosk.store, clock=clock)
        self.auth.ensure_demo_users()
        self.session: Session | None = None
        self.lang = get_settings(kiosk.store)["ui.language"]
        self.runner = Runner(worker_opener(kiosk.datadir, kiosk.campaign, kiosk.institution), self)
        self.runner.job_failed.connect(lambda _job, exc: self.report(exc))
        self.spooler = ui_spooler()  # the printing system: CUPS, else Qt's (ui.qtprint)
        self.sheets = SheetStates(lambda: self.kiosk.store, self)  # what the screens show of stored sheets

    # -- print jobs a dead process left -----------------------------------
    def settle_print_jobs(self) -> None:
        """At start: tell the print jobs that opening voided (their process had died) and
        settle, in the background, those waiting for their spooler's record."""
        recovered = self.kiosk.recovered
        if recovered["voided_jobs"]:
            self._tell_interrupted(recovered["voided_jobs"], recovered["voided"])
        if recovered["unsettled"]:
            spooler = self.spooler
            self.runner.run(lambda ctx: settle_interrupted(ctx.kiosk, spooler), name="settle-print-jobs",
                            done=self._print_jobs_settled)

    def _print_jobs_settled(self, settled) -> None:
        if settled.voided_jobs:
            self._tell_interrupted(settled.voided_jobs, settled.voided)
        if settled.voided_jobs or settled.printed:
            self.data_changed.emit("printed")

    def _tell_interrupted(self, jobs: int, voided: int) -> None:
        self.info(KioskError("print.interrupted", jobs=jobs, voided=voided).message(self.lang), Level.WARN)

    # -- session ----------------------------------------------------------
    def sign_in(self, role: Role, pin: str) -> Session:
        session = self.auth.sign_in(role, pin)
        self.session = session
        log.info("signed in: %s (%s)", session.role.value, session.user_id)
        self.session_changed.emit(session)
        return session

    def sign_out(self, why: str = "") -> None:
        if self.session is None:
            return
        log.info("signed out (%s)", why or "by the user")
        session, self.session = self.session, None
        try:
            self.auth.signed_out(session, why or "button")
        except KioskError as exc:  # the session ends all the same
            self.report(exc)
        self.session_changed.emit(None)

    def may(self, action: Action) -> bool:
        return self.session is not None and self.session.may(action)

    # -- settings and language -----------------------------------------
    def settings(self) -> dict[str, str]:
        return get_settings(self.kiosk.store)

    def update_settings(self, values: dict[str, str]) -> dict[str, str]:
        merged = update_settings(self.kiosk.store, self.session, values)
        self.data_changed.emit("settings")
        return merged

    def set_language(self, lang: str, *, persist: bool = False) -> None:
        if persist:
            self.update_settings({"ui.language": lang})
        if lang == self.lang and i18n.current() == lang:
            return
        self.lang = lang
        i18n.install(lang)  # Qt sends every widget a LanguageChange event
        self.language_changed.emit(lang)

    # -- messages ------------------------------------------------------
    def info(self, text: str, level: str = Level.INFO) -> None:
        self.message.emit(level, text)

    def report(self, exc: BaseException) -> None:
        """A failure from a slot or a worker: a KioskError is told plainly,
        anything else is a bug, logged with its trace."""
        if isinstance(exc, KioskError):
            log.info("known error %s %s", exc.code, exc.params)
            self.message.emit(Level.ERROR, exc.message(self.lang))
            return
        report_bug(type(exc), exc, exc.__traceback__)


_bug_sink: list[Callable[[str], None]] = []


def set_bug_sink(sink: Callable[[str], None] | None) -> None:
    _bug_sink.clear()
    if sink is not None:
        _bug_sink.append(sink)


def bug_text() -> str:
    return QCoreApplication.translate(
        "Bug", "Radās programmas kļūda. Darbu var turpināt; sīkāka informācija ir žurnālā (logs/kiosk.log)."
    )


def report_bug(exc_type, exc, tb) -> None:
    """sys.excepthook and failed workers: log the trace, tell the user plainly."""
    log.error("internal error (a bug):\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
    for sink in _bug_sink:
        sink(bug_text())
