"""The helper's intake: files and folders, the watched scan folder, the live list."""
from __future__ import annotations

from pathlib import Path

from PIL import Image
from PySide6.QtCore import Qt
from sheets import scans
from test_ui_support import OFFSCREEN_NOISE, clock, sign_in, wait_idle, win  # noqa: F401 - fixtures

from kiosk.access.roles import Role
from ui.screens import Mode
from ui.watch import StableFileTracker

pytestmark = OFFSCREEN_NOISE


def helper_intake(win, qtbot):
    sign_in(win, qtbot, Role.HELPER)
    assert win.mode is Mode.INTAKE
    screen = win.screens[Mode.INTAKE]
    screen.workers = 1
    return screen


def test_scan_a_folder_fills_the_list_counters_and_image(win, qtbot, kiosk, tmp_path):
    q1 = kiosk.layout().questions[0]
    o = [x.id for x in q1.options]
    folder = tmp_path / "urn"
    scans(kiosk, folder, [{q1.id: o[0], "rating": "5"}, {q1.id: (o[0], o[1]), "rating": "3"}], tmp_path)
    Image.new("L", (1000, 1400), 255).save(folder / "scan-900-back.png")  # a blank back
    (folder / "notes.txt").write_text("not a scan")
    screen = helper_intake(win, qtbot)
    with qtbot.waitSignal(screen.scan_finished, timeout=60_000):
        screen.scan([str(folder)])
    assert screen.model.rowCount() == 4
    assert screen.model.counts == {"counted": 1, "review": 1, "rejected": 2, "duplicate": 0}
    assert screen.counter_labels["counted"].text() == "Ieskaitīti: 1"
    assert screen.counter_labels["review"].text() == "Jāpārbauda: 1"
    assert screen.counter_labels["rejected"].text() == "Noraidīti: 2"
    texts = {screen.model.index(r, 1).data(): (screen.model.index(r, 2).data(), screen.model.index(r, 3).data())
             for r in range(4)}
    assert texts["scan-000.png"] == ("Ieskaitīts", "")
    assert texts["scan-001.png"] == ("Jāpārbauda", "Jautājumā atzīmēts vairāk nekā viens variants")
    assert texts["scan-900-back.png"] == ("Noraidīts", "Tukša lapas otrā puse")
    assert texts["notes.txt"][0] == "Noraidīts" and "fail" in texts["notes.txt"][1].lower()
    assert "Nolasīšana pabeigta" in win.message_bar.text()
    assert win.nav_buttons[Mode.REVIEW].text() == "Pārbaudīt (1)"
    # the selected row's ballot, with its boxes outlined and scored
    row = next(r for r in range(4) if screen.model.index(r, 1).data() == "scan-001.png")
    screen.select_row(row)
    qtbot.waitUntil(lambda: screen.image.image is not None, timeout=20_000)
    boxes = screen.image.boxes
    assert len(boxes) == sum(len(q.options) for q in kiosk.layout().questions)
    marked = [b for b in boxes if b.tags["state"] == "marked"]
    assert len(marked) == 3 and all(b.label.endswith("%") for b in marked)  # two specialists and a rating
    assert all(b.label == "" for b in boxes if b.tags["state"] == "unmarked")  # a small preview stays legible
    assert "vairāk nekā viens" in screen.detail.text()
    # scanning the same folder again stores nothing twice
    with qtbot.waitSignal(screen.scan_finished, timeout=60_000):
        screen.scan([str(folder)])
    assert screen.model.repeats == 4 and screen.model.counts["counted"] == 1
    assert "(jau nolasīts)" in screen.model.index(4, 2).data()
    assert kiosk.store.sheet_counts() == {"counted": 1, "review": 1, "rejected": 2, "duplicate": 0}
    wait_idle(win, qtbot)


def test_tracker_takes_a_file_once_and_only_when_written():
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        t = StableFileTracker(d)
        f = Path(d) / "scan.pdf"
        f.write_bytes(b"%PDF-1.4 part")
        (Path(d) / ".hidden.pdf").write_bytes(b"x")
        (Path(d) / "next.pdf.part").write_bytes(b"x")
        assert t.poll() == []  # first sight
        with open(f, "ab") as fh:
            fh.write(b" more")
        assert t.poll() == []  # still growing
        assert t.poll() == [str(f)]  # unchanged across two checks: done
        assert t.poll() == []  # taken once
        (Path(d) / "next.pdf.part").rename(Path(d) / "next.pdf")
        assert t.poll() == []
        assert t.poll() == [str(Path(d) / "next.pdf")]
        (Path(d) / "empty.pdf").write_bytes(b"")
        assert t.poll() == [] and t.poll() == []  # an empty file is never finished


def test_watched_scan_folder_reads_new_files(win, qtbot, kiosk, tmp_path):
    watch = tmp_path / "scanner-out"
    watch.mkdir()
    screen = helper_intake(win, qtbot)
    assert not screen.watch_button.isEnabled()  # no folder chosen yet
    screen.show_source("folder")
    screen.set_watch_folder(str(watch))
    assert screen.watch_button.isEnabled()
    screen.watcher.set_interval(60_000)  # the test drives the checks itself
    qtbot.mouseClick(screen.watch_button, Qt.MouseButton.LeftButton)
    assert screen.watcher.active and "Vēro mapi" in screen.watch_note.text()
    # the scanner writes a file in two goes
    staged = scans(kiosk, tmp_path / "staging", [{"rating": "4"}], tmp_path)[0]
    data = staged.read_bytes()
    target = watch / "scan-001.png"
    target.write_bytes(data[: len(data) // 2])
    screen.watcher.poll()
    target.write_bytes(data)
    screen.watcher.poll()
    assert screen.model.rowCount() == 0 and not screen.running
    with qtbot.waitSignal(screen.scan_finished, timeout=60_000):
        screen.watcher.poll()
    assert screen.model.rowCount() == 1
    assert screen.model.rows[0].status == "counted"  # the required question left blank: counted as cast
    screen.watcher.poll()
    screen.watcher.poll()
    assert screen.model.rowCount() == 1 and not screen.running  # taken once
    # signing out stops the watch
    qtbot.mouseClick(win.sign_out_button, Qt.MouseButton.LeftButton)
    assert not screen.watcher.active
    wait_idle(win, qtbot)


def test_missing_scan_folder_is_said_plainly(win, qtbot, tmp_path):
    screen = helper_intake(win, qtbot)
    screen.set_watch_folder(str(tmp_path / "nav"))
    qtbot.mouseClick(screen.watch_button, Qt.MouseButton.LeftButton)
    assert not screen.watcher.active
    assert "nav pieejama" in win.message_bar.text()


def test_cancel_stops_a_long_scan(win, qtbot, kiosk, tmp_path):
    folder = tmp_path / "many"
    paths = scans(kiosk, folder, [{"rating": "4"}] * 3, tmp_path)
    screen = helper_intake(win, qtbot)
    screen.scan([str(p) for p in paths] * 1)
    screen.scan([str(folder)])  # queued behind the first
    assert screen.queue == [str(folder)]
    qtbot.mouseClick(screen.cancel_button, Qt.MouseButton.LeftButton)
    assert screen.queue == []
    with qtbot.waitSignal(screen.scan_finished, timeout=60_000):
        pass
    assert screen.model.rowCount() <= 3
    assert not screen.cancel_button.isVisible()
    wait_idle(win, qtbot)
