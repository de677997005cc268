"""Helper: the ballots the machine was not sure about, one at a time.

The scanned image shows every box outlined (blue the answer in focus, green a
mark, orange a faint mark, red unclear, grey empty; the legend says so) with its
ink score; the reviewer's own choice is filled in.  A click on the image, or Z,
zooms in (Z: on the question in focus).  Everything works from the keyboard:
↑/↓ question, ←/→ or a digit picks an answer, Space marks or clears it, Enter
confirms (or saves the correction when the marks were changed), R rejects
(after one question: which reason, Enter), N skips, Esc restores the reading,
Ctrl+Z takes back this session's last decision.  Every answer of every question
stays reachable: the answers scroll into view as the focus moves.

Decisions go to ``kiosk.intake.review.Review``, which checks the role and appends
them beside the machine's reading; an undo is appended too.  The sheet's new
state goes to ``ctx.sheets``, so the scan list, its counters and the badge follow.

Other kinds of review work (a write-in clip, a typed serial) are widgets of their
own: ``add_part`` puts one above the questions; it is shown each item
(``show_item``) and may take an Enter meant for it (``consume_enter``).
"""
from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.access.roles import Action, Session
from kiosk.errors import KioskError
from kiosk.intake.review import REJECT_REASONS, Review, ReviewItem, reject_reason_text

from ..context import AppContext, Level
from ..widgets import (
    OUTLINE_COLORS,
    FitScrollArea,
    ImageView,
    KioskDialog,
    OutlineLegend,
    shrinkable,
)
from . import Mode, Screen
from .intake import boxes_for, load_image_job
from .review_extras import ReviewExtras

CHOSEN_FILL = QColor(27, 127, 59, 70)
FOCUS_COLOR = OUTLINE_COLORS["focus"]


class ReviewPart(Protocol):
    """A widget for one more kind of review work, shown above the questions."""

    def show_item(self, item: ReviewItem | None) -> None: ...

    def consume_enter(self) -> bool: ...


class RejectDialog(KioskDialog):
    """Rejecting asks once: which reason (↑/↓ or a digit), then Enter; Esc keeps the ballot."""

    def __init__(self, parent: QWidget, lang: str, default: str) -> None:
        super().__init__(parent)
        self.setObjectName("rejectDialog")
        self.setWindowTitle(self.tr("Noraidīt šo biļetenu?"))
        self.text = QLabel(self.tr("Noraidīts biļetens netiek ieskaitīts. Izvēlieties iemeslu:"))
        self.text.setWordWrap(True)
        self.reasons = QListWidget()
        self.reasons.setObjectName("rejectReasons")
        for n, code in enumerate(REJECT_REASONS, start=1):
            item = QListWidgetItem(f"{n}  {reject_reason_text(code, lang)}")
            item.setData(Qt.ItemDataRole.UserRole, code)
            self.reasons.addItem(item)
        self.reasons.setCurrentRow(max(0, list(REJECT_REASONS).index(default) if default in REJECT_REASONS else 0))
        self.reasons.setMinimumHeight(self.reasons.sizeHintForRow(0) * len(REJECT_REASONS) + 8)
        self.reasons.itemDoubleClicked.connect(lambda _i: self.accept())
        self.ok_button = QPushButton(self.tr("Noraidīt (Enter)"))
        self.ok_button.setObjectName("rejectOk")
        self.ok_button.setProperty("kind", "danger")
        self.ok_button.clicked.connect(self.accept)
        self.cancel_button = QPushButton(self.tr("Atcelt (Esc)"))
        self.cancel_button.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.ok_button)
        self.box.addWidget(self.text)
        self.box.addWidget(self.reasons)
        self.box.addLayout(row)
        self.setMinimumWidth(480)

    @property
    def reason(self) -> str:
        item = self.reasons.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else "unreadable"

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.accept()
            return
        if Qt.Key.Key_1 <= key <= Qt.Key.Key_9 and key - Qt.Key.Key_1 < self.reasons.count():
            self.reasons.setCurrentRow(key - Qt.Key.Key_1)
            return
        super().keyPressEvent(event)


class ReviewScreen(Screen):
    mode = Mode.REVIEW
    action = Action.REVIEW
    decided = Signal(str, int)  # action (confirm, correct, reject, undo), sheet id
    item_shown = Signal(int)    # sheet id (0: the queue is empty)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.item: ReviewItem | None = None
        self._pending = 0
        self.chosen: dict[str, list[str]] = {}
        self.focus_q = 0
        self.focus_o = 0
        self.parts: list[QWidget] = []
        self.undo_stack: list[tuple[int, int, str]] = []  # this session's decisions: (decision, sheet, action)
        self.reject_dialog: RejectDialog | None = None

        self.image = ImageView()
        self.image.zoom_changed.connect(self._zoom_changed)
        self.legend = OutlineLegend()
        self.queue_label = QLabel()
        self.queue_label.setObjectName("sectionTitle")
        self.serial_label = QLabel()  # the number as printed under the QR code, never broken
        self.serial_label.setObjectName("serialLabel")
        self.serial_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.serial_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reason_box = QLabel()
        self.reason_box.setObjectName("note")
        self.reason_box.setProperty("level", "warn")
        shrinkable(self.reason_box)
        self.machine_label = QLabel()
        self.machine_label.setObjectName("machineReading")
        shrinkable(self.machine_label)
        self.machine_label.setTextFormat(Qt.TextFormat.RichText)
        self.hint_label = QLabel()  # what a key did when it changed nothing visible
        self.hint_label.setObjectName("note")
        self.hint_label.setProperty("level", "info")
        shrinkable(self.hint_label)
        self.hint_label.hide()
        self.parts_box = QVBoxLayout()
        self.parts_box.setContentsMargins(0, 0, 0, 0)
        self.choice_caption = QLabel()
        self.choice_caption.setObjectName("caption")
        self.extras = ReviewExtras(self)  # write-ins, long rosters, a damaged QR code's serial
        self.choices = QWidget()
        self.choices.setObjectName("reviewChoices")
        self.choices_layout = QVBoxLayout(self.choices)
        self.choices_layout.setContentsMargins(0, 0, 4, 0)
        self.choices_layout.setSpacing(4)
        self.option_buttons: dict[tuple[str, str], QPushButton] = {}
        self.question_labels: dict[str, QLabel] = {}
        self.scroll = FitScrollArea()
        self.scroll.setObjectName("reviewScroll")
        self.scroll.setWidget(self.choices)

        def button(name: str, slot, kind: str = "") -> QPushButton:
            b = QPushButton()
            b.setObjectName(name)
            if kind:
                b.setProperty("kind", kind)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(slot)
            return b

        self.confirm_button = button("confirmReview", self.confirm, "primary")
        self.confirm_button.setMinimumHeight(46)
        self.undo_button = button("undoReview", self.undo)
        self.restore_button = button("restoreReview", self.restore)
        self.skip_button = button("skipReview", self.skip)
        self.zoom_button = button("zoomReview", self.toggle_zoom)
        self.reject_button = button("rejectReview", self.reject, "danger")
        self.keys_label = QLabel()
        self.keys_label.setObjectName("keysHelp")
        shrinkable(self.keys_label)

        self.empty_label = QLabel()
        self.empty_label.setObjectName("signinTitle")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        shrinkable(self.empty_label)
        self.empty_undo = button("undoReviewEmpty", self.undo)

        panel = QVBoxLayout()
        panel.setSpacing(6)
        panel.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(self.queue_label)
        head.addStretch(1)
        head.addWidget(self.serial_label)
        panel.addLayout(head)
        panel.addWidget(self.reason_box)
        panel.addLayout(self.parts_box)
        panel.addWidget(self.extras)
        panel.addWidget(self.choice_caption)
        panel.addWidget(self.scroll, 1)
        panel.addWidget(self.hint_label)
        panel.addWidget(self.machine_label)
        panel.addWidget(self.confirm_button)
        actions = QGridLayout()
        actions.setSpacing(6)
        actions.addWidget(self.restore_button, 0, 0)
        actions.addWidget(self.skip_button, 0, 1)
        actions.addWidget(self.undo_button, 1, 0)
        actions.addWidget(self.reject_button, 1, 1)
        panel.addLayout(actions)
        panel.addWidget(self.keys_label)
        self.panel = QWidget()
        self.panel.setObjectName("reviewPanel")
        self.panel.setLayout(panel)
        self.panel.setMinimumWidth(380)
        self.panel.setMaximumWidth(560)

        left = QVBoxLayout()
        left.setContentsMargins(0, 0, 0, 0)
        left.setSpacing(4)
        left.addWidget(self.image, 1)
        lrow = QHBoxLayout()
        lrow.addWidget(self.legend, 1)
        lrow.addWidget(self.zoom_button, 0, Qt.AlignmentFlag.AlignTop)
        left.addLayout(lrow)
        self.work = QWidget()
        row = QHBoxLayout(self.work)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(16)
        row.addLayout(left, 3)
        row.addWidget(self.panel, 2)
        empty = QVBoxLayout()
        empty.addStretch(1)
        empty.addWidget(self.empty_label)
        empty.addWidget(self.empty_undo, 0, Qt.AlignmentFlag.AlignHCenter)
        empty.addStretch(1)
        self.empty = QWidget()
        self.empty.setLayout(empty)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 10, 16, 8)
        outer.addWidget(self.work, 1)
        outer.addWidget(self.empty, 1)
        self.empty.hide()

        keys = {
            Qt.Key.Key_Return: self.enter, Qt.Key.Key_Enter: self.enter,
            Qt.Key.Key_Up: lambda: self.move_question(-1), Qt.Key.Key_Down: lambda: self.move_question(1),
            Qt.Key.Key_Left: lambda: self.move_option(-1), Qt.Key.Key_Right: lambda: self.move_option(1),
            Qt.Key.Key_Space: self.toggle_focused, Qt.Key.Key_R: self.reject, Qt.Key.Key_N: self.skip,
            Qt.Key.Key_Escape: self.restore, Qt.Key.Key_Z: self.toggle_zoom,
        }
        for n in range(1, 10):
            keys[getattr(Qt.Key, f"Key_{n}")] = lambda n=n: self.pick_number(n)
        self.shortcuts = []
        for key, slot in [*keys.items(), (QKeySequence.StandardKey.Undo, self.undo)]:
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

    # -- parts (more kinds of review work) ---------------------------------------------
    def add_part(self, part: QWidget) -> None:
        """A widget for another kind of review work (``ReviewPart``), above the questions."""
        self.parts.append(part)
        self.parts_box.addWidget(part)
        part.show()
        part.show_item(self.item)

    # -- texts ----------------------------------------------------------------------
    def retranslate(self) -> None:
        self.restore_button.setText(self.tr("Kā nolasīts (Esc)"))
        self.skip_button.setText(self.tr("Izlaist (N)"))
        self.reject_button.setText(self.tr("Noraidīt… (R)"))
        self.undo_button.setText(self.tr("Atsaukt (Ctrl+Z)"))
        self.undo_button.setToolTip(self.tr("Atsauc jūsu pēdējo lēmumu: biļetens atkal gaida pārbaudi."))
        self.empty_undo.setText(self.tr("Atsaukt pēdējo lēmumu (Ctrl+Z)"))
        self.keys_label.setText(self.tr(
            "↑ ↓ jautājums · ← → vai cipars atbilde · atstarpe atzīmē vai notīra · Enter apstiprina · "
            "R noraida · N izlaiž · Z palielina · Ctrl+Z atsauc"))
        self.empty_label.setText(self.tr("✓ Nav neviena biļetena, kas jāpārbauda."))
        self.image.set_placeholder(self.tr("Attēls tiek ielādēts…"))
        self.choice_caption.setText(self.tr("Atzīmējiet, kas biļetenā redzams"))
        self._refresh_zoom_button()
        self.extras.retranslate()
        if self.item is not None:
            self._show_texts()
        self._refresh_confirm()

    def _refresh_zoom_button(self) -> None:
        self.zoom_button.setText(self.tr("Attālināt (Z)") if self.image.zoom is not None else self.tr("Palielināt (Z)"))

    def _show_texts(self) -> None:
        item = self.item
        lang = self.ctx.lang
        self.queue_label.setText(self.tr("Jāpārbauda: {n}").format(n=self._pending))
        self.serial_label.setText(self.tr("Nr. {serial}").format(serial=item.serial or "—"))
        self.serial_label.setMinimumWidth(self.serial_label.sizeHint().width())  # never cut: the panel makes room
        self.serial_label.setToolTip(self.tr("Biļetena numurs, kā tas drukāts zem QR koda"))
        reasons = item.reason_texts(lang)
        state = self.ctx.sheets.state(item.sheet_id)
        if state is not None and state.decision == "reopen":
            reasons.insert(0, self.tr("Birojs atvēra šo biļetenu pārbaudei no jauna."))
        elif state is not None and state.decision == "undo":
            reasons.insert(0, self.tr("Iepriekšējais lēmums atsaukts."))
        self.reason_box.setText("\n".join(reasons) or self.tr("Iemesls nav norādīts."))
        parts = []
        for q in item.questions:
            marked = [item.label(q.id, o) for o in item.machine.get(q.id, [])]
            parts.append(f"<b>{', '.join(marked) if marked else '—'}</b>")
        self.machine_label.setText(self.tr("Nolasīts automātiski: {marks}").format(marks=" · ".join(parts)))

    def hint(self, text: str) -> None:
        """Say what a key did when the ballot shows no change (or clear it)."""
        self.hint_label.setText(text)
        self.hint_label.setVisible(bool(text))

    # -- queue -------------------------------------------------------------------------
    def review(self) -> Review:
        return Review(self.ctx.kiosk, self.ctx.session)

    def on_show(self) -> None:
        if self.item is None or not self._still_pending(self.item.sheet_id):
            self.load_next()
        self.setFocus()

    def _still_pending(self, sheet_id: int) -> bool:
        self.ctx.sheets.refresh({sheet_id})
        state = self.ctx.sheets.state(sheet_id)
        return state is not None and state.pending

    def on_session(self, session: Session | None) -> None:
        self.item = None
        self.undo_stack.clear()
        self._refresh_undo()
        if self.reject_dialog is not None:
            self.reject_dialog.reject()

    def load_next(self, after: int | None = None) -> None:
        try:
            review = self.review()
            self._pending = review.pending()
            item = review.next_item(after)
        except KioskError as exc:
            self.ctx.report(exc)
            return
        self.show_item(item)

    def show_sheet(self, sheet_id: int) -> None:
        """Show this ballot (it must be waiting for review)."""
        try:
            review = self.review()
            self._pending = review.pending()
            item = review.item(sheet_id)
        except KioskError as exc:
            self.ctx.report(exc)
            return
        self.show_item(item)

    def show_item(self, item: ReviewItem | None) -> None:
        self.item = item
        self.work.setVisible(item is not None)
        self.empty.setVisible(item is None)
        self.hint("")
        self.image.set_zoom(None)
        for part in self.parts:
            part.show_item(item)
        self._refresh_undo()
        if item is None:
            self.extras.show_item(None)
            self.item_shown.emit(0)
            return
        self.ctx.sheets.refresh({item.sheet_id})
        self.chosen = self._start(item)
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

    @staticmethod
    def _start(item: ReviewItem) -> dict[str, list[str]]:
        """What the reviewer starts from: the machine's reading, but nothing where it saw
        several marks (an overvote is not a reading a person can confirm)."""
        chosen = {q.id: list(item.machine.get(q.id, [])) for q in item.questions}
        for q in item.questions:
            if len(chosen[q.id]) > 1:
                chosen[q.id] = []
        return chosen

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
            lab.setObjectName("questionLabel")
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
                b.setProperty("kind", "option")
                b.setMinimumHeight(38)
                b.setMinimumWidth(40)
                b.clicked.connect(lambda _=False, qid=q.id, o=opt.id: self.toggle(qid, o))
                group.addButton(b)
                grid.addWidget(b, n // per_row, n % per_row)
                self.option_buttons[(q.id, opt.id)] = b
            self.choices_layout.addWidget(box)
            if picker is not None:
                self.choices_layout.addWidget(picker)
        self.choices_layout.addStretch(1)
        for w in self.choices.findChildren(QWidget):
            w.show()  # at once, not when the event loop comes round: the focus is scrolled into view next
        self.choices_layout.activate()

    # -- choosing ----------------------------------------------------------------------
    def toggle(self, qid: str, oid: str) -> None:
        if self.item is None:
            return
        current = self.chosen.get(qid, [])
        self.chosen[qid] = [] if current == [oid] else [oid]
        q_index = [q.id for q in self.item.questions].index(qid)
        self.focus_q = q_index
        self.focus_o = [o.id for o in self.item.questions[q_index].choices].index(oid)
        self.hint("")
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
        """Esc: back to the reading the machine made, said in words (on an overvote the
        screen looks the same: nothing is chosen in that question)."""
        if self.item is None:
            return
        self.chosen = self._start(self.item)
        problems = self.item.machine_problems()
        if problems:
            self.hint(self.tr("Atjaunots automātiskais nolasījums. Jautājumā “{question}” bija atzīmētas vairākas "
                              "atbildes, tāpēc tur nekas nav izvēlēts: izvēlieties atbildi vai noraidiet biļetenu.")
                      .format(question=", ".join(problems)))
        else:
            self.hint(self.tr("Atjaunots automātiskais nolasījums."))
        self._refresh_choices()

    def changed(self) -> bool:
        if self.item is None:
            return False
        return any(self.chosen.get(q.id, []) != self.item.machine.get(q.id, []) for q in self.item.questions)

    def blank(self) -> bool:
        """Nothing chosen in any question."""
        return self.item is not None and not any(self.chosen.get(q.id) for q in self.item.questions)

    def _refresh_choices(self) -> None:
        focused = self._focused()
        for (qid, oid), b in self.option_buttons.items():
            b.setChecked(self.chosen.get(qid) == [oid])
            b.setProperty("focus", (qid, oid) == focused)
            b.style().unpolish(b)
            b.style().polish(b)
        for i, q in enumerate(self.item.questions if self.item else []):
            self.question_labels[q.id].setText(("▶ " if i == self.focus_q else "") + q.label)
        if focused is not None:
            # the answer in focus (and its question) in view, however many answers there are
            qlabel = self.question_labels[focused[0]]
            self.scroll.ensureWidgetVisible(qlabel, 0, 4)
            self.scroll.ensureWidgetVisible(self.option_buttons[focused], 0, 8)
        self.extras.refresh(self.chosen)
        self._refresh_boxes()
        self._refresh_confirm()
        if self.image.zoom is not None:
            self.zoom_question()

    def _refresh_boxes(self) -> None:
        if self.item is None or self.image.image is None:
            return
        # the whole page: scores of inked boxes and the focused one; zoomed in, every score
        boxes = boxes_for({"boxes": self.item.boxes}, self._focused(), all_labels=self.image.zoom is not None)
        for b in boxes:
            if self.chosen.get(b.tags["question"]) == [b.tags["option"]]:
                b.fill = CHOSEN_FILL
            if b.focused:
                b.color = FOCUS_COLOR
        self.image.set_boxes(boxes)

    def _refresh_confirm(self) -> None:
        if self.changed():
            self.confirm_button.setText(self.tr("Saglabāt labojumu (Enter)"))
        elif self.blank():
            self.confirm_button.setText(self.tr("Apstiprināt: tukšs biļetens (Enter)"))
        else:
            self.confirm_button.setText(self.tr("Apstiprināt (Enter)"))
        self.confirm_button.setEnabled(self.item is not None)
        self.reject_button.setEnabled(self.item is not None)

    def _refresh_undo(self) -> None:
        for b in (self.undo_button, self.empty_undo):
            b.setEnabled(bool(self.undo_stack))
        self.empty_undo.setVisible(bool(self.undo_stack))

    # -- zoom ----------------------------------------------------------------------------
    def _zoom_changed(self, _zoomed: bool) -> None:
        self._refresh_zoom_button()
        self._refresh_boxes()  # zoomed in, every box's score; the whole page, the inked ones

    def toggle_zoom(self) -> None:
        if self.image.zoom is not None:
            self.image.set_zoom(None)
        else:
            self.zoom_question()

    def zoom_question(self) -> None:
        """Zoom in on the question in focus: its boxes and their printed labels."""
        if self.item is None or self.image.image is None or not self.item.questions:
            return
        qid = self.item.questions[self.focus_q].id
        polys = [b.get("polygon") or [] for b in self.item.boxes if b.get("question") == qid]
        points = [p for poly in polys for p in poly]
        if not points:
            return
        xs, ys = [x for x, _ in points], [y for _, y in points]
        unit = max(8.0, max(x for x, _ in polys[0]) - min(x for x, _ in polys[0]))  # one box's width
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        width = self.image.image.width()
        left = x0 - 3 * unit
        right = max(x1 + 2 * unit, min(width, left + 0.8 * width))  # the printed names beside the boxes too
        rect = QRectF(left, y0 - 2.5 * unit, right - left, (y1 - y0) + 5 * unit)
        self.image.set_zoom(rect)

    # -- deciding ----------------------------------------------------------------------
    def enter(self) -> None:
        for part in self.parts:
            if part.consume_enter():
                return
        self.confirm()

    def confirm(self) -> None:
        if self.item is None or self.extras.consume_enter():
            return
        sheet_id = self.item.sheet_id
        blank = self.blank()
        try:
            action, decision = self.review().decide(sheet_id, self.chosen, serial=self.extras.serial_text())
        except KioskError as exc:
            self.ctx.report(exc)
            return
        if blank:
            text = self.tr("Saglabāts kā tukšs biļetens: nevienam netiek pieskaitīta balss.")
        elif action == "confirm":
            text = self.tr("Saglabāts: biļetens ieskaitīts, kā nolasīts.")
        else:
            text = self.tr("Saglabāts: biļetens ieskaitīts ar jūsu labojumu.")
        self.ctx.info(text + " " + self.tr("Atsaukt: Ctrl+Z."), Level.OK)
        self._after(action, sheet_id, decision)

    def default_reject_reason(self) -> str:
        if self.item is None:
            return "unreadable"
        if self.item.machine_problems():
            return "several_marks"
        if self.blank():
            return "blank"
        return "unreadable"

    def reject(self) -> None:
        """R: asks once (which reason), then rejects."""
        if self.item is None or self.reject_dialog is not None:
            return
        dialog = RejectDialog(self, self.ctx.lang, self.default_reject_reason())
        self.reject_dialog = dialog
        sheet_id = self.item.sheet_id
        dialog.accepted.connect(lambda: self.reject_with(sheet_id, dialog.reason))
        dialog.finished.connect(self._reject_dialog_closed)
        dialog.open()
        dialog.reasons.setFocus()

    def _reject_dialog_closed(self, _result: int) -> None:
        dialog, self.reject_dialog = self.reject_dialog, None
        if dialog is not None:
            dialog.deleteLater()
        self.window().activateWindow()  # keys go back to the review, whatever the window manager does
        self.setFocus()

    def reject_with(self, sheet_id: int, reason: str) -> None:
        try:
            decision = self.review().reject(sheet_id, reason)
        except KioskError as exc:
            self.ctx.report(exc)
            return
        self.ctx.info(self.tr("Saglabāts: biļetens noraidīts ({reason}). Atsaukt: Ctrl+Z.")
                      .format(reason=reject_reason_text(reason, self.ctx.lang)), Level.OK)
        self._after("reject", sheet_id, decision)

    def skip(self) -> None:
        if self.item is None:
            return
        if self._pending <= 1:
            self.hint(self.tr("Šis ir vienīgais biļetens, kas jāpārbauda: izlaist nav uz kuru."))
            return
        self.load_next(after=self.item.sheet_id)

    def _after(self, action: str, sheet_id: int, decision: int) -> None:
        self.undo_stack.append((decision, sheet_id, action))
        self.ctx.sheets.refresh({sheet_id})
        self.ctx.data_changed.emit("review")
        self.decided.emit(action, sheet_id)
        self.load_next(after=sheet_id)

    def undo(self) -> None:
        """Ctrl+Z: take back this session's last decision; that ballot is shown again."""
        if not self.undo_stack or self.reject_dialog is not None:
            return
        decision, sheet_id, _action = self.undo_stack[-1]
        try:
            self.review().undo(decision)
        except KioskError as exc:
            if exc.code in ("review.undo_stale", "review.exported", "review.not_own"):
                self.undo_stack.pop()  # it can never be taken back now
                self._refresh_undo()
            self.ctx.report(exc)
            return
        self.undo_stack.pop()
        self.ctx.sheets.refresh({sheet_id})
        self.ctx.data_changed.emit("review")
        self.ctx.info(self.tr("Lēmums atsaukts: biļetens atkal gaida pārbaudi."), Level.OK)
        self.decided.emit("undo", sheet_id)
        self.show_sheet(sheet_id)
