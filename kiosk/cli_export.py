"""CLI: ``kiosk export``, ``kiosk central verify``, ``kiosk central tally``.

Registered through ``kiosk.cli.EXTENSIONS`` (see ``cli._load_extensions``).
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

from .errors import KioskError

EXIT_OK, EXIT_KNOWN = 0, 1

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
    "ok": ("DERĪGA    {file}  ({kiosk} partija {batch}, {records} ieraksti)", "VALID     {file}  ({kiosk} batch {batch}, {records} records)"),
    "bad": ("NEDERĪGA  {file}  [{reason}] {message}", "INVALID   {file}  [{reason}] {message}"),
    "summary": ("{ok} no {total} partijām derīgas", "{ok} of {total} batch(es) valid"),
    "specialists": ("Speciālisti", "Specialists"),
    "institutions": ("Iestādes", "Institutions"),
    "excluded": ("Izslēgtās partijas", "Excluded batches"),
    "dups": ("Vairākās partijās atrasti numuri (skaitīti vienreiz): {n}", "Serials met in more than one batch (counted once): {n}"),
    "evals": ("vidēji {avg}", "average {avg}"),
    "written": ("Ierakstīts: {path}", "Written: {path}"),
}


def count(n: int, lang: str, lv: tuple[str, str], en: tuple[str, str]) -> str:
    from .report import lv_count

    return lv_count(n, *lv) if lang != "en" else f"{n} {en[0] if n == 1 else en[1]}"


def t(key: str, lang: str, **kw: Any) -> str:
    lv, en = T[key]
    return (en if lang == "en" else lv).format(**kw)


def _out(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


# -- export ------------------------------------------------------------------

def cmd_export(args: argparse.Namespace) -> int:
    from .cli import UsageError
    from .export import export_batch, list_batches, pending_summary
    from .service import Kiosk

    if args.list == bool(args.out):
        raise UsageError("export: give --out DIR (write the next batch) or --list")
    with Kiosk.open(args.data_dir) as k:
        if args.list:
            batches, summary = list_batches(k), pending_summary(k)
            if args.json:
                _out({"kiosk_id": k.kiosk_id, "batches": batches, "next": summary})
                return EXIT_OK
            if not batches:
                print(t("none", args.lang))
            for b in batches:
                print(f"{b['number']:4d}  {b['created_at']}  {b['records']:6d}  {b['sha256'][:16]}…  {b['path']}")
            print(t("ready", args.lang, **summary))
            return EXIT_OK
        res = export_batch(k, args.out, images=args.images)
    if args.json:
        _out(res.to_json())
        return EXIT_OK
    print(t("batch", args.lang, batch=res.batch, path=res.path))
    print(t("records", args.lang, records=res.records, counted=res.counted, rejected=res.rejected, images=res.images))
    if res.pending:
        print(t("pending", args.lang, pending=res.pending))
    print(t("sha", args.lang, sha=res.sha256))
    print(t("pubkey", args.lang, path=res.public_key))
    return EXIT_OK


# -- central -----------------------------------------------------------------

def _batch_paths(items: list[str]) -> list[Path]:
    """Files as given; a directory stands for its batch files (*.zip), sorted."""
    paths: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            paths.extend(sorted(p.glob("*.zip")))
        else:
            paths.append(p)
    if not paths:
        raise KioskError("central.no_files")
    return paths


def _verify(args: argparse.Namespace):
    from .campaign import demo_campaign_path, load_campaign
    from .central import load_trust, verify_batches
    from .keys import read_hex_key

    campaign = load_campaign(args.campaign or demo_campaign_path())
    trust = load_trust(args.trust)
    master = read_hex_key(Path(args.master)) if args.master else campaign.demo_master_key
    checks = verify_batches(_batch_paths(args.files), trust, campaign, master)
    return campaign, checks, master is not None


def cmd_verify(args: argparse.Namespace) -> int:
    campaign, checks, tags = _verify(args)
    if args.json:
        _out({"campaign": campaign.id, "tags_checked": tags, "batches": [c.to_json(args.lang) for c in checks],
              "valid": sum(c.ok for c in checks), "invalid": sum(not c.ok for c in checks)})
    else:
        for c in checks:
            if c.ok:
                print(t("ok", args.lang, file=c.path, kiosk=c.kiosk_id, batch=c.batch, records=c.manifest["records"]["count"]))
            else:
                print(t("bad", args.lang, file=c.path, reason=c.reason, message=c.message(args.lang)))
        print(t("summary", args.lang, ok=sum(c.ok for c in checks), total=len(checks)))
    return EXIT_OK if all(c.ok for c in checks) else EXIT_KNOWN


CSV_COLUMNS = ["section", "rank", "winner", "id", "name", "institution", "votes", "evaluations", "average_rating",
               "issued", "scanned", "counted", "in_review", "rejected", "duplicates", "turnout"]


def write_csv(result: dict[str, Any], path: Path) -> None:
    """One table: a row per specialist, per institution and per integrity line."""
    rows: list[dict[str, Any]] = []
    for s in result["specialists"]:
        rows.append({"section": "specialist", "rank": s["rank"], "winner": int(s["winner"]), "id": s["id"],
                     "name": s["name"], "institution": s["institution"], "votes": s["votes"]})
    for i in result["institutions"]:
        rows.append({"section": "institution", "rank": i["rank"], "winner": int(i["winner"]), "id": i["id"],
                     "name": i["name"], "evaluations": i["evaluations"],
                     "average_rating": "" if i["average_rating"] is None else i["average_rating"]})
    for g in result["integrity"]:
        rows.append({"section": "integrity", "id": g["institution_id"], "name": g["institution"],
                     **{k: g[k] for k in ("issued", "scanned", "counted", "in_review", "rejected", "duplicates")},
                     "turnout": "" if g["turnout"] is None else g["turnout"]})
    try:
        with open(path, "w", newline="", encoding="utf-8-sig") as fp:  # BOM: spreadsheets then read UTF-8
            w = csv.DictWriter(fp, fieldnames=CSV_COLUMNS)
            w.writeheader()
            w.writerows(rows)
    except OSError as exc:
        raise KioskError("central.output", detail=str(exc)) from None


def cmd_tally(args: argparse.Namespace) -> int:
    from .central import tally
    from .report import write_report

    campaign, checks, tags = _verify(args)
    result = tally(checks, campaign, args.lang)
    result["tags_checked"] = tags
    if args.csv:
        write_csv(result, Path(args.csv))
    if args.pdf:
        write_report(result, campaign, Path(args.pdf))
    if args.json:
        _out(result)
        return EXIT_OK
    lang = args.lang
    print(t("specialists", lang))
    for s in result["specialists"]:
        mark = "★" if s["winner"] else " "
        votes = count(s["votes"], lang, ("balss", "balsis"), ("vote", "votes"))
        print(f" {mark}{s['rank']:3d}. {s['name']} ({s['institution']}): {votes}")
    print(t("institutions", lang))
    for i in result["institutions"]:
        mark = "★" if i["winner"] else " "
        avg = "–" if i["average_rating"] is None else f"{i['average_rating']:.2f}"
        evals = count(i["evaluations"], lang, ("novērtējums", "novērtējumi"), ("evaluation", "evaluations"))
        print(f" {mark}{i['rank']:3d}. {i['name']}: {evals}, {t('evals', lang, avg=avg)}")
    if result["excluded_batches"]:
        print(t("excluded", lang))
        for e in result["excluded_batches"]:
            print(f"  {e['file']}  [{e['reason']}] {e['message']}")
    print(t("dups", lang, n=result["duplicate_serials"]))
    for out in (args.csv, args.pdf):
        if out:
            print(t("written", lang, path=out))
    return EXIT_OK


# -- registration ----------------------------------------------------------------

def register(sub: Any, csub: Any) -> None:
    s = sub.add_parser("export", help="write the next signed batch for the central office")
    s.add_argument("--out", metavar="DIR", help="directory for the batch file and the kiosk's public key")
    s.add_argument("--images", action="store_true", help="include the original scans in the batch")
    s.add_argument("--list", action="store_true", help="list the batches exported so far")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_export)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--trust", required=True, metavar="DIR", help="directory of trusted <kiosk-id>.pub files")
        p.add_argument("--campaign", metavar="FILE", help="campaign TOML (default: the demo campaign)")
        p.add_argument("--master", metavar="FILE",
                       help="campaign master key: also check every ballot's QR tag (default: the demo key of a demo campaign)")
        p.add_argument("--json", action="store_true")
        p.add_argument("files", nargs="+", metavar="FILE", help="batch files (a directory: its *.zip files)")

    s = csub.add_parser("verify", help="verify signed batches and their chains")
    common(s)
    s.set_defaults(func=cmd_verify)

    s = csub.add_parser("tally", help="count the verified batches")
    common(s)
    s.add_argument("--csv", metavar="OUT", help="also write the results as CSV")
    s.add_argument("--pdf", metavar="OUT", help="also write the Latvian PDF report")
    s.set_defaults(func=cmd_tally)
