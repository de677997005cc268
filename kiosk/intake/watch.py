"""The scanner folder: files a scanner writes into a folder, each read once, when complete.

A scanner (or a network share, or a phone's upload) writes a file over
seconds, in chunks with pauses; some rename a temporary name when done, some
rewrite a multi-page PDF in place after every page.  ``FolderWatch.poll()``
offers a file only when it is **complete**, not merely quiet:

- its size, modification time and inode stayed the same for ``settle_s``
  seconds (longer than the scanner's longest pause; the kiosk setting
  ``scan.settle_seconds``, 10 s by default), measured on an injectable clock;
- it is structurally complete (``structurally_complete``): a PNG ends with
  its ``IEND`` chunk, a JPEG with its ``EOI`` marker, a PDF with ``%%EOF``
  after a ``startxref`` that points at a cross-reference, a TIFF's every IFD
  and every strip or tile lies inside the file;
- its name is not a temporary one (``temporary_name``: hidden files, ``~$``
  and ``~`` prefixes, ``.part``, ``.filepart``, ``.crdownload``, ``.tmp`` …).

Each version of a file (its size, time and inode) is offered once; a file
rewritten in place is offered again only once the new version is complete
(the earlier versions were never offered, so never stored).  ``release``
offers files again when reading them failed as a whole.

Watching is a property of the kiosk, not of a session: ``scan.watch`` is on
until someone turns it off, across sign-out and restart (the UI starts the
watch from the setting).  ``scan_ready`` reads offered files under that
setting's authority: only while watching is on, only files inside the
watched folder.
"""
from __future__ import annotations

import os
import re
import stat
import struct
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..access.settings import watch_settings
from ..audit.log import record
from ..errors import KioskError
from ..reading.imaging import sniff
from ..station import Kiosk
from .results import SheetResult, audited_run
from .scan import SKIP_NAMES, scan_paths

TEMP_SUFFIXES = (
    ".part", ".partial", ".filepart", ".tmp", ".temp", ".crdownload", ".download", ".opdownload", ".swp",
    ".inprogress", ".writing", ".incomplete", ".uploading", ".!ut", ".!qb", ".!bt", ".lock", ".lck",
)
TEMP_PREFIXES = (".", "~", "$")  # hidden and editor files, Office's ~$, scanner software's ~tmp / $$
TAIL = 4096  # bytes read from a file's end for its structural check


def temporary_name(name: str) -> bool:
    """A name that scanner, browser or copy software uses while it still writes."""
    low = name.lower()
    return (low.startswith(TEMP_PREFIXES) or low.endswith(TEMP_SUFFIXES) or low in SKIP_NAMES
            or ".sb-" in low or low.endswith("~"))


# -- structural completeness ------------------------------------------------------------

def structurally_complete(path: str | Path, max_ifds: int = 10_000) -> bool:
    """Whether the file's own structure says it is complete (see the module
    docstring); a kind this does not know (a video, anything else) is complete
    as far as it can tell."""
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size == 0:
                return False
            head = fh.read(1024)
            kind = sniff(head)
            if kind is None:
                return True
            fh.seek(max(0, size - TAIL))
            tail = fh.read(TAIL)
            if kind == "png":
                return tail.endswith(b"\x00\x00\x00\x00IEND\xaeB`\x82")
            if kind == "jpeg":
                return tail.rstrip(b"\x00").endswith(b"\xff\xd9")
            if kind == "pdf":
                return _pdf_complete(fh, size, tail)
            return _tiff_complete(fh, size, head, max_ifds)
    except OSError:
        return False


_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")


def _pdf_complete(fh, size: int, tail: bytes) -> bool:
    m = _STARTXREF.search(tail)
    if m is None:
        return False
    offset = int(m.group(1))
    if not 0 < offset < size:
        return False
    fh.seek(offset)
    at = fh.read(64).lstrip()
    # a classic cross-reference table, or a cross-reference stream object ("12 0 obj")
    return at.startswith(b"xref") or re.match(rb"\d+\s+\d+\s+obj\b", at) is not None


def _tiff_complete(fh, size: int, head: bytes, max_ifds: int) -> bool:
    """Every IFD and every strip or tile of a classic or big TIFF inside the file."""
    order = "<" if head[:2] == b"II" else ">"
    big = struct.unpack(order + "H", head[2:4])[0] == 43
    if big:
        if len(head) < 16:
            return False
        offset = struct.unpack(order + "Q", head[8:16])[0]
        count_fmt, entry_len, next_fmt, value_len = "Q", 20, "Q", 8
    else:
        offset = struct.unpack(order + "I", head[4:8])[0]
        count_fmt, entry_len, next_fmt, value_len = "H", 12, "I", 4
    types = {1: 1, 2: 1, 3: 2, 4: 4, 6: 1, 7: 1, 8: 2, 9: 4, 11: 4, 16: 8, 17: 8, 18: 8, 5: 8, 10: 8, 12: 8}
    seen: set[int] = set()
    n_fmt = struct.calcsize(count_fmt)
    while offset:
        if offset in seen or len(seen) >= max_ifds or offset + n_fmt > size:
            return False
        seen.add(offset)
        fh.seek(offset)
        raw = fh.read(n_fmt)
        count = struct.unpack(order + count_fmt, raw)[0]
        table = fh.read(count * entry_len + struct.calcsize(next_fmt))
        if len(table) != count * entry_len + struct.calcsize(next_fmt):
            return False
        tags: dict[int, tuple[int, int, bytes]] = {}
        for i in range(count):
            e = table[i * entry_len:(i + 1) * entry_len]
            tag, typ = struct.unpack(order + "HH", e[:4])
            n = struct.unpack(order + ("Q" if big else "I"), e[4:4 + value_len])[0]
            tags[tag] = (typ, n, e[4 + value_len:])
            total = types.get(typ, 1) * n
            if total > value_len:  # the value lies elsewhere in the file: it must be there
                where = struct.unpack(order + ("Q" if big else "I"), e[4 + value_len:])[0]
                if where + total > size:
                    return False
        for offsets_tag, counts_tag in ((273, 279), (324, 325)):
            if offsets_tag in tags and counts_tag in tags:
                offs = _tiff_values(fh, order, big, size, *tags[offsets_tag], types)
                lens = _tiff_values(fh, order, big, size, *tags[counts_tag], types)
                if offs is None or lens is None or len(offs) != len(lens):
                    return False
                if any(o + n > size for o, n in zip(offs, lens)):
                    return False
        offset = struct.unpack(order + next_fmt, table[count * entry_len:])[0]
    return bool(seen)


def _tiff_values(fh, order: str, big: bool, size: int, typ: int, n: int, inline: bytes,
                 types: dict[int, int]) -> list[int] | None:
    width = types.get(typ)
    if width not in (2, 4, 8) or n > 1_000_000:
        return None
    fmt = {2: "H", 4: "I", 8: "Q"}[width]
    total = width * n
    if total <= len(inline):
        data = inline[:total]
    else:
        where = struct.unpack(order + ("Q" if big else "I"), inline[:8 if big else 4])[0]
        if where + total > size:
            return None
        pos = fh.tell()
        fh.seek(where)
        data = fh.read(total)
        fh.seek(pos)
        if len(data) != total:
            return None
    return list(struct.unpack(order + fmt * n, data))


# -- the watch -------------------------------------------------------------------------

@dataclass
class _Seen:
    sig: tuple[int, int, int]  # size, mtime_ns, inode
    since: float  # clock time this version was first seen
    offered: tuple[int, int, int] | None = None  # the version offered last


@dataclass(frozen=True)
class WatchState:
    """What the screen shows about the scanner folder."""

    folder: str
    ok: bool  # the folder can be listed
    waiting: int  # files seen but not offered yet (being written, or settling)
    offered: int  # files offered so far
    error: str = ""  # why the folder cannot be listed


class FolderWatch:
    """Which files of ``folder`` are complete and not offered yet (see the module docstring)."""

    def __init__(self, folder: str | Path, settle_s: float = 10.0, *,
                 clock: Callable[[], float] = time.monotonic, complete: Callable[[str], bool] = structurally_complete) -> None:
        self.folder = str(folder)
        self.settle_s = settle_s
        self.clock = clock
        self.complete = complete
        self._files: dict[str, _Seen] = {}
        self.error = ""
        self.offered = 0

    def _listing(self) -> Iterator[tuple[str, os.stat_result]]:
        stack = [self.folder]
        while stack:
            folder = stack.pop()
            try:
                with os.scandir(folder) as it:
                    entries = list(it)
            except OSError as exc:
                if folder == self.folder:
                    raise
                self.error = f"{folder}: {exc.strerror or exc}"
                continue
            for e in entries:
                if temporary_name(e.name):
                    continue
                try:
                    if e.is_symlink():
                        continue  # a link may lead out of the folder, or to a device: never offered
                    if e.is_dir(follow_symlinks=False):
                        stack.append(e.path)
                        continue
                    st = e.stat()
                except OSError:
                    continue  # vanished between listing and stat
                if stat.S_ISREG(st.st_mode) and st.st_size > 0:
                    yield e.path, st

    def poll(self) -> list[str]:
        """Files complete since the last poll, each version once, sorted.
        Raises OSError when the folder itself cannot be listed."""
        now = self.clock()
        self.error = ""
        current: dict[str, _Seen] = {}
        ready: list[str] = []
        for path, st in self._listing():
            sig = (st.st_size, st.st_mtime_ns, st.st_ino)
            seen = self._files.get(path)
            if seen is None or seen.sig != sig:
                seen = _Seen(sig, now, seen.offered if seen else None)
            current[path] = seen
            if seen.offered == sig or now - seen.since < self.settle_s:
                continue
            if not self.complete(path):
                continue  # quiet but unfinished: a scanner that paused longer than settle_s
            seen.offered = sig
            ready.append(path)
        self._files = current
        self.offered += len(ready)
        return sorted(ready)

    def release(self, paths: list[str]) -> None:
        """Offer these files again at the next poll (reading them failed as a whole)."""
        for path in paths:
            seen = self._files.get(path)
            if seen is not None:
                seen.offered = None
                seen.since = self.clock() - self.settle_s

    @property
    def waiting(self) -> int:
        return sum(1 for s in self._files.values() if s.offered != s.sig)

    def state(self) -> WatchState:
        ok = os.path.isdir(self.folder)
        return WatchState(self.folder, ok, self.waiting, self.offered, self.error if ok else "not a folder")


def scan_ready(kiosk: Kiosk, paths: list[str], **kwargs) -> Iterator[SheetResult]:
    """Read files the watch offered, under the kiosk's watching setting (no
    session needed: watching goes on across sign-out).  Refused when watching
    is off or a path is outside the watched folder."""
    on, folder, _settle = watch_settings(kiosk.store)
    if not on or not folder:
        raise KioskError("watch.off")
    root = os.path.realpath(folder)
    for p in paths:
        real = os.path.realpath(p)
        if os.path.commonpath([root, real]) != root:
            raise KioskError("watch.outside", path=p, folder=folder)
    return _audited(kiosk, scan_paths(kiosk, paths, **kwargs), kwargs.get("cancelled"))


WATCH_ACTOR = "scanner-folder"  # who reads the watched folder: the kiosk's setting, not a person


def _audited(kiosk: Kiosk, results: Iterator[SheetResult], cancelled: Callable[[], bool] | None) -> Iterator[SheetResult]:
    """The watched files' scan run, written to the audit log with its counts when it ends."""
    def finish(outcome: str, counts) -> None:
        fields = {k: int(counts.get(k, 0)) for k in ("sheets", "counted", "review", "rejected", "duplicate", "repeat")}
        record(kiosk.store, "scan.run", WATCH_ACTOR, source="scanner-folder", outcome=outcome, **fields)

    return audited_run(results, cancelled, finish)
