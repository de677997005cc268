"""Screenshots of every screen for docs/screenshots/: at 1024×768, 1366×768 and 1920×1080 in
Latvian, and at 1366×768 in English, one folder each (``1366x768-lv/`` …).

    xvfb-run -s "-screen 0 1920x1080x24" .venv/bin/python docs/make_screenshots.py            # all four
    xvfb-run -s "-screen 0 1920x1080x24" .venv/bin/python docs/make_screenshots.py --size 1024x768 --lang lv

Works offscreen too (QT_QPA_PLATFORM=offscreen).  Each set uses a fresh temporary
data directory enrolled in the demo campaign (its voting period moved around today,
so the print screen looks as it does while people vote): prints ballots, marks and
renders them, scans them, so every screen shows real data.  Each picture is checked
for cut-off texts (tests/clipping.py) and saved as a small palette PNG; the script
fails if a window grew past its size or a text was cut off.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]  # the demo material is made by the tests' helpers
SETS = (("1024x768", "lv"), ("1366x768", "lv"), ("1920x1080", "lv"), ("1366x768", "en"))


def wait(app, cond, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise TimeoutError("screen did not settle")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    for _ in range(5):
        app.processEvents()


class Shooter:
    """Saves the window (and a dialog drawn over it) and checks it first."""

    def __init__(self, window, out: Path, size: tuple[int, int]) -> None:
        self.window, self.out, self.size = window, out, size
        self.problems: list[str] = []

    def _check(self, name: str, *widgets) -> None:
        from clipping import clipped

        app = QApplication.instance()
        for _ in range(5):
            app.processEvents()
        if (self.window.width(), self.window.height()) != self.size:
            self.problems.append(f"{name}: the window grew to {self.window.width()}×{self.window.height()}")
        for w in widgets:
            self.problems += [f"{name}: {text}" for text in clipped(w)]

    def _save(self, image, name: str) -> None:
        path = self.out / f"{name}.png"
        image.save(str(path))
        small = Image.open(path).convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        small.save(path, optimize=True)
        print(path)

    def shoot(self, name: str) -> None:
        self._check(name, self.window)
        self._save(self.window.grab().toImage(), name)

    def shoot_with_dialog(self, name: str, dialog) -> None:
        """The window with a dialog drawn over its centre (offscreen has no compositor)."""
        from PySide6.QtGui import QColor, QPainter

        self._check(name, self.window, dialog)
        base = self.window.grab().toImage()
        over = dialog.grab().toImage()
        p = QPainter(base)
        p.fillRect(base.rect(), QColor(0, 0, 0, 110))
        p.drawImage((base.width() - over.width()) // 2, (base.height() - over.height()) // 2, over)
        p.end()
        self._save(base, name)


def one_set(size: tuple[int, int], lang: str, out: Path) -> list[str]:
    from kiosk.access.roles import Role
    from kiosk.station import Kiosk

    from demo import make_urn
    from ui.app import create_window, setup_application
    from ui.screens import Mode

    app = QApplication.instance() or QApplication(sys.argv)
    setup_application(app)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="urn-kiosk-shots-") as tmp:
        root = Path(tmp) / "data"
        kiosk = Kiosk.open_or_enroll_demo(root)
        today = dt.date.today()
        kiosk.campaign = dataclasses.replace(kiosk.campaign, voting_start=today - dt.timedelta(days=20),
                                             voting_end=today + dt.timedelta(days=40))
        urn = Path(tmp) / "urn"
        make_urn(kiosk, urn, 14, dpi=150, seed=3, mix=(0.2, 0.12))
        Image.new("L", (874, 1240), 250).save(urn / "scan-0015.png")  # a blank back side
        (urn / "scan-0016.pdf").write_bytes(b"%PDF-1.4 truncated")     # a damaged file

        window = create_window(kiosk, lang)
        window.resize(*size)
        window.show()
        shots = Shooter(window, out, size)
        ctx = window.ctx
        wait(app, lambda: window.isVisible())

        # 1 sign-in, a role chosen and a PIN half typed
        signin = window.screens[Mode.SIGN_IN]
        signin.choose_role(Role.FRONT_DESK)
        signin.pad.field.setText("11")
        shots.shoot("01-sign-in")
        signin.pad.field.clear()

        # 2 print: one ballot printed to PDF, preview rendered; a large stack asks first
        ctx.sign_in(Role.FRONT_DESK, "1111")
        printing = window.screens[Mode.PRINT]
        printing.printers_provider = lambda: []
        ctx.update_settings({"print.pdf_dir": str(Path(tmp) / "pdf")})
        printing.on_show()
        printing.start_print(1)
        wait(app, lambda: not printing.job.running and printing.preview.image is not None)
        window.message_bar.clear()
        shots.shoot("02-print")
        printing.stack_count.setValue(150)
        printing.ask_print(150)
        wait(app, lambda: printing.question is not None and printing.question.isVisible())
        shots.shoot_with_dialog("02b-print-stack-question", printing.question)
        printing.question.accept()
        wait(app, lambda: printing.progress.value() >= 40)
        shots.shoot("02c-print-stack")
        wait(app, lambda: not printing.job.running)
        # 2d a printer that stopped (out of paper), on a private CUPS when one can run here
        import private_cups

        if private_cups.available() is None:
            with private_cups.PrivateCups() as cups:
                os.environ["CUPS_SERVER"] = cups.server
                cups.add_pdf_queue("Registratura-A5")
                cups.disable("Registratura-A5", "Beidzies papīrs")
                printing.printers_provider = lambda: printing.spooler.printers()
                ctx.update_settings({"print.printer": "Registratura-A5"})
                printing.on_show()
                wait(app, lambda: not printing.state_job.running and printing.printer_status is not None)
                printing.start_print(1)
                wait(app, lambda: not printing.job.running)
                shots.shoot("02d-print-printer-stopped")
                ctx.update_settings({"print.printer": ""})
                printing.printers_provider = lambda: []
                printing.on_show()
        else:
            print(f"02d skipped: {private_cups.available()}", file=sys.stderr)
        ctx.sign_out()

        # 3 intake: the urn scanned, a doubtful ballot selected
        ctx.sign_in(Role.HELPER, "2222")
        intake = window.screens[Mode.INTAKE]
        intake.workers = 1
        intake.scan([str(urn)])
        wait(app, lambda: not intake.running and intake.model.rowCount() >= 16, 300)
        review_row = next(i for i, r in enumerate(intake.model.rows) if r.status == "review")
        intake.select_row(review_row)
        wait(app, lambda: intake.image.image is not None)
        window.message_bar.clear()
        shots.shoot("03-intake")
        rejected_row = next(i for i, r in enumerate(intake.model.rows) if r.reason == "blank_back")
        intake.select_row(rejected_row)
        wait(app, lambda: ctx.runner.active == 0)
        shots.shoot("03b-intake-rejected")

        # 4 review: a doubtful ballot, the answer in focus moved; rejecting asks once
        window.show_mode(Mode.REVIEW)
        review = window.screens[Mode.REVIEW]
        wait(app, lambda: review.item is not None and review.image.image is not None and bool(review.image.boxes))
        review.move_option(1)
        shots.shoot("04-review")
        review.reject()
        wait(app, lambda: review.reject_dialog is not None and review.reject_dialog.isVisible())
        shots.shoot_with_dialog("04b-review-reject", review.reject_dialog)
        review.reject_dialog.accept()
        wait(app, lambda: review.reject_dialog is None)
        review.toggle_zoom()
        shots.shoot("04c-review-zoom-undo")
        review.toggle_zoom()
        # 3c the list follows the review: the rejected ballot, a counter as a filter
        window.show_mode(Mode.INTAKE)
        intake.filter_status("rejected")
        window.message_bar.clear()
        shots.shoot("03c-intake-after-review")
        intake.filter_status(None)
        ctx.sign_out()

        # 5 export: one batch made while reviews are still pending
        ctx.sign_in(Role.OFFICE, "3333")
        export = window.screens[Mode.EXPORT]
        export.set_folder(str(Path(tmp) / "exports"))
        export.start_export()
        wait(app, lambda: not export.job.running)
        window.message_bar.clear()
        shots.shoot("05-export")

        # 6 settings
        window.show_mode(Mode.SETTINGS)
        settings = window.screens[Mode.SETTINGS]
        settings.printers_provider = lambda: []
        settings.refresh()
        shots.shoot("06-settings")
        from PySide6.QtWidgets import QScrollArea

        scroll = settings.findChild(QScrollArea)
        scroll.verticalScrollBar().setValue(scroll.verticalScrollBar().maximum())
        shots.shoot("06b-settings-folders-thresholds")

        # 7 closing: the office is asked once; anyone else needs an office PIN
        window.request_exit()
        wait(app, lambda: window.close_question is not None and window.close_question.isVisible())
        shots.shoot_with_dialog("07-close-question", window.close_question)
        window.close_question.reject()
        ctx.sign_out()
        ctx.sign_in(Role.HELPER, "2222")
        window.close()
        wait(app, lambda: window.exit_dialog is not None and window.exit_dialog.isVisible())
        shots.shoot_with_dialog("07b-exit-guard", window.exit_dialog)
        window.exit_dialog.reject()

        # 7c the warning before an idle sign-out
        window.set_idle_timeout(60_000)
        window.idle_timer.setInterval(1)
        window.idle_timer.start()
        wait(app, lambda: window.warning_shown)
        shots.shoot("07c-idle-warning")
        window.touch()
        ctx.sign_out()

        # 8 sign-in locked after wrong PINs
        for pin in ("0000", "0001", "0002"):
            signin.choose_role(Role.OFFICE)
            signin.try_pin(pin)
        shots.shoot("08-sign-in-locked")
        kiosk.store.change_role_lock(Role.OFFICE.value, lambda state: ((0, 0, 0.0), None))

        # 9 camera intake: a video of ballots held up, played into the camera panel
        # (the video generator lives with the tests: printed, marked, photographed ballots)
        import corpus
        from video import make_video

        clip = Path(tmp) / "ballots.mp4"
        make_video(kiosk, clip, [corpus.CLEAR, corpus.CLEAR], seed=4, frame=(1280, 720), fps=15)
        ctx.sign_in(Role.HELPER, "2222")
        intake.clear_list()
        intake.show_source("camera")
        camera = intake.camera
        camera.open_video(clip)
        wait(app, lambda: camera.banner.status == "counted" and camera.last_info is not None
             and bool(camera.last_info.outline) and camera.last_info.state in ("taken", "accepted"), 60)
        camera.player.pause()  # hold the picture: the ballot outlined, its outcome on the banner
        wait(app, lambda: not camera.analysing)
        window.message_bar.clear()
        shots.shoot("09-camera")
        camera.stop()
        wait(app, lambda: not camera.busy)
        ctx.sign_out()

        window.exit_kiosk()
        kiosk.close()
    return shots.problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", help="WxH (default: every set)")
    ap.add_argument("--lang", choices=["lv", "en"])
    ap.add_argument("--out", default=str(REPO / "docs" / "screenshots"))
    args = ap.parse_args(argv)
    if args.size is None:  # every set, each in a process of its own (a fresh application)
        failed = 0
        for size, lang in SETS:
            failed |= subprocess.run([sys.executable, __file__, "--size", size, "--lang", lang, "--out", args.out]).returncode
        return failed
    w, h = (int(v) for v in args.size.lower().split("x"))
    lang = args.lang or "lv"
    problems = one_set((w, h), lang, Path(args.out) / f"{w}x{h}-{lang}")
    for p in problems:
        print("cut off or too large:", p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
