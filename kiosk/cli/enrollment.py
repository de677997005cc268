"""``kiosk campaign``, ``kiosk enroll``, ``kiosk status``, ``kiosk settings``: the campaign and this kiosk's place in it."""
from __future__ import annotations

import argparse
from typing import Any

from ..access.roles import Action, Role
from ..access.settings import get_settings, update_settings
from ..assets import demo_campaign_path
from ..ballot.campaign import load_campaign
from ..datadir import DataDir
from ..station import Kiosk
from ..storage.store import Store
from .common import (
    EXIT_OK,
    UsageError,
    add_role_argument,
    audit_command,
    open_kiosk,
    out,
    sign_in,
)


def cmd_campaign(args: argparse.Namespace) -> int:
    path = args.file or _enrolled_campaign_path(args) or demo_campaign_path()
    campaign = load_campaign(path)
    if args.json:
        out(campaign.to_json())
        return EXIT_OK
    lang = args.lang
    print(f"{campaign.title.get(lang, campaign.title['lv'])}  [{campaign.id}]")
    print(f"  {campaign.voting_start} – {campaign.voting_end}, {campaign.page_size.upper()}")
    for q in campaign.questions:
        extra = f" 1–{q.scale}" if q.type == "rating" else ""
        if q.type == "specialist":
            extra += ", number grid" if q.style == "number" else ""
            extra += f", number grid above {q.number_above}" if q.number_above is not None else ""
            extra += ", write-in line" if q.write_in else ""
        print(f"  ? {q.text.get(lang, q.text['lv'])} ({q.type}{extra}{', optional' if q.optional else ''})")
    print("  review: " + ", ".join(f"{case} → {what}" for case, what in campaign.review.items()))
    for inst in campaign.institutions:
        print(f"  {inst.name}  [{inst.id}]")
        for s in inst.specialists:
            print(f"    - {s.name}  [{s.id}]  {s.position}")
    return EXIT_OK


def _enrolled_campaign_path(args: argparse.Namespace) -> str | None:
    datadir = DataDir.locate(args.data_dir)
    if not datadir.db.exists():
        return None
    with Store(datadir.db) as store:
        return store.get_setting("campaign_path")


def cmd_enroll(args: argparse.Namespace) -> int:
    with Kiosk.enroll(args.institution, root=args.data_dir, campaign_path=args.campaign, key_file=args.key) as k:
        audit_command(k, args)
        info = {
            "kiosk_id": k.kiosk_id,
            "campaign": k.campaign.id,
            "institution": k.institution.id,
            "data_dir": str(k.root),
            "public_key": str(k.public_key_path),
        }
    if args.json:
        out(info)
    else:
        print(f"{info['kiosk_id']}: {info['institution']} ({info['campaign']}) in {info['data_dir']}")
        print(f"public key for the central office: {info['public_key']}")
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    with open_kiosk(args) as k:
        audit_command(k, args)
        info = {
            "kiosk_id": k.kiosk_id,
            "data_dir": str(k.root),
            "campaign": k.campaign.id,
            "institution": k.institution.id,
            "layouts": sorted(f"{i:08x}" for i in k.known_layouts()),
            **k.store.issued_counts(),
        }
    if args.json:
        out(info)
    else:
        for key, value in info.items():
            print(f"{key}: {value}")
    return EXIT_OK


def cmd_settings(args: argparse.Namespace) -> int:
    values = {}
    for item in args.values:
        key, sep, value = item.partition("=")
        if not sep:
            raise UsageError(f"settings: {item!r} is not KEY=VALUE")
        values[key] = value
    with open_kiosk(args) as k:
        if values:  # changing needs a role that may change them (the office by default), as at the screen
            office = sign_in(k, args, Action.SETTINGS)
            current = update_settings(k.store, office.session, values)
        else:
            current = get_settings(k.store)
    if args.json:
        out(current)
    else:
        for key, value in current.items():
            print(f"{key} = {value}")
    return EXIT_OK


def register(sub: Any) -> None:
    s = sub.add_parser("campaign", help="validate and show a campaign file")
    s.add_argument("file", nargs="?", help="campaign TOML (default: the enrolled one, else the demo)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_campaign)

    s = sub.add_parser("enroll", help="bind the data directory to an institution")
    s.add_argument("--institution", required=True)
    s.add_argument("--campaign", help="campaign TOML (default: the demo campaign)")
    s.add_argument("--key", help="institution key file from the central office")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_enroll)

    s = sub.add_parser("status", help="show enrollment and counts")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_status)

    s = sub.add_parser("settings", help="show this kiosk's settings, or change some (KEY=VALUE; signed in as the office)")
    s.add_argument("values", nargs="*", metavar="KEY=VALUE")
    s.add_argument("--json", action="store_true")
    add_role_argument(s, Role.OFFICE)
    s.set_defaults(func=cmd_settings)
