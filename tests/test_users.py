"""Roles, PINs, lockout and settings in the core (no Qt)."""
from __future__ import annotations

import dataclasses

import pytest

from kiosk.access.auth import (
    DEMO_USERS,
    MAX_DELAY_S,
    Auth,
    RoleLock,
    check_pin,
    hash_pin,
    lockout_delay,
)
from kiosk.access.roles import Action, Role, Session, require
from kiosk.access.settings import get_settings, update_settings
from kiosk.errors import KioskError
from kiosk.intake.context import read_context
from kiosk.station import Kiosk


class Clock:
    def __init__(self, t: float = 1_800_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def auth(kiosk):
    a = Auth(kiosk.store, clock=Clock())
    assert a.ensure_demo_users() is True
    return a


def test_pins_are_salted_hashes():
    a, b = hash_pin("1111"), hash_pin("1111")
    assert a != b and "1111" not in a
    assert check_pin("1111", a) and not check_pin("1112", a)
    assert not check_pin("1111", "garbage")


def test_demo_users_created_once_and_flagged(auth, kiosk):
    assert auth.ensure_demo_users() is False
    users = auth.users()
    assert {u["role"] for u in users} == {"front_desk", "helper", "office"}
    assert all("pin_hash" not in u for u in users)
    assert sorted(pin for _role, pin in auth.demo_pins_in_use()) == ["1111", "2222", "3333"]
    for _name, role, pin in DEMO_USERS:
        assert auth.sign_in(role, pin).role == role


def test_wrong_role_or_pin_fails_and_says_how_many_tries_are_left(auth):
    with pytest.raises(KioskError) as e:
        auth.sign_in(Role.OFFICE, "1111")  # the front desk's PIN does not open the office
    assert e.value.code == "auth.wrong_pin"
    assert e.value.message("lv") == "Nepareizs PIN kods: atlikuši vēl 2 mēģinājumi"
    assert e.value.message("en") == "Wrong PIN: 2 tries left"
    with pytest.raises(KioskError) as e:
        auth.sign_in(Role.OFFICE, "1112")
    assert e.value.message("lv") == "Nepareizs PIN kods: atlicis vēl 1 mēģinājums"
    assert e.value.message("en") == "Wrong PIN: 1 try left"
    assert auth.lock(Role.OFFICE).remaining == 1
    assert auth.lock(Role.HELPER).remaining == 3  # one lock per role


def test_lockout_grows_and_survives_restart(kiosk):
    clock = Clock()
    auth = Auth(kiosk.store, clock=clock)
    auth.ensure_demo_users()
    for _ in range(2):
        with pytest.raises(KioskError, match="Wrong PIN"):
            auth.sign_in(Role.HELPER, "0000")
    with pytest.raises(KioskError) as e:
        auth.sign_in(Role.HELPER, "0000")
    assert e.value.code == "auth.locked" and e.value.params["seconds"] == 30
    # while locked even the right PIN is refused, without being checked
    clock.t += 10
    with pytest.raises(KioskError) as e:
        auth.sign_in(Role.HELPER, "2222")
    assert e.value.code == "auth.locked" and e.value.params["seconds"] == 20
    # the other roles sign in as usual
    assert auth.sign_in(Role.OFFICE, "3333").role is Role.OFFICE
    assert auth.locked_for(Role.FRONT_DESK) == 0
    # a restart (a new connection, a new Auth) keeps the lock
    root = kiosk.root
    with Kiosk.open(root) as k2:
        assert Auth(k2.store, clock=clock).locked_for(Role.HELPER) == 20
    clock.t += 20
    # the lock ran out: three fresh tries, a single wrong PIN does not lock again
    assert auth.lock(Role.HELPER) == RoleLock(Role.HELPER, 3, 0, 1)
    with pytest.raises(KioskError) as e:
        auth.sign_in(Role.HELPER, "9999")
    assert e.value.code == "auth.wrong_pin" and e.value.params["remaining"] == 2
    with pytest.raises(KioskError):
        auth.sign_in(Role.HELPER, "9998")
    with pytest.raises(KioskError) as e:
        auth.sign_in(Role.HELPER, "9997")
    assert e.value.code == "auth.locked" and e.value.params["seconds"] == 60  # the second lock is longer
    clock.t += 60
    assert auth.sign_in(Role.HELPER, "2222").name == "Palīgs"
    assert auth.lock(Role.HELPER) == RoleLock(Role.HELPER, 3, 0, 0)  # a correct PIN clears tries and locks


def test_lockout_schedule_is_capped():
    assert [lockout_delay(n) for n in range(0, 7)] == [0, 30, 60, 120, 240, 480, 900]
    assert lockout_delay(40) == MAX_DELAY_S


def test_clock_going_backwards_never_locks_longer_than_the_maximum(auth):
    auth.store.change_role_lock("office", lambda state: ((3, 5, auth.clock() + 10 * 24 * 3600), None))
    assert auth.locked_for(Role.OFFICE) == MAX_DELAY_S
    with pytest.raises(KioskError) as e:
        auth.sign_in(Role.OFFICE, "3333")
    assert e.value.code == "auth.locked" and e.value.params["seconds"] == MAX_DELAY_S
    assert auth.store.role_lock("office")[2] == auth.clock() + MAX_DELAY_S  # the lock was brought back in range


def test_the_office_sees_and_lifts_a_role_s_lock(auth):
    for pin in ("0000", "0001", "0002"):
        with pytest.raises(KioskError):
            auth.sign_in(Role.FRONT_DESK, pin)
    locks = auth.locks()
    assert locks[Role.FRONT_DESK].locked_for == 30 and locks[Role.HELPER].locked_for == 0
    helper = auth.sign_in(Role.HELPER, "2222")
    with pytest.raises(KioskError) as e:
        auth.unlock(helper, Role.FRONT_DESK)
    assert e.value.code == "auth.forbidden"
    auth.unlock(auth.sign_in(Role.OFFICE, "3333"), Role.FRONT_DESK)
    assert auth.lock(Role.FRONT_DESK) == RoleLock(Role.FRONT_DESK, 3, 0, 0)
    assert auth.sign_in(Role.FRONT_DESK, "1111").role is Role.FRONT_DESK


def test_roles_are_enforced_in_the_core(auth):
    desk = auth.sign_in(Role.FRONT_DESK, "1111")
    helper = auth.sign_in(Role.HELPER, "2222")
    office = auth.sign_in(Role.OFFICE, "3333")
    assert require(desk, Action.PRINT) is desk
    for action in (Action.SCAN, Action.REVIEW, Action.EXPORT, Action.SETTINGS, Action.USERS, Action.EXIT):
        with pytest.raises(KioskError) as e:
            require(desk, action)
        assert e.value.code == "auth.forbidden"
        assert "Reģistratūra" in e.value.message("lv")
    require(helper, Action.REVIEW)
    with pytest.raises(KioskError, match="Helper"):
        require(helper, Action.EXPORT)
    for action in Action:
        require(office, action)
    with pytest.raises(KioskError) as e:
        require(None, Action.PRINT)
    assert e.value.code == "auth.signed_out"
    forged = dataclasses.replace(desk, role=Role.OFFICE)
    with pytest.raises(KioskError) as e:
        require(forged, Action.EXPORT)
    assert e.value.code == "auth.signed_out"
    fake = Session(1, "x", Role.OFFICE, 0.0, "0" * 64)
    with pytest.raises(KioskError):
        require(fake, Action.EXIT)


def test_user_administration(auth):
    office = auth.sign_in(Role.OFFICE, "3333")
    helper = auth.sign_in(Role.HELPER, "2222")
    with pytest.raises(KioskError) as e:
        auth.add_user(helper, "Anna", Role.HELPER, "4567")
    assert e.value.code == "auth.forbidden"
    with pytest.raises(KioskError) as e:
        auth.add_user(office, "Anna", Role.HELPER, "12a4")
    assert e.value.code == "auth.bad_pin"
    with pytest.raises(KioskError) as e:
        auth.add_user(office, "Anna", Role.HELPER, "2222")
    assert e.value.code == "auth.pin_taken"
    with pytest.raises(KioskError) as e:
        auth.add_user(office, "  ", Role.HELPER, "4567")
    assert e.value.code == "auth.bad_name"
    anna = auth.add_user(office, "Anna Bērziņa", Role.HELPER, "4567")
    assert auth.sign_in(Role.HELPER, "4567").name == "Anna Bērziņa"
    auth.set_active(office, anna, False)
    with pytest.raises(KioskError):
        auth.sign_in(Role.HELPER, "4567")
    # changing a demo PIN clears its warning
    office_id = office.user_id
    auth.set_pin(office, office_id, "987654")
    assert Role.OFFICE not in [r for r, _ in auth.demo_pins_in_use()]
    assert auth.sign_in(Role.OFFICE, "987654").user_id == office_id
    with pytest.raises(KioskError) as e:
        auth.set_active(office, office_id, False)
    assert e.value.code == "auth.last_office"
    auth.rename(office, office_id, "Biroja vadītāja")
    assert [u["name"] for u in auth.users() if u["id"] == office_id] == ["Biroja vadītāja"]
    with pytest.raises(KioskError) as e:
        auth.set_pin(office, 999, "123456")
    assert e.value.code == "auth.unknown_user"


def test_settings_are_validated_and_role_checked(auth, kiosk):
    office = auth.sign_in(Role.OFFICE, "3333")
    desk = auth.sign_in(Role.FRONT_DESK, "1111")
    s = get_settings(kiosk.store)
    assert s["ui.language"] == "lv" and s["ui.idle_seconds"] == "180"
    update_settings(kiosk.store, desk, {"print.pdf_dir": "/tmp/x"})  # the front desk picks its printer
    with pytest.raises(KioskError) as e:
        update_settings(kiosk.store, desk, {"ui.idle_seconds": "60"})
    assert e.value.code == "auth.forbidden"
    with pytest.raises(KioskError) as e:
        update_settings(kiosk.store, office, {"ui.idle_seconds": "5"})
    assert e.value.code == "settings.invalid"
    with pytest.raises(KioskError) as e:
        update_settings(kiosk.store, office, {"nope": "1"})
    assert e.value.code == "settings.unknown"
    with pytest.raises(KioskError) as e:
        update_settings(kiosk.store, office, {"reader.outline": "1.5"})
    assert e.value.code == "settings.invalid"
    from kiosk.reading.reader import Thresholds

    assert s["reader.outline"] == repr(Thresholds().outline)  # the reader's own defaults
    merged = update_settings(kiosk.store, office, {"ui.idle_seconds": " 60 ", "ui.language": "en",
                                                   "reader.outline": "0,3"})
    assert merged["ui.idle_seconds"] == "60" and merged["reader.outline"] == "0.3"
    assert get_settings(kiosk.store)["print.pdf_dir"] == "/tmp/x"
    # the reader takes its thresholds from the same JSON setting

    assert read_context(kiosk).thresholds["outline"] == 0.3
    assert read_context(kiosk).thresholds["blank_ink"] == Thresholds().blank_ink
