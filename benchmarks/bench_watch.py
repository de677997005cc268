"""The scanner folder against a real writer process: chunks, pauses up to 5 s, renames, rewrites.

A separate writer process writes 50 files into a watched folder the way scanners and
network shares do: each file in 2-5 chunks with pauses of up to 5 s between them, files
overlapping in time, every fifth one under a temporary name (``.name.part``) renamed when
done, and 4 multi-page PDFs rewritten in place after every page (1 -> 2 -> 3 pages).  The
kiosk's ``FolderWatch`` (real clock, ``scan.settle_seconds`` = 6) is polled every 0.5 s
and what it offers is scanned.  Prints how many ballots were stored, partial versions
stored (must be 0), duplicate rows (must be 0) and the delay from a file's last write to
its ballots being stored.

    .venv/bin/python benchmarks/bench_watch.py [--files 50] [--settle 6] [--seed 50]
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

import sheets  # noqa: E402
from PIL import Image  # noqa: E402

from kiosk.assets import demo_campaign_path  # noqa: E402
from kiosk.ballot import payload  # noqa: E402
from kiosk.intake.scan import scan_paths  # noqa: E402
from kiosk.intake.watch import FolderWatch  # noqa: E402
from kiosk.station import Kiosk  # noqa: E402

WRITER = r"""
import json, os, sys, time
events = json.load(open(sys.argv[1]))
t0 = time.monotonic()
for t, target, source, a, b, rename in events:
    delay = t - (time.monotonic() - t0)
    if delay > 0:
        time.sleep(delay)
    data = open(source, "rb").read()
    with open(target, "r+b" if a > 0 else "wb") as fh:
        fh.seek(a)
        fh.write(data[a:b])
        fh.flush()
    if rename:
        os.rename(target, rename)
    print(json.dumps([time.monotonic() - t0, os.path.basename(rename or target)]), flush=True)
"""


def encoded(img: Image.Image, kind: str, more: list[Image.Image] = ()) -> bytes:
    buf = io.BytesIO()
    if kind == "pdf":
        img.save(buf, "PDF", save_all=True, append_images=list(more), resolution=150.0)
    elif kind == "tiff":
        img.save(buf, "TIFF", save_all=True, append_images=list(more), compression="tiff_deflate")
    elif kind == "jpeg":
        img.save(buf, "JPEG", quality=90)
    else:
        img.save(buf, "PNG")
    return buf.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=50)
    ap.add_argument("--settle", type=float, default=6.0)
    ap.add_argument("--seed", type=int, default=50)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="bench-watch-"))
    k = Kiosk.enroll("kuldiga-vpvkac", root=work / "data", campaign_path=demo_campaign_path())
    singles, multi = args.files - 4, 4
    n_ballots = singles + 3 * multi
    pdf, spec, serials = sheets.print_pdf(k, work, n_ballots)
    pages = []
    for n in range(n_ballots):
        img = sheets.render(pdf, n, 150)
        sheets.mark(img, spec, "specialist", spec.questions[0].options[n % 3].id, 150)
        sheets.mark(img, spec, "rating", str(1 + n % 5), 150)
        pages.append(img)
    stage, folder = work / "stage", work / "scanner"
    stage.mkdir()
    folder.mkdir()
    plan = []  # (name, [version files], via temporary name)
    kinds = ["png", "jpeg", "pdf", "tiff"]
    nxt = 0
    for i in range(singles):
        kind = kinds[i % 4]
        v = stage / f"s{i}.{kind}"
        v.write_bytes(encoded(pages[nxt], kind))
        nxt += 1
        plan.append((f"scan-{i:03d}.{kind}", [v], i % 5 == 0))
    for i in range(multi):
        group = pages[nxt:nxt + 3]
        nxt += 3
        versions = []
        for p in range(1, 4):
            v = stage / f"m{i}-{p}.pdf"
            v.write_bytes(encoded(group[0], "pdf", group[1:p]))
            versions.append(v)
        plan.append((f"batch-{i}.pdf", versions, False))
    events = []
    t = 0.0
    for name, versions, via_tmp in plan:
        start, target = t, folder / (f".{name}.part" if via_tmp else name)
        chunks = []
        for v in versions:
            size = v.stat().st_size
            cuts = sorted({0, size, *(rng.randrange(1, size) for _ in range(rng.randint(1, 4)))})
            chunks += [(v, a, b) for a, b in zip(cuts, cuts[1:])]
        for j, (v, a, b) in enumerate(chunks):
            last = j == len(chunks) - 1
            events.append([t, str(target), str(v), a, b, str(folder / name) if last and via_tmp else None])
            t += rng.uniform(0.0, 5.0)
        t = start + rng.uniform(0.5, 3.0)
    events.sort(key=lambda e: e[0])
    (work / "events.json").write_text(json.dumps(events))
    finals = {name: versions[-1].read_bytes() for name, versions, _ in plan}
    partials = {v.read_bytes() for _, versions, _ in plan for v in versions[:-1]}
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; {len(plan)} files, {n_ballots} ballots, "
          f"{len(events)} writes over {events[-1][0]:.0f} s; settle {args.settle} s")

    watch = FolderWatch(folder, settle_s=args.settle)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(work / "events.json")], stdout=subprocess.PIPE)
    os.set_blocking(writer.stdout.fileno(), False)
    last_write: dict[str, float] = {}
    t0 = time.monotonic()
    results, delays = [], []
    buffered = ""
    while True:
        try:
            buffered += os.read(writer.stdout.fileno(), 1 << 16).decode()
        except BlockingIOError:
            pass
        while "\n" in buffered:
            line, buffered = buffered.split("\n", 1)
            _at, name = json.loads(line)
            last_write[name] = time.monotonic()
        ready = watch.poll()
        if ready:
            got = list(scan_paths(k, ready, workers=1))
            now = time.monotonic()
            results += got
            delays += [now - last_write[Path(p).name] for p in ready]
        if writer.poll() is not None and watch.waiting == 0 and not ready:
            break
        time.sleep(0.5)
    elapsed = time.monotonic() - t0
    counted = [r for r in results if r.status == "counted"]
    stored_originals = {Path(k.store.image(k.store.sheet(r.sheet_id).image_sha256)["path"]).read_bytes()
                        for r in results if r.sheet_id is not None}
    partial_stored = len(stored_originals & partials)
    rows = k.store.db.execute("SELECT COUNT(*), COUNT(DISTINCT serial) FROM sheets").fetchone()
    expected = sorted(payload.serial_text(s) for s in serials)
    ok = sorted(r.serial for r in counted) == expected and stored_originals == set(finals.values())
    print(f"stored {len(counted)} of {n_ballots} ballots counted, every one once: {ok}; "
          f"sheet rows {rows[0]} for {rows[1]} serials; partial versions stored {partial_stored}; "
          f"duplicate rows {sum(r.status == 'duplicate' for r in results)}")
    print(f"last write -> stored: min {min(delays):.1f} s, median {statistics.median(delays):.1f} s, "
          f"max {max(delays):.1f} s; the whole run {elapsed:.0f} s")
    k.close()


if __name__ == "__main__":
    main()
