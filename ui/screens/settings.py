"""Office: campaign and institution (shown), mark thresholds, folders, printer,
language, idle time, users and PINs, the PIN length per role and each role's
sign-in lock (shown, and lifted on request).  Every change goes through the
core (``kiosk.access.settings``, ``kiosk.access.auth``), which validates it,
checks the role and writes it to the audit log."""
from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, QTimer
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.access.auth import FREE_ATTEMPTS, PIN_MAX, tries_left_text
from kiosk.access.roles import Action, Role
from kiosk.access.settings import (
    IDLE_MAX_S,
    IDLE_MIN_S,
    PIN_LENGTH_MAX,
    PIN_LENGTH_MIN,
    PIN_LENGTH_PREFIX,
    reader_defaults,
)
from kiosk.errors import KioskError
from kiosk.intake.review import reason_text

from ..context import AppContext, Level
from ..dialogs import KioskFileDialog
from ..widgets import FitScrollArea, shrinkable
from . import Mode, Screen
from .printing import available_printers


def _pin_edit() -> QLineEdit:
    e = QLineEdit()
    e.setEchoMode(QLineEdit.EchoMode.Password)
    e.setMaxLength(PIN_MAX)
    e.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,8}"), e))
    return e


class SettingsScreen(Screen):
    mode = Mode.SETTINGS
    action = Action.SETTINGS

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.printers_provider = available_printers

        # campaign ------------------------------------------------------------
        self.campaign_box = QGroupBox()
        self.campaign_info = QLabel()
        shrinkable(self.campaign_info)
        self.campaign_info.setTextFormat(Qt.TextFormat.PlainText)
        self.campaign_info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.campaign_note = QLabel()
        self.campaign_note.setObjectName("note")
        self.campaign_note.setProperty("level", "warn")
        shrinkable(self.campaign_note)
        self.policy_info = QLabel()  # the campaign's review policy: what goes to a person
        self.policy_info.setObjectName("reviewPolicy")
        self.policy_info.setTextFormat(Qt.TextFormat.RichText)
        shrinkable(self.policy_info)
        cl = QVBoxLayout(self.campaign_box)
        cl.addWidget(self.campaign_info)
        cl.addWidget(self.policy_info)
        cl.addWidget(self.campaign_note)

        # thresholds ------------------------------------------------------------
        self.threshold_box = QGroupBox()
        # one field per reader threshold (kiosk.reading.reader.Thresholds), whatever the reader defines
        self.threshold_spins: dict[str, QDoubleSpinBox] = {
            key: self._percent() for key in reader_defaults()}
        self.threshold_defaults = QPushButton()
        self.threshold_defaults.clicked.connect(self.default_thresholds)
        self.threshold_more = QPushButton()
        self.threshold_more.setCheckable(True)
        self.threshold_more.toggled.connect(self._show_all_thresholds)
        self.threshold_note = QLabel()
        self.threshold_note.setObjectName("note")
        shrinkable(self.threshold_note)
        self.threshold_save = QPushButton()
        self.threshold_save.setObjectName("saveThresholds")
        self.threshold_save.clicked.connect(self.save_thresholds)
        self.threshold_form = QFormLayout()
        tl = QVBoxLayout(self.threshold_box)
        tl.addLayout(self.threshold_form)
        tl.addWidget(self.threshold_note)
        trow = QHBoxLayout()
        trow.addWidget(self.threshold_save)
        trow.addWidget(self.threshold_defaults)
        trow.addStretch(1)
        tl.addLayout(trow)
        tl.addWidget(self.threshold_more, 0, Qt.AlignmentFlag.AlignLeft)

        # folders and printer ---------------------------------------------------
        self.places_box = QGroupBox()
        self.scan_folder = QLineEdit()
        self.scan_folder.setObjectName("scanFolder")
        self.pdf_folder = QLineEdit()
        self.export_folder = QLineEdit()
        self.printer_combo = QComboBox()
        self.printer_combo.setObjectName("printerCombo")
        self.places_save = QPushButton()
        self.places_save.setObjectName("savePlaces")
        self.places_save.clicked.connect(self.save_places)
        self.places_form = QFormLayout()
        self._browse_buttons = []
        self._place_rows = []
        for edit in (self.scan_folder, self.pdf_folder, self.export_folder):
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            b = QPushButton("…")
            b.setFixedWidth(48)
            b.clicked.connect(lambda _=False, e=edit: self._browse(e))
            self._browse_buttons.append(b)
            row.addWidget(b)
            self._place_rows.append(row)
        pl = QVBoxLayout(self.places_box)
        pl.addLayout(self.places_form)
        pl.addWidget(self.places_save, 0, Qt.AlignmentFlag.AlignLeft)

        # language and idle --------------------------------------------------------
        self.general_box = QGroupBox()
        self.language_combo = QComboBox()
        self.language_combo.setObjectName("languageCombo")
        self.language_combo.addItem("Latviešu", "lv")
        self.language_combo.addItem("English", "en")
        self.idle_spin = QSpinBox()
        self.idle_spin.setObjectName("idleSeconds")
        self.idle_spin.setRange(IDLE_MIN_S, IDLE_MAX_S)
        self.idle_spin.setSingleStep(30)
        self.general_save = QPushButton()
        self.general_save.setObjectName("saveGeneral")
        self.general_save.clicked.connect(self.save_general)
        self.general_form = QFormLayout()
        gl = QVBoxLayout(self.general_box)
        gl.addLayout(self.general_form)
        gl.addWidget(self.general_save, 0, Qt.AlignmentFlag.AlignLeft)

        # users -----------------------------------------------------------------------
        self.users_box = QGroupBox()
        self.users_table = QTableWidget(0, 4)
        self.users_table.setObjectName("usersTable")
        self.users_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.users_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.users_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.users_table.verticalHeader().setVisible(False)
        self.users_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.users_table.setMinimumHeight(170)
        self.new_pin = _pin_edit()
        self.new_pin.setObjectName("changePin")
        self.change_pin_button = QPushButton()
        self.change_pin_button.setObjectName("changePinButton")
        self.change_pin_button.clicked.connect(self.change_pin)
        self.toggle_user_button = QPushButton()
        self.toggle_user_button.clicked.connect(self.toggle_user)
        self.add_name = QLineEdit()
        self.add_name.setObjectName("addName")
        self.add_role = QComboBox()
        self.add_role.setObjectName("addRole")
        self.add_pin = _pin_edit()
        self.add_pin.setObjectName("addPin")
        self.add_button = QPushButton()
        self.add_button.setObjectName("addUser")
        self.add_button.clicked.connect(self.add_user)
        self.change_caption = QLabel()
        self.add_caption = QLabel()
        ul = QGridLayout(self.users_box)
        ul.addWidget(self.users_table, 0, 0, 1, 4)
        ul.addWidget(self.change_caption, 1, 0)
        ul.addWidget(self.new_pin, 1, 1)
        ul.addWidget(self.change_pin_button, 1, 2)
        ul.addWidget(self.toggle_user_button, 1, 3)
        ul.addWidget(self.add_caption, 2, 0)
        ul.addWidget(self.add_name, 2, 1)
        ul.addWidget(self.add_role, 2, 2)
        ul.addWidget(self.add_pin, 2, 3)
        ul.addWidget(self.add_button, 3, 3)

        # sign-in: PIN length per role, each role's lock ---------------------------
        self.signin_box = QGroupBox()
        self.signin_box.setObjectName("signinPolicy")
        self.pin_length_spins: dict[Role, QSpinBox] = {}
        self.lock_labels: dict[Role, QLabel] = {}
        self.unlock_buttons: dict[Role, QPushButton] = {}
        self.signin_role_labels: dict[Role, QLabel] = {}
        sl = QGridLayout(self.signin_box)
        self.pin_length_caption = QLabel()
        self.lock_caption = QLabel()
        sl.addWidget(self.pin_length_caption, 0, 1)
        sl.addWidget(self.lock_caption, 0, 2)
        for row, role in enumerate(Role, start=1):
            name = QLabel()
            spin = QSpinBox()
            spin.setObjectName(f"pinLength_{role.value}")
            spin.setRange(PIN_LENGTH_MIN, PIN_LENGTH_MAX)
            lock = QLabel()
            lock.setObjectName(f"lock_{role.value}")
            shrinkable(lock)
            unlock = QPushButton()
            unlock.setObjectName(f"unlock_{role.value}")
            unlock.clicked.connect(lambda _=False, r=role: self.unlock(r))
            self.signin_role_labels[role], self.pin_length_spins[role] = name, spin
            self.lock_labels[role], self.unlock_buttons[role] = lock, unlock
            sl.addWidget(name, row, 0)
            sl.addWidget(spin, row, 1)
            sl.addWidget(lock, row, 2)
            sl.addWidget(unlock, row, 3)
        self.pin_length_note = QLabel()
        self.pin_length_note.setObjectName("note")
        self.pin_length_note.setWordWrap(True)
        self.pin_length_save = QPushButton()
        self.pin_length_save.setObjectName("savePinLengths")
        self.pin_length_save.clicked.connect(self.save_pin_lengths)
        sl.addWidget(self.pin_length_note, len(Role) + 1, 0, 1, 4)
        sl.addWidget(self.pin_length_save, len(Role) + 2, 0, 1, 2, Qt.AlignmentFlag.AlignLeft)
        sl.setColumnStretch(2, 1)
        self._lock_timer = QTimer(self)
        self._lock_timer.setInterval(1000)
        self._lock_timer.timeout.connect(self.refresh_locks)

        content = QWidget()
        grid = QGridLayout(content)
        grid.setContentsMargins(24, 16, 24, 16)
        grid.setHorizontalSpacing(20)
        grid.setVerticalSpacing(16)
        grid.addWidget(self.campaign_box, 0, 0)
        grid.addWidget(self.general_box, 0, 1)
        grid.addWidget(self.users_box, 1, 0, 1, 2)
        grid.addWidget(self.signin_box, 2, 0, 1, 2)
        grid.addWidget(self.places_box, 3, 0, 1, 2)  # long folder paths and printer names: the whole width
        grid.addWidget(self.threshold_box, 4, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        scroll = FitScrollArea(horizontal=True)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self._forms_built = False
        ctx.language_changed.connect(lambda _lang: self.show_language())
        self.retranslate()

    MAIN_THRESHOLDS = ("reader.cover_full", "reader.cover", "reader.evidence")

    def _show_all_thresholds(self, show: bool) -> None:
        """The three thresholds a kiosk may need to touch; the rest on request."""
        main = [k for k in self.MAIN_THRESHOLDS if k in self.threshold_spins] or list(self.threshold_spins)
        for key in self.threshold_spins:
            self.threshold_form.setRowVisible(self.threshold_spins[key], show or key in main)

    @staticmethod
    def _percent() -> QDoubleSpinBox:
        s = QDoubleSpinBox()
        s.setRange(0.0, 100.0)
        s.setDecimals(1)
        s.setSingleStep(0.5)
        s.setSuffix(" %")
        return s

    # -- texts ---------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.campaign_box.setTitle(self.tr("Kampaņa un iestāde"))
        self.campaign_note.setText(self.tr(
            "Kampaņu un iestādi šeit mainīt nevar: tās kioskam iestata, to uzstādot. Ja kiosks jāpārceļ "
            "uz citu iestādi, sazinieties ar centrālo biroju."))
        self.threshold_box.setTitle(self.tr("Atzīmju sliekšņi"))
        self.threshold_note.setText(self.tr(
            "Procenti no rūtiņas iekšpuses (vai no drukātās tintes tumšuma). Atzīme zem atzīmes sliekšņa, "
            "bet virs neskaidrās atzīmes sliekšņa, sūta biļetenu pārbaudē. Mainiet tikai, ja pārbaudē nonāk "
            "pārāk daudz biļetenu; izmaiņas attiecas uz turpmāk nolasītajiem biļeteniem."))
        self.threshold_save.setText(self.tr("Saglabāt sliekšņus"))
        self.threshold_defaults.setText(self.tr("Atjaunot noklusējumus"))
        self.threshold_more.setText(self.tr("Rādīt visus sliekšņus"))
        self.places_box.setTitle(self.tr("Mapes un printeris"))
        self.places_save.setText(self.tr("Saglabāt mapes un printeri"))
        self.general_box.setTitle(self.tr("Valoda un dīkstāve"))
        self.idle_spin.setSuffix(self.tr(" s"))
        self.general_save.setText(self.tr("Saglabāt"))
        self.users_box.setTitle(self.tr("Lietotāji un PIN kodi"))
        self.users_table.setHorizontalHeaderLabels([self.tr("Vārds"), self.tr("Loma"), self.tr("PIN"), self.tr("Statuss")])
        self.change_caption.setText(self.tr("Izvēlētajam lietotājam:"))
        self.new_pin.setPlaceholderText(self.tr("jauns PIN (tikai cipari)"))
        self.change_pin_button.setText(self.tr("Mainīt PIN"))
        self.add_caption.setText(self.tr("Jauns lietotājs:"))
        self.add_name.setPlaceholderText(self.tr("vārds"))
        self.add_pin.setPlaceholderText(self.tr("PIN (tikai cipari)"))
        self.add_button.setText(self.tr("Pievienot lietotāju"))
        self.signin_box.setTitle(self.tr("Pierakstīšanās: PIN garums un bloķēšana"))
        self.pin_length_caption.setText(self.tr("PIN vismaz (cipari)"))
        self.lock_caption.setText(self.tr("Bloķēšana"))
        for role in Role:
            self.signin_role_labels[role].setText(self.role_text(role))
            self.unlock_buttons[role].setText(self.tr("Atbloķēt"))
        self.pin_length_note.setText(self.tr(
            "Garums attiecas uz PIN kodiem, ko piešķir vai maina no šī brīža; īsāki esošie PIN kodi darbojas, "
            "bet lietotāju sarakstā ir atzīmēti nomainīšanai. Trīs nepareizi PIN kodi bloķē tikai savu lomu: "
            "uz 30 s, katru nākamo reizi divreiz ilgāk (līdz 15 min)."))
        self.pin_length_save.setText(self.tr("Saglabāt PIN garumus"))
        current = self.add_role.currentData()
        self.add_role.clear()
        for role in Role:
            self.add_role.addItem(self.role_text(role), role.value)
        self.add_role.setCurrentIndex(max(0, self.add_role.findData(current)))
        self._build_forms()
        if self.ctx.session is not None and self.ctx.session.may(Action.SETTINGS):
            self.refresh()

    def _build_forms(self) -> None:
        if not self._forms_built:
            self.form_labels = {key: QLabel() for key in (
                *self.threshold_spins, "scan", "printer", "pdf", "export", "language", "idle")}
            L = self.form_labels
            for key, spin in self.threshold_spins.items():
                self.threshold_form.addRow(L[key], spin)
            for form in (self.threshold_form, self.places_form, self.general_form):
                form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            self._show_all_thresholds(False)
            self.places_form.addRow(L["scan"], self._place_rows[0])
            self.places_form.addRow(L["printer"], self.printer_combo)
            self.places_form.addRow(L["pdf"], self._place_rows[1])
            self.places_form.addRow(L["export"], self._place_rows[2])
            self.general_form.addRow(L["language"], self.language_combo)
            self.general_form.addRow(L["idle"], self.idle_spin)
            self._forms_built = True
        known = {
            "reader.cover_full": self.tr("Atzīme: aizpildīta rūtiņa no"),
            "reader.cover": self.tr("Atzīme: krustiņš vai ķeksītis no"),
            "reader.span": self.tr("… kas aizņem rūtiņas platumu un augstumu no"),
            "reader.peak": self.tr("Atzīmes līniju tumšums no"),
            "reader.evidence": self.tr("Neskaidra atzīme (uz pārbaudi) no"),
            "reader.ink": self.tr("Tinte: tumšums no"),
            "reader.cover_level": self.tr("Pārklājums: tumšums no"),
            "reader.base_cap": self.tr("Tukšas rūtiņas fons līdz"),
            "reader.outline": self.tr("Rūtiņas kontūra atrasta no"),
            "reader.blank_ink": self.tr("Tukša lapa: tintes līdz"),
        }
        texts = {
            **{key: known.get(key, key.split(".", 1)[1]) + ":" for key in self.threshold_spins},
            "scan": self.tr("Skenera mape:"),
            "printer": self.tr("Printeris:"),
            "pdf": self.tr("PDF mape (bez printera):"),
            "export": self.tr("Partiju mape:"),
            "language": self.tr("Valoda (arī pēc restartēšanas):"),
            "idle": self.tr("Izrakstīt pēc dīkstāves:"),
        }
        for key, text in texts.items():
            self.form_labels[key].setText(text)

    def policy_text(self) -> str:
        """The campaign's review policy ([review] in its file), one line per case."""
        lang = self.ctx.lang
        rows = []
        for case, what in self.ctx.kiosk.campaign.review.items():
            action = self.tr("pārbauda cilvēks") if what == "review" else self.tr("ieskaita kā nodotu")
            rows.append(f"{reason_text(case, lang)} → <b>{action}</b>")
        title = self.tr("Pārbaudes kārtība (kampaņas fails)")
        return f"<b>{title}</b><br>" + "<br>".join(rows)

    def role_text(self, role: Role | str) -> str:
        return {Role.FRONT_DESK: self.tr("Reģistratūra"), Role.HELPER: self.tr("Palīgs"),
                Role.OFFICE: self.tr("Birojs")}[Role(role)]

    # -- state -------------------------------------------------------------------------------
    def refresh(self) -> None:
        k = self.ctx.kiosk
        s = self.ctx.settings()
        lang = self.ctx.lang
        title = k.campaign.title.get(lang) or k.campaign.title["lv"]
        period = self.tr("Balsošana: {start}–{end}").format(
            start=k.campaign.voting_start.strftime("%d.%m.%Y."), end=k.campaign.voting_end.strftime("%d.%m.%Y."))
        kiosk_no = self.tr("Kioska numurs: {id}").format(id=k.kiosk_id)
        data = self.tr("Dati glabājas mapē: {folder}").format(folder=k.root)
        self.campaign_info.setText("\n".join([title, period, k.institution.name, kiosk_no, data]))
        self.policy_info.setText(self.policy_text())
        for key, spin in self.threshold_spins.items():
            spin.setValue(100 * float(s[key]))
        self.scan_folder.setText(s["scan.folder"])
        self.pdf_folder.setText(s["print.pdf_dir"])
        self.pdf_folder.setPlaceholderText(str(k.datadir.pdf))
        self.scan_folder.setPlaceholderText(self.tr("nav izvēlēta"))
        self.export_folder.setText(s["export.dir"])
        self.export_folder.setPlaceholderText(str(k.datadir.exports))
        self.printer_combo.clear()
        self.printer_combo.addItem(self.tr("Nav (saglabāt PDF failā)"), "")
        printers = self.printers_provider()
        for name in printers:
            self.printer_combo.addItem(name, name)
        if s["print.printer"] and s["print.printer"] not in printers:
            self.printer_combo.addItem(self.tr("{name} (nav pieejams)").format(name=s["print.printer"]), s["print.printer"])
        self.printer_combo.setCurrentIndex(max(0, self.printer_combo.findData(s["print.printer"])))
        self.show_language()
        self.idle_spin.setValue(int(s["ui.idle_seconds"]))
        for role, spin in self.pin_length_spins.items():
            spin.setValue(int(s[PIN_LENGTH_PREFIX + role.value]))
        self.refresh_users()
        self.refresh_locks()

    def show_language(self) -> None:
        """The language in use (the header's LV/EN switches it; saving here keeps it for the next start)."""
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(self.ctx.lang)))

    def refresh_locks(self) -> None:
        """Each role's sign-in lock: locked for how long, or the tries left."""
        locks = self.ctx.auth.locks()
        for role, lock in locks.items():
            if lock.locked_for > 0:
                text = self.tr("bloķēta vēl {s} s").format(s=lock.locked_for)
            elif lock.remaining < FREE_ATTEMPTS:
                text = self.tr("nav bloķēta: {left}").format(left=tries_left_text(lock.remaining, self.ctx.lang))
            elif lock.locks:
                text = self.tr("nav bloķēta (nākamā bloķēšana būs ilgāka)")
            else:
                text = self.tr("nav bloķēta")
            self.lock_labels[role].setText(text)
            self.unlock_buttons[role].setEnabled(lock.locked_for > 0 or lock.remaining < FREE_ATTEMPTS or lock.locks > 0)
        if any(lock.locked_for > 0 for lock in locks.values()) and self.isVisible():
            self._lock_timer.start()
        else:
            self._lock_timer.stop()

    def refresh_users(self) -> None:
        users = self.ctx.auth.users()
        short = set(self.ctx.auth.short_pins())
        self.users = users
        self.users_table.setRowCount(len(users))
        for row, u in enumerate(users):
            cells = [
                u["name"],
                self.role_text(u["role"]),
                self.tr("demonstrācijas PIN — nomainiet!") if u["default_pin"]
                else self.tr("īsāks, nekā prasa politika — nomainiet!") if u["id"] in short
                else self.tr("nomainīts"),
                self.tr("aktīvs") if u["active"] else self.tr("atslēgts"),
            ]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, u["id"])
                self.users_table.setItem(row, col, item)
        self.users_table.resizeRowsToContents()
        self._user_selected()
        self.users_table.itemSelectionChanged.connect(self._user_selected, Qt.ConnectionType.UniqueConnection)

    def selected_user(self) -> dict | None:
        rows = self.users_table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.users[rows[0].row()]

    def _user_selected(self) -> None:
        u = self.selected_user()
        self.change_pin_button.setEnabled(u is not None)
        self.toggle_user_button.setEnabled(u is not None)
        self.toggle_user_button.setText(self.tr("Atslēgt") if (u is None or u["active"]) else self.tr("Ieslēgt"))

    def on_show(self) -> None:
        self.refresh()

    # -- saving ------------------------------------------------------------------------------
    def _save(self, values: dict[str, str], done_text: str) -> bool:
        try:
            self.ctx.update_settings(values)
        except KioskError as exc:
            self.ctx.report(exc)
            return False
        self.ctx.info(done_text, Level.OK)
        return True

    def save_thresholds(self) -> None:
        self._save({key: f"{spin.value() / 100:.4f}" for key, spin in self.threshold_spins.items()},
                   self.tr("Atzīmju sliekšņi saglabāti."))

    def default_thresholds(self) -> None:
        for key, value in reader_defaults().items():
            if key in self.threshold_spins:
                self.threshold_spins[key].setValue(100 * float(value))
        self.save_thresholds()

    def save_places(self) -> None:
        self._save({
            "scan.folder": self.scan_folder.text(),
            "print.pdf_dir": self.pdf_folder.text(),
            "export.dir": self.export_folder.text(),
            "print.printer": self.printer_combo.currentData() or "",
        }, self.tr("Mapes un printeris saglabāti."))

    def save_general(self) -> None:
        lang = self.language_combo.currentData()
        if self._save({"ui.language": lang, "ui.idle_seconds": str(self.idle_spin.value())},
                      self.tr("Iestatījumi saglabāti.")):
            self.ctx.set_language(lang)

    def save_pin_lengths(self) -> None:
        self._save({PIN_LENGTH_PREFIX + role.value: str(spin.value()) for role, spin in self.pin_length_spins.items()},
                   self.tr("PIN garumi saglabāti."))
        self.refresh_users()

    def unlock(self, role: Role) -> None:
        try:
            self.ctx.auth.unlock(self.ctx.session, role)
        except KioskError as exc:
            self.ctx.report(exc)
            return
        self.ctx.info(self.tr("Lomas “{role}” pierakstīšanās atbloķēta.").format(role=self.role_text(role)), Level.OK)
        self.refresh_locks()

    def folder_dialog(self, edit: QLineEdit) -> KioskFileDialog:
        """The office's folder dialog: browses freely, shows none of the data directory's own files."""
        start = edit.text() or edit.placeholderText() or str(self.ctx.datadir.root.parent)
        return KioskFileDialog(self, self.tr("Izvēlieties mapi"), start, datadir=self.ctx.datadir)

    def _browse(self, edit: QLineEdit) -> None:  # pragma: no cover - a modal dialog
        dialog = self.folder_dialog(edit)
        if dialog.exec() and dialog.selectedFiles():
            edit.setText(dialog.selectedFiles()[0])

    # -- users --------------------------------------------------------------------------------
    def _user_action(self, fn, done_text: str) -> bool:
        try:
            fn()
        except KioskError as exc:
            self.ctx.report(exc)
            return False
        self.ctx.info(done_text, Level.OK)
        self.ctx.data_changed.emit("users")
        self.refresh_users()
        return True

    def add_user(self) -> None:
        name, role, pin = self.add_name.text(), self.add_role.currentData(), self.add_pin.text()
        if self._user_action(lambda: self.ctx.auth.add_user(self.ctx.session, name, role, pin),
                             self.tr("Lietotājs “{name}” pievienots.").format(name=name.strip())):
            self.add_name.clear()
            self.add_pin.clear()
        else:
            self.add_pin.clear()

    def change_pin(self) -> None:
        u = self.selected_user()
        if u is None:
            return
        pin = self.new_pin.text()
        self.new_pin.clear()
        self._user_action(lambda: self.ctx.auth.set_pin(self.ctx.session, u["id"], pin),
                          self.tr("Lietotāja “{name}” PIN kods nomainīts.").format(name=u["name"]))

    def toggle_user(self) -> None:
        u = self.selected_user()
        if u is None:
            return
        active = not u["active"]
        self._user_action(lambda: self.ctx.auth.set_active(self.ctx.session, u["id"], active),
                          (self.tr("Lietotājs “{name}” ieslēgts.") if active
                           else self.tr("Lietotājs “{name}” atslēgts.")).format(name=u["name"]))
