"""`kiosk` in a child process that stops at a chosen point of its work and waits to be killed.

A test that kills a process in the middle of its work needs the kill to land at a
known point, not wherever a timer or a poll happened to catch it.  ``start`` runs
the command line in a child with one hook installed; the hook calls ``hold()`` at
the chosen point, which says so on stderr and waits.  ``wait_held`` returns once the
child has said so; the test then kills it, and what was done before is exactly known.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading

HELD = "HELD"

_PRELUDE = f"""
import sys
import threading

def hold():
    sys.stderr.write("{HELD}\\n")
    sys.stderr.flush()
    threading.Event().wait()  # until killed
"""

_RUN = """
from kiosk.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def start(args: list[str], hook: str, *, env: dict[str, str] | None = None, **popen) -> subprocess.Popen:
    """``kiosk ARGS`` in a child process after ``hook`` (Python source that may call ``hold()``)."""
    code = _PRELUDE + hook + _RUN
    return subprocess.Popen([sys.executable, "-c", code, *args], stderr=subprocess.PIPE, text=True,
                            env=env if env is not None else dict(os.environ), **popen)


def wait_held(proc: subprocess.Popen, timeout: float = 120.0) -> None:
    """Return once the child holds; fail with its stderr if it ends or never gets there."""
    held = threading.Event()
    seen: list[str] = []

    def read() -> None:
        for line in proc.stderr:
            if line.strip() == HELD:
                held.set()
                return
            seen.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout)  # ends at HELD, or when the child closes stderr (it ended)
    if not held.is_set():
        proc.kill()
        proc.wait()
        reader.join(10)
        raise AssertionError(f"the child never reached its hold (exit {proc.returncode}):\n{''.join(seen)[-2000:]}")
