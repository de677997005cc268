"""The tally of verified batches: each serial once, ranks with ties, integrity figures.

Input: the ``BatchCheck`` list of ``kiosk.central.verify.verify_batches``;
only the accepted batches count.  Output: a ``TallyResult``, whose
``to_json`` is what ``kiosk central tally --json`` prints.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

from ..ballot.campaign import Campaign
from ..lang import lv_key
from .verify import TOTALS, BatchCheck


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

    @property
    def duplicate_serials(self) -> int:
        return len(self.duplicate_serial_list)

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
        }
        if self.tags_checked is not None:
            out["tags_checked"] = self.tags_checked
        return out

    def with_tags_checked(self, checked: bool) -> TallyResult:
        return replace(self, tags_checked=checked)


def competition_ranks(values: list[int]) -> list[int]:
    """Ranks of values sorted descending: equal values share a rank (1, 1, 3)."""
    ranks, prev = [], None
    for i, v in enumerate(values):
        if v != prev:
            rank, prev = i + 1, v
        ranks.append(rank)
    return ranks


def tally(checks: list[BatchCheck], campaign: Campaign, lang: str | None = None) -> TallyResult:
    """Count the accepted batches: each serial once, in (kiosk, batch) order."""
    accepted = sorted((c for c in checks if c.ok), key=lambda c: (c.kiosk_id, c.batch))
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
    seen: dict[str, int] = {}
    dup_by_inst: dict[str, int] = defaultdict(int)
    latest: dict[str, BatchCheck] = {}
    for c in accepted:
        inst = c.institution_id
        latest[c.kiosk_id] = c
        labels = c.manifest["labels"]
        for serial in c.rejected_serials:
            if serial in seen:
                seen[serial] += 1
                dup_by_inst[inst] += 1
            else:
                seen[serial] = 1
        for b in c.ballots:
            if b.serial in seen:
                seen[b.serial] += 1
                dup_by_inst[inst] += 1
                continue
            seen[b.serial] = 1
            counted[inst] += 1
            for qid, sid in b.specialists:
                key = (inst, sid)
                votes[key] = votes.get(key, 0) + 1
                if key not in roster:
                    label_names[key] = labels[qid][sid]
            if b.ratings:
                evaluations[inst] += 1
                rating_sum[inst] += sum(b.ratings)
                rating_n[inst] += len(b.ratings)

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
        duplicate_serial_list=tuple(sorted(s for s, n in seen.items() if n > 1)),
        verified_batches=len(accepted),
        ballots_counted=sum(counted.values()),
        integrity=tuple(integrity),
    )
