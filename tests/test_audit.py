"""The audit log: events from the catalogue only, every action written, chained
rows, tampering (an edited, removed, moved or cut-off row) named."""
from __future__ import annotations

import json

import pytest
from conftest import REPO
from sheets import scans

from kiosk.access.auth import Auth
from kiosk.access.roles import Role
from kiosk.access.settings import update_settings
from kiosk.audit import catalogue
from kiosk.audit.log import record, row_hash, verify
from kiosk.ballot import payload
from kiosk.cli.main import main
from kiosk.errors import KioskError
from kiosk.session import SignedIn
from kiosk.station import Kiosk


def test_the_documentation_page_is_generated_from_the_catalogue():
    assert (REPO / "docs" / "audit-events.md").read_text(encoding="utf-8") == catalogue.markdown()


def test_rows_chain_and_unknown_events_are_refused(kiosk):
    assert [r["event"] for r in kiosk.store.audit_rows()] == ["audit.started", "kiosk.enrolled"]
    assert verify(kiosk.store) is None
    first = record(kiosk.store, "audit.started", "office")
    second = record(kiosk.store, "audit.started", "os:root")
    assert second == first + 1
    assert verify(kiosk.store) is None
    with pytest.raises(KioskError) as err:
        record(kiosk.store, "no.such_event", "office")
    assert err.value.code == "audit.unknown_event"
    with pytest.raises(KioskError) as err:
        record(kiosk.store, "print.job", "office", serial="X")
    assert err.value.code == "audit.unknown_field"


def events(kiosk, since: int = 0) -> list[tuple[str, str, dict]]:
    return [(r["event"], r["actor"], json.loads(r["fields"])) for r in kiosk.store.audit_rows() if r["seq"] > since]


def last_seq(kiosk) -> int:
    return kiosk.store.audit_head()[0]


def test_every_action_writes_its_event(kiosk, tmp_path, capsys):
    """Sign-in, wrong PIN, lock, refused attempt, unlock, print job, scan run, review
    decision, export, settings change, user changes, sign-out and a command-line
    command, each with its role (or the operating-system user) and never a serial."""
    clock = [1_800_000_000.0]
    auth = Auth(kiosk.store, clock=lambda: clock[0])
    auth.ensure_demo_users()

    mark = last_seq(kiosk)
    office = auth.sign_in(Role.OFFICE, "3333")
    for pin in ("0000", "0001", "0002", "1111"):
        with pytest.raises(KioskError):
            auth.sign_in(Role.HELPER, pin)
    auth.unlock(office, Role.HELPER)
    helper = auth.sign_in(Role.HELPER, "2222")
    desk = auth.sign_in(Role.FRONT_DESK, "1111")
    assert events(kiosk, mark) == [
        ("auth.signed_in", "office", {"user": office.user_id, "via": "gui"}),
        ("auth.failed", "helper", {"remaining": 2, "via": "gui"}),
        ("auth.failed", "helper", {"remaining": 1, "via": "gui"}),
        ("auth.locked", "helper", {"seconds": 30, "lock": 1, "via": "gui"}),
        ("auth.refused", "helper", {"seconds": 30, "via": "gui"}),
        ("auth.unlocked", "office", {"role": "helper"}),
        ("auth.signed_in", "helper", {"user": helper.user_id, "via": "gui"}),
        ("auth.signed_in", "front_desk", {"user": desk.user_id, "via": "gui"}),
    ]

    # print jobs: printed, cancelled, failed (count and outcome, never a serial or a file name)
    mark = last_seq(kiosk)
    counter = SignedIn(kiosk, desk)
    printed = counter.print_ballots(2, out=tmp_path / "b.pdf")
    with pytest.raises(KioskError):
        counter.print_ballots(3, out=tmp_path / "c.pdf", cancelled=lambda: True)
    with pytest.raises(KioskError):
        counter.print_ballots(1, out=tmp_path / "no-such-folder" / "x" / "d.pdf")
    jobs = events(kiosk, mark)
    assert [(e, a) for e, a, _ in jobs] == [("print.job", "front_desk")] * 3
    assert [f["outcome"] for _, _, f in jobs] == ["printed", "cancelled", "failed"]
    assert jobs[0][2] == {"count": 2, "outcome": "printed", "voided": 0, "to": "pdf", "error": None}
    assert jobs[1][2]["voided"] == 3 and jobs[1][2]["error"] == "print.cancelled"
    assert jobs[2][2]["error"] == "print.failed"

    # a scan run (counts) and review decisions (action and reason only)
    mark = last_seq(kiosk)
    spec = kiosk.layout()
    q = spec.questions[0]
    opts = [o.id for o in q.options]
    files = scans(kiosk, tmp_path / "scans", [{q.id: (opts[0], opts[1]), "rating": "4"},
                                             {q.id: (opts[1], opts[2]), "rating": "5"},
                                             {q.id: opts[2], "rating": "2"}], tmp_path)
    urn = SignedIn(kiosk, helper)
    results = list(urn.scan_paths(files + [tmp_path / "missing.png"], workers=1))
    review = urn.review()
    review.correct(results[0].sheet_id, {q.id: [opts[0]], "rating": ["4"]})
    review.reject(results[1].sheet_id, "several_marks")
    assert events(kiosk, mark) == [
        ("scan.run", "helper", {"source": "files", "outcome": "done", "sheets": 4, "counted": 1, "review": 2,
                                "rejected": 1, "duplicate": 0, "repeat": 0}),
        ("review.decided", "helper", {"action": "correct", "reason": None}),
        ("review.decided", "helper", {"action": "reject", "reason": "several_marks"}),
    ]

    # export (and a failed one), settings, users, sign-out
    mark = last_seq(kiosk)
    boss = SignedIn(kiosk, office)
    res = boss.export_batch(tmp_path / "usb")
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(KioskError):
        boss.export_batch(tmp_path / "file" / "usb")
    update_settings(kiosk.store, office, {"ui.idle_seconds": "240", "auth.pin_length.helper": "5"})
    anna = auth.add_user(office, "Anna", Role.HELPER, "45678")
    auth.set_pin(office, anna, "56789")
    auth.rename(office, anna, "Anna B.")
    auth.set_active(office, anna, False)
    auth.set_active(office, anna, True)
    auth.signed_out(office, "idle")
    assert events(kiosk, mark) == [
        ("export.batch", "office", {"batch": 1, "records": 3, "counted": 2, "rejected": 1, "pending": 0,
                                    "images": 0}),
        ("export.failed", "office", {"error": "export.output"}),
        ("settings.changed", "office", {"values": {"ui.idle_seconds": "240", "auth.pin_length.helper": "5"}}),
        ("user.added", "office", {"user": anna, "role": "helper"}),
        ("user.pin_changed", "office", {"user": anna}),
        ("user.renamed", "office", {"user": anna}),
        ("user.deactivated", "office", {"user": anna}),
        ("user.activated", "office", {"user": anna}),
        ("auth.signed_out", "office", {"user": office.user_id, "why": "idle"}),
    ]
    assert res.records == 3

    # a command-line command: the operating-system user, the command and the role it signed in as
    mark = last_seq(kiosk)
    assert main(["--data-dir", str(kiosk.root), "status", "--json"]) == 0
    assert main(["--data-dir", str(kiosk.root), "export", "--list", "--json"]) == 0
    capsys.readouterr()
    cli = events(kiosk, mark)
    assert cli[0][0] == "cli.command" and cli[0][1].startswith("os:") and cli[0][2] == {"command": "status",
                                                                                         "role": None}
    assert cli[1][2] == {"command": "export", "role": "office"}
    assert cli[2][:2] == ("auth.signed_in", "office") and cli[2][2]["via"] == "cli"

    # nothing in the log names a serial, a PIN or what a ballot says
    text = json.dumps([r for r in kiosk.store.audit_rows()], ensure_ascii=False)
    for serial in printed.serials:
        assert payload.serial_text(serial) not in text and serial.hex() not in text
    for r in results[:3]:
        assert r.serial not in text
    for pin in ("3333", "2222", "1111", "45678", "56789"):
        assert f'"{pin}"' not in text
    assert not any(o in text for o in opts)
    # and every event written is in the catalogue page
    assert {e for e, _, _ in events(kiosk)} <= set(catalogue.BY_CODE)
    assert verify(kiosk.store) is None


# -- tampering -------------------------------------------------------------------

def _log_of(kiosk, rows: int) -> None:
    for n in range(rows):
        record(kiosk.store, "settings.changed", "office", values={"n": n})


def _unguarded(kiosk):
    db = kiosk.store.db
    db.execute("DROP TRIGGER audit_written_once")
    db.execute("DROP TRIGGER audit_kept")
    return db


def test_an_edited_row_is_named(kiosk):
    _log_of(kiosk, 4)
    _unguarded(kiosk).execute("UPDATE audit_log SET actor = 'helper' WHERE seq = 4")
    problem = verify(kiosk.store)
    assert (problem.seq, problem.reason) == (4, "altered")
    assert problem.message("lv") == "Audita žurnāls nav vesels: pirmā nederīgā rinda ir 4 (rinda mainīta)"


def test_a_removed_row_is_named(kiosk):
    _log_of(kiosk, 4)
    _unguarded(kiosk).execute("DELETE FROM audit_log WHERE seq = 3")
    problem = verify(kiosk.store)
    assert (problem.seq, problem.reason) == (3, "missing")


def test_a_removed_row_is_named_even_when_the_rest_is_renumbered(kiosk):
    _log_of(kiosk, 5)
    db = _unguarded(kiosk)
    db.execute("DELETE FROM audit_log WHERE seq = 3")
    for seq in range(4, 8):  # close the gap and give each moved row a hash that fits its new number
        row = db.execute("SELECT * FROM audit_log WHERE seq = ?", (seq,)).fetchone()
        new = row_hash(row["prev"], seq - 1, row["at"], row["event"], row["actor"], json.loads(row["fields"]))
        db.execute("UPDATE audit_log SET seq = ?, hash = ? WHERE seq = ?", (seq - 1, new, seq))
    problem = verify(kiosk.store)
    assert (problem.seq, problem.reason) == (3, "missing")


def test_a_moved_row_is_named(kiosk):
    _log_of(kiosk, 4)
    db = _unguarded(kiosk)
    db.execute("UPDATE audit_log SET seq = -1 WHERE seq = 3")
    db.execute("UPDATE audit_log SET seq = 3 WHERE seq = 4")
    db.execute("UPDATE audit_log SET seq = 4 WHERE seq = -1")
    problem = verify(kiosk.store)
    assert (problem.seq, problem.reason) == (3, "order")
    assert "pārvietota" in problem.message("lv") and "moved" in problem.message("en")


def test_a_log_cut_short_after_an_export_is_named(kiosk, tmp_path):
    auth = Auth(kiosk.store)
    auth.ensure_demo_users()
    office = SignedIn(kiosk, auth.sign_in(Role.OFFICE, "3333"))
    _log_of(kiosk, 3)
    office.export_batch(tmp_path / "usb")
    [(batch, anchor, digest)] = kiosk.store.audit_anchors()
    assert batch == 1 and kiosk.store.audit_head()[0] == anchor + 1  # the export's own event follows
    with open(tmp_path / "usb" / f"{kiosk.kiosk_id}-batch-0001.zip", "rb") as fh:
        import zipfile

        manifest = json.loads(zipfile.ZipFile(fh).read("manifest.json"))
    assert manifest["audit"] == {"seq": anchor, "sha256": digest}  # also in the signed manifest
    # cut off everything from the row the batch saw last: the chain that is left still holds
    _unguarded(kiosk).execute("DELETE FROM audit_log WHERE seq >= ?", (anchor,))
    problem = verify(kiosk.store)
    assert (problem.seq, problem.reason) == (anchor, "missing")


def test_a_rewritten_tail_is_named_at_the_head_a_batch_recorded(kiosk, tmp_path):
    auth = Auth(kiosk.store)
    auth.ensure_demo_users()
    office = SignedIn(kiosk, auth.sign_in(Role.OFFICE, "3333"))
    _log_of(kiosk, 3)
    office.export_batch(tmp_path / "usb")
    [(_batch, anchor, _digest)] = kiosk.store.audit_anchors()
    db = _unguarded(kiosk)
    # a consistent forgery: row `anchor` edited and every hash from there on recomputed
    db.execute("UPDATE audit_log SET actor = 'helper' WHERE seq = ?", (anchor,))
    prev = db.execute("SELECT hash FROM audit_log WHERE seq = ?", (anchor - 1,)).fetchone()[0]
    for row in db.execute("SELECT * FROM audit_log WHERE seq >= ? ORDER BY seq", (anchor,)).fetchall():
        new = row_hash(prev, row["seq"], row["at"], row["event"], row["actor"], json.loads(row["fields"]))
        db.execute("UPDATE audit_log SET prev = ?, hash = ? WHERE seq = ?", (prev, new, row["seq"]))
        prev = new
    problem = verify(kiosk.store)
    assert (problem.seq, problem.reason) == (anchor, "altered")


def test_cli_audit_shows_and_verifies(kiosk, capsys):
    root = str(kiosk.root)
    assert main(["--data-dir", root, "audit"]) == 0
    text = capsys.readouterr().out
    assert "audit.started" in text and "kiosk.enrolled" in text and "cli.command" in text
    assert main(["--data-dir", root, "audit", "--json", "--last", "2"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["event"] for r in rows] == ["cli.command", "auth.signed_in"]
    assert main(["--data-dir", root, "--lang", "lv", "audit", "--verify"]) == 0
    assert capsys.readouterr().out.startswith("Audita žurnāls ir vesels:")
    _unguarded(kiosk).execute("UPDATE audit_log SET fields = '{}' WHERE seq = 2")
    assert main(["--data-dir", root, "--lang", "en", "audit", "--verify"]) == 1
    assert capsys.readouterr().out.strip() == "The audit log is not intact: the first bad row is 2 (the row was changed)"
    assert main(["--data-dir", root, "audit", "--verify", "--json"]) == 1
    verdict = json.loads(capsys.readouterr().out)
    assert verdict["ok"] is False and verdict["problem"]["seq"] == 2 and verdict["problem"]["reason"] == "altered"
    # only the office reads the log
    assert main(["--data-dir", root, "audit", "--role", "helper"]) == 1
    assert "[auth.wrong_pin]" in capsys.readouterr().err  # 3333 is not a helper's PIN
    with Kiosk.open(root) as again:
        assert again.store.audit_head()[0] > 10
