"""The shape of the code: the core stays free of Qt and of the UI, layers import
downward only (import-linter contracts in pyproject.toml), no module of the
core imports itself in a circle, and every package reaches the wheel."""
from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import grimp

from conftest import REPO


def test_import_contracts_hold():
    tool = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(tool), "--no-cache", "--config", str(REPO / "pyproject.toml")], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout and "BROKEN" not in done.stdout


def _cycles(graph: grimp.ImportGraph, package: str) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), function-local imports included."""
    modules = sorted(m for m in graph.modules if m == package or m.startswith(package + "."))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.find_modules_directly_imported_by(v)):
            if not w.startswith(package):
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for m in modules:
        if m not in index:
            visit(m)
    return found


def test_no_import_cycles_in_the_core_or_the_ui():
    graph = grimp.build_graph("kiosk", "ui", include_external_packages=False)
    assert len([m for m in graph.modules if m.startswith("kiosk.")]) >= 40  # the graph really was built
    assert _cycles(graph, "kiosk") == []
    assert _cycles(graph, "ui") == []


def test_the_cycle_finder_finds_a_cycle():
    graph = grimp.ImportGraph()
    for m in ("kiosk", "kiosk.a", "kiosk.b", "kiosk.c"):
        graph.add_module(m)
    graph.add_import(importer="kiosk.a", imported="kiosk.b")
    graph.add_import(importer="kiosk.b", imported="kiosk.c")
    graph.add_import(importer="kiosk.c", imported="kiosk.a")
    assert _cycles(graph, "kiosk") == [["kiosk.a", "kiosk.b", "kiosk.c"]]


def test_importing_every_core_module_loads_no_qt():
    code = (
        "import importlib, pkgutil, sys, kiosk\n"
        "for m in pkgutil.walk_packages(kiosk.__path__, 'kiosk.'):\n"
        "    if not m.name.endswith('__main__'): importlib.import_module(m.name)\n"
        "bad = [n for n in sys.modules if n.split('.')[0] in ('PySide6', 'shiboken6', 'ui')]\n"
        "print(len([n for n in sys.modules if n.startswith('kiosk.')]))\n"
        "sys.exit(1 if bad else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) >= 40  # the modules really were imported


def test_every_package_is_listed_for_the_wheel():
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    on_disk = {".".join(p.parent.relative_to(REPO).parts) for top in ("kiosk", "ui") for p in (REPO / top).rglob("__init__.py")}
    assert on_disk <= listed, sorted(on_disk - listed)
    assert {"kiosk.resources", "kiosk.ballots"} <= listed
    assert config["package-dir"] == {"kiosk.resources": "resources", "kiosk.ballots": "ballots"}
