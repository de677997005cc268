"""The domain core stays free of Qt and of the UI package."""
from __future__ import annotations

import ast
import subprocess
import sys

from conftest import REPO

FORBIDDEN = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "ui")


def test_kiosk_sources_import_no_qt_or_ui():
    offenders = []
    for path in sorted((REPO / "kiosk").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in FORBIDDEN:
                    offenders.append(f"{path.relative_to(REPO)}:{node.lineno} imports {name}")
    assert offenders == []


def test_importing_every_core_module_loads_no_qt():
    code = (
        "import importlib, pkgutil, sys, kiosk\n"
        "for m in pkgutil.iter_modules(kiosk.__path__):\n"
        "    if m.name != '__main__': importlib.import_module('kiosk.' + m.name)\n"
        "bad = [n for n in sys.modules if n.split('.')[0] in ('PySide6', 'shiboken6', 'ui')]\n"
        "print(len([n for n in sys.modules if n.startswith('kiosk.')]))\n"
        "sys.exit(1 if bad else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) >= 8  # the modules really were imported
