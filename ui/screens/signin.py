"""Sign-in: choose a role, type the PIN.  Wrong PINs lock the role out (the core
decides, one lock per role): after a wrong PIN the screen says how many tries
the role has left, and while the chosen role is locked it counts down."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from kiosk.access.auth import FREE_ATTEMPTS, tries_left_text
from kiosk.access.roles import Role
from kiosk.errors import KioskError

from ..context import AppContext
from ..widgets import NoteLabel, PinPad, WrapButton, shrinkable
from . import Mode, Screen


class SignInScreen(Screen):
    mode = Mode.SIGN_IN
    action = None

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.title = QLabel()
        self.title.setObjectName("signinTitle")
        shrinkable(self.title)
        self.institution = QLabel()
        self.institution.setObjectName("signinInstitution")
        shrinkable(self.institution)

        self.step1 = QLabel()
        self.step1.setObjectName("stepLabel")
        shrinkable(self.step1)
        self.roles = QButtonGroup(self)
        self.roles.setExclusive(True)
        self.role_buttons: dict[Role, WrapButton] = {}
        role_col = QVBoxLayout()
        role_col.setSpacing(12)
        role_col.addWidget(self.step1)
        for role in Role:
            b = WrapButton(kind="role", align=Qt.AlignmentFlag.AlignLeft)
            b.setCheckable(True)
            b.setObjectName(f"role_{role.value}")
            b.set_min_height(80)
            self.roles.addButton(b)
            self.role_buttons[role] = b
            b.toggled.connect(self._role_toggled)
            role_col.addWidget(b)
        role_col.addStretch(1)

        self.step2 = QLabel()
        self.step2.setObjectName("stepLabel")
        shrinkable(self.step2)
        self.pad = PinPad()
        self.pad.submitted.connect(self.try_pin)
        self.lock_label = NoteLabel()
        self.lock_label.setObjectName("lockLabel")
        self.error_label = NoteLabel()
        self.error_label.setObjectName("signinError")
        pin_col = QVBoxLayout()
        pin_col.setSpacing(10)
        pin_col.addWidget(self.step2)
        pin_col.addWidget(self.pad)
        pin_col.addWidget(self.error_label)
        pin_col.addWidget(self.lock_label)
        pin_col.addStretch(1)
        pin_box = QWidget()
        pin_box.setLayout(pin_col)
        pin_box.setMaximumWidth(420)

        self.demo_hint = QLabel()
        self.demo_hint.setObjectName("demoHint")
        shrinkable(self.demo_hint)
        self.demo_hint.setTextFormat(Qt.TextFormat.RichText)

        card = QFrame()
        card.setObjectName("card")
        row = QHBoxLayout(card)
        row.setContentsMargins(24, 20, 24, 20)
        row.setSpacing(32)
        row.addLayout(role_col, 1)
        row.addWidget(pin_box, 1)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 20, 32, 12)
        outer.setSpacing(12)
        outer.addWidget(self.title)
        outer.addWidget(self.institution)
        outer.addSpacing(8)
        outer.addWidget(card, 1)
        role_col.addWidget(self.demo_hint)  # under the roles, where the card has room

        self._lock_timer = QTimer(self)
        self._lock_timer.setInterval(1000)
        self._lock_timer.timeout.connect(self.refresh_lock)
        self.retranslate()
        self.refresh_lock()

    # -- texts -------------------------------------------------------------
    def retranslate(self) -> None:
        k = self.ctx.kiosk
        lang = self.ctx.lang
        self.title.setText(k.campaign.title.get(lang) or k.campaign.title["lv"])
        self.institution.setText(k.institution.name)
        self.step1.setText(self.tr("1. Izvēlieties savu lomu"))
        self.step2.setText(self.tr("2. Ievadiet PIN kodu un spiediet OK"))
        names = {
            Role.FRONT_DESK: (self.tr("Reģistratūra"), self.tr("biļetenu drukāšana")),
            Role.HELPER: (self.tr("Palīgs"), self.tr("urnas biļetenu skenēšana un pārbaude")),
            Role.OFFICE: (self.tr("Birojs"), self.tr("eksports, iestatījumi, lietotāji, iziešana")),
        }
        for role, (name, what) in names.items():
            self.role_buttons[role].setText(f"{name}\n{what}")
        self.pad.field.setPlaceholderText(self.tr("PIN kods"))
        self.error_label.clear()
        self.refresh_demo_hint()
        self.refresh_lock()

    def refresh_demo_hint(self) -> None:
        demo = self.ctx.auth.demo_pins_in_use()
        if not demo:
            self.demo_hint.clear()
            self.demo_hint.hide()
            return
        names = {Role.FRONT_DESK: self.tr("reģistratūra"), Role.HELPER: self.tr("palīgs"), Role.OFFICE: self.tr("birojs")}
        pins = ", ".join(f"{names[role]} <b>{pin}</b>" for role, pin in demo)
        self.demo_hint.setText(
            self.tr("Demonstrācijas PIN kodi: {pins}. Birojs tos nomaina sadaļā Iestatījumi → Lietotāji.").format(pins=pins)
        )
        self.demo_hint.show()

    # -- behaviour ---------------------------------------------------------
    def selected_role(self) -> Role | None:
        for role, b in self.role_buttons.items():
            if b.isChecked():
                return role
        return None

    def choose_role(self, role: Role) -> None:
        self.role_buttons[role].setChecked(True)

    def _role_toggled(self, checked: bool) -> None:
        if checked:
            self.error_label.clear()
            self.refresh_lock()
            self.pad.field.setFocus()

    def try_pin(self, pin: str) -> None:
        role = self.selected_role()
        if role is None:
            self.error_label.setText(self.tr("Vispirms izvēlieties lomu."))
            return
        try:
            self.ctx.sign_in(role, pin)
        except KioskError as exc:
            # a lockout is told by the countdown below; other errors here
            self.error_label.setText("" if exc.code == "auth.locked" else exc.message(self.ctx.lang))
            self.refresh_lock()
            return
        self.error_label.clear()
        self.clear_role()

    def clear_role(self) -> None:
        self.roles.setExclusive(False)
        for b in self.role_buttons.values():
            b.setChecked(False)
        self.roles.setExclusive(True)

    def refresh_lock(self) -> None:
        """The chosen role's lock (a countdown, the PIN pad off) or its tries left;
        the timer runs while any role is locked."""
        locks = self.ctx.auth.locks()
        role = self.selected_role()
        lock = locks[role] if role is not None else None
        if lock is not None and lock.locked_for > 0:
            self.lock_label.setText(self.tr("Lomas pierakstīšanās bloķēta. Mēģiniet vēlreiz pēc {s} s.")
                                    .format(s=lock.locked_for))
            self.pad.set_enabled_input(False)
        elif lock is not None and lock.remaining < FREE_ATTEMPTS and not self.error_label.text():
            self.lock_label.setText(self.tries_left(lock.remaining))  # after a wrong PIN its message says it
            self.pad.set_enabled_input(True)
        else:
            self.lock_label.clear()
            self.pad.set_enabled_input(True)
        if any(state.locked_for > 0 for state in locks.values()):
            if not self._lock_timer.isActive():
                self._lock_timer.start()
        else:
            self._lock_timer.stop()

    def tries_left(self, n: int) -> str:
        """"Lomai atlikuši vēl 2 mēģinājumi." (the count agreed in the core, per language)."""
        return self.tr("Lomai {left}.").format(left=tries_left_text(n, self.ctx.lang))

    def on_show(self) -> None:
        self.pad.field.clear()
        self.clear_role()
        self.refresh_demo_hint()
        self.refresh_lock()

    @property
    def locked(self) -> bool:
        return not self.pad.ok_button.isEnabled()
