"""People at the kiosk: roles, PINs, sign-in with lockout, idle policy, role checks.

Three roles share one kiosk:

* front desk (``front_desk``) prints ballots;
* helper (``helper``) scans the urn's contents and reviews doubtful ballots;
* office (``office``) exports signed batches, changes settings and users and
  is the only role that may leave the full-screen kiosk.  Office may also do
  everything the other roles do (a small institution may have one person).

Roles are enforced here, in the core: every guarded operation calls
``require(session, Action.X)``, which raises ``KioskError("auth.forbidden")``
or ``KioskError("auth.signed_out")``; the UI hiding a button is a courtesy.

PINs are stored as salted scrypt hashes.  Wrong PINs are counted in the
database (so restarting the program does not reset them): after
``FREE_ATTEMPTS`` wrong PINs every further one locks sign-in for a growing
delay (30 s, 60 s, 120 s, ... at most 15 min).  A correct PIN clears the count.

A fresh database gets three demo users whose PINs are documented in the
README (front desk 1111, helper 2222, office 3333); they are flagged
``default_pin`` until changed so the UI can warn about them.

This module never imports Qt.
"""
from __future__ import annotations

import enum
import hashlib
import hmac
import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import KioskError
from .storage import Store


class Role(enum.StrEnum):
    FRONT_DESK = "front_desk"
    HELPER = "helper"
    OFFICE = "office"


ROLE_NAMES: dict[Role, tuple[str, str]] = {
    Role.FRONT_DESK: ("Reģistratūra", "Front desk"),
    Role.HELPER: ("Palīgs", "Helper"),
    Role.OFFICE: ("Birojs", "Office"),
}


def role_name(role: Role | str, lang: str = "lv") -> str:
    lv, en = ROLE_NAMES[Role(role)]
    return en if lang == "en" else lv


class Action(enum.StrEnum):
    PRINT = "print"              # issue ballots
    CHOOSE_PRINTER = "printer"   # pick the printer or the PDF folder
    SCAN = "scan"                # read scanned sheets
    REVIEW = "review"            # decide doubtful ballots
    EXPORT = "export"            # signed batches
    SETTINGS = "settings"        # thresholds, folders, language, idle time
    USERS = "users"              # add users, change PINs
    EXIT = "exit"                # leave the full-screen kiosk


PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.PRINT: frozenset({Role.FRONT_DESK, Role.OFFICE}),
    Action.CHOOSE_PRINTER: frozenset({Role.FRONT_DESK, Role.OFFICE}),
    Action.SCAN: frozenset({Role.HELPER, Role.OFFICE}),
    Action.REVIEW: frozenset({Role.HELPER, Role.OFFICE}),
    Action.EXPORT: frozenset({Role.OFFICE}),
    Action.SETTINGS: frozenset({Role.OFFICE}),
    Action.USERS: frozenset({Role.OFFICE}),
    Action.EXIT: frozenset({Role.OFFICE}),
}

DEMO_USERS: tuple[tuple[str, Role, str], ...] = (
    ("Reģistratūra", Role.FRONT_DESK, "1111"),
    ("Palīgs", Role.HELPER, "2222"),
    ("Birojs", Role.OFFICE, "3333"),
)

PIN_MIN, PIN_MAX = 4, 8
FREE_ATTEMPTS = 3          # wrong PINs allowed before the first delay
FIRST_DELAY_S = 30
MAX_DELAY_S = 15 * 60

IDLE_DEFAULT_S = 180
IDLE_MIN_S, IDLE_MAX_S = 30, 3600

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
# Sessions are minted only by Auth.sign_in: a token keyed with a per-process
# secret stops code from forging a Session(role=OFFICE) by hand.
_SESSION_KEY = secrets.token_bytes(32)


def allowed(role: Role | str | None, action: Action) -> bool:
    return role is not None and Role(role) in PERMISSIONS[action]


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


# -- sessions -------------------------------------------------------------------

@dataclass(frozen=True)
class Session:
    """Who is signed in.  Plain data: safe to hand to worker threads."""

    user_id: int
    name: str
    role: Role
    started: float
    token: str

    def may(self, action: Action) -> bool:
        return allowed(self.role, action)


def _token(user_id: int, role: str, started: float) -> str:
    return hmac.new(_SESSION_KEY, f"{user_id}|{role}|{started!r}".encode(), "sha256").hexdigest()


def require(session: Session | None, action: Action) -> Session:
    """The role check every guarded core operation starts with."""
    if session is None or not isinstance(session, Session):
        raise KioskError("auth.signed_out")
    if not hmac.compare_digest(session.token, _token(session.user_id, session.role, session.started)):
        raise KioskError("auth.signed_out")
    if Role(session.role) not in PERMISSIONS[action]:
        raise KioskError("auth.forbidden", role_lv=role_name(session.role, "lv"), role_en=role_name(session.role, "en"))
    return session


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
                started = self.clock()
                return Session(u["id"], u["name"], role, started, _token(u["id"], role.value, started))
        failures = self.store.bump_auth_failures()
        delay = lockout_delay(failures)
        if delay:
            self.store.set_auth_lock(failures, self.clock() + delay)
            raise KioskError("auth.locked", seconds=delay)
        raise KioskError("auth.wrong_pin")


# -- kiosk settings ---------------------------------------------------------------

@dataclass(frozen=True)
class SettingSpec:
    key: str
    action: Action         # who may change it
    default: str
    check: Callable[[str], str]  # returns the normalised value or raises ValueError


def _int_between(lo: int, hi: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        n = int(str(value).strip())
        if not lo <= n <= hi:
            raise ValueError(f"{lo}–{hi}")
        return str(n)
    return check


def _float_between(lo: float, hi: float) -> Callable[[str], str]:
    def check(value: str) -> str:
        x = float(str(value).strip().replace(",", "."))
        if not lo <= x <= hi:
            raise ValueError(f"{lo}–{hi}")
        return repr(round(x, 4))
    return check


def _one_of(*choices: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in choices:
            raise ValueError(" / ".join(choices))
        return value
    return check


def _text(value: str) -> str:
    return str(value).strip()


SETTINGS: dict[str, SettingSpec] = {s.key: s for s in (
    SettingSpec("ui.language", Action.SETTINGS, "lv", _one_of("lv", "en")),
    SettingSpec("ui.idle_seconds", Action.SETTINGS, str(IDLE_DEFAULT_S), _int_between(IDLE_MIN_S, IDLE_MAX_S)),
    SettingSpec("print.printer", Action.CHOOSE_PRINTER, "", _text),      # CUPS name; "" = none chosen
    SettingSpec("print.pdf_dir", Action.CHOOSE_PRINTER, "", _text),      # folder for "save as PDF"
    SettingSpec("scan.folder", Action.SCAN, "", _text),                  # scan-to-folder directory to watch
    SettingSpec("export.dir", Action.EXPORT, "", _text),                 # where batches go ("": <data>/exports)
    SettingSpec("export.images", Action.EXPORT, "0", _one_of("0", "1")), # put the scans into the batch
)}
# The reader's mark thresholds (every field of kiosk.reader.Thresholds) appear
# as settings "reader.<field>", fractions 0..1, kept in the reader's own JSON
# setting so ``kiosk.scan`` uses them.
READER_SETTING = "reader_thresholds"  # kiosk.scan.THRESHOLDS_SETTING: a JSON object of Thresholds fields
READER_PREFIX = "reader."
_reader_check = _float_between(0.0, 1.0)


def _reader_defaults() -> dict[str, float]:
    from .reader import Thresholds

    return Thresholds().to_dict()


def get_settings(store: Store) -> dict[str, str]:
    """Every known kiosk setting, with defaults filled in."""
    import json

    stored = store.settings()
    out = {key: stored.get(key, spec.default) for key, spec in SETTINGS.items()}
    defaults = _reader_defaults()
    try:
        saved = json.loads(stored.get(READER_SETTING) or "{}")
    except (ValueError, TypeError):
        saved = {}
    for name, value in defaults.items():
        out[READER_PREFIX + name] = repr(round(float(saved.get(name, value)), 4))
    return out


def reader_defaults() -> dict[str, str]:
    """The reader's built-in thresholds as settings keys (for "restore defaults")."""
    return {READER_PREFIX + k: repr(round(v, 4)) for k, v in _reader_defaults().items()}


def update_settings(store: Store, session: Session | None, values: dict[str, Any]) -> dict[str, str]:
    """Validate and store settings, each checked against the role that may change it."""
    import json

    reader_names = set(_reader_defaults())
    clean: dict[str, str] = {}
    for key, value in values.items():
        if key.startswith(READER_PREFIX) and key[len(READER_PREFIX):] in reader_names:
            action, check = Action.SETTINGS, _reader_check
        elif key in SETTINGS:
            action, check = SETTINGS[key].action, SETTINGS[key].check
        else:
            raise KioskError("settings.unknown", key=key)
        require(session, action)
        try:
            clean[key] = check(value)
        except (TypeError, ValueError) as exc:
            raise KioskError("settings.invalid", key=key, detail=str(exc) or repr(value)) from None
    plain = {k: v for k, v in clean.items() if not k.startswith(READER_PREFIX)}
    reader = {k[len(READER_PREFIX):]: float(v) for k, v in clean.items() if k.startswith(READER_PREFIX)}
    if reader:
        try:
            current = json.loads(store.get_setting(READER_SETTING) or "{}")
        except (ValueError, TypeError):
            current = {}
        plain[READER_SETTING] = json.dumps({**current, **reader}, sort_keys=True)
    if plain:
        store.set_settings(plain)
    return get_settings(store)


def idle_seconds(store: Store) -> int:
    return int(get_settings(store)["ui.idle_seconds"])


# -- the kiosk as one session sees it -------------------------------------------

def local_midnight_utc(now: float | None = None) -> str:
    """Today's local midnight as the UTC ISO text the database stores times in."""
    import datetime as dt

    local = dt.datetime.fromtimestamp(time.time() if now is None else now).astimezone()
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat()


class SignedIn:
    """A ``Kiosk`` seen through one session: every workflow checks the role
    first, so a screen (or a worker thread) cannot do what its user may not.

    Wraps a kiosk the caller owns (and closes); a worker thread wraps its own.
    """

    def __init__(self, kiosk: Any, session: Session | None) -> None:
        self.kiosk = kiosk
        self.session = session

    def require(self, action: Action) -> Session:
        return require(self.session, action)

    # front desk -----------------------------------------------------------
    def print_ballots(self, count: int, **kwargs: Any):
        self.require(Action.PRINT)
        return self.kiosk.print_ballots(count, **kwargs)

    def printed_today(self, now: float | None = None) -> int:
        return self.kiosk.store.printed_since(local_midnight_utc(now))

    # helper ---------------------------------------------------------------
    def scan_paths(self, paths: Any, **kwargs: Any):
        self.require(Action.SCAN)
        from .scan import scan_paths

        return scan_paths(self.kiosk, paths, **kwargs)

    def review(self):
        from .review import Review

        self.require(Action.REVIEW)
        return Review(self.kiosk, self.session)

    # office ---------------------------------------------------------------
    def export_batch(self, out_dir: Any, **kwargs: Any):
        self.require(Action.EXPORT)
        from .export import export_batch

        return export_batch(self.kiosk, out_dir, **kwargs)

    def batches(self) -> list[dict[str, Any]]:
        self.require(Action.EXPORT)
        from .export import list_batches

        return list_batches(self.kiosk)

    def export_summary(self) -> dict[str, int]:
        self.require(Action.EXPORT)
        from .export import pending_summary

        return pending_summary(self.kiosk)
