"""Named crash points, for tests that prove a crash at any moment loses nothing.

Code that must survive a crash marks the moments between its steps with
``faults.point("export.after_rename")``.  Normally this does nothing.  When
the environment variable ``KIOSK_FAULT`` names the point (``export.after_rename``,
or ``export.after_rename:3`` for the third time it is reached), the process
ends on the spot with exit status 137, as if it had been killed: no ``finally``
block, no ``atexit`` handler, no buffered output.  Tests run the real command
in a subprocess with ``KIOSK_FAULT`` set, then open the data directory again and
check that every figure still adds up.

``KIOSK_FAULT`` may name several points separated by commas.
"""
from __future__ import annotations

import os
import sys

ENV = "KIOSK_FAULT"
EXIT_STATUS = 137  # what a shell reports for a process killed with SIGKILL

_reached: dict[str, int] = {}


def _armed() -> dict[str, int]:
    spec = os.environ.get(ENV, "")
    armed: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, _, nth = item.partition(":")
        armed[name] = int(nth) if nth.isdigit() and int(nth) > 0 else 1
    return armed


def point(name: str) -> None:
    """End the process here if ``KIOSK_FAULT`` names this point (see the module docstring)."""
    if ENV not in os.environ:
        return
    nth = _armed().get(name)
    if nth is None:
        return
    _reached[name] = _reached.get(name, 0) + 1
    if _reached[name] == nth:
        sys.stderr.flush()
        os._exit(EXIT_STATUS)
