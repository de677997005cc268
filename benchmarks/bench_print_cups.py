"""Printing through a real CUPS: time from the button to "printed", and what every failure says.

Starts a private cupsd with cups-pdf queues (tests/private_cups.py; needs root, cups and
printer-driver-cups-pdf) and measures, for one ballot on an A5 cups-pdf queue:

* the core: ``print_ballots(kiosk, 1, printer=...)`` until CUPS reported the job completed
  (split into: until CUPS accepted the job / until it completed), warm;
* the command: ``kiosk print --count 1 --printer A5`` from start to exit (imports included);
* the GUI: a click on "Drukāt vienu biļetenu" until the message bar says it was printed
  (offscreen Qt, the real window, the real worker).

Then it runs ``kiosk print --count 2`` into every way a job can fail and prints a table:
exit status, the message, ballots voided and issued, seconds.

    .venv/bin/python benchmarks/bench_print_cups.py [--repeat 10]
"""
from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:.0f} ms, min {min(values) * 1000:.0f}, max {max(values) * 1000:.0f}"


def counts(data: Path) -> tuple[int, int]:
    db = sqlite3.connect(data / "kiosk.db")
    try:
        return db.execute("SELECT COUNT(*) - COALESCE(SUM(voided), 0), COALESCE(SUM(voided), 0) FROM issued").fetchone()
    finally:
        db.close()


def core_and_cli(cups, repeat: int) -> None:
    from kiosk.issuing.jobs import print_ballots
    from kiosk.station import Kiosk

    with tempfile.TemporaryDirectory() as tmp:
        kiosk = Kiosk.open_or_enroll_demo(Path(tmp) / "data")
        print_ballots(kiosk, 1, printer="A5")  # warm: fonts, connection
        total, accepted = [], []
        for _ in range(repeat):
            marks = {}
            start = time.perf_counter()
            print_ballots(kiosk, 1, printer="A5", phase=lambda name: marks.setdefault(name, time.perf_counter()))
            total.append(time.perf_counter() - start)
            accepted.append(marks["waiting"] - start)
        kiosk.close()
        print(f"core, one ballot to 'printed' (CUPS job completed): {ms(total)}")
        print(f"  of which until CUPS accepted the job: {ms(accepted)}")
        env = cups.env()
        env["KIOSK_DATA_DIR"] = str(Path(tmp) / "data")
        cli = []
        for _ in range(max(3, repeat // 2)):
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "kiosk", "print", "--count", "1", "--printer", "A5"],
                                  cwd=REPO, env=env, capture_output=True, text=True)
            cli.append(time.perf_counter() - start)
            assert done.returncode == 0, done.stderr
        print(f"command, 'kiosk print --count 1 --printer A5' start to exit: {ms(cli)}")


def gui(cups, repeat: int) -> None:
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    from kiosk.access.roles import Role
    from kiosk.station import Kiosk
    from ui.app import create_window, setup_application
    from ui.screens import Mode

    app = QApplication.instance() or QApplication(sys.argv)
    setup_application(app)
    with tempfile.TemporaryDirectory() as tmp:
        kiosk = Kiosk.open_or_enroll_demo(Path(tmp) / "data")
        window = create_window(kiosk, "lv")
        window.resize(1280, 800)
        window.show()
        window.ctx.sign_in(Role.FRONT_DESK, "1111")
        window.ctx.update_settings({"print.printer": "A5"})
        screen = window.screens[Mode.PRINT]
        screen.on_show()
        times = []
        for n in range(repeat + 1):
            window.message_bar.clear()
            start = time.perf_counter()
            screen.print_one_button.click()
            while "izdrukāts" not in window.message_bar.text():
                app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
                if time.perf_counter() - start > 120:
                    raise TimeoutError(window.message_bar.text())
            if n:  # the first one warms up
                times.append(time.perf_counter() - start)
            while screen.job.running:
                app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        window.exit_kiosk()
        kiosk.close()
    print(f"GUI, click on 'Drukāt vienu biļetenu' to 'Biļetens izdrukāts': {ms(times)}")


def failures() -> None:
    from private_cups import PrivateCups

    rows = []

    def run(case: str, setup, action, printer: str, timeout: str = "90") -> None:
        with PrivateCups() as cups, tempfile.TemporaryDirectory() as tmp:
            queue = cups.add_pdf_queue("SLOW", gate=True) if printer == "SLOW" else cups.add_pdf_queue("Q")
            setup(cups)
            data = Path(tmp) / "data"
            env = cups.env()
            env["KIOSK_DATA_DIR"] = str(data)
            start = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-m", "kiosk", "print", "--count", "2", "--printer", printer,
                                     "--timeout", timeout], cwd=REPO, env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
            if action is not None:
                queue.gate.wait_started()
                action(cups, queue)
            _, err = proc.communicate(timeout=300)
            seconds = time.perf_counter() - start
            issued, voided = counts(data)
            left = len(cups.jobs("all"))
            message = err.strip().removeprefix("kiosk: error ")
            rows.append((case, proc.returncode, message, voided, issued, left, seconds))

    def nothing(*_args) -> None:
        pass

    run("disabled before printing", lambda c: c.disable("Q", "Beidzies papīrs"), None, "Q")
    run("rejecting before printing", lambda c: c.reject("Q", "Apkope"), None, "Q")
    run("no such queue", nothing, None, "Nav-tada")
    run("disabled while printing", nothing, lambda c, q: c.disable("SLOW", "Beidzies papīrs"), "SLOW")
    run("the printer runs out of paper", nothing, lambda c, q: q.gate.release(answer="paper-out"), "SLOW")
    run("rejecting while printing", nothing, lambda c, q: c.reject("SLOW", "Apkope"), "SLOW")
    run("queue deleted while printing", nothing, lambda c, q: c.delete_queue("SLOW"), "SLOW")
    run("job cancelled in CUPS", nothing, lambda c, q: c.cancel(c.jobs()[0]), "SLOW")
    run("timeout (--timeout 5)", nothing, nothing, "SLOW", "5")
    print()
    print("| case | exit | message | voided | issued | jobs left in CUPS | s |")
    print("|---|---|---|---|---|---|---|")
    for case, code, message, voided, issued, left, seconds in rows:
        print(f"| {case} | {code} | {message} | {voided} | {issued} | {left} | {seconds:.1f} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=10)
    args = ap.parse_args()
    from private_cups import PrivateCups, available

    why_not = available()
    if why_not:
        sys.exit(f"cannot start a private CUPS here: {why_not}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus, Python {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.1f}")
    with PrivateCups() as cups:
        cups.add_pdf_queue("A5")
        os.environ["CUPS_SERVER"] = cups.server
        core_and_cli(cups, args.repeat)
        gui(cups, args.repeat)
    failures()
    print(f"load at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
