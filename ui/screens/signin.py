"""Sign-in: choose a role, type the PIN.  Wrong PINs lock out (the core decides)."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.access.roles import Role
from kiosk.errors import KioskError

from ..context import AppContext
from ..widgets import PinPad, shrinkable
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
        self.roles = QButtonGroup(self)
        self.roles.setExclusive(True)
        self.role_buttons: dict[Role, QPushButton] = {}
        role_col = QVBoxLayout()
        role_col.setSpacing(12)
        role_col.addWidget(self.step1)
        for role in Role:
            b = QPushButton()
            b.setCheckable(True)
            b.setObjectName(f"role_{role.value}")
            b.setProperty("kind", "role")
            b.setMinimumHeight(96)
            self.roles.addButton(b)
            self.role_buttons[role] = b
            b.toggled.connect(self._role_toggled)
            role_col.addWidget(b)
        role_col.addStretch(1)

        self.step2 = QLabel()
        self.step2.setObjectName("stepLabel")
        self.pad = PinPad()
        self.pad.submitted.connect(self.try_pin)
        self.lock_label = QLabel()
        self.lock_label.setObjectName("lockLabel")
        shrinkable(self.lock_label)
        self.error_label = QLabel()
        self.error_label.setObjectName("signinError")
        shrinkable(self.error_label)
        pin_col = QVBoxLayout()
        pin_col.setSpacing(12)
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
        row.setContentsMargins(32, 24, 32, 24)
        row.setSpacing(48)
        row.addLayout(role_col, 1)
        row.addWidget(pin_box, 1)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(64, 24, 64, 16)
        outer.setSpacing(12)
        outer.addWidget(self.title)
        outer.addWidget(self.institution)
        outer.addSpacing(8)
        outer.addWidget(card, 1)
        outer.addWidget(self.demo_hint)

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
        wait = self.ctx.auth.locked_for()
        if wait > 0:
            self.lock_label.setText(self.tr("Pierakstīšanās bloķēta. Mēģiniet vēlreiz pēc {s} s.").format(s=wait))
            self.pad.set_enabled_input(False)
            if not self._lock_timer.isActive():
                self._lock_timer.start()
        else:
            self.lock_label.clear()
            self.pad.set_enabled_input(True)
            self._lock_timer.stop()

    def on_show(self) -> None:
        self.pad.field.clear()
        self.clear_role()
        self.refresh_demo_hint()
        self.refresh_lock()

    @property
    def locked(self) -> bool:
        return not self.pad.ok_button.isEnabled()
