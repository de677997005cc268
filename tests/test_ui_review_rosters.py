"""The review screen for write-ins, long rosters and damaged QR codes, driven from the keyboard.

A kiosk of a generated institution whose ballot has a "Cits speciālists" line:
20 ballots with a handwritten name go to review as write-ins; the helper types
a few letters of the specialist (no diacritics), Enter picks, Enter counts.
A ballot whose QR code is blacked out goes to review as qr_damaged; the helper
types the printed serial: one wrong character is refused on the spot, the
right one lets the ballot be counted.
"""
from __future__ import annotations

import random

import corpus
import numpy as np
import pytest
import rosters
import sheets
from PIL import ImageDraw
from PySide6.QtCore import Qt
from test_ui_support import OFFSCREEN_NOISE, clock, sign_in, wait_idle, win  # noqa: F401 - fixtures

from kiosk.access.roles import Role
from kiosk.ballot import payload
from kiosk.intake.review import roster_matches
from kiosk.intake.scan import scan_paths
from kiosk.lang import fold
from ui.screens import Mode

pytestmark = OFFSCREEN_NOISE


@pytest.fixture
def kiosk(tmp_path):
    """A kiosk of an institution with 30 specialists and a write-in line (overrides the demo kiosk)."""
    data = rosters.campaign(rosters.institutions(1, [30], random.Random(21)), page_size="a5", write_in=True)
    k = rosters.enrolled(data, tmp_path / "wi")
    yield k
    k.close()


def written_ballots(kiosk, tmp_path, n: int) -> list:
    paths = []
    for i in range(n):
        pdf, spec, _ = sheets.print_pdf(kiosk, tmp_path, 1, "a5")
        img = sheets.render(pdf, 0, 200)
        rng, nprng = random.Random(100 + i), np.random.default_rng(100 + i)
        corpus.mark_page(img, spec, [corpus.MarkPlan("rating", str(1 + i % 5), "cross", str(1 + i % 5))], rng, nprng,
                         extra="write_in")
        path = tmp_path / f"wi-{i:02d}.png"
        sheets.scanner(img, skew=rng.uniform(-2, 2), seed=i).save(path)
        paths.append(path)
    return paths


def letters_for(q, target) -> str:
    """The fewest letters (no diacritics) that put ``target`` first: the surname's start, then the first name's."""
    surname, first = fold(target.label.split()[-1]), fold(target.label.split()[0])
    tries = [surname[:n] for n in range(3, len(surname) + 1)] + [f"{surname} {first[:n]}" for n in range(1, len(first) + 1)]
    return next(t for t in tries if roster_matches(q, t)[0].id == target.id)


def open_review(win, qtbot):
    sign_in(win, qtbot, Role.HELPER)
    qtbot.mouseClick(win.nav_buttons[Mode.REVIEW], Qt.MouseButton.LeftButton)
    return win.screens[Mode.REVIEW]


def test_twenty_write_ins_are_resolved_by_typing_a_few_letters(win, qtbot, kiosk, tmp_path):
    results = list(scan_paths(kiosk, written_ballots(kiosk, tmp_path, 20), workers=1))
    assert [(r.status, r.reason) for r in results] == [("review", "write_in")] * 20
    screen = open_review(win, qtbot)
    q = kiosk.layout().questions[0]
    chosen, keys = {}, 0
    for n, r in enumerate(results):
        assert screen.item.sheet_id == r.sheet_id
        picker = screen.extras.pickers[q.id]
        qtbot.waitUntil(picker.isVisible, timeout=5000)  # shown once the event loop turns
        assert "Ierakstīts cits speciālists" in screen.reason_box.text()
        # the written line arrives, cut out upright and large
        qtbot.waitUntil(lambda: picker.clip.image is not None, timeout=20_000)
        assert picker.clip.image.width() > 2 * picker.clip.image.height() > 100  # the writing, 10 px per mm
        target = q.choices[(7 * n) % len(q.choices)]
        typed = letters_for(q, target)  # a few letters of the surname, no diacritics
        picker.edit.setFocus()
        qtbot.keyClicks(picker.edit, typed)
        assert picker.matches.item(0).data(Qt.ItemDataRole.UserRole) == target.id
        qtbot.keyClick(picker.edit, Qt.Key.Key_Return)  # picks the first match
        assert screen.chosen[q.id] == [target.id] and target.label in picker.chosen_label.text()
        with qtbot.waitSignal(screen.decided) as sig:
            qtbot.keyClick(win, Qt.Key.Key_Return)  # counts the ballot for them
        assert sig.args == ["correct", r.sheet_id]
        chosen[r.sheet_id] = target.id
        keys += len(typed) + 2
    assert screen.item is None
    finals = {f.sheet_id: f for f in kiosk.store.final_sheets()}
    for r in results:
        assert finals[r.sheet_id].final_status == "counted"
        assert finals[r.sheet_id].selections[q.id] == [chosen[r.sheet_id]]
    assert keys <= 20 * 12
    wait_idle(win, qtbot)


def test_a_damaged_code_is_resolved_by_typing_its_serial(win, qtbot, kiosk, tmp_path):
    q = kiosk.layout().questions[0]
    img, spec, serial = sheets.ballot(kiosk, tmp_path, {q.id: q.options[3].id, "rating": "2"})
    s = 200 / 25.4
    ImageDraw.Draw(img).rectangle([spec.qr.x * s, spec.qr.y * s, (spec.qr.x + spec.qr.size * 0.4) * s,
                                   (spec.qr.y + spec.qr.size) * s], fill=20)
    img.save(tmp_path / "damaged.png")
    (r,) = scan_paths(kiosk, [tmp_path / "damaged.png"], workers=1)
    assert (r.status, r.reason) == ("review", "qr_damaged")
    screen = open_review(win, qtbot)
    entry = screen.extras.serial
    assert entry is not None
    qtbot.waitUntil(entry.isVisible, timeout=5000)
    qtbot.waitUntil(lambda: entry.clip.image is not None, timeout=20_000)  # the printed line, large
    p = payload.make_payload(kiosk.tag_key, kiosk.campaign.hash, kiosk.institution.hash, spec.id, serial)
    printed = payload.printed_serial(p)
    wrong = printed[:6] + ("Q" if printed[6] != "Q" else "R") + printed[7:]
    entry.edit.setFocus()
    qtbot.keyClicks(entry.edit, wrong)
    assert not entry.valid and entry.state.text().startswith("✗")
    qtbot.keyClick(entry.edit, Qt.Key.Key_Return)  # not decided with a serial that does not check out
    assert screen.item is not None and not kiosk.store.decisions(r.sheet_id)
    entry.edit.clear()
    qtbot.keyClicks(entry.edit, printed.lower().replace("-", " "))
    assert entry.valid and entry.state.text().startswith("✓")
    assert screen.chosen[q.id] == [q.options[3].id]
    with qtbot.waitSignal(screen.decided) as sig:
        qtbot.keyClick(entry.edit, Qt.Key.Key_Return)
    assert sig.args == ["confirm", r.sheet_id]
    (final,) = [f for f in kiosk.store.final_sheets() if f.sheet_id == r.sheet_id]
    assert final.serial == serial and final.selections == {q.id: [q.options[3].id], "rating": ["2"]}
    wait_idle(win, qtbot)


def test_a_typed_serial_whose_print_job_failed_is_told_before_deciding(win, qtbot, kiosk, tmp_path):
    q = kiosk.layout().questions[0]
    jobs_before = {j["id"] for j in kiosk.store.print_jobs()}
    img, spec, serial = sheets.ballot(kiosk, tmp_path, {q.id: q.options[1].id, "rating": "4"})
    (job_id,) = {j["id"] for j in kiosk.store.print_jobs()} - jobs_before
    kiosk.store.void_job(job_id, [serial], "print.job_aborted")
    s = 200 / 25.4
    ImageDraw.Draw(img).rectangle([spec.qr.x * s, spec.qr.y * s, (spec.qr.x + spec.qr.size * 0.4) * s,
                                   (spec.qr.y + spec.qr.size) * s], fill=20)
    img.save(tmp_path / "damaged.png")
    (r,) = scan_paths(kiosk, [tmp_path / "damaged.png"], workers=1)
    screen = open_review(win, qtbot)
    entry = screen.extras.serial
    qtbot.waitUntil(entry.isVisible, timeout=5000)
    p = payload.make_payload(kiosk.tag_key, kiosk.campaign.hash, kiosk.institution.hash, spec.id, serial)
    entry.edit.setFocus()
    qtbot.keyClicks(entry.edit, payload.printed_serial(p))
    assert entry.valid and entry.state.text().startswith("⚠") and "anulēts" in entry.state.text()
    assert entry.state.property("level") == "warn"
    with qtbot.waitSignal(screen.decided) as sig:  # the person may still count it
        qtbot.keyClick(entry.edit, Qt.Key.Key_Return)
    assert sig.args == ["confirm", r.sheet_id]
    wait_idle(win, qtbot)


def test_the_settings_screen_shows_the_review_policy(win, qtbot, kiosk):
    sign_in(win, qtbot, Role.OFFICE)
    qtbot.mouseClick(win.nav_buttons[Mode.SETTINGS], Qt.MouseButton.LeftButton)
    text = win.screens[Mode.SETTINGS].policy_info.text()
    assert "Pārbaudes kārtība" in text
    assert "Biļetenā nekas nav atzīmēts → <b>ieskaita kā nodotu</b>" in text
    assert "Jautājumā atzīmēts vairāk nekā viens variants → <b>pārbauda cilvēks</b>" in text
    wait_idle(win, qtbot)
