"""Ballots for real institutions: large rosters, the number grid, write-ins and damaged QR codes, measured.

    .venv/bin/python benchmarks/roster_acceptance.py [--institutions 200] [--per 2] [--grid 100]
        [--writeins 20] [--damaged 40] [--seed 2026] [--workers 2] [--out FILE]

1. A generated campaign of ``--institutions`` institutions with rosters of 1 to
   60 specialists on A4, and one with rosters of 1 to 24 on A5 (names up to 40
   characters with every Latvian letter, institution names up to 150
   characters).  Every institution's ballot is printed (layout, payload, PDF)
   and ``pdftotext`` must find every name whole; ``--per`` ballots per
   institution and capture are marked (one box per question: clear marks of
   every kind, stray strokes between the boxes on some), captured as scanner
   files (150-300 dpi) and as 1280x720 photos, and read as ``kiosk scan``
   reads them.  Confusion tables per roster size.
2. The number grid: 200 specialists on A4, ``--grid`` ballots (scanner and photo).
3. Write-ins: ``--writeins`` ballots with a handwritten name on the line.
4. Damaged codes: ``--damaged`` ballots with a scribble across a QR finder pattern.

Prints the tables and the figures the acceptance asks for; exit status 1 if
any ballot was counted with a selection the voter did not make.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import corpus  # noqa: E402
import roster_corpus  # noqa: E402
import rosters  # noqa: E402

A4_BUCKETS = [(1, 10), (11, 20), (21, 30), (31, 40), (41, 50), (51, 60)]
A5_BUCKETS = [(1, 8), (9, 16), (17, 24)]


def plans_for(data: dict, per: int, rng: random.Random, classes=(corpus.CLEAR, corpus.CLEAR, corpus.CLEAR, corpus.STRAY)):
    out = {}
    for inst in data["institutions"]:
        plan = []
        for capture in ("scanner", "webcam"):
            plan += [(rng.choice(classes), capture) for _ in range(per)]
        out[inst["id"]] = plan
    return out


def line(title: str, report: roster_corpus.Report) -> str:
    parts = []
    for capture in ("scanner", "webcam"):
        ok, n = report.rate(capture, frozenset({corpus.CLEAR, corpus.STRAY, corpus.BLANK_QUESTION}))
        if n:
            parts.append(f"{capture} {ok}/{n} = {100 * ok / n:.1f}% counted automatically")
    return f"{title}: wrong {len(report.wrong())}; " + "; ".join(parts)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--institutions", type=int, default=200)
    ap.add_argument("--per", type=int, default=1, help="ballots per institution and capture")
    ap.add_argument("--grid", type=int, default=100)
    ap.add_argument("--writeins", type=int, default=20)
    ap.add_argument("--damaged", type=int, default=40)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--out", type=Path, help="also write the report here")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    text: list[str] = [f"machine: {platform.machine()}, {os.cpu_count()} cpus, Python {platform.python_version()}, "
                       f"load {os.getloadavg()[0]:.1f}; seed {args.seed}"]
    wrong = 0

    def say(s: str) -> None:
        print(s, flush=True)
        text.append(s)

    # 1. rosters of every size, A4 1-60 and A5 1-24
    for page, top, buckets in (("a4", 60, A4_BUCKETS), ("a5", 24, A5_BUCKETS)):
        sizes = [1 + (i * top) // args.institutions for i in range(args.institutions)]
        data = rosters.campaign(rosters.institutions(args.institutions, sizes, rng), page_size=page,
                                cid=f"lsk-rosters-{page}")
        t0 = time.perf_counter()
        report = roster_corpus.run(data, page, plans_for(data, args.per, rng), seed=args.seed, workers=args.workers)
        dt = time.perf_counter() - t0
        longest = max(len(s["name"]) for i in data["institutions"] for s in i["specialists"])
        inst_longest = max(len(i["name"]) for i in data["institutions"])
        say(f"\n== {page.upper()}: {args.institutions} institutions, rosters 1-{top}, names up to {longest} characters, "
            f"institution names up to {inst_longest}; {len(report.results)} ballots in {dt:.0f} s")
        say(f"printed: {report.printed}/{args.institutions}; names pdftotext did not find whole: {len(report.name_failures)}"
            + (f" {report.name_failures[:5]}" if report.name_failures else ""))
        say(report.table(buckets, f"confusion per roster size ({page.upper()})"))
        say(line(page.upper(), report))
        wrong += len(report.wrong())

    # 2. the number grid: 200 specialists on A4
    data = rosters.campaign(rosters.institutions(1, [200], rng), page_size="a4", style="number", cid="lsk-rosters-grid")
    iid = data["institutions"][0]["id"]
    plan = [(corpus.CLEAR, "scanner" if i % 2 == 0 else "webcam") for i in range(args.grid)]
    t0 = time.perf_counter()
    report = roster_corpus.run(data, "a4", {iid: plan}, seed=args.seed, workers=1)
    dt = time.perf_counter() - t0
    say(f"\n== number grid: 200 specialists on A4, {len(report.results)} ballots in {dt:.0f} s; "
        f"names not whole: {len(report.name_failures)}")
    say(report.table([(200, 200)], "confusion (number grid)"))
    say(line("number grid", report))
    wrong += len(report.wrong())

    # 3. write-ins, 4. damaged QR codes (A5 and A4 rosters of 12 and 40, write-in lines printed)
    data = rosters.campaign(rosters.institutions(2, [12, 40], rng), page_size="a4", write_in=True, cid="lsk-rosters-wi")
    ids = [i["id"] for i in data["institutions"]]
    for cls, n in ((corpus.WRITE_IN, args.writeins), (corpus.QR_DAMAGED, args.damaged)):
        plans = {iid: [(cls, "scanner") for _ in range(n // 2)] for iid in ids}
        report = roster_corpus.run(data, "a4", plans, seed=args.seed, workers=args.workers)
        outcomes = Counter((r.outcome, r.reasons[0] if r.reasons else "") for r in report.results)
        say(f"\n== {cls}: {len(report.results)} scanned ballots: " + ", ".join(f"{o}{'/' + w if w else ''}: {k}"
                                                                          for (o, w), k in sorted(outcomes.items())))
        wrong += len(report.wrong())

    say(f"\ncounted with a selection the voter did not make: {wrong}")
    if args.out:
        args.out.write_text("\n".join(text) + "\n", encoding="utf-8")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
