"""Trust without hand-collected keys: kiosks certified by their institution key at
enrollment (batch format 3), the central office trusting them with the campaign file and
the master key alone, and revoked kiosks excluded by name.

Real kiosks (real SQLite data directories, real keys), real batch files, the real CLI.
"""
from __future__ import annotations

import json
import random
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from test_export import add_sheet

from kiosk.assets import demo_campaign_path
from kiosk.ballot.campaign import load_campaign
from kiosk.ballot.keys import certificate_valid, kiosk_certificate, read_hex_key
from kiosk.ballot.payload import derive_institution_key
from kiosk.batches.export import export_batch
from kiosk.batches.format import FORMAT_VERSION
from kiosk.central.tally import tally
from kiosk.central.verify import kiosk_chains, parse_revocations, verify_batches
from kiosk.cli.main import main
from kiosk.errors import KioskError
from kiosk.station import Kiosk


@pytest.fixture
def real_campaign(tmp_path) -> Path:
    """The demo campaign as a real one: its own id and no demo key (only the master key derives keys)."""
    text = demo_campaign_path().read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if not ln.startswith("demo_master_key")]
    text = "\n".join(lines).replace('id = "lsk-2026-demo"', 'id = "lsk-2026-real"', 1)
    path = tmp_path / "campaign.toml"
    path.write_text(text + "\n", encoding="utf-8")
    assert load_campaign(path).demo_master_key is None
    return path


@pytest.fixture
def office(tmp_path, real_campaign, capsys):
    """The master key, and three kiosks enrolled with institution keys from
    ``kiosk central institution-key``: two in the first institution, one in the second."""
    campaign = load_campaign(real_campaign)
    master = tmp_path / "office" / "master.key"
    master.parent.mkdir()
    assert main(["central", "master-key", "--out", str(master)]) == 0
    kiosks = []
    for n, inst in enumerate((campaign.institutions[0], campaign.institutions[0], campaign.institutions[1])):
        key = tmp_path / "office" / f"{inst.id}.key"
        assert main(["central", "institution-key", "--campaign", str(real_campaign), "--master", str(master),
                     "--institution", inst.id, "--out", str(key)]) == 0
        kiosks.append(Kiosk.enroll(inst.id, root=tmp_path / f"kiosk-{n}", campaign_path=real_campaign, key_file=key))
    capsys.readouterr()
    yield campaign, master, kiosks
    for k in kiosks:
        k.close()


def votes(kiosk: Kiosk, n: int, rng: random.Random, marks: Counter) -> None:
    for _ in range(n):
        sid = rng.choice(kiosk.institution.specialists).id
        add_sheet(kiosk, "counted", {"specialist": [sid], "rating": [str(rng.randint(1, 5))]})
        marks[(kiosk.institution.id, sid)] += 1


def test_enrollment_certifies_the_kiosk_key_and_every_batch_carries_it(office, tmp_path):
    campaign, master, (k, _, _) = office
    add_sheet(k)
    path = export_batch(k, tmp_path / "out").path
    with zipfile.ZipFile(path) as z:
        manifest = json.loads(z.read("manifest.json"))
        public = bytes.fromhex(json.loads(z.read("signature.json"))["public_key"])
    assert manifest["version"] == FORMAT_VERSION == 3
    inst_key = derive_institution_key(read_hex_key(master), campaign.id, k.institution.id)
    assert certificate_valid(inst_key, k.kiosk_id, public, manifest["certificate"])
    # domain separated and bound to both the id and the key
    assert not certificate_valid(inst_key, "kiosk-aaaaaaaa", public, manifest["certificate"])
    assert not certificate_valid(inst_key, k.kiosk_id, bytes(32), manifest["certificate"])
    other = derive_institution_key(read_hex_key(master), campaign.id, campaign.institutions[1].id)
    assert not certificate_valid(other, k.kiosk_id, public, manifest["certificate"])
    assert manifest["certificate"] == kiosk_certificate(inst_key, k.kiosk_id, public)


def test_two_institutions_tallied_with_campaign_and_master_only(office, tmp_path, capsys, real_campaign):
    """Acceptance: every ballot counted without any .pub file; a revoked kiosk's batches
    excluded and named (and the chain after them held back)."""
    _campaign, master, kiosks = office
    rng = random.Random(15)
    marks: Counter = Counter()
    out = tmp_path / "usb"
    files: dict[str, list[Path]] = {}
    for k, sizes in zip(kiosks, ((5, 3), (4,), (6, 2))):
        for n in sizes:
            votes(k, n, rng, marks)
            files.setdefault(k.kiosk_id, []).append(export_batch(k, out).path)
    total = sum(marks.values())
    assert total == 20

    assert main(["--lang", "en", "central", "tally", "--campaign", str(real_campaign), "--master", str(master),
                 "--json", str(out)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["complete"] and result["ballots_counted"] == total and result["tags_checked"]
    got = {(s["institution_id"], s["id"]): s["votes"] for s in result["specialists"] if s["votes"]}
    assert got == dict(marks)
    assert main(["central", "verify", "--campaign", str(real_campaign), "--master", str(master), str(out)]) == 0
    assert "5 no 5 partijām derīgas" in capsys.readouterr().out

    # Without the master key and without .pub files nothing can be trusted: a usage error.
    assert main(["central", "verify", "--campaign", str(real_campaign), str(out)]) == 2

    # A wrong master key: no certificate verifies, every batch is an unknown key.
    wrong = tmp_path / "wrong.key"
    wrong.write_text("11" * 32 + "\n")
    assert main(["--lang", "en", "central", "verify", "--campaign", str(real_campaign), "--master", str(wrong),
                 "--json", str(out)]) == 1
    assert {b["reason"] for b in json.loads(capsys.readouterr().out)["batches"]} == {"unknown_key"}
    assert main(["central", "verify", "--campaign", str(real_campaign), "--master", str(master), "--json",
                 str(out)]) == 0
    assert {b["certified"] for b in json.loads(capsys.readouterr().out)["batches"]} == {True}

    # Kiosk 3 is lost: revoked from the start.  Its batches are excluded and named; the rest counts.
    lost = kiosks[2]
    revoked = tmp_path / "revoked.txt"
    revoked.write_text(f"# lost on the way back from the office\n{lost.kiosk_id}\n", encoding="utf-8")
    assert main(["--lang", "en", "central", "tally", "--campaign", str(real_campaign), "--master", str(master),
                 "--revoked", str(revoked), "--json", str(out)]) == 1
    result = json.loads(capsys.readouterr().out)
    excluded = {(Path(e["file"]).name, e["reason"]) for e in result["excluded_batches"]}
    assert excluded == {(p.name, "revoked") for p in files[lost.kiosk_id]}
    assert all(lost.kiosk_id in e["detail"] and "revoked" in e["message"] for e in result["excluded_batches"])
    lost_marks = sum(n for (iid, _), n in marks.items() if iid == lost.institution.id)
    assert result["ballots_counted"] == total - lost_marks == 12

    # Revoked from a date: batches made before it count, batches made on or after it do not.
    made = json.loads(zipfile.ZipFile(files[lost.kiosk_id][0]).read("manifest.json"))["created_at"][:10]
    revoked.write_text(f"{lost.kiosk_id} 2999-01-01\n", encoding="utf-8")
    assert main(["central", "tally", "--campaign", str(real_campaign), "--master", str(master),
                 "--revoked", str(revoked), "--json", str(out)]) == 0
    assert json.loads(capsys.readouterr().out)["ballots_counted"] == total
    revoked.write_text(f"{lost.kiosk_id} {made}\n", encoding="utf-8")
    assert main(["central", "tally", "--campaign", str(real_campaign), "--master", str(master),
                 "--revoked", str(revoked), "--json", str(out)]) == 1
    assert json.loads(capsys.readouterr().out)["ballots_counted"] == 12


def test_older_batches_still_verify_with_trust(office, tmp_path, real_campaign):
    """A batch without a certificate (format 1 or 2) is trusted through --trust only."""
    campaign, master, (k, _, _) = office
    add_sheet(k)
    path = export_batch(k, tmp_path / "out").path
    # with the master key but no certificate in the trust: the certificate carries it
    checks = verify_batches([path], {}, campaign, read_hex_key(master))
    assert checks[0].ok and checks[0].certified
    # a trust directory alone (no master key) still works for a certified batch
    checks = verify_batches([path], {k.kiosk_id: bytes.fromhex(k.public_key_path.read_text().strip())}, campaign)
    assert checks[0].ok and not checks[0].certified
    assert tally(checks, campaign).ballots_counted == 1


def test_revocation_list_lines_are_checked_and_every_bad_line_named():
    got = parse_revocations("kiosk-aaaaaaaa\n\n# comment\nkiosk-bbbbbbbb 2026-10-01  # stolen\n")
    assert {k: (v.isoformat() if v else None) for k, v in got.items()} == {
        "kiosk-aaaaaaaa": None, "kiosk-bbbbbbbb": "2026-10-01"}
    with pytest.raises(KioskError) as err:
        parse_revocations("kiosk-aaaaaaaa 2026-13-01\nnot-a-kiosk\nkiosk-cccccccc\nkiosk-cccccccc\n", "rev.txt")
    text = err.value.message("en")
    assert err.value.code == "central.revocations"
    assert "rev.txt:1" in text and "rev.txt:2" in text and "rev.txt:4" in text and "rev.txt:3" not in text
    assert err.value.message("lv").startswith("Atsaukto kiosku saraksts nav derīgs")


def test_each_kiosk_chain_state_and_progress(office, tmp_path):
    """What the window shows per kiosk: complete, missing batch N, revoked; progress per file."""
    campaign, master, (a, b, c) = office
    files = {}
    for k, n in ((a, 3), (b, 1), (c, 2)):
        files[k.kiosk_id] = []
        for _ in range(n):
            add_sheet(k)
            files[k.kiosk_id].append(export_batch(k, tmp_path / "usb").path)
    replay = tmp_path / "copy.zip"
    replay.write_bytes(files[b.kiosk_id][0].read_bytes())
    paths = [files[a.kiosk_id][0], files[a.kiosk_id][2], *files[b.kiosk_id], replay, *files[c.kiosk_id]]
    seen: list[tuple[int, int]] = []
    checks = verify_batches(paths, {}, campaign, read_hex_key(master), parse_revocations(f"{c.kiosk_id}\n"),
                            progress=lambda done, total: seen.append((done, total)))
    assert seen == [(n, 6) for n in range(1, 7)]
    states = {s.kiosk_id: s for s in kiosk_chains(checks)}
    assert (states[a.kiosk_id].state, states[a.kiosk_id].at, states[a.kiosk_id].numbers,
            states[a.kiosk_id].accepted, states[a.kiosk_id].missing) == ("missing", 2, (1, 3), 1, (2,))
    assert (states[b.kiosk_id].state, states[b.kiosk_id].accepted) == ("complete", 1)
    assert [r for _f, r, _d in states[b.kiosk_id].excluded] == ["replayed_batch"]
    assert (states[c.kiosk_id].state, states[c.kiosk_id].at, states[c.kiosk_id].accepted) == ("revoked", 1, 0)
    assert states[a.kiosk_id].institution_id == a.institution.id


def test_central_commands_log_into_the_central_office_directory(tmp_path):
    """A central command given ``--data-dir`` logs into that central office directory's
    ``logs/central.log``; it never makes a kiosk's log there (a fresh process: the log is
    set up once per process)."""
    root = tmp_path / "central"
    done = subprocess.run([sys.executable, "-m", "kiosk", "--data-dir", str(root), "central", "master-key",
                           "--out", str(tmp_path / "master.key")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (root / "logs").iterdir()) == ["central.log"]
