"""The central office window (ui/central/), driven by pytest-qt over real batches.

A folder of genuine, tampered and conflicting batches from real kiosks is dropped
on the window; a conflict is decided by clicking; the online vote is imported; the
results are published and the PDF read back.  ``URN_SCREENSHOTS=1`` also writes each
step's screenshot (1366×768, palette PNG) into docs/screenshots/.
"""
from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication

from kiosk import assets
from kiosk.assets import demo_campaign_path
from kiosk.central.office import CentralOffice
from ui import i18n
from ui.app import setup_application
from ui.central.app import create_window

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
SHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
SIZE = (1366, 768)


def shoot(window, name: str, tmp_path: Path) -> Path:
    """The window as shown, saved as a small palette PNG (into docs/ with URN_SCREENSHOTS=1)."""
    for _ in range(3):
        QApplication.processEvents()
    raw = tmp_path / f"{name}-raw.png"
    assert window.grab().save(str(raw))
    out_dir = SHOTS if os.environ.get("URN_SCREENSHOTS") == "1" else tmp_path
    out = out_dir / f"{name}.png"
    with Image.open(raw) as img:
        assert img.size == SIZE
        img.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(out, optimize=True)
    return out


@pytest.fixture
def window(qtbot, tmp_path):
    setup_application(QApplication.instance())
    font = QApplication.instance().font()
    font.setPixelSize(15)
    QApplication.instance().setFont(font)
    w = create_window(tmp_path / "central", "lv", operator="Ilze")
    qtbot.addWidget(w)
    w.resize(*SIZE)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.snapshot is not None and not w.busy, timeout=20_000)
    yield w
    if i18n.current() != "lv":
        i18n.install("lv")
    w.shutdown()
    assert w.runner.active_threads == 0
    qtbot.waitUntil(lambda: w.runner.active == 0, timeout=5000)


def settle(qtbot, window, start):
    """Start a job (``start()``) and wait for the window to settle; its ``Done``."""
    with qtbot.waitSignal(window.settled, timeout=20_000) as blocker:
        job = start()
        assert job is not None
    return blocker.args[0]


def drop(window, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(QPointF(300, 300), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)


def test_the_window_fits_small_screens(window):
    hint = window.minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 768
    assert window.minimumSize().width() <= 1024 and window.minimumSize().height() <= 768


def test_import_resolve_online_and_publish(window, qtbot, stick, tmp_path):
    w = window
    assert "kampaņas failu" in w.batches.summary.text()  # nothing configured yet: it says what to do
    settle(qtbot, w, lambda: w.configure(campaign=str(demo_campaign_path())))
    assert w.snapshot.configured

    # 1. a USB stick's folder dropped on the window: genuine, tampered and conflicting batches
    with qtbot.waitSignal(w.settled, timeout=20_000) as blocker:
        drop(w, [stick.folder])
    done = blocker.args[0]
    assert len(done.imported.new) == 5
    tree = w.batches.tree
    assert tree.topLevelItemCount() == 2
    first = tree.topLevelItem(0)
    assert first.text(0) == w.snapshot.campaign.institutions[0].name and first.childCount() == 2
    assert all("pilna" in first.child(i).text(3) for i in range(first.childCount()))
    assert w.batches.excluded.rowCount() == 1
    reason = w.batches.excluded.item(0, 3).text()
    assert "mainīta" in reason and w.batches.excluded.item(0, 2).text() == "1"
    assert "Jauni faili: 5 (no tiem izslēgti: 1)" in w.messages.text()
    assert w.tabs.tabText(1) == "Pretrunas (1)"
    shoot(w, "central-01-batches", tmp_path)

    # re-importing the same files changes nothing
    again = settle(qtbot, w, lambda: w.import_paths([stick.folder]))
    assert again.imported.new == () and len(again.imported.unchanged) == 5
    assert w.snapshot.overview.files == 5

    # 2. the conflict: both copies side by side with their images
    w.tabs.setCurrentWidget(w.conflicts)
    page = w.conflicts
    assert page.list.count() == 1 and page.current.serial == stick.conflict_serial
    assert len(page.cards) == 2
    qtbot.waitUntil(lambda: all(c.image.image is not None for c in page.cards), timeout=20_000)
    names = [c.said.text() for c in page.cards]
    specialists = {s.id: s.name for s in w.snapshot.campaign.institutions[0].specialists}
    assert {specialists[dict(c.copy.choices)["specialist"]] for c in page.cards} <= {
        n for n in specialists.values() if any(n in t for t in names)}
    assert not page.save.isEnabled()  # nothing chosen yet
    shoot(w, "central-02-conflict", tmp_path)

    # 3. decide: the second copy counts, with a note
    page.choose_copy(1)
    page.note.setText("krusts otrajā kopijā ir skaidrs")  # (keyClicks types ASCII only)
    chosen = page.cards[1].copy
    with qtbot.waitSignal(w.settled, timeout=20_000):
        qtbot.mouseClick(page.save, Qt.MouseButton.LeftButton)
    assert w.tabs.tabText(1) == "Pretrunas"
    assert "Lēmums:" in page.standing.text() and "Ilze" in page.standing.text()
    with CentralOffice.open(tmp_path / "central") as office:
        decision = office.decisions()[stick.conflict_serial]
        assert (decision.kiosk_id, decision.batch, decision.note, decision.decided_by) == (
            chosen.kiosk_id, chosen.batch, "krusts otrajā kopijā ir skaidrs", "Ilze")
    qtbot.waitUntil(lambda: all(c.image.image is not None for c in page.cards), timeout=20_000)
    shoot(w, "central-03-decided", tmp_path)

    # 4. the online vote: 100 votes for a specialist no paper ballot chose
    inst = w.snapshot.campaign.institutions[1]
    nobody = next(s for s in inst.specialists if (inst.id, s.id) not in stick.votes)
    online = tmp_path / "tiessaiste.csv"
    online.write_text(f"institution_id,specialist_id,votes\n{inst.id},{nobody.id},100\n{inst.id},,12\n",
                      encoding="utf-8")
    settle(qtbot, w, lambda: w.import_online(online))
    w.tabs.setCurrentWidget(w.results)
    rows = w.results.specialist_rows
    assert [rows.text(0, c) for c in range(6)] == ["1", nobody.name, inst.name, "0", "100", "100"]
    assert rows.rowCount() == sum(len(i.specialists) for i in w.snapshot.campaign.institutions)
    assert "Iestādes sarindotas pēc pozitīvo novērtējumu skaita" in w.results.summary.text()  # the rule applied
    inst = w.results.institution_rows  # figures right-aligned, also those shown as text ("3,80", "–")
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    assert all(inst.data(inst.index(0, c), Qt.ItemDataRole.TextAlignmentRole) == right for c in (0, 2, 3, 4, 5, 6))
    assert inst.data(inst.index(0, 1), Qt.ItemDataRole.TextAlignmentRole) is None  # the name
    assert "tiessaiste.csv" in w.results.online_label.text()
    shoot(w, "central-04-results", tmp_path)

    # 5. publish: the PDF names the winners; decisions freeze
    w.confirm = lambda text: "Izslēgtie faili (1)" in text
    with qtbot.waitSignal(w.settled, timeout=120_000) as blocker:
        qtbot.mouseClick(w.results.publish_button, Qt.MouseButton.LeftButton)
    pub = blocker.args[0].note
    assert Path(pub.report).is_file() and Path(pub.report).parent == tmp_path / "central" / "reports"
    text = subprocess.run(["pdftotext", "-layout", pub.report, "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Uzvarētāji" in text and nobody.name in text and stick.conflict_serial in text
    # published with the tampered file acknowledged: final, and the file not counted is said
    assert "GALĪGIE REZULTĀTI" in text and "DAĻĒJI" not in text
    assert "Faili, kas netika skaitīti: 1." in " ".join(text.split())
    assert "PUBLICĒTS" in w.results.summary.text()
    assert not w.results.publish_button.isEnabled() and not w.results.online_button.isEnabled()
    w.tabs.setCurrentWidget(w.conflicts)
    assert not page.note.isEnabled() and not page.save.isEnabled()
    w.tabs.setCurrentWidget(w.results)
    shoot(w, "central-05-published", tmp_path)
    with CentralOffice.open(tmp_path / "central") as office:
        assert office.published is not None and office.published.report == pub.report


def test_a_bad_online_file_is_told_plainly_and_changes_nothing(window, qtbot, tmp_path, demo_campaign):
    settle(qtbot, window, lambda: window.configure(campaign=str(demo_campaign_path())))
    bad = tmp_path / "bad.csv"
    bad.write_text("institution_id,specialist_id,votes\nnav-tādas,,3\n", encoding="utf-8")
    assert settle(qtbot, window, lambda: window.import_online(bad)) is None
    assert window.messages.level == "error" and "bad.csv:2" in window.messages.text()
    assert window.snapshot.online is None


def test_the_window_speaks_english(window, qtbot, monkeypatch, tmp_path):
    # the English of this checkout's own .ts (the installed package may hold an older one)
    source = Path(__file__).resolve().parent.parent / "resources" / "translations"
    local = tmp_path / "translations"
    local.mkdir()
    (local / "urn_kiosk_en.ts").write_bytes((source / "urn_kiosk_en.ts").read_bytes())
    monkeypatch.setattr(assets, "translations_dir", lambda: local)
    window.set_language("en")
    assert window.tabs.tabText(0) == "Batches" and window.setup_button.text() == "Campaign and keys…"
    assert window.batches.folder_button.text() == "Open folder…"
    assert window.results.publish_button.text() == "Publish results…"
    window.set_language("lv")
    assert window.tabs.tabText(0) == "Partijas"


def test_stopping_an_import_keeps_what_arrived_and_the_next_look_finishes_it(window, qtbot, stick, monkeypatch):
    """Pārtraukt while files are received: the job is held at its first progress report
    (an event, not a sleep) until the click has landed."""
    from ui.central import work

    w = window
    settle(qtbot, w, lambda: w.configure(campaign=str(demo_campaign_path())))
    reached, release = threading.Event(), threading.Event()
    original = work._progress

    def gated(ctx, phase):
        report = original(ctx, phase)

        def held(done, total):
            if phase == work.Phase.RECEIVE and done == 0 and not release.is_set():
                reached.set()
                assert release.wait(30)
            report(done, total)

        return held

    monkeypatch.setattr(work, "_progress", gated)
    with qtbot.waitSignal(w.settled, timeout=20_000):
        w.import_paths([stick.folder])
        qtbot.waitUntil(reached.is_set, timeout=10_000)
        assert w.cancel_button.isEnabled()
        qtbot.mouseClick(w.cancel_button, Qt.MouseButton.LeftButton)
        release.set()
    view = w.snapshot.overview
    assert (view.files, view.unverified, w.snapshot.count) == (1, 1, None)  # received, not verified, not counted
    monkeypatch.setattr(work, "_progress", original)
    settle(qtbot, w, w.refresh)
    assert w.snapshot.overview.unverified == 0 and w.snapshot.count is not None
    settle(qtbot, w, lambda: w.import_paths([stick.folder]))
    assert w.snapshot.overview.files == 5 and w.snapshot.overview.unverified == 0


def test_a_revocation_entered_in_the_keys_dialog_excludes_the_kiosk(window, qtbot, stick, tmp_path):
    from ui.central.setup import SetupDialog

    w = window
    settle(qtbot, w, lambda: w.configure(campaign=str(demo_campaign_path())))
    settle(qtbot, w, lambda: w.import_paths([stick.folder]))
    dialog = SetupDialog(w.snapshot.revocations, w.snapshot.has_master_key, w.snapshot.configured, w)
    qtbot.addWidget(dialog)
    dialog.revoked.setPlainText(f"{stick.second.kiosk_id}\n")
    assert dialog.changes() == {"revocations": f"{stick.second.kiosk_id}\n"}
    settle(qtbot, w, lambda: w.configure(**dialog.changes()))
    first = w.batches.tree.topLevelItem(0)
    rows = {first.child(i).text(0): first.child(i).text(3) for i in range(first.childCount())}
    assert rows[stick.second.kiosk_id] == "kiosks atsaukts: tā partijas neskaita"
    reasons = [w.batches.excluded.item(r, 3).text() for r in range(w.batches.excluded.rowCount())]
    assert len(reasons) == 2 and any("atsaukts" in r.lower() or "revoked" in r.lower() for r in reasons)
    with CentralOffice.open(tmp_path / "central") as office:
        assert office.revocations == {stick.second.kiosk_id: None}


def test_the_window_fits_a_screen_smaller_than_its_size(window, qtbot):
    """`kiosk central gui` asks for 1366×768; a smaller screen (an office PC at 1024×768; the
    offscreen platform's is 800×800) gets a window no larger than it, down to the window's own
    minimum (1000×700, which a 1024×768 screen holds)."""
    from ui.app import show_fitted

    avail = window.screen().availableGeometry()
    least = window.minimumSize()
    show_fitted(window, 1366, avail.height() + 200)
    assert window.height() == max(least.height(), avail.height()) and window.geometry().y() == avail.y()
    assert window.width() == max(least.width(), min(1366, avail.width())) and window.geometry().x() == avail.x()
    small = (least.width() + 10, least.height() + 10)  # asked for less than the screen: that, centred
    show_fitted(window, *small)
    if least.width() + 10 <= avail.width() and least.height() + 10 <= avail.height():
        assert (window.width(), window.height()) == small and avail.contains(window.geometry())
    assert (window.minimumWidth(), window.minimumHeight()) == (1000, 700)
