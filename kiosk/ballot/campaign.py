"""Campaign definitions: a human-editable TOML file per campaign.

Loading validates everything and collects *every* problem with its file and
field before failing, so an editor fixes the file in one pass.  See
``ballots/demo.toml`` for a commented example.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CampaignError, KioskError, Problem
from . import layout

QUESTION_TYPES = ("specialist", "rating")
LIST_STYLES = ("boxes", "number")  # a specialist question: one box per name, or a numbered list and digit boxes
RANKINGS = ("positive", "mean", "ballots")  # how institutions are ranked ([results] institution_ranking)
PAGE_SIZES = ("a5", "a4")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_TEXT = 160

# The review policy ("[review]" in a campaign file): for each case the reader
# meets, what happens to the sheet.  "review": a person decides; "count": the
# ballot is counted as cast (a question left blank is recorded as blank, a
# wholly blank ballot counts in the turnout).  The first value is the default;
# the cases with only "review" always need a person.
REVIEW_CASES: dict[str, tuple[str, ...]] = {
    "overvote": ("review",),
    "marginal_mark": ("review",),
    "unclear_box": ("review",),
    "write_in": ("review",),
    "qr_damaged": ("review",),
    "unknown_number": ("review",),
    "number_unclear": ("review",),
    "undervote": ("count", "review"),
    "blank_ballot": ("count", "review"),
}
DEFAULT_REVIEW: dict[str, str] = {case: values[0] for case, values in REVIEW_CASES.items()}


def short_hash(text: str) -> bytes:
    """The 4-byte identifier a campaign or institution id has in the QR payload."""
    return hashlib.sha256(text.encode("utf-8")).digest()[:4]


@dataclass(frozen=True)
class Specialist:
    id: str
    name: str
    position: str = ""


@dataclass(frozen=True)
class Institution:
    id: str
    name: str
    address: str = ""
    specialists: tuple[Specialist, ...] = ()

    @property
    def hash(self) -> bytes:
        return short_hash(self.id)

    def specialist(self, specialist_id: str) -> Specialist:
        for s in self.specialists:
            if s.id == specialist_id:
                return s
        raise KeyError(specialist_id)


@dataclass(frozen=True)
class Question:
    id: str
    type: str  # one of QUESTION_TYPES
    text: dict[str, str]
    optional: bool = False
    scale: int = 5  # rating only
    low_label: dict[str, str] = field(default_factory=dict)  # rating only
    high_label: dict[str, str] = field(default_factory=dict)  # rating only
    style: str = "boxes"  # specialist only: one of LIST_STYLES
    number_above: int | None = None  # specialist only: the number grid for rosters larger than this
    write_in: bool = False  # specialist only: a "Cits speciālists" line


@dataclass(frozen=True)
class ResultRules:
    """How the winners are found (the campaign file's ``[results]``; every field has a default).

    - ``specialists`` / ``institutions``: how many places win (3 and 1).
    - ``institution_ranking``: ``positive`` (default): positive evaluations, i.e. paper
      ratings at or above ``positive_threshold`` plus online votes for the institution;
      ``mean``: the mean paper rating, institutions with fewer than ``min_ratings``
      ratings are not placed; ``ballots``: the number of ballots counted at the
      institution (paper) plus its online votes.
    Ties at a winning place are ties: every tied entry wins, none is dropped silently."""

    specialists: int = 3
    institutions: int = 1
    institution_ranking: str = "positive"  # one of RANKINGS
    positive_threshold: int = 4  # a rating at or above this is positive (on the question's scale)
    min_ratings: int = 30  # ``mean`` only

    def to_json(self) -> dict[str, Any]:
        return {"specialists": self.specialists, "institutions": self.institutions,
                "institution_ranking": self.institution_ranking, "positive_threshold": self.positive_threshold,
                "min_ratings": self.min_ratings}


@dataclass(frozen=True)
class Campaign:
    id: str
    title: dict[str, str]
    voting_start: dt.date
    voting_end: dt.date
    page_size: str
    questions: tuple[Question, ...]
    institutions: tuple[Institution, ...]
    demo_master_key: bytes | None = None
    source: str = ""
    review: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_REVIEW))  # case -> review | count
    demo_institution: str | None = None  # demo only: the institution a fresh kiosk enrolls in
    results: ResultRules = field(default_factory=ResultRules)

    def institution(self, institution_id: str) -> Institution:
        for inst in self.institutions:
            if inst.id == institution_id:
                return inst
        raise KioskError("enroll.unknown_institution", institution=institution_id)

    def institution_by_hash(self, h: bytes) -> Institution | None:
        for inst in self.institutions:
            if short_hash(inst.id) == h:
                return inst
        return None

    @property
    def hash(self) -> bytes:
        return short_hash(self.id)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title.get("lv", ""),
            "titles": dict(self.title),
            "voting": {"start": self.voting_start.isoformat(), "end": self.voting_end.isoformat()},
            "page_size": self.page_size,
            "institutions": [
                {
                    "id": i.id,
                    "name": i.name,
                    "address": i.address,
                    "specialists": [{"id": s.id, "name": s.name, "position": s.position} for s in i.specialists],
                }
                for i in self.institutions
            ],
            "questions": [
                {
                    "id": q.id,
                    "type": q.type,
                    "text": q.text.get("lv", ""),
                    "texts": dict(q.text),
                    "optional": q.optional,
                    **({"scale": q.scale} if q.type == "rating" else {}),
                    **({"style": q.style, "number_above": q.number_above, "write_in": q.write_in}
                       if q.type == "specialist" else {}),
                }
                for q in self.questions
            ],
            "review": dict(self.review),
        }


class _Checker:
    """Collects problems while reading a parsed TOML document."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, where: str, code: str, **params: Any) -> None:
        self.problems.append(Problem(self.file, where, code, **params))

    def text(self, table: dict, key: str, where: str, *, required: bool = True) -> str:
        value = table.get(key)
        if value is None:
            if required:
                self.add(f"{where}{key}", "missing")
            return ""
        if not isinstance(value, str):
            self.add(f"{where}{key}", "type", expected="text")
            return ""
        value = value.strip()
        if required and not value:
            self.add(f"{where}{key}", "empty")
        if len(value) > MAX_TEXT:
            self.add(f"{where}{key}", "too_long", max=MAX_TEXT)
        return value

    def localized(self, table: dict, key: str, where: str, *, required: bool = True) -> dict[str, str]:
        """A text given either as a plain string (Latvian) or as {lv = "...", en = "..."}."""
        value = table.get(key)
        if value is None:
            if required:
                self.add(f"{where}{key}", "missing")
            return {}
        if isinstance(value, str):
            return {"lv": value.strip(), "en": value.strip()}
        if not isinstance(value, dict):
            self.add(f"{where}{key}", "type", expected="text or {lv, en}")
            return {}
        lv = self.text(value, "lv", f"{where}{key}.", required=True)
        en = self.text(value, "en", f"{where}{key}.", required=False) or lv
        return {"lv": lv, "en": en}

    def ident(self, table: dict, where: str, seen: dict[str, str]) -> str:
        value = self.text(table, "id", where)
        if value and not ID_RE.match(value):
            self.add(f"{where}id", "bad_id", value=value)
        elif value in seen:
            self.add(f"{where}id", "duplicate_id", value=value)
        elif value:
            seen[value] = where
        return value

    def date(self, table: dict, key: str, where: str) -> dt.date | None:
        value = table.get(key)
        if value is None:
            self.add(f"{where}{key}", "missing")
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.add(f"{where}{key}", "bad_date", value=value)
        return None

    def tables(self, parent: dict, key: str, where: str, if_empty: str, allowed: set[str]) -> Iterator[tuple[str, dict]]:
        """(location prefix, table) for each table of the array ``key``; a missing or
        empty array is the problem ``if_empty``, a non-table item a type problem,
        and unknown fields in each table are reported."""
        items = parent.get(key)
        if not isinstance(items, list) or not items:
            self.add(f"{where}{key}", if_empty)
            return
        for n, item in enumerate(items, start=1):
            loc = f"{where}{key}[{n}]."
            if not isinstance(item, dict):
                self.add(loc[:-1], "type", expected="a table")
                continue
            self.unknown(item, allowed, loc)
            yield loc, item

    def unknown(self, table: dict, allowed: set[str], where: str) -> None:
        for key in table:
            if key not in allowed:
                self.add(f"{where}{key}", "unknown_field", value=key)


def parse_campaign(data: dict[str, Any], file: str = "<campaign>", *, check_rosters: bool = True) -> Campaign:
    """Validate a parsed TOML document; raise CampaignError listing every problem.

    ``check_rosters``: also lay out every institution's ballot on the campaign's page
    and name each roster that does not fit (a kiosk opening its data directory skips
    this: it lays out its own institution's ballot anyway)."""
    c = _Checker(file)
    c.unknown(data, {"id", "title", "voting", "page_size", "questions", "institutions", "demo_master_key", "review",
                     "demo_institution", "results"}, "")
    ids: dict[str, str] = {}
    cid = c.ident(data, "", {})
    title = c.localized(data, "title", "")

    voting = data.get("voting")
    start = end = None
    if not isinstance(voting, dict):
        c.add("voting", "missing" if voting is None else "type", expected="a table with start and end")
    else:
        start = c.date(voting, "start", "voting.")
        end = c.date(voting, "end", "voting.")
        if start and end and end < start:
            c.add("voting.end", "impossible_dates", start=start.isoformat(), end=end.isoformat())

    page_size = str(data.get("page_size", "a5")).lower()
    if page_size not in PAGE_SIZES:
        c.add("page_size", "bad_page_size", value=data.get("page_size"))

    key = None
    raw_key = data.get("demo_master_key")
    if raw_key is not None:
        try:
            key = bytes.fromhex(str(raw_key))
            if len(key) != 32:
                raise ValueError
        except ValueError:
            c.add("demo_master_key", "bad_key")
            key = None

    questions: list[Question] = []
    qids: dict[str, str] = {}
    question_fields = {"id", "type", "text", "optional", "scale", "low_label", "high_label", "style", "number_above",
                       "write_in"}
    for where, q in c.tables(data, "questions", "", "no_questions", question_fields):
        qid = c.ident(q, where, qids)
        qtype = q.get("type")
        if qtype not in QUESTION_TYPES:
            c.add(f"{where}type", "unknown_question_type", value=qtype, allowed=", ".join(QUESTION_TYPES))
        scale = q.get("scale", 5)
        if qtype == "rating" and (not isinstance(scale, int) or isinstance(scale, bool) or not 2 <= scale <= 10):
            c.add(f"{where}scale", "bad_scale")
            scale = 5
        optional = q.get("optional", False)
        if not isinstance(optional, bool):
            c.add(f"{where}optional", "type", expected="true or false")
            optional = False
        style, number_above, write_in = _list_options(c, q, where, qtype)
        questions.append(
            Question(
                id=qid,
                type=str(qtype),
                text=c.localized(q, "text", where),
                optional=optional,
                scale=scale if isinstance(scale, int) else 5,
                low_label=c.localized(q, "low_label", where, required=False),
                high_label=c.localized(q, "high_label", where, required=False),
                style=style,
                number_above=number_above,
                write_in=write_in,
            )
        )
    review = _review_policy(c, data.get("review"))

    institutions: list[Institution] = []
    hashes: dict[bytes, str] = {}
    for where, inst in c.tables(data, "institutions", "", "no_institutions", {"id", "name", "address", "specialists"}):
        iid = c.ident(inst, where, ids)
        if iid:
            h = short_hash(iid)
            if h in hashes:
                c.add(f"{where}id", "hash_collision", value=iid, other=hashes[h])
            hashes[h] = iid
        specialists: list[Specialist] = []
        sids: dict[str, str] = {}
        for swhere, s in c.tables(inst, "specialists", where, "empty_roster", {"id", "name", "position"}):
            specialists.append(
                Specialist(
                    id=c.ident(s, swhere, sids),
                    name=c.text(s, "name", swhere),
                    position=c.text(s, "position", swhere, required=False),
                )
            )
        institutions.append(
            Institution(
                id=iid,
                name=c.text(inst, "name", where),
                address=c.text(inst, "address", where, required=False),
                specialists=tuple(specialists),
            )
        )

    demo_institution = data.get("demo_institution")
    if demo_institution is not None and demo_institution not in {i.id for i in institutions}:
        c.add("demo_institution", "unknown_institution", value=demo_institution)
    rules = _result_rules(c, data.get("results"), questions)

    if c.problems:
        raise CampaignError(c.problems)
    assert start is not None and end is not None
    campaign = Campaign(
        id=cid,
        title=title,
        voting_start=start,
        voting_end=end,
        page_size=page_size,
        questions=tuple(questions),
        institutions=tuple(institutions),
        demo_master_key=key,
        source=file,
        review=review,
        demo_institution=demo_institution,
        results=rules,
    )
    # every institution's ballot must fit the campaign's page: say how many do
    for n, inst in enumerate(campaign.institutions if check_rosters else (), start=1):
        if not layout.fits(campaign, inst, page_size):
            code, params = _too_long(campaign, inst, page_size)
            c.add(f"institutions[{n}].specialists", code, **params)
    if c.problems:
        raise CampaignError(c.problems)
    return campaign


def _result_rules(c: _Checker, table: Any, questions: list[Question]) -> ResultRules:
    """The ``[results]`` table (absent: the defaults), every problem named."""
    if table is None:
        return ResultRules()
    if not isinstance(table, dict):
        c.add("results", "type", expected="a table")
        return ResultRules()
    c.unknown(table, {"specialists", "institutions", "institution_ranking", "positive_threshold", "min_ratings"},
              "results.")
    scale = max((q.scale for q in questions if q.type == "rating"), default=5)
    default = ResultRules()

    def whole(key: str, low: int, high: int) -> int:
        value = table.get(key, getattr(default, key))
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            c.add(f"results.{key}", "bad_count", low=low, high=high)
            return getattr(default, key)
        return value

    ranking = table.get("institution_ranking", default.institution_ranking)
    if ranking not in RANKINGS:
        c.add("results.institution_ranking", "unknown_ranking", value=ranking, allowed=", ".join(RANKINGS))
        ranking = default.institution_ranking
    return ResultRules(
        specialists=whole("specialists", 1, 100),
        institutions=whole("institutions", 1, 100),
        institution_ranking=ranking,
        positive_threshold=whole("positive_threshold", 1, scale),
        min_ratings=whole("min_ratings", 0, 1_000_000),
    )


def _too_long(campaign: Campaign, inst: Institution, page: str) -> tuple[str, dict[str, Any]]:
    """The problem of a roster that does not fit ``page``: its limit there and what to do
    (the number grid, or A4 from A5; never the page already chosen)."""
    err = layout.too_long(campaign, inst, page)
    code = {"layout.too_long": "roster_too_long", "layout.too_long_for_page": "roster_too_long_for_page",
            "layout.too_long_numbered": "roster_too_long_numbered"}[err.code]
    return code, err.params


def _list_options(c: _Checker, q: dict, where: str, qtype: Any) -> tuple[str, int | None, bool]:
    """A specialist question's list: style, number_above, write_in."""
    style = q.get("style", "boxes")
    if style not in LIST_STYLES:
        c.add(f"{where}style", "bad_style", value=style, allowed=", ".join(LIST_STYLES))
        style = "boxes"
    above = q.get("number_above")
    if above is not None and (not isinstance(above, int) or isinstance(above, bool) or above < 1):
        c.add(f"{where}number_above", "type", expected="a whole number of at least 1")
        above = None
    write_in = q.get("write_in", False)
    if not isinstance(write_in, bool):
        c.add(f"{where}write_in", "type", expected="true or false")
        write_in = False
    if qtype != "specialist":
        for key in ("style", "number_above", "write_in"):
            if key in q:
                c.add(f"{where}{key}", "specialist_only", value=key)
        return "boxes", None, False
    return style, above, write_in


def _review_policy(c: _Checker, table: Any) -> dict[str, str]:
    """The [review] table: each case and what happens to it, defaults for the rest."""
    policy = dict(DEFAULT_REVIEW)
    if table is None:
        return policy
    if not isinstance(table, dict):
        c.add("review", "type", expected="a table")
        return policy
    for case, value in table.items():
        if case not in REVIEW_CASES:
            c.add(f"review.{case}", "unknown_field", value=case)
        elif value not in REVIEW_CASES[case]:
            allowed = REVIEW_CASES[case]
            if len(allowed) == 1:
                c.add(f"review.{case}", "review_required", value=value)
            else:
                c.add(f"review.{case}", "bad_review_value", value=value, allowed=", ".join(allowed))
        else:
            policy[case] = value
    return policy


def load_campaign(path: str | Path, *, check_rosters: bool = True) -> Campaign:
    """Read and validate a campaign file; every failure is a KioskError (``check_rosters``: see parse_campaign)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise KioskError("campaign.not_found", path=str(path)) from None
    except OSError as exc:
        raise KioskError("campaign.unreadable", detail=f"{path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise KioskError("campaign.unreadable", detail=f"{path}: not UTF-8 text (byte {exc.start})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise KioskError("campaign.syntax", detail=f"{path}: {exc}") from None
    return parse_campaign(data, str(path), check_rosters=check_rosters)
