"""Screenshots of every screen at 1280×800 for docs/screenshots/ (Latvian by default).

    xvfb-run -s "-screen 0 1280x800x24" .venv/bin/python docs/make_screenshots.py [--lang en] [--out DIR]

Works offscreen too (QT_QPA_PLATFORM=offscreen).  Uses a fresh temporary
data directory enrolled in the demo campaign: prints ballots, marks and
renders them, scans them, so every screen shows real data.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]  # the demo material is made by the tests' helpers
SIZE = (1280, 800)


def wait(app, cond, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise TimeoutError("screen did not settle")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    for _ in range(5):
        app.processEvents()


def shoot(window, path: Path) -> None:
    app = QApplication.instance()
    for _ in range(5):
        app.processEvents()
    if (window.width(), window.height()) != SIZE:
        print(f"warning: the window grew to {window.width()}×{window.height()}", file=sys.stderr)
    window.grab().save(str(path))
    print(path)


def shoot_with_dialog(window, dialog, path: Path) -> None:
    """The window with a dialog drawn over its centre (offscreen has no compositor)."""
    app = QApplication.instance()
    for _ in range(5):
        app.processEvents()
    base = window.grab().toImage()
    over = dialog.grab().toImage()
    from PySide6.QtGui import QColor, QPainter

    p = QPainter(base)
    p.fillRect(base.rect(), QColor(0, 0, 0, 110))
    p.drawImage((base.width() - over.width()) // 2, (base.height() - over.height()) // 2, over)
    p.end()
    base.save(str(path))
    print(path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--lang", default="lv", choices=["lv", "en"])
    ap.add_argument("--out", default=str(REPO / "docs" / "screenshots"))
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from kiosk.access.roles import Role
    from kiosk.station import Kiosk

    from demo import make_urn
    from ui.app import create_window, setup_application
    from ui.screens import Mode

    app = QApplication.instance() or QApplication(sys.argv)
    setup_application(app)
    with tempfile.TemporaryDirectory(prefix="urn-kiosk-shots-") as tmp:
        root = Path(tmp) / "data"
        kiosk = Kiosk.open_or_enroll_demo(root)
        urn = Path(tmp) / "urn"
        make_urn(kiosk, urn, 14, dpi=150, seed=3, mix=(0.2, 0.12))
        Image.new("L", (874, 1240), 250).save(urn / "scan-0015.png")  # a blank back side
        (urn / "scan-0016.pdf").write_bytes(b"%PDF-1.4 truncated")     # a damaged file

        clock_t = [time.time()]
        window = create_window(kiosk, args.lang, clock=lambda: clock_t[0])
        window.resize(*SIZE)
        window.show()
        ctx = window.ctx
        wait(app, lambda: window.isVisible())

        # 1 sign-in, a role chosen and a PIN half typed
        signin = window.screens[Mode.SIGN_IN]
        signin.choose_role(Role.FRONT_DESK)
        signin.pad.field.setText("11")
        shoot(window, out / "01-sign-in.png")
        signin.pad.field.clear()

        # 2 print: one ballot printed to PDF, preview rendered
        ctx.sign_in(Role.FRONT_DESK, "1111")
        printing = window.screens[Mode.PRINT]
        printing.printers_provider = lambda: []
        ctx.update_settings({"print.pdf_dir": str(Path(tmp) / "pdf")})
        printing.on_show()
        printing.start_print(1)
        wait(app, lambda: not printing.job.running and printing.preview.image is not None)
        shoot(window, out / "02-print.png")
        printing.stack_count.setValue(200)
        printing.start_print(200)
        wait(app, lambda: printing.progress.value() >= 60)
        shoot(window, out / "02b-print-stack.png")
        wait(app, lambda: not printing.job.running)
        # 2c a printer that stopped (out of paper), on a private CUPS when one can run here
        import private_cups

        if private_cups.available() is None:
            with private_cups.PrivateCups() as cups:
                import os

                os.environ["CUPS_SERVER"] = cups.server
                cups.add_pdf_queue("Registratura-A5")
                cups.disable("Registratura-A5", "Beidzies papīrs")
                printing.printers_provider = lambda: printing.spooler.printers()
                ctx.update_settings({"print.printer": "Registratura-A5"})
                printing.on_show()
                wait(app, lambda: not printing.state_job.running and printing.printer_status is not None)
                printing.start_print(1)
                wait(app, lambda: not printing.job.running)
                shoot(window, out / "02c-print-printer-stopped.png")
                ctx.update_settings({"print.printer": ""})
                printing.printers_provider = lambda: []
                printing.on_show()
        else:
            print(f"02c skipped: {private_cups.available()}", file=sys.stderr)
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
        shoot(window, out / "03-intake.png")
        rejected_row = next(i for i, r in enumerate(intake.model.rows) if r.reason == "blank_back")
        intake.select_row(rejected_row)
        wait(app, lambda: ctx.runner.active == 0)
        shoot(window, out / "03b-intake-rejected.png")

        # 4 review
        window.show_mode(Mode.REVIEW)
        review = window.screens[Mode.REVIEW]
        wait(app, lambda: review.item is not None and review.image.image is not None and bool(review.image.boxes))
        review.move_option(1)
        shoot(window, out / "04-review.png")
        ctx.sign_out()

        # 5 export: one batch made while reviews are still pending
        ctx.sign_in(Role.OFFICE, "3333")
        export = window.screens[Mode.EXPORT]
        export.set_folder(str(Path(tmp) / "exports"))
        export.start_export()
        wait(app, lambda: not export.job.running)
        window.message_bar.clear()
        shoot(window, out / "05-export.png")

        # 6 settings
        window.show_mode(Mode.SETTINGS)
        settings = window.screens[Mode.SETTINGS]
        settings.printers_provider = lambda: []
        settings.refresh()
        shoot(window, out / "06-settings.png")
        from PySide6.QtWidgets import QScrollArea

        scroll = settings.findChild(QScrollArea)
        scroll.verticalScrollBar().setValue(scroll.verticalScrollBar().maximum())
        shoot(window, out / "06b-settings-folders-thresholds.png")

        # 7 the exit guard over a helper's session
        ctx.sign_out()
        ctx.sign_in(Role.HELPER, "2222")
        window.close()
        wait(app, lambda: window.exit_dialog is not None and window.exit_dialog.isVisible())
        shoot_with_dialog(window, window.exit_dialog, out / "07-exit-guard.png")
        window.exit_dialog.reject()
        ctx.sign_out()

        # 8 sign-in locked after wrong PINs
        for pin in ("0000", "0001", "0002"):
            signin.choose_role(Role.OFFICE)
            signin.try_pin(pin)
        shoot(window, out / "08-sign-in-locked.png")
        kiosk.store.set_auth_lock(0, 0.0)

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
        shoot(window, out / "09-camera.png")
        camera.stop()
        wait(app, lambda: not camera.busy)
        ctx.sign_out()

        window.exit_kiosk()
        kiosk.close()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
