"""Review decisions are appended, never overwritten: undo, reopen, the state of a sheet now."""
from __future__ import annotations

import json
import sqlite3

import pytest
from PIL import Image
from sheets import scans

from kiosk.access.auth import Auth
from kiosk.access.roles import Role
from kiosk.errors import KioskError
from kiosk.intake.review import Review
from kiosk.intake.scan import scan_paths
from kiosk.session import SignedIn
from kiosk.storage.migrations import MIGRATIONS
from kiosk.storage.store import SCHEMA_VERSION, Store


@pytest.fixture
def sessions(kiosk):
    auth = Auth(kiosk.store)
    auth.ensure_demo_users()
    return {role: auth.sign_in(role, pin) for role, pin in
            ((Role.FRONT_DESK, "1111"), (Role.HELPER, "2222"), (Role.OFFICE, "3333"))}


def scanned(kiosk, tmp_path, votes_list, prefix="h"):
    return list(scan_paths(kiosk, scans(kiosk, tmp_path / prefix, votes_list, tmp_path, prefix=prefix), workers=1))


def audit_events(kiosk, *codes):
    return [(r["event"], json.loads(r["fields"])) for r in kiosk.store.audit_rows() if r["event"] in codes]


def test_a_helper_undoes_their_last_decision_and_decides_again(kiosk, tmp_path, sessions):
    q1 = kiosk.layout().questions[0]
    o = [x.id for x in q1.options]
    (doubt,) = scanned(kiosk, tmp_path, [{q1.id: (o[0], o[1]), "rating": "4"}])
    review = Review(kiosk, sessions[Role.HELPER])
    decided = review.reject(doubt.sheet_id, "several_marks")
    assert review.queue() == []
    state = kiosk.store.sheet_states([doubt.sheet_id])[doubt.sheet_id]
    assert (state.status, state.decision, state.reason, state.decided_by) == ("rejected", "reject", "several_marks",
                                                                              "helper")
    review.undo(decided)
    assert review.queue() == [doubt.sheet_id]
    state = kiosk.store.sheet_states([doubt.sheet_id])[doubt.sheet_id]
    assert state.pending and state.decision == "undo" and not state.reviewed
    (final,) = [f for f in kiosk.store.final_sheets() if f.sheet_id == doubt.sheet_id]
    assert final.final_status == "review"  # not in the next batch while it waits
    # the same decision cannot be taken back twice
    with pytest.raises(KioskError) as e:
        review.undo(decided)
    assert e.value.code == "review.undo_stale"
    # decided again: the new decision stands, the history stays
    review.correct(doubt.sheet_id, {q1.id: [o[1]], "rating": ["4"]})
    history = kiosk.store.decisions(doubt.sheet_id)
    assert [d["action"] for d in history] == ["reject", "undo", "correct"]
    assert history[1]["reverses"] == decided and history[1]["selections"] is None
    (final,) = [f for f in kiosk.store.final_sheets() if f.sheet_id == doubt.sheet_id]
    assert final.final_status == "counted" and final.selections == {q1.id: [o[1]], "rating": ["4"]}
    # the audit log has each step, never what the ballot says
    events = audit_events(kiosk, "review.decided", "review.undone")
    assert events == [("review.decided", {"action": "reject", "reason": "several_marks"}),
                      ("review.undone", {"action": "reject"}),
                      ("review.decided", {"action": "correct", "reason": None})]
    # the rows themselves are never changed
    with pytest.raises(sqlite3.IntegrityError):
        kiosk.store.db.execute("UPDATE decisions SET action = 'confirm' WHERE id = ?", (decided,))
    with pytest.raises(sqlite3.IntegrityError):
        kiosk.store.db.execute("DELETE FROM decisions WHERE id = ?", (decided,))


def test_a_helper_cannot_undo_the_office_decision_the_office_can_undo_anyones(kiosk, tmp_path, sessions):
    q1 = kiosk.layout().questions[0]
    o = [x.id for x in q1.options]
    a, b = scanned(kiosk, tmp_path, [{q1.id: (o[0], o[1])}, {q1.id: (o[2], o[3])}])
    office, helper = Review(kiosk, sessions[Role.OFFICE]), Review(kiosk, sessions[Role.HELPER])
    by_office = office.reject(a.sheet_id, "unreadable")
    with pytest.raises(KioskError) as e:
        helper.undo(by_office)
    assert e.value.code == "review.not_own"
    by_helper = helper.reject(b.sheet_id, "unreadable")
    office.undo(by_helper)
    assert helper.queue() == [b.sheet_id]
    with pytest.raises(KioskError) as e:
        SignedIn(kiosk, sessions[Role.FRONT_DESK]).review()
    assert e.value.code == "auth.forbidden"


def test_the_office_reopens_decided_ballots_until_they_are_exported(kiosk, tmp_path, sessions):
    q1 = kiosk.layout().questions[0]
    o = [x.id for x in q1.options]
    doubt, clear, other = scanned(kiosk, tmp_path, [
        {q1.id: (o[0], o[1]), "rating": "2"}, {q1.id: o[2], "rating": "5"}, {q1.id: (o[1], o[3])}])
    assert [r.status for r in (doubt, clear, other)] == ["review", "counted", "review"]
    blank = tmp_path / "blank.png"
    Image.new("L", (874, 1240), 250).save(blank)
    (foreign,) = scan_paths(kiosk, [blank], workers=1)
    copy = tmp_path / "copy.png"
    with Image.open(tmp_path / "h" / "h-001.png") as again:  # the clear ballot scanned again ...
        again.load()
        again.putpixel((3, 3), 0)  # ... as another file: the same serial on another sheet
        again.save(copy)
    (dup,) = scan_paths(kiosk, [copy], workers=1)
    assert dup.status == "duplicate" and foreign.status == "rejected"

    helper, office = Review(kiosk, sessions[Role.HELPER]), Review(kiosk, sessions[Role.OFFICE])
    helper.correct(doubt.sheet_id, {q1.id: [o[0]], "rating": ["2"]})
    with pytest.raises(KioskError) as e:
        helper.reopen(doubt.sheet_id)
    assert e.value.code == "auth.forbidden"
    # a ballot still waiting, a foreign sheet and a duplicate cannot be reopened
    for sheet_id in (other.sheet_id, foreign.sheet_id, dup.sheet_id):
        with pytest.raises(KioskError) as e:
            office.reopen(sheet_id)
        assert e.value.code == "review.not_decided", sheet_id
    states = kiosk.store.sheet_states([doubt.sheet_id, clear.sheet_id, foreign.sheet_id, dup.sheet_id])
    assert [states[s].reopenable for s in (doubt.sheet_id, clear.sheet_id, foreign.sheet_id, dup.sheet_id)] == \
        [True, True, False, False]
    assert states[dup.sheet_id].duplicate_of == clear.sheet_id
    assert states[dup.sheet_id].original_source.endswith("h-001.png") and states[dup.sheet_id].original_page == 1

    # reopened: a person's decision and the machine's count both go back to review
    office.reopen(doubt.sheet_id)
    office.reopen(clear.sheet_id)
    assert helper.queue() == [doubt.sheet_id, clear.sheet_id, other.sheet_id]
    assert SignedIn(kiosk, sessions[Role.OFFICE]).export_summary()["in_review"] == 3
    assert audit_events(kiosk, "review.reopened") == [("review.reopened", {"was": "counted", "by": "person"}),
                                                      ("review.reopened", {"was": "counted", "by": "machine"})]
    # decided again, exported: nothing can change it any more
    helper.decide(doubt.sheet_id, {q1.id: [o[0]], "rating": ["2"]})
    clear_decision = helper.reject(clear.sheet_id, "identifying")
    helper.reject(other.sheet_id, "several_marks")
    result = SignedIn(kiosk, sessions[Role.OFFICE]).export_batch(tmp_path / "out")
    assert (result.counted, result.rejected) == (1, 2)
    for attempt in (lambda: office.reopen(doubt.sheet_id), lambda: office.undo(clear_decision),
                    lambda: helper.undo(clear_decision)):
        with pytest.raises(KioskError) as e:
            attempt()
        assert e.value.code == "review.exported" and "Nr. 1" in e.value.message("lv")
    assert not kiosk.store.sheet_states([doubt.sheet_id])[doubt.sheet_id].reopenable


def test_the_migration_keeps_every_decision_and_allows_reversals(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite3.connect(path, isolation_level=None)
    before = MIGRATIONS.index(next(m for m in MIGRATIONS if "decisions_v10" in m))
    for number, script in enumerate(MIGRATIONS[:before], start=1):
        db.executescript(script)
        db.execute(f"PRAGMA user_version = {number}")
    db.execute("INSERT INTO images VALUES ('a', 'p', 1, 'image/png')")
    db.execute("INSERT INTO sheets (id, image_sha256, page, source, status, serial, interpretation)"
               " VALUES (1, 'a', 1, 's', 'review', x'0102030405060708', '{}')")
    db.execute("INSERT INTO ballots VALUES (x'0102030405060708', 1)")
    db.execute("INSERT INTO decisions (sheet_id, action, selections, reason, role, decided_at)"
               " VALUES (1, 'reject', NULL, 'damaged', 'helper', '2026-10-01T10:00:00+00:00')")
    db.close()
    with Store(path) as store:
        assert store.version == SCHEMA_VERSION
        (old,) = store.decisions(1)
        assert (old["action"], old["reason"], old["role"], old["reverses"]) == ("reject", "damaged", "helper", None)
        undo = store.reverse_decision(1, "undo", "helper", decision_id=old["id"])
        assert store.review_queue_ids() == [1]
        assert [d["id"] for d in store.decisions(1)] == [old["id"], undo]
        for sql in ("UPDATE decisions SET role = 'office'", "DELETE FROM decisions"):
            with pytest.raises(sqlite3.IntegrityError):
                store.db.execute(sql)
        with pytest.raises(sqlite3.IntegrityError):  # the check constraint still holds
            store.db.execute("INSERT INTO decisions (sheet_id, action, role, decided_at) VALUES (1, 'maybe', 'x', 'y')")


@pytest.mark.parametrize(("n", "lv", "en"), [
    (1, "Anulēts 1 biļetens", "1 ballot voided"),
    (2, "Anulēti 2 biļeteni", "2 ballots voided"),
    (10, "Anulēti 10 biļeteni", "10 ballots voided"),
    (11, "Anulēti 11 biļeteni", "11 ballots voided"),
    (21, "Anulēts 21 biļetens", "21 ballots voided"),
    (22, "Anulēti 22 biļeteni", "22 ballots voided"),
])
def test_core_messages_agree_with_their_numbers(n, lv, en):
    err = KioskError("print.cancelled", voided=n)
    assert err.message("lv") == f"Drukāšana atcelta. {lv}"
    assert err.message("en") == f"Printing cancelled. {en}"
