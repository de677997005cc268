"""What the kiosk's and the central office's SQLite databases share: opening one (pragmas,
the schema brought up to date by its versioned migrations, two processes taking turns),
transactions, and SQLite's known failures as domain errors.  The SQL of each database is
in its own module (``store`` with ``migrations``, ``central`` with ``central_migrations``)."""
from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Self

from ..datadir import db_lock
from ..errors import KioskError
from ..locks import interprocess_lock

BUSY_TIMEOUT_S = 10.0  # how long a connection waits for another one's write lock


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


class Database:
    """One of the program's databases, open on one thread (never share an instance):
    ``MIGRATIONS`` its schema, ``SECURE_DELETE`` whether deleted rows are overwritten;
    ``known_errors`` turns its SQLite failures into domain errors."""

    MIGRATIONS: Sequence[str] = ()
    SECURE_DELETE = False

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        with self.known_errors():
            self.db = connect(self.path, self.MIGRATIONS, secure_delete=self.SECURE_DELETE)

    def known_errors(self) -> contextlib.AbstractContextManager[None]:
        return known_errors()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def version(self) -> int:
        return version(self.db)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception."""
        with self.known_errors(), transaction(self.db) as db:
            yield db


def connect(path: Path, migrations: Sequence[str], *, secure_delete: bool = False) -> sqlite3.Connection:
    """A connection to the database at ``path`` (autocommit, rows by column name, foreign
    keys on, WAL, synchronous FULL; ``secure_delete``: deleted rows overwritten) with its
    schema at version ``len(migrations)``.  Two processes opening a fresh database at once
    take turns (schema, WAL).  Raises sqlite3 errors: callers translate them."""
    db = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_S)
    try:
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys = ON")
        with interprocess_lock(db_lock(path)):
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = FULL")
            if secure_delete:
                db.execute("PRAGMA secure_delete = ON")
            migrate(db, migrations)
    except BaseException:
        db.close()
        raise
    return db


def version(db: sqlite3.Connection) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(db: sqlite3.Connection, migrations: Sequence[str]) -> None:
    """Apply the migrations after the database's version, each in its own write transaction
    (one another connection applied meanwhile is skipped); a database newer than this
    program is refused (storage.too_new).  Released migrations are never edited."""
    target = len(migrations)
    current = version(db)
    if current > target:
        raise KioskError("storage.too_new", found=current, supported=target)
    for number in range(current + 1, target + 1):
        with transaction(db):
            if version(db) >= number:  # applied by another connection meanwhile
                continue
            for statement in split(migrations[number - 1]):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {number}")
    if 0 < current < target:  # rewritten tables: leave no old page in the write-ahead log
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@contextlib.contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception."""
    with known_errors():
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            if db.in_transaction:  # SQLite may have rolled back already (e.g. disk full)
                db.execute("ROLLBACK")
            raise
        else:
            db.execute("COMMIT")


def split(script: str) -> list[str]:
    """Split a migration script into complete statements (triggers contain ';')."""
    statements, current = [], ""
    for piece in script.split(";"):
        current += piece + ";"
        if sqlite3.complete_statement(current):
            if current.strip(" \n;"):
                statements.append(current.strip())
            current = ""
    return statements
