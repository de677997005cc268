"""The set-up's trim of PySide6 (.ci/trim_qt.py): it removes only what nothing uses.

- no code of the project imports a Qt module the trim removes;
- every Qt library and plugin left in this environment (trimmed by .ci/setup,
  or whole) finds every library of the PySide6 wheels it needs;
- the trim itself, on a small site-packages of real files: the listed modules'
  files go, identical library copies become links, nothing else is touched.
"""
from __future__ import annotations

import hashlib
import importlib.util
import re
import shutil
import subprocess
from pathlib import Path

import PySide6
import pytest

from conftest import REPO

CODE = ("kiosk", "ui", "tests", "benchmarks", "docs", "packaging")


def load_trim():
    spec = importlib.util.spec_from_file_location("trim_qt", REPO / ".ci" / "trim_qt.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


trim_qt = load_trim()


def qt_modules_imported() -> set[str]:
    found: set[str] = set()
    for top in CODE:
        for path in (REPO / top).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            found |= set(re.findall(r"PySide6\.(Qt\w+)", text))
            for names in re.findall(r"from PySide6 import \(?([\w, \n]+)\)?", text):
                found |= {n.strip() for n in names.replace("\n", ",").split(",") if n.strip().startswith("Qt")}
    return found


def test_no_code_imports_a_module_the_trim_removes():
    used = qt_modules_imported()
    assert {"QtCore", "QtGui", "QtWidgets", "QtMultimedia"} <= used  # the scan found the imports
    assert [m for m in sorted(used) if trim_qt.removed(f"PySide6/{m}.abi3.so")] == []
    for kept in ("PySide6/QtMultimedia.abi3.so", "PySide6/Qt/lib/libQt6Quick.so.6", "PySide6/Qt/lib/libQt6Multimedia.so.6",
                 "PySide6/Qt/plugins/multimedia/libffmpegmediaplugin.so", "PySide6/Qt/lib/libavcodec.so.61"):
        assert not trim_qt.removed(kept), kept
    for gone in ("PySide6/Qt/lib/libQt6WebEngineCore.so.6", "PySide6/Qt/libexec/QtWebEngineProcess",
                 "PySide6/Qt/lib/libQt63DRender.so.6", "PySide6/Qt/lib/libQt6Quick3D.so.6", "PySide6/Qt/lib/libQt6Graphs.so.6"):
        assert trim_qt.removed(gone), gone


def needed(files: list[Path]) -> dict[Path, set[str]]:
    """Each ELF file's DT_NEEDED entries, from binutils' readelf."""
    readelf = shutil.which("readelf")
    assert readelf, "readelf (binutils) is needed"
    out: dict[Path, set[str]] = {}
    for start in range(0, len(files), 200):
        chunk = files[start:start + 200]
        done = subprocess.run([readelf, "-dW", *map(str, chunk)], capture_output=True, text=True, timeout=300, check=False)
        current = None
        for line in done.stdout.splitlines():
            if line.startswith("File: "):
                current = Path(line[6:].strip())
                out[current] = set()
            elif "(NEEDED)" in line:
                name = re.search(r"\[(.+)\]", line).group(1)
                out.setdefault(current or chunk[0], set()).add(name)
    return out


def test_every_qt_library_left_finds_the_libraries_it_needs():
    package = Path(PySide6.__file__).parent
    site = package.parent
    wheel_libs = {Path(rel).name for rel in trim_qt.records(site) if rel.startswith("PySide6/Qt/lib/")}
    assert any(name.startswith("libQt6Core") for name in wheel_libs)
    here = {p.name for p in (package / "Qt" / "lib").iterdir() if p.exists()}
    files = sorted(p for p in package.rglob("*") if p.is_file() and not p.is_symlink() and re.search(r"\.so(\.\d+)*$", p.name))
    assert len(files) > 50
    missing = {}
    for path, names in needed(files).items():
        lost = sorted(n for n in names if n in wheel_libs and n not in here)
        if lost:
            missing[str(path.relative_to(package))] = lost
    assert missing == {}


# -- the trim on a site-packages of its own -------------------------------------------

def make_site(tmp_path: Path) -> Path:
    site = tmp_path / "site-packages"
    codec = b"\x7fELF codec " * 1000
    files = {
        "PySide6/QtWebEngineCore.abi3.so": b"webengine binding",
        "PySide6/QtWebEngineCore.pyi": b"stub",
        "PySide6/Qt/lib/libQt6WebEngineCore.so.6": b"chromium" * 100,
        "PySide6/Qt/libexec/QtWebEngineProcess": b"process",
        "PySide6/Qt/resources/icudtl.dat": b"icu",
        "PySide6/Qt/translations/qtwebengine_locales/lv.pak": b"lv",
        "PySide6/Qt/lib/libQt63DRender.so.6": b"3d",
        "PySide6/Qt/plugins/renderers/libopenglrenderer.so": b"3d renderer",
        "PySide6/Qt/qml/QtQuick3D/qmldir": b"module QtQuick3D",
        "PySide6/QtMultimedia.abi3.so": b"multimedia binding",
        "PySide6/Qt/lib/libQt6Multimedia.so.6": b"multimedia",
        "PySide6/Qt/lib/libQt6Quick.so.6": b"quick",
        "PySide6/Qt/qml/QtQuick/qmldir": b"module QtQuick",
        "PySide6/Qt/lib/libavcodec.so": codec,
        "PySide6/Qt/lib/libavcodec.so.61": codec,
        "PySide6/Qt/lib/libavcodec.so.61.19.101": codec,
        "PySide6/Qt/lib/libswscale.so.8": b"scale 8",
        "PySide6/Qt/lib/libswscale.so.8.3.100": b"scale 9",  # not the same file: left alone
    }
    for rel, data in files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_bytes(data)
    rows = [f"{rel},sha256={hashlib.sha256(data).hexdigest()},{len(data)}" for rel, data in files.items()]
    for dist, part in (("PySide6_Essentials-6.11.3.dist-info", rows[::2]), ("PySide6_Addons-6.11.3.dist-info", rows[1::2])):
        (site / dist).mkdir()
        (site / dist / "RECORD").write_text("\n".join(part) + "\n", encoding="utf-8")
    (site / "PySide6/Qt/lib/libQt6WebEngineExtra.so.6").write_bytes(b"not in any RECORD")  # not the wheels': kept
    return site


def test_the_trim_removes_the_unused_modules_and_links_copies(tmp_path):
    site = make_site(tmp_path)
    before = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert trim_qt.trim(site, dry_run=True)[0] == 11
    assert {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()} == before

    files, saved = trim_qt.trim(site)
    left = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file() and "dist-info" not in p.parts[-2])
    assert left == [
        "PySide6/Qt/lib/libQt6Multimedia.so.6", "PySide6/Qt/lib/libQt6Quick.so.6", "PySide6/Qt/lib/libQt6WebEngineExtra.so.6",
        "PySide6/Qt/lib/libavcodec.so", "PySide6/Qt/lib/libavcodec.so.61", "PySide6/Qt/lib/libavcodec.so.61.19.101",
        "PySide6/Qt/lib/libswscale.so.8", "PySide6/Qt/lib/libswscale.so.8.3.100",
        "PySide6/Qt/qml/QtQuick/qmldir", "PySide6/QtMultimedia.abi3.so",
    ]
    lib = site / "PySide6/Qt/lib"
    assert not (lib / "libavcodec.so.61").is_symlink()
    for name in ("libavcodec.so", "libavcodec.so.61.19.101"):
        assert (lib / name).is_symlink() and Path((lib / name).readlink()).name == "libavcodec.so.61"
        assert (lib / name).read_bytes() == before["PySide6/Qt/lib/libavcodec.so.61"]
    assert not (lib / "libswscale.so.8.3.100").is_symlink()
    gone = [k for k in before if k not in left and "dist-info" not in k]
    assert len(gone) == 9 and files == 9 + 2  # removed, linked
    assert saved == sum(len(before[k]) for k in gone) + 2 * len(before["PySide6/Qt/lib/libavcodec.so.61"])
    assert trim_qt.trim(site) == (0, 0)  # a second run finds nothing more


@pytest.mark.parametrize("rel", ["PySide6/QtWebEngineCore.abi3.so", "shiboken6/libwebengine.so", "numpy/core/quick3d.py"])
def test_only_pyside6_files_are_ever_removed(rel):
    assert trim_qt.removed(rel) == rel.startswith("PySide6/")
