"""The central office without its window: ``kiosk central setup|import|status|decide|online|
publish`` over a real data directory, with real kiosks' batches (genuine, tampered and
conflicting copies), the reports read back."""
from __future__ import annotations

import getpass
import json
import subprocess
from pathlib import Path

from kiosk.assets import demo_campaign_path
from kiosk.cli.main import main


def run(capsys, root, *argv: str) -> tuple[int, str, str]:
    code = main(["--lang", "lv", "--data-dir", str(root), "central", *argv])
    got = capsys.readouterr()
    return code, got.out, got.err


def test_import_decide_online_and_publish_from_the_command_line(tmp_path, stick, capsys, kiosk):
    root = tmp_path / "central"
    code, _, err = run(capsys, root, "status")
    assert code == 1 and "central.no_campaign" in err  # nothing set up: it says so
    code, text, _ = run(capsys, root, "setup", "--campaign", str(demo_campaign_path()))
    assert code == 0 and "demonstrācijas kampaņas" in text  # the demo campaign's own key checks the tags

    # a USB stick: four genuine batches, one tampered copy; exit 1: a file does not count
    code, text, _ = run(capsys, root, "import", "--json", str(stick.folder))
    doc = json.loads(text)
    assert code == 1 and len(doc["new"]) == 5 and doc["unchanged"] == [] and doc["unreadable"] == []
    [bad] = [f for f in doc["new"] if f["reason"] is not None]
    assert bad["reason"] == "altered_record" and bad["message"]
    code, text, _ = run(capsys, root, "import", str(stick.folder))  # the same files again: nothing changes
    assert code == 0 and "Jauni faili: 0; jau saņemti: 5; nenolasāmi: 0" in text

    code, text, _ = run(capsys, root, "status", "--json")
    status = json.loads(text)
    assert code == 0 and status["files"] == 5 and len(status["excluded"]) == 1
    assert status["unresolved_conflicts"] == 1
    [conflict] = status["conflicts"]
    assert conflict["serial"] == stick.conflict_serial and not conflict["resolved"] and len(conflict["copies"]) == 2
    kiosks = {k["kiosk_id"]: k for inst in status["institutions"] for k in inst["kiosks"]}
    assert kiosks[kiosk.kiosk_id]["state"] == "complete" and kiosks[kiosk.kiosk_id]["accepted"] == 2
    code, text, _ = run(capsys, root, "status")
    assert "Pretrunīgi numuri: 1, neizlemti: 1" in text and "IZSLĒGTS" in text

    # publishing waits for the conflict; a copy that is not one of the serial's is refused
    code, _, err = run(capsys, root, "publish", "--yes")
    assert code == 1 and "central.undecided" in err
    code, _, err = run(capsys, root, "decide", stick.conflict_serial, "--copy", "nav-tāda:1")
    assert code == 1 and "central.no_conflict" in err
    second = next(c for c in conflict["copies"] if c["kiosk_id"] == stick.second.kiosk_id)
    code, text, _ = run(capsys, root, "decide", stick.conflict_serial, "--copy",
                        f"{second['kiosk_id']}:{second['batch']}", "--note", "krusts otrajā kopijā")
    assert code == 0 and f"{second['kiosk_id']}:{second['batch']}" in text
    code, text, _ = run(capsys, root, "status", "--json")
    [decided] = json.loads(text)["conflicts"]
    assert decided["resolved"] and decided["decision"]["note"] == "krusts otrajā kopijā"
    assert decided["decision"]["decided_by"] == getpass.getuser()

    # the online vote: a bad line refused with its number, then a good file
    inst = kiosk.institution
    (tmp_path / "bad.csv").write_text("institution_id,specialist_id,votes\nnav-tādas,,3\n", encoding="utf-8")
    code, _, err = run(capsys, root, "online", str(tmp_path / "bad.csv"))
    assert code == 1 and "bad.csv:2" in err
    nobody = inst.specialists[-1]
    (tmp_path / "online.csv").write_text(f"institution_id,specialist_id,votes\n{inst.id},{nobody.id},100\n",
                                         encoding="utf-8")
    code, text, _ = run(capsys, root, "online", str(tmp_path / "online.csv"))
    assert code == 0 and "Tiešsaistes balsis: 100 (online.csv, 1 rinda)" in text  # one line: singular

    # a file does not count: publishing asks for --yes, then writes the four reports
    code, text, _ = run(capsys, root, "publish")
    assert code == 1 and "Faili, kas netiek skaitīti: 1" in text and "--yes" in text
    code, text, _ = run(capsys, root, "publish", "--yes")
    assert code == 0
    written = [line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("Publicēts: ")]
    assert [w.rsplit(".", 1)[1] for w in written] == ["pdf", "xlsx", "csv", "json"]
    pdf_text = subprocess.run(["pdftotext", "-layout", written[0], "-"], capture_output=True, text=True,
                              check=True).stdout
    assert "GALĪGIE REZULTĀTI" in pdf_text and nobody.name in pdf_text
    doc = json.loads(Path(written[3]).read_text(encoding="utf-8"))
    assert doc["published"]["final"] and doc["published"]["files_not_counted"] == 1
    assert doc["specialists"][0]["id"] == nobody.id  # 100 online votes: first
    # published: decisions, the online vote and a second publication are refused
    code, _, err = run(capsys, root, "decide", stick.conflict_serial, "--none")
    assert code == 1 and "central.published" in err
    code, _, err = run(capsys, root, "publish", "--yes")
    assert code == 1 and "central.published" in err
    code, text, _ = run(capsys, root, "status")
    assert code == 0 and "PUBLICĒTS" in text
