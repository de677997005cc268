"""Printing through a real CUPS spooler (a private cupsd with cups-pdf queues, tests/private_cups.py).

"Printed" means the spooler reported the job completed; every other end (a
stopped, rejecting or deleted queue, a job cancelled in CUPS, the timeout, the
user's cancel) cancels the job in CUPS and voids its serials, and the message
carries the printer's own reason.  The PDFs cups-pdf produced are read back:
page size, QR codes, serials.
"""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO
from PIL import Image

from kiosk.errors import KioskError
from kiosk.issuing.cups_backend import CupsSpooler
from kiosk.issuing.jobs import print_ballots
from kiosk.reading import qr
from kiosk.reading.imaging import PDFIUM_LOCK, render_pdf_page
from kiosk.station import Kiosk

MM_PER_PT = 25.4 / 72


def kiosk_cli(cups, data: Path, *args: str, fault: str | None = None, lang: str = "lv",
              popen: bool = False):
    env = cups.env() if cups is not None else dict(os.environ)
    env["KIOSK_DATA_DIR"] = str(data)
    env.pop("KIOSK_FAULT", None)
    if fault:
        env["KIOSK_FAULT"] = fault
    cmd = [sys.executable, "-m", "kiosk", "--lang", lang, *args]
    if popen:
        return subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def page_sizes_mm(pdf: Path) -> list[tuple[float, float]]:
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        doc = pdfium.PdfDocument(str(pdf))
        try:
            return [tuple(round(v * MM_PER_PT, 1) for v in doc[i].get_size()) for i in range(len(doc))]
        finally:
            doc.close()


def paper(pdf: Path) -> list[str]:
    """Each page's paper: "A5", "A4" (within 1 mm: drivers round), else its size."""
    names = {"A5": (148.0, 210.0), "A4": (210.0, 297.0)}
    out = []
    for w, h in page_sizes_mm(pdf):
        out.append(next((n for n, (nw, nh) in names.items() if abs(w - nw) <= 1 and abs(h - nh) <= 1), f"{w}x{h}"))
    return out


def pages(pdf: Path, dpi: int = 200) -> list[Image.Image]:
    return [render_pdf_page(pdf, i, dpi=dpi, grayscale=True).convert("L") for i in range(len(page_sizes_mm(pdf)))]


def serials_on(kiosk: Kiosk, image: Image.Image) -> list[bytes]:
    return [kiosk.verify_payload(s.text).serial for s in qr.decode(np.asarray(image))]


def counts(data: Path) -> dict[str, int]:
    db = sqlite3.connect(data / "kiosk.db")
    try:
        issued, voided = db.execute("SELECT COUNT(*) - COALESCE(SUM(voided), 0), COALESCE(SUM(voided), 0) FROM issued").fetchone()
        return {"issued": issued, "voided": voided}
    finally:
        db.close()


def job_files(cups) -> list[Path]:
    """Job control and document files in the spooler's request directory."""
    return [p for p in cups.spool.iterdir() if p.is_file() and p.name[0] in "cd" and p.name[1:2].isdigit()]


# -- printed ---------------------------------------------------------------------------

def test_cli_prints_three_a5_ballots_and_cups_pdf_has_them(private_cups, tmp_path):
    queue = private_cups.add_pdf_queue("A5QUEUE")
    data = tmp_path / "data"
    done = kiosk_cli(private_cups, data, "print", "--count", "3", "--printer", "A5QUEUE", "--timeout", "90", "--json")
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert (info["state"], info["sheets"], info["paper"], info["per_sheet"]) == ("printed", 3, "a5", 1)
    (pdf,) = queue.pdfs()
    assert paper(pdf) == ["A5"] * 3  # one ballot per A5 page (cups-pdf's A5 is 421 x 595 pt)
    with Kiosk.open(data) as k:
        found = [s for page in pages(pdf) for s in serials_on(k, page)]
        assert len(found) == 3 and len(set(found)) == 3
        assert all(k.store.issued_state(s) == "issued" for s in found)
        (job,) = k.store.print_jobs()
        assert (job["state"], job["count"], job["voided"], job["spool"], job["owner"]) == ("printed", 3, 0, None, None)
    assert counts(data) == {"issued": 3, "voided": 0}
    assert private_cups.jobs("all") == [] and job_files(private_cups) == []  # purged: no copy, no history


def test_the_cli_exits_only_after_the_printer_finished(private_cups, tmp_path):
    queue = private_cups.add_pdf_queue("SLOW", gate=True)
    data = tmp_path / "data"
    proc = kiosk_cli(private_cups, data, "print", "--count", "2", "--printer", "SLOW", "--timeout", "90", popen=True)
    try:
        queue.gate.wait_started()  # CUPS handed the job to the printer, which holds it
        assert proc.poll() is None  # still waiting for the printer
        db = sqlite3.connect(data / "kiosk.db")
        (state, spool), = db.execute("SELECT state, spool FROM print_jobs").fetchall()
        db.close()
        assert state == "printing" and spool.startswith("cups:")  # its CUPS job id, or its title just before
        queue.gate.release()
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    (pdf,) = queue.pdfs()
    assert len(page_sizes_mm(pdf)) == 2
    assert counts(data) == {"issued": 2, "voided": 0}
    assert private_cups.jobs("all") == []


def test_a5_ballots_go_two_to_an_a4_sheet_where_the_printer_has_no_a5(private_cups, kiosk, tmp_path):
    """Three A5 ballots on an A4-only queue: two sheets, each half a full-size ballot with its
    own serial; cut apart, marked and scanned, each half is read and counted."""
    import sheets as ballot_sheets

    queue = private_cups.add_pdf_queue("A4ONLY", sizes=("A4",))
    spec = kiosk.layout("a5")
    result = print_ballots(kiosk, 3, printer="A4ONLY", page_size="a5", timeout=90)
    assert (result.sheets, result.paper, result.per_sheet) == (2, "a4", 2)
    (pdf,) = queue.pdfs()
    assert paper(pdf) == ["A4"] * 2
    dpi = 200
    halves = []
    for sheet in pages(pdf, dpi):
        w, h = sheet.size
        band = np.asarray(sheet)[h // 2 - 4: h // 2 + 5]
        assert max((row < 200).mean() for row in band) > 0.5  # the dashed cut line across the middle
        halves += [sheet.crop((0, 0, w, h // 2)), sheet.crop((0, h // 2, w, h))]
    scans = tmp_path / "scans"
    scans.mkdir()
    marked = {}
    for n, half in enumerate(halves[:3]):
        upright = half.rotate(-90, expand=True)  # the ballot's top lies on the sheet's left edge
        found = serials_on(kiosk, upright)
        assert len(found) == 1
        # never shrunk: the QR code measures what the layout says
        (sym,) = qr.decode(np.asarray(upright))
        width_mm = (sym.corners[1][0] - sym.corners[0][0]) / dpi * 25.4
        assert abs(width_mm - spec.qr.size) < 1.5
        question = spec.questions[0]
        option = question.options[n % len(question.options)].id
        ballot_sheets.mark(upright, spec, question.id, option, dpi)
        marked[found[0]] = option
        upright.save(scans / f"half-{n}.png")
    halves[3].save(scans / "half-3-empty.png")
    assert set(marked) == set(result.serials)
    done = kiosk_cli(private_cups, kiosk.root, "scan", "--json", str(scans))
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    read = {r["serial"]: r for r in rows if r["serial"]}
    assert len(read) == 3
    from kiosk.ballot.payload import serial_text

    question = spec.questions[0]
    for serial, option in marked.items():
        row = read[serial_text(serial)]
        assert row["status"] in ("counted", "review"), row
        label = next(o.label for o in question.options if o.id == option)
        assert row["selections"][question.label] == [label], row
    assert [r["reason"] for r in rows if not r["serial"]] == ["blank_back"]  # the empty half of the last sheet


def test_a4_ballots_on_a_printer_without_a4_are_refused_before_issuing(private_cups, kiosk):
    private_cups.add_pdf_queue("A5ONLY", sizes=("A5",))
    with pytest.raises(KioskError) as info:
        print_ballots(kiosk, 1, printer="A5ONLY", page_size="a4")
    assert info.value.code == "print.paper_missing" and "A4" in info.value.message("lv")
    assert kiosk.store.issued_counts() == {"issued": 0, "voided": 0}


def test_a4_paper_chosen_in_the_dialog_is_kept(private_cups, kiosk):
    """The paper the print dialog chose wins over the ballot's own size (A5 ballots, A4 paper)."""
    queue = private_cups.add_pdf_queue("BOTH")
    result = print_ballots(kiosk, 2, printer="BOTH", page_size="a5", paper="a4", timeout=90)
    assert (result.sheets, result.per_sheet) == (1, 2)
    (pdf,) = queue.pdfs()
    assert paper(pdf) == ["A4"]


# -- not printed: refused before issuing ------------------------------------------------------

@pytest.mark.parametrize("case", ["disabled", "rejecting", "missing"])
def test_a_printer_that_cannot_print_is_refused_before_any_serial_is_issued(private_cups, tmp_path, case):
    private_cups.add_pdf_queue("Q")
    if case == "disabled":
        private_cups.disable("Q", "Beidzies papīrs")
    elif case == "rejecting":
        private_cups.reject("Q", "Apkope līdz pusdienlaikam")
    data = tmp_path / "data"
    printer = "Nav-tāda" if case == "missing" else "Q"
    done = kiosk_cli(private_cups, data, "print", "--count", "2", "--printer", printer, "--timeout", "90")
    assert done.returncode == 1, done.stderr
    expected = {
        "disabled": ("print.printer_stopped", "Printeris “Q” ir apturēts: Beidzies papīrs"),
        "rejecting": ("print.printer_rejecting", "Printeris “Q” nepieņem drukas darbus: Apkope līdz pusdienlaikam"),
        "missing": ("print.printer_missing", "Printeris “Nav-tāda” nav atrasts"),
    }[case]
    assert f"[{expected[0]}]" in done.stderr and expected[1] in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert counts(data) == {"issued": 0, "voided": 0}
    assert private_cups.jobs("all") == [] and job_files(private_cups) == []


def test_a_stopped_printer_reason_is_told_in_english_too(private_cups, tmp_path):
    private_cups.add_pdf_queue("Q")
    private_cups.disable("Q", "Out of paper")
    done = kiosk_cli(private_cups, tmp_path / "data", "print", "--printer", "Q", lang="en")
    assert done.returncode == 1
    assert "Printer “Q” is stopped: Out of paper" in done.stderr, done.stderr


# -- not printed: the job went wrong in the spooler -----------------------------------------

def _disable(cups, queue):
    cups.disable(queue.name, "Beidzies papīrs")


def _reject(cups, queue):
    cups.reject(queue.name, "Apkope")


def _delete(cups, queue):
    cups.delete_queue(queue.name)


def _cancel(cups, queue):
    (job,) = cups.jobs()
    cups.cancel(job)


def _paper_out(cups, queue):
    queue.gate.release(answer="paper-out")


def _nothing(cups, queue):
    pass


FAILURES = {
    # case: (what the test does once the job is at the printer, --timeout, error code, words in the message)
    "disabled": (_disable, "90", "print.failed", ["Printeris “SLOW” ir apturēts"]),
    "paper-out": (_paper_out, "90", "print.failed", ["Printeris “SLOW” ir apturēts: Out of paper; beidzies papīrs"]),
    "rejecting": (_reject, "90", "print.failed", ["Printeris “SLOW” nepieņem drukas darbus: Apkope"]),
    "deleted": (_delete, "90", "print.failed", ["printera “SLOW” rinda tika dzēsta drukāšanas laikā"]),
    "cancelled": (_cancel, "90", "print.failed", ["drukas darbs printerī “SLOW” tika atcelts drukas rindā"]),
    "timeout": (_nothing, "3", "print.failed", ["printeris “SLOW” 3 s laikā nepabeidza drukāt (darbs vēl drukājās)"]),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_a_job_that_does_not_come_out_is_cancelled_and_its_serials_voided(private_cups, tmp_path, case):
    action, timeout, code, words = FAILURES[case]
    queue = private_cups.add_pdf_queue("SLOW", gate=True)
    data = tmp_path / "data"
    proc = kiosk_cli(private_cups, data, "print", "--count", "2", "--printer", "SLOW", "--timeout", timeout, popen=True)
    try:
        queue.gate.wait_started()
        action(private_cups, queue)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 1, err
    assert f"[{code}]" in err and "Anulēti 2 biļeteni" in err, err
    for word in words:
        assert word in err, err
    if case == "disabled":  # the printer's own reason (CUPS may already have replaced it by "paused")
        assert "Beidzies papīrs" in err or "rinda ir apturēta" in err, err
    assert "Traceback" not in err
    assert counts(data) == {"issued": 0, "voided": 2}
    assert queue.pdfs() == []
    assert private_cups.jobs("all") == [] and job_files(private_cups) == []  # nothing left in CUPS
    with Kiosk.open(data) as k:
        (job,) = k.store.print_jobs()
        assert (job["state"], job["voided"], job["spool"], job["owner"]) == ("voided", 2, None, None)


def test_a_queue_that_stops_accepting_before_the_job_is_sent_voids_it(private_cups, kiosk):
    """The printer was ready when checked and refused the job when it came."""
    private_cups.add_pdf_queue("Q")
    rejected = []

    def drawing(done, total):
        if not rejected:
            private_cups.reject("Q", "Apkope")
            rejected.append(True)

    with pytest.raises(KioskError) as info:
        print_ballots(kiosk, 2, printer="Q", progress=drawing)
    assert info.value.code == "print.failed" and info.value.params["voided"] == 2
    assert "nepieņem drukas darbus: Apkope" in info.value.message("lv")
    assert kiosk.store.issued_counts() == {"issued": 0, "voided": 2}
    assert private_cups.jobs("all") == []


def test_the_user_cancels_while_waiting_for_the_printer(private_cups, kiosk):
    queue = private_cups.add_pdf_queue("SLOW", gate=True)
    phases = []

    def cancelled():
        if phases and phases[-1] == "waiting":
            queue.gate.wait_started()
            return True
        return False

    with pytest.raises(KioskError) as info:
        print_ballots(kiosk, 3, printer="SLOW", phase=phases.append, cancelled=cancelled)
    assert phases == ["drawing", "sending", "waiting"]
    assert info.value.code == "print.cancelled" and info.value.params["voided"] == 3
    assert kiosk.store.issued_counts() == {"issued": 0, "voided": 3}
    assert private_cups.jobs("all") == [] and queue.pdfs() == []


def test_printer_states_as_the_screen_sees_them(private_cups):
    private_cups.add_pdf_queue("A5")
    private_cups.add_pdf_queue("A4ONLY", sizes=("A4",))
    spooler = CupsSpooler()
    assert spooler.printers() == ["A4ONLY", "A5"]
    idle = spooler.status("A5")
    assert (idle.state, idle.accepting, idle.ready, idle.media) == ("idle", True, True, frozenset({"a4", "a5"}))
    assert spooler.status("A4ONLY").media == frozenset({"a4"})
    private_cups.disable("A5", "Beidzies papīrs")
    stopped = spooler.status("A5")
    assert (stopped.state, stopped.ready) == ("stopped", False)
    assert stopped.reason.message("lv") == "Beidzies papīrs; rinda ir apturēta"
    assert stopped.reason.message("en") == "Beidzies papīrs; the queue is paused"
    assert spooler.status("Nav").state == "missing"


def test_no_print_server_is_told_plainly(tmp_path, kiosk):
    spooler = CupsSpooler(str(tmp_path / "nobody.sock"))
    with pytest.raises(KioskError) as info:
        spooler.status("A5")
    assert info.value.code == "print.no_spooler"
    with pytest.raises(KioskError) as info:
        print_ballots(kiosk, 1, printer="A5", spooler=spooler)
    assert info.value.code == "print.no_spooler"
    assert kiosk.store.issued_counts() == {"issued": 0, "voided": 0}
    assert os.environ["CUPS_SERVER"].endswith("no-cups.sock")  # and no test reached the machine's CUPS
