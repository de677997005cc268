"""``kiosk export``: write the next signed batch, or list the batches written."""
from __future__ import annotations

import argparse
from functools import partial
from typing import Any

from ..access.roles import Action, Role
from ..station import Kiosk
from .common import EXIT_OK, UsageError, add_role_argument, out, say, sign_in

T = {
    "batch": ("Partija {batch} ierakstīta: {path}", "Batch {batch} written: {path}"),
    "records": (
        "  {records} biļeteni ({counted} ieskaitīti, {rejected} noraidīti), {images} attēli",
        "  {records} ballot(s) ({counted} counted, {rejected} rejected), {images} image(s)",
    ),
    "pending": (
        "  {pending} biļeteni vēl gaida pārbaudi: tie tiks iekļauti kādā no nākamajām partijām",
        "  {pending} ballot(s) still wait for review: they go into a later batch",
    ),
    "pubkey": ("  kioska publiskā atslēga: {path}", "  kiosk public key: {path}"),
    "sha": ("  SHA-256: {sha}", "  SHA-256: {sha}"),
    "none": ("Šis kiosks vēl nav eksportējis nevienu partiju", "This kiosk has not exported a batch yet"),
    "ready": (
        "Nākamajā partijā: {ready} biļeteni; gaida pārbaudi: {in_review}",
        "Next batch: {ready} ballot(s); waiting for review: {in_review}",
    ),
}


t = partial(say, T)  # t(key, lang, **values)


def cmd_export(args: argparse.Namespace) -> int:
    if args.list == bool(args.out):
        raise UsageError("export: give --out DIR (write the next batch) or --list")
    with Kiosk.open(args.data_dir) as k:
        office = sign_in(k, args, Action.EXPORT)
        if args.list:
            batches, summary = office.batches(), office.export_summary()
            if args.json:
                out({"kiosk_id": k.kiosk_id, "batches": batches, "next": summary})
                return EXIT_OK
            if not batches:
                print(t("none", args.lang))
            for b in batches:
                print(f"{b['number']:4d}  {b['created_at']}  {b['records']:6d}  {b['sha256'][:16]}…  {b['path']}")
            print(t("ready", args.lang, **summary))
            return EXIT_OK
        res = office.export_batch(args.out, images=args.images)
    if args.json:
        out(res.to_json())
        return EXIT_OK
    print(t("batch", args.lang, batch=res.batch, path=res.path))
    print(t("records", args.lang, records=res.records, counted=res.counted, rejected=res.rejected, images=res.images))
    if res.pending:
        print(t("pending", args.lang, pending=res.pending))
    print(t("sha", args.lang, sha=res.sha256))
    print(t("pubkey", args.lang, path=res.public_key))
    return EXIT_OK


def register(sub: Any) -> None:
    s = sub.add_parser("export", help="write the next signed batch for the central office")
    s.add_argument("--out", metavar="DIR", help="directory for the batch file and the kiosk's public key")
    s.add_argument("--images", action="store_true", help="include the original scans in the batch")
    s.add_argument("--list", action="store_true", help="list the batches exported so far")
    s.add_argument("--json", action="store_true")
    add_role_argument(s, Role.OFFICE)
    s.set_defaults(func=cmd_export)
