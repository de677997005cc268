"""Central verification and tally of signed batches (kiosk/central.py).

Batches come from real kiosks (real SQLite, real Ed25519 keys, real files);
tampering is done on the bytes of the written files.
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import struct
from collections import Counter
from pathlib import Path

import pytest
import tallies
from test_export import add_sheet

from kiosk.assets import demo_campaign_path
from kiosk.ballot import payload
from kiosk.ballot.campaign import load_campaign
from kiosk.ballot.keys import new_signing_key, public_hex, write_hex_key
from kiosk.batches.export import export_batch
from kiosk.batches.format import GENESIS, ExportRecord, write_batch
from kiosk.central.tally import competition_ranks, tally
from kiosk.central.verify import REASONS, kiosk_chains, load_trust, verify_batches, verify_file
from kiosk.cli import central as central_cli
from kiosk.cli.main import main
from kiosk.errors import KioskError
from kiosk.station import Kiosk


def vote(kiosk, rng: random.Random, marks: Counter, ratings: dict) -> dict:
    """Store one counted ballot with a random specialist (and maybe a rating); remember the marks."""
    sid = rng.choice(kiosk.institution.specialists).id
    rating = rng.choice([None, "1", "2", "3", "4", "5"])
    sel = {"specialist": [sid], "rating": [] if rating is None else [rating]}
    marks[(kiosk.institution.id, sid)] += 1
    if rating is not None:
        ratings.setdefault(kiosk.institution.id, []).append(int(rating))
    return add_sheet(kiosk, "counted", sel)


def trust_dir(tmp_path: Path, *kiosks) -> Path:
    d = tmp_path / "trust"
    d.mkdir(parents=True, exist_ok=True)
    for k in kiosks:
        shutil.copy(k.public_key_path, d / k.public_key_path.name)
    return d


@pytest.fixture
def chains(kiosk, other_kiosk, tmp_path):
    """Kiosk A: three batches; kiosk B: two.  Returns (paths by kiosk, marks, ratings, trust dir)."""
    rng = random.Random(4)
    marks, ratings = Counter(), {}
    out = tmp_path / "batches"
    paths = {kiosk.kiosk_id: [], other_kiosk.kiosk_id: []}
    for k, sizes in ((kiosk, (6, 4, 5)), (other_kiosk, (7, 3))):
        for n in sizes:
            for _ in range(n):
                vote(k, rng, marks, ratings)
            paths[k.kiosk_id].append(export_batch(k, out).path)
    return paths, marks, ratings, trust_dir(tmp_path, kiosk, other_kiosk)


def all_paths(paths: dict) -> list[Path]:
    return [p for ps in paths.values() for p in ps]


def test_valid_chains_verify_and_tally_equals_the_marks(chains, demo_campaign):
    paths, marks, ratings, trust = chains
    checks = verify_batches(all_paths(paths), load_trust(trust), demo_campaign, demo_campaign.demo_master_key)
    assert [c.reason for c in checks] == [None] * 5 and all(c.ok for c in checks)
    result = tally(checks, demo_campaign)
    got = {(s.institution_id, s.id): s.votes for s in result.specialists if s.votes}
    assert got == dict(marks)
    for inst in result.institutions:
        r = ratings.get(inst.id, [])
        assert inst.evaluations == len(r)
        assert inst.average_rating == (round(sum(r) / len(r), 2) if r else None)
    assert result.excluded_batches == () and result.duplicate_serials == 0
    assert result.ballots_counted == sum(marks.values()) == 25


# -- any single byte ------------------------------------------------------------

def regions(blob: bytes) -> list[tuple[str, int, int]]:
    """(kind, start, end) of every part of a batch container, from its own headers."""
    out, pos = [], 0
    while blob[pos:pos + 4] == b"PK\x03\x04":
        size, name_len = struct.unpack_from("<I", blob, pos + 18)[0], struct.unpack_from("<H", blob, pos + 26)[0]
        name = blob[pos + 30: pos + 30 + name_len].decode()
        out.append(("zip", pos, pos + 30 + name_len))
        kind = name.split("/")[0].split(".")[0]
        out.append((kind, pos + 30 + name_len, pos + 30 + name_len + size))
        pos += 30 + name_len + size
    out.append(("zip", pos, len(blob)))  # central directory and end record
    return out


EXPECTED = {
    "zip": {"malformed"},
    "manifest": {"bad_signature"},
    "records": {"altered_record"},
    "signature": {"bad_signature", "unknown_key", "malformed"},
    "images": {"altered_image"},
}


def test_flipping_any_single_byte_is_detected_named_and_excluded(kiosk, other_kiosk, tmp_path, demo_campaign):
    rng = random.Random(7)
    marks, ratings = Counter(), {}
    for _ in range(4):
        vote(kiosk, rng, marks, ratings)
    add_sheet(kiosk, "review", {"specialist": [], "rating": []}, reasons=["blank_ballot"])
    target = export_batch(kiosk, tmp_path / "out", images=True).path
    vote(other_kiosk, rng, marks, ratings)
    good = export_batch(other_kiosk, tmp_path / "out").path
    trust = load_trust(trust_dir(tmp_path, kiosk, other_kiosk))
    blob = target.read_bytes()
    assert verify_file(target, trust, demo_campaign).ok

    parts = regions(blob)
    assert {k for k, _, _ in parts} == set(EXPECTED)
    positions = [(kind, i) for kind, start, end in parts for i in range(start, end)]  # every byte of the file
    assert len(positions) == len(blob)
    seen: dict[str, Counter] = {k: Counter() for k in EXPECTED}
    for n, (kind, i) in enumerate(positions):
        bad = bytearray(blob)
        bad[i] ^= (0x01, 0x20, 0xFF, 0x80)[n % 4]
        check = verify_file(target, trust, demo_campaign, demo_campaign.demo_master_key, data=bytes(bad))
        assert not check.ok, f"flip at {i} ({kind}) not detected"
        assert check.reason in EXPECTED[kind], (kind, i, check.reason, check.detail)
        seen[kind][check.reason] += 1
    assert all(seen[k] for k in EXPECTED)

    # Excluded from the tally, by name, while the good batch still counts.
    bad = bytearray(blob)
    bad[len(blob) // 2] ^= 0xFF
    forged = tmp_path / "forged" / target.name
    forged.parent.mkdir()
    forged.write_bytes(bytes(bad))
    checks = verify_batches([forged, good], trust, demo_campaign)
    result = tally(checks, demo_campaign)
    assert [e.file for e in result.excluded_batches] == [str(forged)]
    assert result.excluded_batches[0].reason in REASONS
    assert result.ballots_counted == 1


def test_truncated_extended_or_foreign_files_are_malformed(chains, demo_campaign, tmp_path):
    paths, _, _, trust = chains
    blob = all_paths(paths)[0].read_bytes()
    trust = load_trust(trust)
    for data in (blob[:-1], blob + b"\0", b"", b"PK\x05\x06" + bytes(18), b"not a zip at all"):
        check = verify_file("x.zip", trust, demo_campaign, data=data)
        assert (check.ok, check.reason) == (False, "malformed")
    check = verify_file(tmp_path / "does-not-exist.zip", trust, demo_campaign)
    assert check.reason == "malformed"


# -- chains ----------------------------------------------------------------------

def test_a_dropped_batch_is_detected_and_what_follows_is_held_back(chains, demo_campaign, kiosk):
    paths, marks, _, trust = chains
    a1, a2, a3 = paths[kiosk.kiosk_id]
    checks = verify_batches([a1, a3, *paths[next(k for k in paths if k != kiosk.kiosk_id)]], load_trust(trust),
                            demo_campaign)
    by_path = {c.path: c for c in checks}
    assert by_path[str(a3)].reason == "missing_batch"
    assert f"{kiosk.kiosk_id} batch 2" in by_path[str(a3)].detail
    result = tally(checks, demo_campaign)
    assert [(e.file, e.reason) for e in result.excluded_batches] == [(str(a3), "missing_batch")]
    assert result.ballots_counted == sum(marks.values()) - 4 - 5

    # Batch 1 dropped: every batch of the kiosk waits.
    checks = verify_batches([a2, a3], load_trust(trust), demo_campaign)
    assert [c.reason for c in checks] == ["missing_batch", "missing_batch"]


def test_a_batch_that_fails_verification_breaks_the_chain_after_it(chains, demo_campaign, kiosk, tmp_path):
    paths, _, _, trust = chains
    a1, a2, a3 = paths[kiosk.kiosk_id]
    blob = bytearray(a2.read_bytes())
    blob[-30] ^= 0x01  # in the central directory
    a2.write_bytes(bytes(blob))
    checks = verify_batches([a1, a2, a3], load_trust(trust), demo_campaign)
    assert [c.reason for c in checks] == [None, "malformed", "missing_batch"]
    assert "failed verification" in checks[2].detail


def test_a_replayed_batch_is_named_and_counted_once(chains, demo_campaign, kiosk, tmp_path):
    paths, marks, _, trust = chains
    a1, a2, a3 = paths[kiosk.kiosk_id]
    replay = tmp_path / "again" / "renamed.zip"
    replay.parent.mkdir()
    shutil.copy(a2, replay)
    files = [a1, a2, a3, replay, *paths[next(k for k in paths if k != kiosk.kiosk_id)]]
    checks = verify_batches(files, load_trust(trust), demo_campaign)
    assert [c.reason for c in checks] == [None, None, None, "replayed_batch", None, None]
    assert str(a2) in checks[3].detail
    result = tally(checks, demo_campaign)
    assert [(e.file, e.reason) for e in result.excluded_batches] == [(str(replay), "replayed_batch")]
    assert result.ballots_counted == sum(marks.values())
    assert result.duplicate_serials == 0


def test_a_forked_chain_and_a_wrong_previous_hash_are_named(kiosk, tmp_path, demo_campaign):
    """Two different batch-1 files of one kiosk, or a batch not linked to its predecessor."""
    key = kiosk.signing_key()

    def signed(number: int, previous: str, name: str) -> Path:
        sheet = add_sheet(kiosk)
        rec = ExportRecord(serial=payload.serial_text(sheet.serial), status="counted",
                           selections=sheet.selections, decided_by="machine", image_sha256=sheet.image_sha256,
                           payload=payload.make_payload(kiosk.tag_key, kiosk.campaign.hash, kiosk.institution.hash,
                                                        sheet.layout_id, sheet.serial).text())
        labels = {q: {o: o for o in opts} for q, opts in sheet.selections.items()}
        manifest = {"format": "urn-kiosk-batch", "version": 1, "campaign_id": kiosk.campaign.id,
                    "institution_id": kiosk.institution.id, "kiosk_id": kiosk.kiosk_id, "batch": number,
                    "previous_sha256": previous, "created_at": "2026-10-01T12:00:00Z", "pending_review": 0,
                    "totals": dict.fromkeys(("issued", "voided", "scanned", "counted", "in_review", "rejected",
                                             "duplicates", "blank_backs", "exported"), 0),
                    "labels": labels, "images": {"included": False, "count": 0}, "software": "test"}
        path = tmp_path / name
        with open(path, "wb") as fp:
            write_batch(fp, manifest, [rec], key)
        return path

    one_a = signed(1, GENESIS, "1a.zip")
    one_b = signed(1, GENESIS, "1b.zip")
    two = signed(2, "ab" * 32, "2.zip")
    trust = load_trust(trust_dir(tmp_path, kiosk))
    forked = verify_batches([one_a, one_b, two], trust, demo_campaign)
    assert [c.reason for c in forked] == ["broken_chain", "broken_chain", "missing_batch"]
    [state] = kiosk_chains(forked)
    assert (state.state, state.at, state.numbers, state.accepted, state.forked) == ("forked", 1, (1, 2), 0, (1,))
    broken = verify_batches([one_a, two], trust, demo_campaign)
    assert [c.reason for c in broken] == [None, "broken_chain"]
    [state] = kiosk_chains(broken)
    assert (state.state, state.at, state.accepted, state.received) == ("broken", 2, 1, 2)


# -- keys, campaign, tags ------------------------------------------------------------

def test_a_key_not_in_the_trust_directory_is_refused(chains, demo_campaign, kiosk, other_kiosk, tmp_path):
    paths, marks, _, _ = chains
    only_a = trust_dir(tmp_path / "t2", kiosk)
    checks = verify_batches(all_paths(paths), load_trust(only_a), demo_campaign)
    assert [c.reason for c in checks] == [None, None, None, "unknown_key", "unknown_key"]
    result = tally(checks, demo_campaign)
    assert {e.reason for e in result.excluded_batches} == {"unknown_key"}
    assert result.ballots_counted == 6 + 4 + 5

    # A batch re-signed by another key and claiming to be kiosk A: still an unknown key.
    rogue = tmp_path / "t3"
    rogue.mkdir()
    (rogue / f"{kiosk.kiosk_id}.pub").write_text(public_hex(new_signing_key()) + "\n")
    assert {c.reason for c in verify_batches(paths[kiosk.kiosk_id], load_trust(rogue), demo_campaign)} == {"unknown_key"}


def test_a_trusted_key_signing_for_another_kiosk_is_refused(kiosk, other_kiosk, tmp_path, demo_campaign):
    """Kiosk B's key file is named as kiosk A: B's batches claim B, the key is A's name."""
    add_sheet(other_kiosk)
    path = export_batch(other_kiosk, tmp_path / "out").path
    trust = tmp_path / "trust"
    trust.mkdir()
    shutil.copy(other_kiosk.public_key_path, trust / f"{kiosk.kiosk_id}.pub")
    check = verify_file(path, load_trust(trust), demo_campaign)
    assert check.reason == "unknown_key" and other_kiosk.kiosk_id in check.detail


def test_wrong_campaign_is_refused(chains, tmp_path):
    paths, _, _, trust = chains
    text = demo_campaign_path().read_text(encoding="utf-8").replace('id = "lsk-2026-demo"', 'id = "lsk-2027-demo"', 1)
    other = tmp_path / "other.toml"
    other.write_text(text, encoding="utf-8")
    checks = verify_batches(all_paths(paths), load_trust(trust), load_campaign(other))
    assert {c.reason for c in checks} == {"wrong_campaign"}
    assert tally(checks, load_campaign(other)).ballots_counted == 0


def test_ballot_tags_are_checked_with_the_master_key(tmp_path, demo_campaign):
    """A kiosk holding a wrong institution key counts ballots the central office never issued."""
    keyfile = tmp_path / "wrong.key"
    write_hex_key(keyfile, bytes(range(32)))
    inst = demo_campaign.institutions[2].id
    with Kiosk.enroll(inst, root=tmp_path / "rogue", campaign_path=demo_campaign_path(), key_file=keyfile) as k:
        add_sheet(k)
        path = export_batch(k, tmp_path / "out").path
        trust = load_trust(trust_dir(tmp_path, k))
    assert verify_file(path, trust, demo_campaign).ok  # without the master key nothing tells
    check = verify_file(path, trust, demo_campaign, demo_campaign.demo_master_key)
    assert check.reason == "bad_tag"


def test_trust_directory_problems_are_errors(tmp_path):
    with pytest.raises(KioskError) as err:
        load_trust(tmp_path / "none")
    assert err.value.code == "central.trust"
    (tmp_path / "kiosk-aaaaaaaa.pub").write_text("zz\n")
    with pytest.raises(KioskError) as err:
        load_trust(tmp_path)
    assert err.value.code == "central.trust" and "kiosk-aaaaaaaa.pub" in err.value.message("en")


# -- tally rules -------------------------------------------------------------------

def test_competition_ranks():
    assert competition_ranks([9, 9, 7, 5, 5, 5, 1]) == [1, 1, 3, 4, 4, 4, 7]
    assert competition_ranks([]) == []


def test_duplicates_across_kiosks_count_once_and_ties_are_ties(kiosk, tmp_path, demo_campaign):
    """Two kiosks of one institution read the same ballot; votes tie."""
    second = Kiosk.enroll(kiosk.institution.id, root=tmp_path / "second", campaign_path=demo_campaign_path())
    try:
        s = [sp.id for sp in kiosk.institution.specialists]
        # votes: s0 3, s1 3, s2 1, s3 1 (ties for 1st and 3rd); ratings 5, 3 -> average 4
        plan = [(kiosk, s[0], "5"), (kiosk, s[0], None), (kiosk, s[1], None), (second, s[1], "3"),
                (second, s[0], None), (second, s[1], None), (kiosk, s[2], None), (second, s[3], None)]
        for k, sid, rating in plan:
            add_sheet(k, "counted", {"specialist": [sid], "rating": [rating] if rating else []})
        shared = add_sheet(kiosk, "counted", {"specialist": [s[2]], "rating": []})
        add_sheet(second, "counted", {"specialist": [s[2]], "rating": []}, serial=shared.serial)  # same paper
        kiosk.store.record_issue({"kiosk_id": kiosk.kiosk_id, "campaign_id": kiosk.campaign.id,
                                  "institution_id": kiosk.institution.id, "layout_id": kiosk.layout().id,
                                  "target": "test"}, [payload.new_serial() for _ in range(18)])
        paths = [export_batch(k, tmp_path / "out").path for k in (kiosk, second)]
        checks = verify_batches(paths, load_trust(trust_dir(tmp_path, kiosk, second)), demo_campaign)
        assert all(c.ok for c in checks)
        result = tally(checks, demo_campaign)
    finally:
        second.close()
    assert result.duplicate_serials == 1
    assert result.duplicate_serial_list == (payload.serial_text(shared.serial),)
    mine = [x for x in result.specialists if x.institution_id == kiosk.institution.id]
    assert [(x.id, x.votes, x.rank, x.winner) for x in mine] == sorted(
        [(s[0], 3, 1, True), (s[1], 3, 1, True), (s[2], 2, 3, True), (s[3], 1, 4, False)],
        key=lambda r: (-r[1], next(sp.name for sp in kiosk.institution.specialists if sp.id == r[0]).casefold()))
    others = [x for x in result.specialists if x.institution_id != kiosk.institution.id]
    assert others and all((x.votes, x.rank, x.winner) == (0, 5, False) for x in others)
    best = result.institutions[0]
    assert (best.id, best.evaluations, best.average_rating, best.rank, best.winner) == (
        kiosk.institution.id, 2, 4.0, 1, True)
    assert all(i.rank == 2 and not i.winner and i.average_rating is None for i in result.institutions[1:])
    [row] = [g for g in result.integrity if g.institution_id == kiosk.institution.id]
    assert (row.issued, row.counted, row.duplicates, row.kiosks) == (18, 9, 1, 2)
    assert row.turnout == round(9 / 18, 4)


# -- command line -------------------------------------------------------------------

def test_cli_verify_and_tally(chains, tmp_path, capsys, kiosk):
    paths, marks, _, trust = chains
    files = [str(p) for p in all_paths(paths)]
    assert main(["central", "verify", "--trust", str(trust), *files]) == 0
    assert "5 no 5 partijām derīgas" in capsys.readouterr().out

    a1, a2, a3 = paths[kiosk.kiosk_id]
    assert main(["--lang", "en", "central", "verify", "--trust", str(trust), "--json", str(a1), str(a3)]) == 1
    out = json.loads(capsys.readouterr().out)
    assert [(b["ok"], b["reason"]) for b in out["batches"]] == [(True, None), (False, "missing_batch")]
    assert out["tags_checked"] is True

    csv_path, pdf_path = tmp_path / "r.csv", tmp_path / "r.pdf"
    assert main(["central", "tally", "--trust", str(trust), "--json", "--csv", str(csv_path), "--pdf", str(pdf_path),
                 str(a1), str(a3), *map(str, paths[next(k for k in paths if k != kiosk.kiosk_id)])]) == 1
    result = json.loads(capsys.readouterr().out)  # a3 was excluded: partial results exit 1
    assert result["complete"] is False and result["unresolved_conflicts"] == 0
    assert {"specialists", "institutions", "excluded_batches", "duplicate_serials"} <= set(result)
    assert {"name", "institution", "votes", "rank"} <= set(result["specialists"][0])
    assert {"name", "evaluations", "average_rating", "rank"} <= set(result["institutions"][0])
    assert [e["reason"] for e in result["excluded_batches"]] == ["missing_batch"]
    rows = list(csv.DictReader(csv_path.read_text(encoding="utf-8-sig").splitlines()))
    assert sum(int(r["votes"]) for r in rows if r["section"] == "specialist") == result["ballots_counted"] == 6 + 7 + 3
    assert {r["section"] for r in rows} == {"specialist", "institution", "integrity"}
    assert pdf_path.read_bytes()[:5] == b"%PDF-"
    # --allow-partial: exit 0, and the output says the results are partial
    assert main(["--lang", "en", "central", "tally", "--trust", str(trust), "--allow-partial", str(a1), str(a3)]) == 0
    text = capsys.readouterr().out
    assert "PARTIAL RESULTS: excluded batches 1, undecided conflicts 0" in text and "--allow-partial" in text

    # A directory stands for its batch files; human output in Latvian.
    assert main(["central", "tally", "--trust", str(trust), str(a1.parent)]) == 0
    text = capsys.readouterr().out
    assert "Speciālisti" in text and "★" in text
    assert main(["central", "verify", "--trust", str(trust), str(tmp_path / "missing.zip")]) == 1
    assert main(["central", "tally", "--trust", str(trust)]) == 2


def test_pdf_report_is_latvian_with_every_name(chains, demo_campaign, tmp_path):
    import pypdfium2 as pdfium

    from kiosk.central.report import write_report

    paths, marks, _, trust = chains
    result = tally(verify_batches(all_paths(paths), load_trust(trust), demo_campaign), demo_campaign)
    out = tmp_path / "report.pdf"
    write_report(result, demo_campaign, out)
    pdf = pdfium.PdfDocument(str(out))
    try:
        text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()
    for word in ("Balsojuma rezultātu ziņojums", "Labākie klientu apkalpošanas speciālisti", "Labākā iestāde",
                 "Integritāte", "Izslēgtās partijas"):
        assert word in text
    for inst in demo_campaign.institutions:
        for s in inst.specialists:
            assert s.name in text  # every diacritic survives the embedded font


# -- the tally's output, pinned ---------------------------------------------------------

def test_tally_output_on_a_fixed_input_is_unchanged(demo_campaign, tmp_path, monkeypatch, capsys):
    """``central tally`` on fixed verified batches: its JSON, its text and its CSV, byte for
    byte as pinned in tests/data/tally-fixed.json."""
    demo_campaign = tallies.fixed_campaign(demo_campaign)
    expected = json.loads((Path(__file__).parent / "data" / "tally-fixed.json").read_text(encoding="utf-8"))
    monkeypatch.setattr(central_cli, "_verify",
                        lambda args: (demo_campaign, tallies.fixed_checks(demo_campaign), True))
    for lang in ("lv", "en"):
        # one batch is excluded and two serials conflict: partial results exit 1
        assert central_cli.cmd_tally(argparse.Namespace(lang=lang, json=True, csv=None, pdf=None)) == 1
        assert capsys.readouterr().out == expected[f"{lang}-json"]
        csv_path = tmp_path / f"tally-{lang}.csv"
        assert central_cli.cmd_tally(argparse.Namespace(lang=lang, json=False, csv=str(csv_path), pdf=None)) == 1
        assert capsys.readouterr().out.replace(str(csv_path), "OUT.csv") == expected[f"{lang}-text"]
        assert csv_path.read_bytes().decode("utf-8") == expected[f"{lang}-csv"]


def test_tally_result_to_json(demo_campaign):
    """The typed tally gives the pinned JSON; without ``tags_checked`` that key is absent."""
    demo_campaign = tallies.fixed_campaign(demo_campaign)
    expected = json.loads((Path(__file__).parent / "data" / "tally-fixed.json").read_text(encoding="utf-8"))
    result = tally(tallies.fixed_checks(demo_campaign), demo_campaign, "en")
    assert result.tags_checked is None and "tags_checked" not in result.to_json()
    pinned = json.loads(expected["en-json"])
    assert list(pinned) == [*result.to_json(), "tags_checked"]
    assert json.dumps(result.with_tags_checked(True).to_json(), ensure_ascii=False) + "\n" == expected["en-json"]
    assert result.duplicate_serials == len(result.duplicate_serial_list) == 3
    # AAAA…1 (two kiosks, two institutions) and AAAA…2 (two batches) differ: counted for nobody;
    # RRRR…1 was rejected by people in both batches: nothing to decide
    assert [(c.serial, c.kind, c.resolved) for c in result.conflicts] == [
        ("AAAA-AAAA-AAAA1", "different_selections", False), ("AAAA-AAAA-AAAA2", "different_selections", False)]
    assert not result.complete
    assert [s.rank for s in result.specialists][:3] == [1, 1, 1]  # the conflicting serials count for nobody
    assert result.institutions[-1].average_rating is None and result.integrity[-1].turnout is None
