"""Every event the audit log may hold: its code, what it means, and its fields.

This file is the catalogue: ``kiosk.audit.log.record`` refuses codes and
fields that are not here, and ``python -m kiosk.audit.catalogue`` writes the
documentation page (docs/audit-events.md; a test keeps the two in step).

No event ever carries a serial, a selection or anything else that could tie
a person, a time or a print job to a ballot's content.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    code: str
    meaning: str
    fields: tuple[str, ...] = ()


EVENTS: tuple[Event, ...] = (
    Event("audit.started", "The audit log of this data directory began (the first row of every log)."),
)

BY_CODE: dict[str, Event] = {e.code: e for e in EVENTS}


def markdown() -> str:
    lines = [
        "# Audit events",
        "",
        "Generated from `kiosk/audit/catalogue.py` by `python -m kiosk.audit.catalogue`; do not edit by hand.",
        "Every row of the audit log also records when it was written, who acted (a role, or the operating-system",
        "user for the command line) and the hash that chains it to the row before.",
        "",
        "| event | meaning | fields |",
        "|---|---|---|",
    ]
    for e in sorted(EVENTS, key=lambda e: e.code):
        lines.append(f"| `{e.code}` | {e.meaning} | {', '.join(f'`{f}`' for f in e.fields) or '–'} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(markdown())
