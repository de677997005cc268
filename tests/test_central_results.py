"""The results: the campaign's [results] rules, ties, the online vote, integrity figures
and signals, and the CSV/XLSX/JSON outputs agreeing.

Real kiosks (real SQLite), real signed batch files, the real verifier and CLI.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_export import add_sheet

from kiosk.assets import demo_campaign_path
from kiosk.ballot.campaign import ResultRules, load_campaign
from kiosk.batches.export import export_batch
from kiosk.central.online import parse_online
from kiosk.central.tables import tables, write_xlsx
from kiosk.central.tally import rule_text, tally
from kiosk.central.verify import verify_batches
from kiosk.cli.main import main
from kiosk.errors import CampaignError, KioskError


def campaign_with(tmp_path: Path, results: str) -> Path:
    path = tmp_path / "campaign.toml"
    path.write_text(demo_campaign_path().read_text(encoding="utf-8") + "\n[results]\n" + results, encoding="utf-8")
    return path


def ballots(kiosk, plan: list[tuple[str | None, str | None]]) -> None:
    """(specialist id or None, rating or None) per ballot."""
    for sid, rating in plan:
        add_sheet(kiosk, "counted", {"specialist": [sid] if sid else [], "rating": [rating] if rating else []})


@pytest.fixture
def two(kiosk, other_kiosk, tmp_path, demo_campaign):
    """Kiosk A (institution 1): 100 ballots rating 1 ("ļoti slikti"), its first specialist;
    kiosk B (institution 2): 10 ballots rating 5, 8 rating 4, spread over two specialists."""
    a, b = kiosk.institution.specialists, other_kiosk.institution.specialists
    ballots(kiosk, [(a[0].id, "1")] * 100)
    ballots(other_kiosk, [(b[0].id, "5")] * 10 + [(b[1].id, "4")] * 8)
    paths = [export_batch(k, tmp_path / "usb").path for k in (kiosk, other_kiosk)]
    checks = verify_batches(paths, {}, demo_campaign, demo_campaign.demo_master_key)
    assert all(c.ok and c.certified for c in checks)
    return checks


def test_positive_evaluations_not_every_rating_win_the_institution(two, demo_campaign, kiosk, other_kiosk):
    result = tally(two, demo_campaign)
    assert result.rules == ResultRules()  # the demo campaign states no [results]: the defaults
    first = result.institutions[0]
    assert (first.id, first.positive, first.score, first.rank, first.winner) == (other_kiosk.institution.id, 18, 18, 1,
                                                                                 True)
    bad = next(i for i in result.institutions if i.id == kiosk.institution.id)
    assert (bad.evaluations, bad.positive, bad.score, bad.winner) == (100, 0, 0, False)
    assert "4 vai augstāk" in rule_text(result.rules, "lv") and "4 or higher" in rule_text(result.rules, "en")
    assert result.to_json()["rule"]["lv"] == rule_text(result.rules, "lv")


def test_mean_rule_with_a_minimum_and_the_ballots_rule(two, demo_campaign, kiosk, other_kiosk):
    result = tally(two, demo_campaign, rules=ResultRules(institution_ranking="mean", min_ratings=20))
    placed = [i for i in result.institutions if i.rank is not None]
    assert [(i.id, i.score) for i in placed] == [(kiosk.institution.id, 1.0)]  # 18 ratings < 20: not placed
    assert next(i for i in result.institutions if i.id == other_kiosk.institution.id).rank is None
    result = tally(two, demo_campaign, rules=ResultRules(institution_ranking="mean", min_ratings=10))
    assert [i.id for i in result.institutions if i.winner] == [other_kiosk.institution.id]
    assert result.institutions[0].score == pytest.approx((10 * 5 + 8 * 4) / 18)
    result = tally(two, demo_campaign, rules=ResultRules(institution_ranking="ballots"))
    assert [(i.id, i.score) for i in result.institutions[:2]] == [(kiosk.institution.id, 100),
                                                                  (other_kiosk.institution.id, 18)]


def test_ties_at_a_winning_place_are_shown_never_broken(kiosk, tmp_path, demo_campaign):
    s = kiosk.institution.specialists
    # votes 5, 4, 3, 3: the third place is shared, so four specialists win
    ballots(kiosk, [(s[0].id, None)] * 5 + [(s[1].id, None)] * 4 + [(s[2].id, None)] * 3 + [(s[3].id, None)] * 3)
    checks = verify_batches([export_batch(kiosk, tmp_path / "o").path], {}, demo_campaign,
                            demo_campaign.demo_master_key)
    result = tally(checks, demo_campaign)
    assert [(w.id, w.rank) for w in result.specialist_winners][:2] == [(s[0].id, 1), (s[1].id, 2)]
    assert sorted(w.id for w in result.specialist_winners[2:]) == sorted([s[2].id, s[3].id])
    assert result.ties["specialists"] == (3,)
    one = tally(checks, demo_campaign, rules=ResultRules(specialists=1))
    assert [w.id for w in one.specialist_winners] == [s[0].id] and one.ties["specialists"] == ()


def test_results_rules_in_the_campaign_file_are_checked(tmp_path):
    path = campaign_with(tmp_path, 'specialists = 5\ninstitution_ranking = "mean"\nmin_ratings = 50\n')
    rules = load_campaign(path).results
    assert (rules.specialists, rules.institutions, rules.institution_ranking, rules.min_ratings) == (5, 1, "mean", 50)
    path = campaign_with(tmp_path, 'specialists = 0\ninstitution_ranking = "loudest"\npositive_threshold = 9\n'
                                   'tiebreak = "name"\n')
    with pytest.raises(CampaignError) as err:
        load_campaign(path)
    text = "\n".join(p.describe("en") for p in err.value.problems)
    for field in ("results.specialists", "results.institution_ranking", "results.positive_threshold",
                  "results.tiebreak"):
        assert field in text
    assert "loudest" in text and "whole number from 1 to 5" in text


# -- the online vote ---------------------------------------------------------------------

def test_online_votes_are_parsed_and_every_bad_line_is_named(demo_campaign):
    inst = demo_campaign.institutions[0]
    text = ("\ufeffinstitution_id,specialist_id,votes\n"
            f"{inst.id},{inst.specialists[1].id},7\n{inst.id},,3\n{inst.id},{inst.specialists[1].id},5\n\n")
    votes = parse_online(text, demo_campaign)
    assert votes.specialists == {(inst.id, inst.specialists[1].id): 12} and votes.institutions == {inst.id: 3}
    assert (votes.lines, votes.total) == (3, 15)
    bad = ("institution_id,specialist_id,votes\n"
           f"{inst.id},{inst.specialists[0].id},1\n"
           "nowhere,,4\n"
           f"{inst.id},r-smits,2\n"
           f"{inst.id},,-1\n"
           f"{inst.id},,many\n"
           f"{inst.id},{inst.specialists[0].id}\n")
    with pytest.raises(KioskError) as err:
        parse_online(bad, demo_campaign, "web.csv")
    msg = err.value.message("en")
    assert err.value.code == "central.online" and "5 bad line(s)" in msg
    for n in (3, 4, 5, 6, 7):
        assert f"web.csv:{n}:" in msg
    assert "web.csv:2:" not in msg
    assert err.value.message("lv").startswith("Tiešsaistes balsu fails nav derīgs")
    with pytest.raises(KioskError) as err:
        parse_online("institution,votes\n", demo_campaign)
    assert "institution_id,specialist_id,votes" in err.value.message("en")


def test_online_votes_put_an_unchosen_specialist_first_and_the_xlsx_holds_the_json(
        two, demo_campaign, kiosk, tmp_path, capsys):
    """Acceptance: 100 online votes for a specialist no paper ballot chose puts them first;
    the workbook holds the same numbers as the JSON."""
    unchosen = kiosk.institution.specialists[3]
    online = tmp_path / "online.csv"
    online.write_text(f"institution_id,specialist_id,votes\n{kiosk.institution.id},{unchosen.id},101\n"
                      f"{kiosk.institution.id},,40\n", encoding="utf-8")
    batches = Path(two[0].path).parent
    xlsx = tmp_path / "results.xlsx"
    assert main(["--lang", "en", "central", "tally", "--online", str(online), "--xlsx", str(xlsx), "--json",
                 str(batches)]) == 0
    result = json.loads(capsys.readouterr().out)
    first = result["specialists"][0]
    assert (first["id"], first["paper"], first["online"], first["votes"], first["rank"]) == (unchosen.id, 0, 101, 101, 1)
    assert result["online"]["total"] == 141
    inst = next(i for i in result["institutions"] if i["id"] == kiosk.institution.id)
    assert (inst["online"], inst["positive"], inst["score"]) == (40, 0, 40)

    from openpyxl import load_workbook

    wb = load_workbook(xlsx)
    assert wb.sheetnames[:3] == ["Specialists", "Institutions", "Integrity"]
    ws = wb["Specialists"]
    assert ws.freeze_panes == "A2"
    head = [c.value for c in ws[1]]
    rows = [dict(zip(head, [c.value for c in r])) for r in ws.iter_rows(min_row=2)]
    assert [(r["ID"], r["Institution ID"], r["Paper votes"], r["Online votes"], r["Total"], r["Place"])
            for r in rows] == [(s["id"], s["institution_id"], s["paper"], s["online"], s["votes"], s["rank"])
                               for s in result["specialists"]]
    assert all(isinstance(r["Total"], int) for r in rows)
    ws = wb["Institutions"]
    head = [c.value for c in ws[1]]
    rows = [dict(zip(head, [c.value for c in r])) for r in ws.iter_rows(min_row=2)]
    assert [(r["ID"], r["Score by the rule"], r["Positive ratings"], r["Online votes"], r["Ratings"],
             r["Mean rating"], r["Ballots counted"], r["Place"]) for r in rows] == [
        (i["id"], i["score"], i["positive"], i["online"], i["ratings"], i["average_rating"], i["ballots"], i["rank"])
        for i in result["institutions"]]
    ws = wb["Integrity"]
    head = [c.value for c in ws[1]]
    rows = [dict(zip(head, [c.value for c in r])) for r in ws.iter_rows(min_row=2)]
    assert [(r["ID"], r["Issued"], r["Returned"], r["Counted"], r["Return rate"], r["Review share"],
             r["Conflicts"]) for r in rows] == [
        (g["institution_id"], g["issued"], g["returned"], g["counted"], g["return_rate"], g["review_share"],
         g["conflicts"]) for g in result["integrity"]]


def test_online_file_with_unknown_ids_is_refused_with_every_line(two, tmp_path, capsys):
    online = tmp_path / "online.csv"
    online.write_text("institution_id,specialist_id,votes\nnowhere,,1\nkuldiga-vpvkac,nobody,2\n", encoding="utf-8")
    assert main(["--lang", "en", "central", "tally", "--online", str(online), str(Path(two[0].path).parent)]) == 1
    err = capsys.readouterr().err
    assert "online.csv:2" in err and "online.csv:3" in err


# -- integrity ------------------------------------------------------------------------------

def test_integrity_figures_and_look_here_signals(two, demo_campaign, kiosk, other_kiosk, tmp_path):
    result = tally(two, demo_campaign)
    rows = {g.institution_id: g for g in result.integrity}
    a = rows[kiosk.institution.id]
    # 100 ballots, all for one specialist: the signal states the figures
    assert (a.returned, a.counted, a.specialist_votes, a.top_share) == (100, 100, 100, 1.0)
    codes = {sig.code: sig for sig in a.signals}
    assert codes["one_specialist"].figures["votes"] == 100 and codes["one_specialist"].figures["share"] == 1.0
    assert "100,0 %" in codes["one_specialist"].text("lv") and "100.0 %" in codes["one_specialist"].text("en")
    # nothing was issued by these test kiosks: 100 returned of 0 issued
    assert codes["returned_above_issued"].figures == {"returned": 100, "issued": 0}
    b = rows[other_kiosk.institution.id]
    assert "one_specialist" not in {sig.code for sig in b.signals}  # 10 of 18 votes: 56 %
    assert b.top_share == round(10 / 18, 4)

    # a dropped batch: the institution's row names the held-back batch
    add_sheet(kiosk)
    export_batch(kiosk, tmp_path / "later")  # batch 2, never delivered
    add_sheet(kiosk)
    third = export_batch(kiosk, tmp_path / "later").path
    checks = verify_batches([two[0].path, third, two[1].path], {}, demo_campaign, demo_campaign.demo_master_key)
    assert [c.reason for c in checks] == [None, "missing_batch", None]
    result = tally(checks, demo_campaign)
    a = next(g for g in result.integrity if g.institution_id == kiosk.institution.id)
    assert a.missing_batches == 1 and {"code": "missing_batches", "n": 1} in [s.to_json() for s in a.signals]

    # review share: ballots a person decided over the sheets returned
    other = next(t for t in tables(result, "en") if t.name == "Integrity")
    assert other.header[12] == "Review share"


def test_review_share_counts_people_decisions(kiosk, tmp_path, demo_campaign):
    ballots(kiosk, [(kiosk.institution.specialists[0].id, "5")] * 3)
    sheet = add_sheet(kiosk, "review", {"specialist": [], "rating": []}, reasons=["blank_ballot"])
    assert sheet.status == "review"
    checks = verify_batches([export_batch(kiosk, tmp_path / "o").path], {}, demo_campaign,
                            demo_campaign.demo_master_key)
    row = next(g for g in tally(checks, demo_campaign).integrity if g.institution_id == kiosk.institution.id)
    assert (row.returned, row.in_review, row.reviewed, row.review_share) == (4, 1, 1, 0.25)


def test_workbook_sheets_have_frozen_headers_and_numbers(two, demo_campaign, tmp_path):
    from openpyxl import load_workbook

    result = tally(two, demo_campaign, "lv")
    path = tmp_path / "r.xlsx"
    write_xlsx(result, path, "lv")
    wb = load_workbook(path)
    assert wb.sheetnames == ["Speciālisti", "Iestādes", "Integritāte", "Izslēgtās partijas", "Pretrunas", "Noteikumi"]
    assert all(ws.freeze_panes == "A2" for ws in wb.worksheets)
    assert wb["Integritāte"]["E2"].value == result.integrity[0].issued
    with pytest.raises(KioskError):
        write_xlsx(result, tmp_path / "missing" / "r.xlsx")


# -- the report of a generated campaign ----------------------------------------------------------

def test_report_of_a_generated_campaign_opens_with_winners_and_rule(tmp_path, capsys):
    """8 institutions of 60 specialists: page 1 names the winners, the rule and the
    integrity summary; the top 50 follow; an annex page per institution lists every name."""
    import pypdfium2 as pdfium
    from central_campaign import generate_batches, write_campaign

    from kiosk.ballot.keys import read_hex_key
    from kiosk.central.report import write_report

    master_path = write_campaign(tmp_path / "c.toml", institutions=8, specialists=60)
    campaign = load_campaign(tmp_path / "c.toml")
    master = read_hex_key(master_path)
    paths = generate_batches(tmp_path / "b", campaign, master, 4000, 8)
    result = tally(verify_batches(paths, {}, campaign, master), campaign).with_tags_checked(True)
    assert result.ballots_counted == 4000 and result.complete
    out = tmp_path / "r.pdf"
    write_report(result, campaign, out)
    pdf = pdfium.PdfDocument(str(out))
    try:
        pages = [pdf[i].get_textpage().get_text_range().replace("\r\n", " ") for i in range(len(pdf))]
    finally:
        pdf.close()
    first = pages[0]
    for word in ("Uzvarētāji", "Labākie klientu apkalpošanas speciālisti", "Labākā iestāde", "Metode",
                 "pozitīvo novērtējumu", "Integritātes kopsavilkums"):
        assert word in first
    for s in result.specialist_winners:
        assert s.name in first
    assert "pirmie 50 no 480" in pages[1]
    annex = [p for p in pages if "Pielikums: " in p]
    assert len(annex) == 8
    for inst, page in zip(campaign.institutions, annex):
        assert inst.name in page
        assert all(s.name in page for s in inst.specialists)

    # the command line lists the first 50 specialists (and every winner), not all 480
    assert main(["central", "tally", "--campaign", str(tmp_path / "c.toml"), "--master", str(master_path),
                 str(tmp_path / "b")]) == 0
    text = capsys.readouterr().out
    assert "… un vēl 430 (visi: --json, --csv, --xlsx, --pdf)" in text
    assert text.startswith("Noteikumi: Speciālisti sarindoti pēc balsu skaita")


# -- decisions with a note ---------------------------------------------------------------------

def test_a_decision_carries_its_note_into_the_json_the_workbook_and_the_report(kiosk, tmp_path, demo_campaign,
                                                                                capsys):
    import pypdfium2 as pdfium
    from openpyxl import load_workbook

    from kiosk.ballot import payload
    from kiosk.station import Kiosk

    twin = Kiosk.enroll(kiosk.institution.id, root=tmp_path / "twin", campaign_path=demo_campaign_path())
    try:
        sid = [s.id for s in kiosk.institution.specialists]
        a = add_sheet(kiosk, "counted", {"specialist": [sid[0]], "rating": []})
        add_sheet(twin, "counted", {"specialist": [sid[1]], "rating": []}, serial=a.serial)  # a re-marked copy
        for k in (kiosk, twin):
            export_batch(k, tmp_path / "usb")
        serial = payload.serial_text(a.serial)
        decisions = tmp_path / "decisions.json"
        decisions.write_text(json.dumps({serial: {"kiosk_id": twin.kiosk_id, "batch": 1,
                                                  "note": "oriģināls ar zīmogu"}}), encoding="utf-8")
        pdf, xlsx = tmp_path / "r.pdf", tmp_path / "r.xlsx"
        assert main(["central", "tally", "--resolutions", str(decisions), "--json", "--pdf", str(pdf),
                     "--xlsx", str(xlsx), str(tmp_path / "usb")]) == 0
        result = json.loads(capsys.readouterr().out)
        [c] = result["conflicts"]
        assert (c["resolved"], c["counted"]["kiosk_id"], c["note"]) == (True, twin.kiosk_id, "oriģināls ar zīmogu")
        assert {s["id"]: s["votes"] for s in result["specialists"]}[sid[1]] == 1
        doc = pdfium.PdfDocument(str(pdf))
        try:
            text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc))).replace("\r\n", " ")
        finally:
            doc.close()
        assert "oriģināls ar zīmogu" in text
        ws = load_workbook(xlsx)["Pretrunas"]
        assert any("oriģināls ar zīmogu" in str(row[5].value) for row in ws.iter_rows(min_row=2))
        # none counts, with a note
        decisions.write_text(json.dumps({serial: {"kiosk_id": None, "note": "abi bojāti"}}), encoding="utf-8")
        assert main(["central", "tally", "--resolutions", str(decisions), "--json", str(tmp_path / "usb")]) == 0
        [c] = json.loads(capsys.readouterr().out)["conflicts"]
        assert (c["resolved"], c["counted"], c["note"]) == (True, None, "abi bojāti")
    finally:
        twin.close()


def test_each_copy_of_a_conflicting_serial_shows_its_own_image(kiosk, tmp_path, demo_campaign):
    """The images side by side: each copy's file gives that copy's image (checked against its hash)."""
    import hashlib
    import zipfile

    from kiosk.ballot import payload
    from kiosk.central.images import ballot_image
    from kiosk.station import Kiosk

    twin = Kiosk.enroll(kiosk.institution.id, root=tmp_path / "twin", campaign_path=demo_campaign_path())
    try:
        sid = [s.id for s in kiosk.institution.specialists]
        a = add_sheet(kiosk, "counted", {"specialist": [sid[0]], "rating": []})
        add_sheet(twin, "counted", {"specialist": [sid[1]], "rating": []}, serial=a.serial)
        paths = [export_batch(k, tmp_path / "usb", images=True).path for k in (kiosk, twin)]
        add_sheet(kiosk)
        without = export_batch(kiosk, tmp_path / "plain").path  # batch 2, no images
    finally:
        twin.close()
    result = tally(verify_batches(paths, {}, demo_campaign, demo_campaign.demo_master_key), demo_campaign)
    [conflict] = result.conflicts
    serial = payload.serial_text(a.serial)
    assert conflict.serial == serial
    for cp in conflict.copies:
        ext, data = ballot_image(cp.file, serial)
        with zipfile.ZipFile(cp.file) as z:
            [record] = [r for r in json.loads(z.read("records.json")) if r["serial"] == serial]
        assert hashlib.sha256(data).hexdigest() == record["image_sha256"]
        assert ext in ("png", "jpg")
    assert ballot_image(without, serial) is None  # a batch without images
    assert ballot_image(paths[0], "AAAA-AAAA-AAAAA") is None  # not in it
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip")
    with pytest.raises(KioskError) as err:
        ballot_image(bad, serial)
    assert err.value.code == "central.image"
