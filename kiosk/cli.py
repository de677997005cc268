"""The ``kiosk`` command: every workflow headless; no arguments opens the GUI.

Exit status: 0 done; 1 a known error (its code and a plain message on
stderr); 2 a usage error; 70 a bug (trace on stderr and in the log).
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .errors import CampaignError, KioskError, default_language

log = logging.getLogger("kiosk")
EXIT_OK, EXIT_KNOWN, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 70


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits; we want our own status
        raise UsageError(f"{self.prog}: {message}")


def _out(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


# -- commands ---------------------------------------------------------------

GUI_ENTRY_POINTS = "urn_kiosk.gui"


def cmd_gui(args: argparse.Namespace) -> int:
    """Start the graphical application registered under GUI_ENTRY_POINTS (the Qt
    one in ui/, by pyproject.toml): the core never imports the UI itself."""
    from importlib.metadata import entry_points

    found = sorted(entry_points(group=GUI_ENTRY_POINTS), key=lambda ep: ep.name)
    if not found:
        raise KioskError("usage", detail="no graphical application is installed (run .ci/setup)")
    run = found[0].load()
    return run(data_dir=args.data_dir, lang=args.lang)


def cmd_campaign(args: argparse.Namespace) -> int:
    from .campaign import demo_campaign_path, load_campaign

    path = args.file or _enrolled_campaign_path(args) or demo_campaign_path()
    campaign = load_campaign(path)
    if args.json:
        _out(campaign.to_json())
        return EXIT_OK
    lang = args.lang
    print(f"{campaign.title.get(lang, campaign.title['lv'])}  [{campaign.id}]")
    print(f"  {campaign.voting_start} – {campaign.voting_end}, {campaign.page_size.upper()}")
    for q in campaign.questions:
        extra = f" 1–{q.scale}" if q.type == "rating" else ""
        print(f"  ? {q.text.get(lang, q.text['lv'])} ({q.type}{extra}{', optional' if q.optional else ''})")
    for inst in campaign.institutions:
        print(f"  {inst.name}  [{inst.id}]")
        for s in inst.specialists:
            print(f"    - {s.name}  [{s.id}]  {s.position}")
    return EXIT_OK


def _enrolled_campaign_path(args: argparse.Namespace) -> str | None:
    from .service import DB_NAME, data_dir
    from .storage import Store

    root = data_dir(args.data_dir)
    if not (root / DB_NAME).exists():
        return None
    with Store(root / DB_NAME) as store:
        return store.get_setting("campaign_path")


def cmd_enroll(args: argparse.Namespace) -> int:
    from .service import Kiosk

    with Kiosk.enroll(args.institution, root=args.data_dir, campaign_path=args.campaign, key_file=args.key) as k:
        info = {
            "kiosk_id": k.kiosk_id,
            "campaign": k.campaign.id,
            "institution": k.institution.id,
            "data_dir": str(k.root),
            "public_key": str(k.public_key_path),
        }
    if args.json:
        _out(info)
    else:
        print(f"{info['kiosk_id']}: {info['institution']} ({info['campaign']}) in {info['data_dir']}")
        print(f"public key for the central office: {info['public_key']}")
    return EXIT_OK


def open_kiosk(args: argparse.Namespace, institution: str | None = None):
    """Open the data directory; a fresh one enrolls (in ``institution`` or the
    campaign's first institution) so a first command just works."""
    from .campaign import demo_campaign_path, load_campaign
    from .service import Kiosk

    try:
        kiosk = Kiosk.open(args.data_dir)
    except KioskError as exc:
        if exc.code != "enroll.not_enrolled":
            raise
        campaign_path = getattr(args, "campaign", None) or demo_campaign_path()
        inst = institution or load_campaign(campaign_path).institutions[0].id
        return Kiosk.enroll(inst, root=args.data_dir, campaign_path=campaign_path)
    if institution and institution != kiosk.institution.id:
        kiosk.close()
        raise KioskError("enroll.already", institution=kiosk.institution.id)
    return kiosk


def cmd_print(args: argparse.Namespace) -> int:
    if (args.out is None) == (args.printer is None):
        raise UsageError("print: give exactly one of --out FILE.pdf or --printer NAME")
    with open_kiosk(args, args.institution) as k:
        res = k.print_ballots(args.count, out=args.out, printer=args.printer, page_size=args.page_size)
        info = {"job": res.job_id, "count": res.count, "layout": f"{res.layout_id:08x}", "target": res.target,
                "institution": k.institution.id}
    if args.json:
        _out(info)
    else:
        print(f"{info['count']} ballot(s) for {info['institution']} -> {info['target']} (job {info['job']}, layout {info['layout']})")
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    with open_kiosk(args) as k:
        info = {
            "kiosk_id": k.kiosk_id,
            "data_dir": str(k.root),
            "campaign": k.campaign.id,
            "institution": k.institution.id,
            "layouts": sorted(f"{i:08x}" for i in k.known_layouts()),
            **k.store.issued_counts(),
        }
    if args.json:
        _out(info)
    else:
        for key, value in info.items():
            print(f"{key}: {value}")
    return EXIT_OK


def cmd_central_master_key(args: argparse.Namespace) -> int:
    import secrets

    from .keys import write_hex_key

    out = Path(args.out)
    if out.exists():
        raise UsageError(f"{out} exists: a master key is never overwritten")
    write_hex_key(out, secrets.token_bytes(32))
    print(f"master key written to {out} (keep it secret; it derives every institution key)")
    return EXIT_OK


def cmd_central_institution_key(args: argparse.Namespace) -> int:
    from .campaign import load_campaign
    from .keys import read_hex_key, write_hex_key
    from .payload import derive_institution_key

    campaign = load_campaign(args.campaign)
    inst = campaign.institution(args.institution)
    master = read_hex_key(Path(args.master))
    write_hex_key(Path(args.out), derive_institution_key(master, campaign.id, inst.id))
    print(f"institution key for {inst.id} written to {args.out}")
    return EXIT_OK


# -- parser -----------------------------------------------------------------

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="kiosk", description="urn-kiosk: print, scan, count and export Good Service Movement ballots.")
    p.add_argument("--version", action="version", version=f"urn-kiosk {__version__}")
    p.add_argument("--data-dir", help="data directory (default: $KIOSK_DATA_DIR or the user data directory)")
    p.add_argument("--lang", choices=["lv", "en"], default=None, help="language of messages (default lv)")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    s = sub.add_parser("gui", help="open the kiosk application (the default)")
    s.set_defaults(func=cmd_gui)

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

    s = sub.add_parser("print", help="issue ballots into a PDF or onto a printer")
    s.add_argument("--count", type=int, default=1)
    s.add_argument("--out", help="write the ballots to this PDF file")
    s.add_argument("--printer", help="send the ballots to this CUPS printer")
    s.add_argument("--institution", help="institution id (enrolls a fresh data directory)")
    s.add_argument("--campaign", help="campaign TOML for a fresh data directory")
    s.add_argument("--page-size", choices=["a5", "a4"])
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_print)

    s = sub.add_parser("status", help="show enrollment and counts")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_status)

    central = sub.add_parser("central", help="central office: keys, verification, tally")
    csub = central.add_subparsers(dest="central_command", parser_class=_Parser, required=True)
    s = csub.add_parser("master-key", help="create the campaign master key")
    s.add_argument("--out", required=True)
    s.set_defaults(func=cmd_central_master_key)
    s = csub.add_parser("institution-key", help="derive one institution's ballot key")
    s.add_argument("--campaign", required=True)
    s.add_argument("--master", required=True)
    s.add_argument("--institution", required=True)
    s.add_argument("--out", required=True)
    s.set_defaults(func=cmd_central_institution_key)

    for extend in EXTENSIONS:
        extend(sub, csub)
    return p


# Other modules add their subcommands here (scan, review, export, verify, tally)
# so this file stays a dispatcher.
EXTENSIONS: list[Callable[[Any, Any], None]] = []


def _load_extensions() -> None:
    import importlib

    for name in ("kiosk.cli_scan", "kiosk.cli_export"):
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        if mod.register not in EXTENSIONS:
            EXTENSIONS.append(mod.register)


def _setup_logging(args: argparse.Namespace) -> None:
    from .service import data_dir

    if logging.getLogger().handlers:  # already configured (a second main() in one process):
        return  # basicConfig would ignore new handlers and leak their open log file
    handlers: list[logging.Handler] = []
    try:
        logdir = data_dir(args.data_dir) / "logs"
        logdir.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(logdir / "kiosk.log", encoding="utf-8"))
    except OSError:
        pass
    logging.basicConfig(level=logging.INFO, handlers=handlers or [logging.NullHandler()],
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _load_extensions()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_USAGE
    args.lang = args.lang or default_language()
    os.environ.setdefault("KIOSK_LANG", args.lang)
    if not getattr(args, "func", None):
        args.func = cmd_gui
    _setup_logging(args)
    try:
        return int(args.func(args) or 0)
    except UsageError as exc:
        sys.stderr.write(f"kiosk: {exc}\n")
        return EXIT_USAGE
    except CampaignError as exc:
        sys.stderr.write(f"kiosk: error [{exc.code}] {exc.message(args.lang)}\n")
        return EXIT_KNOWN
    except KioskError as exc:
        sys.stderr.write(f"kiosk: error [{exc.code}] {exc.message(args.lang)}\n")
        return EXIT_USAGE if exc.code == "usage" else EXIT_KNOWN
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader of our output went away (`kiosk scan --json ... | head`): stop quietly;
        # stdout goes to /dev/null so the interpreter's final flush does not fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception:
        log.exception("internal error in %s", args.command)
        sys.stderr.write("kiosk: internal error (a bug) — details follow and are in the log\n")
        traceback.print_exc()
        return EXIT_BUG


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
