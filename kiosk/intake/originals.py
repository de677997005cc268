"""The originals store: every scanned file kept once, by content, under the data directory.

``store_original`` copies a file to ``images/<sha[:2]>/<sha256>.<ext>``
(written to a temporary file, fsynced, renamed), so the image a sheet was
read from can always be shown and exported.

Files brought by a helper are opened with ``open_regular`` (never blocking,
only regular files: a FIFO, a device or a link to one is refused before a
byte is read) and copied with ``copy_original``: exactly the size the file
had when it was opened, hashed on the way, checked unchanged afterwards.
Everything after that reads the stored copy, never the helper's file again.
"""
from __future__ import annotations

import hashlib
import os
import stat
import tempfile
import time
from dataclasses import dataclass
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
    for part in [*datadir.images.glob(".part-*"), *datadir.images.glob("*/.part-*")]:
        try:
            if part.stat().st_mtime < cutoff:
                part.unlink()
                removed += 1
        except OSError:
            pass
    return removed


HEAD_BYTES = 1024  # enough to tell the file's kind (kiosk.reading.imaging.sniff)


class NotRegular(Exception):
    """Not a regular file: ``kind`` names what it is (fifo, socket, char_device, block_device, folder, pseudo_file)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class Changing(Exception):
    """The file changed while it was being copied (still being written)."""


def file_type(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode):
        return "char_device"
    if stat.S_ISBLK(mode):
        return "block_device"
    return "other"


def open_regular(path: str | bytes | os.PathLike) -> tuple[int, os.stat_result]:
    """An open descriptor of a regular file and its fstat; raises NotRegular
    (before anything is read) or OSError.  Opened without blocking, so a FIFO
    without a writer or a device never hangs the caller."""
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise NotRegular(file_type(st.st_mode))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)  # what was opened, not what the name said a moment ago
        if not stat.S_ISREG(st.st_mode):
            raise NotRegular(file_type(st.st_mode))
        if st.st_size == 0 and os.read(fd, 1):
            raise NotRegular("pseudo_file")  # says it is empty but has content (/proc, /sys)
    except BaseException:
        os.close(fd)
        raise
    return fd, st


@dataclass
class Copied:
    """A file copied into the originals store's temporary name, not yet named by its hash."""

    tmp: Path
    sha256: str
    size: int
    head: bytes  # its first bytes (the file's kind)


def copy_original(datadir: DataDir, fd: int, st: os.stat_result) -> Copied:
    """Copy exactly ``st.st_size`` bytes of the open file ``fd`` into a temporary
    file of the originals store (fsynced), hashing them.  Raises Changing when
    the file is shorter or longer than that, or its size or time changed."""
    datadir.images.mkdir(parents=True, exist_ok=True)
    tmp_fd, tmp = tempfile.mkstemp(prefix=".part-", dir=datadir.images)
    try:
        h = hashlib.sha256()
        head = b""
        left = st.st_size
        with os.fdopen(tmp_fd, "wb") as out:
            while left > 0:
                chunk = os.read(fd, min(left, 1 << 20))
                if not chunk:
                    raise Changing("shorter than its size")
                if len(head) < HEAD_BYTES:
                    head += chunk[:HEAD_BYTES - len(head)]
                h.update(chunk)
                out.write(chunk)
                left -= len(chunk)
            if os.read(fd, 1):
                raise Changing("longer than its size")
            after = os.fstat(fd)
            if (after.st_size, after.st_mtime_ns) != (st.st_size, st.st_mtime_ns):
                raise Changing("size or time changed")
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Copied(Path(tmp), h.hexdigest(), st.st_size, head)


def commit_original(datadir: DataDir, copied: Copied, ext: str) -> Path:
    """Name a copy by its hash (``images/<sha[:2]>/<sha>.<ext>``); an original
    already stored is kept and the copy dropped."""
    final = datadir.original(copied.sha256, ext)
    if final.exists():
        copied.tmp.unlink(missing_ok=True)
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(copied.tmp, final)
    except BaseException:
        copied.tmp.unlink(missing_ok=True)
        raise
    platform.fsync_dir(final.parent)
    return final


def display_name(path: str | bytes | os.PathLike) -> str:
    """A path as text to store and show: valid UTF-8 always; bytes that are
    not UTF-8 written as ``\\xNN`` (the exact bytes are kept beside it)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def raw_name(path: str | bytes | os.PathLike) -> bytes | None:
    """The path's exact bytes when its display form is not the name itself, else None."""
    raw = os.fsencode(path)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw
    return None
