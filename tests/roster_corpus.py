"""Ballots of generated institutions of every roster size, printed, marked, scanned and read.

``run(...)`` takes a campaign (``tests/rosters.py`` makes them), and for each
institution prints ballots with the real layout, payload and PDF code (the
institution key derived from the campaign's master key, as the central office
does), checks with ``pdftotext`` that every name on the page is intact,
renders each ballot, marks it with the hand-like strokes of ``tests/corpus.py``
(one box per question unless the class says otherwise), captures it as a
scanner (150, 200 or 300 dpi, skew, rotation, noise, JPEG/PNG) or as a
1280x720 webcam photo, writes the file and reads it with the reader exactly as
``kiosk scan`` does (``kiosk.reading.context.read_file_page``: the file's
decode, the working resolution, the reader).  Each result is compared with
the ground truth by answer ids: counted as marked, counted wrong, review (with
its reasons), rejected.

Everything derives from the seed; institutions are spread over worker
processes.  Used by tests/test_roster_accuracy.py (a sample) and
benchmarks/roster_acceptance.py (the whole acceptance run).
"""
from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import random
import re
import shutil
import subprocess
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import corpus
import numpy as np
import pypdfium2 as pdfium

from kiosk.ballot import payload
from kiosk.ballot.campaign import Campaign, Institution, parse_campaign
from kiosk.ballot.layout import build_layout
from kiosk.ballot.pdf import write_pdf
from kiosk.ballot.spec import LayoutSpec
from kiosk.reading import imaging
from kiosk.reading.context import ReadContext, read_file_page

OUTCOMES = ("counted_ok", "counted_wrong", "review", "rejected")


@dataclass
class Result:
    institution: str
    roster: int  # specialists
    page: str
    capture: str  # scanner | webcam
    cls: str
    outcome: str  # one of OUTCOMES
    reasons: list[str]
    expected: dict[str, list[str]]
    got: dict[str, list[str]] | None
    serial_ok: bool
    names_intact: bool = True
    detail: str = ""
    index: int = 0  # the ballot's page in its institution's print job


@dataclass
class Task:
    data: dict[str, Any]  # the campaign file's data
    institution: str
    page: str
    plans: list[tuple[str, str]]  # (class, capture) per ballot
    seed: int
    policy: dict[str, str] | None = None


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)
    printed: int = 0  # institutions whose ballot printed
    name_failures: list[str] = field(default_factory=list)

    def table(self, buckets: list[tuple[int, int]], title: str) -> str:
        """The confusion table per roster size bucket and capture."""
        lines = [title, f"{'roster':>8} {'capture':<8}" + "".join(f"{k:>14}" for k in OUTCOMES)
                 + f"{'total':>7}  automatic  review reasons"]
        for lo, hi in buckets:
            for capture in ("scanner", "webcam"):
                rows = [r for r in self.results if lo <= r.roster <= hi and r.capture == capture]
                if not rows:
                    continue
                c = Counter(r.outcome for r in rows)
                reasons = Counter(x for r in rows if r.outcome in ("review", "rejected") for x in r.reasons[:1])
                auto = c["counted_ok"] / len(rows)
                lines.append(f"{f'{lo}-{hi}':>8} {capture:<8}" + "".join(f"{c[k]:>14}" for k in OUTCOMES)
                             + f"{len(rows):>7}  {100 * auto:8.1f}%  " + ", ".join(f"{k}:{n}" for k, n in sorted(reasons.items())))
        for capture in ("scanner", "webcam"):
            rows = [r for r in self.results if r.capture == capture]
            if rows:
                c = Counter(r.outcome for r in rows)
                lines.append(f"{'all':>8} {capture:<8}" + "".join(f"{c[k]:>14}" for k in OUTCOMES) + f"{len(rows):>7}  "
                             f"{100 * c['counted_ok'] / len(rows):8.1f}%")
        odd = [r for r in self.results if r.outcome not in ("counted_ok",) and r.cls in corpus.UNAMBIGUOUS]
        if odd:
            lines.append("not counted automatically: " + "; ".join(
                f"{r.institution} ({r.roster}, {r.capture}, {r.detail}, ballot {r.index}): {r.outcome} {r.reasons}" for r in odd))
        return "\n".join(lines)

    def rate(self, capture: str, classes: frozenset[str] = corpus.UNAMBIGUOUS) -> tuple[int, int]:
        rows = [r for r in self.results if r.capture == capture and r.cls in classes]
        return sum(r.outcome == "counted_ok" for r in rows), len(rows)

    def wrong(self) -> list[Result]:
        return [r for r in self.results if r.outcome == "counted_wrong"]


MASTER = bytes.fromhex("0d976958f8d5667e1555a70ca966c6d877d6e448bf453fb0f0adbe5cd6d0e91c")


def _flat(text: str) -> str:
    """pdftotext's lines as one line: a name wrapped after the hyphen of a double name joins up again."""
    return " ".join(re.sub(r"-\n", "-", text).split())


def names_intact(pdf: Path, spec: LayoutSpec) -> list[str]:
    """The answers (names) that pdftotext does not find whole on the page, with their diacritics."""
    text = subprocess.run(["pdftotext", "-raw", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = _flat(text)
    return [c.label for q in spec.questions if q.type == "specialist" for c in q.choices if c.label not in flat]


def _camera_1280(rng: random.Random) -> corpus.CamParams:
    p = corpus.random_cam_params(rng)
    p.frame = (1280, 720)
    if p.quarter not in (0, 90, 180, 270):
        p.quarter = 0
    return p


def _work(task: Task) -> tuple[list[Result], bool, list[str]]:
    campaign = parse_campaign(task.data)
    inst = campaign.institution(task.institution)
    key = payload.derive_institution_key(MASTER, campaign.id, inst.id)
    spec = build_layout(campaign, inst, task.page)
    rng = random.Random(f"{task.seed}:{inst.id}:{task.page}")
    ctx = ReadContext({spec.id: spec}, campaign.hash, inst.hash, key, {}, None, policy=task.policy or dict(campaign.review))
    out: list[Result] = []
    tmp = Path(tempfile.mkdtemp(prefix="rosters-"))
    try:
        serials = [rng.getrandbits(64).to_bytes(8, "big") for _ in task.plans]
        pays = [payload.make_payload(key, campaign.hash, inst.hash, spec.id, s) for s in serials]
        pdf = tmp / "ballots.pdf"
        write_pdf(spec, [(p.text(), payload.printed_serial(p, spec.serial_text.check)) for p in pays], pdf)
        missing = names_intact(pdf, spec)
        doc = pdfium.PdfDocument(str(pdf))
        try:
            for i, (cls, capture) in enumerate(task.plans):
                out.append(_ballot(doc, i, spec, cls, capture, pays[i], ctx, tmp, task.seed, inst, len(inst.specialists)))
        finally:
            doc.close()
        for r in out:
            r.names_intact = not missing
        return out, True, missing
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _ballot(doc: Any, i: int, spec: LayoutSpec, cls: str, capture: str, pay: payload.Payload, ctx: ReadContext,
            tmp: Path, seed: int, inst: Institution, roster: int) -> Result:
    rng, nprng = corpus._sheet_rngs(seed, f"{inst.id}:{spec.page}:{i}")
    if capture == "scanner":
        dpi = rng.choice([150, 200, 300])
        color = rng.random() < 0.3
        img = corpus.render_page(doc, i, dpi, color=color)
    else:
        cp = _camera_1280(rng)
        dpi = corpus.cam_render_dpi(cp, spec.page_mm)
        img = corpus.render_page(doc, i, dpi, color=True)
    marks = corpus.plan_marks(spec, cls, rng)
    corpus.mark_page(img, spec, marks, rng, nprng, ink_kind="pencil" if rng.random() < 0.08 else "pen",
                     extra=cls if cls in (corpus.STRAY, corpus.WRITE_IN, corpus.QR_DAMAGED) else None)
    votes = corpus.votes_of(spec, marks)
    if capture == "scanner":
        params = corpus.random_scan_params(rng, dpi=dpi, color=color)
        page = corpus.scan(img, params, nprng)
        if rng.random() < 0.5:
            path = tmp / f"{i}.png"
            page.save(path, "PNG", compress_level=1, dpi=(dpi, dpi))
        else:
            path = tmp / f"{i}.jpg"
            page.save(path, "JPEG", quality=rng.randint(75, 92), dpi=(dpi, dpi))
    else:
        frame, _corners = corpus.photograph(img, spec.page_mm, cp, rng, nprng)
        path = tmp / f"{i}.jpg"
        frame.save(path, "JPEG", quality=cp.quality)
    reading = read_file_page(ctx, str(path), 1, imaging.file_kind(path))
    path.unlink(missing_ok=True)
    expected = {q: list(v) for q, v in votes.items()}
    got = reading.selections
    if reading.status == "counted":
        same = got is not None and all(sorted(got.get(q, [])) == sorted(v) for q, v in expected.items())
        outcome = "counted_ok" if same and reading.serial == pay.serial else "counted_wrong"
    elif reading.status == "review":
        outcome = "review"
    else:
        outcome = "rejected"
    return Result(inst.id, roster, spec.page, capture, cls, outcome, list(reading.reasons), expected, got,
                  reading.serial == pay.serial, detail=f"dpi={round(dpi)}" if capture == "scanner" else
                  f"frame={cp.frame} quarter={cp.quarter} fill={cp.fill:.2f}", index=i)


def run(data: dict[str, Any], page: str, plans: dict[str, list[tuple[str, str]]], *, seed: int = 2026,
        workers: int | None = None, policy: dict[str, str] | None = None) -> Report:
    """Every institution of ``data`` (ids in ``plans``): print, check the names, mark, capture and read its ballots."""
    tasks = [Task(data, iid, page, plan, seed, policy) for iid, plan in plans.items()]
    workers = workers or min(2, os.cpu_count() or 1)
    report = Report()
    if workers > 1:
        mp = multiprocessing.get_context("forkserver")
        with cf.ProcessPoolExecutor(workers, mp_context=mp) as pool:
            for results, printed, missing in pool.map(_work, tasks):
                report.results += results
                report.printed += printed
                report.name_failures += missing
    else:
        for t in tasks:
            results, printed, missing = _work(t)
            report.results += results
            report.printed += printed
            report.name_failures += missing
    return report


def campaign_of(data: dict[str, Any]) -> Campaign:
    return parse_campaign(data)


def by_size(report: Report) -> dict[int, Counter]:
    out: dict[int, Counter] = defaultdict(Counter)
    for r in report.results:
        out[r.roster][r.outcome] += 1
    return out


def gray_of(path: Path) -> np.ndarray:
    return imaging.read_page(str(path), 1, imaging.file_kind(path)).gray
