"""Append events to the audit log and check its chain.

Each row is ``seq, at, event, actor, fields`` plus ``prev`` (the hash of the
row before; 64 zeros for the first) and ``hash`` = SHA-256 of ``prev`` and
the row's canonical JSON.  A row edited, removed or moved breaks the chain at
that row, which ``verify`` names.  Cutting rows off the end leaves a shorter
chain that still holds; every batch therefore records the log's head (seq and
hash) when it was written, in the kiosk's store and in the signed manifest,
and ``verify`` checks the log still reaches every recorded head.

The actor is a role (``office``, ``helper``, ``front_desk``) for what a
signed-in person did, or ``os:<user>`` for the operating-system account that
ran a command-line command.
"""
from __future__ import annotations

import getpass
import hashlib
import json
import os
from dataclasses import dataclass
from typing import Any

from ..errors import KioskError
from ..storage.store import Store, now_utc
from .catalogue import BY_CODE

GENESIS = "0" * 64


def row_hash(prev: str, seq: int, at: str, event: str, actor: str, fields: dict[str, Any]) -> str:
    body = json.dumps({"seq": seq, "at": at, "event": event, "actor": actor, "fields": fields},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev + body).encode("utf-8")).hexdigest()


def os_actor() -> str:
    """``os:<user>``: the operating-system account running this process."""
    try:
        import pwd

        name = pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError, OSError):  # pragma: no cover - not POSIX, or a uid without a name
        try:
            name = getpass.getuser()
        except Exception:  # noqa: BLE001 - getuser raises OSError or KeyError depending on the platform
            name = "?"
    return f"os:{name}"


def record(store: Store, event: str, actor: str, **fields: Any) -> int:
    """Append one event (its code and fields must be in the catalogue); returns its sequence number.

    An empty log first gets its ``audit.started`` row."""
    spec = BY_CODE.get(event)
    if spec is None:
        raise KioskError("audit.unknown_event", event=event)
    unknown = set(fields) - set(spec.fields)
    if unknown:
        raise KioskError("audit.unknown_field", event=event, fields=", ".join(sorted(unknown)))
    if store.audit_head() is None:
        store.append_audit("audit.started", actor, {}, now_utc(), row_hash, only_first=True)
    seq = store.append_audit(event, actor, fields, now_utc(), row_hash)
    assert seq is not None
    return seq


def head(store: Store) -> tuple[int, str] | None:
    """(seq, hash) of the log's last row: what a batch records as the log's head."""
    return store.audit_head()


REASON_TEXTS = {
    "altered": ("rinda mainīta", "the row was changed"),
    "missing": ("rinda dzēsta (vai žurnāls saīsināts)", "the row was removed (or the log cut short)"),
    "order": ("rinda pārvietota", "the row was moved"),
}


@dataclass(frozen=True)
class Problem:
    seq: int
    reason: str  # altered | missing | order

    def message(self, lang: str = "lv") -> str:
        lv, en = REASON_TEXTS[self.reason]
        return KioskError("audit.broken", seq=self.seq, what_lv=lv, what_en=en).message(lang)


def verify(store: Store) -> Problem | None:
    """The first row where the chain breaks, or None when the whole log holds.

    - a row whose content no longer gives its hash: ``altered`` (or ``order``
      when it gives its hash under another sequence number: it was moved);
    - a sequence number skipped, or a row that chains to a row that is gone:
      ``missing``; a row that chains to another row than the one before it:
      ``order``;
    - a head recorded by a batch that the log no longer reaches: ``missing``
      at the first row after the log's end (or ``altered`` at the head's row
      when the log there has another hash: it was rewritten).
    """
    rows = list(store.audit_rows())
    known = {r["hash"]: r["seq"] for r in rows}
    last_seq = rows[-1]["seq"] if rows else 0
    prev, expected = GENESIS, 1
    for row in rows:
        seq = row["seq"]
        if seq != expected:
            return Problem(expected, "missing")
        try:
            fields = json.loads(row["fields"])
        except (TypeError, ValueError):
            return Problem(seq, "altered")
        args = (row["at"], row["event"], row["actor"], fields)
        if row_hash(row["prev"], seq, *args) != row["hash"]:
            moved = any(row_hash(row["prev"], other, *args) == row["hash"]
                        for other in range(1, last_seq + 2) if other != seq)
            return Problem(seq, "order" if moved else "altered")
        if row["prev"] != prev:
            return Problem(seq, "order" if row["prev"] in known or row["prev"] == GENESIS else "missing")
        prev, expected = row["hash"], seq + 1
    hashes = {r["seq"]: r["hash"] for r in rows}
    for _batch, seq, digest in store.audit_anchors():
        if seq > last_seq:
            return Problem(last_seq + 1, "missing")
        if hashes.get(seq) != digest:
            return Problem(seq, "altered")
    return None
