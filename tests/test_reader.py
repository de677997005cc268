"""The reader on real printed ballots: rendered, marked, rotated, skewed, photographed."""
from __future__ import annotations

import json
import random

import corpus
import numpy as np
import pytest
import sheets
from PIL import Image, ImageDraw

from kiosk.ballot import payload
from kiosk.reading.reader import Thresholds, project


def first(spec):
    q = spec.questions[0]
    return q.id, q.options[0].id


@pytest.mark.parametrize("page_size", ["a5", "a4"])
@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_clean_render_is_counted_as_marked(kiosk, tmp_path, page_size, dpi):
    img, spec, serial = sheets.ballot(kiosk, tmp_path, {"specialist": "k-berzina", "rating": "2"}, dpi=dpi, page_size=page_size)
    it = sheets.read(kiosk, img)
    assert (it.status, it.reasons) == ("counted", [])
    assert it.selections == {"specialist": ["k-berzina"], "rating": ["2"]}
    assert it.serial == serial
    assert it.details["payload"]["serial"] == payload.serial_text(serial)


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_any_orientation_and_skew(kiosk, tmp_path, turn):
    img, spec, _ = sheets.ballot(kiosk, tmp_path, {"specialist": "k-zvaigzne", "rating": "5"}, kind="tick")
    for skew in (-4.5, 0.0, 3.0):
        page = sheets.rotate(sheets.scanner(img, skew=skew, seed=turn), turn)
        it = sheets.read(kiosk, page)
        assert it.status == "counted", (skew, it.reasons, it.details.get("marks"))
        assert it.selections == {"specialist": ["k-zvaigzne"], "rating": ["5"]}
        assert it.details["rotation"] == (360 - turn) % 360
        assert abs(it.details["skew_deg"] + skew) < 0.3


@pytest.mark.parametrize("seed", range(3))
def test_perspective_webcam_photo(kiosk, tmp_path, seed):
    img, spec, _ = sheets.ballot(kiosk, tmp_path, {"specialist": "k-kalnins", "rating": "1"}, dpi=300, seed=seed)
    frame = sheets.photo(img, (1280, 720), seed=seed, tilt=0.16, turn=[90, 270, 90][seed])
    it = sheets.read(kiosk, frame)
    assert it.status == "counted", it.reasons
    assert it.selections == {"specialist": ["k-kalnins"], "rating": ["1"]}


@pytest.mark.parametrize("kind", ["cross", "tick", "fill", "big_cross"])
def test_clear_marks_count(kiosk, tmp_path, kind):
    img, spec, _ = sheets.ballot(kiosk, tmp_path, {"specialist": "k-ozolina", "rating": "3"}, kind=kind)
    it = sheets.read(kiosk, sheets.scanner(img))
    assert (it.status, it.selections) == ("counted", {"specialist": ["k-ozolina"], "rating": ["3"]})


@pytest.mark.parametrize("kind", ["dot", "faint"])
def test_dots_and_faint_marks_go_to_review(kiosk, tmp_path, kind):
    img, spec, _ = sheets.ballot(kiosk, tmp_path, {"specialist": "k-ozolina"}, kind="cross")
    sheets.mark(img, spec, "rating", "4", 200, kind)
    it = sheets.read(kiosk, sheets.scanner(img))
    assert (it.status, it.reasons) == ("review", ["marginal_mark"])
    box = next(b for b in it.details["boxes"] if (b["question"], b["option"]) == ("rating", "4"))
    assert box["state"] == "marginal"
    assert it.details["questions"]["rating"]["state"] == "marginal"


def test_outcomes_per_question(kiosk, tmp_path):
    over, _, _ = sheets.ballot(kiosk, tmp_path, {"specialist": ("k-ozolina", "k-berzina"), "rating": "3"})
    it = sheets.read(kiosk, over)
    assert (it.status, it.reasons) == ("review", ["overvote"])
    assert it.selections["specialist"] == ["k-ozolina", "k-berzina"]

    optional_blank, _, _ = sheets.ballot(kiosk, tmp_path, {"specialist": "k-kalnins"})
    it = sheets.read(kiosk, optional_blank)
    assert (it.status, it.selections) == ("counted", {"specialist": ["k-kalnins"], "rating": []})

    # the default review policy counts a question left blank, and a blank ballot, as cast
    required_blank, _, _ = sheets.ballot(kiosk, tmp_path, {"rating": "5"})
    it = sheets.read(kiosk, required_blank)
    assert (it.status, it.reasons, it.selections) == ("counted", [], {"specialist": [], "rating": ["5"]})
    assert it.details["questions"]["specialist"] == {"state": "blank", "marked": [], "case": "undervote"}
    assert it.details["counted_as_cast"] == ["undervote"]
    blank, _, _ = sheets.ballot(kiosk, tmp_path, {})
    it = sheets.read(kiosk, blank)
    assert (it.status, it.reasons, it.selections) == ("counted", [], {"specialist": [], "rating": []})
    assert it.details["counted_as_cast"] == ["blank_ballot"]

    # a campaign that wants a person to see them says so in its [review] table
    strict = {"undervote": "review", "blank_ballot": "review"}
    assert sheets.read(kiosk, required_blank, policy=strict).reasons == ["undervote"]
    it = sheets.read(kiosk, blank, policy=strict)
    assert (it.status, it.reasons) == ("review", ["blank_ballot"])


def test_writing_outside_the_boxes_is_ignored(kiosk, tmp_path):
    img, spec, _ = sheets.ballot(kiosk, tmp_path, {"specialist": "k-berzina", "rating": "4"})
    d = ImageDraw.Draw(img)
    s = 200 / 25.4
    rnd = random.Random(1)
    # scribbles in the free bands between the printed parts (clear of every box), and over a name
    bands = [r for r in corpus.margin_regions(spec) if r[3] > 6]
    assert bands
    for n in range(6):
        bx, by, bw, bh = bands[n % len(bands)]
        x, y = rnd.uniform(bx, bx + bw - 30) * s, rnd.uniform(by + 2, by + bh - 2) * s
        d.line([(x, y), (x + 25 * s, y + rnd.uniform(-1.5, 1.5) * s)], fill=40, width=3)
    x, y, w, h = sheets.box_px(spec, "specialist", "k-ozolina", 200)
    d.line([(x + w + 4 * s, y + h + 1 * s), (x + w + 40 * s, y + h + 1 * s)], fill=40, width=3)  # underlined name
    it = sheets.read(kiosk, sheets.scanner(img))
    assert (it.status, it.selections) == ("counted", {"specialist": ["k-berzina"], "rating": ["4"]})


def test_a_blotted_registration_mark_is_tolerated(kiosk, tmp_path):
    img, spec, _ = sheets.ballot(kiosk, tmp_path, {"specialist": "k-ozolina", "rating": "1"})
    m = spec.marks[2]
    s = 200 / 25.4
    ImageDraw.Draw(img).ellipse([(m.x - 6) * s, (m.y - 5) * s, (m.x + 7) * s, (m.y + 6) * s], fill=20)
    it = sheets.read(kiosk, img)
    assert it.status == "counted"
    assert [mk["found"] for mk in it.details["marks"]] == [True, True, False, True]


def test_a_page_without_marks_is_unreadable(kiosk, tmp_path):
    img, spec, _ = sheets.ballot(kiosk, tmp_path, {"specialist": "k-ozolina"})
    s = 200 / 25.4
    d = ImageDraw.Draw(img)
    for m in spec.marks[1:]:
        d.rectangle([(m.x - 5) * s, (m.y - 5) * s, (m.x + 5) * s, (m.y + 5) * s], fill=255)
    it = sheets.read(kiosk, img)
    assert (it.status, it.reasons) == ("rejected", ["unreadable_marks"])
    assert it.serial is not None  # the payload was genuine: the review screen can say which ballot


def test_blank_back_and_no_qr(kiosk, tmp_path):
    img, spec, _ = sheets.ballot(kiosk, tmp_path, {"specialist": "k-ozolina"})
    a = np.asarray(img, dtype=np.float32)
    back = Image.fromarray((255 - 0.03 * (255 - a[:, ::-1])).astype(np.uint8))  # faint show-through
    it = sheets.read(kiosk, sheets.scanner(back))
    assert (it.status, it.reasons) == ("rejected", ["blank_back"])
    # the same page with its QR code torn off is a ballot that cannot be read
    q = spec.qr
    s = 200 / 25.4
    ImageDraw.Draw(img).rectangle([(q.x - 2) * s, (q.y - 2) * s, (q.x + q.size + 2) * s, (q.y + q.size + 2) * s], fill=255)
    assert sheets.read(kiosk, img).reasons == ["no_qr"]


def test_foreign_and_forged_ballots(kiosk, other_kiosk, tmp_path):
    other, _, _ = sheets.ballot(other_kiosk, tmp_path, {"specialist": other_kiosk.institution.specialists[0].id})
    assert sheets.read(kiosk, other).reasons == ["other_institution"]
    cases = {
        "bad_tag": sheets.forged_pdf(kiosk, tmp_path, key=b"\x07" * 32, name="a.pdf"),
        "foreign_campaign": sheets.forged_pdf(kiosk, tmp_path, campaign=b"XXXX", name="b.pdf"),
        "unknown_layout": sheets.forged_pdf(kiosk, tmp_path, layout=12345, name="c.pdf"),
    }
    for reason, pdf in cases.items():
        it = sheets.read(kiosk, sheets.render(pdf))
        assert (it.status, it.reasons, it.serial) == ("rejected", [reason], None)
    # a QR code that is not a ballot's
    import zxingcpp

    code = Image.fromarray(np.asarray(zxingcpp.create_barcode("https://example.org", zxingcpp.BarcodeFormat.QRCode).to_image(scale=8)))
    page = Image.new("L", (1166, 1654), 255)
    page.paste(code.convert("L"), (300, 500))
    assert sheets.read(kiosk, page).reasons == ["not_ballot"]


def test_interpretation_holds_what_review_needs(kiosk, tmp_path):
    img, spec, _ = sheets.ballot(kiosk, tmp_path, {"specialist": "k-berzina", "rating": "2"})
    page = sheets.rotate(sheets.scanner(img, skew=2.0), 90)
    it = sheets.read(kiosk, page)
    d = json.loads(json.dumps(it.details))  # JSON-able as stored
    for key in ("decoder", "payload", "page_px", "rotation", "skew_deg", "homography", "marks", "boxes", "thresholds", "timing_ms"):
        assert key in d
    assert d["thresholds"] == Thresholds().to_dict()
    assert d["page_px"] == [page.width, page.height]
    hm = np.array(d["homography"])
    n_boxes = sum(len(q.options) for q in spec.questions)
    assert len(d["boxes"]) == n_boxes
    for b in d["boxes"]:
        assert set(b) >= {"question", "option", "score", "state", "polygon"}
        box = next(o.box for q in spec.questions for o in q.options if (q.id, o.id) == (b["question"], b["option"]))
        x, y, w, h = box
        want = project(hm, [(x, y), (x + w, y), (x + w, y + h), (x, y + h)])
        assert np.abs(np.array(b["polygon"]) - want).max() < 12  # the printed outline, refined locally
    # the homography puts a printed box where the page has its dark outline
    a = np.asarray(page)
    for b in d["boxes"]:
        (x0, y0), (x1, y1) = b["polygon"][0], b["polygon"][1]
        px, py = int(round((x0 + x1) / 2)), int(round((y0 + y1) / 2))
        assert a[py - 2: py + 3, px - 2: px + 3].min() < 120
    states = {(b["question"], b["option"]): b["state"] for b in d["boxes"]}
    assert states[("specialist", "k-berzina")] == states[("rating", "2")] == "marked"
    assert sum(s == "marked" for s in states.values()) == 2


def test_thresholds_are_configurable(kiosk, tmp_path):
    img, spec, _ = sheets.ballot(kiosk, tmp_path, {"specialist": "k-ozolina", "rating": "4"}, kind="tick")
    strict = Thresholds(peak=9.0)  # no stroke is ever that dark: nothing counts, all is doubtful
    it = sheets.read(kiosk, img, thresholds=strict)
    assert (it.status, it.reasons) == ("review", ["marginal_mark"])
    assert it.details["thresholds"]["peak"] == 9.0
    assert Thresholds.from_dict({"peak": "0.5", "nonsense": 1}) == Thresholds(peak=0.5)


def test_both_qr_backends_read_the_same(kiosk, tmp_path):
    img, spec, serial = sheets.ballot(kiosk, tmp_path, {"specialist": "k-zvaigzne", "rating": "3"})
    for turn in (0, 180):
        page = sheets.rotate(sheets.scanner(img, skew=1.5), turn)
        a = sheets.read(kiosk, page, backend="zxing")
        b = sheets.read(kiosk, page, backend="zbar")
        assert (a.status, a.selections, a.serial) == (b.status, b.selections, b.serial) == (
            "counted", {"specialist": ["k-zvaigzne"], "rating": ["3"]}, serial)
        assert a.details["decoder"] == "zxing" and b.details["decoder"] == "zbar"
        assert np.abs(np.array(a.details["homography"]) - np.array(b.details["homography"])).max() < 0.05 * np.abs(np.array(a.details["homography"])).max()


def test_two_ballots_in_one_image_are_not_read(kiosk, tmp_path):
    a, _, _ = sheets.ballot(kiosk, tmp_path, {"specialist": "k-ozolina"}, dpi=150)
    b, _, _ = sheets.ballot(kiosk, tmp_path, {"specialist": "k-berzina"}, dpi=150)
    both = Image.new("L", (a.width * 2 + 40, a.height), 255)
    both.paste(a, (0, 0))
    both.paste(b, (a.width + 40, 0))
    it = sheets.read(kiosk, both)
    assert (it.status, it.reasons) == ("rejected", ["multiple_qr"])


def test_a_box_whose_outline_is_gone_is_unclear(kiosk, tmp_path):
    img, spec, _ = sheets.ballot(kiosk, tmp_path, {"specialist": "k-ozolina", "rating": "2"})
    x, y, w, h = sheets.box_px(spec, "rating", "5", 200)
    ImageDraw.Draw(img).rectangle([x - 6, y - 6, x + w + 6, y + h + 6], fill=255)  # torn off, or white-out
    it = sheets.read(kiosk, img)
    assert (it.status, it.reasons) == ("review", ["unclear_box"])
    assert next(b for b in it.details["boxes"] if b["option"] == "5")["state"] == "unclear"
    d = ImageDraw.Draw(img)
    for q in spec.questions:
        for o in q.options[:3]:
            x, y, w, h = sheets.box_px(spec, q.id, o.id, 200)
            d.rectangle([x - 6, y - 6, x + w + 6, y + h + 6], fill=255)
    assert sheets.read(kiosk, img).reasons == ["unreadable_marks"]
