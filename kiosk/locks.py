"""One lock across processes, held while a data directory is set up.

``interprocess_lock(path)`` waits for the exclusive lock on a lock file
(``kiosk.platform.exclusive_lock``), released when the holder ends in any way,
a kill included.  Two commands started together on a fresh data directory take
turns creating its schema and enrolling it.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from . import platform
from .errors import KioskError

LOCK_TIMEOUT_S = 120.0  # a migration of a large database may take a while


@contextlib.contextmanager
def interprocess_lock(path: str | Path, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold the lock file ``path`` exclusively; KioskError storage.locked after ``timeout`` seconds."""
    held = platform.exclusive_lock(path, timeout=timeout)
    try:
        held.__enter__()
    except platform.LockBusy:
        raise KioskError("storage.locked", detail=f"{path}: held by another process") from None
    try:
        yield
    finally:
        held.__exit__(None, None, None)
