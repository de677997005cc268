"""Write a test corpus of marked, scanned and photographed ballots to a folder (tests/corpus.py).

    .venv/bin/python benchmarks/make_corpus.py OUT [--seed 2026] [--scanner 200] [--webcam 100]
        [--foreign 4] [--gen-workers N] [--scan] [--workers N] [--failures DIR]

OUT/data is an enrolled kiosk data directory (the ballots are printed by it),
OUT/corpus/{scanner,webcam} the files to read, OUT/corpus/truth.json the
ground truth.  With --scan the corpus is read through ``kiosk scan --json``
(OUT/scan.jsonl), matched to its ground truth and the confusion table written
to OUT/confusion.txt; --failures DIR copies every page that is not handled as
the acceptance requires into DIR (as PNG, one per page) with a list of why.
Timings of both phases are printed.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

import corpus  # noqa: E402

from kiosk.assets import demo_campaign_path  # noqa: E402
from kiosk.ballot.campaign import load_campaign
from kiosk.cli import main as cli  # noqa: E402
from kiosk.station import Kiosk  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--scanner", type=int, default=200)
    ap.add_argument("--webcam", type=int, default=100)
    ap.add_argument("--foreign", type=int, default=4)
    ap.add_argument("--gen-workers", type=int, default=os.cpu_count() or 1, help="processes writing the corpus")
    ap.add_argument("--scan", action="store_true", help="read the corpus with 'kiosk scan --json' and evaluate")
    ap.add_argument("--workers", type=int, help="reader processes for --scan (default: all cores)")
    ap.add_argument("--failures", type=Path, help="copy pages not handled as accepted here (with --scan)")
    args = ap.parse_args(argv)

    out: Path = args.out
    if out.exists() and any(out.iterdir()):
        ap.error(f"{out} is not empty")
    campaign = load_campaign(demo_campaign_path())
    data = out / "data"
    t0 = time.perf_counter()
    with Kiosk.enroll(campaign.institutions[0].id, root=data, campaign_path=demo_campaign_path()) as k, \
            Kiosk.enroll(campaign.institutions[1].id, root=out / "other", campaign_path=demo_campaign_path()) as other:
        c = corpus.build_corpus(k, out / "corpus", seed=args.seed, scanner=args.scanner, webcam=args.webcam,
                                foreign_kiosk=other, foreign=args.foreign, workers=args.gen_workers)
    t_gen = time.perf_counter() - t0
    pages = len(c.sheets)
    print(f"corpus: {len(c.ballots())} ballots, {pages} pages in {out / 'corpus'} "
          f"({t_gen:.1f} s, {1000 * t_gen / pages:.0f} ms per page)")
    if not args.scan:
        return 0

    argv_scan = ["--data-dir", str(data), "scan", "--json"]
    if args.workers:
        argv_scan += ["--workers", str(args.workers)]
    buf = io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(buf):
        status = cli.main(argv_scan + [str(f) for f in c.folders])
    t_scan = time.perf_counter() - t0
    (out / "scan.jsonl").write_text(buf.getvalue(), encoding="utf-8")
    ev = corpus.evaluate(c, corpus.parse_json_lines(buf.getvalue()))
    failures = ev.failures()
    text = (f"seed {args.seed}; kiosk scan exit {status}; read {pages} pages in {t_scan:.1f} s "
            f"({1000 * t_scan / pages:.0f} ms per page)\n{ev.table()}\n\nnot as accepted ({len(failures)}):\n"
            + "\n".join(o.describe() for o in failures) + "\n")
    (out / "confusion.txt").write_text(text, encoding="utf-8")
    print(text)
    if args.failures and failures:
        corpus.save_failures(c, ev, args.failures)
        print(f"{len(failures)} failing pages copied to {args.failures}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
