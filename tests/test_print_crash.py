"""A print whose process dies (``kill -9``, a crash) loses nothing and inflates nothing.

``kiosk print`` is run with ``KIOSK_FAULT`` naming a crash point (kiosk/faults.py):
the process ends there as if killed.  The next command that opens the data
directory voids what never reached the spooler and settles what did from CUPS'
own record: completed -> printed, anything else -> cancelled in CUPS and
voided.  Then every figure adds up: serials issued + voided == serials drawn.
"""
from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from conftest import REPO
from test_print_cups import job_files, kiosk_cli

from kiosk import faults


def status(cups, data):
    done = kiosk_cli(cups, data, "status", "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), done.stderr


def jobs(data) -> list[dict]:
    db = sqlite3.connect(data / "kiosk.db")
    db.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in db.execute("SELECT * FROM print_jobs")]
    finally:
        db.close()


def consistent(data) -> None:
    """Every serial drawn is issued or voided, as its job says; nothing is left in flight."""
    db = sqlite3.connect(data / "kiosk.db")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        drawn, voided_by_jobs = db.execute("SELECT COALESCE(SUM(count), 0), COALESCE(SUM(voided), 0) FROM print_jobs").fetchone()
        issued, voided = db.execute(
            "SELECT COUNT(*) - COALESCE(SUM(voided), 0), COALESCE(SUM(voided), 0) FROM issued").fetchone()
        assert issued + voided == drawn
        assert voided == voided_by_jobs
        printed = db.execute("SELECT COALESCE(SUM(count), 0) FROM print_jobs WHERE state = 'printed'").fetchone()[0]
        assert issued == printed
        assert db.execute("SELECT COUNT(*) FROM print_pending").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM print_jobs WHERE state IN ('printing', 'interrupted')"
                          " OR spool IS NOT NULL OR owner IS NOT NULL").fetchone()[0] == 0
    finally:
        db.close()
    spool = data / "spool"
    assert not spool.exists() or list(spool.iterdir()) == []


@pytest.mark.parametrize("point", ["print.issued", "print.drawing:2", "print.drawn"])
def test_a_pdf_print_killed_midway_is_voided_on_the_next_open(tmp_path, point):
    data = tmp_path / "data"
    out = tmp_path / "ballots.pdf"
    done = kiosk_cli(None, data, "print", "--count", "3", "--out", str(out), fault=point)
    assert done.returncode == faults.EXIT_STATUS
    assert [j["state"] for j in jobs(data)] == ["printing"]
    info, notice = status(None, data)
    assert (info["issued"], info["voided"]) == (0, 3)
    assert "Iepriekš pārtraukti drukas darbi: 1; anulēti biļeteni: 3" in notice
    consistent(data)


@pytest.mark.parametrize("point", ["print.issued", "print.drawing:1", "print.drawn"])
def test_a_printer_job_killed_before_it_reached_cups_is_voided(private_cups, tmp_path, point):
    private_cups.add_pdf_queue("A5")
    data = tmp_path / "data"
    done = kiosk_cli(private_cups, data, "print", "--count", "2", "--printer", "A5", fault=point)
    assert done.returncode == faults.EXIT_STATUS, done.stderr
    info, notice = status(private_cups, data)
    assert (info["issued"], info["voided"]) == (0, 2)
    assert "anulēti biļeteni: 2" in notice
    assert private_cups.jobs("all") == []
    consistent(data)


@pytest.mark.parametrize("point", ["print.submitted", "print.following"])
@pytest.mark.parametrize("printer_finished", [True, False], ids=["cups-completed", "cups-still-printing"])
def test_a_job_in_cups_whose_kiosk_died_is_settled_from_cups_record(private_cups, tmp_path, point, printer_finished):
    """Killed after CUPS took the job (just after it was sent, or while the kiosk waited for
    it): the next start asks CUPS.  Completed -> printed; still at the printer -> cancelled and voided."""
    queue = private_cups.add_pdf_queue("SLOW", gate=True)
    data = tmp_path / "data"
    done = kiosk_cli(private_cups, data, "print", "--count", "2", "--printer", "SLOW", fault=point)
    assert done.returncode == faults.EXIT_STATUS, done.stderr
    (job,) = jobs(data)
    assert job["state"] == "printing" and job["spool"].startswith("cups:")
    queue.gate.wait_started()
    if printer_finished:
        queue.gate.release()
        private_cups.wait_until_done()
    info, notice = status(private_cups, data)
    if printer_finished:
        assert (info["issued"], info["voided"]) == (2, 0)
        assert notice == ""
        assert len(queue.pdfs()) == 1
        assert [j["state"] for j in jobs(data)] == ["printed"]
    else:
        assert (info["issued"], info["voided"]) == (0, 2)
        assert "anulēti biļeteni: 2" in notice
        assert queue.pdfs() == []
    assert private_cups.jobs("all") == [] and job_files(private_cups) == []  # cancelled, and forgotten either way
    consistent(data)


def test_a_job_killed_before_its_document_was_sent_never_prints_and_is_voided(private_cups, tmp_path):
    """Killed once CUPS created the job (its id recorded) but before the ballots were sent."""
    queue = private_cups.add_pdf_queue("A5")
    data = tmp_path / "data"
    done = kiosk_cli(private_cups, data, "print", "--count", "2", "--printer", "A5", fault="print.created")
    assert done.returncode == faults.EXIT_STATUS, done.stderr
    (job,) = jobs(data)
    assert job["spool"] == f"cups:{private_cups.jobs()[0]}"  # an incomplete job, waiting for its document
    info, notice = status(private_cups, data)
    assert (info["issued"], info["voided"]) == (0, 2) and "anulēti biļeteni: 2" in notice
    assert private_cups.jobs("all") == [] and queue.pdfs() == []
    consistent(data)


def test_a_job_killed_after_cups_completed_it_counts_as_printed(private_cups, tmp_path):
    queue = private_cups.add_pdf_queue("A5")
    data = tmp_path / "data"
    done = kiosk_cli(private_cups, data, "print", "--count", "2", "--printer", "A5", fault="print.completed")
    assert done.returncode == faults.EXIT_STATUS, done.stderr
    assert private_cups.jobs("completed") != []  # CUPS still remembers it: the kiosk died before forgetting it
    info, notice = status(private_cups, data)
    assert (info["issued"], info["voided"]) == (2, 0) and notice == ""
    assert len(queue.pdfs()) == 1
    assert private_cups.jobs("all") == []
    consistent(data)


def test_killed_at_twenty_random_moments(private_cups, tmp_path):
    """``kill -9`` at 20 random moments of ``kiosk print --count 4 --printer A5``; after each,
    the next command settles what it left: issued + voided == drawn, integrity ok, nothing
    in flight, no ballot file left in the data directory or a job in CUPS."""
    queue = private_cups.add_pdf_queue("A5")
    data = tmp_path / "data"
    seed = int(os.environ.get("KIOSK_KILL_SEED", random.randrange(1 << 30)))
    rnd = random.Random(seed)
    env = private_cups.env()
    env["KIOSK_DATA_DIR"] = str(data)
    # one whole run first: it enrolls the data directory and says how long a run takes
    start = time.monotonic()
    assert kiosk_cli(private_cups, data, "print", "--count", "4", "--printer", "A5").returncode == 0
    span = time.monotonic() - start
    killed = 0
    for n in range(20):
        proc = subprocess.Popen([sys.executable, "-m", "kiosk", "print", "--count", "4", "--printer", "A5"],
                                cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            proc.wait(rnd.uniform(0.0, span * 1.2))  # the moment of the kill: anywhere in a run
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        _, err = proc.communicate()
        assert proc.returncode in (0, -signal.SIGKILL), f"seed {seed}, run {n}: {err.decode()}"
    info, _ = status(private_cups, data)  # settles the last one
    private_cups.wait_until_done()
    status(private_cups, data)  # and anything CUPS was still cancelling
    consistent(data)
    assert private_cups.jobs("all") == [], f"seed {seed}"
    assert info["issued"] + info["voided"] == sum(j["count"] for j in jobs(data)), f"seed {seed}"
    assert killed > 0, f"seed {seed}: no run was killed"
    assert len(queue.pdfs()) >= 1
