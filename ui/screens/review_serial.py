"""Review: the serial of a ballot whose QR code could not be read, typed by a person.

The printed serial line is shown large (cut out of the page, upright); the
helper types it, dashes and case optional.  As soon as it is complete the
kiosk rebuilds the ballot's payload with the institution key and checks the
printed check characters (``kiosk.intake.review.Review.check_serial``): one
wrong character is refused there and then, with the reason.  The checked
text goes with the decision; the core checks it again when storing.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from kiosk.errors import KioskError
from kiosk.lang import count

from ..widgets import shrinkable
from .review_writein import ClipView

COMPLETE = 17  # 13 serial + 4 check characters, without dashes


class SerialEntry(QWidget):
    """Type the serial; ``valid`` says whether it checks out."""

    valid_changed = Signal(bool)

    def __init__(self, check: Callable[[str], bytes], lang: Callable[[], str], parent: QWidget | None = None,
                 voided: Callable[[bytes], bool] = lambda serial: False) -> None:
        super().__init__(parent)
        self.setObjectName("serialEntry")
        self._check = check
        self._voided = voided
        self._lang = lang
        self.valid = False
        self.clip = ClipView()
        self.clip.setMaximumHeight(64)
        self.clip.hide()
        self.edit = QLineEdit()
        self.edit.setObjectName("serialEdit")
        self.edit.setMaxLength(32)
        self.edit.textChanged.connect(self._changed)
        self.state = QLabel()
        self.state.setObjectName("note")
        shrinkable(self.state)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 6)
        lay.setSpacing(4)
        lay.addWidget(self.clip)
        lay.addWidget(self.edit)
        lay.addWidget(self.state)
        self.retranslate()
        self._changed("")

    def retranslate(self) -> None:
        self.edit.setPlaceholderText(self.tr("Ierakstiet numuru zem QR koda: XXXX-XXXX-XXXXX-XXXX"))

    def show_clip(self, image) -> None:
        self.clip.set_image(image)
        self.clip.setVisible(image is not None)

    def text(self) -> str:
        return self.edit.text().strip()

    def _changed(self, text: str) -> None:
        plain = "".join(c for c in text.upper() if c.isalnum())
        if plain.startswith("NR"):
            plain = plain[2:]
        valid = False
        if len(plain) < COMPLETE:
            self.state.setProperty("level", "")
            left = count(COMPLETE - len(plain), self._lang(), ("zīme", "zīmes"), ("character", "characters"))
            self.state.setText(self.tr("Vēl jāieraksta: {left}").format(left=left) if plain else "")
        else:
            try:
                serial = self._check(text)
                valid = True
                if self._voided(serial):  # it checks out, but its print job failed: the person decides
                    self.state.setProperty("level", "warn")
                    self.state.setText("⚠ " + KioskError("sheet.voided_serial").message(self._lang()))
                else:
                    self.state.setProperty("level", "ok")
                    self.state.setText(self.tr("✓ Numurs der: tas ir šīs iestādes biļetens"))
            except KioskError as exc:
                self.state.setProperty("level", "error")
                if exc.code == "payload.bad_check":
                    self.state.setText(self.tr("✗ Neder: pārbaudiet katru zīmi"))
                    self.state.setToolTip(exc.message(self._lang()))
                else:
                    self.state.setText("✗ " + exc.message(self._lang()))
        self.state.style().unpolish(self.state)
        self.state.style().polish(self.state)
        if valid != self.valid:
            self.valid = valid
            self.valid_changed.emit(valid)
