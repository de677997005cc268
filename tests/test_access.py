"""Access: the per-role lockout under concurrent attempts (threads and processes
against one database file), the PIN length policy, the command line signing in
through the same lockout, and the migration of an existing database."""
from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from kiosk.access.auth import FREE_ATTEMPTS, Auth, RoleLock, lockout_delay
from kiosk.access.roles import Role
from kiosk.access.settings import update_settings
from kiosk.cli.main import main
from kiosk.errors import KioskError
from kiosk.storage.migrations import MIGRATIONS
from kiosk.storage.store import SCHEMA_VERSION, Store

T0 = 1_800_000_000.0


def _attempt(db_path: str, role: str, pin: str, barrier) -> str:
    """One sign-in attempt on its own connection, released together with the others."""
    with Store(db_path) as store:
        auth = Auth(store, clock=lambda: T0)
        barrier.wait()
        try:
            auth.sign_in(role, pin)
        except KioskError as exc:
            return exc.code
        return "signed_in"


def _process(db_path: str, role: str, pins: list[str], barrier, results) -> None:
    """A process with a thread per attempt: every attempt of every process starts at once."""
    with ThreadPoolExecutor(len(pins)) as pool:
        codes = list(pool.map(lambda pin: _attempt(db_path, role, pin, barrier), pins))
    results.put(codes)


def _events(store: Store) -> Counter:
    return Counter(r["event"] for r in store.audit_rows())


def _expect_exact_policy(kiosk, codes: list[str]) -> None:
    # three tries were checked: two wrong (tries left told), the third locked the role
    assert Counter(codes) == {"auth.wrong_pin": FREE_ATTEMPTS - 1, "auth.locked": 16 - (FREE_ATTEMPTS - 1)}
    events = _events(kiosk.store)
    assert (events["auth.failed"], events["auth.locked"], events["auth.refused"]) == (2, 1, 13)
    # exactly the first lock: 30 s from the moment of the attempts, one lock counted
    assert kiosk.store.role_lock("front_desk") == (FREE_ATTEMPTS, 1, T0 + lockout_delay(1))
    auth = Auth(kiosk.store, clock=lambda: T0)
    assert auth.lock(Role.FRONT_DESK) == RoleLock(Role.FRONT_DESK, 0, 30, 1)
    # the other roles are untouched and sign in
    assert auth.sign_in(Role.HELPER, "2222").role is Role.HELPER
    assert auth.sign_in(Role.OFFICE, "3333").role is Role.OFFICE
    with pytest.raises(KioskError) as err:  # the right PIN waits for the lock like any other
        auth.sign_in(Role.FRONT_DESK, "1111")
    assert err.value.code == "auth.locked"


def test_sixteen_concurrent_wrong_pins_in_threads_lock_exactly_as_the_policy_says(kiosk):
    Auth(kiosk.store).ensure_demo_users()
    barrier = threading.Barrier(16)
    with ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(lambda n: _attempt(str(kiosk.datadir.db), "front_desk", f"{9000 + n}", barrier),
                              range(16)))
    _expect_exact_policy(kiosk, codes)


def test_sixteen_concurrent_wrong_pins_in_four_processes_lock_exactly_as_the_policy_says(kiosk):
    Auth(kiosk.store).ensure_demo_users()
    mp = multiprocessing.get_context("spawn")
    barrier = mp.Barrier(16)
    results = mp.Queue()
    procs = [mp.Process(target=_process, args=(str(kiosk.datadir.db), "front_desk",
                                                [f"{8000 + 4 * p + t}" for t in range(4)], barrier, results))
             for p in range(4)]
    for p in procs:
        p.start()
    codes = [code for _ in procs for code in results.get(timeout=120)]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    _expect_exact_policy(kiosk, codes)


def test_a_right_pin_among_concurrent_wrong_ones_gets_no_extra_tries(kiosk):
    """Sixteen attempts at once, one of them right.  A correct PIN clears the role's
    tries (as it does one attempt at a time), so the wrong ones may get a second
    round after it, never more: at most three wrong PINs before the right one is
    checked and three after it."""
    Auth(kiosk.store).ensure_demo_users()
    barrier = threading.Barrier(16)
    pins = ["1111"] + [f"{7000 + n}" for n in range(15)]
    with ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(lambda pin: _attempt(str(kiosk.datadir.db), "front_desk", pin, barrier), pins))
    events = _events(kiosk.store)
    wrong = events["auth.failed"] + events["auth.locked"]
    assert codes.count("signed_in") == events["auth.signed_in"] <= 1
    assert wrong <= FREE_ATTEMPTS * (1 + events["auth.signed_in"])
    assert events["auth.refused"] == 16 - wrong - events["auth.signed_in"]


# -- the PIN length policy ----------------------------------------------------------

def test_pin_length_policy_per_role(kiosk):
    auth = Auth(kiosk.store, clock=lambda: T0)
    auth.ensure_demo_users()
    office = auth.sign_in(Role.OFFICE, "3333")  # the demo PINs keep working
    assert [auth.pin_min_length(r) for r in Role] == [4, 4, 6]
    assert auth.short_pins() == [u["id"] for u in auth.users() if u["role"] == "office"]  # 3333 is too short now
    with pytest.raises(KioskError) as err:
        auth.add_user(office, "Ilze", Role.OFFICE, "12345")
    assert err.value.code == "auth.bad_pin" and err.value.message("lv") == "PIN kodā jābūt 6–8 cipariem"
    ilze = auth.add_user(office, "Ilze", Role.OFFICE, "123456")
    assert ilze not in auth.short_pins()
    auth.add_user(office, "Pēteris", Role.HELPER, "4567")
    for bad in ("3", "9", "seši"):
        with pytest.raises(KioskError) as err:
            update_settings(kiosk.store, office, {"auth.pin_length.helper": bad})
        assert err.value.code == "settings.invalid"
    desk = auth.sign_in(Role.FRONT_DESK, "1111")
    with pytest.raises(KioskError) as err:
        update_settings(kiosk.store, desk, {"auth.pin_length.front_desk": "6"})
    assert err.value.code == "auth.forbidden"
    update_settings(kiosk.store, office, {"auth.pin_length.helper": "8"})
    with pytest.raises(KioskError) as err:
        auth.add_user(office, "Anna", Role.HELPER, "1234567")
    assert err.value.message("en") == "A PIN must have 8–8 digits"
    short = set(auth.short_pins())
    assert {u["name"] for u in auth.users() if u["id"] in short} == {"Palīgs", "Birojs", "Pēteris"}
    assert auth.sign_in(Role.HELPER, "4567").name == "Pēteris"  # a shorter PIN set earlier still works
    pin_hashes = [r[0] for r in kiosk.store.db.execute("SELECT pin_hash FROM users")]
    assert not any("4567" in h or "123456" in h for h in pin_hashes)


# -- the command line ------------------------------------------------------------------

def test_the_command_line_signs_in_through_the_same_lockout(kiosk, tmp_path, monkeypatch, capsys):
    root = str(kiosk.root)
    out = str(tmp_path / "b.pdf")
    monkeypatch.delenv("KIOSK_PIN")
    monkeypatch.delenv("KIOSK_ROLE")
    # no PIN and no terminal to ask in: refused, told how to give one
    assert main(["--data-dir", root, "print", "--out", out]) == 1
    err = capsys.readouterr().err
    assert "[auth.pin_needed]" in err and "KIOSK_PIN" in err and "Reģistratūra" in err
    # the front desk's PIN by default for print; the helper's for scan
    monkeypatch.setenv("KIOSK_PIN", "1111")
    assert main(["--data-dir", root, "print", "--out", out]) == 0
    assert main(["--data-dir", root, "scan", "--workers", "1", out]) == 1
    assert "[auth.wrong_pin]" in capsys.readouterr().err
    assert main(["--data-dir", root, "--lang", "en", "scan", "--role", "front_desk", out]) == 1
    assert "may not do this" in capsys.readouterr().err  # the front desk does not scan
    # wrong PINs on the command line lock the role at the kiosk's screen too
    monkeypatch.setenv("KIOSK_PIN", "0000")
    codes = []
    for _ in range(4):
        assert main(["--data-dir", root, "--lang", "en", "print", "--out", out]) == 1
        codes.append(capsys.readouterr().err.split("[", 1)[1].split("]", 1)[0])
    assert codes == ["auth.wrong_pin", "auth.wrong_pin", "auth.locked", "auth.locked"]
    auth = Auth(kiosk.store)
    assert auth.locked_for(Role.FRONT_DESK) > 0 and auth.locked_for(Role.OFFICE) == 0
    # during the lock the right PIN does not print either; other roles work
    monkeypatch.setenv("KIOSK_PIN", "1111")
    assert main(["--data-dir", root, "print", "--out", out]) == 1
    assert "[auth.locked]" in capsys.readouterr().err
    monkeypatch.setenv("KIOSK_ROLE", "office")
    monkeypatch.setenv("KIOSK_PIN", "3333")
    assert main(["--data-dir", root, "print", "--out", out]) == 0
    capsys.readouterr()
    # the audit log has each command with its operating-system user and role
    rows = [r for r in kiosk.store.audit_rows() if r["event"] == "cli.command"]
    assert len(rows) == 10 and all(r["actor"].startswith("os:") for r in rows)
    assert '"role": "front_desk"' in rows[0]["fields"] and '"role": "office"' in rows[-1]["fields"]
    via = [r["fields"] for r in kiosk.store.audit_rows() if r["event"].startswith("auth.")]
    assert all('"via": "cli"' in f for f in via)


def test_a_pin_is_asked_for_in_a_terminal(kiosk, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("KIOSK_PIN")
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    asked = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: asked.append(prompt) or "3333")
    assert main(["--data-dir", str(kiosk.root), "export", "--list"]) == 0
    assert asked == ["PIN (Birojs): "]


# -- migration of an existing database -------------------------------------------

def test_an_existing_database_migrates_its_lock_and_demo_pins(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite3.connect(path, isolation_level=None)
    for number, script in enumerate(MIGRATIONS[:6], start=1):
        db.executescript(script)
        db.execute(f"PRAGMA user_version = {number}")
    db.execute("INSERT INTO users (name, role, pin_hash, default_pin, active, created_at)"
               " VALUES ('Birojs', 'office', 'x', 1, 1, '2026-01-01'), ('Anna', 'helper', 'y', 0, 1, '2026-01-01')")
    db.execute("UPDATE auth_lock SET failures = 5, locked_until = 1e12")
    db.close()
    with Store(path) as store:
        assert store.version == SCHEMA_VERSION
        assert {r["name"]: r["pin_length"] for r in store.users()} == {"Birojs": 4, "Anna": None}
        assert store.role_locks() == {r.value: (0, 0, 0.0) for r in Role}  # the old kiosk-wide lock is gone
        assert not store.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'auth_lock'").fetchone()
