"""Watching a scan-to-folder directory.

A scanner writes a file over a second or more; the file is taken only when
its size and modification time are the same at two consecutive checks (and
it is not empty), and each version of a file is taken once.  Temporary names
scanners and browsers use while writing (hidden files, ``*.part``, ``*.tmp``,
``*.crdownload``, ``~*``) are ignored until renamed.

``StableFileTracker`` is plain Python (testable without Qt); ``FolderWatcher``
drives it from a QTimer and says ``ready(list[str])``.  Polling rather than
QFileSystemWatcher: a watcher says a file changed, not that the scanner is
done with it, and polling also works on network shares.
"""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

TEMP_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial", ".download", ".swp")
SKIP_NAMES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})


def _skip(name: str) -> bool:
    low = name.lower()
    return low.startswith((".", "~")) or low.endswith(TEMP_SUFFIXES) or low in SKIP_NAMES


class StableFileTracker:
    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._last: dict[str, tuple[int, int]] = {}
        self._taken: dict[str, tuple[int, int]] = {}

    def _snapshot(self) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        try:
            for dirpath, dirnames, filenames in os.walk(self.folder):
                dirnames[:] = [d for d in dirnames if not _skip(d)]
                for name in filenames:
                    if _skip(name):
                        continue
                    path = os.path.join(dirpath, name)
                    try:
                        st = os.stat(path)
                    except OSError:
                        continue  # vanished between listing and stat
                    out[path] = (st.st_size, st.st_mtime_ns)
        except OSError:
            return {}
        return out

    def poll(self) -> list[str]:
        """Files finished since the last poll, each version once, sorted."""
        now = self._snapshot()
        ready = [
            path for path, sig in now.items()
            if sig[0] > 0 and self._last.get(path) == sig and self._taken.get(path) != sig
        ]
        for path in ready:
            self._taken[path] = now[path]
        self._last = now
        return sorted(ready)

    def pending(self) -> int:
        """Files seen but not yet taken (still being written, or just arrived)."""
        return sum(1 for path, sig in self._last.items() if self._taken.get(path) != sig)


class FolderWatcher(QObject):
    ready = Signal(list)  # paths (str) finished writing
    failed = Signal(str)  # the folder is gone or unreadable

    def __init__(self, parent: QObject | None = None, interval_ms: int = 1000) -> None:
        super().__init__(parent)
        self.tracker: StableFileTracker | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)

    @property
    def folder(self) -> Path | None:
        return self.tracker.folder if self.tracker else None

    @property
    def active(self) -> bool:
        return self.timer.isActive()

    def start(self, folder: str | Path) -> None:
        self.tracker = StableFileTracker(folder)
        self.timer.start()
        self.poll()

    def stop(self) -> None:
        self.timer.stop()

    def set_interval(self, ms: int) -> None:
        self.timer.setInterval(ms)

    def poll(self) -> None:
        if self.tracker is None:
            return
        if not self.tracker.folder.is_dir():
            self.stop()
            self.failed.emit(str(self.tracker.folder))
            return
        ready = self.tracker.poll()
        if ready:
            self.ready.emit(ready)
