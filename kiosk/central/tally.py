"""The tally of verified batches: each serial once, ranks with ties, integrity figures.

Input: the ``BatchCheck`` list of ``kiosk.central.verify.verify_batches``;
only the accepted batches count.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from ..ballot.campaign import Campaign
from ..lang import lv_key
from .verify import TOTALS, BatchCheck


def competition_ranks(values: list[int]) -> list[int]:
    """Ranks of values sorted descending: equal values share a rank (1, 1, 3)."""
    ranks, prev = [], None
    for i, v in enumerate(values):
        if v != prev:
            rank, prev = i + 1, v
        ranks.append(rank)
    return ranks


def tally(checks: list[BatchCheck], campaign: Campaign, lang: str | None = None) -> dict[str, Any]:
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

    specialists = [
        {
            "id": sid,
            "name": roster.get((iid, sid)) or label_names.get((iid, sid), sid),
            "institution": inst_names.get(iid, iid),
            "institution_id": iid,
            "votes": n,
        }
        for (iid, sid), n in votes.items()
    ]
    specialists.sort(key=lambda s: (-s["votes"], lv_key(s["name"]), s["institution_id"]))
    for s, rank in zip(specialists, competition_ranks([s["votes"] for s in specialists])):
        s["rank"] = rank
        s["winner"] = rank <= 3 and s["votes"] > 0

    institutions = [
        {
            "id": iid,
            "name": inst_names[iid],
            "evaluations": evaluations[iid],
            "average_rating": round(rating_sum[iid] / rating_n[iid], 2) if rating_n[iid] else None,
            "ballots": counted[iid],
        }
        for iid in evaluations
    ]
    institutions.sort(key=lambda i: (-i["evaluations"], -(i["average_rating"] or 0), lv_key(i["name"])))
    for i, rank in zip(institutions, competition_ranks([i["evaluations"] for i in institutions])):
        i["rank"] = rank
        i["winner"] = rank == 1 and i["evaluations"] > 0

    integrity = []
    for inst in campaign.institutions:
        kiosks = [c for c in latest.values() if c.institution_id == inst.id]
        t = {k: sum(c.manifest["totals"][k] for c in kiosks) for k in TOTALS}
        issued = t["issued"]
        integrity.append({
            "institution_id": inst.id,
            "institution": inst.name,
            "kiosks": len(kiosks),
            "batches": sum(1 for c in accepted if c.institution_id == inst.id),
            "issued": issued,
            "scanned": t["scanned"],
            "counted": counted[inst.id],
            "counted_reported": t["counted"],
            "in_review": t["in_review"],
            "rejected": t["rejected"],
            "duplicates": t["duplicates"] + dup_by_inst[inst.id],
            "turnout": round(counted[inst.id] / issued, 4) if issued else None,
        })

    excluded = [
        {"file": c.path, "reason": c.reason, "detail": c.detail, "message": c.message(lang),
         "kiosk_id": c.kiosk_id, "batch": c.batch}
        for c in checks if not c.ok
    ]
    duplicates = sorted(s for s, n in seen.items() if n > 1)
    return {
        "campaign": campaign.id,
        "specialists": specialists,
        "institutions": institutions,
        "excluded_batches": excluded,
        "duplicate_serials": len(duplicates),
        "duplicate_serial_list": duplicates,
        "verified_batches": len(accepted),
        "ballots_counted": sum(counted.values()),
        "integrity": integrity,
    }
