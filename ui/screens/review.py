"""Helper: the ballots the machine was not sure about, one at a time.

The scanned image shows every box outlined (green marked, amber marginal,
red unclear, grey empty) with its ink score; the reviewer's own choice is
filled in.  Everything works from the keyboard: ↑/↓ question, ←/→ or a
digit picks an answer, Space marks or clears it, Enter confirms (or saves
the correction when the marks were changed), R rejects, N skips.  The
decision goes to ``kiosk.intake.review.Review``, which checks the role and appends
it beside the machine's reading.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.access.roles import Action, Session
from kiosk.errors import KioskError
from kiosk.intake.review import REJECT_REASONS, Review, ReviewItem, reject_reason_text

from ..context import AppContext, Level
from ..widgets import ImageView, shrinkable
from . import Mode, Screen
from .intake import boxes_for, load_image_job
from .review_extras import ReviewExtras

CHOSEN_FILL = QColor(27, 127, 59, 70)
FOCUS_COLOR = QColor("#1f6feb")


class ReviewScreen(Screen):
    mode = Mode.REVIEW
    action = Action.REVIEW
    decided = Signal(str, int)  # action, sheet id
    item_shown = Signal(int)    # sheet id (0: the queue is empty)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.item: ReviewItem | None = None
        self._pending = 0
        self.chosen: dict[str, list[str]] = {}
        self.focus_q = 0
        self.focus_o = 0

        self.image = ImageView()
        self.queue_label = QLabel()
        self.queue_label.setObjectName("sectionTitle")
        self.serial_label = QLabel()
        self.reason_box = QLabel()
        self.reason_box.setObjectName("note")
        self.reason_box.setProperty("level", "warn")
        shrinkable(self.reason_box)
        self.machine_label = QLabel()
        self.machine_label.setObjectName("note")
        shrinkable(self.machine_label)
        self.machine_label.setTextFormat(Qt.TextFormat.RichText)
        self.choice_caption = QLabel()
        self.choice_caption.setObjectName("caption")
        self.extras = ReviewExtras(self)  # write-ins, long rosters, a damaged QR code's serial
        self.choices = QWidget()
        self.choices_layout = QVBoxLayout(self.choices)
        self.choices_layout.setContentsMargins(0, 0, 0, 0)
        self.option_buttons: dict[tuple[str, str], QPushButton] = {}
        self.question_labels: dict[str, QLabel] = {}
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.choices)

        self.confirm_button = QPushButton()
        self.confirm_button.setObjectName("confirmReview")
        self.confirm_button.setProperty("kind", "primary")
        self.confirm_button.setMinimumHeight(50)
        self.confirm_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.confirm_button.clicked.connect(self.confirm)
        self.restore_button = QPushButton()
        self.restore_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.restore_button.clicked.connect(self.restore)
        self.skip_button = QPushButton()
        self.skip_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.skip_button.clicked.connect(self.skip)
        self.reject_reason = QComboBox()
        self.reject_reason.setObjectName("rejectReason")
        self.reject_reason.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.reject_button = QPushButton()
        self.reject_button.setObjectName("rejectReview")
        self.reject_button.setProperty("kind", "danger")
        self.reject_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.reject_button.clicked.connect(self.reject)
        self.keys_label = QLabel()
        self.keys_label.setObjectName("keysHelp")
        shrinkable(self.keys_label)

        self.empty_label = QLabel()
        self.empty_label.setObjectName("signinTitle")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        shrinkable(self.empty_label)

        panel = QVBoxLayout()
        panel.setSpacing(8)
        head = QHBoxLayout()
        head.addWidget(self.queue_label)
        head.addStretch(1)
        head.addWidget(self.serial_label)
        panel.addLayout(head)
        panel.addWidget(self.reason_box)
        panel.addWidget(self.extras)
        panel.addWidget(self.choice_caption)
        panel.addWidget(scroll, 1)
        panel.addWidget(self.machine_label)
        panel.addWidget(self.confirm_button)
        actions = QGridLayout()
        actions.addWidget(self.restore_button, 0, 0)
        actions.addWidget(self.skip_button, 0, 1)
        actions.addWidget(self.reject_reason, 1, 0)
        actions.addWidget(self.reject_button, 1, 1)
        actions.setColumnStretch(0, 3)
        actions.setColumnStretch(1, 2)
        panel.addLayout(actions)
        panel.addWidget(self.keys_label)
        self.panel = QWidget()
        self.panel.setLayout(panel)
        self.panel.setMaximumWidth(520)

        self.work = QWidget()
        row = QHBoxLayout(self.work)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(20)
        row.addWidget(self.image, 3)
        row.addWidget(self.panel, 2)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 12, 24, 12)
        outer.addWidget(self.work, 1)
        outer.addWidget(self.empty_label, 1)
        self.empty_label.hide()

        keys = {
            Qt.Key.Key_Return: self.confirm, Qt.Key.Key_Enter: self.confirm,
            Qt.Key.Key_Up: lambda: self.move_question(-1), Qt.Key.Key_Down: lambda: self.move_question(1),
            Qt.Key.Key_Left: lambda: self.move_option(-1), Qt.Key.Key_Right: lambda: self.move_option(1),
            Qt.Key.Key_Space: self.toggle_focused, Qt.Key.Key_R: self.reject, Qt.Key.Key_N: self.skip,
            Qt.Key.Key_Escape: self.restore,
        }
        for n in range(1, 10):
            keys[getattr(Qt.Key, f"Key_{n}")] = lambda n=n: self.pick_number(n)
        self.shortcuts = []
        for key, slot in keys.items():
            sc = QShortcut(QKeySequence(key), self)
            # the whole window, but only while this screen is shown (see showEvent)
            sc.setContext(Qt.ShortcutContext.WindowShortcut)
            sc.setEnabled(False)
            sc.activated.connect(slot)
            self.shortcuts.append(sc)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.retranslate()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        for sc in self.shortcuts:
            sc.setEnabled(True)

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().hideEvent(event)
        for sc in self.shortcuts:
            sc.setEnabled(False)

    # -- texts ----------------------------------------------------------------------
    def retranslate(self) -> None:
        self.choice_caption.setText(self.tr("Atzīmējiet, kas biļetenā redzams"))
        self.restore_button.setText(self.tr("Kā nolasīja mašīna (Esc)"))
        self.skip_button.setText(self.tr("Izlaist (N)"))
        self.reject_button.setText(self.tr("Noraidīt (R)"))
        current = self.reject_reason.currentData()
        self.reject_reason.clear()
        for code in REJECT_REASONS:
            self.reject_reason.addItem(reject_reason_text(code, self.ctx.lang), code)
        self.reject_reason.setCurrentIndex(max(0, self.reject_reason.findData(current)))
        self.keys_label.setText(self.tr(
            "Tastatūra: ↑ ↓ jautājums, ← → vai cipars atbilde, atstarpe atzīmē vai notīra, "
            "Enter apstiprina, R noraida, N izlaiž."))
        self.empty_label.setText(self.tr("✓ Nav neviena biļetena, kas jāpārbauda."))
        self.image.set_placeholder(self.tr("Attēls tiek ielādēts…"))
        self.extras.retranslate()
        if self.item is not None:
            self._show_texts()
        self._refresh_confirm()

    def _show_texts(self) -> None:
        item = self.item
        lang = self.ctx.lang
        self.queue_label.setText(self.tr("Jāpārbauda: {n}").format(n=self._pending))
        self.serial_label.setText(self.tr("Biļetens Nr. {serial}").format(serial=item.serial or "—"))
        self.reason_box.setText("\n".join(item.reason_texts(lang)) or self.tr("Iemesls nav norādīts"))
        parts = []
        for q in item.questions:
            marked = [item.label(q.id, o) for o in item.machine.get(q.id, [])]
            parts.append(f"<b>{', '.join(marked) if marked else '—'}</b>")
        self.machine_label.setText(self.tr("Mašīna nolasīja: {marks}").format(marks=" · ".join(parts)))

    # -- queue -------------------------------------------------------------------------
    def review(self) -> Review:
        return Review(self.ctx.kiosk, self.ctx.session)

    def on_show(self) -> None:
        self.load_next()
        self.setFocus()

    def on_session(self, session: Session | None) -> None:
        if session is None:
            self.item = None

    def load_next(self, after: int | None = None) -> None:
        try:
            review = self.review()
            self._pending = review.pending()
            item = review.next_item(after)
        except KioskError as exc:
            self.ctx.report(exc)
            return
        self.show_item(item)

    def show_item(self, item: ReviewItem | None) -> None:
        self.item = item
        self.work.setVisible(item is not None)
        self.empty_label.setVisible(item is None)
        if item is None:
            self.extras.show_item(None)
            self.item_shown.emit(0)
            return
        self.chosen = {q.id: list(item.machine.get(q.id, [])) for q in item.questions}
        # an overvote is not a reading a person can confirm: start from nothing there
        for q in item.questions:
            if len(self.chosen[q.id]) > 1:
                self.chosen[q.id] = []
        self.focus_q, self.focus_o = 0, 0
        self.extras.show_item(item)
        self._build_choices()
        self._show_texts()
        self._refresh_choices()
        self.image.set_image(None)
        if item.image is not None:
            self.ctx.runner.run(load_image_job(item.image["path"], item.page), name="image", key="review-image",
                                done=lambda img, sid=item.sheet_id: self._image_loaded(sid, img),
                                failed=lambda exc: self.image.set_placeholder(self.tr("Attēlu nevar ielādēt")))
        self.item_shown.emit(item.sheet_id)

    def _image_loaded(self, sheet_id: int, img) -> None:
        if self.item is not None and self.item.sheet_id == sheet_id:
            self.image.set_image(img)
            self._refresh_boxes()

    def _build_choices(self) -> None:
        while self.choices_layout.count():
            w = self.choices_layout.takeAt(0).widget()
            if w is not None:
                w.hide()
                w.deleteLater()
        self.option_buttons.clear()
        self.question_labels.clear()
        for q in self.item.questions:
            lab = QLabel(q.label)
            shrinkable(lab)
            self.question_labels[q.id] = lab
            self.choices_layout.addWidget(lab)
            box = QWidget()
            grid = QGridLayout(box)
            grid.setContentsMargins(0, 0, 0, 4)
            grid.setSpacing(4)
            picker = self.extras.pickers.get(q.id)  # a long roster, a numbered list, a write-in
            if self.extras.handles(q.id):
                self.choices_layout.addWidget(picker)
                continue
            group = QButtonGroup(box)
            group.setExclusive(False)
            per_row = 5 if all(len(o.label) <= 3 for o in q.choices) else 2
            for n, opt in enumerate(q.choices):
                b = QPushButton(f"{n + 1}  {opt.label}" if per_row == 2 else opt.label)
                b.setCheckable(True)
                b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                b.setObjectName(f"opt_{q.id}_{opt.id}")
                b.setMinimumHeight(40)
                b.clicked.connect(lambda _=False, qid=q.id, o=opt.id: self.toggle(qid, o))
                group.addButton(b)
                grid.addWidget(b, n // per_row, n % per_row)
                self.option_buttons[(q.id, opt.id)] = b
            self.choices_layout.addWidget(box)
            if picker is not None:
                self.choices_layout.addWidget(picker)
        self.choices_layout.addStretch(1)

    # -- choosing ----------------------------------------------------------------------
    def toggle(self, qid: str, oid: str) -> None:
        if self.item is None:
            return
        current = self.chosen.get(qid, [])
        self.chosen[qid] = [] if current == [oid] else [oid]
        q_index = [q.id for q in self.item.questions].index(qid)
        self.focus_q = q_index
        self.focus_o = [o.id for o in self.item.questions[q_index].choices].index(oid)
        self._refresh_choices()

    def set_choice(self, qid: str, oid: str) -> None:
        """One answer for a question ("" for none), as a picker chose it."""
        if self.item is None:
            return
        self.chosen[qid] = [oid] if oid else []
        self._refresh_choices()

    def _focused(self) -> tuple[str, str] | None:
        if self.item is None or not self.item.questions:
            return None
        q = self.item.questions[self.focus_q]
        if not q.choices or self.extras.handles(q.id):
            return None
        return q.id, q.choices[min(self.focus_o, len(q.choices) - 1)].id

    def move_question(self, step: int) -> None:
        if self.item is None or not self.item.questions:
            return
        self.focus_q = (self.focus_q + step) % len(self.item.questions)
        self.focus_o = 0
        self._refresh_choices()

    def move_option(self, step: int) -> None:
        if self.item is None or not self.item.questions:
            return
        n = len(self.item.questions[self.focus_q].choices)
        self.focus_o = (self.focus_o + step) % max(n, 1)
        self._refresh_choices()

    def toggle_focused(self) -> None:
        f = self._focused()
        if f is not None:
            self.toggle(*f)

    def pick_number(self, n: int) -> None:
        if self.item is None or not self.item.questions:
            return
        q = self.item.questions[self.focus_q]
        if 1 <= n <= len(q.choices) and not self.extras.handles(q.id):
            self.toggle(q.id, q.choices[n - 1].id)

    def restore(self) -> None:
        if self.item is None:
            return
        self.chosen = {q.id: list(self.item.machine.get(q.id, [])) for q in self.item.questions}
        for q in self.item.questions:
            if len(self.chosen[q.id]) > 1:
                self.chosen[q.id] = []
        self._refresh_choices()

    def changed(self) -> bool:
        if self.item is None:
            return False
        return any(self.chosen.get(q.id, []) != self.item.machine.get(q.id, []) for q in self.item.questions)

    def _refresh_choices(self) -> None:
        focused = self._focused()
        for (qid, oid), b in self.option_buttons.items():
            b.setChecked(self.chosen.get(qid) == [oid])
            b.setProperty("kind", "focus" if (qid, oid) == focused else "")
            b.setStyleSheet("border: 3px solid #1f6feb;" if (qid, oid) == focused else "")
        for i, q in enumerate(self.item.questions if self.item else []):
            self.question_labels[q.id].setText(("▶ " if i == self.focus_q else "") + q.label)
        self.extras.refresh(self.chosen)
        self._refresh_boxes()
        self._refresh_confirm()

    def _refresh_boxes(self) -> None:
        if self.item is None or self.image.image is None:
            return
        boxes = boxes_for({"boxes": self.item.boxes}, self._focused())
        for b in boxes:
            if self.chosen.get(b.tags["question"]) == [b.tags["option"]]:
                b.fill = CHOSEN_FILL
            if b.focused:
                b.color = FOCUS_COLOR
        self.image.set_boxes(boxes)

    def _refresh_confirm(self) -> None:
        if self.changed():
            self.confirm_button.setText(self.tr("Saglabāt labojumu (Enter)"))
        else:
            self.confirm_button.setText(self.tr("Apstiprināt (Enter)"))
        self.confirm_button.setEnabled(self.item is not None)
        self.reject_button.setEnabled(self.item is not None)

    # -- deciding ----------------------------------------------------------------------
    def confirm(self) -> None:
        if self.item is None or self.extras.consume_enter():
            return
        sheet_id = self.item.sheet_id
        try:
            action, _ = self.review().decide(sheet_id, self.chosen, serial=self.extras.serial_text())
        except KioskError as exc:
            self.ctx.report(exc)
            return
        self.ctx.info(self.tr("Saglabāts: biļetens ieskaitīts (apstiprināts).") if action == "confirm"
                      else self.tr("Saglabāts: biļetens ieskaitīts ar jūsu labojumu."), Level.OK)
        self._after(action, sheet_id)

    def reject(self) -> None:
        if self.item is None:
            return
        sheet_id = self.item.sheet_id
        try:
            self.review().reject(sheet_id, self.reject_reason.currentData())
        except KioskError as exc:
            self.ctx.report(exc)
            return
        self.ctx.info(self.tr("Saglabāts: biļetens noraidīts ({reason}).")
                      .format(reason=self.reject_reason.currentText()), Level.OK)
        self._after("reject", sheet_id)

    def skip(self) -> None:
        if self.item is not None:
            self.load_next(after=self.item.sheet_id)

    def _after(self, action: str, sheet_id: int) -> None:
        self.ctx.data_changed.emit("review")
        self.decided.emit(action, sheet_id)
        self.load_next(after=sheet_id)
