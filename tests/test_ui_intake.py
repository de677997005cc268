"""The helper's intake: files and folders, the watched scan folder, the live list."""
from __future__ import annotations

import hashlib

from PIL import Image
from PySide6.QtCore import Qt
from sheets import scans
from test_ui_support import OFFSCREEN_NOISE, clock, gate, sign_in, wait_idle, win  # noqa: F401 - fixtures

from kiosk.access.roles import Role
from ui.screens import Mode, intake

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
    assert texts["notes.txt"] == ("Noraidīts", "Fails nav attēls vai PDF (atbalstīti PNG, JPEG, TIFF, PDF)")
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
    assert screen.model.rowCount() == 8  # listed again, each marked as read before
    assert screen.model.repeats == 4 and screen.model.counts == {"counted": 1, "review": 1, "rejected": 2, "duplicate": 0}
    assert all(screen.model.index(r, 3).data().startswith("Jau nolasīts agrāk") for r in range(4, 8))
    assert kiosk.store.sheet_counts() == {"counted": 1, "review": 1, "rejected": 2, "duplicate": 0}
    wait_idle(win, qtbot)


def poll(screen, qtbot) -> None:
    """One check of the scanner folder, waited for (it runs as a background job)."""
    with qtbot.waitSignal(screen.watcher.polled, timeout=30_000):
        assert screen.watcher.poll()


def test_watched_scan_folder_reads_new_files_and_keeps_watching_signed_out(win, qtbot, kiosk, tmp_path):
    watch = tmp_path / "scanner-out"
    watch.mkdir()
    now = [1000.0]
    screen = helper_intake(win, qtbot)
    screen.watcher.clock = lambda: now[0]  # the test decides how much time passes
    assert not screen.watch_button.isEnabled()  # no folder chosen yet
    assert screen.watch_state.text() == "Skenera mape: nevēro"
    screen.show_source("folder")
    screen.set_watch_folder(str(watch))
    assert screen.watch_button.isEnabled()
    screen.watcher.set_interval(24 * 3600 * 1000)  # the test drives the checks itself: the timer never fires
    qtbot.mouseClick(screen.watch_button, Qt.MouseButton.LeftButton)
    assert screen.watcher.active and "Vēro mapi" in screen.watch_note.text()
    assert kiosk.store.get_setting("scan.watch") == "1"  # a property of the kiosk
    wait_idle(win, qtbot)
    # the scanner writes a file in two goes, pausing in between
    staged = scans(kiosk, tmp_path / "staging", [{"rating": "4"}, {"rating": "2"}], tmp_path)
    data = staged[0].read_bytes()
    target = watch / "scan-001.png"
    target.write_bytes(data[: len(data) // 2])
    poll(screen, qtbot)
    now[0] += 60  # a long pause: quiet, but a PNG without its end is not complete
    poll(screen, qtbot)
    assert screen.model.rowCount() == 0 and not screen.running
    assert screen.watch_state.text() == "Skenera mape: vēro (gaida: 1)"
    target.write_bytes(data)
    poll(screen, qtbot)  # complete now, but not settled yet
    assert screen.model.rowCount() == 0 and not screen.running
    now[0] += 11
    with qtbot.waitSignal(screen.scan_finished, timeout=60_000):
        poll(screen, qtbot)
    assert screen.model.rowCount() == 1
    assert screen.model.rows[0].status == "counted"  # the required question left blank: counted as cast
    now[0] += 60
    poll(screen, qtbot)
    assert screen.model.rowCount() == 1 and not screen.running  # taken once
    # signing out does not stop the watch: the scanner folder is read with nobody signed in
    qtbot.mouseClick(win.sign_out_button, Qt.MouseButton.LeftButton)
    assert screen.watcher.active and screen.watch_state.text() == "Skenera mape: vēro"
    (watch / "scan-002.png").write_bytes(staged[1].read_bytes())
    poll(screen, qtbot)
    now[0] += 11
    with qtbot.waitSignal(screen.scan_finished, timeout=60_000):
        poll(screen, qtbot)
    assert screen.model.rowCount() == 2 and kiosk.store.sheet_counts()["counted"] == 2
    # a restart watches again (the setting is the kiosk's)
    screen.on_close()
    assert not screen.watcher.active
    screen.restore_watch()
    assert screen.watcher.active
    wait_idle(win, qtbot)


def test_missing_scan_folder_is_said_plainly(win, qtbot, tmp_path):
    screen = helper_intake(win, qtbot)
    screen.set_watch_folder(str(tmp_path / "nav"))
    qtbot.mouseClick(screen.watch_button, Qt.MouseButton.LeftButton)
    assert not screen.watcher.active
    assert "nav pieejama" in win.message_bar.text()


def test_cancel_stops_a_long_scan(win, qtbot, kiosk, tmp_path, gate):
    folder = tmp_path / "many"
    paths = scans(kiosk, folder, [{"rating": "4"}] * 3, tmp_path)
    screen = helper_intake(win, qtbot)
    gate.hold(intake, "scan_job")  # the scan waits after its first sheet until the cancel was clicked
    screen.scan([str(p) for p in paths])
    screen.scan([str(folder)])  # queued behind the first
    assert screen.queue == [str(folder)]
    gate.wait_held(qtbot)
    assert gate.at == (1, 3)  # the first file read and stored, two to go
    qtbot.mouseClick(screen.cancel_button, Qt.MouseButton.LeftButton)
    assert screen.queue == []
    assert screen.job.is_cancelled and screen.running and not screen.cancel_button.isEnabled()
    with qtbot.waitSignal(screen.scan_finished, timeout=60_000):
        gate.release()
    # exactly the sheet read before the cancel is listed and stored; the other files were
    # never read, nor even kept as originals, and the queued folder never started
    assert [(r.source, r.page, r.status, r.repeat) for r in screen.model.rows] == [(str(paths[0]), 1, "counted", False)]
    assert kiosk.store.sheet_counts() == {"counted": 1, "review": 0, "rejected": 0, "duplicate": 0}
    stored = [kiosk.store.image(hashlib.sha256(p.read_bytes()).hexdigest()) is not None for p in paths]
    assert stored == [True, False, False]
    assert win.message_bar.level == "warn"
    assert win.message_bar.text() == "Nolasīšana pabeigta. Ieskaitīti 1, jāpārbauda 0, noraidīti 0, dublikāti 0."
    assert not screen.cancel_button.isVisible() and not screen.running
    wait_idle(win, qtbot)
