"""Roles and what each may do; sessions and the role check every guarded operation starts with.

Three roles share one kiosk:

* front desk (``front_desk``) prints ballots;
* helper (``helper``) scans the urn's contents and reviews doubtful ballots;
* office (``office``) exports signed batches, changes settings and users and
  is the only role that may leave the full-screen kiosk.  Office may also do
  everything the other roles do (a small institution may have one person).

Roles are enforced in the core: every guarded operation calls
``require(session, Action.X)``, which raises ``KioskError("auth.forbidden")``
or ``KioskError("auth.signed_out")``; the UI hiding a button is a courtesy.
"""
from __future__ import annotations

import enum
import hmac
import secrets
from dataclasses import dataclass

from ..errors import KioskError

# Sessions are minted only by sign-in (kiosk.access.auth): a token keyed with a
# per-process secret stops code from forging a Session(role=OFFICE) by hand.
_SESSION_KEY = secrets.token_bytes(32)


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
    REOPEN = "reopen"            # send a decided ballot (not yet exported) back to review


PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.PRINT: frozenset({Role.FRONT_DESK, Role.OFFICE}),
    Action.CHOOSE_PRINTER: frozenset({Role.FRONT_DESK, Role.OFFICE}),
    Action.SCAN: frozenset({Role.HELPER, Role.OFFICE}),
    Action.REVIEW: frozenset({Role.HELPER, Role.OFFICE}),
    Action.EXPORT: frozenset({Role.OFFICE}),
    Action.SETTINGS: frozenset({Role.OFFICE}),
    Action.USERS: frozenset({Role.OFFICE}),
    Action.EXIT: frozenset({Role.OFFICE}),
    Action.REOPEN: frozenset({Role.OFFICE}),
}


def allowed(role: Role | str | None, action: Action) -> bool:
    return role is not None and Role(role) in PERMISSIONS[action]


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


def mint_session(user_id: int, name: str, role: Role, started: float) -> Session:
    """A session for a user whose PIN was just checked (only sign-in calls this)."""
    return Session(user_id, name, role, started, _token(user_id, role.value, started))


def require(session: Session | None, action: Action) -> Session:
    """The role check every guarded core operation starts with."""
    if session is None or not isinstance(session, Session):
        raise KioskError("auth.signed_out")
    if not hmac.compare_digest(session.token, _token(session.user_id, session.role, session.started)):
        raise KioskError("auth.signed_out")
    if Role(session.role) not in PERMISSIONS[action]:
        raise KioskError("auth.forbidden", role_lv=role_name(session.role, "lv"), role_en=role_name(session.role, "en"))
    return session
