"""Sheets and records as typed data: a reading stored and read back, a ballot's final
state, an export record; the rows and the batch JSON keep their exact form."""
from __future__ import annotations

import dataclasses
import json
import zipfile

import pytest
from test_export import add_image, add_sheet

from kiosk.ballot import payload
from kiosk.batches.export import export_batch
from kiosk.batches.format import ExportRecord, canonical_json
from kiosk.reading.imaging import PageError
from kiosk.reading.reader import Interpretation
from kiosk.reading.sheet import SheetReading
from kiosk.storage.sheets import FinalSheet, StoredSheet


def reading(kiosk, **changes) -> SheetReading:
    spec = kiosk.layout()
    base = SheetReading(
        status="review", reasons=("overvote", "marginal_mark"), serial=payload.new_serial(), layout_id=spec.id,
        selections={"specialist": ["k-ozolina", "k-kalnins"], "rating": []},
        interpretation={"reader": 1, "note": "Ķēniņš", "boxes": [{"question": "rating", "option": "1", "score": 0.5}]},
    )
    return dataclasses.replace(base, **changes)


def test_a_reading_is_stored_and_read_back_as_it_was(kiosk):
    r = reading(kiosk)
    sha = add_image(kiosk)
    stored = kiosk.store.record_sheet(r, image_sha256=sha, page=3, source="in/scan.png", run_id=None)
    assert isinstance(stored, StoredSheet)
    assert (stored.image_sha256, stored.page, stored.source, stored.run_id) == (sha, 3, "in/scan.png", None)
    assert stored.reading == r and stored.reason == "overvote"
    assert stored.duplicate_of is None and stored.repeat is False
    assert kiosk.store.sheet(stored.id) == stored
    assert kiosk.store.sheet_at(sha, 3) == stored
    assert kiosk.store.review_queue() == [stored]
    # the row's columns hold exactly the JSON the kiosk always wrote
    row = kiosk.store.db.execute("SELECT reasons, selections, interpretation, serial, layout_id, status FROM sheets"
                                 " WHERE id = ?", (stored.id,)).fetchone()
    assert tuple(row) == (
        '["overvote", "marginal_mark"]',
        '{"specialist": ["k-ozolina", "k-kalnins"], "rating": []}',
        '{"reader": 1, "note": "Ķēniņš", "boxes": [{"question": "rating", "option": "1", "score": 0.5}]}',
        r.serial, r.layout_id, "review",
    )


def test_the_same_page_again_is_a_repeat_and_the_same_serial_a_duplicate(kiosk):
    r = reading(kiosk, status="counted", reasons=())
    sha = add_image(kiosk)
    first = kiosk.store.record_sheet(r, image_sha256=sha, page=1, source="a.png")
    again = kiosk.store.record_sheet(reading(kiosk), image_sha256=sha, page=1, source="b.png")
    assert again == dataclasses.replace(first, repeat=True)
    copy = kiosk.store.record_sheet(r, image_sha256=add_image(kiosk), page=1, source="c.png", run_id=None)
    assert (copy.status, copy.reasons, copy.duplicate_of) == ("duplicate", ("duplicate_serial",), first.id)
    assert copy.selections == r.selections and copy.serial == r.serial


def test_a_rejected_reading_without_serial_or_selections(kiosk):
    failed = SheetReading.failed(PageError("unreadable_file", detail="truncated"))
    assert failed == SheetReading("rejected", ("unreadable_file",), None, None, None,
                                  {"error": "unreadable_file", "detail": "truncated"})
    stored = kiosk.store.record_sheet(failed, image_sha256=add_image(kiosk), page=1, source="x.bin")
    assert stored.reading == failed
    row = kiosk.store.db.execute("SELECT reasons, selections, serial FROM sheets WHERE id = ?", (stored.id,)).fetchone()
    assert tuple(row) == ('["unreadable_file"]', None, None)


def test_a_reading_from_the_reader():
    pay = payload.make_payload(b"k" * 32, b"camp", b"inst", 7, b"12345678")
    it = Interpretation("counted", ["a", "b"], pay, 7, {"q": ["o"]}, {"reader": 1})
    assert SheetReading.from_interpretation(it) == SheetReading("counted", ("a", "b"), b"12345678", 7, {"q": ["o"]},
                                                                {"reader": 1})
    assert SheetReading.from_interpretation(Interpretation("rejected", ["no_qr"])).reason == "no_qr"


def test_final_sheets_are_typed(kiosk):
    machine = add_sheet(kiosk)
    person = add_sheet(kiosk, "review", {"specialist": [], "rating": []}, reasons=["blank_ballot"])
    kiosk.store.add_decision(person.id, "reject", None, "damaged", "office")
    finals = {f.sheet_id: f for f in kiosk.store.final_sheets()}
    assert finals[machine.id] == FinalSheet(machine.id, machine.serial, machine.image_sha256, "counted", "counted",
                                            machine.selections, "machine")
    assert finals[person.id] == FinalSheet(person.id, person.serial, person.image_sha256, "review", "rejected",
                                           None, "office")


def test_export_records_are_the_batch_json(kiosk, tmp_path):
    for _ in range(3):
        add_sheet(kiosk)
    res = export_batch(kiosk, tmp_path / "out")
    raw = zipfile.ZipFile(res.path).read("records.json")
    records = [ExportRecord.from_json(r) for r in json.loads(raw)]
    assert canonical_json([r.to_json() for r in records]) == raw
    assert list(records[0].to_json()) == ["serial", "status", "selections", "decided_by", "image_sha256", "payload"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        records[0].status = "rejected"  # type: ignore[misc]
