"""Trim the PySide6 of a virtual environment to what urn-kiosk uses (run by .ci/setup).

PySide6 comes as two wheels.  PySide6-Essentials holds QtCore, QtGui, QtWidgets,
QtPrintSupport, QtSvg, QtQuick...; PySide6-Addons holds QtMultimedia, which the camera
needs, together with Qt WebEngine (a whole Chromium: about 260 MB), Qt 3D, Qt Quick 3D and Qt Graphs
(drawn with Quick 3D), which the kiosk never imports.  pip installs a wheel whole, so this script removes those
modules' files afterwards (only files the two wheels' RECORDs list) and replaces the
identical copies of Qt's FFmpeg libraries (libavcodec.so, .so.61 and .so.61.19.101 are
three copies of one file) with symbolic links to the one the loader uses.

tests/test_install.py checks that no code of the project imports a removed module and
that every Qt library left needs no removed one.  ``KIOSK_FULL_QT=1 bash .ci/setup``
keeps PySide6 whole; ``pip install --force-reinstall PySide6-Addons`` brings it back.

    python .ci/trim_qt.py [--dry-run]     (with the virtual environment's python)
"""
from __future__ import annotations

import csv
import hashlib
import os
import re
import sys
import sysconfig
from pathlib import Path

# Paths (relative to site-packages) of the Qt modules the kiosk never uses, with
# their libraries, plugins, QML modules, resources and translations.
REMOVED = re.compile(
    r"(?i)("
    r"webengine|webview"  # Qt WebEngine (Chromium) and Qt WebView on top of it
    r"|/resources/icudtl\.dat$|/resources/v8_context_snapshot"  # WebEngine's ICU data and V8 snapshot
    r"|qt6?3d|quick3d|scene[23]d"  # Qt 3D and Qt Quick 3D, and the QML scenes that embed them
    r"|/plugins/(sceneparsers|assetimporters|geometryloaders|renderers|renderplugins)/"  # Qt 3D's plugins
    r"|qt6?graphs"  # Qt Graphs, drawn with Quick 3D
    r")"
)
WHEELS = ("pyside6", "pyside6_addons", "pyside6_essentials")  # the first ships every module's .pyi
SHARED_LIB = re.compile(r"\.so(\.\d+)*$")


def removed(relpath: str) -> bool:
    """Whether the trim removes this file (a path relative to site-packages)."""
    return relpath.startswith("PySide6/") and bool(REMOVED.search(relpath))


def records(site: Path) -> list[str]:
    found = []
    for dist in site.glob("*.dist-info"):
        if dist.name.lower().split("-")[0] in WHEELS:
            with open(dist / "RECORD", newline="", encoding="utf-8") as fh:
                found += [row[0] for row in csv.reader(fh) if row]
    return found


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def trim(site: Path, dry_run: bool = False) -> tuple[int, int]:
    """Remove the unused modules' files and link identical library copies: (files, bytes) saved."""
    files = saved = 0
    listed = records(site)
    for rel in listed:
        path = site / rel
        if removed(rel) and path.is_file() and not path.is_symlink():
            files += 1
            saved += path.stat().st_size
            if not dry_run:
                path.unlink()
    # libfoo.so and libfoo.so.X.Y.Z are copies of libfoo.so.X (the name the loader looks
    # for): link them to it
    groups: dict[tuple[Path, str], list[Path]] = {}
    for rel in listed:
        if rel.startswith("PySide6/") and SHARED_LIB.search(rel):
            path = site / rel
            groups.setdefault((path.parent, path.name.split(".so")[0]), []).append(path)
    for (_parent, stem), group in groups.items():
        keep = [p for p in group if re.fullmatch(re.escape(stem) + r"\.so\.\d+", p.name)]
        if len(keep) != 1 or not keep[0].is_file() or keep[0].is_symlink():
            continue
        target = keep[0]
        for lib in group:
            if lib == target or lib.is_symlink() or not lib.is_file() or lib.stat().st_size != target.stat().st_size:
                continue
            if _digest(lib) != _digest(target):
                continue
            files += 1
            saved += lib.stat().st_size
            if not dry_run:
                lib.unlink()
                os.symlink(target.name, lib)
    return files, saved


def main(argv: list[str]) -> int:
    dry_run = "--dry-run" in argv
    site = Path(sysconfig.get_paths()["purelib"])
    if not (site / "PySide6").is_dir():
        print(f"trim_qt: no PySide6 in {site}", file=sys.stderr)
        return 1
    files, saved = trim(site, dry_run)
    verb = "would remove" if dry_run else "removed"
    print(f"trim_qt: {verb} {files} files of Qt modules the kiosk never uses, {saved / 2**20:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
