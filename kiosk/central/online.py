"""The online vote: votes cast on the campaign's website and in its mobile app.

A CSV file (UTF-8, a BOM allowed, comma-separated) with the header
``institution_id,specialist_id,votes`` and one line per count:

    institution_id,specialist_id,votes
    kuldiga-vpvkac,k-ozolina,120
    kuldiga-vpvkac,,35          # an empty specialist_id: votes for the institution itself

``votes`` is a whole number from 0 up; the same pair on several lines adds up (the website
and the app may report separately).  Every id must be in the campaign (the specialist in
that institution's roster): a file with any bad line is refused whole, every offending
line named with its number (``KioskError("central.online")``), so nothing is counted from
a file that is partly wrong.

``parse_online(text, campaign)`` / ``load_online(path, campaign)`` give ``OnlineVotes``,
which ``kiosk.central.tally.tally(..., online=...)`` adds to the paper ballots.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..ballot.campaign import Campaign
from ..errors import KioskError

HEADER = ["institution_id", "specialist_id", "votes"]
MAX_VOTES = 10_000_000  # on one line: more is a typing error, not a count
MAX_BYTES = 64 << 20


@dataclass(frozen=True)
class OnlineVotes:
    """Online votes by (institution id, specialist id) and for institutions themselves."""

    specialists: dict[tuple[str, str], int] = field(default_factory=dict)
    institutions: dict[str, int] = field(default_factory=dict)
    lines: int = 0  # data lines read
    source: str = ""  # the file's name

    @property
    def total(self) -> int:
        return sum(self.specialists.values()) + sum(self.institutions.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source, "lines": self.lines, "total": self.total,
            "specialist_votes": sum(self.specialists.values()),
            "institution_votes": sum(self.institutions.values()),
        }


def parse_online(text: str, campaign: Campaign, name: str = "online.csv") -> OnlineVotes:
    """Read the online votes (see the module); every bad line named at once."""
    text = text.removeprefix("\ufeff")
    rosters = {i.id: {s.id for s in i.specialists} for i in campaign.institutions}
    problems: list[str] = []
    specialists: dict[tuple[str, str], int] = {}
    institutions: dict[str, int] = {}
    rows = csv.reader(text.splitlines())
    header = next(rows, None)
    if header is None or [h.strip() for h in header] != HEADER:
        raise KioskError("central.online", detail=f"{name}:1: the first line must be {','.join(HEADER)}")
    lines = 0
    for number, row in enumerate(rows, start=2):
        if not row or all(not cell.strip() for cell in row):
            continue
        lines += 1
        where = f"{name}:{number}"
        if len(row) != 3:
            problems.append(f"{where}: {len(row)} columns instead of 3")
            continue
        iid, sid, votes = (cell.strip() for cell in row)
        if iid not in rosters:
            problems.append(f"{where}: unknown institution {iid!r}")
            continue
        if sid and sid not in rosters[iid]:
            problems.append(f"{where}: {sid!r} is not a specialist of {iid}")
            continue
        if not (votes.isascii() and votes.isdigit()) or int(votes) > MAX_VOTES:
            problems.append(f"{where}: votes {votes!r} is not a whole number from 0 to {MAX_VOTES}")
            continue
        if sid:
            specialists[(iid, sid)] = specialists.get((iid, sid), 0) + int(votes)
        else:
            institutions[iid] = institutions.get(iid, 0) + int(votes)
    if problems:
        raise KioskError("central.online", detail=f"{len(problems)} bad line(s): " + "; ".join(problems))
    return OnlineVotes(specialists, institutions, lines, name)


def load_online(path: str | Path, campaign: Campaign) -> OnlineVotes:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise KioskError("central.online", detail=f"{path}: larger than {MAX_BYTES >> 20} MiB")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KioskError("central.online", detail=f"{path}: {exc}") from None
    return parse_online(text, campaign, path.name)
