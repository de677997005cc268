"""Append events to the audit log and check its chain.

Each row is ``seq, at, event, actor, fields`` plus ``prev`` (the hash of the
row before; 64 zeros for the first) and ``hash`` = SHA-256 of ``prev`` and
the row's canonical JSON.  A row edited, removed or moved breaks the chain at
that row, which ``verify`` names.
"""
from __future__ import annotations

import hashlib
import json
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


def record(store: Store, event: str, actor: str, **fields: Any) -> int:
    """Append one event (its code and fields must be in the catalogue); returns its sequence number."""
    spec = BY_CODE.get(event)
    if spec is None:
        raise KioskError("audit.unknown_event", event=event)
    unknown = set(fields) - set(spec.fields)
    if unknown:
        raise KioskError("audit.unknown_field", event=event, fields=", ".join(sorted(unknown)))
    return store.append_audit(event, actor, fields, now_utc(), row_hash)


@dataclass(frozen=True)
class Problem:
    seq: int
    reason: str  # altered | missing | order


def verify(store: Store) -> Problem | None:
    """The first row where the chain breaks, or None when the whole log holds."""
    prev, expected_seq = GENESIS, None
    for row in store.audit_rows():
        seq = row["seq"]
        if expected_seq is not None and seq != expected_seq:
            return Problem(expected_seq if seq > expected_seq else seq, "missing" if seq > expected_seq else "order")
        if row["prev"] != prev:
            return Problem(seq, "missing" if expected_seq is not None else "altered")
        fields = json.loads(row["fields"])
        if row_hash(prev, seq, row["at"], row["event"], row["actor"], fields) != row["hash"]:
            return Problem(seq, "altered")
        prev, expected_seq = row["hash"], seq + 1
    return None
