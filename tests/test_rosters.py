"""Ballots for real institutions: large rosters in columns, the number grid, write-ins,
damaged QR codes, the review policy, and what the voter reads on the page.

Real layouts, real PDFs (pdftotext), real rendered and marked ballots through the
real reader, real SQLite kiosks.
"""
from __future__ import annotations

import itertools
import random
import subprocess
import tomllib
from pathlib import Path

import corpus
import numpy as np
import pytest
import rosters
import sheets
from PIL import ImageDraw

from kiosk.assets import demo_campaign_path
from kiosk.ballot import layout, payload
from kiosk.ballot.campaign import Institution, Specialist, parse_campaign
from kiosk.ballot.layout import build_layout
from kiosk.ballot.spec import LayoutSpec
from kiosk.errors import CampaignError, KioskError
from kiosk.intake.review import Review, clips, roster_matches
from kiosk.intake.scan import scan_paths
from kiosk.lang import fold, search_names, surname_key
from kiosk.access.auth import Auth
from kiosk.access.roles import Role

LV_LETTERS = "āčēģīķļņšūž"


def campaign_with(n: int, page: str, *, seed: int = 1, positions: bool = True, **kw):
    rng = random.Random(seed)
    inst = {"id": "big", "name": rosters.institution_name(rng), "specialists": rosters.roster(n, rng, positions=positions)}
    return parse_campaign(rosters.campaign([inst], page_size=page, **kw))


def boxes_apart(spec: LayoutSpec) -> float:
    """The smallest distance between two boxes of the page (mm, any direction)."""
    best = 1e9
    for (_, a), (_, b) in itertools.combinations(spec.boxes, 2):
        ax, ay, aw, ah = a.box
        bx, by, bw, bh = b.box
        dx = max(bx - (ax + aw), ax - (bx + bw), 0.0)
        dy = max(by - (ay + ah), ay - (by + bh), 0.0)
        best = min(best, (dx * dx + dy * dy) ** 0.5)
    return best


def pdf_text(spec: LayoutSpec, tmp: Path, name: str = "b.pdf") -> str:
    from kiosk.ballot.pdf import write_pdf

    p = payload.make_payload(b"k" * 32, b"cccc", b"iiii", spec.id, payload.new_serial())
    write_pdf(spec, [(p.text(), payload.printed_serial(p, spec.serial_text.check))], tmp / name)
    return subprocess.run(["pdftotext", "-raw", str(tmp / name), "-"], capture_output=True, text=True, check=True).stdout


# -- large rosters on one sheet -------------------------------------------------------------

@pytest.mark.parametrize("page, count", [("a5", 24), ("a4", 60)])
def test_the_goal_rosters_fit_with_positions_shown(page, count, tmp_path):
    for seed in range(3):
        c = campaign_with(count, page, seed=seed)
        inst = c.institutions[0]
        spec = build_layout(c, inst, page)
        (q, _rating) = spec.questions
        assert len(q.options) == count
        text = pdf_text(spec, tmp_path)
        flat = " ".join(text.replace("-\n", "-").split())
        for s in inst.specialists:  # every name whole, with its diacritics; the positions shown
            assert s.name in flat
            if s.position:
                assert s.position.split()[0] in flat
        assert min(o.box.w for _, o in spec.boxes) >= 5.0
        assert boxes_apart(spec) >= 2.0 - 1e-6
        # several columns, filled alphabetically by surname (Latvian order), top to bottom
        columns = sorted({o.box.x for o in q.options})
        assert len(columns) >= 2
        in_order = sorted(q.options, key=lambda o: (o.box.x, o.box.y))
        assert [surname_key(o.label) for o in in_order] == sorted(surname_key(o.label) for o in in_order)


def test_more_fit_without_positions_and_positions_go_first(tmp_path):
    c = campaign_with(42, "a5")
    assert not layout._fit(c, c.institutions[0], "a5", "lv")[3].positions  # the positions went, not the names
    spec = build_layout(c, c.institutions[0], "a5")
    text = " ".join(pdf_text(spec, tmp_path).replace("-\n", "-").split())
    assert all(s.name in text for s in c.institutions[0].specialists)
    positions = {s.position for s in c.institutions[0].specialists if s.position}
    assert positions and not any(t.text in positions for t in spec.texts)
    assert boxes_apart(spec) >= 2.0 - 1e-6


def test_a_long_institution_name_wraps_in_the_header_and_nothing_overlaps(tmp_path):
    c = campaign_with(30, "a4", seed=4)
    inst = c.institutions[0]
    long_name = rosters._longest(random.Random(0), 40)
    c = parse_campaign(rosters.campaign([{"id": "big", "name": ("Valsts sociālās apdrošināšanas aģentūras un Valsts "
                                          "ieņēmumu dienesta kopīgais klientu apkalpošanas centrs Rīgā, Čiekurkalna "
                                          "1. līnijā 11, ieeja no pagalma")[:150],
                                          "specialists": [{"id": f"s{i}", "name": s.name, "position": s.position}
                                                          for i, s in enumerate(inst.specialists)]
                                          + [{"id": "long", "name": long_name}]}], page_size="a4"))
    spec = build_layout(c, c.institutions[0], "a4")
    text = pdf_text(spec, tmp_path)
    assert "kopīgais klientu" in " ".join(text.split())
    flat = " ".join(text.replace("-\n", "-").split())
    assert long_name in flat  # 40 characters, wrapped at its hyphens, never cut
    head = [t for t in spec.texts if t.y < spec.qr.y + spec.qr.size and t.x < spec.qr.x]
    widths = [layout.text_width_mm(t.text, layout.font_name(t.bold, t.font), t.size) for t in head]
    assert all(t.x + w < spec.qr.x - 2 for t, w in zip(head, widths))  # header text stays left of the QR code


def test_the_wording_agrees_with_the_questions(demo_campaign, tmp_path):
    spec = build_layout(demo_campaign, demo_campaign.institutions[0], "a5")
    flat = " ".join(pdf_text(spec, tmp_path).split())
    assert "Atzīmējiet vienu rūtiņu katrā jautājumā ar krustiņu ✗ vai ķeksīti ✓; otrais jautājums nav obligāts." in flat
    assert "Ja kļūdījāties, neko nelabojiet: lūdziet jaunu biļetenu." in flat
    assert "Numurs tikai sargā pret kopijām; tas nav saistīts ar jums." in flat
    assert "Balsojums ir anonīms." in flat
    en = build_layout(demo_campaign, demo_campaign.institutions[0], "a5", lang="en")
    flat = " ".join(pdf_text(en, tmp_path, "en.pdf").split())
    assert "Mark one box in each question with a cross ✗ or a tick ✓; the second question is optional." in flat
    assert "ask for a new ballot" in flat
    # the instruction follows the questions: every one optional, two of three optional
    data = tomllib.loads(demo_campaign_path().read_text(encoding="utf-8"))
    assert layout.instruction([type("Q", (), {"optional": True})()] * 2, "lv").startswith(
        "Atzīmējiet vienu rūtiņu katrā jautājumā ar krustiņu ✗ vai ķeksīti ✓; neviens jautājums nav obligāts.")
    qs = [type("Q", (), {"optional": o})() for o in (False, True, True)]
    assert "otrais un trešais jautājums nav obligāti" in layout.instruction(qs, "lv")
    assert "the second and third questions are optional" in layout.instruction(qs, "en")
    assert data["review"] == {"undervote": "count", "blank_ballot": "count"}


def test_a_short_roster_fills_the_page(demo_campaign):
    """No half-empty A5: the boxes and type grow and the rows spread."""
    for inst in demo_campaign.institutions[:3]:
        spec = build_layout(demo_campaign, inst, "a5")
        bottom = max(o.box.y + o.box.h for _, o in spec.boxes)
        assert bottom > 0.72 * spec.page_mm[1], (inst.id, bottom)
        assert spec.questions[0].options[0].box.w >= 7.0


def test_the_number_grid_holds_200_on_a4_and_reads_back(tmp_path):
    c = campaign_with(200, "a4", style="number")
    spec = build_layout(c, c.institutions[0], "a4")
    (q, _rating) = spec.questions
    assert q.is_number and q.digits == 3 and len(q.roster) == 200 and len(q.options) == 30
    assert [r.number for r in q.roster] == list(range(1, 201))
    assert [surname_key(r.label) for r in q.roster] == sorted(surname_key(r.label) for r in q.roster)
    assert spec.option_labels[q.id] == {r.id: r.label for r in q.roster}
    assert boxes_apart(spec) >= 2.0 - 1e-6
    flat = " ".join(pdf_text(spec, tmp_path).replace("-\n", "-").split())
    assert all(f"{r.number}. {r.label}" in flat for r in q.roster)
    # number_above: a roster longer than that gets the grid, a shorter one boxes
    above = campaign_with(50, "a4", number_above=40)
    assert build_layout(above, above.institutions[0], "a4").questions[0].is_number
    below = campaign_with(30, "a4", number_above=40)
    assert not build_layout(below, below.institutions[0], "a4").questions[0].is_number


def test_earlier_layouts_still_read_as_they_were_stored():
    stored = (Path(__file__).parent / "data" / "demo-layouts.jsonl").read_text(encoding="utf-8").splitlines()
    import json

    for text in stored:
        spec = LayoutSpec.from_json(json.loads(text))
        assert spec.algo == 1 and spec.rules == () and spec.serial_text.check == 0
        assert json.dumps(spec.to_json(), ensure_ascii=False) == text
        assert all(q.style == "boxes" and q.choices == tuple((o.id, o.label) for o in q.options) for q in spec.questions)


# -- campaign validation ---------------------------------------------------------------------

def _problems(data) -> list:
    with pytest.raises(CampaignError) as e:
        parse_campaign(data)
    return e.value.problems


def test_a_roster_that_cannot_fit_names_its_limit_and_never_the_page_chosen():
    rng = random.Random(3)
    inst = {"id": "big", "name": "Liels klientu centrs", "specialists": rosters.roster(70, rng)}
    (p,) = _problems(rosters.campaign([inst], page_size="a5"))
    assert p.field == "institutions[1].specialists" and p.code == "roster_too_long_for_page"
    lv, en = p.describe("lv"), p.describe("en")
    assert "70 speciālisti neietilpst A5 lapā" in lv and 'page_size = "A4"' in lv and 'style = "number"' in lv
    assert "(" in lv and int(p.params["max"]) >= 36
    assert "A5" not in lv.split("izvēlieties")[1]  # it suggests A4, never the page already chosen
    assert "70 specialists do not fit on A5" in en and 'page_size = "A4"' in en and "A5" not in en.split("choose")[1]
    inst = {"id": "big", "name": "Liels klientu centrs", "specialists": rosters.roster(110, rng)}
    (p,) = _problems(rosters.campaign([inst], page_size="a4"))
    assert p.code == "roster_too_long" and "A4" in p.describe("lv") and "izvēlieties A4" not in p.describe("lv")
    assert 'style = \\"number\\"' not in p.describe("lv") and 'style = "number"' in p.describe("lv")
    assert int(p.params["max"]) >= 80
    # as a numbered list it fits; beyond what a numbered list holds, the limit is named again
    parse_campaign(rosters.campaign([inst], page_size="a4", style="number"))
    inst = {"id": "big", "name": "Liels klientu centrs", "specialists": rosters.roster(260, rng)}
    (p,) = _problems(rosters.campaign([inst], page_size="a4", style="number"))
    assert p.code == "roster_too_long_numbered" and int(p.params["max"]) >= 200


def test_printing_a_roster_too_long_says_what_to_do(kiosk):
    rng = random.Random(2)
    people = tuple(Specialist(s["id"], s["name"], s.get("position", "")) for s in rosters.roster(70, rng))
    inst = Institution("big", "Liels centrs", "", people)
    with pytest.raises(KioskError) as e:
        build_layout(kiosk.campaign, inst, "a5")
    assert e.value.code == "layout.too_long_for_page"
    assert "Izvēlieties A4" in e.value.message("lv") and "Choose A4" in e.value.message("en")
    with pytest.raises(KioskError) as e:
        build_layout(kiosk.campaign, Institution("big", "x", "", people * 2), "a4")
    assert e.value.code == "layout.too_long" and "A4" not in e.value.message("lv").split(":")[1]


def test_the_review_policy_is_read_and_checked():
    data = rosters.campaign([{"id": "a", "name": "A", "specialists": rosters.roster(3, random.Random(1))}])
    c = parse_campaign(data)
    assert c.review["undervote"] == "count" and c.review["overvote"] == "review"
    c = parse_campaign({**data, "review": {"undervote": "review", "blank_ballot": "review"}})
    assert c.review["undervote"] == c.review["blank_ballot"] == "review"
    problems = _problems({**data, "review": {"overvote": "count", "blank_ballot": "maybe", "nonsense": "review"}})
    assert [(p.field, p.code) for p in problems] == [("review.overvote", "review_required"),
                                                     ("review.blank_ballot", "bad_review_value"),
                                                     ("review.nonsense", "unknown_field")]
    assert "vienmēr izlemj cilvēks" in problems[0].describe("lv")
    bad = rosters.campaign([{"id": "a", "name": "A", "specialists": rosters.roster(3, random.Random(1))}], style="grid")
    bad["questions"][1]["write_in"] = True
    assert {(p.field, p.code) for p in _problems(bad)} == {("questions[1].style", "bad_style"),
                                                           ("questions[2].write_in", "specialist_only")}


def test_the_demo_campaign_has_a_large_institution_with_every_latvian_letter(demo_campaign):
    big = demo_campaign.institution(demo_campaign.demo_institution)
    assert len(big.specialists) >= 40
    names = " ".join(s.name for s in big.specialists)
    assert set(LV_LETTERS) <= set(names.lower()) and set(LV_LETTERS.upper()) <= set(names)
    spec = build_layout(demo_campaign, big, "a5")
    assert len(spec.questions[0].options) == len(big.specialists) and boxes_apart(spec) >= 2.0 - 1e-6


# -- typing a name ------------------------------------------------------------------------------

def test_names_are_found_without_their_diacritics(demo_campaign):
    big = demo_campaign.institution("riga-vid-klientu-centrs")
    spec = build_layout(demo_campaign, big, "a5")
    q = spec.questions[0]
    assert fold("Ķēniņš Kalniņš") == "kenins kalnins"
    found = [c.label for c in roster_matches(q, "kalnins")]
    assert found[0] == "Kārlis Kalniņš" and "Ķirsta Kalniņa" not in found
    assert [c.label for c in roster_matches(q, "kalnin")] == ["Ķirsta Kalniņa", "Kārlis Kalniņš"]
    assert [c.label for c in roster_matches(q, "zvaigz")] == ["Aigars Žvaigzne"]
    assert [c.label for c in roster_matches(q, "ELINA kirse")] == ["Elīna Eglīte-Ķirse"]
    assert [c.label for c in roster_matches(q, "ņina")] == ["Ņina Nikolajeva"]
    assert roster_matches(q, "") == [] and roster_matches(q, "xyz") == []
    # a numbered list: the number finds its specialist first
    c = campaign_with(120, "a4", style="number")
    qn = build_layout(c, c.institutions[0], "a4").questions[0]
    r = qn.roster[56]
    assert roster_matches(qn, "57")[0].id == r.id
    assert search_names("b", ["Ābele", "Bite", "Bērziņš"], lambda x: x) == ["Bērziņš", "Bite"]


# -- serials typed from the page ---------------------------------------------------------------

def test_a_typed_serial_rebuilds_the_payload_and_one_wrong_character_is_refused():
    key = bytes(range(32))
    p = payload.make_payload(key, b"cccc", b"iiii", 0x1234, bytes.fromhex("0123456789abcdef"))
    line = payload.printed_serial(p)
    assert len(line) == 15 + 5 and line.count("-") == 3
    typed = payload.parse_typed_serial(f"Nr. {line.lower().replace('-', ' ')}")
    assert payload.rebuild_payload(typed, key=key, campaign=b"cccc", institution=b"iiii", layouts=[7, 0x1234]) == p
    # 0, 1 and 8 typed for O, I and B
    look = line.replace("O", "0").replace("I", "1").replace("B", "8")
    assert payload.rebuild_payload(payload.parse_typed_serial(look), key=key, campaign=b"cccc", institution=b"iiii",
                                   layouts=[0x1234]) == p
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    plain = line.replace("-", "")
    for i in range(len(plain)):  # every single wrong character is refused
        for c in random.Random(i).sample([a for a in alphabet if a != plain[i]], 3):
            bad = plain[:i] + c + plain[i + 1:]
            with pytest.raises(KioskError) as e:
                t = payload.parse_typed_serial(bad)
                payload.rebuild_payload(t, key=key, campaign=b"cccc", institution=b"iiii", layouts=[0x1234])
            assert e.value.code in ("payload.bad_check", "payload.bad_serial_text")
    with pytest.raises(KioskError) as e:
        payload.rebuild_payload(payload.parse_typed_serial(line[:15]), key=key, campaign=b"cccc", institution=b"iiii",
                                layouts=[0x1234])
    assert e.value.code == "payload.no_check"
    for nonsense in ("", "ABC", "AAAA-AAAA-AAAAA-AAAA-AAAA", "ÄÄÄÄ"):
        with pytest.raises(KioskError) as e:
            payload.parse_typed_serial(nonsense)
        assert e.value.code == "payload.bad_serial_text"


# -- damaged QR codes --------------------------------------------------------------------------

@pytest.fixture
def helper(kiosk):
    auth = Auth(kiosk.store)
    auth.ensure_demo_users()
    return Review(kiosk, auth.sign_in(Role.HELPER, "2222"))


def _scribbled(kiosk, tmp_path, n: int, votes, *, heavy: bool = False, seed: int = 0):
    """Printed, marked ballots with a pen across the QR code, saved as scans."""
    files, serials = [], []
    for i in range(n):
        img, spec, serial = sheets.ballot(kiosk, tmp_path, votes, seed=seed + i)
        s = 200 / 25.4
        q = spec.qr
        d = ImageDraw.Draw(img)
        if heavy:  # a third of the code blacked out: no error correction brings that back
            d.rectangle([q.x * s, q.y * s, (q.x + q.size * 0.4) * s, (q.y + q.size) * s], fill=20)
        else:
            rng, nprng = random.Random(seed + i), np.random.default_rng(seed + i)
            corpus.paint(img, corpus.qr_scribble_strokes(spec, rng, 0.6), corpus.pen(rng), s, nprng)
        path = tmp_path / f"qr-{seed + i:03d}.png"
        sheets.scanner(img, skew=random.Random(i).uniform(-3, 3), seed=i).save(path)
        files.append(path)
        serials.append(serial)
    return files, serials


def test_a_scribble_across_a_finder_pattern_is_rescued(kiosk, tmp_path):
    files, serials = _scribbled(kiosk, tmp_path, 4, {"specialist": "k-kalnins", "rating": "4"})
    results = list(scan_paths(kiosk, files, workers=1))
    for r, serial in zip(results, serials):
        assert r.status in ("counted", "review")
        if r.status == "counted":
            assert r.serial == payload.serial_text(serial)
            assert kiosk.store.sheet(r.sheet_id).interpretation.get("qr_rescued") is True
        else:
            assert r.reason == "qr_damaged"
    assert sum(r.status == "counted" for r in results) >= 3


def test_a_damaged_code_goes_to_review_and_the_typed_serial_resolves_it(kiosk, helper, tmp_path):
    votes = {"specialist": "k-berzina", "rating": "5"}
    files, serials = _scribbled(kiosk, tmp_path, 2, votes, heavy=True)
    results = list(scan_paths(kiosk, files, workers=1))
    assert [(r.status, r.reason, r.serial) for r in results] == [("review", "qr_damaged", None)] * 2
    item = helper.item(results[0].sheet_id)
    assert item.needs_serial and item.machine == {"specialist": ["k-berzina"], "rating": ["5"]}
    assert item.spec is not None and item.spec.serial_text.check == 4
    # the serial must come first; one wrong character is refused
    with pytest.raises(KioskError) as e:
        helper.decide(item.sheet_id, item.machine)
    assert e.value.code == "review.serial_needed"
    p = payload.make_payload(kiosk.tag_key, kiosk.campaign.hash, kiosk.institution.hash, item.layout_id, serials[0])
    printed = payload.printed_serial(p)
    wrong = printed[:-1] + ("A" if printed[-1] != "A" else "B")
    with pytest.raises(KioskError) as e:
        helper.decide(item.sheet_id, item.machine, serial=wrong)
    assert e.value.code == "payload.bad_check"
    assert helper.decide(item.sheet_id, item.machine, serial=printed.lower())[0] == "confirm"
    assert helper.item(item.sheet_id).serial == payload.serial_text(serials[0])
    # the other sheet is a copy of the same ballot: its serial is taken
    with pytest.raises(KioskError) as e:
        helper.decide(results[1].sheet_id, item.machine, serial=printed)
    assert e.value.code == "review.serial_taken"
    helper.reject(results[1].sheet_id, "damaged")
    finals = {f.sheet_id: f for f in kiosk.store.final_sheets()}
    assert finals[results[0].sheet_id].serial == serials[0] and finals[results[0].sheet_id].final_status == "counted"
    assert finals[results[1].sheet_id].serial is None and finals[results[1].sheet_id].final_status == "rejected"
    # an undamaged code still reads on its own (the typed serial is only for damaged ones)
    pdf, _, (fresh_serial,) = sheets.print_pdf(kiosk, tmp_path)
    fresh_page = sheets.scanner(sheets.render(pdf))
    assert sheets.read(kiosk, fresh_page).serial == fresh_serial
    assert clips(helper.item(results[0].sheet_id), np.asarray(fresh_page)) == {}  # resolved: nothing to type any more


def test_a_typed_serial_this_kiosk_voided_is_told_and_a_person_decides(kiosk, helper, tmp_path):
    """The scanned path sends a voided serial to review (``voided_serial``); a serial typed for
    a damaged code is checked the same way: it checks out, the person is told it was voided."""
    jobs_before = {j["id"] for j in kiosk.store.print_jobs()}
    files, serials = _scribbled(kiosk, tmp_path, 1, {"specialist": "k-berzina", "rating": "5"}, heavy=True)
    (job_id,) = {j["id"] for j in kiosk.store.print_jobs()} - jobs_before
    kiosk.store.void_job(job_id, serials, "print.job_aborted")
    (r,) = scan_paths(kiosk, files, workers=1)
    assert (r.status, r.reason) == ("review", "qr_damaged")
    item = helper.item(r.sheet_id)
    p = payload.make_payload(kiosk.tag_key, kiosk.campaign.hash, kiosk.institution.hash, item.layout_id, serials[0])
    typed = helper.check_serial(r.sheet_id, payload.printed_serial(p))
    assert typed == serials[0] and helper.serial_voided(typed)
    pdf, _, (issued,) = sheets.print_pdf(kiosk, tmp_path)
    assert not helper.serial_voided(issued)
    assert helper.decide(r.sheet_id, item.machine, serial=payload.printed_serial(p))[0] == "confirm"


def test_a_typed_serial_stays_with_its_sheet_through_undo_and_reopen(kiosk, helper, tmp_path):
    """Taking back the decision keeps the serial typed for the sheet (it is never typed twice);
    once the ballot left in a batch, the office can no longer reopen it."""
    from kiosk.batches.export import export_batch

    files, serials = _scribbled(kiosk, tmp_path, 1, {"specialist": "k-ozolina", "rating": "3"}, heavy=True, seed=70)
    (r,) = scan_paths(kiosk, files, workers=1)
    item = helper.item(r.sheet_id)
    p = payload.make_payload(kiosk.tag_key, kiosk.campaign.hash, kiosk.institution.hash, item.layout_id, serials[0])
    _, decision = helper.decide(r.sheet_id, item.machine, serial=payload.printed_serial(p))
    helper.undo(decision)
    again = helper.item(r.sheet_id)
    assert again.serial == payload.serial_text(serials[0]) and not again.needs_serial
    assert helper.decide(r.sheet_id, {"specialist": ["k-ozolina"], "rating": []})[0] == "correct"
    result = export_batch(kiosk, tmp_path / "out")
    assert result.counted == 1
    office = Review(kiosk, Auth(kiosk.store).sign_in(Role.OFFICE, "3333"))
    with pytest.raises(KioskError) as e:
        office.reopen(r.sheet_id)
    assert e.value.code == "review.exported"


def test_a_resolved_damaged_ballot_exports_and_verifies(kiosk, helper, tmp_path):
    from kiosk.batches.export import export_batch
    from kiosk.central.verify import load_trust, verify_batches

    files, serials = _scribbled(kiosk, tmp_path, 1, {"specialist": "k-ozolina", "rating": "2"}, heavy=True, seed=50)
    (r,) = scan_paths(kiosk, files, workers=1)
    item = helper.item(r.sheet_id)
    p = payload.make_payload(kiosk.tag_key, kiosk.campaign.hash, kiosk.institution.hash, item.layout_id, serials[0])
    helper.decide(r.sheet_id, item.machine, serial=payload.printed_serial(p))
    result = export_batch(kiosk, tmp_path / "out")
    assert result.counted == 1 and result.pending == 0
    trust = load_trust(kiosk.root)
    (check,) = verify_batches([result.path], trust, kiosk.campaign)
    assert check.ok and [b.serial for b in check.ballots] == [payload.serial_text(serials[0])]


def test_only_sheets_that_are_no_ballots_are_rejected(kiosk, tmp_path):
    from PIL import Image

    page = Image.new("L", (1240, 1754), 245)
    d = ImageDraw.Draw(page)
    for i in range(40):
        d.text((100, 100 + i * 35), "Lorem ipsum dolor sit amet " * 3, fill=30)
    for x, y in ((80, 80), (1100, 80), (80, 1620), (1100, 1620)):  # four solid squares: still no ballot
        d.rectangle([x, y, x + 48, y + 48], fill=10)
    it = sheets.read(kiosk, page)
    assert (it.status, it.reasons) == ("rejected", ["no_qr"])


# -- write-ins ----------------------------------------------------------------------------------

@pytest.fixture
def writein_kiosk(tmp_path):
    data = rosters.campaign(rosters.institutions(1, [12], random.Random(9)), page_size="a5", write_in=True)
    k = rosters.enrolled(data, tmp_path / "wi")
    yield k
    k.close()


def _written(kiosk, tmp_path, n: int, *, box: bool = False) -> list[Path]:
    out = []
    for i in range(n):
        pdf, spec, _ = sheets.print_pdf(kiosk, tmp_path, 1, "a5")
        img = sheets.render(pdf, 0, 200)
        rng, nprng = random.Random(i), np.random.default_rng(i)
        q = spec.questions[0]
        marks = [corpus.MarkPlan("rating", "4", "cross", "4")]
        if box:
            marks.append(corpus.MarkPlan(q.id, q.options[i % len(q.options)].id, "tick", q.options[0].id))
        corpus.mark_page(img, spec, marks, rng, nprng, extra="write_in")
        path = tmp_path / f"wi-{'box-' if box else ''}{i:02d}.png"
        sheets.scanner(img, skew=rng.uniform(-2, 2), seed=i).save(path)
        out.append(path)
    return out


def test_a_written_name_goes_to_review_and_is_counted_for_the_chosen_specialist(writein_kiosk, tmp_path):
    k = writein_kiosk
    auth = Auth(k.store)
    auth.ensure_demo_users()
    review = Review(k, auth.sign_in(Role.HELPER, "2222"))
    results = list(scan_paths(k, _written(k, tmp_path, 3) + _written(k, tmp_path, 1, box=True), workers=1))
    assert [(r.status, r.reason) for r in results] == [("review", "write_in")] * 3 + [("review", "overvote")]
    item = review.item(results[0].sheet_id)
    q = item.questions[0]
    assert item.written == [q.id] and item.machine[q.id] == []
    # the line, cut out upright and large, for the helper to read
    from kiosk.reading.imaging import load_page

    gray = np.asarray(load_page(item.image["path"], item.page).convert("L"))
    (name, clip), = clips(item, gray).items()
    assert name == f"writein:{q.id}" and clip.shape[1] > 2 * clip.shape[0] > 100 and clip.min() < 100
    # the helper types a few letters without diacritics and picks the specialist
    target = q.choices[5]
    typed = fold(target.label.split()[-1])[:5]
    assert target in review.roster_matches(item.sheet_id, q.id, typed)
    assert review.decide(item.sheet_id, {q.id: [target.id], "rating": ["4"]})[0] == "correct"
    # or marks the write-in invalid: the question is blank, the rest counts
    assert review.decide(results[1].sheet_id, {q.id: [], "rating": ["4"]})[0] == "confirm"
    finals = {f.sheet_id: f for f in k.store.final_sheets()}
    assert finals[results[0].sheet_id].selections == {q.id: [target.id], "rating": ["4"]}
    assert finals[results[1].sheet_id].selections == {q.id: [], "rating": ["4"]}


def test_the_write_in_line_alone_is_no_writing(writein_kiosk, tmp_path):
    """A ballot marked in a box, nothing written, photographed and scanned: counted."""
    k = writein_kiosk
    spec = k.layout()
    q = spec.questions[0]
    for i in range(3):
        img, _, _ = sheets.ballot(k, tmp_path, {q.id: q.options[i].id, "rating": "2"}, seed=i)
        for shot in (sheets.scanner(img, skew=1.5 - i, seed=i), sheets.photo(img, seed=i)):
            it = sheets.read(k, shot)
            assert (it.status, it.selections) == ("counted", {q.id: [q.options[i].id], "rating": ["2"]}), it.reasons
            assert it.details["writeins"][q.id]["written"] is False


# -- the number grid, read ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def grid_kiosk(tmp_path_factory):
    data = rosters.campaign(rosters.institutions(1, [200], random.Random(5)), page_size="a4", style="number")
    k = rosters.enrolled(data, tmp_path_factory.mktemp("grid"))
    yield k
    k.close()


def _grid_ballot(kiosk, tmp_path, digits: dict[int, list[int]], seed: int = 0):
    pdf, spec, serials = sheets.print_pdf(kiosk, tmp_path, 1, "a4")
    img = sheets.render(pdf, 0, 200)
    rnd = random.Random(seed)
    for pos, ds in digits.items():
        for d in ds:
            sheets.mark(img, spec, "specialist", f"{pos}:{d}", 200, "cross", rnd=rnd)
    sheets.mark(img, spec, "rating", "3", 200, "tick", rnd=rnd)
    return sheets.scanner(img, skew=rnd.uniform(-2, 2), seed=seed), spec


@pytest.mark.parametrize("digits, number", [({1: [0], 2: [5], 3: [7]}, 57), ({3: [7]}, 7), ({2: [4], 3: [2]}, 42),
                                            ({1: [1], 2: [9], 3: [9]}, 199)])
def test_digits_marked_give_the_specialist_of_that_number(grid_kiosk, tmp_path, digits, number):
    img, spec = _grid_ballot(grid_kiosk, tmp_path, digits, seed=number)
    it = sheets.read(grid_kiosk, img)
    q = spec.questions[0]
    (entry,) = [r for r in q.roster if r.number == number]
    assert (it.status, it.selections) == ("counted", {"specialist": [entry.id], "rating": ["3"]})
    assert it.details["questions"]["specialist"]["number"] == number


@pytest.mark.parametrize("digits, reason", [({1: [2], 2: [5], 3: [0]}, "unknown_number"),
                                            ({1: [0], 2: [0], 3: [0]}, "unknown_number"),
                                            ({1: [0], 2: [3, 4], 3: [1]}, "number_unclear"),
                                            ({1: [1], 3: [2]}, "number_unclear")])
def test_a_number_not_on_the_roster_or_unclear_digits_go_to_review(grid_kiosk, tmp_path, digits, reason):
    img, _spec = _grid_ballot(grid_kiosk, tmp_path, digits, seed=len(reason))
    it = sheets.read(grid_kiosk, img)
    assert (it.status, it.reasons, it.selections["specialist"]) == ("review", [reason], [])


def test_kiosk_campaign_names_the_limit_and_shows_the_policy(tmp_path, capsys):
    from kiosk.cli.main import main

    rng = random.Random(8)
    data = rosters.campaign([{"id": "big", "name": "Liels centrs", "specialists": rosters.roster(70, rng)}],
                            page_size="a5", review={"blank_ballot": "review"})
    path = rosters.write_campaign(data, tmp_path / "c.toml")
    assert main(["--lang", "lv", "campaign", str(path)]) == 1
    err = capsys.readouterr().err
    assert "institutions[1].specialists: 70 speciālisti neietilpst A5 lapā" in err and 'page_size = "A4"' in err
    data["page_size"] = "a4"
    rosters.write_campaign(data, path)
    assert main(["campaign", str(path)]) == 0
    out = capsys.readouterr().out
    assert "blank_ballot → review" in out and "undervote → count" in out
