"""The campaign and keys dialog: campaign file, master key, trusted keys, revoked kiosks."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class SetupDialog(QDialog):
    """Paths are read by the office when the dialog is accepted; empty fields change nothing."""

    def __init__(self, revocations: str, has_master: bool, configured: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Kampaņa un atslēgas"))
        self.campaign = QLineEdit()
        self.master = QLineEdit()
        self.trust = QLineEdit()
        self.revoked = QPlainTextEdit(revocations)
        self.revoked.setObjectName("revocations")
        self.revoked.setPlaceholderText("kiosk-abcdefgh 2026-11-30")
        form = QFormLayout()
        form.addRow(self.tr("Kampaņas fails"), self._with_button(self.campaign, self._pick_campaign))
        form.addRow(self.tr("Galvenā atslēga"), self._with_button(self.master, self._pick_master))
        form.addRow(self.tr("Uzticamās atslēgas (1. versijas partijām)"), self._with_button(self.trust, self._pick_trust))
        state = QLabel((self.tr("Kampaņa norādīta.") if configured else self.tr("Kampaņa vēl nav norādīta."))
                       + " " + (self.tr("Galvenā atslēga saglabāta.") if has_master
                                else self.tr("Galvenā atslēga nav saglabāta (demonstrācijas kampaņai der tās atslēga).")))
        state.setWordWrap(True)
        state.setObjectName("caption")
        hint = QLabel(self.tr("Atsauktie kioski: pa vienam rindā, aiz tā datums (GGGG-MM-DD), no kura tā partijas "
                              "neskaita; bez datuma neskaita nevienu tā partiju."))
        hint.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(state)
        box.addLayout(form)
        box.addWidget(hint)
        box.addWidget(self.revoked, 1)
        box.addWidget(buttons)
        self.resize(720, 480)
        self._revocations = revocations

    def _with_button(self, field: QLineEdit, pick) -> QWidget:
        w = QWidget()
        row = QHBoxLayout(w)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(field, 1)
        b = QPushButton(self.tr("Izvēlēties…"))
        b.clicked.connect(pick)
        row.addWidget(b)
        return w

    def _pick_campaign(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Kampaņas fails"), "", self.tr("Kampaņas faili (*.toml)"))
        if path:
            self.campaign.setText(path)

    def _pick_master(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Galvenā atslēga"))
        if path:
            self.master.setText(path)

    def _pick_trust(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("Uzticamās atslēgas"))
        if path:
            self.trust.setText(path)

    def changes(self) -> dict:
        """What to configure: only the fields given, the revocations when they changed."""
        out: dict = {}
        for key, field in (("campaign", self.campaign), ("master", self.master), ("trust", self.trust)):
            if field.text().strip():
                out[key] = field.text().strip()
        if self.revoked.toPlainText() != self._revocations:
            out["revocations"] = self.revoked.toPlainText()
        return out
