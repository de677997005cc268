"""``kiosk audit [--verify] [--json]``: show the audit log, or check its hash chain (office)."""
from __future__ import annotations

import argparse
import json
from typing import Any

from ..access.roles import Action, Role
from ..audit.log import verify
from ..lang import count
from ..station import Kiosk
from .common import EXIT_KNOWN, EXIT_OK, add_role_argument, out, sign_in

T = {
    "ok": ("Audita žurnāls ir vesels: {rows}, ķēde nepārtraukta", "The audit log is intact: {rows}, the chain holds"),
}


def cmd_audit(args: argparse.Namespace) -> int:
    with Kiosk.open(args.data_dir) as k:
        sign_in(k, args, Action.SETTINGS)
        rows = list(k.store.audit_rows())
        if args.verify:
            problem = verify(k.store)
            if args.json:
                out({"ok": problem is None, "rows": len(rows),
                     "problem": None if problem is None else {"seq": problem.seq, "reason": problem.reason,
                                                              "message": problem.message(args.lang)}})
            elif problem is None:
                lv, en = T["ok"]
                rows_text = count(len(rows), args.lang, ("rinda", "rindas"), ("row", "rows"))
                print((en if args.lang == "en" else lv).format(rows=rows_text))
            else:
                print(problem.message(args.lang))
            return EXIT_OK if problem is None else EXIT_KNOWN
    if args.last is not None:
        rows = rows[-args.last:] if args.last > 0 else []
    for row in rows:
        fields: dict[str, Any] = json.loads(row["fields"])
        if args.json:
            out({"seq": row["seq"], "at": row["at"], "event": row["event"], "actor": row["actor"], "fields": fields,
                 "hash": row["hash"]})
        else:
            text = "  ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in sorted(fields.items()) if v is not None)
            print(f"{row['seq']:6d}  {row['at']}  {row['actor']:<14} {row['event']:<18} {text}".rstrip())
    return EXIT_OK


def register(sub: Any) -> None:
    s = sub.add_parser("audit", help="show the audit log, or check it (--verify)")
    s.add_argument("--verify", action="store_true", help="check the hash chain; name the first bad row (exit 1)")
    s.add_argument("--last", type=int, metavar="N", help="show only the last N rows")
    s.add_argument("--json", action="store_true", help="one JSON object per row (with --verify: one verdict)")
    add_role_argument(s, Role.OFFICE)
    s.set_defaults(func=cmd_audit)
