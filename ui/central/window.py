"""The central office window: receive batches, see the chains, decide conflicts, add the
online vote and publish.  A thin window over three pages; every piece of work runs in
the background through the one runner (``ui.worker``), one job at a time, with progress."""
from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk import platform
from kiosk.central.tally import SerialConflict
from kiosk.errors import KioskError
from kiosk.lang import count as count_words
from ui import i18n
from ui.context import report_bug
from ui.widgets import MessageBar
from ui.worker import Cancelled, Job, Runner

from .batches import BatchesPage
from .conflicts import ConflictsPage
from .results import ResultsPage
from .setup import SetupDialog
from .work import Done, Jobs, Phase, Snapshot

log = logging.getLogger("kiosk.ui.central")


def _nothing() -> None:
    pass


class CentralWindow(QMainWindow):
    """The window; ``settled`` is emitted when a job has ended, with its ``Done`` (None when it
    failed or was cancelled), once the window is ready for the next one."""

    settled = Signal(object)

    def __init__(self, root: Path, lang: str = "lv", operator: str | None = None) -> None:
        super().__init__()
        self.root = Path(root)
        self.lang = lang
        self.jobs = Jobs(self.root, lambda: self.lang, operator)
        self.runner = Runner(None, self, max_threads=1)
        self.job: Job | None = None
        self.snapshot: Snapshot | None = None
        self.phase = ""
        self._outcome: Done | None = None
        self._closing = False
        self._restore_cpus: Callable[[], None] = _nothing
        self.setAcceptDrops(True)

        header = QWidget()
        header.setObjectName("header")
        self.title = QLabel()
        self.title.setObjectName("appTitle")
        self.setup_button = QPushButton()
        self.setup_button.setObjectName("setup")
        self.setup_button.clicked.connect(self.open_setup)
        self.lang_button = QPushButton()
        self.lang_button.clicked.connect(self.toggle_language)
        hrow = QHBoxLayout(header)
        hrow.setContentsMargins(14, 6, 14, 6)
        hrow.addWidget(self.title, 1)
        hrow.addWidget(self.setup_button)
        hrow.addWidget(self.lang_button)

        self.batches = BatchesPage()
        self.batches.open_folder.connect(self.pick_folder)
        self.batches.open_files.connect(self.pick_files)
        self.conflicts = ConflictsPage()
        self.conflicts.decide.connect(self.decide)
        self.conflicts.withdraw.connect(self.withdraw)
        self.conflicts.wants_images.connect(self.load_images)
        self.results = ResultsPage()
        self.results.import_online.connect(self.pick_online)
        self.results.publish.connect(self.publish)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.batches, "")
        self.tabs.addTab(self.conflicts, "")
        self.tabs.addTab(self.results, "")

        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setMaximumWidth(260)
        self.status = QLabel()
        self.status.setObjectName("caption")
        self.cancel_button = QPushButton()
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        status_row = QHBoxLayout()
        status_row.setContentsMargins(10, 0, 10, 4)
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.progress)
        status_row.addWidget(self.cancel_button)
        self.messages = MessageBar()

        body = QWidget()
        box = QVBoxLayout(body)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(4)
        box.addWidget(header)
        box.addWidget(self.tabs, 1)
        box.addLayout(status_row)
        box.addWidget(self.messages)
        self.setCentralWidget(body)
        self.setMinimumSize(1000, 700)
        self.retranslate()
        for page in (self.batches, self.conflicts, self.results):
            page.lang = lang

    # -- text ---------------------------------------------------------------------------
    def retranslate(self) -> None:
        campaign = self.snapshot.campaign if self.snapshot is not None else None
        name = (campaign.title.get(self.lang) or campaign.title.get("lv") or campaign.id) if campaign else ""
        self.title.setText(self.tr("Centrālais birojs") + (f" · {name}" if name else ""))
        self.setWindowTitle(self.tr("Centrālais birojs") + " – urn-kiosk")
        self.setup_button.setText(self.tr("Kampaņa un atslēgas…"))
        self.lang_button.setText("English" if self.lang == "lv" else "Latviski")
        self.cancel_button.setText(self.tr("Pārtraukt"))
        self._tab_titles()

    def _tab_titles(self) -> None:
        count = self.snapshot.count if self.snapshot is not None else None
        open_conflicts = len(count.result.unresolved_conflicts) if count is not None else 0
        self.tabs.setTabText(0, self.tr("Partijas"))
        self.tabs.setTabText(1, self.tr("Pretrunas ({0})").format(open_conflicts) if open_conflicts
                             else self.tr("Pretrunas"))
        self.tabs.setTabText(2, self.tr("Rezultāti"))

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    def toggle_language(self) -> None:
        self.set_language("en" if self.lang == "lv" else "lv")

    def set_language(self, lang: str) -> None:
        self.lang = lang
        for page in (self.batches, self.conflicts, self.results):
            page.lang = lang
        i18n.install(lang)

    # -- running jobs -------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.job is not None and self.job.running

    def _run(self, fn, what: str) -> Job | None:
        if self._closing:
            return None
        if self.busy:
            self.messages.show_message("warn", self.tr("Vēl notiek iepriekšējais darbs: pagaidiet, līdz tas beidzas."))
            return None
        self.phase = ""
        self.status.setText(what)
        self.progress.setRange(0, 0)
        self.cancel_button.setEnabled(True)
        for w in (self.setup_button, self.batches.folder_button, self.batches.files_button,
                  self.results.online_button, self.results.publish_button, self.conflicts.save):
            w.setEnabled(False)
        self.job = self.runner.run(fn, done=self._done, failed=self._failed, progress=self._progress,
                                   items=self._items, finished=self._finished)
        return self.job

    def _items(self, batch: list) -> None:
        for item in batch:
            if isinstance(item, tuple) and item:
                self.phase = item[0]
                self.status.setText(self._phase_text(0, 0))

    def _phase_text(self, done: int, total: int) -> str:
        text = {Phase.RECEIVE: self.tr("Saņem failus"), Phase.VERIFY: self.tr("Pārbauda partijas"),
                Phase.COUNT: self.tr("Skaita"), Phase.PUBLISH: self.tr("Publicē")}.get(self.phase, self.tr("Strādā"))
        return text + (f": {done} / {total}" if total else "…")

    def _progress(self, done: int, total: int) -> None:
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        self.status.setText(self._phase_text(done, total))

    def _done(self, done: Done) -> None:
        self.show_snapshot(done.snapshot)
        if done.imported is not None:
            self._tell_import(done)
        elif done.note is not None:
            self._tell(done.note)
        self._outcome = done

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, KioskError):
            log.info("known error %s %s", exc.code, exc.params)
            self.messages.show_message("error", exc.message(self.lang))
        else:
            report_bug(type(exc), exc, exc.__traceback__)
            self.messages.show_message("error", self.tr("Radās programmas kļūda; sīkāka informācija ir žurnālā."))
        self._outcome = None

    def _finished(self) -> None:
        self._restore_cpus()
        self._restore_cpus = _nothing
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.status.setText(self.tr("Gatavs."))
        self.cancel_button.setEnabled(False)
        self.setup_button.setEnabled(True)
        self.batches.folder_button.setEnabled(True)
        self.batches.files_button.setEnabled(True)
        snap = self.snapshot
        published = snap is not None and snap.publication is not None
        self.results.online_button.setEnabled(snap is not None and snap.configured and not published)
        self.results.publish_button.setEnabled(snap is not None and snap.count is not None and not published)
        self.conflicts.update_buttons()
        outcome, self._outcome = self._outcome, None
        self.settled.emit(outcome)  # last: the window takes the next job from here on

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def shutdown(self) -> None:
        """No new job from here on (a late result must not start one); the running ones end."""
        self._closing = True
        self.runner.shutdown()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.shutdown()
        super().closeEvent(event)

    # -- what the pages show ----------------------------------------------------------------
    def show_snapshot(self, snap: Snapshot) -> None:
        self.snapshot = snap
        self.batches.show_snapshot(snap)
        self.conflicts.show_snapshot(snap)
        self.results.show_snapshot(snap)
        self.retranslate()

    def _tell_import(self, done: Done) -> None:
        out = done.imported
        bad = sum(1 for f in out.new if f.reason is not None)
        text = self.tr("Jauni faili: {0} (no tiem izslēgti: {1}) · jau saņemti agrāk: {2}").format(
            len(out.new), bad, len(out.unchanged))
        if out.unreadable:
            text += " · " + self.tr("nenolasāmi: {0}").format(", ".join(f"{n} ({why})" for n, why in out.unreadable))
        self.messages.show_message("warn" if bad or out.unreadable else "ok", text)

    def _tell(self, note) -> None:
        if isinstance(note, str):
            self.messages.show_message("ok", self.tr("Lēmums saglabāts: {0}").format(note))
        elif hasattr(note, "report"):
            self.messages.show_message("ok", self.tr("Rezultāti publicēti: {0}").format(note.report))
        elif hasattr(note, "votes"):
            votes = count_words(note.votes, self.lang, ("balss", "balsis"), ("vote", "votes"))
            self.messages.show_message("ok", self.tr("Tiešsaistes balsis importētas: {0} ({1})").format(note.name, votes))

    # -- actions ----------------------------------------------------------------------------
    def refresh(self) -> Job | None:
        return self._run(self.jobs.refresh(), self.tr("Atver datus…"))

    def configure(self, **kw) -> Job | None:
        return self._run(self.jobs.configure(**kw), self.tr("Saglabā iestatījumus…"))

    def import_paths(self, paths: list[str | Path]) -> Job | None:
        if self.snapshot is not None and not self.snapshot.configured:
            self.messages.show_message("warn", self.tr("Vispirms norādiet kampaņas failu (“Kampaņa un atslēgas”)."))
            return None
        return self._run(self.jobs.import_paths([Path(p) for p in paths]), self.tr("Saņem failus…"))

    def decide(self, serial: str, copy, note: str) -> Job | None:
        if self.snapshot is None or self.snapshot.count is None:
            return None
        return self._run(self.jobs.decide(self.snapshot.count, serial, copy, note), self.tr("Saglabā lēmumu…"))

    def withdraw(self, serial: str) -> Job | None:
        if self.snapshot is None or self.snapshot.count is None:
            return None
        return self._run(self.jobs.decide(self.snapshot.count, serial, None, "", withdraw=True),
                         self.tr("Atsauc lēmumu…"))

    def import_online(self, path: str | Path) -> Job | None:
        return self._run(self.jobs.import_online(Path(path)), self.tr("Importē tiešsaistes balsis…"))

    def confirm(self, text: str) -> bool:
        """Ask before what cannot be undone (tests replace it)."""
        answer = QMessageBox.question(self, self.tr("Apstiprināt"), text,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def publish(self) -> Job | None:
        snap = self.snapshot
        if snap is None or snap.count is None:
            return None
        r = snap.count.result
        text = self.tr("Publicēt rezultātus? Pēc publicēšanas lēmumus un tiešsaistes balsis vairs nevar mainīt.")
        if r.excluded_batches:
            text += "\n\n" + self.tr("Izslēgtie faili ({0}) netiek skaitīti; ziņojumā tie ir uzskaitīti.").format(
                len(r.excluded_batches))
        if not self.confirm(text):
            return None
        job = self._run(self.jobs.publish(), self.tr("Publicē…"))
        if job is not None:  # the reports are written by a background process: the event loop keeps off its CPU
            self._restore_cpus = platform.keep_thread_off_background_cpu()
        return job

    def load_images(self, conflict: SerialConflict) -> None:
        if self._closing or self.snapshot is None or self.snapshot.count is None:
            return
        serial = conflict.serial
        self.runner.run(self.jobs.images(self.snapshot.count, serial, conflict.copies), key="images",
                        done=self._images_done, failed=self._images_failed)

    def _images_done(self, found: tuple[str, list]) -> None:
        # a bound method, not a lambda: a closed window's late results go nowhere
        self.conflicts.show_images(*found)

    def _images_failed(self, exc: BaseException) -> None:
        if isinstance(exc, Cancelled):
            return  # another serial's images were asked for
        if isinstance(exc, KioskError):
            self.messages.show_message("error", exc.message(self.lang))
        else:
            report_bug(type(exc), exc, exc.__traceback__)

    # -- dialogs and drops ------------------------------------------------------------------
    def open_setup(self) -> None:
        snap = self.snapshot
        dialog = SetupDialog(snap.revocations if snap else "", bool(snap and snap.has_master_key),
                             bool(snap and snap.configured), self)
        if dialog.exec() and dialog.changes():
            self.configure(**dialog.changes())

    def pick_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("Mape ar partiju failiem"))
        if path:
            self.import_paths([path])

    def pick_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, self.tr("Partiju faili"), "", self.tr("Partiju faili (*.zip)"))
        if paths:
            self.import_paths(paths)

    def pick_online(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Tiešsaistes balsis"), "", self.tr("CSV faili (*.csv)"))
        if path:
            self.import_online(path)

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt API
        if event.mimeData().hasUrls() and all(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt API
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.tabs.setCurrentWidget(self.batches)
            self.import_paths(paths)
