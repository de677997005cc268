"""The ``kiosk`` command: every workflow headless; no arguments opens the GUI.

Exit status: 0 done; 1 a known error (its code and a plain message on
stderr); 2 a usage error; 70 a bug (trace on stderr and in the log).

Every command group is a module of this package, imported here by name so
that nothing is loaded behind the reader's (or a bundler's) back.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence

from .. import __version__
from ..datadir import CentralDir, DataDir
from ..errors import CampaignError, KioskError, default_language
from . import audit, central, enrollment, export, gui, issuing, office, scan
from .common import EXIT_BUG, EXIT_KNOWN, EXIT_USAGE, Parser, UsageError

log = logging.getLogger("kiosk")

GuiRunner = Callable[..., int]


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="kiosk", description="urn-kiosk: print, scan, count and export Good Service Movement ballots.")
    p.add_argument("--version", action="version", version=f"urn-kiosk {__version__}")
    p.add_argument("--data-dir", help="data directory (default: $KIOSK_DATA_DIR or the user data directory)")
    p.add_argument("--lang", choices=["lv", "en"], default=None, help="language of messages (default lv)")
    sub = p.add_subparsers(dest="command", parser_class=Parser)
    gui.register(sub)
    enrollment.register(sub)
    issuing.register(sub)
    scan.register(sub)
    export.register(sub)
    audit.register(sub)
    group = sub.add_parser("central", help="central office: keys, verification, tally")
    csub = group.add_subparsers(dest="central_command", parser_class=Parser, required=True)
    central.register(csub)
    office.register(csub)
    gui.register_central(csub)
    return p


def _setup_logging(args: argparse.Namespace) -> None:
    if logging.getLogger().handlers:  # already configured (a second main() in one process):
        return  # basicConfig would ignore new handlers and leak their open log file
    handlers: list[logging.Handler] = []
    try:
        # the central office's commands log into its own data directory, never a kiosk's
        datadir = CentralDir.locate(args.data_dir) if args.command == "central" else DataDir.locate(args.data_dir)
        datadir.logs.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(datadir.log_file, encoding="utf-8"))
    except OSError:
        pass
    logging.basicConfig(level=logging.INFO, handlers=handlers or [logging.NullHandler()],
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def main(argv: Sequence[str] | None = None, *, gui_runner: GuiRunner | None = None,
         central_gui_runner: GuiRunner | None = None) -> int:
    """Run one command.  ``gui_runner`` starts the graphical application and
    ``central_gui_runner`` the central office window when the caller has them at
    hand (a frozen bundle); otherwise they are looked up by their entry points."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_USAGE
    args.lang = args.lang or default_language()
    os.environ.setdefault("KIOSK_LANG", args.lang)
    if not getattr(args, "func", None):
        args.func = gui.cmd_gui
    if args.func is gui.cmd_gui:
        args.gui_runner = gui_runner
    if args.func is gui.cmd_central_gui:
        args.central_gui_runner = central_gui_runner
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
