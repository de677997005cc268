"""All SQL of urn-kiosk lives here.

One SQLite file per data directory, WAL journal, foreign keys on, schema
versioned with ``PRAGMA user_version`` and upgraded by the ordered
MIGRATIONS list (never edit a released migration: append a new one).

Ballot secrecy is designed into the schema: ``issued`` holds serials only,
keyed by the serial itself in a WITHOUT ROWID table (no insertion order),
and is not linked to the print job that produced it; print jobs carry the
time and the count.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .errors import KioskError

MIGRATIONS: list[str] = [
    # 1: enrollment, layouts, print jobs and issued serials
    """
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE layouts (
        campaign_id    TEXT    NOT NULL,
        institution_id TEXT    NOT NULL,
        layout_id      INTEGER NOT NULL,
        page           TEXT    NOT NULL,
        spec           TEXT    NOT NULL,
        registered_at  TEXT    NOT NULL,
        PRIMARY KEY (campaign_id, institution_id, layout_id)
    );
    CREATE TABLE print_jobs (
        id             INTEGER PRIMARY KEY,
        kiosk_id       TEXT    NOT NULL,
        campaign_id    TEXT    NOT NULL,
        institution_id TEXT    NOT NULL,
        layout_id      INTEGER NOT NULL,
        count          INTEGER NOT NULL CHECK (count > 0),
        target         TEXT    NOT NULL,
        state          TEXT    NOT NULL CHECK (state IN ('printing', 'printed', 'voided', 'interrupted')),
        voided         INTEGER NOT NULL DEFAULT 0,
        detail         TEXT,
        created_at     TEXT    NOT NULL,
        FOREIGN KEY (campaign_id, institution_id, layout_id)
            REFERENCES layouts (campaign_id, institution_id, layout_id)
    );
    CREATE TABLE issued (
        serial BLOB    PRIMARY KEY CHECK (length(serial) = 8),
        voided INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


def now_utc() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def translate(exc: sqlite3.Error) -> KioskError:
    """Known SQLite failures become domain errors; anything else stays a bug."""
    text = str(exc)
    low = text.lower()
    if "disk is full" in low or "disk i/o" in low and "full" in low:
        return KioskError("storage.disk_full", detail=text)
    if "locked" in low or "busy" in low:
        return KioskError("storage.locked", detail=text)
    if "malformed" in low or "not a database" in low or "corrupt" in low:
        return KioskError("storage.corrupt", detail=text)
    if "disk i/o" in low or "readonly" in low or "unable to open" in low:
        return KioskError("storage.io", detail=text)
    raise exc


@contextlib.contextmanager
def known_errors() -> Iterator[None]:
    try:
        yield
    except sqlite3.OperationalError as exc:
        raise translate(exc) from exc
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.IntegrityError | sqlite3.ProgrammingError):
            raise
        raise translate(exc) from exc


class Store:
    """The kiosk database.  One instance per thread: never share it."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        with known_errors():
            self.db = sqlite3.connect(str(self.path), isolation_level=None, timeout=10.0)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = FULL")
            self._migrate()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema -------------------------------------------------------------
    @property
    def version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        current = self.version
        if current > SCHEMA_VERSION:
            raise KioskError("storage.too_new", found=current, supported=SCHEMA_VERSION)
        for number in range(current + 1, SCHEMA_VERSION + 1):
            with self.transaction():
                for statement in _split(MIGRATIONS[number - 1]):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number}")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception."""
        with known_errors():
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            else:
                self.db.execute("COMMIT")

    # -- settings -----------------------------------------------------------
    def get_setting(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def settings(self) -> dict[str, str]:
        return {r[0]: r[1] for r in self.db.execute("SELECT key, value FROM settings")}

    def set_settings(self, values: dict[str, str]) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                list(values.items()),
            )

    # -- layouts ------------------------------------------------------------
    def register_layouts(self, specs: Iterable[dict[str, Any]]) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO layouts (campaign_id, institution_id, layout_id, page, spec, registered_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (s["campaign"], s["institution"], s["id"], s["page"], json.dumps(s, ensure_ascii=False), now_utc())
                    for s in specs
                ],
            )

    def layout(self, campaign_id: str, institution_id: str, layout_id: int) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT spec FROM layouts WHERE campaign_id = ? AND institution_id = ? AND layout_id = ?",
            (campaign_id, institution_id, layout_id),
        ).fetchone()
        return json.loads(row[0]) if row else None

    def layout_ids(self, campaign_id: str, institution_id: str) -> frozenset[int]:
        rows = self.db.execute(
            "SELECT layout_id FROM layouts WHERE campaign_id = ? AND institution_id = ?", (campaign_id, institution_id)
        )
        return frozenset(r[0] for r in rows)

    # -- issuing ------------------------------------------------------------
    def record_issue(self, job: dict[str, Any], serials: list[bytes]) -> int:
        """Record a print job and its serials in one transaction; returns the job id.

        A serial that already exists makes the whole job fail with
        IntegrityError (the caller draws new serials and tries again).
        """
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO print_jobs (kiosk_id, campaign_id, institution_id, layout_id, count, target, state, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, 'printing', ?)",
                (job["kiosk_id"], job["campaign_id"], job["institution_id"], job["layout_id"], len(serials), job["target"], now_utc()),
            )
            db.executemany("INSERT INTO issued (serial) VALUES (?)", [(s,) for s in serials])
            return int(cur.lastrowid)

    def finish_job(self, job_id: int) -> None:
        with self.transaction() as db:
            db.execute("UPDATE print_jobs SET state = 'printed' WHERE id = ? AND state = 'printing'", (job_id,))

    def void_job(self, job_id: int, serials: list[bytes], detail: str) -> int:
        """Void a failed or cancelled job's serials; returns how many were voided."""
        with self.transaction() as db:
            db.executemany("UPDATE issued SET voided = 1 WHERE serial = ?", [(s,) for s in serials])
            db.execute(
                "UPDATE print_jobs SET state = 'voided', voided = ?, detail = ? WHERE id = ?", (len(serials), detail, job_id)
            )
        return len(serials)

    def recover_interrupted_jobs(self) -> int:
        """Jobs left 'printing' by a killed process: their serials stay valid
        (some ballots may have reached paper), the job is marked interrupted."""
        with self.transaction() as db:
            return db.execute("UPDATE print_jobs SET state = 'interrupted' WHERE state = 'printing'").rowcount

    def issued_state(self, serial: bytes) -> str | None:
        """'issued', 'voided', or None when this kiosk never issued the serial."""
        row = self.db.execute("SELECT voided FROM issued WHERE serial = ?", (serial,)).fetchone()
        if row is None:
            return None
        return "voided" if row[0] else "issued"

    def print_jobs(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.db.execute("SELECT * FROM print_jobs ORDER BY id")]

    def issued_counts(self) -> dict[str, int]:
        row = self.db.execute(
            "SELECT COUNT(*) - COALESCE(SUM(voided), 0), COALESCE(SUM(voided), 0) FROM issued"
        ).fetchone()
        return {"issued": row[0], "voided": row[1]}

    def printed_since(self, since_iso: str) -> int:
        row = self.db.execute(
            "SELECT COALESCE(SUM(count - voided), 0) FROM print_jobs WHERE created_at >= ? AND state != 'voided'",
            (since_iso,),
        ).fetchone()
        return int(row[0])


def _split(script: str) -> list[str]:
    """Split a migration script into statements (no semicolons inside our DDL strings)."""
    return [s.strip() for s in script.split(";") if s.strip()]
