"""The tally of verified batches: each serial once, ranks with ties, integrity figures.

Input: the ``BatchCheck`` list of ``kiosk.central.verify.verify_batches``;
only the accepted batches count.  Output: a ``TallyResult``, whose
``to_json`` is what ``kiosk central tally --json`` prints.

Copies of one serial (a photocopy, a re-marked blank, one ballot read by two
kiosks): copies that are all counted with the same choices count once; copies
that differ, or where a person rejected one, are a ``SerialConflict`` and
count for nobody until resolved (``resolutions``: serial -> the copy that
counts, or None for none).  The order of kiosk ids or file names never
decides which copy counts.

``tally(checks, campaign, lang=None, resolutions=None, *, online=None, rules=None)``:

- ``resolutions``: ``{serial: Resolution(serial, kiosk_id, batch)}``; ``kiosk_id`` None:
  no copy counts.  A decision naming no copy of its serial decides nothing.
- ``online``: ``kiosk.central.online.OnlineVotes`` (``parse_online``/``load_online``):
  added to the specialists' votes and, for votes naming an institution only, to the
  institution's score under the ``positive`` and ``ballots`` rules.
- ``rules``: ``kiosk.ballot.campaign.ResultRules`` (default: the campaign file's
  ``[results]``): how many specialists and institutions win and how institutions are
  ranked.  ``rule_text(rules, lang)`` states the rule in words.

The result (``TallyResult``): ``specialists`` (``SpecialistResult``: ``votes`` = ``paper``
+ ``online``, ``rank``, ``winner``), ``institutions`` (``InstitutionResult``: ``score`` under
the rule, ``positive``, ``ratings``, ``average_rating``, ``ballots``, ``online``, ``rank``
— None when the rule does not place it, e.g. too few ratings for ``mean`` —, ``winner``),
``integrity`` (``IntegrityRow`` per institution with its ``signals``), ``conflicts``,
``excluded_batches``, ``rules``, ``online``; places are competition ranks (1, 1, 3): a tie
at a winning place makes every tied entry a winner and is listed in ``ties``.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..ballot.campaign import Campaign, ResultRules
from ..errors import KioskError
from ..lang import count as count_noun
from ..lang import lv_key
from .online import OnlineVotes
from .verify import TOTALS, BatchCheck, Choice


@dataclass(frozen=True)
class SpecialistResult:
    """One specialist's votes and place (ties share a place)."""

    id: str
    name: str
    institution: str  # the institution's name
    institution_id: str
    votes: int  # paper + online
    rank: int
    winner: bool  # at a winning place (the campaign's [results] specialists), with at least one vote
    paper: int = 0  # votes on paper ballots
    online: int = 0  # votes cast online

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "institution": self.institution,
                "institution_id": self.institution_id, "votes": self.votes, "rank": self.rank, "winner": self.winner,
                "paper": self.paper, "online": self.online}


@dataclass(frozen=True)
class InstitutionResult:
    """One institution's evaluations (ballots with a rating), average rating, score and place."""

    id: str
    name: str
    evaluations: int
    average_rating: float | None  # None: no rating at all
    ballots: int  # counted paper ballots
    rank: int | None  # None: the rule does not place it (``mean`` with too few ratings)
    winner: bool  # at a winning place (the campaign's [results] institutions), with a score above 0
    ratings: int = 0  # paper ratings (a ballot may rate more than one question)
    positive: int = 0  # paper ratings at or above the rule's threshold
    online: int = 0  # online votes for the institution itself
    score: float | None = None  # what the rule ranks by (None: not placed)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "evaluations": self.evaluations,
                "average_rating": self.average_rating, "ballots": self.ballots, "rank": self.rank, "winner": self.winner,
                "ratings": self.ratings, "positive": self.positive, "online": self.online, "score": self.score}


@dataclass(frozen=True)
class IntegrityRow:
    """One institution's integrity figures: its kiosks' latest totals next to what was counted."""

    institution_id: str
    institution: str  # the institution's name
    kiosks: int
    batches: int
    issued: int
    scanned: int
    counted: int  # ballots counted in this tally (each serial once)
    counted_reported: int  # ballots the kiosks reported as counted
    in_review: int
    rejected: int
    duplicates: int
    turnout: float | None  # counted / issued; None when nothing was issued
    returned: int = 0  # sheets that came back from the urn (the kiosks' scanned totals)
    conflicts: int = 0  # serials of this institution whose copies disagree
    reviewed: int = 0  # ballots a person decided (counted or rejected) plus those waiting for review
    review_share: float | None = None  # reviewed / returned
    specialist_votes: int = 0  # paper votes for this institution's specialists
    top_specialist: str | None = None  # the specialist with most paper votes (a name)
    top_share: float | None = None  # their share of the institution's paper votes
    missing_batches: int = 0  # batches of its kiosks held back: missing, forked or after a gap
    signals: tuple[Signal, ...] = ()  # "look here": figures, never verdicts

    @property
    def return_rate(self) -> float | None:
        """Counted ÷ issued (the same as ``turnout``)."""
        return self.turnout

    def to_json(self) -> dict[str, Any]:
        return {
            "institution_id": self.institution_id, "institution": self.institution, "kiosks": self.kiosks,
            "batches": self.batches, "issued": self.issued, "scanned": self.scanned, "counted": self.counted,
            "counted_reported": self.counted_reported, "in_review": self.in_review, "rejected": self.rejected,
            "duplicates": self.duplicates, "turnout": self.turnout,
            "returned": self.returned, "conflicts": self.conflicts, "reviewed": self.reviewed,
            "review_share": self.review_share, "return_rate": self.return_rate,
            "specialist_votes": self.specialist_votes, "top_specialist": self.top_specialist,
            "top_share": self.top_share, "missing_batches": self.missing_batches,
            "signals": [g.to_json() for g in self.signals],
        }


# "Look here" signals: the figures that raise them and the words that state them (Latvian, English).
RETURN_RATE_HIGH = 0.95
ONE_SPECIALIST_SHARE, ONE_SPECIALIST_VOTES = 0.80, 30
SIGNALS: dict[str, tuple[str, str]] = {
    "return_rate_high": ("atgriešanas līmenis {rate}: ieskaitīti {counted} no {issued} izsniegtajiem (virs 95 %)",
                         "return rate {rate}: {counted} counted of {issued} issued (above 95 %)"),
    "one_specialist": ("{name} saņēma {share} iestādes balsu ({votes} no {total})",
                       "{name} received {share} of the institution's votes ({votes} of {total})"),
    "returned_above_issued": ("atgriezti {returned} biļeteni, izsniegti {issued}",
                              "{returned} ballots came back, {issued} were issued"),
    "missing_batches": ("kioska partiju ķēdē trūkst vai aizturētas {n} partijas",
                        "{n} batch(es) missing or held back in a kiosk's chain"),
}


def _pct(x: float, lang: str | None) -> str:
    text = f"{x * 100:.1f} %"
    return text if lang == "en" else text.replace(".", ",")


@dataclass(frozen=True)
class Signal:
    """A figure worth a look (``SIGNALS``), stated with its numbers, never a verdict."""

    code: str
    figures: dict[str, Any]

    def text(self, lang: str | None = None) -> str:
        lv, en = SIGNALS[self.code]
        shown = {k: _pct(v, lang) if k in ("rate", "share") else v for k, v in self.figures.items()}
        return (en if lang == "en" else lv).format(**shown)

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, **self.figures}


@dataclass(frozen=True)
class ExcludedBatch:
    """A batch that failed verification and is not counted."""

    file: str
    reason: str | None
    detail: str
    message: str
    kiosk_id: str | None
    batch: int | None

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "reason": self.reason, "detail": self.detail, "message": self.message,
                "kiosk_id": self.kiosk_id, "batch": self.batch}


@dataclass(frozen=True)
class SerialCopy:
    """One copy of a serial in an accepted batch."""

    kiosk_id: str
    batch: int
    file: str
    institution_id: str
    status: str  # counted | rejected (rejected by a person in review)
    choices: tuple[tuple[str, str], ...]  # (question id, option id) marked; empty when rejected
    decided_by: str  # "machine" or the deciding person's role

    def to_json(self) -> dict[str, Any]:
        return {"kiosk_id": self.kiosk_id, "batch": self.batch, "file": self.file,
                "institution_id": self.institution_id, "status": self.status,
                "selections": {q: [o] for q, o in self.choices} if self.status == "counted" else None,
                "decided_by": self.decided_by}


@dataclass(frozen=True)
class Resolution:
    """A person's decision on a conflicting serial: the copy that counts, or none."""

    serial: str
    kiosk_id: str | None  # None: no copy counts
    batch: int | None = None
    note: str = ""  # why (shown in the report)


@dataclass(frozen=True)
class SerialConflict:
    """A serial whose copies disagree: it counts for nobody until resolved."""

    serial: str
    kind: str  # different_selections | rejected_copy
    copies: tuple[SerialCopy, ...]  # in (kiosk id, batch) order
    resolved: bool = False
    counted: SerialCopy | None = None  # the copy a resolution chose (None: none counts)
    note: str = ""  # the decision's note

    def to_json(self) -> dict[str, Any]:
        out = {"serial": self.serial, "kind": self.kind, "copies": [c.to_json() for c in self.copies],
               "resolved": self.resolved, "counted": None if self.counted is None else
               {"kiosk_id": self.counted.kiosk_id, "batch": self.counted.batch}}
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True)
class TallyResult:
    """The whole tally of one campaign."""

    campaign: str  # campaign id
    specialists: tuple[SpecialistResult, ...]  # by place
    institutions: tuple[InstitutionResult, ...]  # by place
    excluded_batches: tuple[ExcludedBatch, ...]
    duplicate_serial_list: tuple[str, ...]  # serials found more than once, sorted
    verified_batches: int
    ballots_counted: int
    integrity: tuple[IntegrityRow, ...]  # in the campaign's order of institutions
    tags_checked: bool | None = None  # every ballot's QR tag was checked (None: not said)
    conflicts: tuple[SerialConflict, ...] = ()  # serials whose copies disagree, sorted
    rules: ResultRules | None = None  # the rules applied
    online: OnlineVotes | None = None  # the online votes added

    @property
    def specialist_winners(self) -> tuple[SpecialistResult, ...]:
        return tuple(s for s in self.specialists if s.winner)

    @property
    def institution_winners(self) -> tuple[InstitutionResult, ...]:
        return tuple(i for i in self.institutions if i.winner)

    @property
    def ties(self) -> dict[str, tuple[int, ...]]:
        """Winning places shared by more than one winner: {"specialists": (3,), "institutions": ()}."""
        def shared(ranks: list[int | None]) -> tuple[int, ...]:
            return tuple(sorted({r for r in ranks if r is not None and ranks.count(r) > 1}))
        return {"specialists": shared([s.rank for s in self.specialist_winners]),
                "institutions": shared([i.rank for i in self.institution_winners])}

    @property
    def duplicate_serials(self) -> int:
        return len(self.duplicate_serial_list)

    @property
    def unresolved_conflicts(self) -> tuple[SerialConflict, ...]:
        return tuple(c for c in self.conflicts if not c.resolved)

    @property
    def complete(self) -> bool:
        """Every batch given was counted and no conflict waits: results that may be published."""
        return not self.excluded_batches and not self.unresolved_conflicts

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "campaign": self.campaign,
            "specialists": [s.to_json() for s in self.specialists],
            "institutions": [i.to_json() for i in self.institutions],
            "excluded_batches": [e.to_json() for e in self.excluded_batches],
            "duplicate_serials": self.duplicate_serials,
            "duplicate_serial_list": list(self.duplicate_serial_list),
            "verified_batches": self.verified_batches,
            "ballots_counted": self.ballots_counted,
            "integrity": [g.to_json() for g in self.integrity],
            "conflicts": [c.to_json() for c in self.conflicts],
            "unresolved_conflicts": len(self.unresolved_conflicts),
            "complete": self.complete,
        }
        if self.rules is not None:
            out["rules"] = self.rules.to_json()
            out["rule"] = {"lv": rule_text(self.rules, "lv"), "en": rule_text(self.rules, "en")}
            out["ties"] = {k: list(v) for k, v in self.ties.items()}
        if self.online is not None:
            out["online"] = self.online.to_json()
        if self.tags_checked is not None:
            out["tags_checked"] = self.tags_checked
        return out

    def with_tags_checked(self, checked: bool) -> TallyResult:
        return replace(self, tags_checked=checked)


def load_resolutions(path: str | Path) -> dict[str, Resolution]:
    """A resolutions file: ``{"SERIAL": {"kiosk_id": "...", "batch": N, "note": "..."}, "SERIAL": null, ...}``
    (null: no copy counts; ``{"kiosk_id": null, "note": "..."}``: none counts, with a note)."""
    import json

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise KioskError("central.resolutions", detail=f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise KioskError("central.resolutions", detail=f"{path}: not a JSON object")
    out: dict[str, Resolution] = {}
    for serial, choice in data.items():
        note = choice.get("note", "") if isinstance(choice, dict) else ""
        if not isinstance(note, str):
            raise KioskError("central.resolutions", detail=f"{serial}: note {note!r}")
        if choice is None or (isinstance(choice, dict) and choice.get("kiosk_id") is None
                              and set(choice) <= {"kiosk_id", "batch", "note"}):
            out[serial] = Resolution(serial, None, note=note)
        elif (isinstance(choice, dict) and isinstance(choice.get("kiosk_id"), str)
              and isinstance(choice.get("batch"), int) and not isinstance(choice.get("batch"), bool)):
            out[serial] = Resolution(serial, choice["kiosk_id"], choice["batch"], note)
        else:
            raise KioskError("central.resolutions", detail=f"{serial}: {choice!r}")
    return out


def rule_text(rules: ResultRules, lang: str | None = None) -> str:
    """The rules applied, in words (for the report and the window)."""
    en = lang == "en"
    t = rules.positive_threshold
    if rules.institution_ranking == "positive":
        how = (f"Institutions are ranked by positive evaluations: paper ratings of {t} or higher plus online votes "
               "for the institution." if en else
               f"Iestādes sarindotas pēc pozitīvo novērtējumu skaita: papīra biļetenu vērtējumi {t} vai augstāk "
               "plus tiešsaistes balsis par iestādi.")
    elif rules.institution_ranking == "mean":
        n = rules.min_ratings
        how = (f"Institutions are ranked by their mean paper rating; only institutions with at least "
               f"{count_noun(n, 'en', ('', ''), ('rating', 'ratings'))} are placed." if en else
               f"Iestādes sarindotas pēc vidējā papīra biļetenu vērtējuma; vietu saņem tikai iestādes ar vismaz "
               f"{n} vērtējumiem.")
    else:
        how = ("Institutions are ranked by the paper ballots counted there plus online votes for the institution."
               if en else
               "Iestādes sarindotas pēc tajās ieskaitīto papīra biļetenu skaita plus tiešsaistes balsis par iestādi.")
    s_win = count_noun(rules.specialists, lang or "lv", ("speciālists", "speciālisti"), ("specialist", "specialists"))
    i_win = count_noun(rules.institutions, lang or "lv", ("iestāde", "iestādes"), ("institution", "institutions"))
    if en:
        return (f"Specialists are ranked by their votes (paper and online). {how} Winners: {s_win} and {i_win}. "
                "Equal results share a place; a tie at a winning place is not broken: every entry at that place wins.")
    return (f"Speciālisti sarindoti pēc balsu skaita (papīra un tiešsaistes). {how} Uzvar {s_win} un {i_win}. "
            "Vienāds rezultāts dod vienādu vietu; neizšķirts uzvarētāja vietā netiek izšķirts: uzvar visi šīs vietas "
            "ieguvēji.")


def competition_ranks(values: list[int]) -> list[int]:
    """Ranks of values sorted descending: equal values share a rank (1, 1, 3)."""
    ranks, prev = [], None
    for i, v in enumerate(values):
        if v != prev:
            rank, prev = i + 1, v
        ranks.append(rank)
    return ranks


def tally(checks: list[BatchCheck], campaign: Campaign, lang: str | None = None,
          resolutions: dict[str, Resolution] | None = None, *, online: OnlineVotes | None = None,
          rules: ResultRules | None = None) -> TallyResult:
    """Count the accepted batches: each serial once; copies that disagree count
    for nobody unless ``resolutions`` name the copy that counts; add the online votes;
    rank by ``rules`` (default: the campaign's ``[results]``)."""
    accepted = sorted((c for c in checks if c.ok), key=lambda c: (c.kiosk_id, c.batch))
    resolutions = resolutions or {}
    rules = rules or campaign.results
    threshold = rules.positive_threshold
    inst_names = {i.id: i.name for i in campaign.institutions}
    roster: dict[tuple[str, str], str] = {}
    for inst in campaign.institutions:
        for s in inst.specialists:
            roster[(inst.id, s.id)] = s.name

    votes: dict[tuple[str, str], int] = {key: 0 for key in roster}
    label_names: dict[tuple[str, str], str] = {}
    evaluations: dict[str, int] = {i.id: 0 for i in campaign.institutions}
    rating_sum: dict[str, int] = {i.id: 0 for i in campaign.institutions}
    rating_n: dict[str, int] = {i.id: 0 for i in campaign.institutions}
    counted: dict[str, int] = {i.id: 0 for i in campaign.institutions}
    positive: dict[str, int] = {i.id: 0 for i in campaign.institutions}
    reviewed: dict[str, int] = defaultdict(int)  # decided by a person
    dup_by_inst: dict[str, int] = defaultdict(int)
    latest: dict[str, BatchCheck] = {}

    for c in accepted:
        latest[c.kiosk_id] = c

    # Serials met in more than one accepted batch (a serial occurs once per batch).
    seen: set[str] = set()
    dup: set[str] = set()
    for c in accepted:
        for serials in (c.serials, c.rejected_serials):
            hit = seen.intersection(serials)
            if hit:
                dup |= hit
            seen.update(serials)
    del seen

    def count(c: BatchCheck, choice: Choice, n: int = 1) -> None:
        inst = c.institution_id
        counted[inst] += n
        labels = c.manifest["labels"]
        for qid, sid in choice.specialists:
            key = (inst, sid)
            votes[key] = votes.get(key, 0) + n
            if key not in roster:
                label_names[key] = labels[qid][sid]
        if choice.ratings:
            evaluations[inst] += n
            rating_sum[inst] += sum(choice.ratings) * n
            rating_n[inst] += len(choice.ratings) * n
            positive[inst] += sum(r >= threshold for r in choice.ratings) * n
        if choice.decided_by != "machine":
            reviewed[inst] += n

    # Every ballot met once counts, a batch's ballots by their few distinct choices.
    copies: dict[str, list[tuple[BatchCheck, Choice | None, SerialCopy]]] = {s: [] for s in dup}
    for c in accepted:
        reviewed[c.institution_id] += len(c.rejected_serials)
        by_code = Counter(c.codes)
        if dup and not (dup.isdisjoint(c.serials) and dup.isdisjoint(c.rejected_serials)):
            for serial, code in zip(c.serials, c.codes):
                if serial in copies:
                    by_code[code] -= 1
                    copies[serial].append(_copy(c, c.choices[code]))
            for i, serial in enumerate(c.rejected_serials):
                if serial in copies:
                    copies[serial].append(_rejected_copy(c, c.rejected_by[i] if i < len(c.rejected_by) else "person"))
        for code, n in by_code.items():
            if n:
                count(c, c.choices[code], n)

    conflicts: list[SerialConflict] = []
    for serial in sorted(copies):
        found = copies[serial]
        for c, _b, _cp in found[1:]:
            dup_by_inst[c.institution_id] += 1
        ballots = [b for _c, b, _cp in found]
        if all(b is not None for b in ballots) and len({b.key for b in ballots}) == 1:
            c, b, _cp = found[0]
            count(c, b)  # the same choices everywhere: counts once
            continue
        if all(b is None for b in ballots):
            continue  # rejected by people wherever it was met: counts for nobody, nothing to decide
        kind = "rejected_copy" if any(b is None for b in ballots) else "different_selections"
        described = tuple(cp for _c, _b, cp in found)
        decision = resolutions.get(serial)
        if decision is None:
            conflicts.append(SerialConflict(serial, kind, described))
            continue
        chosen = next(((c, b, cp) for c, b, cp in found
                       if decision.kiosk_id is not None and (c.kiosk_id, c.batch) == (decision.kiosk_id, decision.batch)),
                      None)
        if decision.kiosk_id is not None and chosen is None:  # names no copy of this serial: not a decision
            conflicts.append(SerialConflict(serial, kind, described))
            continue
        if chosen is not None and chosen[1] is not None:
            count(chosen[0], chosen[1])
        conflicts.append(SerialConflict(serial, kind, described, resolved=True,
                                        counted=None if chosen is None or chosen[1] is None else chosen[2],
                                        note=decision.note))

    paper = dict(votes)
    online_votes: dict[tuple[str, str], int] = dict(online.specialists) if online else {}
    online_inst: dict[str, int] = dict(online.institutions) if online else {}
    for key, n in online_votes.items():
        votes[key] = votes.get(key, 0) + n
    # (votes, name, institution id, specialist id), ordered by votes, then name; each result made once
    name_keys: dict[str, tuple] = {}
    unranked = [(n, roster.get((iid, sid)) or label_names.get((iid, sid), sid), iid, sid)
                for (iid, sid), n in votes.items()]
    unranked.sort(key=lambda u: (-u[0], name_keys.get(u[1]) or name_keys.setdefault(u[1], lv_key(u[1])), u[2]))
    specialists = tuple(
        SpecialistResult(sid, name, inst_names.get(iid, iid), iid, n, rank=rank,
                         winner=rank <= rules.specialists and n > 0, paper=paper.get((iid, sid), 0),
                         online=online_votes.get((iid, sid), 0))
        for (n, name, iid, sid), rank in zip(unranked, competition_ranks([u[0] for u in unranked]))
    )

    def score(iid: str) -> float | None:
        if rules.institution_ranking == "mean":
            n = rating_n[iid]
            return rating_sum[iid] / n if n and n >= rules.min_ratings else None
        if rules.institution_ranking == "ballots":
            return counted[iid] + online_inst.get(iid, 0)
        return positive[iid] + online_inst.get(iid, 0)

    unplaced = [
        InstitutionResult(iid, inst_names[iid], evaluations[iid],
                          round(rating_sum[iid] / rating_n[iid], 2) if rating_n[iid] else None, counted[iid],
                          rank=None, winner=False, ratings=rating_n[iid], positive=positive[iid],
                          online=online_inst.get(iid, 0), score=score(iid))
        for iid in evaluations
    ]
    unplaced.sort(key=lambda i: (i.score is None, -(i.score or 0), lv_key(i.name)))
    placed = [i for i in unplaced if i.score is not None]
    institutions = tuple(
        [replace(i, rank=rank, winner=rank <= rules.institutions and (i.score or 0) > 0)
         for i, rank in zip(placed, competition_ranks([i.score for i in placed]))]
        + [i for i in unplaced if i.score is None]
    )

    conflicts_by_inst: dict[str, int] = defaultdict(int)
    for conflict in conflicts:
        for iid in {cp.institution_id for cp in conflict.copies}:
            conflicts_by_inst[iid] += 1
    held_back: dict[str, int] = defaultdict(int)
    for c in checks:
        if not c.ok and c.reason in ("missing_batch", "broken_chain") and c.institution_id is not None:
            held_back[c.institution_id] += 1
    by_inst_specialists: dict[str, list[SpecialistResult]] = defaultdict(list)
    for sp in specialists:
        by_inst_specialists[sp.institution_id].append(sp)

    integrity = []
    for inst in campaign.institutions:
        kiosks = [c for c in latest.values() if c.institution_id == inst.id]
        t = {k: sum(c.manifest["totals"][k] for c in kiosks) for k in TOTALS}
        issued = t["issued"]
        returned = t["scanned"]
        own = by_inst_specialists.get(inst.id, [])
        total_votes = sum(sp.paper for sp in own)
        top = max(own, key=lambda sp: sp.paper, default=None)
        top_share = top.paper / total_votes if top is not None and total_votes else None
        rate = round(counted[inst.id] / issued, 4) if issued else None
        signals: list[Signal] = []
        if rate is not None and rate > RETURN_RATE_HIGH:
            signals.append(Signal("return_rate_high", {"rate": rate, "counted": counted[inst.id], "issued": issued}))
        if top is not None and top_share is not None and top_share > ONE_SPECIALIST_SHARE \
                and top.paper >= ONE_SPECIALIST_VOTES:
            signals.append(Signal("one_specialist", {"name": top.name, "specialist_id": top.id,
                                                     "share": round(top_share, 4), "votes": top.paper,
                                                     "total": total_votes}))
        if returned > issued + max(10, issued // 10):
            signals.append(Signal("returned_above_issued", {"returned": returned, "issued": issued}))
        if held_back[inst.id]:
            signals.append(Signal("missing_batches", {"n": held_back[inst.id]}))
        person = reviewed[inst.id] + t["in_review"]
        integrity.append(IntegrityRow(
            institution_id=inst.id,
            institution=inst.name,
            kiosks=len(kiosks),
            batches=sum(1 for c in accepted if c.institution_id == inst.id),
            issued=issued,
            scanned=t["scanned"],
            counted=counted[inst.id],
            counted_reported=t["counted"],
            in_review=t["in_review"],
            rejected=t["rejected"],
            duplicates=t["duplicates"] + dup_by_inst[inst.id],
            turnout=rate,
            returned=returned,
            conflicts=conflicts_by_inst[inst.id],
            reviewed=person,
            review_share=round(person / returned, 4) if returned else None,
            specialist_votes=total_votes,
            top_specialist=top.name if top is not None and top.paper else None,
            top_share=round(top_share, 4) if top_share is not None else None,
            missing_batches=held_back[inst.id],
            signals=tuple(signals),
        ))

    excluded = tuple(
        ExcludedBatch(c.path, c.reason, c.detail, c.message(lang), c.kiosk_id, c.batch)
        for c in checks if not c.ok
    )
    return TallyResult(
        campaign=campaign.id,
        specialists=specialists,
        institutions=institutions,
        excluded_batches=excluded,
        duplicate_serial_list=tuple(sorted(dup)),
        verified_batches=len(accepted),
        ballots_counted=sum(counted.values()),
        integrity=tuple(integrity),
        conflicts=tuple(conflicts),
        rules=rules,
        online=online,
    )


def _copy(c: BatchCheck, choice: Choice) -> tuple[BatchCheck, Choice, SerialCopy]:
    """The batch, the counted choice and the description of one copy."""
    choices = choice.choices if choice.choices is not None else \
        tuple(choice.specialists) + tuple(("rating", str(r)) for r in choice.ratings)
    return c, choice, SerialCopy(c.kiosk_id, c.batch, c.path, c.institution_id, "counted", choices, choice.decided_by)


def _rejected_copy(c: BatchCheck, by: str) -> tuple[BatchCheck, None, SerialCopy]:
    return c, None, SerialCopy(c.kiosk_id, c.batch, c.path, c.institution_id, "rejected", (), by)
