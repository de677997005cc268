"""People at the kiosk: users, PINs, sign-in with lockout.

PINs are stored as salted scrypt hashes.  Wrong PINs are counted in the
database (so restarting the program does not reset them): after
``FREE_ATTEMPTS`` wrong PINs every further one locks sign-in for a growing
delay (30 s, 60 s, 120 s, ... at most 15 min).  A correct PIN clears the count.

A fresh database gets three demo users whose PINs are documented in the
README (front desk 1111, helper 2222, office 3333); they are flagged
``default_pin`` until changed so the UI can warn about them.
"""
from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time
from collections.abc import Callable
from typing import Any

from ..errors import KioskError
from ..storage.store import Store
from .roles import Action, Role, Session, mint_session, require

DEMO_USERS: tuple[tuple[str, Role, str], ...] = (
    ("Reģistratūra", Role.FRONT_DESK, "1111"),
    ("Palīgs", Role.HELPER, "2222"),
    ("Birojs", Role.OFFICE, "3333"),
)

PIN_MIN, PIN_MAX = 4, 8
FREE_ATTEMPTS = 3          # wrong PINs allowed before the first delay
FIRST_DELAY_S = 30
MAX_DELAY_S = 15 * 60

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def lockout_delay(failures: int) -> int:
    """Seconds sign-in stays locked after ``failures`` consecutive wrong PINs."""
    if failures < FREE_ATTEMPTS:
        return 0
    return min(FIRST_DELAY_S * 2 ** (failures - FREE_ATTEMPTS), MAX_DELAY_S)


# -- PIN hashing --------------------------------------------------------------

def hash_pin(pin: str, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def check_pin(pin: str, stored: str) -> bool:
    try:
        algo, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if algo != "scrypt":
        return False
    got = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), dklen=32, n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(got, bytes.fromhex(digest))


def validate_pin(pin: str) -> str:
    pin = (pin or "").strip()
    if not (PIN_MIN <= len(pin) <= PIN_MAX and pin.isascii() and pin.isdigit()):
        raise KioskError("auth.bad_pin", min=PIN_MIN, max=PIN_MAX)
    return pin


# -- sign-in and user administration -----------------------------------------

class Auth:
    """Sign-in, lockout and user administration over one Store."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock

    # users --------------------------------------------------------------
    def ensure_demo_users(self) -> bool:
        """A database without users gets the documented demo users; True if created."""
        if self.store.users():
            return False
        for name, role, pin in DEMO_USERS:
            self.store.add_user(name, role.value, hash_pin(pin), default_pin=True)
        return True

    def users(self) -> list[dict[str, Any]]:
        return [{k: v for k, v in u.items() if k != "pin_hash"} for u in self.store.users()]

    def demo_pins_in_use(self) -> list[tuple[Role, str]]:
        """(role, demo PIN) of active users still on their documented demo PIN."""
        demo = {role: pin for _name, role, pin in DEMO_USERS}
        return [
            (Role(u["role"]), demo[Role(u["role"])])
            for u in self.store.users(active_only=True)
            if u["default_pin"]  # cleared by every PIN change
        ]

    def _pin_free(self, role: Role, pin: str, except_user: int | None = None) -> None:
        for u in self.store.users(role=role.value, active_only=True):
            if u["id"] != except_user and check_pin(pin, u["pin_hash"]):
                raise KioskError("auth.pin_taken")

    def add_user(self, session: Session | None, name: str, role: Role | str, pin: str) -> int:
        require(session, Action.USERS)
        name = (name or "").strip()
        if not name:
            raise KioskError("auth.bad_name")
        role = Role(role)
        pin = validate_pin(pin)
        self._pin_free(role, pin)
        return self.store.add_user(name, role.value, hash_pin(pin))

    def set_pin(self, session: Session | None, user_id: int, pin: str) -> None:
        require(session, Action.USERS)
        user = self._user(user_id)
        pin = validate_pin(pin)
        self._pin_free(Role(user["role"]), pin, except_user=user_id)
        self.store.update_user(user_id, pin_hash=hash_pin(pin))

    def set_active(self, session: Session | None, user_id: int, active: bool) -> None:
        require(session, Action.USERS)
        user = self._user(user_id)
        if not active and user["role"] == Role.OFFICE and user["active"]:
            offices = [u for u in self.store.users(role=Role.OFFICE.value, active_only=True) if u["id"] != user_id]
            if not offices:
                raise KioskError("auth.last_office")
        self.store.update_user(user_id, active=active)

    def rename(self, session: Session | None, user_id: int, name: str) -> None:
        require(session, Action.USERS)
        self._user(user_id)
        name = (name or "").strip()
        if not name:
            raise KioskError("auth.bad_name")
        self.store.update_user(user_id, name=name)

    def _user(self, user_id: int) -> dict[str, Any]:
        user = self.store.user(user_id)
        if user is None:
            raise KioskError("auth.unknown_user")
        return user

    # sign-in -------------------------------------------------------------
    def locked_for(self) -> int:
        """Whole seconds until sign-in is possible again (0: now)."""
        _failures, until = self.store.auth_lock()
        left = until - self.clock()
        if left > MAX_DELAY_S:  # the clock went backwards: never lock longer than the maximum
            left = MAX_DELAY_S
            self.store.set_auth_lock(_failures, self.clock() + left)
        return max(0, math.ceil(left))

    def failures(self) -> int:
        return self.store.auth_lock()[0]

    def sign_in(self, role: Role | str, pin: str) -> Session:
        """A session for the active user of ``role`` with this PIN.

        Raises auth.locked while a lockout runs (the PIN is not even checked),
        auth.wrong_pin (or auth.locked when this wrong PIN starts a lockout).
        """
        role = Role(role)
        wait = self.locked_for()
        if wait > 0:
            raise KioskError("auth.locked", seconds=wait)
        for u in self.store.users(role=role.value, active_only=True):
            if check_pin(pin or "", u["pin_hash"]):
                if self.store.auth_lock() != (0, 0.0):
                    self.store.set_auth_lock(0, 0.0)
                return mint_session(u["id"], u["name"], role, self.clock())
        failures = self.store.bump_auth_failures()
        delay = lockout_delay(failures)
        if delay:
            self.store.set_auth_lock(failures, self.clock() + delay)
            raise KioskError("auth.locked", seconds=delay)
        raise KioskError("auth.wrong_pin")


