"""Scanning stacks: originals stored once, every page recorded once, bad files isolated,
duplicates and repeats recognised, the CLI's output, and a kill in the middle of a run."""
from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sheets

from kiosk.ballot import payload
from kiosk.intake.scan import scan_paths

REPO = Path(__file__).resolve().parent.parent


def save(img, path: Path, **kw) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, **kw)
    return path


def by_source(results):
    return {(Path(r.source).name, r.page): r for r in results}


@pytest.fixture
def stack(kiosk, tmp_path):
    """A folder as a helper would bring it: singles, a duplex TIFF batch, a PDF batch, junk."""
    d = tmp_path / "stack"
    a, spec, sa = sheets.ballot(kiosk, tmp_path, {"specialist": "k-ozolina", "rating": "5"})
    b, _, sb = sheets.ballot(kiosk, tmp_path, {"specialist": "k-kalnins"}, kind="tick")
    c, _, sc = sheets.ballot(kiosk, tmp_path, {"specialist": ("k-ozolina", "k-berzina")})
    e, _, se = sheets.ballot(kiosk, tmp_path, {"specialist": "k-zvaigzne", "rating": "1"}, dpi=150)
    back = sheets.scanner(a.point(lambda v: 255))
    save(sheets.scanner(a), d / "001.png")
    (d / "002.jpg").write_bytes(sheets.jpeg_bytes(sheets.rotate(sheets.scanner(b, skew=2), 180), dpi=200))
    save(sheets.scanner(c), d / "batch" / "003.tif", save_all=True, append_images=[back, sheets.scanner(e), back])
    save(sheets.scanner(e), d / "batch" / "004.pdf", save_all=True, append_images=[sheets.scanner(a)], resolution=200.0)
    (d / "notes.txt").write_text("ne biļetens")
    (d / ".hidden.png").write_bytes(b"")
    return d, {"a": sa, "b": sb, "c": sc, "e": se}, spec


def test_a_folder_is_read_page_by_page_and_stored_once(kiosk, stack):
    folder, serials, spec = stack
    results = list(scan_paths(kiosk, [folder], workers=1))
    got = by_source(results)
    assert [(Path(r.source).name, r.page) for r in results] == [
        ("001.png", 1), ("002.jpg", 1), ("003.tif", 1), ("003.tif", 2), ("003.tif", 3), ("003.tif", 4),
        ("004.pdf", 1), ("004.pdf", 2), ("notes.txt", 1),
    ]
    assert results[2].source == os.path.join(str(folder), "batch", "003.tif")
    q = spec.questions
    names = {o.id: o.label for o in q[0].options}
    a = got[("001.png", 1)]
    assert (a.status, a.reason, a.serial) == ("counted", None, payload.serial_text(serials["a"]))
    assert a.selections == {q[0].label: [names["k-ozolina"]], q[1].label: ["5"]}
    assert got[("002.jpg", 1)].selections == {q[0].label: [names["k-kalnins"]], q[1].label: []}
    assert (got[("003.tif", 1)].status, got[("003.tif", 1)].reason) == ("review", "overvote")
    assert [got[("003.tif", n)].reason for n in (2, 4)] == ["blank_back", "blank_back"]
    assert got[("003.tif", 3)].status == "counted"
    # the same ballots again inside the PDF: kept as evidence, never counted twice
    for page, first in ((1, ("003.tif", 3)), (2, ("001.png", 1))):
        r = got[("004.pdf", page)]
        assert (r.status, r.reason, r.serial) == ("duplicate", "duplicate_serial", got[first].serial)
        assert kiosk.store.sheet(r.sheet_id).duplicate_of == got[first].sheet_id
    assert (got[("notes.txt", 1)].status, got[("notes.txt", 1)].reason) == ("rejected", "unsupported_file")
    assert kiosk.store.sheet_counts() == {"counted": 3, "review": 1, "rejected": 3, "duplicate": 2}
    # every original is stored once, content-addressed, byte for byte
    for path in [folder / "001.png", folder / "002.jpg", folder / "batch" / "003.tif", folder / "notes.txt"]:
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        row = kiosk.store.image(sha)
        stored = Path(row["path"])
        assert stored.parent == kiosk.root / "images" / sha[:2] and stored.name.startswith(sha)
        assert stored.read_bytes() == path.read_bytes()
    assert not list((kiosk.root / "images").rglob(".part-*"))
    # the stored interpretation carries the geometry and timing
    interp = kiosk.store.sheet(a.sheet_id).interpretation
    assert interp["image"]["kind"] == "png" and "decode" in interp["timing_ms"] and len(interp["boxes"]) == 9


def test_feeding_the_same_files_again_reads_nothing_twice(kiosk, stack):
    folder, _, _ = stack
    first = list(scan_paths(kiosk, [folder], workers=1))
    counts = kiosk.store.sheet_counts()
    again = list(scan_paths(kiosk, [folder / "batch", folder / "001.png", folder / "001.png"], workers=1))
    assert all(r.repeat for r in again) and len(again) == 8
    old = {(Path(r.source).name, r.page): r for r in first}
    for r in again:
        o = old[(Path(r.source).name, r.page)]
        assert (r.status, r.reason, r.serial, r.selections, r.sheet_id) == (o.status, o.reason, o.serial, o.selections, o.sheet_id)
    assert kiosk.store.sheet_counts() == counts
    # a copy of a file under another name is the same image
    copy = folder.parent / "copy.png"
    copy.write_bytes((folder / "001.png").read_bytes())
    (r,) = scan_paths(kiosk, [copy], workers=1)
    assert r.repeat and r.status == "counted" and r.source == str(copy)


def test_a_ballot_whose_serial_was_voided_goes_to_a_person(kiosk, tmp_path):
    """A job that failed after paper came out voids its serials; such a ballot marked and
    dropped in the urn is neither counted silently nor lost: a person decides."""
    jobs_before = {j["id"] for j in kiosk.store.print_jobs()}
    voided_img, _, voided_serial = sheets.ballot(kiosk, tmp_path, {"specialist": "k-ozolina", "rating": "5"})
    (job_id,) = {j["id"] for j in kiosk.store.print_jobs()} - jobs_before
    kiosk.store.void_job(job_id, [voided_serial], "print.job_aborted")  # what the spooler's abort does
    fine_img, _, fine_serial = sheets.ballot(kiosk, tmp_path, {"specialist": "k-kalnins", "rating": "4"})
    assert kiosk.store.issued_state(voided_serial) == "voided" and kiosk.store.issued_state(fine_serial) == "issued"
    paths = [save(sheets.scanner(voided_img), tmp_path / "in" / "1.png"),
             save(sheets.scanner(fine_img), tmp_path / "in" / "2.png")]
    voided, fine = scan_paths(kiosk, paths, workers=1)
    assert (voided.status, voided.reasons[0]) == ("review", "voided_serial"), voided
    assert fine.status == "counted", fine
    assert kiosk.store.review_queue_ids() == [voided.sheet_id]
    from kiosk.intake.review import reason_text

    assert "anulēts" in reason_text("voided_serial") and "voided" in reason_text("voided_serial", "en")


def test_bad_inputs_each_get_their_reason_and_the_batch_goes_on(kiosk, other_kiosk, tmp_path):
    from test_imaging import png_header_only

    d = tmp_path / "bad"
    d.mkdir()
    good, _, serial = sheets.ballot(kiosk, tmp_path, {"specialist": "k-berzina", "rating": "3"})
    save(good, d / "a-good.png")
    (d / "b-empty.jpg").write_bytes(b"")
    (d / "c-truncated.png").write_bytes((d / "a-good.png").read_bytes()[:4000])
    (d / "d-text.pdf").write_text("not a pdf")
    (d / "e-bomb.png").write_bytes(png_header_only(40_000, 40_000))
    other, _, _ = sheets.ballot(other_kiosk, tmp_path, {"specialist": other_kiosk.institution.specialists[0].id})
    save(other, d / "f-other.png")
    sheets.render(sheets.forged_pdf(kiosk, tmp_path, key=b"\x01" * 32)).save(d / "g-forged.png")
    sheets.render(sheets.forged_pdf(kiosk, tmp_path, campaign=b"\x00\x01\x02\x03", name="x.pdf")).save(d / "h-campaign.png")
    save(good, d / "z-good-again.jpg")
    results = list(scan_paths(kiosk, [d, tmp_path / "missing.png"], workers=1))
    reasons = {Path(r.source).name: (r.status, r.reason) for r in results}
    assert reasons == {
        "a-good.png": ("counted", None),
        "b-empty.jpg": ("rejected", "empty_file"),
        "c-truncated.png": ("rejected", "corrupt_file"),
        "d-text.pdf": ("rejected", "unsupported_file"),
        "e-bomb.png": ("rejected", "too_large"),
        "f-other.png": ("rejected", "other_institution"),
        "g-forged.png": ("rejected", "bad_tag"),
        "h-campaign.png": ("rejected", "foreign_campaign"),
        "z-good-again.jpg": ("duplicate", "duplicate_serial"),
        "missing.png": ("rejected", "not_found"),
    }
    missing = results[-1]
    assert missing.sheet_id is None and missing.source == str(tmp_path / "missing.png")


def test_worker_pool_gives_the_same_results(kiosk, stack):
    folder, _, _ = stack
    pooled = [r.to_json() for r in scan_paths(kiosk, [folder], workers=2)]
    assert len(pooled) == 9
    assert all(not r["repeat"] for r in pooled)
    ids = [r["sheet_id"] for r in pooled if r["sheet_id"] is not None]
    assert len(set(ids)) == len(ids) == 9
    assert [r["status"] for r in pooled] == ["counted", "counted", "review", "rejected", "counted", "rejected",
                                             "duplicate", "duplicate", "rejected"]


def test_progress_and_cancel(kiosk, stack):
    folder, _, _ = stack
    seen = []
    out = []
    for r in scan_paths(kiosk, [folder], workers=1, progress=lambda d, t: seen.append((d, t)), cancelled=lambda: len(out) >= 3):
        out.append(r)
    assert [(Path(r.source).name, r.page, r.status) for r in out] == [
        ("001.png", 1, "counted"), ("002.jpg", 1, "counted"), ("003.tif", 1, "review")]
    assert seen == [(1, 5), (2, 5), (3, 8)]  # the TIFF's four pages are known once it is opened
    # polled between sheets: the three yielded are stored, nothing after them
    assert kiosk.store.sheet_counts() == {"counted": 2, "review": 1, "rejected": 0, "duplicate": 0}


def run_cli(args, data_dir, **kw):
    env = {**os.environ, "KIOSK_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, env=env, **kw)


def test_cli_json_and_summary(kiosk, stack, tmp_path):
    folder, serials, spec = stack
    root = str(kiosk.root)
    kiosk.close()
    p = run_cli(["--data-dir", root, "scan", "--json", "--workers", "1", str(folder), str(tmp_path / "nope.png")], root)
    assert p.returncode == 0, p.stderr
    lines = [json.loads(x) for x in p.stdout.splitlines()]
    assert len(lines) == 10
    for x in lines:
        assert set(x) >= {"source", "page", "status", "reason", "serial", "selections", "sheet_id", "repeat"}
        assert x["status"] in ("counted", "review", "rejected", "duplicate")
    assert lines[0]["source"] == os.path.join(str(folder), "001.png")
    assert lines[0]["selections"] == {spec.questions[0].label: ["Ģirta Ozoliņa"], spec.questions[1].label: ["5"]}
    assert lines[-1] == {"source": str(tmp_path / "nope.png"), "page": 1, "status": "rejected", "reason": "not_found",
                         "reasons": ["not_found"], "serial": None, "selections": None, "sheet_id": None, "repeat": False}
    lv = run_cli(["--data-dir", root, "scan", "--workers", "1", str(folder)], root)
    assert lv.returncode == 0
    assert "Nolasītas lapas: 9" in lv.stdout and "tukšas otrās puses: 2" in lv.stdout
    assert "jau bija saglabātas" in lv.stdout and "Jautājumā atzīmēts vairāk nekā viens variants" in lv.stdout
    en = run_cli(["--data-dir", root, "--lang", "en", "scan", str(folder / "notes.txt")], root)
    assert "Sheets read: 1" in en.stdout and "not an image or PDF" in en.stdout
    usage = run_cli(["--data-dir", root, "scan"], root)
    assert usage.returncode == 2


# Held in the sixth sheet's transaction, its rows inserted, before COMMIT.
HOLD_IN_SIXTH_COMMIT = """
from kiosk.storage.store import Store

_record, _calls = Store.record_sheet, []

def _hold_at_commit(statement):
    if statement == "COMMIT":
        hold()

def _record_sheet(self, reading, **where):
    _calls.append(where["source"])
    if len(_calls) == 6:
        self.db.set_trace_callback(_hold_at_commit)
    return _record(self, reading, **where)

Store.record_sheet = _record_sheet
"""


def test_killed_mid_run_then_resumed(kiosk, tmp_path):
    """SIGKILL while sheets are being read and stored: the kill lands inside the sixth
    sheet's transaction (its rows written, not committed) while the reader processes
    hold more pages.  Exactly the five sheets printed are stored, the database is
    intact, and the next run finishes the stack without reading anything twice."""
    import held

    d = tmp_path / "many"
    pdf, spec, serials = sheets.print_pdf(kiosk, tmp_path, 24)
    for n in range(24):
        img = sheets.render(pdf, n, 200)
        sheets.mark(img, spec, "specialist", "k-berzina", 200)
        save(sheets.scanner(img, seed=n), d / f"{n:03d}.png")
    root = str(kiosk.root)
    kiosk.close()
    env = {**os.environ, "KIOSK_DATA_DIR": root, "PYTHONPATH": str(REPO)}
    proc = held.start(["--data-dir", root, "scan", "--json", "--workers", "2", str(d)], HOLD_IN_SIXTH_COMMIT,
                      env=env, stdout=subprocess.PIPE, start_new_session=True)
    with proc:
        held.wait_held(proc)
        os.killpg(proc.pid, signal.SIGKILL)  # the scan and its reader processes, at once
        proc.wait()
        acknowledged = [json.loads(x) for x in proc.stdout.read().splitlines() if x.strip()]
    assert [(Path(a["source"]).name, a["status"], a["repeat"]) for a in acknowledged] == [
        (f"{n:03d}.png", "counted", False) for n in range(5)]
    db = sqlite3.connect(Path(root) / "kiosk.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = {r[0] for r in db.execute("SELECT id FROM sheets")}
    assert stored == {a["sheet_id"] for a in acknowledged}  # the sixth, uncommitted, is not there
    assert db.execute("SELECT COUNT(*) FROM ballots").fetchone()[0] == 5
    db.close()

    p = run_cli(["--data-dir", root, "scan", "--json", "--workers", "2", str(d)], root)
    assert p.returncode == 0, p.stderr
    again = [json.loads(x) for x in p.stdout.splitlines()]
    assert len(again) == 24
    assert {a["source"] for a in again if a["repeat"]} == {a["source"] for a in acknowledged}
    assert all(a["status"] == "counted" for a in again)
    db = sqlite3.connect(Path(root) / "kiosk.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT COUNT(*), COUNT(DISTINCT serial) FROM sheets").fetchone() == (24, 24)
    assert db.execute("SELECT COUNT(*) FROM ballots").fetchone()[0] == 24
    assert db.execute("SELECT COUNT(*) FROM images").fetchone()[0] == 24
    db.close()
    assert len(list((Path(root) / "images").rglob("*.png"))) == 24


def test_stale_temporary_copies_are_removed(kiosk, stack):
    from kiosk.intake.originals import remove_stale_parts

    folder, _, _ = stack
    d = kiosk.root / "images" / "ab"
    d.mkdir(parents=True)
    old, fresh = d / ".part-old", d / ".part-fresh"
    old.write_bytes(b"half a file")
    fresh.write_bytes(b"being written")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    list(scan_paths(kiosk, [folder / "001.png"], workers=1))
    assert not old.exists() and fresh.exists()
    assert remove_stale_parts(kiosk.datadir, older_than_s=0) == 1


def test_a_reader_bug_is_reported_not_stored_and_retried(kiosk, stack, monkeypatch, caplog):
    folder, _, _ = stack
    import kiosk.reading.context as reading

    real = reading.read_sheet

    def flaky(gray, **kw):
        if gray.shape[0] > 1500:  # only the 200-dpi pages: the 150-dpi ballot of the TIFF reads
            raise RuntimeError("a bug")
        return real(gray, **kw)

    monkeypatch.setattr(reading, "read_sheet", flaky)
    first = list(scan_paths(kiosk, [folder / "001.png", folder / "batch"], workers=1))
    # the 200-dpi pages fail; the 150-dpi ballot and the PDF's pages (rendered smaller) read,
    # so the PDF's copy of the first ballot counts and its copy of the TIFF's third is a duplicate
    assert [(Path(r.source).name, r.page, r.status, r.reason) for r in first] == [
        ("001.png", 1, "rejected", "internal_error"), ("003.tif", 1, "rejected", "internal_error"),
        ("003.tif", 2, "rejected", "internal_error"), ("003.tif", 3, "counted", None),
        ("003.tif", 4, "rejected", "internal_error"), ("004.pdf", 1, "duplicate", "duplicate_serial"),
        ("004.pdf", 2, "counted", None)]
    bad = [r for r in first if r.reason == "internal_error"]
    assert all(r.sheet_id is None for r in bad) and all(r.sheet_id is not None for r in first if r not in bad)
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(logged) == 4 and all(m.startswith("reading ") and m.endswith(" failed") for m in logged)
    assert caplog.text.count("RuntimeError: a bug") == 4  # each with its trace
    monkeypatch.setattr(reading, "read_sheet", real)
    again = {(Path(r.source).name, r.page): r for r in scan_paths(kiosk, [folder / "001.png", folder / "batch"], workers=1)}
    # the failed pages are read again (not repeats) and stored; the others are repeats
    assert {key: (r.status, r.reason, r.repeat, r.sheet_id is not None) for key, r in again.items()} == {
        ("001.png", 1): ("duplicate", "duplicate_serial", False, True),  # its PDF copy was stored first
        ("003.tif", 1): ("review", "overvote", False, True),
        ("003.tif", 2): ("rejected", "blank_back", False, True),
        ("003.tif", 3): ("counted", None, True, True),
        ("003.tif", 4): ("rejected", "blank_back", False, True),
        ("004.pdf", 1): ("duplicate", "duplicate_serial", True, True),
        ("004.pdf", 2): ("counted", None, True, True),
    }
