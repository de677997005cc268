"""Ballot secrecy, tried as a curious clerk (and a forensic one) would try it.

The six-visitor experiment: six visitors each get one ballot from the
counter (the no-printer mode: a PDF the user prints and then deletes), mark
it, drop it in the urn; the helper scans the urn, the office exports.  Then
every table, every file under the data directory, the write-ahead log, the
audit log and the batch are searched for anything that ties a print to a
serial or a vote.  Also: batch images without metadata, one per ballot,
owner-only batch files, key material nowhere but in the key files, and a data
directory whose keys others can read refused.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import random
import re
import sqlite3
import stat
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from PIL import Image
from sheets import mark, render

from kiosk.access.auth import Auth
from kiosk.access.roles import Role
from kiosk.ballot import payload
from kiosk.batches.format import ExportRecord, write_batch
from kiosk.central.verify import load_trust, verify_batches
from kiosk.cli.main import main
from kiosk.errors import KioskError
from kiosk.session import SignedIn  # noqa: F401 - the door every workflow goes through
from kiosk.station import Kiosk

TIME_RE = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d")
SERIAL_TABLES = {"issued", "sheets", "ballots", "exported"}  # where serials live, by design


def sessions(kiosk) -> dict[Role, SignedIn]:
    auth = Auth(kiosk.store)
    auth.ensure_demo_users()
    pins = {Role.FRONT_DESK: "1111", Role.HELPER: "2222", Role.OFFICE: "3333"}
    return {role: SignedIn(kiosk, auth.sign_in(role, pin)) for role, pin in pins.items()}


def serial_forms(kiosk, serial: bytes, layout_id: int) -> list[bytes]:
    """Every way a serial could be written down: raw, as printed, without dashes, hex, its QR text."""
    text = payload.serial_text(serial)
    qr = payload.make_payload(kiosk.tag_key, kiosk.campaign.hash, kiosk.institution.hash, layout_id, serial).text()
    return [serial, text.encode(), text.replace("-", "").encode(), serial.hex().encode(), qr.encode()]


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def occurrences(data: bytes, forms: list[bytes]) -> int:
    return sum(data.count(f) for f in forms)


def marked_ballot(pdf: Path, spec: dict, votes: dict[str, str], seed: int) -> Image.Image:
    img = render(pdf, 0, 150)
    rnd = random.Random(seed)
    for q, o in votes.items():
        mark(img, spec, q, o, 150, "cross", rnd=rnd)
    return img


def test_six_visitors_leave_no_trail_from_a_print_to_a_serial_or_a_vote(kiosk, tmp_path):
    people = sessions(kiosk)
    desk, helper, office = people[Role.FRONT_DESK], people[Role.HELPER], people[Role.OFFICE]
    specialists = [s.id for s in kiosk.institution.specialists]
    printed_to = tmp_path / "chosen-pdf-folder"  # the folder the user chose, outside the data directory
    printed_to.mkdir()
    urn = tmp_path / "urn"
    urn.mkdir()
    visitors = []
    for n in range(6):
        pdf = printed_to / f"ballot-{n + 1}.pdf"
        res = desk.print_ballots(1, out=pdf)  # the counter's big button, no printer: one file per stack
        spec = kiosk.store.layout(kiosk.campaign.id, kiosk.institution.id, res.layout_id)
        votes = {spec.questions[0].id: specialists[n % len(specialists)], "rating": str(1 + n % 5)}
        marked_ballot(pdf, spec, votes, n).save(urn / f"paper-{n}.png")
        pdf.unlink()  # printed: the user deletes the file
        visitors.append({"serial": res.serials[0], "layout": res.layout_id, "votes": votes})

    forms = {v["serial"]: serial_forms(kiosk, v["serial"], v["layout"]) for v in visitors}
    every_form = [f for fs in forms.values() for f in fs]

    # Right after the prints (the moment a clerk could note "visitor at 10:52"): the
    # write-ahead log, which would keep the order the serials were written in, is
    # empty, and the database holds each serial exactly once (its `issued` row).
    wal = kiosk.datadir.db.with_name(kiosk.datadir.db.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    db_bytes = kiosk.datadir.db.read_bytes()
    for serial, fs in forms.items():
        assert occurrences(db_bytes, fs) == 1, payload.serial_text(serial)
    # ... and `issued` is kept in serial order, whatever the print order was
    natural = [r[0] for r in kiosk.store.db.execute("SELECT serial FROM issued")]
    assert natural == sorted(v["serial"] for v in visitors)

    # The urn is emptied and shaken; the helper scans it; the office exports with images.
    papers = sorted(urn.iterdir())
    random.Random(7).shuffle(papers)
    results = list(helper.scan_paths(papers, workers=1))
    assert [r.status for r in results] == ["counted"] * 6
    batch = office.export_batch(tmp_path / "usb", images=True)
    assert batch.records == 6

    # 1. Every table, every row, every value.
    db = kiosk.store.db
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    holding: dict[str, int] = {}
    for table in tables:
        for row in db.execute(f"SELECT * FROM {table}"):  # noqa: S608 - the schema's own table names
            for value in row:
                raw = value if isinstance(value, bytes) else str(value).encode()
                n = occurrences(raw, every_form)
                if n:
                    holding[table] = holding.get(table, 0) + n
    assert set(holding) <= SERIAL_TABLES, holding
    for table in SERIAL_TABLES:
        refs = {r[2] for r in db.execute(f"PRAGMA foreign_key_list({table})")}
        assert "print_jobs" not in refs
        for row in db.execute(f"SELECT * FROM {table}"):  # noqa: S608
            assert not any(isinstance(v, str) and TIME_RE.search(v) for v in row), (table, dict(row))
    # the print jobs: count, state and day, and nothing that names a serial or a vote
    jobs = kiosk.store.print_jobs()
    assert len(jobs) == 6 and all(j["count"] == 1 for j in jobs)
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", j["day"]) for j in jobs)  # the day, nothing finer
    assert not {"target", "created_at"} & set(jobs[0])  # no file name, no time stamp
    assert list(printed_to.iterdir()) == []  # the files they went to are gone
    # the audit log: six print jobs, a scan run, an export; no serial, no selection
    audit = list(kiosk.store.audit_rows())
    assert [r["event"] for r in audit].count("print.job") == 6
    for row in audit:
        text = json.dumps(row, ensure_ascii=False)
        assert not occurrences(text.encode(), every_form)
        assert not any(f'"{sid}"' in row["fields"] for sid in specialists)

    # 2. Every file under the data directory, the database's raw bytes included, as the
    # kiosk leaves them when it closes (SQLite folds the write-ahead log into the database).
    kiosk.close()
    searched = files_under(kiosk.root)
    assert kiosk.datadir.db in searched and not wal.exists()
    for path in searched:
        data = path.read_bytes()
        if path == kiosk.datadir.db:
            # live rows only, no stale copies: raw in issued, sheets (its row and its serial
            # index), ballots (its row and its sheet index) and exported; as printed in the
            # reader's interpretation of the sheet
            for serial, fs in forms.items():
                assert [data.count(f) for f in fs] == [6, 1, 0, 0, 0], payload.serial_text(serial)
        else:  # the log, the stored scans (pixels), keys, the public key: none names a serial
            assert occurrences(data, every_form) == 0, path
    assert not (kiosk.root / "pdf").exists() or not any((kiosk.root / "pdf").iterdir())

    # 3. The batch: serials and votes by design, but no time per record, no print, no order.
    with zipfile.ZipFile(batch.path) as z:
        records = json.loads(z.read("records.json"))
        manifest = json.loads(z.read("manifest.json"))
        assert len([n for n in z.namelist() if n.startswith("images/")]) == 6
    assert not TIME_RE.search(json.dumps(records))
    assert {r["serial"] for r in records} == {payload.serial_text(v["serial"]) for v in visitors}
    assert not TIME_RE.search(json.dumps({k: v for k, v in manifest.items() if k != "created_at"}))
    assert stat.S_IMODE(batch.path.stat().st_mode) == 0o600


# -- batch images ---------------------------------------------------------------------

def _exif_jpeg(img: Image.Image) -> bytes:
    """A camera's JPEG: EXIF with a date and a body serial number, an ICC profile, a comment."""
    exif = Image.Exif()
    exif[0x0132] = "2026:10:01 10:52:56"        # DateTime
    exif[0x010F] = "CameraMaker"                # Make
    exif[0xA431] = "BODY-SERIAL-0042"           # BodySerialNumber (as a camera writes it)
    icc = b"\x00\x00\x02\x0cfake-icc-profile-for-test" + bytes(64)
    buf = io.BytesIO()
    img.convert("RGB").save(buf, format="JPEG", quality=92, exif=exif, icc_profile=icc, comment=b"scanned 10:52")
    return buf.getvalue()


def _xmp_tiff(pages: list[Image.Image]) -> bytes:
    """A scanner's multi-page TIFF with a date and XMP."""
    buf = io.BytesIO()
    xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description xmp:CreateDate="2026-10-01T10:52:56"/>'
           b"</rdf:RDF></x:xmpmeta>")
    pages[0].save(buf, format="TIFF", save_all=True, append_images=pages[1:],
                  tiffinfo={306: "2026:10:01 10:52:56", 700: xmp, 271: "ScannerMaker"})
    return buf.getvalue()


def _dated_pdf(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PDF", resolution=150, title="Scan 2026-10-01 10:52", author="scanner-42",
             creationDate="D:20261001105256+03'00'")
    return buf.getvalue()


# long enough that compressed pixels never hold them by chance; short chunk and
# segment names are checked by structure below
METADATA_MARKERS = (b"Exif\x00\x00", b"<x:xmpmeta", b"ICC_PROFILE", b"CreationDate", b"2026:10:01", b"2026-10-01",
                    b"BODY-SERIAL", b"CameraMaker", b"ScannerMaker", b"scanner-42", b"fake-icc-profile")


def _jpeg_segments(data: bytes) -> list[int]:
    """The marker of every segment before the image data."""
    assert data[:2] == b"\xff\xd8"
    pos, markers = 2, []
    while pos < len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: the image data follows
            break
        pos += 2 + int.from_bytes(data[pos + 2: pos + 4], "big")
    return markers


def _png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, []
    while pos < len(data):
        length = int.from_bytes(data[pos: pos + 4], "big")
        chunks.append(data[pos + 4: pos + 8])
        pos += 12 + length
    return chunks


def test_batch_images_carry_no_metadata_one_image_per_ballot_and_batch_files_are_owner_only(kiosk, tmp_path):
    people = sessions(kiosk)
    desk, helper, office = people[Role.FRONT_DESK], people[Role.HELPER], people[Role.OFFICE]
    pages = []
    for n in range(4):
        pdf = tmp_path / f"b{n}.pdf"
        res = desk.print_ballots(1, out=pdf)
        spec = kiosk.store.layout(kiosk.campaign.id, kiosk.institution.id, res.layout_id)
        pages.append(marked_ballot(pdf, spec, {spec.questions[0].id: spec.questions[0].options[0].id,
                                               "rating": "3"}, n))
    scans = tmp_path / "scans"
    scans.mkdir()
    (scans / "camera.jpg").write_bytes(_exif_jpeg(pages[0]))
    (scans / "stack.tif").write_bytes(_xmp_tiff(pages[1:3]))  # two ballots scanned together
    (scans / "scanner.pdf").write_bytes(_dated_pdf(pages[3]))
    for original in scans.iterdir():  # the originals do carry the metadata
        data = original.read_bytes()
        assert any(m in data for m in (b"BODY-SERIAL", b"<x:xmpmeta", b"CreationDate"))
    results = list(helper.scan_paths([scans], workers=1))
    assert sorted(r.status for r in results) == ["counted"] * 4

    res = office.export_batch(tmp_path / "usb", images=True)
    assert (res.records, res.images) == (4, 4)
    with zipfile.ZipFile(res.path) as z:
        records = json.loads(z.read("records.json"))
        entries = {n: z.read(n) for n in z.namelist() if n.startswith("images/")}
    assert sorted(e.split("/")[1].split(".")[0] for e in entries) == sorted(r["image_sha256"] for r in records)
    exts = sorted(n.rsplit(".", 1)[1] for n in entries)
    assert exts == ["jpg", "png", "png", "png"]  # the JPEG stays a JPEG; the TIFF's and PDF's pages are PNGs
    for name, data in entries.items():
        found = [m for m in METADATA_MARKERS if m in data]
        assert not found, (name, found)
        if name.endswith(".jpg"):
            # SOI, then only JFIF (APP0), tables, frame and scan: no APP1 (EXIF/XMP), APP2 (ICC), COM
            assert set(_jpeg_segments(data)) <= {0xE0, 0xDB, 0xC4, 0xC0, 0xC2, 0xDD, 0xDA}, _jpeg_segments(data)
        else:  # only header, pixels, end: no tEXt/iTXt/zTXt, eXIf, iCCP, pHYs, tIME
            assert set(_png_chunks(data)) == {b"IHDR", b"IDAT", b"IEND"}, _png_chunks(data)
        with Image.open(io.BytesIO(data)) as im:
            assert im.mode == "L" and not im.getexif() and "icc_profile" not in im.info
            assert max(im.size) >= 1000
        kept = kiosk.store.batch_image(hashlib.sha256(data).hexdigest())
        assert kept is not None and kiosk.store.image(kept["original_sha256"]) is not None
    # the two ballots of the TIFF: two images, each its own page, tied back to one original in the kiosk only
    tiff_sha = hashlib.sha256((scans / "stack.tif").read_bytes()).hexdigest()
    from_tiff = [kiosk.store.batch_image(r["image_sha256"]) for r in records]
    assert sorted(k["page"] for k in from_tiff if k["original_sha256"] == tiff_sha) == [1, 2]

    # batch files and the public key beside them: owner-only
    for path in (res.path, res.public_key):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(kiosk.public_key_path.stat().st_mode) == 0o600
    [check] = verify_batches([res.path], load_trust(tmp_path / "usb"), kiosk.campaign, kiosk.campaign.demo_master_key)
    assert check.ok, check.detail


def _signed(kiosk, tmp_path: Path, version: int, records: list[dict], images: dict[str, bytes], name: str) -> Path:
    manifest = {"format": "urn-kiosk-batch", "version": version, "campaign_id": kiosk.campaign.id,
                "institution_id": kiosk.institution.id, "kiosk_id": kiosk.kiosk_id, "batch": 1,
                "previous_sha256": "0" * 64, "created_at": "2026-10-01T12:00:00Z", "pending_review": 0,
                "totals": dict.fromkeys(("issued", "voided", "scanned", "counted", "in_review", "rejected",
                                         "duplicates", "blank_backs", "exported"), 0),
                "labels": {}, "images": {"included": bool(images), "count": len(images)}, "software": "test"}
    if version >= 2:
        manifest["audit"] = None
    path = tmp_path / name
    with open(path, "wb") as fp:
        write_batch(fp, manifest, records, kiosk.signing_key(), [(f"images/{k}.png", v) for k, v in images.items()])
    return path


def test_central_verify_reads_old_and_new_batches(kiosk, tmp_path):
    """Version 1: one original per scan file, shared by its ballots.  Version 2: every ballot its
    own image, and none named without images."""
    trust = tmp_path / "trust"
    trust.mkdir()
    (trust / f"{kiosk.kiosk_id}.pub").write_bytes(kiosk.public_key_path.read_bytes())
    layout = kiosk.layout().id
    kiosk.store.register_layouts([kiosk.layout()])
    serials = [payload.new_serial() for _ in range(2)]
    scan = b"\x89PNG one scan holding two ballots"
    sha = hashlib.sha256(scan).hexdigest()

    def rec(serial: bytes, image: str | None) -> ExportRecord:
        return ExportRecord(payload.serial_text(serial), "rejected", None, "office", image,
                            payload.make_payload(kiosk.tag_key, kiosk.campaign.hash, kiosk.institution.hash, layout,
                                                 serial).text())

    old = _signed(kiosk, tmp_path, 1, [rec(s, sha) for s in serials], {sha: scan}, "v1.zip")
    shared = _signed(kiosk, tmp_path, 2, [rec(s, sha) for s in serials], {sha: scan}, "v2-shared.zip")
    named = _signed(kiosk, tmp_path, 2, [rec(s, sha) for s in serials], {}, "v2-named.zip")
    bare = _signed(kiosk, tmp_path, 2, [rec(s, None) for s in serials], {}, "v2-bare.zip")
    keys = load_trust(trust)
    checks = {Path(c.path).name: c for p in (old, shared, named, bare)
              for c in verify_batches([p], keys, kiosk.campaign, kiosk.campaign.demo_master_key)}
    assert checks["v1.zip"].ok and checks["v2-bare.zip"].ok
    assert (checks["v2-shared.zip"].reason, checks["v2-named.zip"].reason) == ("malformed", "malformed")
    assert "shared" in checks["v2-shared.zip"].detail and "without images" in checks["v2-named.zip"].detail


# -- key material ----------------------------------------------------------------------

def test_keys_appear_in_no_file_but_their_own(kiosk, tmp_path, capsys):
    """Print, scan, export (with images), audit and a failing command: then grep
    everything written for the institution key and the signing key."""
    sessions(kiosk)
    root = str(kiosk.root)
    pdf = tmp_path / "b.pdf"
    assert main(["--data-dir", root, "print", "--count", "2", "--out", str(pdf)]) == 0
    spec = kiosk.layout()
    marked_ballot(pdf, spec, {spec.questions[0].id: spec.questions[0].options[0].id, "rating": "5"},
                  0).save(tmp_path / "scan.png")
    assert main(["--data-dir", root, "scan", "--workers", "1", str(tmp_path / "scan.png"), str(pdf)]) == 0
    assert main(["--data-dir", root, "export", "--out", str(tmp_path / "usb"), "--images"]) == 0
    assert main(["--data-dir", root, "audit", "--json"]) == 0
    assert main(["--data-dir", root, "scan", str(tmp_path / "missing.png")]) == 0
    capsys.readouterr()

    institution = kiosk.tag_key
    signing = kiosk.signing_key().private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                                serialization.NoEncryption())
    pem_body = "".join(kiosk.datadir.signing_key.read_text().splitlines()[1:-1]).encode()
    secrets_ = [institution, institution.hex().encode(), institution.hex().upper().encode(), signing,
                signing.hex().encode(), pem_body, pem_body[10:40]]
    key_files = {kiosk.datadir.institution_key, kiosk.datadir.signing_key}
    searched = [p for p in files_under(kiosk.root) + files_under(tmp_path / "usb") if p not in key_files]
    assert any(p.suffix == ".zip" for p in searched) and kiosk.datadir.db in searched
    for path in searched:
        data = path.read_bytes()
        assert not any(s in data for s in secrets_), path


def test_a_data_directory_whose_keys_others_can_read_is_refused(kiosk, capsys):
    root = kiosk.root
    kiosk.close()
    key = Kiosk.open(root).datadir.institution_key
    os.chmod(key, 0o644)
    with pytest.raises(KioskError) as err:
        Kiosk.open(root)
    assert err.value.code == "datadir.keys_exposed"
    assert f"chmod 600 {key}" in err.value.message("en") and "chmod 600" in err.value.message("lv")
    assert "citi šī datora lietotāji" in err.value.message("lv")
    assert main(["--data-dir", str(root), "status"]) == 1
    assert "chmod 600" in capsys.readouterr().err
    os.chmod(key, 0o600)
    with Kiosk.open(root) as again:
        assert again.institution.id
    signing = again.datadir.signing_key
    os.chmod(signing, 0o640)
    with pytest.raises(KioskError) as err:
        Kiosk.open(root)
    assert str(signing) in err.value.message("en") and str(key) not in err.value.message("en")
    os.chmod(signing, 0o600)


def test_the_write_ahead_log_is_emptied_after_a_print(kiosk, tmp_path):
    desk = sessions(kiosk)[Role.FRONT_DESK]
    before = kiosk.store.db.execute("PRAGMA secure_delete").fetchone()[0]
    assert before == 1
    desk.print_ballots(3, out=tmp_path / "b.pdf")
    wal = Path(str(kiosk.datadir.db) + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    # a reader in another connection holds the log: the print does not wait for it, the
    # log is emptied at the next print
    other = sqlite3.connect(kiosk.datadir.db)
    other.execute("BEGIN")
    other.execute("SELECT COUNT(*) FROM issued").fetchone()
    assert kiosk.store.forget_history() is True  # nothing written since: nothing to keep
    desk.print_ballots(1, out=tmp_path / "c.pdf")
    assert wal.stat().st_size > 0 and kiosk.store.forget_history() is False
    other.rollback()
    other.close()
    desk.print_ballots(1, out=tmp_path / "d.pdf")
    assert wal.stat().st_size == 0
