"""``kiosk scan [--json] [--workers N] PATH...``: read scanned or photographed ballots.

With ``--json`` one JSON object per sheet per line on stdout, printed (and
flushed) once the sheet is stored.  Without it, a summary in the user's
language.  Exit status 0 whenever the inputs were processed, whatever their
outcomes (a missing file is a rejected line, not a usage error).
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from typing import Any

from ..access.roles import Action, Role
from ..errors import KioskError
from ..reading.qr import BACKENDS
from .common import EXIT_OK, UsageError, add_role_argument, open_kiosk, sign_in

TEXT = {
    "head": ("Nolasītas lapas: {n}", "Sheets read: {n}"),
    "counted": ("ieskaitīti", "counted"),
    "review": ("jāpārbauda cilvēkam", "for review"),
    "rejected": ("noraidīti", "rejected"),
    "duplicate": ("dublikāti (netiek skaitīti)", "duplicates (not counted)"),
    "blank_back": ("tukšas otrās puses", "blank backs"),
    "repeat": ("{n} no tām jau bija saglabātas iepriekš (nav nolasītas vēlreiz)",
               "{n} of them were stored before (not read again)"),
    "page": ("{source}, {page}. lpp.", "{source}, page {page}"),
    "section_review": ("Jāpārbauda cilvēkam:", "For review:"),
    "section_rejected": ("Noraidīti:", "Rejected:"),
    "section_duplicate": ("Dublikāti:", "Duplicates:"),
}


def _t(key: str, lang: str, **kw: Any) -> str:
    lv, en = TEXT[key]
    return (en if lang == "en" else lv).format(**kw)


def reason_text(reason: str | None, lang: str, detail: str = "") -> str:
    if not reason:
        return ""
    try:
        return KioskError(f"sheet.{reason}", detail=detail).message(lang).replace(" ()", "").rstrip(": ")
    except ValueError:
        return reason


def cmd_scan(args: argparse.Namespace) -> int:
    if args.workers is not None and args.workers < 1:
        raise UsageError("scan: --workers must be at least 1")
    lang = args.lang
    results = []
    with open_kiosk(args) as kiosk:
        helper = sign_in(kiosk, args, Action.SCAN)
        for r in helper.scan_paths(args.paths, workers=args.workers, backend=args.backend):
            if args.json:
                sys.stdout.write(json.dumps(r.to_json(), ensure_ascii=False) + "\n")
                sys.stdout.flush()
            else:
                results.append(r)
    if not args.json:
        print_summary(results, lang)
    return EXIT_OK


def print_summary(results: list, lang: str) -> None:
    blank = {id(r) for r in results if r.status == "rejected" and r.reason == "blank_back"}
    counts = Counter(r.status for r in results if id(r) not in blank)
    print(_t("head", lang, n=len(results)))
    for status in ("counted", "review", "rejected", "duplicate"):
        print(f"  {_t(status, lang)}: {counts.get(status, 0)}")
    print(f"  {_t('blank_back', lang)}: {len(blank)}")
    repeats = sum(r.repeat for r in results)
    if repeats:
        print("  " + _t("repeat", lang, n=repeats))
    for status in ("review", "rejected", "duplicate"):
        rows = [r for r in results if r.status == status and id(r) not in blank]
        if not rows:
            continue
        print(_t(f"section_{status}", lang))
        for r in rows:
            serial = f" [{r.serial}]" if r.serial else ""
            codes = r.reasons or [r.reason]
            why = "; ".join(reason_text(x, lang, r.detail if n == 0 else "") for n, x in enumerate(codes))
            print(f"  {_t('page', lang, source=r.source, page=r.page)}{serial}: {why}")


def register(sub: Any) -> None:
    s = sub.add_parser("scan", help="read scanned or photographed ballots (files and folders)")
    s.add_argument("paths", nargs="+", metavar="PATH", help="PNG, JPEG, TIFF or PDF files, MP4/WebM videos of ballots held up to a camera, or folders of them")
    s.add_argument("--json", action="store_true", help="one JSON object per sheet per line")
    s.add_argument("--workers", type=int, help="reader processes (default: all cores)")
    s.add_argument("--backend", choices=BACKENDS, help="QR decoder (default: $KIOSK_QR_BACKEND or zxing)")
    add_role_argument(s, Role.HELPER)
    s.set_defaults(func=cmd_scan)
