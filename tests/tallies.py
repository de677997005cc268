"""A fixed tally input: verified batches built directly (no files, no keys), so the
tally's output can be compared byte for byte.

It covers what the tally distinguishes: two kiosks of one institution, a serial
counted twice (across kiosks and institutions), a serial rejected in one batch
and seen again, a specialist no longer on the roster (named by the batch's
labels), ties in votes and in evaluations, an institution without any ballot
(no average, no turnout) and a batch refused by verification.
"""
from __future__ import annotations

import dataclasses

from kiosk.ballot.campaign import Campaign
from kiosk.central.verify import TOTALS, Ballot, BatchCheck

LABELS = {
    "specialist": {"k-ozolina": "Ģirta Ozoliņa", "k-kalnins": "Jānis Kalniņš", "r-gone": "Ēvalds Aizgājušais"},
    "rating": {str(n): str(n) for n in range(1, 6)},
}


def _totals(**given: int) -> dict[str, int]:
    return {k: given.get(k, 0) for k in TOTALS}


def _check(path: str, kiosk_id: str, institution_id: str, batch: int, ballots: list[Ballot],
           rejected_serials: list[str] = (), **totals: int) -> BatchCheck:
    return BatchCheck(
        path=path, file_sha256=f"{batch:02d}" * 32, ok=True, kiosk_id=kiosk_id, institution_id=institution_id,
        batch=batch, previous_sha256="0" * 64,
        manifest={"labels": LABELS, "totals": _totals(**totals), "records": {"count": len(ballots) + len(rejected_serials)}},
        ballots=ballots, rejected_serials=list(rejected_serials),
    )


def _b(serial: str, specialist: str | None = None, rating: int | None = None) -> Ballot:
    return Ballot(serial, (("specialist", specialist),) if specialist else (), (rating,) if rating else ())


def fixed_campaign(campaign: Campaign) -> Campaign:
    """The demo campaign as the pinned tally knows it: its first three institutions."""
    return dataclasses.replace(campaign, institutions=campaign.institutions[:3])


def fixed_checks(campaign: Campaign) -> list[BatchCheck]:
    kuldiga, riga, _valmiera = (i.id for i in campaign.institutions[:3])
    refused = BatchCheck(path="in/kiosk-dddddddd-batch-0001.zip", kiosk_id="kiosk-dddddddd", batch=1)
    refused.fail("bad_signature", "signature does not verify")
    return [
        _check("in/kiosk-aaaaaaaa-batch-0002.zip", "kiosk-aaaaaaaa", kuldiga, 2,
               [_b("AAAA-AAAA-AAAA5", "k-kalnins", 2), _b("AAAA-AAAA-AAAA2", "k-kalnins", 5)],
               ["RRRR-RRRR-RRRR1"],
               issued=40, voided=2, scanned=9, counted=6, in_review=1, rejected=2, duplicates=1, exported=8),
        _check("in/kiosk-aaaaaaaa-batch-0001.zip", "kiosk-aaaaaaaa", kuldiga, 1,
               [_b("AAAA-AAAA-AAAA1", "k-ozolina", 5), _b("AAAA-AAAA-AAAA2", "k-kalnins", 4),
                _b("AAAA-AAAA-AAAA3", "k-ozolina"), _b("AAAA-AAAA-AAAA4", rating=3)],
               ["RRRR-RRRR-RRRR1"],
               issued=30, scanned=5, counted=4, rejected=1, exported=5),
        _check("in/kiosk-bbbbbbbb-batch-0001.zip", "kiosk-bbbbbbbb", riga, 1,
               [_b("BBBB-BBBB-BBBB1", "r-gone", 5), _b("BBBB-BBBB-BBBB2", "r-liepina", 1),
                _b("AAAA-AAAA-AAAA1", "r-smits", 2), _b("BBBB-BBBB-BBBB3", "r-smits", 4)],
               issued=3, voided=1, scanned=4, counted=4, duplicates=0, blank_backs=2, exported=4),
        refused,
        _check("in/kiosk-cccccccc-batch-0001.zip", "kiosk-cccccccc", kuldiga, 1,
               [_b("CCCC-CCCC-CCCC1", "k-berzina", 5), _b("CCCC-CCCC-CCCC2", "k-zvaigzne", 4)],
               issued=10, scanned=2, counted=2, in_review=3, exported=2),
    ]
