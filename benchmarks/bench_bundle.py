"""Size and start-up time of the one-folder bundle, and the size of virtual environments.

    python benchmarks/bench_bundle.py [--bundle dist/urn-kiosk] [--runs 5] [--cold] [--venv DIR ...]

The bundle is built by ``bash .ci/bundle``.  Every run starts the real executable from a
temporary directory with a minimal environment (as .ci/bundle's smoke tests do):

- ``--help``: the command line up to its help text;
- ``print --count 1``: a fresh data directory enrolled and one ballot drawn into a PDF;
- the GUI offscreen: from the start to the main window shown (the log line written right
  after ``show()``), then the process is ended.

``--cold`` empties the page cache before each first run (root only: ``/proc/sys/vm/drop_caches``),
so the first figure is a cold start from disk; the median is over the warm runs after it.
``--venv`` adds the size of each virtual environment given (all of it, and its PySide6).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def du(path: Path) -> tuple[int, int]:
    """Bytes on disk (symbolic links count as links) and files."""
    total = files = 0
    for root, _dirs, names in os.walk(path):
        for name in names:
            st = os.lstat(os.path.join(root, name))
            total += st.st_blocks * 512
            files += 1
    return total, files


def drop_caches() -> bool:
    try:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as fh:
            fh.write("3\n")
        return True
    except OSError:
        return False


def env(work: Path) -> dict[str, str]:
    return {"HOME": str(work / "home"), "PATH": "/usr/bin:/bin", "KIOSK_DATA_DIR": str(work / "data"),
            "QT_QPA_PLATFORM": "offscreen"}


def timed(exe: Path, args: list[str], work: Path) -> float:
    t = time.perf_counter()
    subprocess.run([str(exe), *args], cwd=work, env=env(work), check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=300)
    return time.perf_counter() - t


def gui_shown(exe: Path, work: Path) -> float:
    log = work / "data" / "logs" / "kiosk.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("")
    t = time.perf_counter()
    proc = subprocess.Popen([str(exe)], cwd=work, env=env(work), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = t + 120
        while "kiosk application started" not in log.read_text(encoding="utf-8"):
            if proc.poll() is not None or time.perf_counter() > deadline:
                raise RuntimeError("the GUI did not start")
            time.sleep(0.01)  # polling another process's log: there is nothing to wait on
        return time.perf_counter() - t
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def series(name: str, measure, runs: int, cold: bool) -> None:
    dropped = cold and drop_caches()
    first = measure()
    rest = [measure() for _ in range(runs)]
    label = "cold" if dropped else "first"
    print(f"{name:34s} {label} {first:6.2f} s   warm median {statistics.median(rest):6.2f} s "
          f"(min {min(rest):.2f}, max {max(rest):.2f}, {runs} runs)")


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bundle", type=Path, default=REPO / "dist" / "urn-kiosk")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--cold", action="store_true", help="drop the page cache before each first run (root)")
    p.add_argument("--venv", type=Path, nargs="*", default=[])
    args = p.parse_args(argv)
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    for venv in args.venv:
        size, files = du(venv)
        pyside = next(venv.glob("lib/python3*/site-packages/PySide6"), None)
        qt = du(pyside)[0] if pyside else 0
        print(f"venv {venv}: {size / 2**20:.0f} MiB, {files} files (PySide6 {qt / 2**20:.0f} MiB)")
    exe = args.bundle / ("urn-kiosk.exe" if os.name == "nt" else "urn-kiosk")
    if not exe.exists():
        print(f"no bundle at {args.bundle} (bash .ci/bundle builds it)")
        return 0 if args.venv else 1
    size, files = du(args.bundle)
    print(f"bundle {args.bundle}: {size / 2**20:.0f} MiB, {files} files")
    internal = args.bundle / "_internal"
    parts = sorted(((du(p)[0] if p.is_dir() else p.lstat().st_blocks * 512, p.name) for p in internal.iterdir()), reverse=True)
    print("  largest parts: " + ", ".join(f"{name} {b / 2**20:.0f} MiB" for b, name in parts[:6]))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "home").mkdir()
        series("--help", lambda: timed(exe, ["--help"], work), args.runs, args.cold)
        n = iter(range(10**6))
        series("print --count 1 (enrolls first)", lambda: timed(exe, ["print", "--count", "1", "--out", f"b{next(n)}.pdf"], work),
               args.runs, args.cold)
        series("GUI to its window (offscreen)", lambda: gui_shown(exe, work), max(1, args.runs // 2), args.cold)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
