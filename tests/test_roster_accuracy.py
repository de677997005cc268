"""A sample of the large-roster acceptance (benchmarks/roster_acceptance.py runs all of it).

Generated institutions with rosters across 1-60 on A4 and 1-24 on A5, and a
200-name number grid: every ballot prints with every name whole (pdftotext),
is marked by hand-like strokes, scanned (150-300 dpi) and photographed
(1280x720), and read as ``kiosk scan`` reads it.  Nothing is counted wrong;
nearly everything is counted without a person; write-ins and damaged codes go
where they must.
"""
from __future__ import annotations

import random

import corpus
import pytest
import roster_corpus
import rosters

pytestmark = pytest.mark.slow


def plans(data, rng, classes=(corpus.CLEAR, corpus.STRAY)):
    return {i["id"]: [(rng.choice(classes), "scanner"), (rng.choice(classes), "webcam")] for i in data["institutions"]}


@pytest.mark.parametrize("page, top, n", [("a4", 60, 8), ("a5", 24, 6)])
def test_rosters_of_every_size_print_whole_and_read_right(page, top, n):
    rng = random.Random(11)
    sizes = [1 + (i * top) // n for i in range(n)] + [top]
    data = rosters.campaign(rosters.institutions(len(sizes), sizes, rng), page_size=page)
    report = roster_corpus.run(data, page, plans(data, rng), seed=11)
    assert report.printed == len(sizes) and report.name_failures == []
    assert report.wrong() == [], report.table([(1, top)], page)
    for capture in ("scanner", "webcam"):
        ok, total = report.rate(capture, frozenset({corpus.CLEAR, corpus.STRAY}))
        assert total == len(sizes) and ok >= total - 1, report.table([(1, top)], page)


def test_the_number_grid_of_200_reads_right():
    rng = random.Random(12)
    data = rosters.campaign(rosters.institutions(1, [200], rng), page_size="a4", style="number")
    iid = data["institutions"][0]["id"]
    report = roster_corpus.run(data, "a4", {iid: [(corpus.CLEAR, ("scanner", "webcam")[i % 2]) for i in range(8)]
                                            + [(corpus.OVERVOTE, "scanner"), (corpus.DOT, "scanner")]}, seed=12, workers=1)
    assert report.name_failures == [] and report.wrong() == []
    clear = [r for r in report.results if r.cls == corpus.CLEAR]
    assert sum(r.outcome == "counted_ok" for r in clear) >= 7
    odd = {r.cls: r for r in report.results if r.cls != corpus.CLEAR}
    assert odd[corpus.OVERVOTE].outcome == "review" and odd[corpus.OVERVOTE].reasons[0] == "number_unclear"
    assert odd[corpus.DOT].outcome in ("review", "counted_ok")


def test_write_ins_go_to_review_and_damaged_codes_are_rescued_or_reviewed():
    rng = random.Random(13)
    data = rosters.campaign(rosters.institutions(2, [12, 40], rng), page_size="a4", write_in=True)
    ids = [i["id"] for i in data["institutions"]]
    report = roster_corpus.run(data, "a4", {iid: [(corpus.WRITE_IN, "scanner"), (corpus.WRITE_IN, "webcam"),
                                                  (corpus.QR_DAMAGED, "scanner"), (corpus.QR_DAMAGED, "scanner")]
                                            for iid in ids}, seed=13)
    assert report.wrong() == []
    for r in report.results:
        if r.cls == corpus.WRITE_IN:
            assert (r.outcome, r.reasons[:1]) == ("review", ["write_in"]), r
        else:
            assert r.outcome == "counted_ok" or (r.outcome, r.reasons[:1]) == ("review", ["qr_damaged"]), r
