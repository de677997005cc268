"""Red team: hostile inputs and faults, each with its exact outcome, and nothing lost.

Every scan case reads a call of ``[good ballot, hostile input(s)…, good ballot]`` through
the real pipeline (real files, real PDFs and images, real QR decoding, real SQLite) and
asserts the hostile inputs' exact outcomes and that both good ballots of the same call are
stored and counted exactly once.  Ballots come from the real printing code.  Faults are
injected in real subprocesses (``KIOSK_FAULT``); the central office verifies real batch
files.

"Unreadable" as root: root reads files of mode 000 and lists folders of mode 000, so an
unreadable folder is made by failing ``os.scandir`` for that one folder in-process (the
call the scan lists folders with), and an unreadable file by failing ``os.open`` for it.
"""
from __future__ import annotations

import io
import json
import os
import random
import signal
import sqlite3
import struct
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import av
import pytest
import sheets
from PIL import Image
from test_central import trust_dir
from test_export import add_sheet

from kiosk.assets import demo_campaign_path
from kiosk.ballot import payload
from kiosk.ballot.campaign import load_campaign
from kiosk.batches.export import export_batch, list_batches
from kiosk.batches.format import ExportRecord, write_batch
from kiosk.central import verify as central_verify
from kiosk.central.tally import Resolution, tally
from kiosk.central.verify import load_trust, verify_batches, verify_file
from kiosk.cli.main import main
from kiosk.intake.scan import scan_paths
from kiosk.reading import imaging
from kiosk.reading.imaging import Limits
from kiosk.station import Kiosk
from kiosk.storage.store import SCHEMA_VERSION

REPO = Path(__file__).resolve().parent.parent
DPI = 150


# -- a stock of good ballots ------------------------------------------------------------

@dataclass
class Team:
    kiosk: Kiosk
    root: Path
    pdf: Path
    spec: object
    serials: list[bytes]
    used: int = 0
    calls: int = 0
    goods: dict[str, bytes] = field(default_factory=dict)  # source -> serial

    def dir(self, name: str) -> Path:
        self.calls += 1
        d = self.root / f"{self.calls:03d}-{name}"
        d.mkdir()
        return d

    def good_image(self) -> tuple[Image.Image, bytes]:
        n = self.used
        self.used += 1
        img = sheets.render(self.pdf, n, DPI)
        sheets.mark(img, self.spec, "specialist", self.spec.questions[0].options[n % 3].id, DPI)
        sheets.mark(img, self.spec, "rating", str(1 + n % 5), DPI)
        return img, self.serials[n]

    def good(self, folder: Path, name: str = "good") -> Path:
        img, serial = self.good_image()
        path = folder / f"{name}-{self.used:03d}.png"
        img.save(path)
        self.goods[str(path)] = serial
        return path

    def call(self, hostile: list, *, expect: list[tuple[str, str]] | None, workers: int = 1, limits: Limits | None = None,
             name: str = "call") -> list:
        """Scan [good, *hostile, good]; the hostile inputs' (status, reason) in order must be ``expect``;
        both good ballots counted, each once.  Returns the hostile inputs' results."""
        d = self.dir(name)
        first, last = self.good(d, "a"), self.good(d, "z")
        results = list(scan_paths(self.kiosk, [first, *hostile, last], workers=workers, limits=limits))
        assert results[0].source == str(first) and results[-1].source == str(last)
        self.assert_counted_once(results[0], first)
        self.assert_counted_once(results[-1], last)
        middle = results[1:-1]
        assert expect is None or [(r.status, r.reason) for r in middle] == expect, [(r.source, r.status, r.reason, r.detail)
                                                                  for r in middle]
        return middle

    def assert_counted_once(self, result, path: Path) -> None:
        serial = self.goods[str(path)]
        assert (result.status, result.serial) == ("counted", payload.serial_text(serial)), result
        db = self.kiosk.store.db
        assert db.execute("SELECT COUNT(*) FROM sheets WHERE serial = ? AND status = 'counted'",
                          (serial,)).fetchone()[0] == 1
        assert db.execute("SELECT COUNT(*) FROM ballots WHERE serial = ?", (serial,)).fetchone()[0] == 1


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    root = tmp_path_factory.mktemp("red-team")
    campaign = load_campaign(demo_campaign_path())
    k = Kiosk.enroll(campaign.institutions[0].id, root=root / "data", campaign_path=demo_campaign_path())
    pdf, spec, serials = sheets.print_pdf(k, root, 120)
    yield Team(k, root, pdf, spec, serials)
    k.close()


def png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def stored_count(team: Team) -> int:
    return team.kiosk.store.db.execute("SELECT COUNT(*) FROM sheets").fetchone()[0]


# -- 1-8: things that are not files -------------------------------------------------------

def test_01_a_fifo_in_a_folder_is_reported_and_never_opened(team):
    d = team.dir("fifo")
    os.mkfifo(d / "scan.png")  # opening it for reading would block until a writer comes
    [r] = team.call([d], expect=[("rejected", "special_file")])
    assert r.detail == "fifo" and r.sheet_id is None


def test_02_a_fifo_given_directly_is_not_called_missing(team):
    d = team.dir("fifo-direct")
    os.mkfifo(d / "scan.pdf")
    [r] = team.call([d / "scan.pdf"], expect=[("rejected", "special_file")])
    assert r.detail == "fifo"


def test_03_a_link_to_dev_zero_in_a_folder(team):
    d = team.dir("zero")
    (d / "scan.png").symlink_to("/dev/zero")
    [r] = team.call([d], expect=[("rejected", "special_file")])
    assert r.detail == "char_device"


def test_04_a_link_to_dev_urandom_given_directly(team):
    d = team.dir("urandom")
    (d / "scan.jpg").symlink_to("/dev/urandom")
    [r] = team.call([d / "scan.jpg"], expect=[("rejected", "special_file")])
    assert r.detail == "char_device"


def test_05_a_proc_file_is_not_copied_into_the_originals(team):
    before = {p for p in (team.kiosk.root / "images").rglob("*") if p.is_file()}
    [r] = team.call(["/proc/self/status"], expect=[("rejected", "special_file")])
    assert r.detail == "pseudo_file" and r.sheet_id is None
    added = {p for p in (team.kiosk.root / "images").rglob("*") if p.is_file()} - before
    assert len(added) == 2 and all(p.suffix == ".png" for p in added)  # the two good ballots' scans only


def test_06_a_socket_in_a_folder(team):
    import socket

    d = team.dir("socket")
    s = socket.socket(socket.AF_UNIX)
    try:
        s.bind(str(d / "scan.png"))
        [r] = team.call([d], expect=[("rejected", "special_file")])
    finally:
        s.close()
    assert r.detail == "socket"


def test_07_a_dangling_link_and_a_missing_path(team):
    d = team.dir("dangling")
    (d / "scan.png").symlink_to(d / "gone.png")
    team.call([d, d / "nowhere.png"], expect=[("rejected", "not_found"), ("rejected", "not_found")])


def test_08_a_link_loop_is_reported_as_unreadable(team):
    d = team.dir("loop")
    (d / "a.png").symlink_to(d / "b.png")
    (d / "b.png").symlink_to(d / "a.png")
    results = team.call([d], expect=[("rejected", "unreadable_file")] * 2)
    assert all("symbolic links" in r.detail for r in results)


# -- 9-13: names and folders ------------------------------------------------------------

def test_09_a_file_name_that_is_not_utf8_is_stored_and_shown_lossless(team, capsys):
    d = team.dir("bytes-name")
    img, serial = team.good_image()
    raw = os.fsencode(str(d)) + "/skenējums-".encode() + b"\xff\xfe.png"
    Image.Image.save(img, os.fsdecode(raw))
    [r] = team.call([d], expect=[("counted", None)])
    assert r.serial == payload.serial_text(serial)
    assert r.source == os.fsencode(str(d)).decode() + "/skenējums-\\xff\\xfe.png"  # valid UTF-8, bytes escaped
    assert r.source_bytes == raw and r.to_json()["source_hex"] == raw.hex()
    sheet = team.kiosk.store.sheet(r.sheet_id)
    assert sheet.source == r.source and sheet.source_bytes == raw  # the exact bytes are kept
    json.dumps(r.to_json(), ensure_ascii=False).encode("utf-8")  # printable as UTF-8


def test_10_the_cli_does_not_stop_on_a_name_that_is_not_utf8(team, tmp_path):
    d = tmp_path / "cli-bytes"
    d.mkdir()
    img, serial = team.good_image()
    img.save(os.fsdecode(os.fsencode(str(d)) + b"/\x80\x81.png"))
    (d / "zz-after.txt").write_text("not a ballot")
    data = tmp_path / "cli-data"
    env = {**os.environ, "KIOSK_DATA_DIR": str(data), "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"}
    p = subprocess.run([sys.executable, "-m", "kiosk", "scan", "--json", "--workers", "1", str(d)],
                       capture_output=True, env=env, timeout=600)
    assert p.returncode == 0, p.stderr.decode(errors="replace")
    lines = [json.loads(x) for x in p.stdout.decode("utf-8").splitlines()]
    got = {Path(x["source"]).name: x for x in lines}
    assert {name: (x["status"], x["reason"]) for name, x in got.items()} == {
        "\\x80\\x81.png": ("counted", None), "zz-after.txt": ("rejected", "unsupported_file")}
    assert got["\\x80\\x81.png"]["serial"] == payload.serial_text(serial)
    assert got["\\x80\\x81.png"]["source_hex"].endswith("8081" + b".png".hex())


def test_11_an_unreadable_folder_is_reported_and_its_siblings_read(team, monkeypatch):
    d = team.dir("unreadable")
    locked = d / "locked"
    locked.mkdir()
    (locked / "never.png").write_bytes(b"x")
    real = os.scandir

    def scandir(path="."):
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(locked))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    [r] = team.call([d], expect=[("rejected", "unreadable_folder")])
    assert r.source == str(locked) and "Permission denied" in r.detail


def test_12_an_unreadable_file_is_reported_and_the_batch_goes_on(team, monkeypatch):
    d = team.dir("unreadable-file")
    target = d / "locked.png"
    target.write_bytes(png(team.good_image()[0]))
    real = os.open

    def open_(path, flags, *args, **kw):
        if os.fspath(path) == str(target):
            raise PermissionError(13, "Permission denied", str(target))
        return real(path, flags, *args, **kw)

    monkeypatch.setattr(os, "open", open_)
    [r] = team.call([target], expect=[("rejected", "unreadable_file")])
    assert r.sheet_id is None  # not stored: tried again next time


def test_13_a_link_to_a_folder_is_not_followed_and_a_deep_tree_is_read(team):
    d = team.dir("links")
    (d / "loop").symlink_to(d)  # would recurse forever if followed
    deep = d / "deep"
    p = deep
    for n in range(60):
        p = p / f"l{n:02d}"
    p.mkdir(parents=True)
    good = team.good(p, "deep")
    results = team.call([d], expect=[("counted", None), ("rejected", "linked_folder")])
    team.assert_counted_once(results[0], good)


# -- 14-29: damaged, hostile or oversized content ---------------------------------------

def test_14_a_multipage_tiff_still_being_written_reads_its_whole_pages(team):
    d = team.dir("tiff-cut")
    pages = [team.good_image() for _ in range(3)]
    buf = io.BytesIO()
    pages[0][0].save(buf, "TIFF", save_all=True, append_images=[p[0] for p in pages[1:]])
    data = buf.getvalue()
    with Image.open(io.BytesIO(data)) as im:
        im.seek(2)
        third = im.tag_v2.get(273)[0]  # where the third frame's pixels start
    (d / "batch.tif").write_bytes(data[: third + 100])  # the scanner is still writing the third page
    results = team.call([d / "batch.tif"], expect=[("counted", None), ("counted", None), ("rejected", "corrupt_file")])
    assert [r.serial for r in results[:2]] == [payload.serial_text(p[1]) for p in pages[:2]]
    assert results[2].page == 3 and "truncated" in results[2].detail
    # cut where Pillow meets a frame without its dimensions (TypeError "Missing dimensions"
    # while the pages are counted): the whole pages are still read, the rest said
    (d / "batch2.tif").write_bytes(data[: len(data) // 3 + 200])
    results = list(scan_paths(team.kiosk, [d / "batch2.tif"], workers=1))
    # another file with the same ballots: kept as evidence, never counted twice
    assert (results[0].status, results[0].reason) == ("duplicate", "duplicate_serial")
    assert {(r.status, r.reason) for r in results[1:]} <= {("duplicate", "duplicate_serial"), ("rejected", "corrupt_file")}
    assert (results[-1].status, results[-1].reason, results[-1].page) == ("rejected", "corrupt_file", 3)
    assert "Missing dimensions" in results[-1].detail


def test_15_a_200000_page_pdf_of_1_2_mb_is_refused_at_once(team):
    d = team.dir("pages")
    n = 200_000
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [" + b" ".join([b"3 0 R"] * n) + b"] /Count %d >>" % n,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 595] >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    (d / "bomb.pdf").write_bytes(bytes(out))
    assert len(out) < 1_300_000
    before = stored_count(team)
    [r] = team.call([d / "bomb.pdf"], expect=[("rejected", "too_many_pages")])
    assert r.detail == "200000 > 500"
    assert stored_count(team) == before + 3  # two good ballots and one rejected row, not 200,000


def test_16_an_encrypted_pdf_is_called_encrypted(team):
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    d = team.dir("encrypted")
    c = canvas.Canvas(str(d / "locked.pdf"), encrypt=pdfencrypt.StandardEncryption("lietotājs", "birojs"))
    c.drawString(100, 100, "biļetens")
    c.save()
    team.call([d / "locked.pdf"], expect=[("rejected", "encrypted")])


def test_17_a_file_over_the_byte_cap_is_refused_unread(team):
    d = team.dir("bytes")
    (d / "huge.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(3 << 20))
    [r] = team.call([d / "huge.png"], expect=[("rejected", "file_too_large")],
                    limits=Limits(max_file_bytes=2 << 20))
    assert r.sheet_id is None


def test_18_a_page_over_the_pixel_cap(team):
    d = team.dir("pixels")
    Image.new("L", (3000, 3000), 255).save(d / "big.png")
    [r] = team.call([d / "big.png"], expect=[("rejected", "too_large")], limits=Limits(max_pixels=5_000_000))
    assert "3000x3000" in r.detail


def test_19_a_decompression_bomb_header(team):
    from test_imaging import png_header_only

    d = team.dir("bomb")
    (d / "bomb.png").write_bytes(png_header_only(60_000, 60_000))
    team.call([d / "bomb.png"], expect=[("rejected", "too_large")])


def test_20_a_tiff_with_more_frames_than_the_cap(team):
    d = team.dir("frames")
    blank = Image.new("L", (20, 20), 255)
    blank.save(d / "many.tif", save_all=True, append_images=[blank] * 9)
    [r] = team.call([d / "many.tif"], expect=[("rejected", "too_many_pages")], limits=Limits(max_pages=5))
    assert r.detail == "5+ > 5"


def test_21_a_pdf_image_bomb(team):
    from reportlab.pdfgen import canvas

    d = team.dir("pdf-bomb")
    c = canvas.Canvas(str(d / "bomb.pdf"))
    img = Image.new("1", (4_000, 4_000), 1)
    from reportlab.lib.utils import ImageReader

    c.drawImage(ImageReader(img), 0, 0, 100, 100)
    c.save()
    [r] = team.call([d / "bomb.pdf"], expect=[("rejected", "too_large")], limits=Limits(max_pixels=10_000_000))
    assert "4000x4000" in r.detail


def test_22_truncated_and_garbled_images(team):
    d = team.dir("garbled")
    good = png(team.good_image()[0])
    (d / "a-cut.png").write_bytes(good[: len(good) // 2])
    jpg = sheets.jpeg_bytes(team.good_image()[0])
    (d / "b-garbled.jpg").write_bytes(jpg[:600] + bytes(random.Random(2).randrange(256) for _ in range(5000)))
    (d / "c-header-only.pdf").write_bytes(b"%PDF-1.7\n" + bytes(2000))
    team.call([d], expect=[("rejected", "corrupt_file")] * 3)


def test_23_files_that_are_not_ballot_images(team):
    d = team.dir("kinds")
    (d / "a.gif").write_bytes(b"GIF89a" + bytes(100))
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as z:
        z.writestr("x.txt", "x")
    (d / "b.png").write_bytes(zbuf.getvalue())  # a ZIP named .png
    (d / "c.pdf").write_text("Šis nav PDF")
    (d / "d.jpg").write_bytes(b"")
    team.call([d], expect=[("rejected", "unsupported_file")] * 3 + [("rejected", "empty_file")])


def test_24_a_file_that_keeps_changing_while_it_is_copied(team, monkeypatch):
    from kiosk.intake import originals

    d = team.dir("changing")
    target = d / "growing.png"
    target.write_bytes(png(team.good_image()[0]))
    real = originals.os.fstat
    calls = {"n": 0}

    def fstat(fd):
        st = real(fd)
        if os.path.samestat(st, os.stat(target)):
            calls["n"] += 1
            if calls["n"] > 1:  # after the copy: the writer added bytes meanwhile
                return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid, st.st_gid,
                                       st.st_size + 100, st.st_atime, st.st_mtime, st.st_ctime))
        return st

    monkeypatch.setattr(originals.os, "fstat", fstat)
    [r] = team.call([target], expect=[("rejected", "file_changing")])
    assert r.sheet_id is None
    monkeypatch.undo()
    [again] = scan_paths(team.kiosk, [target], workers=1)  # finished: read next time
    assert again.status == "counted"


def test_25_a_bug_while_planning_one_file_ends_that_file_only(team, monkeypatch, caplog):
    d = team.dir("bug")
    target = d / "trigger.png"
    target.write_bytes(png(team.good_image()[0]))
    real = imaging.page_count

    def page_count(path, kind=None, limits=imaging.DEFAULT_LIMITS):
        if Path(path).read_bytes() == target.read_bytes():
            raise RuntimeError("a bug")
        return real(path, kind, limits)

    monkeypatch.setattr(imaging, "page_count", page_count)
    [r] = team.call([target], expect=[("rejected", "internal_error")])
    assert r.sheet_id is None and "planning" in caplog.text


def test_26_forged_foreign_and_photocopied_ballots(team, other_kiosk):
    d = team.dir("forgeries")
    work = team.dir("forgeries-printed")
    sheets.render(sheets.forged_pdf(team.kiosk, work, key=b"\x02" * 32)).save(d / "a-forged.png")
    other, _, _ = sheets.ballot(other_kiosk, work, {"specialist": other_kiosk.institution.specialists[0].id})
    other.save(d / "b-other.png")
    img, serial = team.good_image()
    img.save(d / "c-original.png")
    sheets.scanner(img, seed=3).save(d / "d-photocopy.png")
    team.call([d], expect=[("rejected", "bad_tag"), ("rejected", "other_institution"), ("counted", None),
                           ("duplicate", "duplicate_serial")])


def test_27_the_same_file_twice_in_one_call_and_again_later(team):
    d = team.dir("twice")
    f = team.good(d, "once")
    results = team.call([f, f], expect=[("counted", None), ("counted", None)])
    assert [r.repeat for r in results] == [False, True] and results[0].sheet_id == results[1].sheet_id
    [again] = scan_paths(team.kiosk, [f], workers=1)
    assert again.repeat and again.sheet_id == results[0].sheet_id


def test_28_names_with_newlines_quotes_and_control_characters(team):
    d = team.dir("names")
    img, serial = team.good_image()
    name = 'bals\n"ts"\t\x1b[31m.png'
    img.save(d / name)
    [r] = team.call([d], expect=[("counted", None)])
    assert r.source == str(d / name) and team.kiosk.store.sheet(r.sheet_id).source == str(d / name)


def test_29_hostile_inputs_through_the_worker_pool(team):
    d = team.dir("pool")
    os.mkfifo(d / "a.png")
    (d / "b.png").symlink_to("/dev/zero")
    (d / "c.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(50))
    good = team.good(d, "d")
    (d / "e.pdf").write_text("x")
    results = team.call([d], workers=2, expect=[("rejected", "special_file"), ("rejected", "special_file"),
                                                ("rejected", "corrupt_file"), ("counted", None),
                                                ("rejected", "unsupported_file")])
    team.assert_counted_once(results[3], good)


# -- 30-31: videos -----------------------------------------------------------------------

def _video(team: Team, path: Path, ballots: int) -> list[bytes]:
    """Ballots held up to a camera, a keyframe every 10 frames (as webcams write)."""
    shown = []
    with av.open(str(path), "w") as out:
        st = out.add_stream("libx264", rate=10)
        st.width, st.height = 1280, 720
        st.pix_fmt = "yuv420p"
        st.options = {"crf": "18", "preset": "veryfast", "g": "10"}
        desk = Image.new("RGB", (1280, 720), (60, 60, 60))
        for _ in range(ballots):
            img, serial = team.good_image()
            page = img.resize((int(img.width * 0.73), int(img.height * 0.73))).rotate(90, expand=True).convert("RGB")
            frame = desk.copy()
            frame.paste(page, ((1280 - page.width) // 2, (720 - page.height) // 2))
            for f in [desk] * 5 + [frame] * 15 + [desk] * 5:
                for p in st.encode(av.VideoFrame.from_image(f)):
                    out.mux(p)
            shown.append(serial)
        for p in st.encode():
            out.mux(p)
    return shown


def test_30_a_video_damaged_midstream_is_read_past_the_damage(team):
    d = team.dir("video")
    shown = _video(team, d / "urna.mp4", 4)
    data = bytearray((d / "urna.mp4").read_bytes())
    mid = len(data) // 2
    data[mid: mid + 40_000] = bytes(40_000)  # a damaged stretch in the middle
    (d / "urna.mp4").write_bytes(bytes(data))
    results = list(scan_paths(team.kiosk, [d / "urna.mp4"], workers=1))
    ballots = [r for r in results if r.serial is not None]
    damage = [r for r in results if r.reason == "damaged_video"]
    assert len(damage) == 1 and damage[0].sheet_id is None
    # the ballot shown after the damage is still read (before, the reading stopped there)
    assert payload.serial_text(shown[-1]) in {r.serial for r in ballots}
    assert len(ballots) >= 3 and all(r.status == "counted" for r in ballots)


def test_31_a_video_longer_than_the_frame_cap(team):
    d = team.dir("long-video")
    shown = _video(team, d / "gara.mp4", 3)
    results = list(scan_paths(team.kiosk, [d / "gara.mp4"], workers=1, limits=Limits(max_video_frames=30)))
    assert [(r.status, r.reason, r.serial) for r in results] == [
        ("counted", None, payload.serial_text(shown[0])), ("rejected", "video_too_long", None)]
    assert results[-1].page == 31 and results[-1].sheet_id is None


# -- 32-35: processes: killed parents, races, crash points ----------------------------------

def _env(data: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "KIOSK_DATA_DIR": str(data), "PYTHONPATH": str(REPO), **extra}


def _parents() -> dict[int, int]:
    out = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                out[int(entry)] = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    return out


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    out, todo = set(), [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.add(c)
            todo.append(c)
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_32_reader_processes_die_with_a_killed_scan(team, tmp_path):
    d = tmp_path / "stack"
    d.mkdir()
    for n in range(4):
        team.good(d, f"s{n}")
    data = tmp_path / "data"
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "scan", "--json", "--workers", "2", str(d)],
                            env=_env(data, KIOSK_FAULT="scan.worker_read=hang"), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        # the readers are started and stuck (the fault hangs them) while the scan waits for them
        deadline = time.monotonic() + 300
        workers: set[int] = set()
        while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
            parents = _parents()
            # readers are forked by the forkserver, the scan's child: the scan's grandchildren
            workers = {p for p in _descendants(proc.pid) if parents.get(p) != proc.pid}
            time.sleep(0.05)
        assert len(workers) >= 2, proc.stderr.read() if proc.poll() is not None else "no readers"
        family = _descendants(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)  # the scan only, not its process group
        proc.wait()
        deadline = time.monotonic() + 60
        while any(_alive(p) for p in family) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [p for p in family if _alive(p)], "reader processes outlived the scan"
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        proc.stderr.close()


def test_33_two_commands_on_a_fresh_data_directory_take_turns(tmp_path):
    data = tmp_path / "fresh"
    procs = [subprocess.Popen([sys.executable, "-m", "kiosk", "status", "--json"], env=_env(data),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(4)]
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, [o[1].decode() for o in outs]
    kiosk_ids = {json.loads(o[0])["kiosk_id"] for o in outs}
    assert len(kiosk_ids) == 1  # enrolled once: every command sees the same kiosk and keys
    db = sqlite3.connect(data / "kiosk.db")
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    with Kiosk.open(data) as k:
        assert k.public_key_path.name == f"{kiosk_ids.pop()}.pub"
        sig = k.signing_key().sign(b"x")
        from kiosk.ballot.keys import public_hex

        assert k.public_key_path.read_text().strip() == public_hex(k.signing_key()) and len(sig) == 64


@pytest.mark.parametrize("point", ["scan.after_copy", "scan.after_image", "scan.after_store:2"])
def test_34_a_scan_killed_at_each_point_loses_nothing(team, tmp_path, point):
    d = tmp_path / "stack"
    d.mkdir()
    goods = [team.good(d, f"k{n}") for n in range(3)]
    data = tmp_path / "data"
    p = subprocess.run([sys.executable, "-m", "kiosk", "scan", "--json", "--workers", "1", str(d)],
                       env=_env(data, KIOSK_FAULT=point), capture_output=True, timeout=600)
    assert p.returncode == 137
    again = subprocess.run([sys.executable, "-m", "kiosk", "scan", "--json", "--workers", "1", str(d)],
                           env=_env(data), capture_output=True, timeout=600)
    assert again.returncode == 0
    lines = [json.loads(x) for x in again.stdout.splitlines()]
    assert sorted(x["serial"] for x in lines) == sorted(payload.serial_text(team.goods[str(g)]) for g in goods)
    assert all(x["status"] == "counted" for x in lines)
    db = sqlite3.connect(data / "kiosk.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT COUNT(*), COUNT(DISTINCT serial) FROM sheets").fetchone() == (3, 3)
    db.close()


@pytest.mark.parametrize("point", ["export.after_write", "export.after_record", "export.after_rename"])
def test_35_an_export_killed_at_each_point_leaves_one_batch_the_centre_accepts(kiosk, tmp_path, point):
    for _ in range(3):
        add_sheet(kiosk)
    out = tmp_path / "out"
    root = str(kiosk.root)
    p = subprocess.run([sys.executable, "-m", "kiosk", "--data-dir", root, "export", "--out", str(out)],
                       env=_env(kiosk.root, KIOSK_FAULT=point), capture_output=True, timeout=600)
    assert p.returncode == 137
    visible = sorted(out.glob("*.zip"))
    recorded = list_batches(kiosk)
    # a file under a batch's name exists only for a recorded batch
    assert len(visible) <= len(recorded) <= 1
    add_sheet(kiosk)
    res = export_batch(kiosk, out)  # the next export finishes or redoes what was interrupted
    files = sorted(out.glob("*.zip"))
    assert not list(out.glob(".*.tmp"))
    assert [f.name for f in files] == [f"{kiosk.kiosk_id}-batch-{n:04d}.zip" for n in range(1, res.batch + 1)]
    checks = verify_batches(files, load_trust(trust_dir(tmp_path, kiosk)), kiosk.campaign, kiosk.campaign.demo_master_key)
    assert all(c.ok for c in checks), [(c.path, c.reason, c.detail) for c in checks]
    result = tally(checks, kiosk.campaign)
    assert result.ballots_counted == 4 and result.complete


# -- 36-44: the central office ------------------------------------------------------------

def _batch(kiosk, out: Path, selections: list[dict | None]) -> Path:
    """A batch of this kiosk with records of the given selections (None: rejected by a person)."""
    for sel in selections:
        s = add_sheet(kiosk, "review" if sel is None else "counted", sel or {"specialist": [], "rating": []},
                      reasons=["blank_ballot"] if sel is None else None)
        if sel is None:
            kiosk.store.add_decision(s.id, "reject", None, "torn", "office")
    return export_batch(kiosk, out).path


def _copy_of(kiosk, twin, serial: bytes, selections: dict | None) -> None:
    """The same serial read again at another kiosk of the institution (a photocopy)."""
    s = add_sheet(twin, "review" if selections is None else "counted",
                  selections or {"specialist": [], "rating": []}, serial=serial,
                  reasons=["blank_ballot"] if selections is None else None)
    if selections is None:
        twin.store.add_decision(s.id, "reject", None, "copy", "office")


@pytest.fixture
def twin(tmp_path, demo_campaign, kiosk):
    """A second kiosk of the same institution as ``kiosk``."""
    k = Kiosk.enroll(kiosk.institution.id, root=tmp_path / "twin-data", campaign_path=demo_campaign_path())
    yield k
    k.close()


def test_36_copies_that_differ_count_for_nobody_and_are_listed(kiosk, twin, tmp_path, capsys):
    sid = [s.id for s in kiosk.institution.specialists]
    a = add_sheet(kiosk, "counted", {"specialist": [sid[0]], "rating": ["5"]})
    b = add_sheet(kiosk, "counted", {"specialist": [sid[1]], "rating": ["3"]})
    _copy_of(kiosk, twin, a.serial, {"specialist": [sid[2]], "rating": ["5"]})  # re-marked differently
    _copy_of(kiosk, twin, b.serial, {"specialist": [sid[1]], "rating": ["3"]})  # the same marks
    files = [export_batch(kiosk, tmp_path / "out").path, export_batch(twin, tmp_path / "out").path]
    trust = trust_dir(tmp_path, kiosk, twin)
    result = tally(verify_batches(files, load_trust(trust), kiosk.campaign), kiosk.campaign)
    [conflict] = result.conflicts
    assert (conflict.serial, conflict.kind, conflict.resolved) == (payload.serial_text(a.serial),
                                                                   "different_selections", False)
    assert {c.kiosk_id for c in conflict.copies} == {kiosk.kiosk_id, twin.kiosk_id}
    assert {c.choices for c in conflict.copies} == {(("rating", "5"), ("specialist", sid[0])),
                                                    (("rating", "5"), ("specialist", sid[2]))}
    assert result.ballots_counted == 1  # b once; a for nobody
    votes = {s.id: s.votes for s in result.specialists if s.institution_id == kiosk.institution.id}
    assert votes[sid[0]] == votes[sid[2]] == 0 and votes[sid[1]] == 1
    assert main(["central", "tally", "--trust", str(trust), *map(str, files)]) == 1
    assert "AAAA" not in capsys.readouterr().out


def test_37_a_copy_rejected_by_a_reviewer_makes_a_conflict_whatever_the_kiosk_ids(kiosk, twin, tmp_path):
    sid = kiosk.institution.specialists[0].id
    a = add_sheet(kiosk, "counted", {"specialist": [sid], "rating": []})
    _copy_of(kiosk, twin, a.serial, None)  # a reviewer at the other kiosk rejected its copy
    files = [export_batch(kiosk, tmp_path / "out").path, export_batch(twin, tmp_path / "out").path]
    trust = load_trust(trust_dir(tmp_path, kiosk, twin))
    for order in (files, files[::-1]):
        result = tally(verify_batches(order, trust, kiosk.campaign), kiosk.campaign)
        [c] = result.conflicts
        assert c.kind == "rejected_copy" and result.ballots_counted == 0
        assert sorted(cp.status for cp in c.copies) == ["counted", "rejected"]


def test_38_a_decision_resolves_a_conflict(kiosk, twin, tmp_path):
    sid = [s.id for s in kiosk.institution.specialists]
    a = add_sheet(kiosk, "counted", {"specialist": [sid[0]], "rating": []})
    _copy_of(kiosk, twin, a.serial, {"specialist": [sid[1]], "rating": []})
    files = [export_batch(kiosk, tmp_path / "out").path, export_batch(twin, tmp_path / "out").path]
    trust = trust_dir(tmp_path, kiosk, twin)
    checks = verify_batches(files, load_trust(trust), kiosk.campaign)
    serial = payload.serial_text(a.serial)
    result = tally(checks, kiosk.campaign, resolutions={serial: Resolution(serial, twin.kiosk_id, 1)})
    assert result.complete and result.ballots_counted == 1 and result.conflicts[0].counted.kiosk_id == twin.kiosk_id
    assert {s.id: s.votes for s in result.specialists}[sid[1]] == 1
    typo = tally(checks, kiosk.campaign, resolutions={serial: Resolution(serial, twin.kiosk_id, 7)})
    assert not typo.complete and typo.ballots_counted == 0  # a decision naming no copy decides nothing
    decisions = tmp_path / "decisions.json"
    decisions.write_text(json.dumps({serial: None}))
    assert main(["central", "tally", "--trust", str(trust), "--resolutions", str(decisions), *map(str, files)]) == 0
    decisions.write_text("[1, 2")
    assert main(["central", "tally", "--trust", str(trust), "--resolutions", str(decisions), *map(str, files)]) == 1


def test_39_tally_exits_nonzero_when_every_batch_is_refused(kiosk, tmp_path, capsys):
    add_sheet(kiosk)
    path = export_batch(kiosk, tmp_path / "out").path
    empty_trust = tmp_path / "no-keys"
    empty_trust.mkdir()
    # the demo campaign's master key trusts the kiosk through its enrollment certificate: revoke it
    revoked = tmp_path / "revoked.txt"
    revoked.write_text(f"{kiosk.kiosk_id}\n")
    refused = ["--trust", str(empty_trust), "--revoked", str(revoked)]
    assert main(["--lang", "en", "central", "tally", *refused, str(path)]) == 1
    assert "PARTIAL RESULTS: excluded batches 1" in capsys.readouterr().out
    assert main(["central", "tally", *refused, "--allow-partial", "--json", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["complete"] is False


def test_40_a_batch_file_over_the_size_limit_is_refused_unread(kiosk, tmp_path, monkeypatch):
    add_sheet(kiosk)
    path = export_batch(kiosk, tmp_path / "out").path
    trust = load_trust(trust_dir(tmp_path, kiosk))
    monkeypatch.setattr(central_verify, "MAX_BATCH_BYTES", path.stat().st_size - 1)
    check = verify_file(path, trust, kiosk.campaign)
    assert (check.ok, check.reason) == (False, "too_large")


def test_41_a_records_entry_over_its_limit_is_refused_before_it_is_read(kiosk, tmp_path, monkeypatch):
    add_sheet(kiosk)
    path = export_batch(kiosk, tmp_path / "out").path
    trust = load_trust(trust_dir(tmp_path, kiosk))
    monkeypatch.setitem(central_verify.MAX_ENTRY_BYTES, "records.json", 10)
    check = verify_file(path, trust, kiosk.campaign)
    assert (check.reason, check.detail.split(":")[0]) == ("too_large", "records.json")


def test_42_a_zip_whose_header_claims_gigabytes_is_malformed_without_reading_them(kiosk, tmp_path):
    add_sheet(kiosk)
    blob = bytearray(export_batch(kiosk, tmp_path / "out").path.read_bytes())
    struct.pack_into("<II", blob, 18, 0xFFFFFFF0, 0xFFFFFFF0)  # the manifest's sizes in its local header
    check = verify_file("x.zip", load_trust(trust_dir(tmp_path, kiosk)), kiosk.campaign, data=bytes(blob))
    assert check.reason == "malformed"


def test_43_a_forged_second_batch_with_the_same_number_is_a_fork(kiosk, tmp_path):
    add_sheet(kiosk)
    real = export_batch(kiosk, tmp_path / "out").path
    manifest = json.loads(zipfile.ZipFile(real).read("manifest.json"))
    records = [ExportRecord.from_json(r) for r in json.loads(zipfile.ZipFile(real).read("records.json"))]
    forged = tmp_path / "elsewhere" / real.name
    forged.parent.mkdir()
    manifest.pop("records")
    manifest["created_at"] = "2030-01-01T00:00:00Z"
    with open(forged, "wb") as fp:
        write_batch(fp, manifest, records, kiosk.signing_key())
    checks = verify_batches([real, forged], load_trust(trust_dir(tmp_path, kiosk)), kiosk.campaign)
    assert [c.reason for c in checks] == ["broken_chain", "broken_chain"]
    # the documented recovery: keep the file whose SHA-256 the kiosk recorded
    recorded = {b["sha256"] for b in list_batches(kiosk)}
    keep = [c.path for c in checks if c.file_sha256 in recorded]
    assert keep == [str(real)]
    assert verify_batches([Path(keep[0])], load_trust(trust_dir(tmp_path, kiosk)), kiosk.campaign)[0].ok


def test_44_an_orphaned_and_an_unrenamed_batch_file_are_recovered(kiosk, tmp_path):
    add_sheet(kiosk)
    out = tmp_path / "out"
    first = export_batch(kiosk, out)
    # killed between recording and renaming: the recorded file sits under its temporary name
    hidden = out / f".{first.path.name}.abcd1234.tmp"
    first.path.rename(hidden)
    # and a never-recorded attempt at the next batch
    orphan = out / f".{kiosk.kiosk_id}-batch-0002.zip.deadbeef.tmp"
    orphan.write_bytes(b"a signed batch that was never recorded")
    assert [b["number"] for b in list_batches(kiosk)] == [1] and first.path.exists() and not hidden.exists()
    add_sheet(kiosk)
    second = export_batch(kiosk, out)
    assert not orphan.exists() and second.batch == 2
    checks = verify_batches(sorted(out.glob("*.zip")), load_trust(trust_dir(tmp_path, kiosk)), kiosk.campaign)
    assert [c.ok for c in checks] == [True, True]


# -- 45: the watched folder (more in tests/test_watch.py) --------------------------------------

def test_45_the_watched_folder_ignores_pauses_and_temporary_names(team):
    from kiosk.intake.watch import FolderWatch

    d = team.dir("watch")
    clock = [0.0]
    watch = FolderWatch(d, settle_s=10, clock=lambda: clock[0])
    data = png(team.good_image()[0])
    (d / "a.png.filepart").write_bytes(data)  # WinSCP's temporary name: never final
    (d / "b.png").write_bytes(data[:1000])
    assert watch.poll() == []
    clock[0] += 1.5  # the writer paused for 1.5 s
    assert watch.poll() == []
    clock[0] += 100
    assert watch.poll() == []  # long quiet, still not a whole PNG; the .filepart never
    (d / "b.png").write_bytes(data)
    (d / "a.png.filepart").rename(d / "a.png")
    assert watch.poll() == []  # seen now: from here they must stay as they are for 10 s
    clock[0] += 9.9
    assert watch.poll() == []
    clock[0] += 0.2
    assert watch.poll() == sorted([str(d / "a.png"), str(d / "b.png")])
    results = list(scan_paths(team.kiosk, [d / "a.png", d / "b.png"], workers=1))
    assert [(r.status, r.repeat) for r in results] == [("counted", False), ("counted", True)]
    assert team.kiosk.store.db.execute("SELECT COUNT(*) FROM sheets WHERE source LIKE ?",
                                       (str(d) + "%",)).fetchone()[0] == 1


def test_46_a_scanner_that_writes_partial_versions_stores_none_of_them(team):
    from kiosk.intake.watch import FolderWatch

    d = team.dir("partials")
    clock = [0.0]
    watch = FolderWatch(d, settle_s=6, clock=lambda: clock[0])
    pages = [team.good_image() for _ in range(3)]
    taken = []
    for n in range(1, 4):  # the scanner rewrites the PDF in place after every page
        buf = io.BytesIO()
        pages[0][0].save(buf, "PDF", save_all=True, append_images=[p[0] for p in pages[1:n]], resolution=150.0)
        (d / "batch.pdf").write_bytes(buf.getvalue())
        for _ in range(8):  # 4 s per page
            taken += watch.poll()
            clock[0] += 0.5
    while not taken:
        taken += watch.poll()
        clock[0] += 0.5
    assert taken == [str(d / "batch.pdf")]
    results = list(scan_paths(team.kiosk, taken, workers=1))
    assert [(r.page, r.status, r.serial) for r in results] == [
        (n + 1, "counted", payload.serial_text(pages[n][1])) for n in range(3)]
    assert team.kiosk.store.db.execute("SELECT COUNT(*) FROM sheets WHERE source = ?",
                                       (str(d / "batch.pdf"),)).fetchone()[0] == 3


def test_47_the_store_keeps_a_non_utf8_source_across_reopening(team, tmp_path):
    raw = os.fsencode(str(tmp_path)) + b"/\xc3\x28-bad.png"
    img, serial = team.good_image()
    img.save(os.fsdecode(raw))
    [r] = scan_paths(team.kiosk, [raw], workers=1)  # a path given as bytes
    assert r.status == "counted" and r.source_bytes == raw
    with Kiosk.open(team.kiosk.root) as again:
        sheet = again.store.sheet(r.sheet_id)
        assert sheet.source_bytes == raw and os.fsdecode(sheet.source_bytes) == os.fsdecode(raw)
        assert Path(os.fsdecode(sheet.source_bytes)).read_bytes() == Path(os.fsdecode(raw)).read_bytes()


def test_48_after_every_call_nothing_is_half_done(team):
    """Nothing of the red team's calls is left half-done: no temporary originals, the database intact."""
    assert not list((team.kiosk.root / "images").rglob(".part-*"))
    assert team.kiosk.store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    counted = team.kiosk.store.db.execute("SELECT COUNT(*), COUNT(DISTINCT serial) FROM sheets WHERE status = 'counted'")
    n, distinct = counted.fetchone()
    assert n == distinct  # no serial counted twice, in any call
