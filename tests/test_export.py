"""Signed batch export from a kiosk's database (kiosk/export.py).

Sheets are stored directly with Store.record_sheet (and decisions with
Store.add_decision), as the reader and the review screen store them.
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import secrets
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from kiosk.ballot import payload
from kiosk.batches.export import export_batch, list_batches, pending_summary
from kiosk.batches.format import GENESIS
from kiosk.central.verify import load_trust, verify_batches
from kiosk.cli.main import main
from kiosk.errors import KioskError
from kiosk.reading.sheet import SheetReading
from kiosk.storage.sheets import StoredSheet

_image_counter = iter(range(10**9))


def small_png(pages: int = 1) -> tuple[bytes, str]:
    """A real little image file (a multi-page TIFF for pages > 1), unique by its noise."""
    frames = [Image.frombytes("L", (48, 64), secrets.token_bytes(48 * 64)) for _ in range(pages)]
    buf = io.BytesIO()
    if pages == 1:
        frames[0].save(buf, format="PNG")
        return buf.getvalue(), "image/png"
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:])
    return buf.getvalue(), "image/tiff"


def add_image(kiosk, data: bytes | None = None, media_type: str = "image/png") -> str:
    """A stored original: a real image file under the data directory, content-addressed."""
    if data is None:
        data, media_type = small_png()
    sha = hashlib.sha256(data).hexdigest()
    path = kiosk.root / "images" / f"{sha}.{media_type.split('/')[1]}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    kiosk.store.add_image(sha, str(path.relative_to(kiosk.root)), len(data), media_type)
    return sha


def add_sheet(kiosk, status: str = "counted", selections: dict | None = None, *, serial: bytes | None = None,
              reasons: list[str] | None = None, image: str | None = None) -> StoredSheet:
    """Store one interpreted sheet of a ballot printed by this kiosk's layout."""
    spec = kiosk.layout()
    if selections is None and status in ("counted", "review"):
        specialist = kiosk.institution.specialists[0].id
        selections = {"specialist": [specialist], "rating": ["4"]}
    serial = serial if serial is not None else (payload.new_serial() if status != "rejected" else None)
    reading = SheetReading(status, tuple(reasons or ()), serial, spec.id if serial is not None else None, selections, {})
    return kiosk.store.record_sheet(reading, image_sha256=image or add_image(kiosk), page=1,
                                    source=f"scan-{next(_image_counter)}.png", run_id=None)


def read_batch(path: Path) -> tuple[dict, list[dict], dict]:
    with zipfile.ZipFile(path) as z:  # any ZIP reader can open a batch
        return (json.loads(z.read("manifest.json")), json.loads(z.read("records.json")),
                json.loads(z.read("signature.json")))


def test_export_writes_every_decided_ballot_once_and_lists_pending(kiosk, tmp_path):
    out = tmp_path / "out"
    counted = [add_sheet(kiosk) for _ in range(5)]
    review = add_sheet(kiosk, "review", {"specialist": [], "rating": []}, reasons=["blank_ballot"])
    add_sheet(kiosk, "rejected", None, reasons=["no_qr"])
    add_sheet(kiosk, "rejected", None, reasons=["blank_back"])
    dup = add_sheet(kiosk, serial=counted[0].serial)
    assert dup.status == "duplicate"

    first = export_batch(kiosk, out)
    assert (first.batch, first.records, first.counted, first.rejected, first.pending) == (1, 5, 5, 0, 1)
    assert first.previous_sha256 == GENESIS
    assert first.sha256 == hashlib.sha256(first.path.read_bytes()).hexdigest()
    manifest, records, _ = read_batch(first.path)
    assert sorted(r["serial"] for r in records) == sorted(payload.serial_text(s.serial) for s in counted)
    assert manifest["pending_review"] == 1
    assert manifest["totals"] == {
        "issued": 0, "voided": 0, "scanned": 8, "counted": 5, "in_review": 1, "rejected": 1,
        "duplicates": 1, "blank_backs": 1, "exported": 5,
    }
    assert (out / f"{kiosk.kiosk_id}.pub").read_bytes() == kiosk.public_key_path.read_bytes()

    # Nothing new: the next batch is empty, nothing is exported twice.
    second = export_batch(kiosk, out)
    assert (second.batch, second.records, second.pending, second.previous_sha256) == (2, 0, 1, first.sha256)

    # The reviewer resolves the pending ballot; a new ballot arrives; one more is rejected by a person.
    kiosk.store.add_decision(review.id, "correct", {"specialist": [kiosk.institution.specialists[1].id],
                                                      "rating": []}, None, "office")
    late = add_sheet(kiosk)
    doubtful = add_sheet(kiosk, "review", {"specialist": [], "rating": ["2"]}, reasons=["undervote"])
    kiosk.store.add_decision(doubtful.id, "reject", None, "torn", "office")
    third = export_batch(kiosk, out)
    assert (third.batch, third.records, third.counted, third.rejected, third.pending) == (3, 3, 2, 1, 0)
    _, records, _ = read_batch(third.path)
    by_serial = {r["serial"]: r for r in records}
    resolved = by_serial[payload.serial_text(review.serial)]
    assert resolved["decided_by"] == "office" and resolved["status"] == "counted"
    assert resolved["selections"] == {"specialist": [kiosk.institution.specialists[1].id], "rating": []}
    assert by_serial[payload.serial_text(late.serial)]["decided_by"] == "machine"
    assert by_serial[payload.serial_text(doubtful.serial)] | {"payload": None} == {
        "serial": payload.serial_text(doubtful.serial), "status": "rejected", "selections": None,
        "decided_by": "office", "image_sha256": None, "payload": None,  # no images: no image named
    }

    # Across all batches: every decided ballot exactly once.
    all_serials = []
    for b in list_batches(kiosk):
        all_serials += [r["serial"] for r in read_batch(Path(b["path"]))[1]]
    finals = [f for f in kiosk.store.final_sheets() if f.final_status != "review"]
    assert sorted(all_serials) == sorted(payload.serial_text(f.serial) for f in finals)
    assert len(all_serials) == len(set(all_serials)) == 8
    assert [b["number"] for b in list_batches(kiosk)] == [1, 2, 3]
    assert pending_summary(kiosk) == {"ready": 0, "counted": 0, "rejected": 0, "in_review": 0, "exported": 8}

    checks = verify_batches([first.path, second.path, third.path], load_trust(out), kiosk.campaign,
                            kiosk.campaign.demo_master_key)
    assert [(c.ok, c.reason) for c in checks] == [(True, None)] * 3


def test_records_are_shuffled_and_carry_no_time(kiosk, tmp_path):
    sheets = [add_sheet(kiosk) for _ in range(40)]
    res = export_batch(kiosk, tmp_path / "out")
    manifest, records, sig = read_batch(res.path)
    stored_order = [payload.serial_text(s.serial) for s in sheets]
    exported = [r["serial"] for r in records]
    assert sorted(exported) == sorted(stored_order)
    # 40! orders: matching the storage order or the sorted order by chance is impossible in practice.
    assert exported != stored_order and exported != sorted(exported)
    for r in records:
        assert set(r) == {"serial", "status", "selections", "decided_by", "image_sha256", "payload"}
    text = json.dumps(records)
    assert not re.search(r"\d{4}-\d\d-\d\d|\d\d:\d\d", text)  # no date or time anywhere in the records
    assert set(manifest) >= {"campaign_id", "institution_id", "kiosk_id", "batch", "previous_sha256", "created_at",
                             "totals", "records"}
    assert manifest["records"]["sha256"] == hashlib.sha256(zipfile.ZipFile(res.path).read("records.json")).hexdigest()
    assert sig["algorithm"] == "ed25519"


def test_images_option_gives_every_ballot_its_own_image(kiosk, tmp_path):
    data, media_type = small_png(pages=2)
    shared = add_image(kiosk, data, media_type)  # a two-page scan: two ballots
    a = add_sheet(kiosk, image=shared)
    b = kiosk.store.record_sheet(replace(a.reading, serial=payload.new_serial()), image_sha256=a.image_sha256, page=2,
                                 source=a.source, run_id=None)
    c = add_sheet(kiosk)
    res = export_batch(kiosk, tmp_path / "out", images=True)
    assert res.images == 3  # one per ballot, not one per scan file
    _, records, _ = read_batch(res.path)
    by_serial = {r["serial"]: r for r in records}
    with zipfile.ZipFile(res.path) as z:
        names = z.namelist()
        assert names[:3] == ["manifest.json", "records.json", "signature.json"]
        assert len({r["image_sha256"] for r in records}) == 3
        for sheet in (a, b, c):
            sha = by_serial[payload.serial_text(sheet.serial)]["image_sha256"]
            if sheet is not c:  # (c's original is a PNG with nothing but pixels: re-encoded, it may be the same)
                assert sha != sheet.image_sha256  # a page of the TIFF, not the two-page original
            name = f"images/{sha}.png"
            data = z.read(name)
            assert hashlib.sha256(data).hexdigest() == sha
            with Image.open(io.BytesIO(data)) as im:  # the ballot's own page, as it was scanned
                assert im.size == (48, 64)
            # the kiosk keeps which original and page each image came from
            kept = kiosk.store.batch_image(sha)
            assert (kept["original_sha256"], kept["page"], kept["batch"]) == (sheet.image_sha256, sheet.page, 1)
        assert z.testzip() is None
    manifest, _, _ = read_batch(res.path)
    assert manifest["images"] == {"included": True, "count": 3}
    [check] = verify_batches([res.path], load_trust(tmp_path / "out"), kiosk.campaign)
    assert check.ok, check.detail


def test_ballot_images_are_made_in_a_private_folder_that_goes_away(kiosk, tmp_path):
    stale = kiosk.root / ".export-killed"  # left by an export killed while making images
    stale.mkdir()
    (stale / "image.png").write_bytes(b"a ballot's image")
    add_sheet(kiosk)
    res = export_batch(kiosk, tmp_path / "out", images=True)
    assert res.images == 1
    assert not list(kiosk.root.glob(".export-*"))


def test_export_reports_progress_over_records_then_images(kiosk, tmp_path):
    for _ in range(300):
        add_sheet(kiosk)
    seen: list[tuple[int, int]] = []
    res = export_batch(kiosk, tmp_path / "out", images=True, progress=lambda done, total: seen.append((done, total)))
    assert res.records == 300 and res.images == 300
    assert {total for _, total in seen} == {600}  # 300 records, then 300 images
    dones = [done for done, _ in seen]
    assert dones == sorted(dones) and dones[-1] == 600 and 300 in dones


def test_a_missing_image_stops_the_export_and_records_nothing(kiosk, tmp_path):
    sheet = add_sheet(kiosk)
    (kiosk.root / kiosk.store.image(sheet.image_sha256)["path"]).unlink()
    with pytest.raises(KioskError) as err:
        export_batch(kiosk, tmp_path / "out", images=True)
    assert err.value.code == "export.image_missing"
    assert list_batches(kiosk) == [] and not list((tmp_path / "out").glob("*.zip"))
    assert export_batch(kiosk, tmp_path / "out").records == 1  # without images it goes


def test_an_image_changed_since_the_scan_stops_the_export(kiosk, tmp_path):
    add_sheet(kiosk)
    sheet = add_sheet(kiosk)
    (kiosk.root / kiosk.store.image(sheet.image_sha256)["path"]).write_bytes(b"another picture")
    with pytest.raises(KioskError) as err:
        export_batch(kiosk, tmp_path / "out", images=True)
    assert err.value.code == "export.image_missing" and "changed" in err.value.message("en")
    assert list_batches(kiosk) == [] and not (tmp_path / "out").exists()


def test_a_public_key_that_cannot_be_copied_stops_the_export_before_anything_is_written(kiosk, tmp_path):
    add_sheet(kiosk)
    kiosk.public_key_path.unlink()  # the public key cannot be copied beside the batch
    with pytest.raises(KioskError) as err:
        export_batch(kiosk, tmp_path / "out")
    assert err.value.code == "export.output"
    assert list_batches(kiosk) == [] and list((tmp_path / "out").iterdir()) == []


def test_a_failed_commit_removes_the_file_and_exports_nothing(kiosk, tmp_path, monkeypatch):
    add_sheet(kiosk)
    original = kiosk.store.record_batch

    def racing(batch, serials, images=()):  # another export recorded batch 1 meanwhile
        raise KioskError("export.conflict", batch=batch["number"])

    monkeypatch.setattr(kiosk.store, "record_batch", racing)
    with pytest.raises(KioskError) as err:
        export_batch(kiosk, tmp_path / "out")
    assert err.value.code == "export.conflict"
    assert not list((tmp_path / "out").glob("*.zip")) and not list((tmp_path / "out").glob(".*.tmp"))
    monkeypatch.setattr(kiosk.store, "record_batch", original)
    res = export_batch(kiosk, tmp_path / "out")
    assert (res.batch, res.records) == (1, 1)


def test_store_refuses_a_batch_out_of_chain_or_a_serial_twice(kiosk, tmp_path):
    s = add_sheet(kiosk)
    res = export_batch(kiosk, tmp_path / "out")
    base = {"sha256": "ab" * 32, "path": "x", "records": 1, "counted": 1, "rejected": 0, "pending": 0,
            "images": 0, "created_at": "2026-01-01T00:00:00Z"}
    for number, previous, serials in ((2, GENESIS, []), (3, res.sha256, []), (2, res.sha256, [s.serial])):
        with pytest.raises(KioskError) as err:
            kiosk.store.record_batch({**base, "number": number, "previous_sha256": previous}, serials)
        assert err.value.code == "export.conflict"
    assert [b["number"] for b in kiosk.store.batches()] == [1]
    assert kiosk.store.exported_serials() == {s.serial}


def test_an_unrecorded_file_from_a_killed_export_is_kept_aside(kiosk, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    stale = out / f"{kiosk.kiosk_id}-batch-0001.zip"
    stale.write_bytes(b"written, never recorded")
    add_sheet(kiosk)
    res = export_batch(kiosk, out)
    assert res.path == stale and res.records == 1
    [aside] = out.glob(f"{stale.name}.unrecorded-*")
    assert aside.read_bytes() == b"written, never recorded"


def test_invalid_selections_are_refused_not_exported(kiosk, tmp_path):
    sheet = add_sheet(kiosk, "review", {"specialist": [s.id for s in kiosk.institution.specialists[:2]],
                                        "rating": []}, reasons=["overvote"])
    kiosk.store.add_decision(sheet.id, "confirm", sheet.selections, None, "office")
    with pytest.raises(KioskError) as err:
        export_batch(kiosk, tmp_path / "out")
    assert err.value.code == "export.invalid_record"
    assert payload.serial_text(sheet.serial) in err.value.message("en")
    assert list_batches(kiosk) == []


def test_cli_export_and_list(kiosk, tmp_path, capsys):
    for _ in range(3):
        add_sheet(kiosk)
    add_sheet(kiosk, "review", {"specialist": [], "rating": []}, reasons=["blank_ballot"])
    root = str(kiosk.root)
    assert main(["--data-dir", root, "export", "--out", str(tmp_path / "out"), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert (info["batch"], info["records"], info["pending"]) == (1, 3, 1)
    assert main(["--data-dir", root, "--lang", "lv", "export", "--out", str(tmp_path / "out")]) == 0
    text = capsys.readouterr().out
    assert "Partija 2 ierakstīta" in text and "gaida pārbaudi" in text
    assert main(["--data-dir", root, "export", "--list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [b["number"] for b in listed["batches"]] == [1, 2]
    assert listed["next"]["in_review"] == 1
    assert main(["--data-dir", root, "export"]) == 2
    assert "--out" in capsys.readouterr().err
