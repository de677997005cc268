"""All SQL of the central office's own database (the schema is in ``central_migrations``).

One SQLite file in the central office's data directory (``kiosk.datadir.CentralDir``),
WAL journal, foreign keys on, schema versioned with ``PRAGMA user_version`` and upgraded
by the ordered CENTRAL_MIGRATIONS list.  Rows become the types below here only.

This module needs nothing of a kiosk's database: the central office runs without one.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..errors import KioskError
from . import database
from .central_migrations import CENTRAL_MIGRATIONS
from .database import known_errors

CENTRAL_SCHEMA_VERSION = len(CENTRAL_MIGRATIONS)


def now_utc() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


@contextlib.contextmanager
def _known_errors() -> Iterator[None]:
    """The storage errors a kiosk's database reports, and the published results' triggers."""
    try:
        with known_errors():
            yield
    except sqlite3.DatabaseError as exc:
        if "results are published" in str(exc):
            raise KioskError("central.published") from exc
        raise


@dataclass(frozen=True)
class BatchFile:
    """A batch file the central office received, and its own verification outcome
    (before chains and revocations, which are worked out over all files)."""

    sha256: str
    name: str  # the name it arrived under
    size: int
    imported_at: str
    kiosk_id: str | None
    institution_id: str | None
    batch: int | None
    previous_sha256: str | None
    created_at: str | None
    records: int | None
    counted: int | None
    reason: str | None  # None: the file verified
    detail: str
    verified: bool  # False: received, not verified yet


@dataclass(frozen=True)
class Decision:
    """A person's decision on a conflicting serial: the copy of (kiosk, batch) counts, or none."""

    serial: str
    kind: str  # copy | none | withdrawn
    kiosk_id: str | None
    batch: int | None
    note: str
    decided_by: str
    decided_at: str


@dataclass(frozen=True)
class OnlineImport:
    id: int
    sha256: str
    name: str
    imported_at: str
    imported_by: str
    lines: int
    votes: int


@dataclass(frozen=True)
class Publication:
    id: int
    published_at: str
    published_by: str
    result_sha256: str
    report: str  # the PDF's path as written
    result: str  # the tally's JSON


_FILE_COLUMNS = ("sha256, name, size, imported_at, kiosk_id, institution_id, batch, previous_sha256, created_at,"
                 " records, counted, reason, detail, verified")


def _file(row: sqlite3.Row) -> BatchFile:
    return BatchFile(row["sha256"], row["name"], row["size"], row["imported_at"], row["kiosk_id"],
                     row["institution_id"], row["batch"], row["previous_sha256"], row["created_at"], row["records"],
                     row["counted"], row["reason"], row["detail"], bool(row["verified"]))


def _decision(row: sqlite3.Row) -> Decision:
    return Decision(row["serial"], row["kind"], row["kiosk_id"], row["batch"], row["note"], row["decided_by"],
                    row["decided_at"])


class CentralStore(database.Database):
    """The central office database.  One instance per thread: never share it."""

    MIGRATIONS = CENTRAL_MIGRATIONS

    def known_errors(self) -> contextlib.AbstractContextManager[None]:
        return _known_errors()

    # -- settings -----------------------------------------------------------------
    def get_setting(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_settings(self, values: dict[str, str | None]) -> None:
        """Set (or, with None, remove) settings in one transaction."""
        with self.transaction() as db:
            for key, value in values.items():
                if value is None:
                    db.execute("DELETE FROM settings WHERE key = ?", (key,))
                else:
                    db.execute("INSERT INTO settings (key, value) VALUES (?, ?)"
                               " ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))

    # -- batch files ----------------------------------------------------------------
    def has_file(self, sha256: str) -> bool:
        return self.db.execute("SELECT 1 FROM batch_files WHERE sha256 = ?", (sha256,)).fetchone() is not None

    def add_file(self, sha256: str, name: str, size: int) -> bool:
        """Record a received file (not verified yet); False when it was there already."""
        with self.transaction() as db:
            cur = db.execute("INSERT OR IGNORE INTO batch_files (sha256, name, size, imported_at) VALUES (?, ?, ?, ?)",
                             (sha256, name, size, now_utc()))
            return cur.rowcount == 1

    def set_outcomes(self, outcomes: Iterable[dict]) -> None:
        """Each file's own verification outcome (keys as the columns of ``BatchFile``)."""
        with self.transaction() as db:
            db.executemany(
                "UPDATE batch_files SET kiosk_id = :kiosk_id, institution_id = :institution_id, batch = :batch,"
                " previous_sha256 = :previous_sha256, created_at = :created_at, records = :records,"
                " counted = :counted, reason = :reason, detail = :detail, verified = 1 WHERE sha256 = :sha256",
                list(outcomes))

    def unverify_files(self) -> None:
        """Every file must be verified again (the campaign or the keys changed)."""
        with self.transaction() as db:
            db.execute("UPDATE batch_files SET verified = 0")

    def files(self) -> list[BatchFile]:
        rows = self.db.execute(f"SELECT {_FILE_COLUMNS} FROM batch_files ORDER BY kiosk_id, batch, name, sha256")
        return [_file(r) for r in rows]

    def file(self, sha256: str) -> BatchFile | None:
        row = self.db.execute(f"SELECT {_FILE_COLUMNS} FROM batch_files WHERE sha256 = ?", (sha256,)).fetchone()
        return _file(row) if row else None

    # -- decisions --------------------------------------------------------------------
    def add_decision(self, serial: str, kind: str, kiosk_id: str | None, batch: int | None, note: str,
                     decided_by: str) -> Decision:
        with self.transaction() as db:
            db.execute("INSERT INTO decisions (serial, kind, kiosk_id, batch, note, decided_by, decided_at)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?)", (serial, kind, kiosk_id, batch, note, decided_by, now_utc()))
        return self.decisions()[serial] if kind != "withdrawn" else self.decision_history(serial)[-1]

    def decisions(self) -> dict[str, Decision]:
        """serial -> its standing decision (the latest one; a withdrawn decision stands for none)."""
        rows = self.db.execute(
            "SELECT d.* FROM decisions d JOIN (SELECT serial, max(id) AS id FROM decisions GROUP BY serial) l"
            " ON d.id = l.id WHERE d.kind != 'withdrawn' ORDER BY d.serial")
        return {r["serial"]: _decision(r) for r in rows}

    def decision_history(self, serial: str) -> list[Decision]:
        rows = self.db.execute("SELECT * FROM decisions WHERE serial = ? ORDER BY id", (serial,))
        return [_decision(r) for r in rows]

    # -- the online vote ------------------------------------------------------------------
    def add_online(self, sha256: str, name: str, imported_by: str, lines: int,
                   votes: dict[tuple[str, str], int]) -> OnlineImport:
        """A new online vote replaces the one before (the latest import counts)."""
        with self.transaction() as db:
            cur = db.execute("INSERT INTO online_imports (sha256, name, imported_at, imported_by, lines, votes)"
                             " VALUES (?, ?, ?, ?, ?, ?)",
                             (sha256, name, now_utc(), imported_by, lines, sum(votes.values())))
            import_id = cur.lastrowid
            db.executemany("INSERT INTO online_votes (import_id, institution_id, specialist_id, votes)"
                           " VALUES (?, ?, ?, ?)", [(import_id, i, s, n) for (i, s), n in sorted(votes.items())])
        current = self.online_import()
        assert current is not None
        return current

    def online_import(self) -> OnlineImport | None:
        row = self.db.execute("SELECT * FROM online_imports ORDER BY id DESC LIMIT 1").fetchone()
        return OnlineImport(row["id"], row["sha256"], row["name"], row["imported_at"], row["imported_by"],
                            row["lines"], row["votes"]) if row else None

    def online_votes(self) -> dict[tuple[str, str], int]:
        """(institution id, specialist id or '') -> votes, of the latest import."""
        rows = self.db.execute("SELECT institution_id, specialist_id, votes FROM online_votes"
                               " WHERE import_id = (SELECT max(id) FROM online_imports)")
        return {(r[0], r[1]): r[2] for r in rows}

    # -- publication ----------------------------------------------------------------------
    def publish(self, published_by: str, result_sha256: str, report: str, result: str) -> Publication:
        with self.transaction() as db:
            if db.execute("SELECT 1 FROM publications").fetchone():
                raise KioskError("central.published")
            db.execute("INSERT INTO publications (published_at, published_by, result_sha256, report, result)"
                       " VALUES (?, ?, ?, ?, ?)", (now_utc(), published_by, result_sha256, report, result))
        pub = self.publication()
        assert pub is not None
        return pub

    def publication(self) -> Publication | None:
        row = self.db.execute("SELECT * FROM publications ORDER BY id LIMIT 1").fetchone()
        return Publication(row["id"], row["published_at"], row["published_by"], row["result_sha256"],
                           row["report"], row["result"]) if row else None
