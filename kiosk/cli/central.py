"""``kiosk central …``: the central office's keys, batch verification and tally."""
from __future__ import annotations

import argparse
import secrets
from functools import partial
from pathlib import Path
from typing import Any

from ..assets import demo_campaign_path
from ..ballot.campaign import load_campaign
from ..ballot.keys import read_hex_key, write_hex_key
from ..ballot.payload import derive_institution_key
from ..central.online import load_online
from ..central.report import write_report
from ..central.tables import CSV_COLUMNS, write_csv, write_xlsx  # noqa: F401 - CSV_COLUMNS: stable import
from ..central.tally import TallyResult, load_resolutions, rule_text, tally
from ..central.verify import load_revocations, load_trust, verify_batches
from ..errors import KioskError
from ..lang import count
from .common import EXIT_KNOWN, EXIT_OK, UsageError, out, say

T = {
    "ok": ("DERĪGA    {file}  ({kiosk} partija {batch}, {records} ieraksti)", "VALID     {file}  ({kiosk} batch {batch}, {records} records)"),
    "bad": ("NEDERĪGA  {file}  [{reason}] {message}", "INVALID   {file}  [{reason}] {message}"),
    "summary": ("{ok} no {total} partijām derīgas", "{ok} of {total} batch(es) valid"),
    "specialists": ("Speciālisti", "Specialists"),
    "institutions": ("Iestādes", "Institutions"),
    "excluded": ("Izslēgtās partijas", "Excluded batches"),
    "dups": ("Vairākās partijās atrasti numuri: {n} (ar vienādām atzīmēm skaitīti vienreiz)",
             "Serials met in more than one batch: {n} (with the same marks counted once)"),
    "conflicts": ("Pretrunīgi numuri (netiek skaitīti, kamēr nav izlemts): {n}",
                  "Conflicting serials (counted for nobody until decided): {n}"),
    "conflict": ("  {serial} [{kind}]{resolved}", "  {serial} [{kind}]{resolved}"),
    "copy": ("    {kiosk} partija {batch}: {status}{choices}", "    {kiosk} batch {batch}: {status}{choices}"),
    "resolved": (" izlemts: skaitīts {which}", " decided: counted {which}"),
    "nothing": ("nekas", "nothing"),
    "partial": ("DAĻĒJI REZULTĀTI: izslēgtas partijas {excluded}, neizlemtas pretrunas {conflicts}",
                "PARTIAL RESULTS: excluded batches {excluded}, undecided conflicts {conflicts}"),
    "allowed": ("(--allow-partial: iziešana ar 0)", "(--allow-partial: exit status 0)"),
    "st_counted": ("ieskaitīts", "counted"),
    "st_rejected": ("noraidīts ({by})", "rejected ({by})"),
    "evals": ("vidēji {avg}", "average {avg}"),
    "rule": ("Noteikumi: {text}", "Rules: {text}"),
    "more": ("  … un vēl {n} (visi: --json, --csv, --xlsx, --pdf)", "  … and {n} more (all of them: --json, --csv, --xlsx, --pdf)"),
    "split": (" (papīrs {paper}, tiešsaistē {online})", " (paper {paper}, online {online})"),
    "score": ("rezultāts {score}", "score {score}"),
    "unplaced": ("bez vietas", "not placed"),
    "look": ("Ievērībai (skaitļi, nevis secinājumi)", "Look here (figures, not verdicts)"),
    "ties": ("Neizšķirts uzvarētāju vietās: speciālisti {s}, iestādes {i}",
             "Ties at winning places: specialists {s}, institutions {i}"),
    "online": ("Tiešsaistes balsis: {n} ({file})", "Online votes: {n} ({file})"),
    "written": ("Ierakstīts: {path}", "Written: {path}"),
}


TEXT_SPECIALISTS = 50  # specialists the text output lists (every winner too); the files list all


t = partial(say, T)  # t(key, lang, **values)


# -- keys --------------------------------------------------------------------

def cmd_master_key(args: argparse.Namespace) -> int:
    path = Path(args.out)
    if path.exists():
        raise UsageError(f"{path} exists: a master key is never overwritten")
    write_hex_key(path, secrets.token_bytes(32))
    print(f"master key written to {path} (keep it secret; it derives every institution key)")
    return EXIT_OK


def cmd_institution_key(args: argparse.Namespace) -> int:
    campaign = load_campaign(args.campaign)
    inst = campaign.institution(args.institution)
    master = read_hex_key(Path(args.master))
    write_hex_key(Path(args.out), derive_institution_key(master, campaign.id, inst.id))
    print(f"institution key for {inst.id} written to {args.out}")
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
    """Trust comes from the campaign master key (every kiosk certified by its institution
    key: batch format 3), from a directory of ``.pub`` files (``--trust``), or both."""
    campaign = load_campaign(args.campaign or demo_campaign_path())
    master = read_hex_key(Path(args.master)) if args.master else campaign.demo_master_key
    if not args.trust and master is None:
        raise UsageError("give --master FILE (the campaign master key) or --trust DIR (<kiosk-id>.pub files)")
    trust = load_trust(args.trust) if args.trust else {}
    revocations = load_revocations(args.revoked) if getattr(args, "revoked", None) else None
    checks = verify_batches(_batch_paths(args.files), trust, campaign, master, revocations)
    return campaign, checks, master is not None


def cmd_verify(args: argparse.Namespace) -> int:
    campaign, checks, tags = _verify(args)
    if args.json:
        out({"campaign": campaign.id, "tags_checked": tags, "batches": [c.to_json(args.lang) for c in checks],
              "valid": sum(c.ok for c in checks), "invalid": sum(not c.ok for c in checks)})
    else:
        for c in checks:
            if c.ok:
                print(t("ok", args.lang, file=c.path, kiosk=c.kiosk_id, batch=c.batch, records=c.manifest["records"]["count"]))
            else:
                print(t("bad", args.lang, file=c.path, reason=c.reason, message=c.message(args.lang)))
        print(t("summary", args.lang, ok=sum(c.ok for c in checks), total=len(checks)))
    return EXIT_OK if all(c.ok for c in checks) else EXIT_KNOWN


def _tally_status(result: TallyResult, args: argparse.Namespace) -> int:
    """0 only for complete results (or with --allow-partial): ``tally && publish`` never publishes a part."""
    return EXIT_OK if result.complete or getattr(args, "allow_partial", False) else EXIT_KNOWN


def cmd_tally(args: argparse.Namespace) -> int:
    resolutions = load_resolutions(args.resolutions) if getattr(args, "resolutions", None) else None
    campaign, checks, tags = _verify(args)
    online = load_online(args.online, campaign) if getattr(args, "online", None) else None
    result = tally(checks, campaign, args.lang, resolutions, online=online).with_tags_checked(tags)
    if args.csv:
        write_csv(result, Path(args.csv))
    if getattr(args, "xlsx", None):
        write_xlsx(result, Path(args.xlsx), args.lang)
    if args.pdf:
        write_report(result, campaign, Path(args.pdf))
    if args.json:
        out(result.to_json())
        return _tally_status(result, args)
    lang = args.lang
    if result.rules is not None:
        print(t("rule", lang, text=rule_text(result.rules, lang)))
    if result.online is not None:
        print(t("online", lang, n=result.online.total, file=result.online.source))
    print(t("specialists", lang))
    shown = [s for n, s in enumerate(result.specialists) if n < TEXT_SPECIALISTS or s.winner]
    for s in shown:
        mark = "★" if s.winner else " "
        votes = count(s.votes, lang, ("balss", "balsis"), ("vote", "votes"))
        split = t("split", lang, paper=s.paper, online=s.online) if s.online else ""
        print(f" {mark}{s.rank:3d}. {s.name} ({s.institution}): {votes}{split}")
    if len(shown) < len(result.specialists):
        print(t("more", lang, n=len(result.specialists) - len(shown)))
    print(t("institutions", lang))
    for i in result.institutions:
        mark = "★" if i.winner else " "
        avg = "–" if i.average_rating is None else f"{i.average_rating:.2f}"
        evals = count(i.evaluations, lang, ("novērtējums", "novērtējumi"), ("evaluation", "evaluations"))
        place = f"{i.rank:3d}." if i.rank is not None else f" {t('unplaced', lang)}:"
        score = "–" if i.score is None else (f"{i.score:.2f}" if isinstance(i.score, float) else str(i.score))
        print(f" {mark}{place} {i.name}: {t('score', lang, score=score)}; {evals}, {t('evals', lang, avg=avg)}")
    ties = result.ties if result.rules is not None else {"specialists": (), "institutions": ()}
    if ties["specialists"] or ties["institutions"]:
        print(t("ties", lang, s=", ".join(map(str, ties["specialists"])) or "–",
                i=", ".join(map(str, ties["institutions"])) or "–"))
    flagged = [g for g in result.integrity if g.signals]
    if flagged:
        print(t("look", lang))
        for g in flagged:
            for sig in g.signals:
                print(f"  {g.institution}: {sig.text(lang)}")
    if result.excluded_batches:
        print(t("excluded", lang))
        for e in result.excluded_batches:
            print(f"  {e.file}  [{e.reason}] {e.message}")
    print(t("dups", lang, n=result.duplicate_serials))
    if result.conflicts:
        print(t("conflicts", lang, n=len(result.unresolved_conflicts)))
        for c in result.conflicts:
            which = t("nothing", lang) if c.counted is None else f"{c.counted.kiosk_id} {c.counted.batch}"
            print(t("conflict", lang, serial=c.serial, kind=c.kind,
                    resolved=t("resolved", lang, which=which) if c.resolved else ""))
            for cp in c.copies:
                status = t("st_counted", lang) if cp.status == "counted" else t("st_rejected", lang, by=cp.decided_by)
                choices = (": " + ", ".join(f"{q}={o}" for q, o in cp.choices)) if cp.choices else ""
                print(t("copy", lang, kiosk=cp.kiosk_id, batch=cp.batch, status=status, choices=choices))
    for written in (args.csv, getattr(args, "xlsx", None), args.pdf):
        if written:
            print(t("written", lang, path=written))
    if not result.complete:
        print(t("partial", lang, excluded=len(result.excluded_batches), conflicts=len(result.unresolved_conflicts)))
        if getattr(args, "allow_partial", False):
            print(t("allowed", lang))
    return _tally_status(result, args)


def register(csub: Any) -> None:
    s = csub.add_parser("master-key", help="create the campaign master key")
    s.add_argument("--out", required=True)
    s.set_defaults(func=cmd_master_key)
    s = csub.add_parser("institution-key", help="derive one institution's ballot key")
    s.add_argument("--campaign", required=True)
    s.add_argument("--master", required=True)
    s.add_argument("--institution", required=True)
    s.add_argument("--out", required=True)
    s.set_defaults(func=cmd_institution_key)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--trust", metavar="DIR",
                       help="directory of trusted <kiosk-id>.pub files (needed for batches of format 1 and 2 only)")
        p.add_argument("--campaign", metavar="FILE", help="campaign TOML (default: the demo campaign)")
        p.add_argument("--master", metavar="FILE",
                       help="campaign master key: trusts every kiosk its institution key certified and checks every "
                            "ballot's QR tag (default: the demo key of a demo campaign)")
        p.add_argument("--revoked", metavar="FILE",
                       help="revoked kiosks: one 'kiosk-id [YYYY-MM-DD]' per line; their batches (made on or after "
                            "the date) are excluded")
        p.add_argument("--json", action="store_true")
        p.add_argument("files", nargs="+", metavar="FILE", help="batch files (a directory: its *.zip files)")

    s = csub.add_parser("verify", help="verify signed batches and their chains")
    common(s)
    s.set_defaults(func=cmd_verify)

    s = csub.add_parser("tally", help="count the verified batches")
    common(s)
    s.add_argument("--csv", metavar="OUT", help="also write the results as CSV")
    s.add_argument("--pdf", metavar="OUT", help="also write the Latvian PDF report")
    s.add_argument("--xlsx", metavar="OUT", help="also write the results as a workbook (one sheet per table)")
    s.add_argument("--online", metavar="FILE.csv",
                   help="online votes: institution_id,specialist_id,votes (an empty specialist_id: the institution)")
    s.add_argument("--resolutions", metavar="FILE",
                   help='decisions on conflicting serials: {"SERIAL": {"kiosk_id": ..., "batch": N} or null}')
    s.add_argument("--allow-partial", action="store_true",
                   help="exit 0 even when batches were excluded or conflicts are undecided (and say so)")
    s.set_defaults(func=cmd_tally)
