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


def _keys(data: Mapping[str, Any], names: tuple[str, ...], what: str) -> None:
    if set(data) != set(names):
        raise ValueError(f"layout spec ({what}): keys {sorted(data)} instead of {sorted(names)}")


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
    """Where the serial is printed under the QR code (centre of the baseline), its size and label."""

    x: float
    y: float
    size: float
    label: str

    KEYS = ("x", "y", "size", "label")

    def to_json(self) -> Json:
        return {"x": self.x, "y": self.y, "size": self.size, "label": self.label}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SerialText:
        _keys(data, cls.KEYS, "serial_text")
        return cls(data["x"], data["y"], data["size"], data["label"])


@dataclass(frozen=True)
class TextLine:
    """One printed line: the baseline's left end (or centre, or right end by ``anchor``)."""

    x: float
    y: float
    text: str
    size: float  # points
    bold: bool
    anchor: str  # start | middle | end

    KEYS = ("x", "y", "text", "size", "bold", "anchor")

    def to_json(self) -> Json:
        return {"x": self.x, "y": self.y, "text": self.text, "size": self.size, "bold": self.bold, "anchor": self.anchor}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TextLine:
        _keys(data, cls.KEYS, "text")
        return cls(data["x"], data["y"], data["text"], data["size"], data["bold"], data["anchor"])


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


@dataclass(frozen=True)
class Question:
    """One question as printed: id, type (specialist | rating), label, optional, its options."""

    id: str
    type: str
    label: str
    optional: bool
    options: tuple[Option, ...]

    KEYS = ("id", "type", "label", "optional", "options")

    def to_json(self) -> Json:
        return {"id": self.id, "type": self.type, "label": self.label, "optional": self.optional,
                "options": [o.to_json() for o in self.options]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Question:
        _keys(data, cls.KEYS, "question")
        return cls(data["id"], data["type"], data["label"], data["optional"],
                   tuple(Option.from_json(o) for o in data["options"]))


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

    # the JSON's keys in their order (the id comes last)
    KEYS = ("algo", "campaign", "institution", "lang", "page", "page_mm", "marks", "qr", "serial_text",
            "box_line_mm", "questions", "texts", "id")

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
            "id": self.id,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LayoutSpec:
        """A spec from its JSON data (as ``to_json`` gives it, or as any earlier version stored it)."""
        _keys(data, cls.KEYS, "top level")
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
        """question id -> {option id -> label as printed}."""
        return {q.id: {o.id: o.label for o in q.options} for q in self.questions}

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

