"""The layout spec as typed data: page, registration marks, QR square, boxes, texts.

``kiosk.ballot.layout.build_layout`` computes a ``LayoutSpec``; the printer
draws it and the reader measures against it.  Millimetres from the page's
top-left corner, y downwards.

The spec's JSON form is part of the ballot: the layout id printed in every
QR code is a hash of its canonical JSON, and specs are stored as JSON in the
kiosk database.  ``LayoutSpec.to_json`` and ``LayoutSpec.from_json`` are the
one place that converts, and they are exact inverses: the JSON keeps its keys,
their order and every value as it was, so ids never change and specs stored
by any earlier version read back unchanged.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np

Json = dict[str, Any]


def canonical(body: Mapping[str, Any]) -> bytes:
    """The canonical bytes of a spec's JSON, without its id: keys sorted, no
    whitespace, UTF-8 as is.  The layout id is a hash of these bytes."""
    body = {k: v for k, v in body.items() if k != "id"}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def layout_id(body: Mapping[str, Any]) -> int:
    """The 32-bit layout id of a spec's JSON (its first four SHA-256 bytes, big-endian)."""
    return int.from_bytes(hashlib.sha256(canonical(body)).digest()[:4], "big")


def _keys(data: Mapping[str, Any], names: tuple[str, ...], what: str, optional: tuple[str, ...] = ()) -> None:
    """The keys of one part of a spec: exactly ``names``, plus any of ``optional``
    (keys that later layout algorithms added; a spec without them reads as before)."""
    keys = set(data)
    if not set(names) <= keys or not keys <= set(names) | set(optional):
        raise ValueError(f"layout spec ({what}): keys {sorted(data)} instead of {sorted(names)}"
                         + (f" (and optionally {sorted(optional)})" if optional else ""))


class Box(NamedTuple):
    """A checkbox: its top-left corner, width and height."""

    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class Mark:
    """A solid registration square: its centre and side."""

    x: float
    y: float
    size: float

    KEYS = ("x", "y", "size")

    def to_json(self) -> Json:
        return {"x": self.x, "y": self.y, "size": self.size}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Mark:
        _keys(data, cls.KEYS, "mark")
        return cls(data["x"], data["y"], data["size"])


@dataclass(frozen=True)
class QrSquare:
    """The QR symbol without its quiet zone: top-left corner and side; version and error level."""

    x: float
    y: float
    size: float
    version: int
    error: str

    KEYS = ("x", "y", "size", "version", "error")

    def to_json(self) -> Json:
        return {"x": self.x, "y": self.y, "size": self.size, "version": self.version, "error": self.error}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> QrSquare:
        _keys(data, cls.KEYS, "qr")
        return cls(data["x"], data["y"], data["size"], data["version"], data["error"])

    @property
    def corners(self) -> tuple[tuple[float, float], ...]:
        """Top-left, top-right, bottom-right, bottom-left."""
        x, y, s = self.x, self.y, self.size
        return ((x, y), (x + s, y), (x + s, y + s), (x, y + s))


@dataclass(frozen=True)
class SerialText:
    """Where the serial is printed under the QR code (centre of the baseline), its size and label;
    ``check``: how many check characters of the ballot's tag follow the serial (0: none, as
    layouts before algorithm 2 printed it)."""

    x: float
    y: float
    size: float
    label: str
    check: int = 0

    KEYS = ("x", "y", "size", "label")
    OPTIONAL = ("check",)

    def to_json(self) -> Json:
        d: Json = {"x": self.x, "y": self.y, "size": self.size, "label": self.label}
        if self.check:
            d["check"] = self.check
        return d

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SerialText:
        _keys(data, cls.KEYS, "serial_text", cls.OPTIONAL)
        return cls(data["x"], data["y"], data["size"], data["label"], data.get("check", 0))


@dataclass(frozen=True)
class TextLine:
    """One printed line: the baseline's left end (or centre, or right end by ``anchor``);
    ``font`` "" is the regular face, "condensed" the narrow one (long rosters)."""

    x: float
    y: float
    text: str
    size: float  # points
    bold: bool
    anchor: str  # start | middle | end
    font: str = ""

    KEYS = ("x", "y", "text", "size", "bold", "anchor")
    OPTIONAL = ("font",)

    def to_json(self) -> Json:
        d: Json = {"x": self.x, "y": self.y, "text": self.text, "size": self.size, "bold": self.bold, "anchor": self.anchor}
        if self.font:
            d["font"] = self.font
        return d

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TextLine:
        _keys(data, cls.KEYS, "text", cls.OPTIONAL)
        return cls(data["x"], data["y"], data["text"], data["size"], data["bold"], data["anchor"], data.get("font", ""))


@dataclass(frozen=True)
class Rule:
    """A printed straight line (the write-in line, the cells for a written number): its ends and width, mm."""

    x1: float
    y1: float
    x2: float
    y2: float
    width: float

    KEYS = ("x1", "y1", "x2", "y2", "width")

    def to_json(self) -> Json:
        return {"x1": self.x1, "y1": self.y1, "x2": self.x2, "y2": self.y2, "width": self.width}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Rule:
        _keys(data, cls.KEYS, "rule")
        return cls(data["x1"], data["y1"], data["x2"], data["y2"], data["width"])


class Region(NamedTuple):
    """A rectangle of the page (the write-in area): top-left corner, width, height."""

    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class RosterEntry:
    """A specialist as listed with a number (a number-grid question): the number, the id, the name."""

    number: int
    id: str
    label: str

    KEYS = ("number", "id", "label")

    def to_json(self) -> Json:
        return {"number": self.number, "id": self.id, "label": self.label}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RosterEntry:
        _keys(data, cls.KEYS, "roster entry")
        return cls(data["number"], data["id"], data["label"])


class Choice(NamedTuple):
    """What a voter can choose in a question: an option id and its label as printed."""

    id: str
    label: str


@dataclass(frozen=True)
class Option:
    """One answer of a question: its id, the label printed beside its box, the box."""

    id: str
    label: str
    box: Box

    KEYS = ("id", "label", "box")

    def to_json(self) -> Json:
        return {"id": self.id, "label": self.label, "box": list(self.box)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Option:
        _keys(data, cls.KEYS, "option")
        return cls(data["id"], data["label"], Box(*data["box"]))


DIGIT_SEP = ":"  # a number-grid box's option id: "<digit position>:<digit>", e.g. "2:7"


@dataclass(frozen=True)
class Question:
    """One question as printed: id, type (specialist | rating), label, optional, its boxes.

    ``style`` "boxes": one box per answer (``options``).  ``style`` "number": the
    answers are the numbered ``roster`` and the boxes are a grid of digits, one
    row of 0-9 per digit position (option ids ``"<position>:<digit>"``, position 1
    the leftmost digit).  ``writein``: the area above a "Cits speciālists" line, if
    printed.  Layouts before algorithm 2 have neither (their JSON has no such keys).
    """

    id: str
    type: str
    label: str
    optional: bool
    options: tuple[Option, ...]
    style: str = "boxes"
    roster: tuple[RosterEntry, ...] = ()
    writein: Region | None = None

    KEYS = ("id", "type", "label", "optional", "options")
    OPTIONAL = ("style", "roster", "writein")

    def to_json(self) -> Json:
        d: Json = {"id": self.id, "type": self.type, "label": self.label, "optional": self.optional,
                   "options": [o.to_json() for o in self.options]}
        if self.style != "boxes":
            d["style"] = self.style
        if self.roster:
            d["roster"] = [r.to_json() for r in self.roster]
        if self.writein is not None:
            d["writein"] = list(self.writein)
        return d

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Question:
        _keys(data, cls.KEYS, "question", cls.OPTIONAL)
        writein = data.get("writein")
        return cls(data["id"], data["type"], data["label"], data["optional"],
                   tuple(Option.from_json(o) for o in data["options"]), data.get("style", "boxes"),
                   tuple(RosterEntry.from_json(r) for r in data.get("roster", ())),
                   Region(*writein) if writein is not None else None)

    @property
    def is_number(self) -> bool:
        return self.style == "number"

    @property
    def choices(self) -> tuple[Choice, ...]:
        """What the voter chooses from, as printed: the options, or the numbered roster."""
        if self.is_number:
            return tuple(Choice(r.id, r.label) for r in self.roster)
        return tuple(Choice(o.id, o.label) for o in self.options)

    @property
    def digits(self) -> int:
        """Digit positions of a number-grid question (0 for boxes)."""
        return len({o.id.split(DIGIT_SEP)[0] for o in self.options}) if self.is_number else 0

    def number_of(self, choice_id: str) -> int | None:
        """A roster entry's number (None when the question has no numbered roster)."""
        for r in self.roster:
            if r.id == choice_id:
                return r.number
        return None


@dataclass(frozen=True)
class LayoutSpec:
    """Everything on one ballot page, in millimetres, with its layout id.

    Derived views (labels, the boxes in print order and as an array) are
    computed once per spec and kept with it.
    """

    id: int  # uint32: the hash of the canonical JSON (``layout_id``)
    algo: int
    campaign: str  # campaign id
    institution: str  # institution id
    lang: str
    page: str  # a5 | a4
    page_mm: tuple[float, float]  # width, height
    marks: tuple[Mark, ...]  # top-left, top-right, bottom-left, bottom-right
    qr: QrSquare
    serial_text: SerialText
    box_line_mm: float
    questions: tuple[Question, ...]
    texts: tuple[TextLine, ...]
    rules: tuple[Rule, ...] = ()  # printed lines (algorithm 2 on; earlier specs have none)

    # the JSON's keys in their order (the id comes last; "rules" only when there are any, before it)
    KEYS = ("algo", "campaign", "institution", "lang", "page", "page_mm", "marks", "qr", "serial_text",
            "box_line_mm", "questions", "texts", "id")
    OPTIONAL = ("rules",)

    # -- JSON ---------------------------------------------------------------------
    def to_json(self) -> Json:
        """The spec as JSON data, exactly as stored and hashed."""
        return {
            "algo": self.algo,
            "campaign": self.campaign,
            "institution": self.institution,
            "lang": self.lang,
            "page": self.page,
            "page_mm": list(self.page_mm),
            "marks": [m.to_json() for m in self.marks],
            "qr": self.qr.to_json(),
            "serial_text": self.serial_text.to_json(),
            "box_line_mm": self.box_line_mm,
            "questions": [q.to_json() for q in self.questions],
            "texts": [t.to_json() for t in self.texts],
            **({"rules": [r.to_json() for r in self.rules]} if self.rules else {}),
            "id": self.id,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LayoutSpec:
        """A spec from its JSON data (as ``to_json`` gives it, or as any earlier version stored it)."""
        _keys(data, cls.KEYS, "top level", cls.OPTIONAL)
        width, height = data["page_mm"]
        return cls(
            id=data["id"],
            algo=data["algo"],
            campaign=data["campaign"],
            institution=data["institution"],
            lang=data["lang"],
            page=data["page"],
            page_mm=(width, height),
            marks=tuple(Mark.from_json(m) for m in data["marks"]),
            qr=QrSquare.from_json(data["qr"]),
            serial_text=SerialText.from_json(data["serial_text"]),
            box_line_mm=data["box_line_mm"],
            questions=tuple(Question.from_json(q) for q in data["questions"]),
            texts=tuple(TextLine.from_json(t) for t in data["texts"]),
            rules=tuple(Rule.from_json(r) for r in data.get("rules", ())),
        )

    def canonical(self) -> bytes:
        """The canonical bytes the layout id is computed from."""
        return canonical(self.to_json())

    def with_id(self) -> LayoutSpec:
        """This spec with ``id`` set to the hash of its content."""
        return replace(self, id=layout_id(self.to_json()))

    def __getstate__(self) -> dict[str, Any]:
        # the fields only: derived views are recomputed where the spec is unpickled
        return {f.name: getattr(self, f.name) for f in fields(self)}

    # -- labels -----------------------------------------------------------------------
    @cached_property
    def question_labels(self) -> Mapping[str, str]:
        """question id -> question as printed."""
        return {q.id: q.label for q in self.questions}

    @cached_property
    def option_labels(self) -> Mapping[str, Mapping[str, str]]:
        """question id -> {answer id -> label as printed} (a number-grid question's answers
        are its roster's specialists, not its digit boxes)."""
        return {q.id: {c.id: c.label for c in q.choices} for q in self.questions}

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)

    def labelled(self, selections: Mapping[str, list[str]]) -> dict[str, list[str]]:
        """{question id: [option id]} -> {question label: [option label]} as printed
        (an id this spec does not know stays as it is)."""
        qlabels, olabels = self.question_labels, self.option_labels
        return {
            qlabels.get(q, q): [olabels.get(q, {}).get(o, o) for o in opts]
            for q, opts in selections.items()
        }

    # -- geometry -----------------------------------------------------------------
    @cached_property
    def boxes(self) -> tuple[tuple[str, Option], ...]:
        """Every option with its question id, in print order."""
        return tuple((q.id, o) for q in self.questions for o in q.options)

    @cached_property
    def box_array(self) -> np.ndarray:
        """The boxes of ``boxes`` as a read-only (n, 4) array: x, y, w, h."""
        a = np.array([o.box for _, o in self.boxes], dtype=np.float64).reshape(-1, 4)
        a.setflags(write=False)
        return a

    @cached_property
    def mark_centres(self) -> np.ndarray:
        """The registration marks' centres as a read-only (4, 2) array."""
        a = np.array([(m.x, m.y) for m in self.marks], dtype=np.float64)
        a.setflags(write=False)
        return a

    @cached_property
    def qr_corners(self) -> np.ndarray:
        """The QR square's corners (top-left, top-right, bottom-right, bottom-left) as a read-only (4, 2) array."""
        a = np.array(self.qr.corners, dtype=np.float64)
        a.setflags(write=False)
        return a

