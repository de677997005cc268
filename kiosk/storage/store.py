"""All SQL of urn-kiosk lives here (the schema itself is in ``migrations``).

One SQLite file per data directory, WAL journal, foreign keys on, schema
versioned with ``PRAGMA user_version`` and upgraded by the ordered
MIGRATIONS list (never edit a released migration: append a new one).

Ballot secrecy is designed into the schema: ``issued`` holds serials only,
keyed by the serial itself in a WITHOUT ROWID table (no insertion order),
and is not linked to the print job that produced it; print jobs carry the
count, the state and the local day, under random keys.  A job's serials are
listed beside it (``print_pending``) only while it is in flight.  Deleted rows
are overwritten (``secure_delete``).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .. import platform
from ..ballot.payload import serial_text
from ..ballot.spec import LayoutSpec
from ..errors import KioskError
from ..reading.sheet import Selections, SheetReading
from . import database
from .database import BUSY_TIMEOUT_S
from .migrations import MIGRATIONS
from .sheets import DECISIONS, REVERSALS, FinalSheet, SheetState, StoredSheet

SCHEMA_VERSION = len(MIGRATIONS)


def _process_owner() -> str:
    """host:pid:start-time of this process (the start time tells a reused pid apart)."""
    pid = os.getpid()
    return f"{platform.hostname()}:{pid}:{platform.process_start(pid) or '?'}"


def _owner_alive(owner: str | None) -> bool:
    if not owner:
        return False  # written before owners were recorded: its process is long gone
    host, _, rest = owner.partition(":")
    pid_text, _, start = rest.partition(":")
    if host != platform.hostname():
        return True  # another machine's process: not ours to judge
    try:
        pid = int(pid_text)
    except ValueError:
        return False
    now = platform.process_start(pid)
    if now is None:
        return False
    return start == "?" or now == "?" or now == start  # alive, and (as far as we can tell) the same process


PROCESS_OWNER = _process_owner()


def now_utc() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def local_day(now: float | None = None) -> str:
    """The local calendar day (YYYY-MM-DD): all a print job keeps of its time."""
    return (dt.date.today() if now is None else dt.datetime.fromtimestamp(now).date()).isoformat()


def _void(db: sqlite3.Connection, job_id: int, serials: list[bytes] | None, detail: str) -> int:
    """Void a job's serials (``None``: its pending ones) inside a transaction; returns how many."""
    if serials is None:
        serials = [r[0] for r in db.execute("SELECT serial FROM print_pending WHERE job = ?", (job_id,))]
    db.executemany("UPDATE issued SET voided = 1 WHERE serial = ?", [(s,) for s in serials])
    db.execute("DELETE FROM print_pending WHERE job = ?", (job_id,))
    db.execute(
        "UPDATE print_jobs SET state = 'voided', voided = ?, detail = ?, owner = NULL, spool = NULL WHERE id = ?",
        (len(serials), detail, job_id),
    )
    return len(serials)


class Store(database.Database):
    """The kiosk database.  One instance per thread: never share it."""

    MIGRATIONS = MIGRATIONS
    SECURE_DELETE = True  # deleted rows are overwritten, not left in free pages

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
    def register_layouts(self, specs: Iterable[LayoutSpec]) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO layouts (campaign_id, institution_id, layout_id, page, spec, registered_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(s.campaign, s.institution, s.id, s.page, _spec_text(s), now_utc()) for s in specs],
            )

    def layout(self, campaign_id: str, institution_id: str, layout_id: int) -> LayoutSpec | None:
        row = self.db.execute(
            "SELECT spec FROM layouts WHERE campaign_id = ? AND institution_id = ? AND layout_id = ?",
            (campaign_id, institution_id, layout_id),
        ).fetchone()
        return _spec(row[0]) if row else None

    def layout_ids(self, campaign_id: str, institution_id: str) -> frozenset[int]:
        rows = self.db.execute(
            "SELECT layout_id FROM layouts WHERE campaign_id = ? AND institution_id = ?", (campaign_id, institution_id)
        )
        return frozenset(r[0] for r in rows)

    # -- issuing ------------------------------------------------------------
    def record_issue(self, job: dict[str, Any], serials: list[bytes], *, day: str | None = None) -> int:
        """Record a print job and its serials in one transaction; returns the job id.

        The id is random (row order says nothing about print order) and the job
        keeps its local ``day`` only.  Until the job is settled its serials are
        also listed in ``print_pending`` (so a job whose process died can be
        voided); settling deletes that list.  A serial (or, astronomically
        rarely, a job id) that already exists makes the whole job fail with
        IntegrityError (the caller draws new serials and tries again).
        """
        job_id = secrets.randbits(63)
        with self.transaction() as db:
            db.execute(
                "INSERT INTO print_jobs (id, kiosk_id, campaign_id, institution_id, layout_id, count, state, day, owner)"
                " VALUES (?, ?, ?, ?, ?, ?, 'printing', ?, ?)",
                (job_id, job["kiosk_id"], job["campaign_id"], job["institution_id"], job["layout_id"], len(serials),
                 day or local_day(), PROCESS_OWNER),
            )
            db.executemany("INSERT INTO issued (serial) VALUES (?)", [(s,) for s in serials])
            db.executemany("INSERT INTO print_pending (serial, job) VALUES (?, ?)", [(s, job_id) for s in serials])
            return job_id

    def set_job_spool(self, job_id: int, spool: str | None) -> None:
        """Name the job in the spooler (e.g. "cups:17") while it is in flight."""
        with self.transaction() as db:
            db.execute("UPDATE print_jobs SET spool = ? WHERE id = ?", (spool, job_id))

    def finish_job(self, job_id: int) -> None:
        """The job came out of the printer: its serials stay issued.  A job still named
        in a spooler keeps that name (and its owner) until ``forget_job``."""
        with self.transaction() as db:
            db.execute("UPDATE print_jobs SET state = 'printed', owner = CASE WHEN spool IS NULL THEN NULL ELSE owner END"
                       " WHERE id = ? AND state IN ('printing', 'interrupted')", (job_id,))
            db.execute("DELETE FROM print_pending WHERE job = ?", (job_id,))

    def forget_job(self, job_id: int) -> None:
        """The spooler no longer holds the job: drop its name there and its process."""
        with self.transaction() as db:
            db.execute("UPDATE print_jobs SET spool = NULL, owner = NULL WHERE id = ?", (job_id,))

    def void_job(self, job_id: int, serials: list[bytes] | None, detail: str) -> int:
        """Void a failed or cancelled job's serials (``None``: the ones still pending
        for it); returns how many were voided."""
        with self.transaction() as db:
            return _void(db, job_id, serials, detail)

    def recover_interrupted_jobs(self) -> dict[str, int]:
        """Settle what jobs of processes that no longer run (killed, crashed) left behind.

        A job that never reached a spooler is voided: its ballots never came out
        whole.  A job handed to a spooler becomes ``interrupted``: the spooler's
        own record settles it (``kiosk.issuing.jobs.settle_interrupted``).  Jobs
        of a live process, this one included, are left alone.  Returns the
        counts: ``voided_jobs``, ``voided`` (serials) and ``unsettled`` (jobs
        waiting for their spooler).
        """
        rows = self.db.execute(
            "SELECT id, owner, spool, state FROM print_jobs WHERE owner IS NOT NULL AND state IN ('printing', 'printed')"
        ).fetchall()
        dead = [r for r in rows if not _owner_alive(r["owner"])]
        out = {"voided_jobs": 0, "voided": 0, "unsettled": 0}
        if dead:
            with self.transaction() as db:
                for r in dead:
                    if r["state"] == "printing" and r["spool"] is None:
                        out["voided"] += _void(db, r["id"], None, "interrupted")
                        out["voided_jobs"] += 1
                    elif r["state"] == "printing":
                        db.execute("UPDATE print_jobs SET state = 'interrupted', owner = NULL WHERE id = ?", (r["id"],))
                    else:
                        db.execute("UPDATE print_jobs SET owner = NULL WHERE id = ?", (r["id"],))
            self.forget_history()
        out["unsettled"] = len(self.unsettled_jobs())
        return out

    def unsettled_jobs(self) -> list[dict[str, Any]]:
        """Jobs named in a spooler whose process is gone: ``interrupted`` ones (fate
        unknown) and ``printed`` ones the spooler still has to forget."""
        rows = self.db.execute(
            "SELECT id, state, spool, count FROM print_jobs WHERE spool IS NOT NULL AND owner IS NULL"
            " AND state IN ('interrupted', 'printed')"
        )
        return [dict(r) for r in rows]

    def live_print_jobs(self) -> set[int]:
        """Ids of the jobs a running process is printing (this one included)."""
        rows = self.db.execute("SELECT id, owner FROM print_jobs WHERE state = 'printing'").fetchall()
        return {r["id"] for r in rows if _owner_alive(r["owner"])}

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

    def printed_on(self, day: str) -> int:
        """Ballots issued (and not voided) by the print jobs of one local day."""
        row = self.db.execute(
            "SELECT COALESCE(SUM(count - voided), 0) FROM print_jobs WHERE day = ? AND state != 'voided'", (day,)
        ).fetchone()
        return int(row[0])

    # -- reading --------------------------------------------------------------
    def start_run(self, kiosk_id: str) -> int:
        with self.transaction() as db:
            return int(db.execute(
                "INSERT INTO scan_runs (kiosk_id, started_at) VALUES (?, ?)", (kiosk_id, now_utc())
            ).lastrowid)

    def image(self, sha256: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT * FROM images WHERE sha256 = ?", (sha256,)).fetchone()
        return dict(row) if row else None

    def add_image(self, sha256: str, path: str, size: int, media_type: str) -> None:
        """Record a stored original (the file is written before this is called)."""
        with self.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO images (sha256, path, size, media_type) VALUES (?, ?, ?, ?)",
                (sha256, path, size, media_type),
            )

    def sheet_at(self, sha256: str, page: int) -> StoredSheet | None:
        """The sheet already stored for this page of this image, if any."""
        row = self.db.execute("SELECT * FROM sheets WHERE image_sha256 = ? AND page = ?", (sha256, page)).fetchone()
        return _sheet(row) if row else None

    def record_sheet(self, reading: SheetReading, *, image_sha256: str, page: int, source: str,
                     run_id: int | None = None, source_bytes: bytes | None = None) -> StoredSheet:
        """Store one read sheet (page ``page`` of the image ``image_sha256``), once,
        and return it as stored.

        In the same transaction: a page already stored is returned unchanged
        (with ``repeat`` true); a counted or review sheet whose serial already
        holds a ballot becomes a ``duplicate`` linked to the first sheet and
        never counts; one whose serial this kiosk voided goes to review
        (``voided_serial``).  ``source`` is text (a name that is not UTF-8 shown with its
        bytes escaped); ``source_bytes`` keeps such a name's exact bytes.
        """
        with self.transaction() as db:
            row = db.execute(
                "SELECT * FROM sheets WHERE image_sha256 = ? AND page = ?", (image_sha256, page)
            ).fetchone()
            if row is not None:
                return _sheet(row, repeat=True)
            status, reasons, duplicate_of = reading.status, reading.reasons, None
            serial = reading.serial
            if status in ("counted", "review") and serial is not None:
                first = db.execute("SELECT sheet_id FROM ballots WHERE serial = ?", (serial,)).fetchone()
                if first is not None:
                    status, duplicate_of = "duplicate", first[0]
                    reasons = ("duplicate_serial",)
                elif db.execute("SELECT 1 FROM issued WHERE serial = ? AND voided = 1", (serial,)).fetchone():
                    # this kiosk voided the serial (its print job failed or was cancelled), yet the
                    # ballot came back marked: a person decides whether it counts
                    status, reasons = "review", ("voided_serial", *(r for r in reasons if r != "voided_serial"))
            cur = db.execute(
                "INSERT INTO sheets (image_sha256, page, source, run_id, status, reasons, serial, layout_id,"
                " selections, interpretation, duplicate_of, source_bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (image_sha256, page, _text(source), run_id, status, json.dumps(list(reasons)), serial, reading.layout_id,
                 _selections_text(reading.selections), json.dumps(reading.interpretation or {}, ensure_ascii=False),
                 duplicate_of, source_bytes),
            )
            sheet_id = int(cur.lastrowid)
            if status in ("counted", "review") and serial is not None:
                db.execute("INSERT INTO ballots (serial, sheet_id) VALUES (?, ?)", (serial, sheet_id))
            row = db.execute("SELECT * FROM sheets WHERE id = ?", (sheet_id,)).fetchone()
            return _sheet(row)

    def sheet_page(self, sheet_id: int) -> int:
        """The page of its original scan a sheet was read from."""
        row = self.db.execute("SELECT page FROM sheets WHERE id = ?", (sheet_id,)).fetchone()
        return int(row[0]) if row else 1

    def sheet(self, sheet_id: int) -> StoredSheet | None:
        row = self.db.execute("SELECT * FROM sheets WHERE id = ?", (sheet_id,)).fetchone()
        return _sheet(row) if row else None

    def add_decision(self, sheet_id: int, action: str, selections: Selections | None, reason: str | None, role: str,
                     *, first: bool = True, serial: bytes | None = None) -> int:
        """Append a person's decision on a sheet; the machine's reading stays as it was.

        With ``first`` (the review queue's case) no decision may stand on the sheet
        (none yet, or the last one taken back), checked inside the same write transaction: of two reviewers deciding the
        same ballot at once, the second gets review.not_pending instead of silently
        replacing the first one's decision.

        ``serial``: the serial a person typed for a sheet whose QR code could not be
        read (already checked against the ballot's check characters).  In the same
        transaction it becomes the sheet's ballot; a serial that already holds a
        ballot is refused (review.serial_taken: the sheet is a copy)."""
        with self.transaction() as db:
            if first and _last_decision(db, sheet_id)[1] in DECISIONS:
                raise KioskError("review.not_pending", sheet=sheet_id)
            if serial is not None:
                if db.execute("SELECT 1 FROM ballots WHERE serial = ?", (serial,)).fetchone():
                    raise KioskError("review.serial_taken", serial=serial_text(serial))
                db.execute("INSERT INTO typed_serials (sheet_id, serial) VALUES (?, ?)", (sheet_id, serial))
                db.execute("INSERT INTO ballots (serial, sheet_id) VALUES (?, ?)", (serial, sheet_id))
            return int(db.execute(
                "INSERT INTO decisions (sheet_id, action, selections, reason, role, decided_at) VALUES (?, ?, ?, ?, ?, ?)",
                (sheet_id, action, _selections_text(selections), reason, role, now_utc()),
            ).lastrowid)

    def reverse_decision(self, sheet_id: int, action: str, role: str, *, decision_id: int | None = None) -> int:
        """Append a reversal: ``undo`` takes back the decision ``decision_id``, which must
        still be the sheet's last row; ``reopen`` sends a decided ballot (by the machine
        or a person) back to review.  Either is refused once the ballot left in a
        batch.  Checked and written in one write transaction; returns the row's id."""
        if action not in REVERSALS:
            raise ValueError(action)
        with self.transaction() as db:
            sheet = db.execute(
                "SELECT s.status, s.serial, b.sheet_id AS ballot, e.batch FROM sheets s"
                " LEFT JOIN ballots b ON b.sheet_id = s.id LEFT JOIN exported e ON e.serial = b.serial"
                " WHERE s.id = ?", (sheet_id,)).fetchone()
            if sheet is None:
                raise KioskError("review.not_found", sheet=sheet_id)
            if sheet["ballot"] is not None and sheet["batch"] is not None:
                raise KioskError("review.exported", batch=sheet["batch"])
            last_id, last = _last_decision(db, sheet_id)
            if action == "undo" and (decision_id is None or last_id != decision_id or last not in DECISIONS):
                raise KioskError("review.undo_stale")
            if action == "reopen" and (sheet["ballot"] is None or not (
                    last in DECISIONS or (last is None and sheet["status"] == "counted"))):
                raise KioskError("review.not_decided")
            return int(db.execute(
                "INSERT INTO decisions (sheet_id, action, selections, reason, role, decided_at, reverses)"
                " VALUES (?, ?, NULL, NULL, ?, ?, ?)", (sheet_id, action, role, now_utc(), last_id),
            ).lastrowid)

    def decision(self, decision_id: int) -> dict[str, Any] | None:
        row = self.db.execute("SELECT * FROM decisions WHERE id = ?", (decision_id,)).fetchone()
        return {**dict(row), "selections": _selections(row["selections"])} if row else None

    def sheet_states(self, sheet_ids: Iterable[int]) -> dict[int, SheetState]:
        """The state now of each of these sheets (unknown ids are left out)."""
        ids = sorted(set(sheet_ids))
        out: dict[int, SheetState] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self.db.execute(
                f"""
                SELECT s.id, s.status, s.duplicate_of, d.id AS d_id, d.action, d.reason, d.role,
                       b.sheet_id AS ballot, e.batch, o.source AS o_source, o.page AS o_page
                FROM sheets s
                LEFT JOIN decisions d ON d.id = (SELECT MAX(id) FROM decisions WHERE sheet_id = s.id)
                LEFT JOIN ballots b ON b.sheet_id = s.id
                LEFT JOIN exported e ON e.serial = b.serial
                LEFT JOIN sheets o ON o.id = s.duplicate_of
                WHERE s.id IN ({marks})
                """, chunk)
            for r in rows:
                out[r["id"]] = _state(r)
        return out

    def review_queue_count(self) -> int:
        return len(self.review_queue_ids())

    def decisions(self, sheet_id: int) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT * FROM decisions WHERE sheet_id = ? ORDER BY id", (sheet_id,))
        return [{**dict(r), "selections": _selections(r["selections"])} for r in rows]

    def final_sheets(self) -> list[FinalSheet]:
        """Every ballot sheet (one per serial) with its final state: the last
        decision if a person decided, else the machine's status.  A sheet whose
        QR code could not be read has its serial once a person typed it; until
        then it is listed without one (waiting for review, or rejected)."""
        rows = self.db.execute(
            """
            SELECT s.id, b.serial, s.image_sha256, s.status, s.selections,
                   d.action, d.selections AS d_selections, d.role
            FROM ballots b JOIN sheets s ON s.id = b.sheet_id
            LEFT JOIN decisions d ON d.id = (SELECT MAX(id) FROM decisions WHERE sheet_id = s.id)
            UNION ALL
            SELECT s.id, NULL, s.image_sha256, s.status, s.selections,
                   d.action, d.selections AS d_selections, d.role
            FROM sheets s
            LEFT JOIN decisions d ON d.id = (SELECT MAX(id) FROM decisions WHERE sheet_id = s.id)
            WHERE s.status = 'review' AND s.serial IS NULL
              AND NOT EXISTS (SELECT 1 FROM ballots b WHERE b.sheet_id = s.id)
            """
        )
        return [_final(r) for r in rows]

    def typed_serial(self, sheet_id: int) -> bytes | None:
        """The serial a person typed for this sheet (its QR code could not be read), if any."""
        row = self.db.execute("SELECT serial FROM typed_serials WHERE sheet_id = ?", (sheet_id,)).fetchone()
        return row[0] if row else None

    def review_queue(self) -> list[StoredSheet]:
        """Sheets waiting for a person: sent to review by the machine and not decided
        yet, or their decision taken back (undone, reopened); oldest first."""
        ids = self.review_queue_ids()
        return [s for s in (self.sheet(i) for i in ids) if s is not None]

    def sheet_counts(self) -> dict[str, int]:
        """Machine outcomes of all stored sheets: counted, review, rejected, duplicate."""
        counts = {"counted": 0, "review": 0, "rejected": 0, "duplicate": 0}
        for status, n in self.db.execute("SELECT status, COUNT(*) FROM sheets GROUP BY status"):
            counts[status] = n
        return counts

    # -- users and sign-in ------------------------------------------------
    def users(self, *, role: str | None = None, active_only: bool = False) -> list[dict[str, Any]]:
        sql, args = "SELECT * FROM users WHERE 1 = 1", []
        if role is not None:
            sql += " AND role = ?"
            args.append(role)
        if active_only:
            sql += " AND active = 1"
        return [dict(r) for r in self.db.execute(sql + " ORDER BY role, id", args)]

    def user(self, user_id: int) -> dict[str, Any] | None:
        row = self.db.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
        return dict(row) if row else None

    def add_user(self, name: str, role: str, pin_hash: str, *, default_pin: bool = False,
                 pin_length: int | None = None) -> int:
        with self.transaction() as db:
            return int(db.execute(
                "INSERT INTO users (name, role, pin_hash, default_pin, active, created_at, pin_length)"
                " VALUES (?, ?, ?, ?, 1, ?, ?)",
                (name, role, pin_hash, int(default_pin), now_utc(), pin_length),
            ).lastrowid)

    def update_user(self, user_id: int, *, name: str | None = None, pin_hash: str | None = None,
                    active: bool | None = None, pin_length: int | None = None) -> None:
        """Change a user's name, PIN (which clears the demo-PIN flag) or active flag."""
        with self.transaction() as db:
            if name is not None:
                db.execute("UPDATE users SET name = ? WHERE id = ?", (name, user_id))
            if pin_hash is not None:
                db.execute("UPDATE users SET pin_hash = ?, default_pin = 0, pin_length = ? WHERE id = ?",
                           (pin_hash, pin_length, user_id))
            if active is not None:
                db.execute("UPDATE users SET active = ? WHERE id = ?", (int(active), user_id))

    # A role's sign-in lock: (tries used in this round, locks since the last
    # correct PIN, locked until as a POSIX time).
    def role_locks(self) -> dict[str, tuple[int, int, float]]:
        rows = self.db.execute("SELECT role, failures, locks, locked_until FROM auth_locks")
        return {r[0]: (int(r[1]), int(r[2]), float(r[3])) for r in rows}

    def role_lock(self, role: str) -> tuple[int, int, float]:
        row = self.db.execute("SELECT failures, locks, locked_until FROM auth_locks WHERE role = ?", (role,)).fetchone()
        return (int(row[0]), int(row[1]), float(row[2])) if row else (0, 0, 0.0)

    def change_role_lock(self, role: str,
                         change: Callable[[tuple[int, int, float]], tuple[tuple[int, int, float], Any]]) -> Any:
        """Read a role's lock, let ``change`` compute its new state and a result,
        and write it, all in one write transaction: concurrent sign-ins (threads
        or processes) are serialised here, so no attempt is counted twice or
        slips past a lock.  Returns what ``change`` returned beside the state."""
        with self.transaction() as db:
            row = db.execute("SELECT failures, locks, locked_until FROM auth_locks WHERE role = ?", (role,)).fetchone()
            state = (int(row[0]), int(row[1]), float(row[2])) if row else (0, 0, 0.0)
            new, result = change(state)
            if new != state:
                db.execute(
                    "INSERT INTO auth_locks (role, failures, locks, locked_until) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (role) DO UPDATE SET failures = excluded.failures, locks = excluded.locks,"
                    " locked_until = excluded.locked_until",
                    (role, *new),
                )
            return result

    def review_queue_ids(self) -> list[int]:
        """Ids of the sheets waiting for a person (``review_queue`` without parsing every sheet)."""
        rows = self.db.execute(
            "SELECT s.id FROM sheets s WHERE s.status = 'review'"
            " AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.sheet_id = s.id)"
            " UNION SELECT d.sheet_id FROM decisions d WHERE d.action IN ('undo', 'reopen')"
            " AND d.id = (SELECT MAX(x.id) FROM decisions x WHERE x.sheet_id = d.sheet_id)"
            " ORDER BY 1"
        )
        return [r[0] for r in rows]

    # -- batch export -------------------------------------------------------
    def last_batch(self) -> dict[str, Any] | None:
        row = self.db.execute("SELECT * FROM batches ORDER BY number DESC LIMIT 1").fetchone()
        return dict(row) if row else None

    def batches(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.db.execute("SELECT * FROM batches ORDER BY number")]

    def exported_serials(self) -> set[bytes]:
        return {r[0] for r in self.db.execute("SELECT serial FROM exported")}

    def rejected_reasons(self) -> dict[str, int]:
        """Machine-rejected sheets counted by their first reason code."""
        rows = self.db.execute(
            "SELECT COALESCE(json_extract(reasons, '$[0]'), ''), COUNT(*) FROM sheets WHERE status = 'rejected' GROUP BY 1"
        )
        return {r[0]: r[1] for r in rows}

    def ballot_layouts(self) -> dict[int, int | None]:
        """sheet id -> layout id, for every ballot's sheet."""
        rows = self.db.execute("SELECT s.id, s.layout_id FROM ballots b JOIN sheets s ON s.id = b.sheet_id")
        return {r[0]: r[1] for r in rows}

    def record_batch(self, batch: dict[str, Any], serials: list[bytes],
                     images: Iterable[tuple[str, str, int]] = ()) -> None:
        """Record a written batch file and its serials in one transaction.

        Refused with export.conflict when the batch is not the next in the
        chain or a serial was already exported (another export won a race).
        ``images``: (image sha256, original sha256, page) of each ballot image
        the batch carries.
        """
        with self.transaction() as db:
            last = db.execute("SELECT number, sha256 FROM batches ORDER BY number DESC LIMIT 1").fetchone()
            expected = (1, "0" * 64) if last is None else (last[0] + 1, last[1])
            if (batch["number"], batch["previous_sha256"]) != expected:
                raise KioskError("export.conflict", batch=batch["number"])
            db.execute(
                "INSERT INTO batches (number, sha256, previous_sha256, path, records, counted, rejected, pending,"
                " images, created_at, audit_seq, audit_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (batch["number"], batch["sha256"], batch["previous_sha256"], batch["path"], batch["records"],
                 batch["counted"], batch["rejected"], batch["pending"], batch["images"], batch["created_at"],
                 batch.get("audit_seq"), batch.get("audit_hash")),
            )
            try:
                db.executemany("INSERT INTO exported (serial, batch) VALUES (?, ?)", [(s, batch["number"]) for s in serials])
                db.executemany(
                    "INSERT INTO batch_images (sha256, original_sha256, page, batch) VALUES (?, ?, ?, ?)",
                    [(sha, original, page, batch["number"]) for sha, original, page in images],
                )
            except sqlite3.IntegrityError:
                raise KioskError("export.conflict", batch=batch["number"]) from None

    def batch_image(self, sha256: str) -> dict[str, Any] | None:
        """Which original scan and page a ballot image in a batch was made from."""
        row = self.db.execute("SELECT * FROM batch_images WHERE sha256 = ?", (sha256,)).fetchone()
        return dict(row) if row else None

    def audit_anchors(self) -> list[tuple[int, int, str]]:
        """(batch, audit seq, audit hash) of every batch that recorded the audit log's head."""
        rows = self.db.execute(
            "SELECT number, audit_seq, audit_hash FROM batches WHERE audit_seq IS NOT NULL ORDER BY number")
        return [(r[0], r[1], r[2]) for r in rows]


    # -- audit log ---------------------------------------------------------------
    def append_audit(self, event: str, actor: str, fields: dict[str, Any], at: str,
                     hasher: Callable[[str, int, str, str, str, dict[str, Any]], str], *,
                     only_first: bool = False) -> int | None:
        """Append one audit row chained to the last one, in one write transaction
        (concurrent writers are serialised, so the chain never forks).  With
        ``only_first`` the row is written only into an empty log (None otherwise)."""
        with self.transaction() as db:
            last = db.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
            if only_first and last is not None:
                return None
            seq, prev = (1, "0" * 64) if last is None else (last[0] + 1, last[1])
            db.execute(
                "INSERT INTO audit_log (seq, at, event, actor, fields, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (seq, at, event, actor, json.dumps(fields, sort_keys=True, ensure_ascii=False), prev,
                 hasher(prev, seq, at, event, actor, fields)),
            )
            return seq

    def audit_rows(self) -> Iterator[dict[str, Any]]:
        """The audit log in the order it was written."""
        for row in self.db.execute("SELECT * FROM audit_log ORDER BY seq"):
            yield dict(row)

    def audit_head(self) -> tuple[int, str] | None:
        """(seq, hash) of the last audit row, or None for an empty log."""
        row = self.db.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        return (int(row[0]), row[1]) if row else None

    # -- forgetting -----------------------------------------------------------------
    def forget_history(self) -> bool:
        """Fold the write-ahead log into the database and empty it.

        The WAL keeps every committed page version in commit order until it is
        overwritten, so the order in which rows (serials among them) were
        written could be read back from it.  With ``secure_delete`` on, the
        database file itself keeps only current content.  True when the WAL was
        emptied; False when another connection is in the middle of a read or a
        write (the caller never waits for it: the WAL is emptied the next time,
        and when the last connection closes)."""
        try:
            self.db.execute("PRAGMA busy_timeout = 0")
            busy, _log, _done = self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        except sqlite3.OperationalError:
            return False
        finally:
            self.db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        return busy == 0


# -- rows <-> types: the one place they are converted ------------------------------

def _spec_text(spec: LayoutSpec) -> str:
    return json.dumps(spec.to_json(), ensure_ascii=False)


def _spec(text: str) -> LayoutSpec:
    return LayoutSpec.from_json(json.loads(text))


def _text(value: str) -> str:
    """Text SQLite can store: a lone surrogate (an undecodable byte of a file name) escaped."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return value


def _selections_text(selections: Selections | None) -> str | None:
    return None if selections is None else json.dumps(selections, ensure_ascii=False)


def _selections(text: str | None) -> Selections | None:
    return None if text is None else json.loads(text)


def _sheet(row: sqlite3.Row, *, repeat: bool = False) -> StoredSheet:
    """A row of ``sheets``."""
    return StoredSheet(
        id=row["id"],
        image_sha256=row["image_sha256"],
        page=row["page"],
        source=row["source"],
        run_id=row["run_id"],
        status=row["status"],
        reasons=tuple(json.loads(row["reasons"])),
        serial=row["serial"],
        layout_id=row["layout_id"],
        selections=_selections(row["selections"]),
        interpretation=json.loads(row["interpretation"]),
        duplicate_of=row["duplicate_of"],
        repeat=repeat,
        source_bytes=row["source_bytes"],
    )


def _final(row: sqlite3.Row) -> FinalSheet:
    """A row of the ``final_sheets`` query: the sheet and its last decision, if any."""
    if row["action"] in REVERSALS:  # taken back: waiting for a person again
        final, sel, by = "review", row["selections"], "machine"
    elif row["action"] is None:
        final, sel, by = row["status"], row["selections"], "machine"
    elif row["action"] == "reject":
        final, sel, by = "rejected", None, row["role"]
    else:
        final, sel, by = "counted", row["d_selections"], row["role"]
    return FinalSheet(
        sheet_id=row["id"], serial=row["serial"], image_sha256=row["image_sha256"], machine_status=row["status"],
        final_status=final, selections=_selections(sel), decided_by=by,
    )


def _last_decision(db: sqlite3.Connection, sheet_id: int) -> tuple[int | None, str | None]:
    """(id, action) of the last decision or reversal on a sheet, or (None, None)."""
    row = db.execute("SELECT id, action FROM decisions WHERE sheet_id = ? ORDER BY id DESC LIMIT 1",
                     (sheet_id,)).fetchone()
    return (row[0], row[1]) if row else (None, None)


def _state(row: sqlite3.Row) -> SheetState:
    """A row of the ``sheet_states`` query: the sheet as read, its last decision, its ballot."""
    action = row["action"]
    if action in REVERSALS:
        status, by = "review", "machine"
    elif action == "reject":
        status, by = "rejected", row["role"]
    elif action in DECISIONS:
        status, by = "counted", row["role"]
    else:
        status, by = row["status"], "machine"
    return SheetState(
        sheet_id=row["id"], machine_status=row["status"], status=status, decision=action, decision_id=row["d_id"],
        decided_by=by, reason=row["reason"] if action == "reject" else None, ballot=row["ballot"] is not None,
        exported=row["batch"] is not None, duplicate_of=row["duplicate_of"], original_source=row["o_source"],
        original_page=row["o_page"],
    )


