"""``kiosk print``: issue ballots into a PDF file or onto a printer, followed until it printed them."""
from __future__ import annotations

import argparse
from typing import Any

from ..issuing.jobs import DEFAULT_TIMEOUT_S, print_ballots
from .common import EXIT_OK, UsageError, open_kiosk, out


def cmd_print(args: argparse.Namespace) -> int:
    if (args.out is None) == (args.printer is None):
        raise UsageError("print: give exactly one of --out FILE.pdf or --printer NAME")
    if args.timeout <= 0:
        raise UsageError("print: --timeout must be a positive number of seconds")
    if args.out is not None and (args.paper or args.tray):
        raise UsageError("print: --paper and --tray choose a printer's paper; a PDF file has the ballot's own size")
    with open_kiosk(args, args.institution) as k:
        res = print_ballots(k, args.count, out=args.out, printer=args.printer, page_size=args.page_size,
                            paper=args.paper or "", tray=args.tray or "", timeout=args.timeout)
        info = {"job": f"{res.job_id:016x}", "count": res.count, "layout": f"{res.layout_id:08x}", "target": res.target,
                "institution": k.institution.id, "state": "printed", "sheets": res.sheets, "paper": res.paper,
                "per_sheet": res.per_sheet}
    if args.json:
        out(info)
    else:
        two_up = f", {info['per_sheet']} per {info['paper'].upper()} sheet" if info["per_sheet"] > 1 else ""
        print(f"{info['count']} ballot(s) for {info['institution']} -> {info['target']}{two_up}"
              f" (job {info['job']}, layout {info['layout']})")
    return EXIT_OK


def register(sub: Any) -> None:
    s = sub.add_parser("print", help="issue ballots into a PDF or onto a printer")
    s.add_argument("--count", type=int, default=1)
    s.add_argument("--out", help="write the ballots to this PDF file")
    s.add_argument("--printer", help="send the ballots to this CUPS printer and wait until it printed them")
    s.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S,
                   help=f"seconds the printer may take (default {DEFAULT_TIMEOUT_S:g}); then the job is cancelled"
                        " and its ballots voided")
    s.add_argument("--paper", choices=["a5", "a4"],
                   help="the printer's paper (default: the ballot's size; A5 ballots go two to an A4 sheet"
                        " where the printer has no A5)")
    s.add_argument("--tray", help="the printer's paper source (an IPP media-source keyword it offers)")
    s.add_argument("--institution", help="institution id (enrolls a fresh data directory)")
    s.add_argument("--campaign", help="campaign TOML for a fresh data directory")
    s.add_argument("--page-size", choices=["a5", "a4"], help="the ballot's page size (default: the campaign's)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_print)
