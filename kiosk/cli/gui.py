"""``kiosk`` / ``kiosk gui``: the graphical application."""
from __future__ import annotations

import argparse
from importlib.metadata import entry_points
from typing import Any

from ..errors import KioskError

GUI_ENTRY_POINTS = "urn_kiosk.gui"


def cmd_gui(args: argparse.Namespace) -> int:
    """Start the graphical application: the runner the caller handed in, else
    the one registered under GUI_ENTRY_POINTS (the Qt one in ui/, by
    pyproject.toml).  The core never imports the UI itself."""
    return _run(args, getattr(args, "gui_runner", None), GUI_ENTRY_POINTS,
                "no graphical application is installed (run .ci/setup)")


def _run(args: argparse.Namespace, runner: Any, group: str, missing: str) -> int:
    """Start ``runner``, else the first application registered under the entry-point ``group``."""
    if runner is None:
        found = sorted(entry_points(group=group), key=lambda ep: ep.name)
        if not found:
            raise KioskError("usage", detail=missing)
        runner = found[0].load()
    return runner(data_dir=args.data_dir, lang=args.lang)


def register(sub: Any) -> None:
    s = sub.add_parser("gui", help="open the kiosk application (the default)")
    s.set_defaults(func=cmd_gui)


CENTRAL_GUI_ENTRY_POINTS = "urn_kiosk.central_gui"


def cmd_central_gui(args: argparse.Namespace) -> int:
    """Start the central office window over the central office's data directory
    (``--data-dir``, else $KIOSK_CENTRAL_DIR, else its own user data directory):
    the runner the caller handed in, else the one registered under
    CENTRAL_GUI_ENTRY_POINTS (ui.central.app:run, by pyproject.toml)."""
    return _run(args, getattr(args, "central_gui_runner", None), CENTRAL_GUI_ENTRY_POINTS,
                "the central office window is not installed (run .ci/setup)")


def register_central(csub: Any) -> None:
    s = csub.add_parser("gui", help="open the central office window (import, verify, decide, publish)")
    s.set_defaults(func=cmd_central_gui)
