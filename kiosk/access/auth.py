"""People at the kiosk: users, PINs, sign-in with a lockout per role.

PINs are stored as salted scrypt hashes.  The lockout policy, one lock per
role (a helper's typos never lock the office out), kept in the database so a
restart does not lift it:

* a role has ``FREE_ATTEMPTS`` (3) tries; after the first wrong PIN the
  sign-in screen says how many are left;
* the wrong PIN that uses the last try locks the role for 30 s; each further
  lock since the role's last correct PIN doubles (60 s, 120 s, … at most
  15 min);
* when a lock runs out the role has 3 fresh tries (a single wrong PIN after
  a lock does not lock again at once), but the next lock is longer;
* a correct PIN clears the role's tries and locks; the office can lift a
  role's lock (``Auth.unlock``);
* a try is counted *before* its PIN is checked, in one write transaction
  with the lock check: concurrent attempts (threads, processes, the GUI and
  the command line at once) can never test more PINs than the policy allows.

The PIN length policy: a new or changed PIN has at least
``auth.pin_length.<role>`` digits (a setting, 4–8; 6 for the office, 4 for
the others) and at most 8.  PINs set before a stricter policy keep working;
``Auth.short_pins`` names their users, and the settings screen asks to change
them, as it does for the demo PINs.

A fresh database gets three demo users whose PINs are documented in the
README (front desk 1111, helper 2222, office 3333); they are flagged
``default_pin`` until changed so the UI can warn about them.

Every sign-in, wrong PIN, lock, refused attempt and user change is written
to the audit log (``kiosk.audit``), never with a PIN.
"""
from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..audit.log import record
from ..errors import KioskError
from ..lang import lv_count
from ..storage.store import Store
from .roles import Action, Role, Session, mint_session, require
from .settings import pin_min_length

DEMO_USERS: tuple[tuple[str, Role, str], ...] = (
    ("Reģistratūra", Role.FRONT_DESK, "1111"),
    ("Palīgs", Role.HELPER, "2222"),
    ("Birojs", Role.OFFICE, "3333"),
)

PIN_MIN, PIN_MAX = 4, 8
FREE_ATTEMPTS = 3          # tries of a role before it locks (and again after each lock)
FIRST_DELAY_S = 30
MAX_DELAY_S = 15 * 60

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def lockout_delay(lock: int) -> int:
    """Seconds the ``lock``-th lock since a role's last correct PIN lasts (0 for none)."""
    if lock < 1:
        return 0
    return min(FIRST_DELAY_S * 2 ** min(lock - 1, 16), MAX_DELAY_S)


def tries_left_text(n: int, lang: str) -> str:
    """"atlikuši vēl 2 mēģinājumi" / "2 tries left", with agreement."""
    if lang == "en":
        return f"{n} {'try' if n == 1 else 'tries'} left"
    words = lv_count(n, "mēģinājums", "mēģinājumi")
    return f"{'atlicis' if n % 10 == 1 and n % 100 != 11 else 'atlikuši'} vēl {words}"


@dataclass(frozen=True)
class RoleLock:
    """A role's sign-in state as the screens show it."""

    role: Role
    remaining: int    # tries left before the role locks
    locked_for: int   # whole seconds until the role may try again (0: now)
    locks: int        # locks since the role's last correct PIN


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


def validate_pin(pin: str, min_length: int = PIN_MIN) -> str:
    pin = (pin or "").strip()
    if not (min_length <= len(pin) <= PIN_MAX and pin.isascii() and pin.isdigit()):
        raise KioskError("auth.bad_pin", min=min_length, max=PIN_MAX)
    return pin


# -- sign-in and user administration -----------------------------------------

@dataclass(frozen=True)
class _Try:
    """What reserving one sign-in try decided."""

    refused: int = 0      # > 0: the role is locked for this many seconds; the PIN is not checked
    remaining: int = 0    # tries left after this one, if it is wrong
    lock: int = 0         # > 0: this try was the last; if wrong, it is the lock-th lock ...
    delay: int = 0        # ... of this many seconds (already in force while the PIN is checked)


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
            self.store.add_user(name, role.value, hash_pin(pin), default_pin=True, pin_length=len(pin))
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

    def pin_min_length(self, role: Role | str) -> int:
        """The fewest digits a new PIN of ``role`` may have (the PIN length policy)."""
        return pin_min_length(self.store, Role(role).value)

    def short_pins(self) -> list[int]:
        """Ids of active users whose PIN is shorter than their role's policy asks."""
        return [
            u["id"] for u in self.store.users(active_only=True)
            if u.get("pin_length") is not None and u["pin_length"] < self.pin_min_length(u["role"])
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
        pin = validate_pin(pin, self.pin_min_length(role))
        self._pin_free(role, pin)
        user_id = self.store.add_user(name, role.value, hash_pin(pin), pin_length=len(pin))
        record(self.store, "user.added", session.role.value, user=user_id, role=role.value)
        return user_id

    def set_pin(self, session: Session | None, user_id: int, pin: str) -> None:
        require(session, Action.USERS)
        user = self._user(user_id)
        pin = validate_pin(pin, self.pin_min_length(user["role"]))
        self._pin_free(Role(user["role"]), pin, except_user=user_id)
        self.store.update_user(user_id, pin_hash=hash_pin(pin), pin_length=len(pin))
        record(self.store, "user.pin_changed", session.role.value, user=user_id)

    def set_active(self, session: Session | None, user_id: int, active: bool) -> None:
        require(session, Action.USERS)
        user = self._user(user_id)
        if not active and user["role"] == Role.OFFICE and user["active"]:
            offices = [u for u in self.store.users(role=Role.OFFICE.value, active_only=True) if u["id"] != user_id]
            if not offices:
                raise KioskError("auth.last_office")
        self.store.update_user(user_id, active=active)
        record(self.store, "user.activated" if active else "user.deactivated", session.role.value, user=user_id)

    def rename(self, session: Session | None, user_id: int, name: str) -> None:
        require(session, Action.USERS)
        self._user(user_id)
        name = (name or "").strip()
        if not name:
            raise KioskError("auth.bad_name")
        self.store.update_user(user_id, name=name)
        record(self.store, "user.renamed", session.role.value, user=user_id)

    def _user(self, user_id: int) -> dict[str, Any]:
        user = self.store.user(user_id)
        if user is None:
            raise KioskError("auth.unknown_user")
        return user

    # locks ----------------------------------------------------------------
    def _left(self, until: float) -> float:
        return min(until - self.clock(), MAX_DELAY_S)  # a clock gone backwards never locks longer than the maximum

    def lock(self, role: Role | str) -> RoleLock:
        """The role's sign-in state: tries left, seconds locked, locks so far."""
        role = Role(role)
        failures, locks, until = self.store.role_lock(role.value)
        left = self._left(until) if until else 0.0
        if left > 0:
            return RoleLock(role, 0, math.ceil(left), locks)
        if until:  # the lock ran out: a fresh round of tries
            failures = 0
        return RoleLock(role, max(0, FREE_ATTEMPTS - failures), 0, locks)

    def locks(self) -> dict[Role, RoleLock]:
        return {role: self.lock(role) for role in Role}

    def locked_for(self, role: Role | str) -> int:
        """Whole seconds until ``role`` may sign in again (0: now)."""
        return self.lock(role).locked_for

    def unlock(self, session: Session | None, role: Role | str) -> None:
        """The office lifts a role's lock (its tries and locks start afresh)."""
        require(session, Action.USERS)
        role = Role(role)
        self.store.change_role_lock(role.value, lambda state: ((0, 0, 0.0), None))
        record(self.store, "auth.unlocked", session.role.value, role=role.value)

    # sign-in -------------------------------------------------------------
    def _reserve(self, role: Role) -> _Try:
        now = self.clock()

        def change(state: tuple[int, int, float]) -> tuple[tuple[int, int, float], _Try]:
            failures, locks, until = state
            if until:
                left = until - now
                if left > MAX_DELAY_S:  # the clock went backwards: never lock longer than the maximum
                    return (failures, locks, now + MAX_DELAY_S), _Try(refused=MAX_DELAY_S)
                if left > 0:
                    return state, _Try(refused=math.ceil(left))
                failures, until = 0, 0.0  # the lock ran out: a fresh round of tries
            failures += 1
            if failures < FREE_ATTEMPTS:
                return (failures, locks, until), _Try(remaining=FREE_ATTEMPTS - failures)
            # the last try: the lock is in force while its PIN is checked, so that
            # no concurrent attempt gets through; a correct PIN lifts it again
            locks += 1
            delay = lockout_delay(locks)
            return (failures, locks, now + delay), _Try(lock=locks, delay=delay)

        return self.store.change_role_lock(role.value, change)

    def sign_in(self, role: Role | str, pin: str, *, via: str = "gui") -> Session:
        """A session for the active user of ``role`` with this PIN.

        Raises auth.locked while the role's lock runs (the PIN is not even
        checked), auth.wrong_pin with the tries left, or auth.locked when this
        wrong PIN used the role's last try.  ``via`` (gui or cli) goes to the
        audit log.
        """
        role = Role(role)
        attempt = self._reserve(role)
        if attempt.refused:
            record(self.store, "auth.refused", role.value, seconds=attempt.refused, via=via)
            raise KioskError("auth.locked", seconds=attempt.refused)
        for u in self.store.users(role=role.value, active_only=True):
            if check_pin(pin or "", u["pin_hash"]):
                self.store.change_role_lock(role.value, lambda state: ((0, 0, 0.0), None))
                record(self.store, "auth.signed_in", role.value, user=u["id"], via=via)
                return mint_session(u["id"], u["name"], role, self.clock())
        if attempt.lock:
            record(self.store, "auth.locked", role.value, seconds=attempt.delay, lock=attempt.lock, via=via)
            raise KioskError("auth.locked", seconds=attempt.delay)
        record(self.store, "auth.failed", role.value, remaining=attempt.remaining, via=via)
        raise KioskError("auth.wrong_pin", remaining=attempt.remaining,
                         left_lv=tries_left_text(attempt.remaining, "lv"),
                         left_en=tries_left_text(attempt.remaining, "en"))

    def signed_out(self, session: Session | None, why: str) -> None:
        """Write a session's end to the audit log (``why``: button, idle, exit)."""
        if session is not None:
            record(self.store, "auth.signed_out", session.role.value, user=session.user_id, why=why)
