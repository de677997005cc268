"""The kiosk database's schema, one migration per version (``PRAGMA user_version``).

Never edit a released migration: append a new one.  ``kiosk.storage.store``
applies them in order when it opens a database.

Ballot secrecy is designed into the schema: ``issued`` holds serials only,
keyed by the serial itself in a WITHOUT ROWID table (no insertion order),
and is not linked to the print job that produced it.
"""
from __future__ import annotations

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
    # 2: reading.  Original images are content-addressed files; a sheet is
    # one page of one image, interpreted once and never updated; people's
    # decisions are appended beside it.  `ballots` holds the one sheet per
    # serial that counts or waits for review, so no serial counts twice.
    """
    CREATE TABLE scan_runs (
        id         INTEGER PRIMARY KEY,
        kiosk_id   TEXT NOT NULL,
        started_at TEXT NOT NULL
    );
    CREATE TABLE images (
        sha256     TEXT    PRIMARY KEY,
        path       TEXT    NOT NULL,
        size       INTEGER NOT NULL,
        media_type TEXT    NOT NULL
    );
    CREATE TABLE sheets (
        id             INTEGER PRIMARY KEY,
        image_sha256   TEXT    NOT NULL REFERENCES images (sha256),
        page           INTEGER NOT NULL CHECK (page >= 1),
        source         TEXT    NOT NULL,
        run_id         INTEGER REFERENCES scan_runs (id),
        status         TEXT    NOT NULL CHECK (status IN ('counted', 'review', 'rejected', 'duplicate')),
        reasons        TEXT    NOT NULL DEFAULT '[]',
        serial         BLOB,
        layout_id      INTEGER,
        selections     TEXT,
        interpretation TEXT    NOT NULL,
        duplicate_of   INTEGER REFERENCES sheets (id),
        UNIQUE (image_sha256, page)
    );
    CREATE INDEX sheets_status ON sheets (status);
    CREATE INDEX sheets_serial ON sheets (serial);
    CREATE TRIGGER sheets_written_once BEFORE UPDATE ON sheets
    BEGIN SELECT RAISE(ABORT, 'sheets are written once'); END;
    CREATE TRIGGER sheets_kept BEFORE DELETE ON sheets
    BEGIN SELECT RAISE(ABORT, 'sheets are never deleted'); END;
    CREATE TABLE ballots (
        serial   BLOB    PRIMARY KEY,
        sheet_id INTEGER NOT NULL UNIQUE REFERENCES sheets (id)
    ) WITHOUT ROWID;
    CREATE TABLE decisions (
        id         INTEGER PRIMARY KEY,
        sheet_id   INTEGER NOT NULL REFERENCES sheets (id),
        action     TEXT    NOT NULL CHECK (action IN ('confirm', 'correct', 'reject')),
        selections TEXT,
        reason     TEXT,
        role       TEXT    NOT NULL,
        decided_at TEXT    NOT NULL
    );
    CREATE INDEX decisions_sheet ON decisions (sheet_id);
    CREATE TRIGGER decisions_written_once BEFORE UPDATE ON decisions
    BEGIN SELECT RAISE(ABORT, 'decisions are written once'); END;
    CREATE TRIGGER decisions_kept BEFORE DELETE ON decisions
    BEGIN SELECT RAISE(ABORT, 'decisions are never deleted'); END;
    """,
    # 3: people at the kiosk.  One row per user: a role and a
    # salted PIN hash; `default_pin` marks the demo PINs still in use.  The
    # single `auth_lock` row carries wrong-PIN lockout across restarts.
    """
    CREATE TABLE users (
        id          INTEGER PRIMARY KEY,
        name        TEXT    NOT NULL,
        role        TEXT    NOT NULL CHECK (role IN ('front_desk', 'helper', 'office')),
        pin_hash    TEXT    NOT NULL,
        default_pin INTEGER NOT NULL DEFAULT 0,
        active      INTEGER NOT NULL DEFAULT 1,
        created_at  TEXT    NOT NULL
    );
    CREATE TABLE auth_lock (
        id           INTEGER PRIMARY KEY CHECK (id = 1),
        failures     INTEGER NOT NULL DEFAULT 0,
        locked_until REAL    NOT NULL DEFAULT 0
    );
    INSERT INTO auth_lock (id, failures, locked_until) VALUES (1, 0, 0);
    """,
    # 4: signed batch export.  One row per batch file this kiosk
    # signed and wrote; `exported` holds every serial that left in a batch,
    # so none leaves twice.  Both are written once, in one transaction.
    """
    CREATE TABLE batches (
        number          INTEGER PRIMARY KEY CHECK (number >= 1),
        sha256          TEXT    NOT NULL UNIQUE,
        previous_sha256 TEXT    NOT NULL,
        path            TEXT    NOT NULL,
        records         INTEGER NOT NULL,
        counted         INTEGER NOT NULL,
        rejected        INTEGER NOT NULL,
        pending         INTEGER NOT NULL,
        images          INTEGER NOT NULL,
        created_at      TEXT    NOT NULL
    );
    CREATE TABLE exported (
        serial BLOB    PRIMARY KEY,
        batch  INTEGER NOT NULL REFERENCES batches (number)
    ) WITHOUT ROWID;
    CREATE TRIGGER batches_written_once BEFORE UPDATE ON batches
    BEGIN SELECT RAISE(ABORT, 'batches are written once'); END;
    CREATE TRIGGER batches_kept BEFORE DELETE ON batches
    BEGIN SELECT RAISE(ABORT, 'batches are never deleted'); END;
    CREATE TRIGGER exported_written_once BEFORE UPDATE ON exported
    BEGIN SELECT RAISE(ABORT, 'exported serials are written once'); END;
    CREATE TRIGGER exported_kept BEFORE DELETE ON exported
    BEGIN SELECT RAISE(ABORT, 'exported serials are never deleted'); END;
    """,
    # 5: the process that runs a print job, so that opening the database
    # elsewhere never mistakes a job still printing for an interrupted one
    """
    ALTER TABLE print_jobs ADD COLUMN owner TEXT;
    """,
    # 6: the audit log: append-only, each row chained to the one before by its hash
    """
    CREATE TABLE audit_log (
        seq    INTEGER PRIMARY KEY,
        at     TEXT    NOT NULL,
        event  TEXT    NOT NULL,
        actor  TEXT    NOT NULL,
        fields TEXT    NOT NULL,
        prev   TEXT    NOT NULL,
        hash   TEXT    NOT NULL
    );
    CREATE TRIGGER audit_written_once BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit rows are written once'); END;
    CREATE TRIGGER audit_kept BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit rows are never deleted'); END;
    """,
    # 7: print jobs keep what the accounting needs and nothing finer than the day.
    # The table is rewritten: a random key instead of a growing id (row order says
    # nothing about print order), the local day instead of a time stamp, no target
    # (a file name carried the time).  `spool` names a job in flight in the spooler
    # and `print_pending` holds its serials, both only until the job is settled
    # (printed or voided), so that a job whose process died can be voided.
    """
    CREATE TABLE print_jobs_v6 (
        id             INTEGER PRIMARY KEY,
        kiosk_id       TEXT    NOT NULL,
        campaign_id    TEXT    NOT NULL,
        institution_id TEXT    NOT NULL,
        layout_id      INTEGER NOT NULL,
        count          INTEGER NOT NULL CHECK (count > 0),
        state          TEXT    NOT NULL CHECK (state IN ('printing', 'printed', 'voided', 'interrupted')),
        voided         INTEGER NOT NULL DEFAULT 0,
        detail         TEXT,
        day            TEXT    NOT NULL,
        owner          TEXT,
        spool          TEXT,
        FOREIGN KEY (campaign_id, institution_id, layout_id)
            REFERENCES layouts (campaign_id, institution_id, layout_id)
    );
    INSERT INTO print_jobs_v6 (id, kiosk_id, campaign_id, institution_id, layout_id, count, state, voided, detail,
                               day, owner)
        SELECT random() & 9223372036854775807, kiosk_id, campaign_id, institution_id, layout_id, count, state,
               voided, detail, date(created_at, 'localtime'), owner
        FROM print_jobs ORDER BY random();
    DROP TABLE print_jobs;
    ALTER TABLE print_jobs_v6 RENAME TO print_jobs;
    CREATE INDEX print_jobs_day ON print_jobs (day);
    CREATE TABLE print_pending (
        serial BLOB    PRIMARY KEY CHECK (length(serial) = 8),
        job    INTEGER NOT NULL REFERENCES print_jobs (id)
    ) WITHOUT ROWID;
    CREATE INDEX print_pending_job ON print_pending (job);
    """,
    # 8: access and secrecy.  Sign-in locks one row per role (tries used in
    # the current round, locks since the last correct PIN, locked until) instead
    # of one for the whole kiosk; the length of each PIN as set (for the PIN
    # length policy; the demo PINs have 4 digits); every batch records the audit
    # log's head when it was written (seq, hash), so a log cut short is noticed;
    # `batch_images` keeps, for each metadata-free ballot image a batch carried,
    # the original scan and page it was made from (keyed by its own hash: no order).
    """
    CREATE TABLE auth_locks (
        role         TEXT    PRIMARY KEY CHECK (role IN ('front_desk', 'helper', 'office')),
        failures     INTEGER NOT NULL DEFAULT 0,
        locks        INTEGER NOT NULL DEFAULT 0,
        locked_until REAL    NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    INSERT INTO auth_locks (role) VALUES ('front_desk'), ('helper'), ('office');
    DROP TABLE auth_lock;
    ALTER TABLE users ADD COLUMN pin_length INTEGER;
    UPDATE users SET pin_length = 4 WHERE default_pin = 1;
    ALTER TABLE batches ADD COLUMN audit_seq INTEGER;
    ALTER TABLE batches ADD COLUMN audit_hash TEXT;
    CREATE TABLE batch_images (
        sha256          TEXT    PRIMARY KEY,
        original_sha256 TEXT    NOT NULL REFERENCES images (sha256),
        page            INTEGER NOT NULL,
        batch           INTEGER NOT NULL REFERENCES batches (number)
    ) WITHOUT ROWID;
    CREATE TRIGGER batch_images_written_once BEFORE UPDATE ON batch_images
    BEGIN SELECT RAISE(ABORT, 'batch images are written once'); END;
    CREATE TRIGGER batch_images_kept BEFORE DELETE ON batch_images
    BEGIN SELECT RAISE(ABORT, 'batch images are never deleted'); END;
    """,
    # 9: a file name of any bytes: `source` shows it (bytes that are not UTF-8
    # escaped as \xNN), `source_bytes` keeps its exact bytes (NULL when `source` is the name)
    """
    ALTER TABLE sheets ADD COLUMN source_bytes BLOB;
    """,
    # 10: the serial a person typed for a sheet whose QR code could not be read
    # (checked against the printed check characters with the institution key).
    # The sheet stays as it was read; this row names its serial, and the
    # sheet's ballot row is added with it, so no serial counts twice.
    """
    CREATE TABLE typed_serials (
        sheet_id INTEGER PRIMARY KEY REFERENCES sheets (id),
        serial   BLOB    NOT NULL UNIQUE CHECK (length(serial) = 8)
    );
    CREATE TRIGGER typed_serials_written_once BEFORE UPDATE ON typed_serials
    BEGIN SELECT RAISE(ABORT, 'typed serials are written once'); END;
    CREATE TRIGGER typed_serials_kept BEFORE DELETE ON typed_serials
    BEGIN SELECT RAISE(ABORT, 'typed serials are never deleted'); END;
    """,
    # 11: review decisions can be reversed.  A reversal is a row like a decision:
    # `undo` (a reviewer takes back their last decision) or `reopen` (the office
    # sends a decided ballot, not yet exported, back to review), naming the row it
    # reverses in `reverses`.  Nothing is updated or deleted: a sheet's state is its
    # last row.  SQLite cannot change a CHECK constraint, so the table is rebuilt
    # with every row, its index and its triggers.
    """
    CREATE TABLE decisions_v10 (
        id         INTEGER PRIMARY KEY,
        sheet_id   INTEGER NOT NULL REFERENCES sheets (id),
        action     TEXT    NOT NULL CHECK (action IN ('confirm', 'correct', 'reject', 'undo', 'reopen')),
        selections TEXT,
        reason     TEXT,
        role       TEXT    NOT NULL,
        decided_at TEXT    NOT NULL,
        reverses   INTEGER
    );
    INSERT INTO decisions_v10 (id, sheet_id, action, selections, reason, role, decided_at)
        SELECT id, sheet_id, action, selections, reason, role, decided_at FROM decisions ORDER BY id;
    DROP TABLE decisions;
    ALTER TABLE decisions_v10 RENAME TO decisions;
    CREATE INDEX decisions_sheet ON decisions (sheet_id);
    CREATE TRIGGER decisions_written_once BEFORE UPDATE ON decisions
    BEGIN SELECT RAISE(ABORT, 'decisions are written once'); END;
    CREATE TRIGGER decisions_kept BEFORE DELETE ON decisions
    BEGIN SELECT RAISE(ABORT, 'decisions are never deleted'); END;
    """,
]
