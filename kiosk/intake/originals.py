"""The originals store: every scanned file kept once, by content, under the data directory.

``store_original`` copies a file to ``images/<sha[:2]>/<sha256>.<ext>``
(written to a temporary file, fsynced, renamed), so the image a sheet was
read from can always be shown and exported.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path

from .. import platform
from ..datadir import DataDir


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def store_original(datadir: DataDir, path: str | Path, sha: str, ext: str) -> Path:
    """Copy the file to images/<sha[:2]>/<sha>.<ext> once (tmp + fsync + rename)."""
    final = datadir.original(sha, ext)
    if final.exists():
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".part-", dir=final.parent)
    try:
        with os.fdopen(fd, "wb") as out, open(path, "rb") as src:
            h = hashlib.sha256()
            for chunk in iter(lambda: src.read(1 << 20), b""):
                h.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if h.hexdigest() != sha:  # the file changed while we read it
            raise OSError(f"{path} changed while it was being stored")
        os.replace(tmp, final)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    platform.fsync_dir(final.parent)
    return final


def remove_stale_parts(datadir: DataDir, older_than_s: float = 600.0) -> int:
    """Delete temporary copies left by a killed scan (another scan may be
    writing a fresh one right now, hence the age limit)."""
    removed = 0
    cutoff = time.time() - older_than_s
    for part in datadir.images.glob("*/.part-*"):
        try:
            if part.stat().st_mtime < cutoff:
                part.unlink()
                removed += 1
        except OSError:
            pass
    return removed
