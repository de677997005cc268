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
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..ballot.campaign import Campaign
from ..errors import KioskError
from ..lang import lv_key
from .verify import TOTALS, BatchCheck, Choice


@dataclass(frozen=True)
class SpecialistResult:
    """One specialist's votes and place (ties share a place)."""

    id: str
    name: str
    institution: str  # the institution's name
    institution_id: str
    votes: int
    rank: int
    winner: bool  # among the first three places, with at least one vote

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "institution": self.institution,
                "institution_id": self.institution_id, "votes": self.votes, "rank": self.rank, "winner": self.winner}


@dataclass(frozen=True)
class InstitutionResult:
    """One institution's evaluations (ballots with a rating), average rating and place."""

    id: str
    name: str
    evaluations: int
    average_rating: float | None  # None: no rating at all
    ballots: int  # counted ballots
    rank: int
    winner: bool  # the first place, with at least one evaluation

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "evaluations": self.evaluations,
                "average_rating": self.average_rating, "ballots": self.ballots, "rank": self.rank, "winner": self.winner}


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

    def to_json(self) -> dict[str, Any]:
        return {
            "institution_id": self.institution_id, "institution": self.institution, "kiosks": self.kiosks,
            "batches": self.batches, "issued": self.issued, "scanned": self.scanned, "counted": self.counted,
            "counted_reported": self.counted_reported, "in_review": self.in_review, "rejected": self.rejected,
            "duplicates": self.duplicates, "turnout": self.turnout,
        }


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


@dataclass(frozen=True)
class SerialConflict:
    """A serial whose copies disagree: it counts for nobody until resolved."""

    serial: str
    kind: str  # different_selections | rejected_copy
    copies: tuple[SerialCopy, ...]  # in (kiosk id, batch) order
    resolved: bool = False
    counted: SerialCopy | None = None  # the copy a resolution chose (None: none counts)

    def to_json(self) -> dict[str, Any]:
        return {"serial": self.serial, "kind": self.kind, "copies": [c.to_json() for c in self.copies],
                "resolved": self.resolved, "counted": None if self.counted is None else
                {"kiosk_id": self.counted.kiosk_id, "batch": self.counted.batch}}


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
        if self.tags_checked is not None:
            out["tags_checked"] = self.tags_checked
        return out

    def with_tags_checked(self, checked: bool) -> TallyResult:
        return replace(self, tags_checked=checked)


def load_resolutions(path: str | Path) -> dict[str, Resolution]:
    """A resolutions file: ``{"SERIAL": {"kiosk_id": "...", "batch": N}, "SERIAL": null, ...}``
    (null: no copy counts)."""
    import json

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise KioskError("central.resolutions", detail=f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise KioskError("central.resolutions", detail=f"{path}: not a JSON object")
    out: dict[str, Resolution] = {}
    for serial, choice in data.items():
        if choice is None:
            out[serial] = Resolution(serial, None)
        elif (isinstance(choice, dict) and isinstance(choice.get("kiosk_id"), str)
              and isinstance(choice.get("batch"), int) and not isinstance(choice.get("batch"), bool)):
            out[serial] = Resolution(serial, choice["kiosk_id"], choice["batch"])
        else:
            raise KioskError("central.resolutions", detail=f"{serial}: {choice!r}")
    return out


def competition_ranks(values: list[int]) -> list[int]:
    """Ranks of values sorted descending: equal values share a rank (1, 1, 3)."""
    ranks, prev = [], None
    for i, v in enumerate(values):
        if v != prev:
            rank, prev = i + 1, v
        ranks.append(rank)
    return ranks


def tally(checks: list[BatchCheck], campaign: Campaign, lang: str | None = None,
          resolutions: dict[str, Resolution] | None = None) -> TallyResult:
    """Count the accepted batches: each serial once; copies that disagree count
    for nobody unless ``resolutions`` name the copy that counts."""
    accepted = sorted((c for c in checks if c.ok), key=lambda c: (c.kiosk_id, c.batch))
    resolutions = resolutions or {}
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

    # Every ballot met once counts, a batch's ballots by their few distinct choices.
    copies: dict[str, list[tuple[BatchCheck, Choice | None, SerialCopy]]] = {s: [] for s in dup}
    for c in accepted:
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
                                        counted=None if chosen is None or chosen[1] is None else chosen[2]))

    unranked = [
        SpecialistResult(sid, roster.get((iid, sid)) or label_names.get((iid, sid), sid), inst_names.get(iid, iid), iid, n,
                         rank=0, winner=False)
        for (iid, sid), n in votes.items()
    ]
    unranked.sort(key=lambda s: (-s.votes, lv_key(s.name), s.institution_id))
    specialists = tuple(
        replace(s, rank=rank, winner=rank <= 3 and s.votes > 0)
        for s, rank in zip(unranked, competition_ranks([s.votes for s in unranked]))
    )

    unplaced = [
        InstitutionResult(iid, inst_names[iid], evaluations[iid],
                          round(rating_sum[iid] / rating_n[iid], 2) if rating_n[iid] else None, counted[iid],
                          rank=0, winner=False)
        for iid in evaluations
    ]
    unplaced.sort(key=lambda i: (-i.evaluations, -(i.average_rating or 0), lv_key(i.name)))
    institutions = tuple(
        replace(i, rank=rank, winner=rank == 1 and i.evaluations > 0)
        for i, rank in zip(unplaced, competition_ranks([i.evaluations for i in unplaced]))
    )

    integrity = []
    for inst in campaign.institutions:
        kiosks = [c for c in latest.values() if c.institution_id == inst.id]
        t = {k: sum(c.manifest["totals"][k] for c in kiosks) for k in TOTALS}
        issued = t["issued"]
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
            turnout=round(counted[inst.id] / issued, 4) if issued else None,
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
    )


def _copy(c: BatchCheck, choice: Choice) -> tuple[BatchCheck, Choice, SerialCopy]:
    """The batch, the counted choice and the description of one copy."""
    choices = choice.choices if choice.choices is not None else \
        tuple(choice.specialists) + tuple(("rating", str(r)) for r in choice.ratings)
    return c, choice, SerialCopy(c.kiosk_id, c.batch, c.path, c.institution_id, "counted", choices, choice.decided_by)


def _rejected_copy(c: BatchCheck, by: str) -> tuple[BatchCheck, None, SerialCopy]:
    return c, None, SerialCopy(c.kiosk_id, c.batch, c.path, c.institution_id, "rejected", (), by)
