"""Review of doubtful ballots: the queue, one ballot at a time, a person's decision.

The machine's reading of a sheet is written once and never changed; a
reviewer's decision is appended beside it (``Store.add_decision``) with the
reviewer's role.  Three decisions exist:

* ``confirm``: the machine read it right; its selections are copied into
  the decision (so the decision alone says what counts);
* ``correct``: the person's selections (at most one option per question);
* ``reject``: the ballot does not count, with a reason from ``REJECT_REASONS``.

Only sheets waiting for a person can be decided here: the machine sent them
to review and nobody has decided yet, or the decision was taken back.  A
decision is never changed; it is taken back by appending a reversal
(``Store.reverse_decision``):

* ``undo``: a reviewer takes back a decision of their own role that is still
  the ballot's last (the screen offers the decisions of its own session);
* ``reopen``: the office sends any decided ballot (by the machine or a
  person) back to review.

Neither is possible once the ballot has left in a batch.  Every operation
checks the session's role (``Action.REVIEW``; reopening ``Action.REOPEN``).
Each decision and reversal is written to the audit log with its action and
reason only: which ballot it was and what it says are not logged.  This
module never imports Qt.

Two cases need more than marks:

* ``write_in``: a name written on the "Cits speciālists" line.  The reviewer
  picks the specialist from the roster (``roster_matches``: a few letters,
  diacritics optional) and the ballot counts for them (a correction), or
  leaves the question blank: the write-in is invalid, the rest counts.
* ``qr_damaged``: the QR code could not be read.  The reviewer types the
  serial printed under it (``check_serial``); the kiosk rebuilds the payload
  with the institution key and the sheet's layout and accepts the serial
  only when the printed check characters match the rebuilt tag, exactly the
  check the QR code's tag gets.  The decision then carries the serial
  (``Store.add_decision(serial=...)``), and a serial that already holds a
  ballot is refused: the sheet is a copy.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..access.roles import Action, Session, require
from ..audit.log import record
from ..ballot import payload
from ..ballot.payload import serial_text
from ..ballot.spec import Choice, LayoutSpec, Question
from ..errors import CATALOG, KioskError
from ..lang import search_names
from ..reading.recover import rectified
from ..station import Kiosk
from ..storage.store import Store

# reasons a reviewer may give for rejecting a ballot: code -> (lv, en)
REJECT_REASONS: dict[str, tuple[str, str]] = {
    "unreadable": ("Atzīmes nevar droši saprast", "The marks cannot be understood reliably"),
    "several_marks": ("Vienā jautājumā atzīmētas vairākas atbildes", "Several answers marked in one question"),
    "identifying": ("Biļetenā ir zīmes, kas var atklāt balsotāju", "The ballot carries marks that may identify the voter"),
    "damaged": ("Biļetens ir bojāts vai nepilnīgs", "The ballot is damaged or incomplete"),
    "not_ballot": ("Tas nav šīs iestādes biļetens", "This is not a ballot of this institution"),
    "blank": ("Tukšs biļetens: nav atzīmēta neviena atbilde", "Blank ballot: no answer is marked"),
}

_PLACEHOLDER = re.compile(r"\s*[:(]?\s*\{[a-z_]+\}\)?")


def reason_text(code: str | None, lang: str = "lv", detail: str = "") -> str:
    """A sheet's reason code in plain words (the core catalogue, lv or en)."""
    if not code:
        return ""
    entry = CATALOG.get(f"sheet.{code}") or CATALOG.get(code)
    if entry is None:
        return code
    template = entry[1] if lang == "en" else entry[0]
    if detail:
        try:
            return template.format(detail=detail)
        except (KeyError, IndexError):
            pass
    return _PLACEHOLDER.sub("", template)


def reject_reason_text(code: str | None, lang: str = "lv") -> str:
    if code in REJECT_REASONS:
        lv, en = REJECT_REASONS[code]
        return en if lang == "en" else lv
    return code or ""


@dataclass
class ReviewItem:
    """Everything the review screen shows about one sheet."""

    sheet_id: int
    image: dict[str, Any] | None  # stored image row (path, media_type, ...)
    page: int
    serial: str | None
    status: str
    reasons: list[str]
    machine: dict[str, list[str]]  # question id -> option ids the machine counted as marked
    spec: LayoutSpec | None  # the sheet's layout (None: not read as a ballot of a known layout)
    boxes: list[dict[str, Any]]  # question, option, state, score, polygon (image px)
    thresholds: dict[str, float] = field(default_factory=dict)
    source: str = ""
    layout_id: int | None = None
    writeins: dict[str, dict[str, Any]] = field(default_factory=dict)  # question id -> written, ink, polygon (image px)
    homography: list[list[float]] | None = None  # layout mm -> image px, when located

    @property
    def needs_serial(self) -> bool:
        """The QR code could not be read: a person must type the serial before deciding (not to reject)."""
        return self.serial is None and "qr_damaged" in self.reasons

    @property
    def written(self) -> list[str]:
        """Questions with something written on their write-in line."""
        return [q for q, w in self.writeins.items() if w.get("written")]

    @property
    def questions(self) -> tuple[Question, ...]:
        """The questions as printed on the sheet."""
        return self.spec.questions if self.spec is not None else ()

    def reason_texts(self, lang: str = "lv") -> list[str]:
        return [reason_text(r, lang) for r in self.reasons]

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)

    def label(self, qid: str, oid: str) -> str:
        """The printed label of an answer (its id when the layout has no such answer)."""
        labels = self.spec.option_labels if self.spec is not None else {}
        return labels.get(qid, {}).get(oid, oid)

    def machine_problems(self) -> list[str]:
        """Why the machine's reading cannot simply be confirmed (question labels)."""
        return [q.label for q in self.questions if len(self.machine.get(q.id, [])) > 1]


class Review:
    """The review queue over one kiosk, for one signed-in session."""

    def __init__(self, kiosk: Kiosk, session: Session | None) -> None:
        require(session, Action.REVIEW)
        self.kiosk = kiosk
        self.session = session

    @property
    def store(self) -> Store:
        return self.kiosk.store

    def queue(self) -> list[int]:
        """Sheet ids waiting for a person, oldest first."""
        require(self.session, Action.REVIEW)
        return self.store.review_queue_ids()

    def pending(self) -> int:
        return len(self.queue())

    def next_item(self, after: int | None = None) -> ReviewItem | None:
        """The first waiting sheet (after ``after``, wrapping round), or None."""
        ids = self.queue()
        if not ids:
            return None
        if after is not None:
            later = [i for i in ids if i > after]
            if later:
                return self.item(later[0])
        return self.item(ids[0])

    def item(self, sheet_id: int) -> ReviewItem:
        require(self.session, Action.REVIEW)
        sheet = self.store.sheet(sheet_id)
        if sheet is None:
            raise KioskError("review.not_found", sheet=sheet_id)
        spec = self.kiosk.stored_layout(sheet.layout_id) if sheet.layout_id is not None else None
        interp = sheet.interpretation
        serial = sheet.serial or self.store.typed_serial(sheet_id)
        return ReviewItem(
            sheet_id=sheet_id,
            image=self.store.image(sheet.image_sha256),
            page=sheet.page,
            serial=serial_text(serial) if serial else None,
            status=sheet.status,
            reasons=list(sheet.reasons),
            machine={k: list(v) for k, v in (sheet.selections or {}).items()},
            spec=spec,
            boxes=list(interp.get("boxes") or []),
            thresholds=dict(interp.get("thresholds") or {}),
            source=sheet.source or "",
            layout_id=sheet.layout_id,
            writeins=dict(interp.get("writeins") or {}),
            homography=interp.get("homography"),
        )

    # -- what a person types ---------------------------------------------------------
    def check_serial(self, sheet_id: int, text: str) -> bytes:
        """The serial a person typed for a sheet whose QR code could not be read, checked.

        On layouts that print check characters (algorithm 2 on) the payload is
        rebuilt from the serial, the sheet's layout and the institution key, and
        the typed check characters must equal the rebuilt tag's; on earlier
        layouts (no check characters printed) the serial must be one this kiosk
        issued and did not void."""
        require(self.session, Action.REVIEW)
        item = self.item(sheet_id)
        typed = payload.parse_typed_serial(text)
        spec = item.spec
        if spec is not None and spec.serial_text.check:
            k = self.kiosk
            p = payload.rebuild_payload(typed, key=k.tag_key, campaign=k.campaign.hash, institution=k.institution.hash,
                                        layouts=[spec.id])
            return p.serial
        if self.store.issued_state(typed.serial) != "issued":
            raise KioskError("payload.bad_check")
        return typed.serial

    def serial_voided(self, serial: bytes) -> bool:
        """This kiosk voided ``serial`` (its print job failed or was cancelled after paper may
        have come out): a scanned ballot with it goes to review as ``voided_serial``; a typed
        one is told to the person deciding, who may still count it."""
        return self.store.issued_state(serial) == "voided"

    def roster_matches(self, sheet_id: int, qid: str, text: str, limit: int = 8) -> list[Choice]:
        """The answers of a question that match a few typed letters (diacritics optional:
        "kalnins" finds "Kalniņš"), or the number a specialist has in a numbered list."""
        q = self.item(sheet_id).question(qid)
        return roster_matches(q, text, limit)

    # -- decisions ---------------------------------------------------------------
    def _pending_item(self, sheet_id: int) -> ReviewItem:
        item = self.item(sheet_id)
        state = self.store.sheet_states([sheet_id]).get(sheet_id)
        if state is None or not state.pending:
            raise KioskError("review.not_pending", sheet=sheet_id)
        return item

    def _clean(self, item: ReviewItem, selections: dict[str, list[str]]) -> dict[str, list[str]]:
        known = {q.id: q for q in item.questions}
        out: dict[str, list[str]] = {q.id: [] for q in item.questions}
        for qid, options in (selections or {}).items():
            q = known.get(qid)
            if q is None:
                raise KioskError("review.unknown_option", question=qid, option="")
            options = list(dict.fromkeys(options or []))
            valid = {c.id for c in q.choices}
            for oid in options:
                if oid not in valid:
                    raise KioskError("review.unknown_option", question=q.label, option=oid)
            if len(options) > 1:
                raise KioskError("review.too_many", question=q.label)
            out[qid] = options
        return out

    def _serial_for(self, item: ReviewItem, serial: str | None) -> bytes | None:
        """The checked serial a decision must carry (a damaged QR code), else None."""
        if not item.needs_serial:
            return None
        if not serial:
            raise KioskError("review.serial_needed")
        return self.check_serial(item.sheet_id, serial)

    def confirm(self, sheet_id: int, serial: str | None = None) -> int:
        """The machine read it right: count its selections (``serial``: as typed, when the QR code was damaged)."""
        require(self.session, Action.REVIEW)
        item = self._pending_item(sheet_id)
        problems = item.machine_problems()
        if problems:
            raise KioskError("review.cannot_confirm", question=", ".join(problems))
        selections = self._clean(item, item.machine)
        typed = self._serial_for(item, serial)
        return self._decided(self.store.add_decision(sheet_id, "confirm", selections, None, self.session.role.value,
                                                     serial=typed), "confirm")

    def correct(self, sheet_id: int, selections: dict[str, list[str]], serial: str | None = None) -> int:
        """Count the person's reading instead of the machine's."""
        require(self.session, Action.REVIEW)
        item = self._pending_item(sheet_id)
        clean = self._clean(item, selections)
        typed = self._serial_for(item, serial)
        return self._decided(self.store.add_decision(sheet_id, "correct", clean, None, self.session.role.value,
                                                     serial=typed), "correct")

    def reject(self, sheet_id: int, reason: str = "unreadable") -> int:
        """The ballot does not count."""
        require(self.session, Action.REVIEW)
        self._pending_item(sheet_id)
        if reason not in REJECT_REASONS:
            raise KioskError("usage", detail=f"unknown reject reason {reason!r}")
        return self._decided(self.store.add_decision(sheet_id, "reject", None, reason, self.session.role.value),
                             "reject", reason)

    def _decided(self, decision_id: int, action: str, reason: str | None = None) -> int:
        record(self.store, "review.decided", self.session.role.value, action=action, reason=reason)
        return decision_id

    # -- taking a decision back ------------------------------------------------------
    def undo(self, decision_id: int) -> int:
        """Take back a decision of this session's role that is still its ballot's last
        (the office may take back anyone's); the ballot waits for review again.
        Returns the reversal's id."""
        require(self.session, Action.REVIEW)
        decision = self.store.decision(decision_id)
        if decision is None or decision["action"] not in ("confirm", "correct", "reject"):
            raise KioskError("review.undo_stale")
        if decision["role"] != self.session.role.value and not self.session.may(Action.REOPEN):
            raise KioskError("review.not_own")
        reversal = self.store.reverse_decision(decision["sheet_id"], "undo", self.session.role.value,
                                               decision_id=decision_id)
        record(self.store, "review.undone", self.session.role.value, action=decision["action"])
        return reversal

    def reopen(self, sheet_id: int) -> int:
        """Office: send a decided ballot that has not been exported back to review."""
        require(self.session, Action.REOPEN)
        state = self.store.sheet_states([sheet_id]).get(sheet_id)
        if state is None:
            raise KioskError("review.not_found", sheet=sheet_id)
        reversal = self.store.reverse_decision(sheet_id, "reopen", self.session.role.value)
        record(self.store, "review.reopened", self.session.role.value, was=state.status,
               by="machine" if state.decided_by == "machine" else "person")
        return reversal

    def decide(self, sheet_id: int, selections: dict[str, list[str]], serial: str | None = None) -> tuple[str, int]:
        """Enter on the review screen: confirm when the selections are the
        machine's, otherwise record them as a correction."""
        item = self._pending_item(sheet_id)
        if not item.machine_problems() and self._clean(item, selections) == self._clean(item, item.machine):
            return "confirm", self.confirm(sheet_id, serial)
        return "correct", self.correct(sheet_id, selections, serial)


def clip_regions(item: ReviewItem) -> dict[str, tuple[float, float, float, float]]:
    """The parts of a sheet a person reads large (layout mm): each write-in line
    ("writein:<question id>"), and the printed serial ("serial") when the QR code
    could not be read."""
    out: dict[str, tuple[float, float, float, float]] = {}
    spec = item.spec
    if spec is None or item.homography is None:
        return out
    for qid in item.written:
        q = item.question(qid)
        if q.writein is not None:
            x, y, w, h = q.writein
            x0, x1 = item.writeins[qid].get("ink_mm") or (x, x + w)  # the writing, not the whole line
            x0, x1 = max(x - 1.0, x0 - 3.0), min(x + w + 1.0, x1 + 3.0)
            out[f"writein:{qid}"] = (x0, y - 1.5, x1 - x0, h + 3.0)
    if item.needs_serial:
        st = spec.serial_text
        pt_mm = st.size / 2.8346
        half = 2.9 * st.size / (1.0 if st.check else 1.25)
        out["serial"] = (st.x - half, st.y - 1.3 * pt_mm, 2 * half, 1.65 * pt_mm)
    return out


def clips(item: ReviewItem, gray: Any, px_per_mm: float = 10.0) -> dict[str, Any]:
    """The clip_regions of a sheet cut out of its page (the grey image the reader read), upright."""
    if item.homography is None:
        return {}
    hm = np.asarray(item.homography, dtype=np.float64)
    return {name: rectified(np.asarray(gray), hm, region, px_per_mm) for name, region in clip_regions(item).items()}


def roster_matches(q: Question, text: str, limit: int = 8) -> list[Choice]:
    """A question's answers matching what a person typed: letters of a name (diacritics
    and case optional, any word's start: "kalnins", "ozol", "gir ozo") or, in a numbered
    list, the number."""
    numbers = {r.id: str(r.number) for r in q.roster}
    return search_names(text, q.choices, lambda c: c.label, extra=lambda c: (numbers[c.id],) if c.id in numbers else (),
                        limit=limit)
