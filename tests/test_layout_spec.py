"""The layout spec as typed data: its JSON is exactly what was built and stored.

The layout id printed in every QR code is a hash of the spec's canonical JSON,
so the typed spec must give the same bytes, and read back every spec a kiosk
database already holds.  tests/data/demo-layouts.jsonl holds the demo
campaign's specs of layout algorithm 1 (each institution, A5 then A4) as a
kiosk stored them; they must still read back byte for byte.
tests/data/demo-layouts-2.jsonl holds the demo campaign's specs as algorithm 2
builds them: their ids are pinned, so a change to the drawing rules that
changes a ballot is noticed (and gets a new ``LAYOUT_ALGO``).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import pickle
from pathlib import Path

import pytest

from kiosk.ballot.layout import LAYOUT_ALGO, build_layout, layouts_for
from kiosk.ballot.spec import Box, LayoutSpec, canonical, layout_id
from kiosk.storage.store import Store

STORED = Path(__file__).parent / "data" / "demo-layouts.jsonl"
BUILT = Path(__file__).parent / "data" / "demo-layouts-2.jsonl"

# algorithm 1: (institution, page) -> (layout id, SHA-256 of the canonical bytes), as printed in QR codes then
PINNED = {
    ("kuldiga-vpvkac", "a5"): (0x141FF1F2, "141ff1f21c6f1b03154e68084d7f8162b37eab588449b904b90e634ee5d640b2"),
    ("kuldiga-vpvkac", "a4"): (0x4A320A31, "4a320a3150a90010b48087defdf922fa1dbfac45dadf72564ab492c6266a2e91"),
    ("vzd-riga", "a5"): (0x9ADFD8EC, "9adfd8eca9baa77844cb8e1458c970eddc99e5593ba6089c64b3c8d1ae97076c"),
    ("vzd-riga", "a4"): (0x4FA5AF23, "4fa5af2356894841f0e62d902c5658775a0a4976a46bdf8dcb645cfd3d8b9b04"),
    ("valmiera-soc", "a5"): (0x6DB837D5, "6db837d51f19859a8114741a2d50aacdc8efad62f4e238d98979d498303c0bfe"),
    ("valmiera-soc", "a4"): (0x8A451AC7, "8a451ac70cac5c634a3828c90f0b44b5c9025c8d5d7c519cdd1ff0301047f030"),
}


def stored_texts() -> list[str]:
    return STORED.read_text(encoding="utf-8").splitlines()


def built_texts() -> list[str]:
    return BUILT.read_text(encoding="utf-8").splitlines()


def test_earlier_layout_ids_and_canonical_bytes_stay_as_printed():
    stored = {(d["institution"], d["page"]): LayoutSpec.from_json(d) for d in map(json.loads, stored_texts())}
    assert set(stored) == set(PINNED)
    for key, (pinned_id, pinned_sha) in PINNED.items():
        spec = stored[key]
        assert spec.algo == 1 and spec.id == pinned_id, key
        assert hashlib.sha256(spec.canonical()).hexdigest() == pinned_sha, key
        assert spec.id == layout_id(spec.to_json()) == int(pinned_sha[:8], 16)


def test_built_specs_give_exactly_the_pinned_json(demo_campaign):
    """Every demo layout as algorithm 2 builds it, character for character, with its id."""
    built = [s for inst in demo_campaign.institutions for s in layouts_for(demo_campaign, inst)]
    assert [json.dumps(s.to_json(), ensure_ascii=False) for s in built] == built_texts()
    for spec, text in zip(built, built_texts()):
        assert spec.algo == LAYOUT_ALGO == 2
        assert spec.canonical() == canonical(json.loads(text)) and spec.id == layout_id(json.loads(text))
        assert LayoutSpec.from_json(json.loads(text)) == spec
    # every earlier layout's id differs from every new one: both stay registered side by side
    assert not {json.loads(t)["id"] for t in stored_texts()} & {s.id for s in built}


def test_specs_stored_earlier_read_back_unchanged():
    for text in stored_texts():
        data = json.loads(text)
        spec = LayoutSpec.from_json(data)
        assert spec.to_json() == data
        assert json.dumps(spec.to_json(), ensure_ascii=False) == text
        assert spec.id == data["id"] == layout_id(data)
        assert LayoutSpec.from_json(spec.to_json()) == spec


def test_the_store_keeps_specs_as_they_were_stored(tmp_path, demo_campaign):
    inst = demo_campaign.institutions[0]
    with Store(tmp_path / "k.db") as store:
        specs = layouts_for(demo_campaign, inst)
        store.register_layouts(specs)
        rows = store.db.execute("SELECT layout_id, page, spec FROM layouts ORDER BY rowid").fetchall()
        assert [tuple(r) for r in rows] == [(s.id, s.page, t) for s, t in zip(specs, built_texts()[:2])]
        for spec in specs:
            assert store.layout(demo_campaign.id, inst.id, spec.id) == spec
        assert store.layout(demo_campaign.id, inst.id, 12345) is None
        # a spec written by an earlier version is read as it is
        old = json.loads(stored_texts()[2])
        store.db.execute("INSERT INTO layouts VALUES (?, ?, ?, ?, ?, '2026-01-01T00:00:00+00:00')",
                         (old["campaign"], old["institution"], old["id"], old["page"], stored_texts()[2]))
        assert store.layout(old["campaign"], old["institution"], old["id"]).to_json() == old


def test_the_typed_spec_matches_the_layout(demo_campaign):
    inst = demo_campaign.institutions[0]
    spec = build_layout(demo_campaign, inst, "a5")
    assert spec.page_mm == (148.0, 210.0) and spec.page == "a5"
    assert [(m.x, m.y) for m in spec.marks] == [(11.0, 11.0), (137.0, 11.0), (11.0, 199.0), (137.0, 199.0)]
    assert spec.qr.corners[2] == (spec.qr.x + spec.qr.size, spec.qr.y + spec.qr.size)
    specialists = spec.questions[0]
    assert [o.id for o in specialists.options] == [s.id for s in inst.specialists]
    assert isinstance(specialists.options[0].box, Box)
    x, y, w, h = specialists.options[0].box
    assert w == h and 5.0 <= w <= 9.5
    assert {o.box.w for _, o in spec.boxes} == {w}  # one box size per page
    assert [(q, o.id) for q, o in spec.boxes] == [(q.id, o.id) for q in spec.questions for o in q.options]
    assert spec.box_array.shape == (len(spec.boxes), 4) and not spec.box_array.flags.writeable
    assert spec.box_array[0].tolist() == list(specialists.options[0].box)
    assert spec.mark_centres.tolist() == [[m.x, m.y] for m in spec.marks]
    assert spec.qr_corners.tolist() == [list(c) for c in spec.qr.corners]
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.page = "a4"  # type: ignore[misc]


def test_labels_come_from_the_spec(demo_campaign):
    inst = demo_campaign.institutions[0]
    spec = build_layout(demo_campaign, inst)
    specialists, rating = spec.questions
    assert spec.question_labels == {specialists.id: specialists.label, rating.id: rating.label}
    assert spec.option_labels[specialists.id] == {s.id: s.name for s in inst.specialists}
    assert spec.option_labels[rating.id] == {str(v): str(v) for v in range(1, 6)}
    first = inst.specialists[0]
    assert spec.labelled({specialists.id: [first.id], rating.id: ["4"]}) == {
        specialists.label: [first.name], rating.label: ["4"]}
    # what the spec does not know stays as it is
    assert spec.labelled({specialists.id: ["nobody"], "other": ["x"]}) == {specialists.label: ["nobody"], "other": ["x"]}


def test_a_spec_travels_to_worker_processes_without_its_derived_views(demo_campaign):
    spec = build_layout(demo_campaign, demo_campaign.institutions[0])
    _ = spec.option_labels, spec.box_array  # computed and kept with this object
    copy = pickle.loads(pickle.dumps(spec))
    assert copy == spec and "box_array" not in vars(copy) and "option_labels" not in vars(copy)
    assert copy.box_array.tolist() == spec.box_array.tolist()


def test_a_spec_that_cannot_be_reproduced_exactly_is_refused():
    data = json.loads(stored_texts()[0])
    for broken in ({**data, "extra": 1}, {k: v for k, v in data.items() if k != "texts"},
                   {**data, "qr": {**data["qr"], "quiet": 4}}):
        with pytest.raises(ValueError):
            LayoutSpec.from_json(broken)
