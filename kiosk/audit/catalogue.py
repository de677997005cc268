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
    Event("kiosk.enrolled", "The data directory was bound to an institution of a campaign.",
          ("kiosk_id", "campaign", "institution")),
    Event("kiosk.closed", "The office closed the full-screen kiosk application."),
    # sign-in (the actor is the role tried; `via` is gui or cli)
    Event("auth.signed_in", "Somebody signed in with a PIN of the role.", ("user", "via")),
    Event("auth.signed_out", "A session ended (`why`: button, idle, exit).", ("user", "why")),
    Event("auth.failed", "A wrong PIN for the role; `remaining` tries are left before the role locks.",
          ("remaining", "via")),
    Event("auth.locked", "A wrong PIN used the role's last try: sign-in for the role is locked for `seconds` "
                         "(`lock`: which lock this is since the role's last correct PIN: 1, 2, …).", ("seconds", "lock", "via")),
    Event("auth.refused", "A sign-in attempt while the role was locked; the PIN was not checked.", ("seconds", "via")),
    Event("auth.unlocked", "The office lifted the sign-in lock of `role`.", ("role",)),
    # users and settings (never a PIN)
    Event("user.added", "The office added a user (`user`: its id).", ("user", "role")),
    Event("user.pin_changed", "The office changed a user's PIN.", ("user",)),
    Event("user.activated", "The office switched a user on again.", ("user",)),
    Event("user.deactivated", "The office switched a user off.", ("user",)),
    Event("user.renamed", "The office renamed a user.", ("user",)),
    Event("settings.changed", "Settings changed: `values` maps each key to its new value.", ("values",)),
    # the workflows (never a serial, a selection or a file name)
    Event("print.job", "A print job ended: `count` ballots, `outcome` printed, failed or cancelled, `voided` of "
                       "them voided, `to` printer or pdf, `error` the failure's code.",
          ("count", "outcome", "voided", "to", "error")),
    Event("scan.run", "A scan run ended (`source`: files, camera, or scanner-folder for the watched folder, read "
                      "under the kiosk's setting with nobody signed in; `outcome`: done, cancelled or failed) with the "
                      "number of sheets and of each outcome.",
          ("source", "outcome", "sheets", "counted", "review", "rejected", "duplicate", "repeat")),
    Event("review.decided", "A person decided a ballot in review: `action` confirm, correct or reject, `reason` "
                            "the reject reason (which ballot and what it says are not logged).", ("action", "reason")),
    Event("review.undone", "A person took back their last review decision (`action`: the one taken back); the "
                           "ballot waits for review again.", ("action",)),
    Event("review.reopened", "The office sent a decided ballot back to review (`was`: counted or rejected, `by`: "
                             "machine or person).", ("was", "by")),
    Event("export.batch", "A signed batch was written.", ("batch", "records", "counted", "rejected", "pending", "images")),
    Event("export.failed", "An export failed with the error `error`; no batch was recorded.", ("error",)),
    Event("cli.command", "A command-line command ran on this data directory (the actor is the operating-system "
                         "user; `role` the role it signs in as, if it does: the sign-in's own event follows).",
          ("command", "role")),
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
