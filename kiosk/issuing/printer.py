"""The printer: hand a finished ballot PDF to the operating system's spooler."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from ..errors import KioskError


def send_to_printer(pdf: str | Path, printer: str, title: str = "urn-kiosk") -> None:
    """Hand a finished PDF to CUPS with lp; failures raise print.no_printer."""
    lp = shutil.which("lp")
    if lp is None:
        raise KioskError("print.no_printer", detail="CUPS 'lp' command not found")
    try:
        done = subprocess.run([lp, "-d", printer, "-t", title, str(pdf)], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise KioskError("print.no_printer", detail=str(exc)) from exc
    if done.returncode != 0:
        raise KioskError("print.no_printer", detail=(done.stderr or done.stdout).strip() or f"lp exit {done.returncode}")
