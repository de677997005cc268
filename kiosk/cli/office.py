"""``kiosk central setup|import|status|decide|online|publish``: the central office's data
directory without its window.

The same work as ``kiosk central gui`` (``kiosk.central.office``), a command at a time,
over the central office's data directory (``--data-dir``, else ``$KIOSK_CENTRAL_DIR``,
else its own user data directory): files received once by their content, every decision
stored with who made it, a publication that freezes them.  ``verify`` and ``tally`` stay
what they are: a count of files given on the command line, nothing stored.
"""
from __future__ import annotations

import argparse
from functools import partial
from pathlib import Path
from typing import Any

from ..assets import demo_campaign_path
from ..central.office import CentralOffice, Count, Overview
from ..central.tally import SerialCopy
from ..errors import KioskError
from ..lang import count as count_words
from .common import EXIT_KNOWN, EXIT_OK, out, say

T = {
    "setup": ("Centrālā biroja mape {root}: kampaņa {campaign}; galvenā atslēga: {master}",
              "Central office directory {root}: campaign {campaign}; master key: {master}"),
    "yes": ("ir", "held"),
    "demo": ("demonstrācijas kampaņas", "the demo campaign's"),
    "none": ("nav", "none"),
    "new": ("Jauni faili: {n}; jau saņemti: {same}; nenolasāmi: {bad}",
            "New files: {n}; received before: {same}; unreadable: {bad}"),
    "unreadable": ("  NENOLASĀMS  {name}: {why}", "  UNREADABLE  {name}: {why}"),
    "file_ok": ("  DERĪGS      {name} ({kiosk} partija {batch}, ieskaitīti {counted})",
                "  VALID       {name} ({kiosk} batch {batch}, {counted} counted)"),
    "file_bad": ("  IZSLĒGTS    {name}: {why}", "  EXCLUDED    {name}: {why}"),
    "files": ("Saņemti faili: {n} (nepārbaudīti: {unverified})", "Files received: {n} (not verified: {unverified})"),
    "kiosk": ("  {kiosk}: faili {received}, skaitās {accepted}; {state}", "  {kiosk}: files {received}, counting {accepted}; {state}"),
    "complete": ("pilna (1–{last})", "complete (1–{last})"),
    "missing": ("trūkst partijas Nr. {n}", "batch no. {n} missing"),
    "forked": ("sazarota: divi dažādi faili partijai Nr. {n}", "forked: two different files for batch no. {n}"),
    "revoked": ("atsaukta no partijas Nr. {n}", "revoked from batch no. {n}"),
    "broken": ("pārrauta pie partijas Nr. {n}", "broken at batch no. {n}"),
    "excluded": ("Izslēgtie faili: {n}", "Excluded files: {n}"),
    "counted": ("Ieskaitīti papīra biļeteni: {n} (partijas: {batches})", "Paper ballots counted: {n} (batches: {batches})"),
    "conflicts": ("Pretrunīgi numuri: {n}, neizlemti: {open}", "Conflicting serials: {n}, undecided: {open}"),
    "conflict": ("  {serial}: {state}", "  {serial}: {state}"),
    "undecided": ("neizlemts", "undecided"),
    "decided": ("skaitās {which} ({by}: {note})", "counts {which} ({by}: {note})"),
    "nothing": ("neviena kopija", "no copy"),
    "copy": ("    {kiosk}:{batch}  {status}{choices}", "    {kiosk}:{batch}  {status}{choices}"),
    "st_counted": ("ieskaitīts", "counted"),
    "st_rejected": ("noraidīts", "rejected"),
    "online": ("Tiešsaistes balsis: {votes} ({name}, {lines})", "Online votes: {votes} ({name}, {lines})"),
    "published": ("PUBLICĒTS {at} ({by}): {report}", "PUBLISHED {at} ({by}): {report}"),
    "decision": ("Lēmums par {serial}: {what}", "Decision on {serial}: {what}"),
    "withdrawn": ("Lēmums par {serial} atsaukts: numurs atkal neizlemts", "Decision on {serial} withdrawn: the serial is undecided again"),
    "ask": ("Faili, kas netiek skaitīti: {n} (uzskaitīti `kiosk central status`). Lai publicētu, palaidiet vēlreiz ar --yes.",
            "Files that do not count: {n} (listed by `kiosk central status`). To publish, run again with --yes."),
    "written": ("Publicēts: {path}", "Published: {path}"),
}


t = partial(say, T)  # t(key, lang, **values)


def _office(args: argparse.Namespace) -> CentralOffice:
    return CentralOffice.open(args.data_dir)


# -- setup ---------------------------------------------------------------------------

def cmd_setup(args: argparse.Namespace) -> int:
    revocations = Path(args.revoked).read_text(encoding="utf-8") if args.revoked else None
    with _office(args) as office:
        # a fresh directory given no campaign counts the demo campaign (as ``tally`` does)
        campaign = args.campaign or (None if office.configured else demo_campaign_path())
        office.configure(campaign=campaign, master=args.master, trust=args.trust, revocations=revocations)
        master = (t("yes", args.lang) if office.has_master_key
                  else t("demo", args.lang) if office.master is not None else t("none", args.lang))
        print(t("setup", args.lang, root=office.dir.root, campaign=office.campaign.id, master=master))
        if office.files():  # a new campaign, key or trust: what was received is verified again
            office.verify_pending()
    return EXIT_OK


# -- import --------------------------------------------------------------------------

def cmd_import(args: argparse.Namespace) -> int:
    lang = args.lang
    with _office(args) as office:
        done = office.import_paths(args.paths)
        excluded = [f for f in done.new if f.reason is not None]
        if args.json:
            out({"new": [_file_json(f, lang) for f in done.new], "unchanged": list(done.unchanged),
                 "unreadable": [{"name": n, "why": why} for n, why in done.unreadable]})
        else:
            print(t("new", lang, n=len(done.new), same=len(done.unchanged), bad=len(done.unreadable)))
            for name, why in done.unreadable:
                print(t("unreadable", lang, name=name, why=why))
            for f in done.new:
                if f.reason is None:
                    print(t("file_ok", lang, name=f.name, kiosk=f.kiosk_id, batch=f.batch, counted=f.counted))
                else:
                    print(t("file_bad", lang, name=f.name, why=KioskError(f"batch.{f.reason}", detail=f.detail).message(lang)))
    return EXIT_KNOWN if excluded or done.unreadable else EXIT_OK


def _file_json(f: Any, lang: str) -> dict[str, Any]:
    return {"name": f.name, "sha256": f.sha256, "kiosk_id": f.kiosk_id, "institution_id": f.institution_id,
            "batch": f.batch, "counted": f.counted, "reason": f.reason,
            "message": None if f.reason is None else KioskError(f"batch.{f.reason}", detail=f.detail).message(lang)}


# -- status --------------------------------------------------------------------------

def _chain_text(k: Any, lang: str) -> str:
    if k.state == "complete":
        return t("complete", lang, last=k.last)
    return t(k.state, lang, n=k.at)


def _copy_json(c: SerialCopy) -> dict[str, Any]:
    return {"kiosk_id": c.kiosk_id, "batch": c.batch, "status": c.status, "choices": dict(c.choices)}


def _decision_json(d: Any) -> dict[str, Any] | None:
    return None if d is None else {"kind": d.kind, "kiosk_id": d.kiosk_id, "batch": d.batch, "note": d.note,
                                   "decided_by": d.decided_by}


def _online_text(online: Any, lang: str) -> str:
    lines = count_words(online.lines, lang, ("rinda", "rindas"), ("line", "lines"))
    return t("online", lang, votes=online.votes, name=online.name, lines=lines)


def _status_json(office: CentralOffice, overview: Overview | None, count: Count | None, lang: str) -> dict[str, Any]:
    names = {i.id: i.name for i in office.campaign.institutions} if office.configured else {}
    doc: dict[str, Any] = {"root": str(office.dir.root), "configured": office.configured,
                           "campaign": office.campaign.id if office.configured else None}
    if overview is not None:
        doc["files"], doc["unverified"] = overview.files, overview.unverified
        doc["institutions"] = [
            {"id": iid, "name": names.get(iid, iid),
             "kiosks": [{"kiosk_id": k.kiosk_id, "received": k.received, "accepted": k.accepted, "state": k.state,
                         "at": k.at, "missing": list(k.missing), "forked": list(k.forked)} for k in chains]}
            for iid, chains in overview.institutions.items()]
        doc["excluded"] = [{"name": e.name, "kiosk_id": e.kiosk_id, "batch": e.batch, "reason": e.reason,
                            "message": e.message(lang)} for e in overview.excluded]
    if count is not None:
        r = count.result
        doc["ballots_counted"], doc["verified_batches"] = r.ballots_counted, r.verified_batches
        doc["conflicts"] = [
            {"serial": c.serial, "kind": c.kind, "resolved": c.resolved,
             "decision": _decision_json(count.decisions.get(c.serial)),
             "copies": [_copy_json(cp) for cp in c.copies]} for c in r.conflicts]
        doc["unresolved_conflicts"] = len(r.unresolved_conflicts)
    online = office.online_import() if office.configured else None
    doc["online"] = None if online is None else {"name": online.name, "sha256": online.sha256,
                                                 "lines": online.lines, "votes": online.votes}
    pub = office.published
    doc["published"] = None if pub is None else {"at": pub.published_at, "by": pub.published_by, "report": pub.report}
    return doc


def cmd_status(args: argparse.Namespace) -> int:
    lang = args.lang
    with _office(args) as office:
        overview = count = None
        if office.configured:
            office.verify_pending()
            overview = office.overview()
            count = office.count(lang) if overview.files else None
        if args.json:
            out(_status_json(office, overview, count, lang))
            return EXIT_OK
        if overview is None:
            raise KioskError("central.no_campaign")
        names = {i.id: i.name for i in office.campaign.institutions}
        print(t("files", lang, n=overview.files, unverified=overview.unverified))
        for iid, chains in overview.institutions.items():
            print(names.get(iid, iid))
            for k in chains:
                print(t("kiosk", lang, kiosk=k.kiosk_id, received=k.received, accepted=k.accepted,
                        state=_chain_text(k, lang)))
        if overview.excluded:
            print(t("excluded", lang, n=len(overview.excluded)))
            for e in overview.excluded:
                print(t("file_bad", lang, name=e.name, why=e.message(lang)))
        if count is not None:
            r = count.result
            print(t("counted", lang, n=r.ballots_counted, batches=r.verified_batches))
            if r.conflicts:
                print(t("conflicts", lang, n=len(r.conflicts), open=len(r.unresolved_conflicts)))
                for c in r.conflicts:
                    d = count.decisions.get(c.serial)
                    if c.resolved and d is not None:
                        which = f"{d.kiosk_id}:{d.batch}" if d.kind == "copy" else t("nothing", lang)
                        state = t("decided", lang, which=which, by=d.decided_by, note=d.note or "–")
                    else:
                        state = t("undecided", lang)
                    print(t("conflict", lang, serial=c.serial, state=state))
                    for cp in c.copies:
                        status = t("st_counted", lang) if cp.status == "counted" else t("st_rejected", lang)
                        choices = (": " + ", ".join(f"{q}={o}" for q, o in cp.choices)) if cp.choices else ""
                        print(t("copy", lang, kiosk=cp.kiosk_id, batch=cp.batch, status=status, choices=choices))
        online = office.online_import()
        if online is not None:
            print(_online_text(online, lang))
        pub = office.published
        if pub is not None:
            print(t("published", lang, at=pub.published_at, by=pub.published_by, report=pub.report))
    return EXIT_OK


# -- decisions, the online vote, publishing ------------------------------------------

def cmd_decide(args: argparse.Namespace) -> int:
    lang = args.lang
    with _office(args) as office:
        if args.withdraw:
            office.withdraw(args.serial, args.note)
            print(t("withdrawn", lang, serial=args.serial))
            return EXIT_OK
        count = office.count(lang)
        copy = None
        if args.copy:
            kiosk_id, _, batch = args.copy.rpartition(":")
            conflict = next((c for c in count.conflicts if c.serial == args.serial), None)
            copy = next((c for c in (conflict.copies if conflict else ())
                         if c.kiosk_id == kiosk_id and str(c.batch) == batch), None)
            if copy is None:
                raise KioskError("central.no_conflict", serial=args.serial, detail=args.copy)
        office.decide(count, args.serial, copy, args.note)
        what = f"{copy.kiosk_id}:{copy.batch}" if copy is not None else t("nothing", lang)
        print(t("decision", lang, serial=args.serial, what=what))
    return EXIT_OK


def cmd_online(args: argparse.Namespace) -> int:
    with _office(args) as office:
        imported = office.import_online(args.file)
        print(_online_text(imported, args.lang))
    return EXIT_OK


def cmd_publish(args: argparse.Namespace) -> int:
    lang = args.lang
    with _office(args) as office:
        if office.published is not None:
            raise KioskError("central.published")
        count = office.count(lang)
        excluded = len(count.result.excluded_batches)
        if excluded and not args.yes:  # the window asks; here the person says so on the command line
            print(t("ask", lang, n=excluded))
            return EXIT_KNOWN
        pub = office.publish(count, lang)
        stem = Path(pub.report).with_suffix("")
        for suffix in (".pdf", ".xlsx", ".csv", ".json"):
            print(t("written", lang, path=stem.with_suffix(suffix)))
    return EXIT_OK


def register(csub: Any) -> None:
    s = csub.add_parser("setup", help="the central office's data directory: campaign, master key, trust, revocations")
    s.add_argument("--campaign", metavar="FILE",
                   help="the campaign TOML the office counts (a fresh directory given none: the demo campaign)")
    s.add_argument("--master", metavar="FILE", help="the campaign master key (trusts every certified kiosk)")
    s.add_argument("--trust", metavar="DIR", help="<kiosk-id>.pub files (batches of format 1 and 2 only)")
    s.add_argument("--revoked", metavar="FILE", help="revoked kiosks: one 'kiosk-id [YYYY-MM-DD]' per line")
    s.set_defaults(func=cmd_setup)

    s = csub.add_parser("import", help="receive batch files (a folder: its batch files) into the central office")
    s.add_argument("paths", nargs="+", metavar="PATH")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_import)

    s = csub.add_parser("status", help="what the central office received: chains, excluded files, conflicts")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_status)

    s = csub.add_parser("decide", help="decide a conflicting serial: the copy that counts, or none")
    s.add_argument("serial")
    how = s.add_mutually_exclusive_group(required=True)
    how.add_argument("--copy", metavar="KIOSK:BATCH", help="the copy that counts")
    how.add_argument("--none", action="store_true", help="no copy counts")
    how.add_argument("--withdraw", action="store_true", help="take the decision back: undecided again")
    s.add_argument("--note", default="", help="why (stored with the decision and in the report)")
    s.set_defaults(func=cmd_decide)

    s = csub.add_parser("online", help="import the online vote: institution_id,specialist_id,votes")
    s.add_argument("file", metavar="FILE.csv")
    s.set_defaults(func=cmd_online)

    s = csub.add_parser("publish", help="publish the results (PDF, XLSX, CSV, JSON); decisions freeze")
    s.add_argument("--yes", action="store_true", help="publish although some files do not count")
    s.set_defaults(func=cmd_publish)
