"""Printing leaves no durable link from a time, a job or a person to a serial.

Through a real CUPS left at its own defaults (it keeps job documents a day and
the job history for ever): after three single-ballot jobs, no file under the
spooler's directories or the kiosk's data directory holds any of their
serials, in any form (bytes, printed text, QR payload; compressed PDF streams
and gzip files are opened), except the one row per serial in the database's
``issued`` table, which has no time and no job.  The print-job records keep
the count, the state and the day, under random keys.
"""
from __future__ import annotations

import base64
import datetime as dt
import gzip
import re
import sqlite3
import zlib
from pathlib import Path

import numpy as np
from test_print_cups import kiosk_cli, pages, serials_on

from kiosk.ballot import payload
from kiosk.issuing.jobs import print_ballots
from kiosk.reading import qr
from kiosk.storage.migrations import MIGRATIONS
from kiosk.storage.store import SCHEMA_VERSION, Store
from kiosk.station import Kiosk

STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)


def forms(serial: bytes, kiosk: Kiosk, layout_id: int) -> list[bytes]:
    """Every form a serial takes in a file: its bytes, hex, base32, the printed label, the QR payload."""
    text = payload.serial_text(serial)
    qr_text = payload.make_payload(kiosk.tag_key, kiosk.campaign.hash, kiosk.institution.hash, layout_id, serial).text()
    return [serial, serial.hex().encode(), base64.b32encode(serial).rstrip(b"="), text.encode(),
            text.encode("utf-16-be"), qr_text.encode(), qr_text[len(payload.PREFIX):].encode()[:24]]


def contents(path: Path) -> list[bytes]:
    """A file's bytes and whatever it holds compressed (PDF streams, zlib, gzip), and the
    QR codes of a PDF's pages (its text is drawn in font glyphs, not letters)."""
    data = path.read_bytes()
    out = [data]
    if data.startswith(b"%PDF"):
        for image in pages(path, 150):
            out += [s.text.encode() for s in qr.decode(np.asarray(image))]
    elif data.startswith(b"%!PS"):
        out.append(b"a PostScript document: " + data)
    if data[:2] == b"\x1f\x8b":
        try:
            out.append(gzip.decompress(data))
        except (OSError, EOFError):
            pass
    for blob in list(out):
        for m in STREAM.finditer(blob):
            try:
                out.append(zlib.decompress(m.group(1)))
            except zlib.error:
                pass
    return out


def holders(roots: list[Path], needles: list[bytes], skip: set[Path] = frozenset()) -> list[str]:
    found = []
    for root in roots:
        for path in sorted(root.rglob("*")):
            if not path.is_file() or path in skip or path.is_socket():
                continue
            for blob in contents(path):
                for needle in needles:
                    if needle in blob:
                        found.append(f"{path}: {needle!r}")
    return found


def test_three_jobs_leave_no_serial_in_the_spooler_or_the_data_directory(private_cups, tmp_path):
    queue = private_cups.add_pdf_queue("A5")  # CUPS defaults: PreserveJobFiles 86400, PreserveJobHistory Yes
    data = tmp_path / "data"
    for _ in range(3):
        done = kiosk_cli(private_cups, data, "print", "--count", "1", "--printer", "A5", "--json")
        assert done.returncode == 0, done.stderr
    with Kiosk.open(data) as k:
        serials = [s for pdf in queue.pdfs() for page in pages(pdf) for s in serials_on(k, page)]
        assert len(set(serials)) == 3
        layout_id = k.layout().id
        needles = [f for s in serials for f in forms(s, k, layout_id)]
        assert k.store.get_setting("spooler_keeps_files") == "yes"  # CUPS would have kept them: the screen warns
        db = k.store.db
        assert db.execute("SELECT COUNT(*) FROM print_pending").fetchone()[0] == 0
        jobs = [dict(r) for r in db.execute("SELECT * FROM print_jobs")]
    # the spooler: its request (job files), temporary, cache, state and log directories, cups-pdf's spool
        # the search finds a serial where there is one: in a ballot PDF the kiosk writes
        control = tmp_path / "control"
        control.mkdir()
        probe = print_ballots(k, 1, out=control / "probe.pdf").serials[0]
        probe_needles = forms(probe, k, layout_id)
        assert len(holders([control], probe_needles)) >= 1
        assert holders([control], needles) == []
    assert private_cups.jobs("all") == []  # no history either
    spooler_dirs = [private_cups.spool, private_cups.cache, private_cups.state, private_cups.logs,
                    private_cups.root / "cups-pdf-spool"]
    assert holders(spooler_dirs, needles) == []
    # ... which is the kiosk's doing: a job sent with plain lp and left alone stays in the spool
    private_cups.run("lp", "-d", "A5", str(control / "probe.pdf"))
    private_cups.wait_until_done()
    assert any("/spool/d" in h for h in holders(spooler_dirs, probe_needles))
    # the data directory: nothing but the database holds them, and the database once per serial
    database = {data / "kiosk.db", data / "kiosk.db-wal", data / "kiosk.db-shm"}
    assert holders([data], needles, skip=database) == []
    assert not (data / "spool").exists() or list((data / "spool").iterdir()) == []
    db_bytes = (data / "kiosk.db").read_bytes()
    assert all(db_bytes.count(s) == 1 for s in serials)  # the issued row; nothing else, no deleted leftovers
    wal = data / "kiosk.db-wal"
    assert not wal.exists() or not any(s in wal.read_bytes() for s in serials)
    # the records: count, state, day; random keys
    assert set(jobs[0]) == {"id", "kiosk_id", "campaign_id", "institution_id", "layout_id", "count", "state",
                            "voided", "detail", "day", "owner", "spool"}
    today = dt.date.today().isoformat()
    assert [(j["count"], j["state"], j["day"], j["owner"], j["spool"]) for j in jobs] == [(1, "printed", today, None, None)] * 3
    assert all(j["id"] >= 1 << 32 for j in jobs)  # random 63-bit keys, not 1, 2, 3


def test_the_migration_keeps_counts_and_states_and_forgets_times_and_files(tmp_path):
    """A database of the earlier schema: its print jobs keep count and state, get the local
    day instead of the time and lose the target; nothing of the old text stays in the file."""
    path = tmp_path / "old.db"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    before = MIGRATIONS.index(next(m for m in MIGRATIONS if "print_jobs_v6" in m))
    for number, script in enumerate(MIGRATIONS[:before], start=1):
        db.executescript(script)
        db.execute(f"PRAGMA user_version = {number}")
    db.execute("INSERT INTO layouts VALUES ('c', 'i', 7, 'a5', '{}', '2026-09-01T08:00:00+00:00')")
    rows = [
        (1, 3, "/home/desk/biletenti-3-20260915-101502.pdf", "printed", 0, None, "2026-09-15T08:15:02+00:00"),
        (2, 5, "printer:Birojs", "voided", 5, "print.no_printer", "2026-09-15T21:59:59+00:00"),
        (3, 2, "printer:Birojs", "interrupted", 0, None, "2026-09-16T07:00:00+00:00"),
    ]
    for r in rows:
        db.execute("INSERT INTO print_jobs (id, kiosk_id, campaign_id, institution_id, layout_id, count, target, state,"
                   " voided, detail, created_at) VALUES (?, 'k', 'c', 'i', 7, ?, ?, ?, ?, ?, ?)", r)
    db.close()
    with Store(path) as store:
        assert store.version == SCHEMA_VERSION
        jobs = store.print_jobs()
        cols = set(jobs[0])
        assert "created_at" not in cols and "target" not in cols and "day" in cols
        local = {r[0]: dt.datetime.fromisoformat(r[6]).astimezone().date().isoformat() for r in rows}
        assert sorted((j["count"], j["state"], j["voided"], j["detail"], j["day"]) for j in jobs) == sorted(
            (r[1], r[3], r[4], r[5], local[r[0]]) for r in rows)
        assert {j["id"] for j in jobs}.isdisjoint({1, 2, 3})
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert store.db.execute("PRAGMA foreign_key_check").fetchall() == []
    raw = path.read_bytes() + (path.with_name("old.db-wal").read_bytes() if path.with_name("old.db-wal").exists() else b"")
    for text in (b"biletenti-3-20260915", b"printer:Birojs", b"08:15:02", b"21:59:59", b"07:00:00"):
        assert text not in raw, text
