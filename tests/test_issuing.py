"""Enrollment, issuing and what a failure leaves behind."""
from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys

import pytest
from conftest import REPO

from kiosk.assets import demo_campaign_path
from kiosk.errors import KioskError
from kiosk.issuing.jobs import print_ballots
from kiosk.station import Kiosk
from kiosk.storage.store import SCHEMA_VERSION, Store


def run_cli(*args, env_dir=None):
    env = dict(os.environ)
    if env_dir is not None:
        env["KIOSK_DATA_DIR"] = str(env_dir)
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=REPO, capture_output=True, text=True, env=env)


def test_enrollment_files_are_owner_only(kiosk):
    root = kiosk.root
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    for path in (root / "kiosk.db", root / "keys" / "institution.key", root / "keys" / "kiosk-ed25519.pem"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert kiosk.public_key_path.read_text().strip() == kiosk.signing_key().public_key().public_bytes_raw().hex()
    assert kiosk.kiosk_id.startswith("kiosk-")
    db = sqlite3.connect(root / "kiosk.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_enrolling_twice_or_unknown_institution_is_refused(kiosk, tmp_path):
    with pytest.raises(KioskError) as info:
        Kiosk.enroll("vzd-riga", root=kiosk.root, campaign_path=demo_campaign_path())
    assert info.value.code == "enroll.already"
    with pytest.raises(KioskError) as info:
        Kiosk.enroll("nav-tadas", root=tmp_path / "x")
    assert info.value.code == "enroll.unknown_institution"


def test_institution_kiosks_share_the_tag_key_others_do_not(kiosk, other_kiosk, tmp_path):
    twin = Kiosk.enroll(kiosk.institution.id, root=tmp_path / "twin", campaign_path=demo_campaign_path())
    with twin:
        assert twin.tag_key == kiosk.tag_key and twin.kiosk_id != kiosk.kiosk_id
    assert other_kiosk.tag_key != kiosk.tag_key


def test_real_campaign_needs_a_key_file_from_the_central_office(tmp_path):
    text = demo_campaign_path().read_text(encoding="utf-8")
    real = tmp_path / "real.toml"
    real.write_text("\n".join(l for l in text.splitlines() if not l.startswith("demo_master_key")), encoding="utf-8")
    with pytest.raises(KioskError) as info:
        Kiosk.enroll("vzd-riga", root=tmp_path / "a", campaign_path=real)
    assert info.value.code == "enroll.no_key"
    master = tmp_path / "master.key"
    assert run_cli("central", "master-key", "--out", str(master)).returncode == 0
    assert stat.S_IMODE(master.stat().st_mode) == 0o600
    inst_key = tmp_path / "vzd.key"
    done = run_cli("central", "institution-key", "--campaign", str(real), "--master", str(master),
                   "--institution", "vzd-riga", "--out", str(inst_key))
    assert done.returncode == 0, done.stderr
    with Kiosk.enroll("vzd-riga", root=tmp_path / "b", campaign_path=real, key_file=inst_key) as k:
        pdf = tmp_path / "r.pdf"
        res = print_ballots(k, 1, out=pdf)
        assert k.store.issued_state(res.serials[0]) == "issued"


def test_print_job_recorded_without_linking_serials(kiosk, tmp_path):
    res = print_ballots(kiosk, 5, out=tmp_path / "five.pdf")
    (job,) = kiosk.store.print_jobs()
    assert (job["count"], job["state"], job["kiosk_id"], job["voided"]) == (5, "printed", kiosk.kiosk_id, 0)
    assert job["layout_id"] == res.layout_id
    cols = [r[1] for r in kiosk.store.db.execute("PRAGMA table_info(issued)")]
    assert cols == ["serial", "voided"]  # no time, no job: a serial cannot be tied to a moment
    assert kiosk.store.issued_counts()["issued"] == 5


def test_failed_output_voids_the_job_and_leaves_no_partial_file(kiosk, tmp_path):
    print_ballots(kiosk, 2, out=tmp_path / "ok.pdf")
    with pytest.raises(KioskError) as info:
        print_ballots(kiosk, 3, out=tmp_path / "missing-dir" / "x.pdf")
    assert info.value.code == "print.failed" and info.value.params["voided"] == 3
    assert "3" in info.value.message("lv")
    assert not (tmp_path / "missing-dir").exists()  # nothing half-written anywhere
    jobs = sorted(kiosk.store.print_jobs(), key=lambda j: j["state"])  # the table's order says nothing
    assert [j["state"] for j in jobs] == ["printed", "voided"] and jobs[1]["voided"] == 3
    assert kiosk.store.issued_counts() == {"issued": 2, "voided": 3}
    assert kiosk.store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_cancelled_stack_voids_its_serials(kiosk, tmp_path):
    seen = []
    with pytest.raises(KioskError) as info:
        print_ballots(kiosk, 50, out=tmp_path / "c.pdf", progress=lambda n, t: seen.append(n), cancelled=lambda: len(seen) >= 10)
    assert info.value.code == "print.cancelled" and info.value.params["voided"] == 50
    assert not (tmp_path / "c.pdf").exists() and not list(tmp_path.glob(".c.pdf.part"))
    assert kiosk.store.issued_counts() == {"issued": 0, "voided": 50}


def test_missing_printer_is_told_plainly(kiosk, tmp_path, monkeypatch):
    monkeypatch.setenv("CUPS_SERVER", str(tmp_path / "no-cups.sock"))  # no print server anywhere
    with pytest.raises(KioskError) as info:
        print_ballots(kiosk, 4, printer="Letiņa")
    assert info.value.code == "print.no_spooler"
    assert "CUPS" in info.value.message("en")
    assert kiosk.store.issued_counts() == {"issued": 0, "voided": 0}  # refused before any serial was issued
    assert kiosk.store.print_jobs() == []


# Held once the first ballot of the job is drawn.
HOLD_AFTER_FIRST_BALLOT = """
from kiosk.ballot import pdf

_add = pdf.BallotCanvas.add_ballot

def _add_ballot(self, *args, **kwargs):
    _add(self, *args, **kwargs)
    hold()

pdf.BallotCanvas.add_ballot = _add_ballot
"""


def test_killed_print_job_is_voided_on_next_open(kiosk, tmp_path):
    """A real process killed while printing (held after its first ballot is drawn):
    its job is recovered, its serials voided (no whole file was ever written)."""
    import signal

    import held

    root = kiosk.root
    kiosk.close()
    env = dict(os.environ, KIOSK_DATA_DIR=str(root))
    proc = held.start(["print", "--count", "10000", "--out", str(tmp_path / "big.pdf")], HOLD_AFTER_FIRST_BALLOT,
                      cwd=REPO, env=env, stdout=subprocess.DEVNULL)
    with proc:
        held.wait_held(proc)
        db = sqlite3.connect(root / "kiosk.db", timeout=10)
        assert db.execute("SELECT state, count FROM print_jobs").fetchall() == [("printing", 10000)]
        db.close()
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    with Kiosk.open(root) as again:
        (job,) = again.store.print_jobs()
        assert job["state"] == "voided" and job["count"] == 10000 and job["voided"] == 10000
        assert again.recovered == {"voided_jobs": 1, "voided": 10000, "unsettled": 0}
        assert again.store.issued_counts() == {"issued": 0, "voided": 10000}  # no whole file was ever written
        assert again.store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not (tmp_path / "big.pdf").exists()


def test_a_job_still_printing_elsewhere_is_left_alone(kiosk):
    """Opening the database (another thread, another window) never interrupts a live job."""
    job_id = kiosk.store.record_issue(
        {"kiosk_id": kiosk.kiosk_id, "campaign_id": kiosk.campaign.id, "institution_id": kiosk.institution.id,
         "layout_id": kiosk.layout().id, "target": "x"}, [b"12345678"])
    with Kiosk.open(kiosk.root) as other:
        assert next(j for j in other.store.print_jobs() if j["id"] == job_id)["state"] == "printing"
    kiosk.store.finish_job(job_id)
    assert kiosk.store.print_jobs()[0]["state"] == "printed"


def test_roster_change_makes_a_new_layout_and_keeps_the_old(kiosk, tmp_path):
    old_id = kiosk.layout().id
    root = kiosk.root
    kiosk.close()
    text = demo_campaign_path().read_text(encoding="utf-8").replace("Ūdris Žvaigzne", "Ūdris Žvaigzne-Ozols")
    changed = tmp_path / "changed.toml"
    changed.write_text(text, encoding="utf-8")
    with Kiosk.open(root, campaign_path=changed) as k:
        assert k.layout().id != old_id
        assert {old_id, k.layout().id} <= k.known_layouts()
        assert k.store.layout(k.campaign.id, k.institution.id, old_id).questions[0].options[3].label == "Ūdris Žvaigzne"


def test_disk_full_is_a_known_error(kiosk, tmp_path):
    kiosk.store.db.execute("PRAGMA max_page_count = %d" % kiosk.store.db.execute("PRAGMA page_count").fetchone()[0])
    with pytest.raises(KioskError) as info:
        print_ballots(kiosk, 2000, out=tmp_path / "big.pdf")
    assert info.value.code == "storage.disk_full"
    assert "Diskā nav vietas" in info.value.message("lv")
    assert kiosk.store.issued_counts()["issued"] == 0  # the whole job rolled back


def test_database_from_a_newer_version_is_refused(tmp_path):
    db = sqlite3.connect(tmp_path / "k.db")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(KioskError) as info:
        Store(tmp_path / "k.db")
    assert info.value.code == "storage.too_new"


def test_cli_print_status_and_data_dir_override(tmp_path):
    data = tmp_path / "env-data"
    done = run_cli("print", "--count", "3", "--out", str(tmp_path / "c.pdf"), "--json", env_dir=data)
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert info["count"] == 3 and info["institution"] == "kuldiga-vpvkac"
    assert (data / "kiosk.db").exists()
    status = json.loads(run_cli("status", "--json", env_dir=data).stdout)
    assert status["issued"] == 3 and status["data_dir"] == str(data)
    # --institution on an enrolled directory for another institution is refused plainly
    done = run_cli("print", "--count", "1", "--out", str(tmp_path / "d.pdf"), "--institution", "vzd-riga", env_dir=data)
    assert done.returncode == 1 and "enroll.already" in done.stderr and "Traceback" not in done.stderr
    done = run_cli("print", "--count", "0", "--out", str(tmp_path / "e.pdf"), env_dir=data)
    assert done.returncode == 1 and "print.count" in done.stderr
    done = run_cli("print", "--count", "1", env_dir=data)
    assert done.returncode == 2
    done = run_cli("bogus", env_dir=data)
    assert done.returncode == 2


def test_fresh_print_with_institution_enrolls_there(tmp_path):
    data = tmp_path / "riga"
    done = run_cli("--data-dir", str(data), "print", "--count", "1", "--institution", "vzd-riga",
                   "--page-size", "a4", "--out", str(tmp_path / "r.pdf"), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["institution"] == "vzd-riga"


def test_a_closed_output_pipe_is_not_a_bug(tmp_path):
    env = dict(os.environ, KIOSK_DATA_DIR=str(tmp_path / "d"))
    # like `| head -0` that has already exited: the reading end is closed before the
    # command starts, so its first write fails (the output would fit a pipe's buffer)
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        cli = subprocess.Popen([sys.executable, "-m", "kiosk", "campaign"], cwd=REPO, stdout=write_end,
                               stderr=subprocess.PIPE, env=env)
    finally:
        os.close(write_end)
    err = cli.stderr.read().decode()
    cli.stderr.close()
    assert cli.wait() == 141 and "Traceback" not in err and "internal error" not in err
