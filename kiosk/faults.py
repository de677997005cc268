"""Named crash points, for tests that prove a crash at any moment loses nothing.

Code that must survive a crash marks the moments between its steps with
``faults.point("export.after_rename")``.  Normally this does nothing.  When
the environment variable ``KIOSK_FAULT`` names the point (``export.after_rename``,
or ``export.after_rename:3`` for the third time it is reached), the process
ends on the spot with exit status 137, as if it had been killed: no ``finally``
block, no ``atexit`` handler, no buffered output.  Tests run the real command
in a subprocess with ``KIOSK_FAULT`` set, then open the data directory again and
check that every figure still adds up.

``KIOSK_FAULT`` may name several points separated by commas.  A point armed as
``name=hang`` (or ``name:3=hang``) blocks there forever instead, as a process
stuck in a long computation would (to prove that what waits on it is ended).
"""
from __future__ import annotations

import os
import sys
import threading

ENV = "KIOSK_FAULT"
EXIT_STATUS = 137  # what a shell reports for a process killed with SIGKILL

_reached: dict[str, int] = {}


def _armed() -> dict[str, tuple[int, str]]:
    """name -> (the time it is reached that ends the process, "kill" or "hang")."""
    spec = os.environ.get(ENV, "")
    armed: dict[str, tuple[int, str]] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        item, _, action = item.partition("=")
        name, _, nth = item.partition(":")
        armed[name] = (int(nth) if nth.isdigit() and int(nth) > 0 else 1, "hang" if action == "hang" else "kill")
    return armed


def point(name: str) -> None:
    """End the process here if ``KIOSK_FAULT`` names this point (see the module docstring)."""
    if ENV not in os.environ:
        return
    armed = _armed().get(name)
    if armed is None:
        return
    nth, action = armed
    _reached[name] = _reached.get(name, 0) + 1
    if _reached[name] == nth:
        sys.stderr.flush()
        if action == "hang":
            threading.Event().wait()  # forever
        os._exit(EXIT_STATUS)
