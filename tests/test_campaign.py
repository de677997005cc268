from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import REPO

from kiosk.ballot.campaign import load_campaign
from kiosk.errors import CampaignError, KioskError

LATVIAN = set("āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ")


def test_demo_campaign_is_complete(demo_campaign):
    c = demo_campaign
    assert len(c.institutions) >= 3
    assert {q.type for q in c.questions} >= {"specialist", "rating"}
    rating = next(q for q in c.questions if q.type == "rating")
    assert rating.optional and rating.scale == 5
    names = "".join(s.name for i in c.institutions for s in i.specialists)
    assert {"Ķ", "Ņ", "Š", "Ģ", "Ū", "Ļ"} <= set(names)
    assert c.page_size == "a5"
    assert c.voting_start < c.voting_end


GOOD = """
id = "t"
title = "Tests"
[voting]
start = 2026-09-12
end = 2026-11-11
[[questions]]
id = "specialist"
type = "specialist"
text = "Labākais speciālists"
[[institutions]]
id = "a"
name = "Iestāde A"
  [[institutions.specialists]]
  id = "s1"
  name = "Žanis Ērglis"
"""


def write(tmp_path, text):
    p = tmp_path / "c.toml"
    p.write_text(text, encoding="utf-8")
    return p


def problems(tmp_path, text):
    with pytest.raises(CampaignError) as info:
        load_campaign(write(tmp_path, text))
    return info.value


def test_minimal_campaign_loads(tmp_path):
    c = load_campaign(write(tmp_path, GOOD))
    assert c.institution("a").specialists[0].name == "Žanis Ērglis"
    assert c.questions[0].text == {"lv": "Labākais speciālists", "en": "Labākais speciālists"}


@pytest.mark.parametrize(
    "change, field, code",
    [
        (lambda t: t + '\n[[institutions]]\nid = "a"\nname = "Dubults"\n  [[institutions.specialists]]\n  id = "x"\n  name = "X"\n',
         "institutions[2].id", "duplicate_id"),
        (lambda t: t + '\n[[institutions]]\nid = "b"\nname = "Tukša"\n', "institutions[2].specialists", "empty_roster"),
        (lambda t: t.replace('type = "specialist"', 'type = "essay"'), "questions[1].type", "unknown_question_type"),
        (lambda t: t.replace("end = 2026-11-11", "end = 2026-01-01"), "voting.end", "impossible_dates"),
        (lambda t: t.replace('start = 2026-09-12', 'start = "12.09.2026"'), "voting.start", "bad_date"),
        (lambda t: t.replace('id = "s1"', 'id = "Š1"'), "institutions[1].specialists[1].id", "bad_id"),
        (lambda t: t.replace('name = "Žanis Ērglis"', 'name = ""'), "institutions[1].specialists[1].name", "empty"),
        (lambda t: 'page_size = "letter"\n' + t, "page_size", "bad_page_size"),
        (lambda t: 'colour = "red"\n' + t, "colour", "unknown_field"),
    ],
)
def test_each_problem_names_file_field_and_reason(tmp_path, change, field, code):
    err = problems(tmp_path, change(GOOD))
    found = [(p.field, p.code) for p in err.problems]
    assert (field, code) in found
    text = err.message("en")
    assert str(tmp_path / "c.toml") in text and field in text
    assert "Traceback" not in text


def test_all_problems_reported_at_once(tmp_path):
    bad = GOOD.replace('type = "specialist"', 'type = "essay"').replace("end = 2026-11-11", "end = 2025-01-01")
    err = problems(tmp_path, bad)
    assert {p.code for p in err.problems} >= {"unknown_question_type", "impossible_dates"}
    assert "2" in err.message("lv")  # the count is told


def test_syntax_error_and_missing_file_are_known_errors(tmp_path):
    with pytest.raises(KioskError) as info:
        load_campaign(write(tmp_path, 'id = "t"\ntitle = [unclosed\n'))
    assert info.value.code == "campaign.syntax"
    with pytest.raises(KioskError) as info:
        load_campaign(tmp_path / "nope.toml")
    assert info.value.code == "campaign.not_found"
    (tmp_path / "bin.toml").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(KioskError) as info:
        load_campaign(tmp_path / "bin.toml")
    assert info.value.code == "campaign.unreadable"


def test_cli_campaign_json_shape():
    done = subprocess.run([sys.executable, "-m", "kiosk", "campaign", "--json"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["id"] == "lsk-2026-demo" and data["title"] == "Laba servisa kustība 2026"
    assert all(set(i) >= {"id", "name", "specialists"} for i in data["institutions"])
    assert all(set(s) >= {"id", "name"} for i in data["institutions"] for s in i["specialists"])
    assert [q["type"] for q in data["questions"]] == ["specialist", "rating"]
    assert LATVIAN & set(done.stdout)  # diacritics unescaped


def test_cli_reports_invalid_campaign_without_traceback(tmp_path):
    bad = write(tmp_path, GOOD.replace('type = "specialist"', 'type = "essay"'))
    done = subprocess.run([sys.executable, "-m", "kiosk", "--lang", "en", "campaign", str(bad)], cwd=REPO,
                          capture_output=True, text=True)
    assert done.returncode == 1
    assert "questions[1].type" in done.stderr and "unknown question type 'essay'" in done.stderr
    assert "Traceback" not in done.stderr
