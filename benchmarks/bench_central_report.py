"""The central office's reports for a campaign of real size: 200 institutions, 60 specialists each.

Generates the campaign and its batches (``tests/central_campaign.py``: format 3,
trusted through enrollment certificates; 100,000 ballots in 200 batches by default, or
reuses ``--dir``), verifies and tallies them as ``kiosk central tally --campaign --master``
does, then times the PDF report, the XLSX workbook and the CSV, prints the PDF's page count
and checks that its first page names the winners and the rule.

    .venv/bin/python benchmarks/bench_central_report.py [--dir DIR] [--ballots 100000] [--batches 200]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from central_campaign import generate_batches, write_campaign

from kiosk.ballot.campaign import load_campaign
from kiosk.ballot.keys import read_hex_key
from kiosk.central.report import write_report
from kiosk.central.tables import write_csv, write_xlsx
from kiosk.central.tally import tally
from kiosk.central.verify import verify_batches


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", type=Path)
    ap.add_argument("--ballots", type=int, default=100_000)
    ap.add_argument("--batches", type=int, default=200)
    args = ap.parse_args()
    work = args.dir or Path(tempfile.mkdtemp(prefix="central-report-"))
    if not list((work / "batches").glob("*.zip")):
        master = write_campaign(work / "campaign.toml", 200, 60)
        generate_batches(work / "batches", load_campaign(work / "campaign.toml"), read_hex_key(master),
                         args.ballots, args.batches)
    campaign = load_campaign(work / "campaign.toml")
    master = read_hex_key(work / "campaign.master")
    paths = sorted((work / "batches").glob("*.zip"))
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; {len(campaign.institutions)} institutions, "
          f"{sum(len(i.specialists) for i in campaign.institutions)} specialists, {len(paths)} batches")
    t0 = time.perf_counter()
    result = tally(verify_batches(paths, {}, campaign, master), campaign, "lv").with_tags_checked(True)
    print(f"verify + tally: {time.perf_counter() - t0:.1f} s, {result.ballots_counted} ballots counted")

    out = work / "out"
    out.mkdir(exist_ok=True)
    for name, write in (("report.pdf", lambda p: write_report(result, campaign, p)),
                        ("results.xlsx", lambda p: write_xlsx(result, p, "lv")),
                        ("results.csv", lambda p: write_csv(result, p))):
        t0 = time.perf_counter()
        write(out / name)
        print(f"{name}: {time.perf_counter() - t0:.1f} s, {(out / name).stat().st_size / 1e6:.1f} MB")

    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(out / "report.pdf"))
    try:
        pages = len(pdf)
        first = pdf[0].get_textpage().get_text_range()
    finally:
        pdf.close()
    winners = [s.name for s in result.specialist_winners] + [i.name for i in result.institution_winners]
    named = all(w.split()[0] in first for w in winners) and "Metode" in first and "pozitīvo novērtējumu" in first
    print(f"PDF: {pages} pages; first page names the winners and the rule: {named}; load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
