"""What every command shares: exit codes, usage errors, JSON output, opening the
kiosk, signing in with a role's PIN, and the audit log's record of each command."""
from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from typing import Any

from ..access.auth import Auth
from ..access.roles import Action, Role, Session, role_name
from ..assets import demo_campaign_path
from ..audit.log import os_actor, record
from ..ballot.campaign import load_campaign
from ..errors import KioskError
from ..issuing.jobs import settle_interrupted
from ..session import SignedIn
from ..station import Kiosk

ROLE_ENV, PIN_ENV = "KIOSK_ROLE", "KIOSK_PIN"

EXIT_OK, EXIT_KNOWN, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 70


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits; we want our own status
        raise UsageError(f"{self.prog}: {message}")


def say(table: dict[str, tuple[str, str]], key: str, lang: str, **kw: Any) -> str:
    """A command's text ``table[key]`` (Latvian, English) in ``lang``, filled in."""
    lv, en = table[key]
    return (en if lang == "en" else lv).format(**kw)


def out(obj: Any) -> None:
    """One JSON object on one line of stdout."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def open_kiosk(args: argparse.Namespace, institution: str | None = None) -> Kiosk:
    """Open the data directory; a fresh one enrolls (in ``institution`` or the
    campaign's first institution) so a first command just works.  Print jobs a
    dead process left behind are settled, and the voided ones told on stderr."""
    try:
        kiosk = Kiosk.open(args.data_dir)
    except KioskError as exc:
        if exc.code != "enroll.not_enrolled":
            raise
        campaign_path = getattr(args, "campaign", None) or demo_campaign_path()
        inst = institution or load_campaign(campaign_path).institutions[0].id
        try:
            return Kiosk.enroll(inst, root=args.data_dir, campaign_path=campaign_path)
        except KioskError as lost:
            if lost.code != "enroll.already":
                raise
            kiosk = Kiosk.open(args.data_dir)  # another command enrolled it a moment ago
    if institution and institution != kiosk.institution.id:
        kiosk.close()
        raise KioskError("enroll.already", institution=kiosk.institution.id)
    try:
        settled = settle_interrupted(kiosk)
    except BaseException:
        kiosk.close()
        raise
    jobs = kiosk.recovered["voided_jobs"] + settled.voided_jobs
    if jobs:
        voided = kiosk.recovered["voided"] + settled.voided
        notice = KioskError("print.interrupted", jobs=jobs, voided=voided).message(getattr(args, "lang", None))
        sys.stderr.write(f"kiosk: {notice}\n")
    return kiosk


def add_role_argument(parser: argparse.ArgumentParser, default: Role) -> None:
    """``--role``: which role's PIN the command signs in with."""
    parser.add_argument("--role", choices=[r.value for r in Role],
                        help=f"sign in as this role (default: ${ROLE_ENV}, else {default.value}); "
                             f"the PIN comes from ${PIN_ENV} or is asked for in a terminal")
    parser.set_defaults(default_role=default)


def audit_command(kiosk: Kiosk, args: argparse.Namespace, role: Role | None = None) -> None:
    """Write this command to the audit log: the operating-system user, the command, the role."""
    record(kiosk.store, "cli.command", os_actor(), command=args.command, role=None if role is None else role.value)


def sign_in(kiosk: Kiosk, args: argparse.Namespace, action: Action) -> SignedIn:
    """Sign in as a role with its PIN, as at the kiosk's screen: the same users,
    the same per-role lockout (a wrong PIN here counts there too), the same
    role check.  The role is ``--role``, else $KIOSK_ROLE, else the command's
    own; the PIN is $KIOSK_PIN, else asked for when stdin is a terminal."""
    role = Role(getattr(args, "role", None) or os.environ.get(ROLE_ENV) or args.default_role)
    audit_command(kiosk, args, role)
    auth = Auth(kiosk.store)
    auth.ensure_demo_users()
    pin = os.environ.get(PIN_ENV)
    if pin is None:
        if not sys.stdin.isatty():
            raise KioskError("auth.pin_needed", role_lv=role_name(role, "lv"), role_en=role_name(role, "en"))
        pin = getpass.getpass(f"PIN ({role_name(role, args.lang)}): ")
    session: Session = auth.sign_in(role, pin, via="cli")
    office = SignedIn(kiosk, session)
    office.require(action)
    return office
