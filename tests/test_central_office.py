"""The central office's own data directory (kiosk/central/office.py, kiosk/storage/central.py).

Real kiosks export real batches; the office copies them into a real data directory,
keeps its decisions in a real SQLite file and writes a real PDF.
"""
from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import sqlite3
import subprocess
import weakref
from pathlib import Path

import pytest

from kiosk.assets import demo_campaign_path
from kiosk.ballot.keys import write_hex_key
from kiosk.central.office import CentralOffice, freeze_survivors
from kiosk.central.online import parse_online
from kiosk.errors import KioskError
from kiosk.storage.central import CENTRAL_SCHEMA_VERSION, CentralStore


@pytest.fixture
def office(tmp_path):
    with CentralOffice.open(tmp_path / "central", operator="Ilze") as o:
        o.configure(campaign=demo_campaign_path())
        yield o


def test_import_copies_by_content_verifies_and_a_second_import_changes_nothing(office, stick):
    first = office.import_paths([stick.folder])
    assert len(first.new) == 5 and first.unchanged == () and first.unreadable == ()
    stored = sorted(p.name for p in office.dir.batches.iterdir())
    assert stored == sorted(f"{f.sha256}.zip" for f in first.new)
    for f in first.new:
        assert (office.dir.batch_file(f.sha256).read_bytes()
                == next(p for p in [*stick.genuine, stick.tampered] if p.name == f.name and
                        hashlib.sha256(p.read_bytes()).hexdigest() == f.sha256).read_bytes())
    reasons = sorted((f.reason or "ok") for f in first.new)
    assert reasons == ["altered_record", "ok", "ok", "ok", "ok"]

    again = office.import_paths([stick.folder, stick.genuine[0]])
    assert again.new == () and len(again.unchanged) == 6
    assert sorted(p.name for p in office.dir.batches.iterdir()) == stored
    assert len(office.store.files()) == 5


def test_overview_names_chains_and_excluded_files_in_plain_words(office, stick):
    office.import_paths([stick.folder])
    view = office.overview()
    assert view.files == 5 and view.unverified == 0
    inst_a, inst_b = office.campaign.institutions[0].id, office.campaign.institutions[1].id
    assert list(view.institutions) == [inst_a, inst_b]
    assert sorted((k.received, k.accepted, k.state) for k in view.institutions[inst_a]) == [
        (1, 1, "complete"), (3, 2, "complete")]
    [excluded] = view.excluded
    assert excluded.reason == "altered_record" and excluded.batch == 1
    assert "mainīta" in excluded.message("lv") and "altered" in excluded.message("en")


def test_a_missing_batch_and_a_revoked_kiosk_show_in_the_chains(office, stick):
    office.import_paths([stick.genuine[1], stick.genuine[2]])  # A's batch 2 without batch 1
    view = office.overview()
    chains = {k.kiosk_id: k for ks in view.institutions.values() for k in ks}
    a_id = stick.genuine[1].name.split("-batch")[0]
    assert chains[a_id].state == "missing" and chains[a_id].missing == (1,)
    second_id = stick.second.kiosk_id
    office.configure(revocations=f"{second_id}  # lost on 2026-11-30\n")
    chains = {k.kiosk_id: k for ks in office.overview().institutions.values() for k in ks}
    assert chains[second_id].state == "revoked" and chains[second_id].accepted == 0
    with pytest.raises(KioskError) as err:
        office.configure(revocations="kiosk-x\n")
    assert err.value.code == "central.revocations"
    assert office.revocations == {second_id: None}  # nothing written by the refused list


def test_conflict_shown_with_images_decided_changed_and_frozen_by_publishing(office, stick, tmp_path):
    office.import_paths([stick.folder])
    count = office.count("lv")
    [conflict] = count.result.unresolved_conflicts
    assert conflict.serial == stick.conflict_serial and len(conflict.copies) == 2
    images = [office.copy_image(count, c, conflict.serial) for c in conflict.copies]
    assert all(img is not None and img[1] == "png" and img[0][:8] == b"\x89PNG\r\n\x1a\n" for img in images)
    assert images[0][0] != images[1][0]
    with pytest.raises(KioskError) as err:
        office.publish(count)
    assert err.value.code == "central.undecided"

    first, second = conflict.copies
    office.decide(count, conflict.serial, first, "pirmais lasījums")
    office.decide(count, conflict.serial, second, "  otrā kopija: krusts skaidri redzams  ")
    decision = office.decisions()[conflict.serial]
    assert (decision.kind, decision.kiosk_id, decision.batch, decision.decided_by) == (
        "copy", second.kiosk_id, second.batch, "Ilze")
    assert decision.note == "otrā kopija: krusts skaidri redzams"
    assert [d.kind for d in office.store.decision_history(conflict.serial)] == ["copy", "copy"]

    count = office.count("lv")
    assert count.result.unresolved_conflicts == () and count.result.conflicts[0].counted.kiosk_id == second.kiosk_id
    got = {(s.institution_id, s.id): s.votes for s in count.result.specialists if s.votes}
    expected = dict(stick.votes)
    key = (second.institution_id, dict(second.choices)["specialist"])
    expected[key] = expected.get(key, 0) + 1
    assert got == expected

    pub = office.publish(count, now=dt.datetime(2026, 12, 1, 12, tzinfo=dt.timezone.utc))
    assert office.published == pub and pub.published_by == "Ilze"
    text = subprocess.run(["pdftotext", "-layout", pub.report, "-"], capture_output=True, text=True,
                          check=True).stdout
    assert stick.conflict_serial in text
    reports = sorted(p.name for p in office.dir.reports.iterdir())
    assert reports == ["results-20261201-120000." + ext for ext in ("csv", "json", "pdf", "xlsx")]
    doc = json.loads(pub.result)
    assert doc == json.loads((office.dir.reports / "results-20261201-120000.json").read_text(encoding="utf-8"))
    assert doc["decisions"][conflict.serial]["note"] == "otrā kopija: krusts skaidri redzams"
    excluded = len(count.result.excluded_batches)
    assert doc["published"] == {"at": "2026-12-01T12:00:00+00:00", "by": "Ilze", "final": True,
                                "files_not_counted": excluded}
    assert "GALĪGIE REZULTĀTI" in text and "DAĻĒJI" not in text
    assert (f"Faili, kas netika skaitīti: {excluded}." in " ".join(text.split())) == (excluded > 0)
    with pytest.raises(KioskError) as err:
        office.decide(count, conflict.serial, None, "par vēlu")
    assert err.value.code == "central.published"
    with pytest.raises(KioskError) as err:
        office.publish(count)
    assert err.value.code == "central.published"
    # the database itself refuses: triggers, not only the facade
    with pytest.raises(sqlite3.IntegrityError):
        office.store.db.execute("DELETE FROM decisions")


def test_a_decision_names_a_copy_of_a_conflict(office, stick):
    office.import_paths([stick.folder])
    count = office.count()
    with pytest.raises(KioskError) as err:
        office.decide(count, "AAAA-AAAA-AAAAA", None)
    assert err.value.code == "central.no_conflict"
    office.decide(count, stick.conflict_serial, None, "abas kopijas apšaubāmas")
    assert office.count().result.conflicts[0].resolved
    office.withdraw(stick.conflict_serial)
    assert office.decisions() == {} and not office.count().result.conflicts[0].resolved


def test_online_vote_import_lists_every_bad_line_and_stores_nothing(office, tmp_path, demo_campaign):
    inst = demo_campaign.institutions[0]
    good = tmp_path / "online.csv"
    good.write_text("institution_id,specialist_id,votes\n"
                    f"{inst.id},{inst.specialists[2].id},100\n{inst.id},,7\n{inst.id},{inst.specialists[2].id},5\n",
                    encoding="utf-8")
    imported = office.import_online(good)
    assert (imported.lines, imported.votes) == (3, 112)
    assert office.store.online_votes() == {(inst.id, inst.specialists[2].id): 105, (inst.id, ""): 7}
    bad = tmp_path / "bad.csv"
    bad.write_text("institution_id,specialist_id,votes\n"
                   f"{inst.id},nav-tāda,3\nnav-iestādes,,1\n{inst.id},,daudz\n{inst.id},,2\n", encoding="utf-8")
    with pytest.raises(KioskError) as err:
        office.import_online(bad)
    detail = err.value.message("en")
    assert "bad.csv:2" in detail and "bad.csv:3" in detail and "bad.csv:4" in detail and "bad.csv:5" not in detail
    assert office.online_import() == imported  # the earlier import still stands
    with pytest.raises(KioskError):
        parse_online("a,b,c\n", demo_campaign)


def test_online_votes_put_a_specialist_no_paper_ballot_chose_first(office, stick, tmp_path):
    office.import_paths([stick.folder])
    inst = office.campaign.institutions[1]
    nobody = next(s for s in inst.specialists if (inst.id, s.id) not in stick.votes)
    online = tmp_path / "online.csv"
    online.write_text(f"institution_id,specialist_id,votes\n{inst.id},{nobody.id},100\n", encoding="utf-8")
    office.import_online(online)
    first = office.count().result.specialists[0]
    assert (first.id, first.paper, first.online, first.votes, first.rank) == (nobody.id, 0, 100, 100, 1)


def test_a_new_master_key_means_every_file_is_verified_again(office, stick, tmp_path):
    office.import_paths([stick.folder])
    key = tmp_path / "wrong.key"
    write_hex_key(key, b"\x01" * 32)
    office.configure(master=key)
    assert office.overview().unverified == 5
    assert office.verify_pending() == 5
    # certificates made with the demo key do not verify with another master key
    assert all(f.reason in ("unknown_key", "bad_tag") for f in office.store.files() if f.name != "x")


def test_the_store_has_its_own_versioned_schema(tmp_path):
    with CentralStore(tmp_path / "c.db") as store:
        assert store.version == CENTRAL_SCHEMA_VERSION
    with CentralStore(tmp_path / "c.db") as store:  # opening again applies nothing twice
        assert store.version == CENTRAL_SCHEMA_VERSION
    db = sqlite3.connect(tmp_path / "c.db")
    db.execute(f"PRAGMA user_version = {CENTRAL_SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(KioskError) as err:
        CentralStore(tmp_path / "c.db")
    assert err.value.code == "storage.too_new"


def test_an_unreadable_file_is_named_and_the_rest_go_on(office, stick, tmp_path):
    missing = tmp_path / "nav.zip"
    out = office.import_paths([missing, stick.genuine[0]])
    assert [f.name for f in out.new] == [stick.genuine[0].name]
    assert out.unreadable and out.unreadable[0][0] == "nav.zip"


def test_kiosk_central_gui_starts_the_registered_window(tmp_path, monkeypatch):
    """``kiosk central gui`` finds the window by its entry point (pyproject.toml) and hands it
    the data directory and the language; without one installed it says so."""
    from kiosk.cli import gui
    from kiosk.cli.main import main

    started = []

    class EntryPoint:
        name = "qt"

        def load(self):
            return lambda data_dir, lang: started.append((data_dir, lang)) or 0

    monkeypatch.setattr(gui, "entry_points", lambda group: [EntryPoint()] if group == "urn_kiosk.central_gui" else [])
    assert main(["--data-dir", str(tmp_path / "c"), "--lang", "en", "central", "gui"]) == 0
    assert started == [(str(tmp_path / "c"), "en")]
    monkeypatch.setattr(gui, "entry_points", lambda group: [])
    assert main(["central", "gui"]) != 0
    text = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert '[project.entry-points."urn_kiosk.central_gui"]\nqt = "ui.central.app:run"' in text


def test_freeze_survivors_collects_the_garbage_before_freezing_what_lives():
    """What the central office keeps is moved out of the cyclic collector's way, and the
    cyclic garbage made meanwhile is collected first, never frozen with it."""

    class Node:
        pass

    gone = Node()
    gone.me = gone  # a reference cycle nobody holds any more: garbage only the collector frees
    gone_ref = weakref.ref(gone)
    del gone
    kept = Node()
    kept.me = kept
    try:
        freeze_survivors()
        assert gone_ref() is None
        assert gc.get_freeze_count() > 0
        assert not any(o is kept for o in gc.get_objects())  # frozen: no generation walks it
    finally:
        gc.unfreeze()
    assert any(o is kept for o in gc.get_objects())
