"""``kiosk print``: issue ballots into a PDF file or onto a printer (signed in as front desk or office)."""
from __future__ import annotations

import argparse
from typing import Any

from ..access.roles import Action, Role
from .common import EXIT_OK, UsageError, add_role_argument, open_kiosk, out, sign_in


def cmd_print(args: argparse.Namespace) -> int:
    if (args.out is None) == (args.printer is None):
        raise UsageError("print: give exactly one of --out FILE.pdf or --printer NAME")
    with open_kiosk(args, args.institution) as k:
        desk = sign_in(k, args, Action.PRINT)
        res = desk.print_ballots(args.count, out=args.out, printer=args.printer, page_size=args.page_size)
        info = {"job": res.job_id, "count": res.count, "layout": f"{res.layout_id:08x}", "target": res.target,
                "institution": k.institution.id}
    if args.json:
        out(info)
    else:
        print(f"{info['count']} ballot(s) for {info['institution']} -> {info['target']} (job {info['job']}, layout {info['layout']})")
    return EXIT_OK


def register(sub: Any) -> None:
    s = sub.add_parser("print", help="issue ballots into a PDF or onto a printer")
    s.add_argument("--count", type=int, default=1)
    s.add_argument("--out", help="write the ballots to this PDF file")
    s.add_argument("--printer", help="send the ballots to this CUPS printer")
    s.add_argument("--institution", help="institution id (enrolls a fresh data directory)")
    s.add_argument("--campaign", help="campaign TOML for a fresh data directory")
    s.add_argument("--page-size", choices=["a5", "a4"])
    s.add_argument("--json", action="store_true")
    add_role_argument(s, Role.FRONT_DESK)
    s.set_defaults(func=cmd_print)
