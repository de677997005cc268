"""How many ballots a person must look at, before and after the review policy, and the keys it takes.

    .venv/bin/python benchmarks/review_load.py [--institution riga-vid-klientu-centrs] [--scanner 200] [--webcam 100]
        [--seed 2026] [--gen-workers 2]

A realistic urn (tests/corpus.py ``URN_MIX``: 55% clear, 8% blank ballots, 10%
overvotes, 10% light pencil, 7% dots, 10% stray strokes, some questions
skipped), printed by a demo kiosk, marked, scanned and photographed, read by
``kiosk scan --json``.  The share sent to review is reported with the
campaign's default policy (a question left blank and a blank ballot counted
as cast) and as the earlier rule had it (both to review): the reader records
what the policy counted without a person (``counted_as_cast``), so one
reading gives both.

Key presses per 100 ballots: each sheet in review costs what the review
screen needs for it, from the ground truth of what the voter did:

- the machine's reading is right (a dot, a blank question or ballot under the
  earlier rule): Enter (1);
- an overvote: the question starts empty; Enter counts the rest (1);
- a light-pencil mark to count: on a short roster its number and Enter (2;
  one more, ↓, when it is not the first question); on a long roster the
  picker offers the inked boxes first: a click on it, Enter, Enter (2 keys);
- a write-in: the surname's first letters (4 on average) and Enter, Enter (6);
- a damaged QR code: the printed line's 17 characters and Enter (18).
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import corpus  # noqa: E402

from kiosk.assets import demo_campaign_path  # noqa: E402
from kiosk.cli import main as cli  # noqa: E402
from kiosk.station import Kiosk  # noqa: E402
from kiosk.storage.store import Store  # noqa: E402

SHORT = 12  # rosters up to this many names are picked with buttons and digits


def keys_for(sheet: corpus.Sheet, reasons: list[str], roster: int) -> int:
    if "qr_damaged" in reasons:
        return 18
    if "write_in" in reasons:
        return 6
    faint = [m for m in sheet.drawn.get("marks", []) if m["kind"] == "faint"]
    if sheet.cls == corpus.FAINT and faint:
        first = faint[0]["question"] == "specialist"
        if first and roster > SHORT:
            return 2
        return 2 if first else 3
    return 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--institution", default="riga-vid-klientu-centrs")
    ap.add_argument("--scanner", type=int, default=200)
    ap.add_argument("--webcam", type=int, default=100)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--gen-workers", type=int, default=min(2, os.cpu_count() or 1))
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus, Python {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        with Kiosk.enroll(args.institution, root=root / "data", campaign_path=demo_campaign_path()) as k:
            roster = len(k.institution.specialists)
            c = corpus.build_corpus(k, root / "corpus", seed=args.seed, scanner=args.scanner, webcam=args.webcam,
                                    foreign_kiosk=None, a4_share=0.3, workers=args.gen_workers, mix=corpus.URN_MIX)
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            cli.main(["--data-dir", str(root / "data"), "scan", "--json", *(str(f) for f in c.folders)])
        lines = corpus.parse_json_lines(buf.getvalue())
        ev = corpus.evaluate(c, lines)
        with Store(root / "data" / "kiosk.db") as store:
            cast = {line["sheet_id"]: store.sheet(line["sheet_id"]).interpretation.get("counted_as_cast", [])
                    for line in lines if line.get("sheet_id")}
        ballots = [o for o in ev.outcomes if o.sheet.cls in corpus.BALLOT_CLASSES]
        n = len(ballots)
        after = [o for o in ballots if o.status == "review"]
        before = after + [o for o in ballots if o.status == "counted" and cast.get(o.line["sheet_id"])]
        keys_after = sum(keys_for(o.sheet, o.line["reasons"], roster) for o in after)
        keys_before = keys_after + sum(1 for o in before if o not in after)
        print(f"\n{args.institution}: {roster} specialists; {n} ballots ({args.scanner} scanned, {args.webcam} photographed)")
        print(ev.table())
        print(f"\nwrong: {len(ev.wrong())}")
        print(f"to review with the earlier rule (blank question and blank ballot to review): {len(before)}/{n} = "
              f"{100 * len(before) / n:.1f}%; key presses {keys_before} = {100 * keys_before / n:.0f} per 100 ballots")
        print(f"to review with the default policy (both counted as cast):                   {len(after)}/{n} = "
              f"{100 * len(after) / n:.1f}%; key presses {keys_after} = {100 * keys_after / n:.0f} per 100 ballots")
        print("review reasons now: " + ", ".join(f"{k}:{v}" for k, v in sorted(Counter(
            o.line["reasons"][0] for o in after).items())))
    return 1 if ev.wrong() else 0


if __name__ == "__main__":
    sys.exit(main())
