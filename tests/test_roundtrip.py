"""Round trip: print, mark, render, scan, review, export, verify, tally.

Two demo institutions on two kiosks (two data directories).  Ballots are
printed by the real printing code, rendered at 200 dpi with pdfium, marked
with a bold X in chosen boxes of the layout spec, saved as PNG and read by
the real reader through ``kiosk scan``.  The central tally must equal the
marks exactly.
"""
from __future__ import annotations

import json
import random
import shutil
from collections import Counter
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageDraw

from kiosk.cli.main import main  # noqa: E402
from kiosk.issuing.jobs import print_ballots

DPI = 200
PX = DPI / 25.4


def draw_x(img: Image.Image, box: list[float]) -> None:
    """A bold pen cross corner to corner inside a box [x, y, w, h] (mm from the top-left)."""
    x, y, w, h = (v * PX for v in box)
    inset, width = 0.12 * w, max(3, round(0.7 * PX))
    d = ImageDraw.Draw(img)
    d.line([(x + inset, y + inset), (x + w - inset, y + h - inset)], fill=20, width=width)
    d.line([(x + w - inset, y + inset), (x + inset, y + h - inset)], fill=20, width=width)


def print_and_mark(kiosk, count: int, folder: Path, rng: random.Random, blank: int = 0) -> list[dict]:
    """Print ``count`` ballots; mark all but the last ``blank`` of them, which get two specialists
    marked (a person must decide those); returns what each page carries."""
    pdf_path = folder.parent / f"{folder.name}.pdf"
    print_ballots(kiosk, count, out=pdf_path)
    spec = kiosk.layout()
    questions = {q.id: q for q in spec.questions}
    folder.mkdir(parents=True)
    pages = []
    doc = pdfium.PdfDocument(str(pdf_path))
    try:
        assert len(doc) == count
        for i in range(count):
            page = doc[i]
            try:
                img = page.render(scale=DPI / 72.0, grayscale=True).to_pil().convert("L")
            finally:
                page.close()
            marks: dict[str, list[str]] = {}
            if i < count - blank:
                specialist = rng.choice(questions["specialist"].options)
                draw_x(img, specialist.box)
                marks["specialist"] = [specialist.id]
                if rng.random() < 0.7:
                    rating = rng.choice(questions["rating"].options)
                    draw_x(img, rating.box)
                    marks["rating"] = [rating.id]
            else:
                for o in questions["specialist"].options[:2]:
                    draw_x(img, o.box)
            img.save(folder / f"ballot-{i:02d}.png")
            pages.append(marks)
    finally:
        doc.close()
    return pages


def scan(kiosk, folder: Path, capsys) -> list[dict]:
    assert main(["--data-dir", str(kiosk.root), "scan", "--json", "--workers", "1", str(folder)]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_print_mark_scan_export_verify_tally(kiosk, other_kiosk, tmp_path, capsys, demo_campaign):
    rng = random.Random(2026)
    expected_votes: Counter = Counter()
    expected_ratings: dict[str, list[int]] = {}
    out, trust = tmp_path / "batches", tmp_path / "trust"
    trust.mkdir()
    batch_files = []

    for k, count in ((kiosk, 7), (other_kiosk, 6)):
        folder = tmp_path / f"scans-{k.institution.id}"
        pages = print_and_mark(k, count, folder, rng, blank=1)
        # A photocopy of the first ballot arrives too: same serial, another image.
        Image.open(folder / "ballot-00.png").save(folder / "copy-of-00.jpg", quality=92)
        results = scan(k, folder, capsys)
        by_source = {Path(r["source"]).name: r for r in results}
        assert len(results) == count + 1
        assert [by_source[f"ballot-{i:02d}.png"]["status"] for i in range(count)] == ["counted"] * (count - 1) + ["review"]
        assert by_source["copy-of-00.jpg"]["status"] == "duplicate"
        for marks in pages[:-1]:
            name = next(o.name for o in k.institution.specialists if o.id == marks["specialist"][0])
            expected_votes[(k.institution.name, name)] += 1
            if "rating" in marks:
                expected_ratings.setdefault(k.institution.name, []).append(int(marks["rating"][0]))

        # First batch: the overvoted ballot waits for review and is listed as pending.
        assert main(["--data-dir", str(k.root), "export", "--out", str(out), "--json"]) == 0
        first = json.loads(capsys.readouterr().out)
        assert (first["records"], first["counted"], first["pending"]) == (count - 1, count - 1, 1)
        # A person resolves it: the voter chose the last specialist, no rating.
        [waiting] = k.store.review_queue()
        chosen = k.institution.specialists[-1]
        k.store.add_decision(waiting.id, "correct", {"specialist": [chosen.id], "rating": []}, None, "office")
        expected_votes[(k.institution.name, chosen.name)] += 1
        assert main(["--data-dir", str(k.root), "export", "--out", str(out), "--json"]) == 0
        second = json.loads(capsys.readouterr().out)
        assert (second["batch"], second["records"], second["pending"]) == (2, 1, 0)
        batch_files += [first["path"], second["path"]]
        shutil.copy(k.public_key_path, trust)

    assert main(["central", "verify", "--trust", str(trust), "--json", *batch_files]) == 0
    verified = json.loads(capsys.readouterr().out)
    assert verified["valid"] == 4 and verified["tags_checked"] is True

    assert main(["central", "tally", "--trust", str(trust), "--json", *batch_files]) == 0
    result = json.loads(capsys.readouterr().out)
    got = {(s["institution"], s["name"]): s["votes"] for s in result["specialists"] if s["votes"]}
    assert got == dict(expected_votes)
    for inst in result["institutions"]:
        r = expected_ratings.get(inst["name"], [])
        assert (inst["evaluations"], inst["average_rating"]) == (len(r), round(sum(r) / len(r), 2) if r else None)
    assert result["excluded_batches"] == [] and result["duplicate_serials"] == 0
    integrity = {g["institution_id"]: g for g in result["integrity"]}
    for k, count in ((kiosk, 7), (other_kiosk, 6)):
        g = integrity[k.institution.id]
        assert (g["issued"], g["scanned"], g["counted"], g["in_review"], g["duplicates"]) == (count, count + 1, count, 0, 1)
        assert g["turnout"] == 1.0
