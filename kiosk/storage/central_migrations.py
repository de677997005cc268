"""The central office database's schema, one migration per version (``PRAGMA user_version``).

A database of its own (``central.db`` in the central office's data directory), apart
from any kiosk's: never edit a released migration, append a new one.
``kiosk.storage.central`` applies them in order when it opens the database.

What it keeps: the batch files received (by their SHA-256; the files themselves
are in the data directory) with each file's own verification outcome; the people's
decisions on conflicting serials (appended; the latest per serial holds); the online
vote as imported; and the publication that freezes both.  Nothing ties a voter, a
time of voting or a print job to a serial: the serials here come from the signed
batches, and a decision's time and name are the central office's own act.
"""
from __future__ import annotations

CENTRAL_MIGRATIONS: list[str] = [
    # 1: settings, batch files, decisions, the online vote, publications
    """
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE batch_files (
        sha256          TEXT    PRIMARY KEY CHECK (length(sha256) = 64),
        name            TEXT    NOT NULL,
        size            INTEGER NOT NULL CHECK (size >= 0),
        imported_at     TEXT    NOT NULL,
        kiosk_id        TEXT,
        institution_id  TEXT,
        batch           INTEGER,
        previous_sha256 TEXT,
        created_at      TEXT,
        records         INTEGER,
        counted         INTEGER,
        reason          TEXT,
        detail          TEXT    NOT NULL DEFAULT '',
        verified        INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1))
    ) WITHOUT ROWID;
    CREATE INDEX batch_files_kiosk ON batch_files (kiosk_id, batch);
    CREATE TABLE decisions (
        id         INTEGER PRIMARY KEY,
        serial     TEXT    NOT NULL,
        kind       TEXT    NOT NULL CHECK (kind IN ('copy', 'none', 'withdrawn')),
        kiosk_id   TEXT,
        batch      INTEGER,
        note       TEXT    NOT NULL DEFAULT '',
        decided_by TEXT    NOT NULL,
        decided_at TEXT    NOT NULL,
        CHECK ((kind = 'copy') = (kiosk_id IS NOT NULL AND batch IS NOT NULL))
    );
    CREATE INDEX decisions_serial ON decisions (serial, id);
    CREATE TABLE online_imports (
        id          INTEGER PRIMARY KEY,
        sha256      TEXT    NOT NULL,
        name        TEXT    NOT NULL,
        imported_at TEXT    NOT NULL,
        imported_by TEXT    NOT NULL,
        lines       INTEGER NOT NULL,
        votes       INTEGER NOT NULL
    );
    CREATE TABLE online_votes (
        import_id      INTEGER NOT NULL REFERENCES online_imports (id),
        institution_id TEXT    NOT NULL,
        specialist_id  TEXT    NOT NULL,  -- '' : a vote for the institution itself
        votes          INTEGER NOT NULL CHECK (votes >= 0),
        PRIMARY KEY (import_id, institution_id, specialist_id)
    ) WITHOUT ROWID;
    CREATE TABLE publications (
        id           INTEGER PRIMARY KEY,
        published_at TEXT    NOT NULL,
        published_by TEXT    NOT NULL,
        result_sha256 TEXT   NOT NULL,
        report       TEXT    NOT NULL,
        result       TEXT    NOT NULL
    );
    -- once results are published, decisions and the online vote are frozen
    CREATE TRIGGER decisions_frozen BEFORE INSERT ON decisions
        WHEN EXISTS (SELECT 1 FROM publications)
        BEGIN SELECT RAISE(ABORT, 'results are published'); END;
    CREATE TRIGGER online_frozen BEFORE INSERT ON online_imports
        WHEN EXISTS (SELECT 1 FROM publications)
        BEGIN SELECT RAISE(ABORT, 'results are published'); END;
    CREATE TRIGGER decisions_kept BEFORE DELETE ON decisions
        BEGIN SELECT RAISE(ABORT, 'decisions are appended, never deleted'); END;
    CREATE TRIGGER decisions_unchanged BEFORE UPDATE ON decisions
        BEGIN SELECT RAISE(ABORT, 'decisions are appended, never changed'); END;
    CREATE TRIGGER publications_kept BEFORE DELETE ON publications
        BEGIN SELECT RAISE(ABORT, 'a publication is never deleted'); END;
    """,
]
