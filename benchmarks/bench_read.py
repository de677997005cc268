"""Reading speed: ms per sheet on one core next to the bare decode of the same file,
then sheets per second with every core, and peak memory.

Three kinds of input, each a really printed, rendered and marked ballot:
  a5-300.png   A5 at 300 dpi, scanner noise and skew, PNG (default compression)
  a4-200.jpg   A4 at 200 dpi, scanner noise and skew, JPEG quality 85
  photo.jpg    a 1920x1080 webcam-like photo (perspective, uneven light), JPEG quality 90

"read" is what a worker does per page: imaging.read_page (decode at working
resolution) + reader.read_sheet (QR, geometry, boxes, outcome).  "bare decode"
is Pillow's Image.open + load of the same file at full resolution.

    .venv/bin/python benchmarks/bench_read.py [--runs 25] [--batch 24]
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def make_inputs(kiosk, out: Path, n: int, tmp: Path) -> dict[str, list[Path]]:
    import sheets

    files: dict[str, list[Path]] = {"a5-300.png": [], "a4-200.jpg": [], "photo.jpg": []}
    for i in range(n):
        votes = {"specialist": ["k-ozolina", "k-kalnins", "k-berzina", "k-zvaigzne"][i % 4], "rating": str(1 + i % 5)}
        img, _, _ = sheets.ballot(kiosk, tmp, votes, dpi=300, page_size="a5", kind=("cross", "tick")[i % 2], seed=i)
        p = out / f"{i:03d}-a5-300.png"
        sheets.scanner(img, skew=1.2 - 0.1 * (i % 5), noise=4, seed=i).save(p, dpi=(300, 300))
        files["a5-300.png"].append(p)
        img, _, _ = sheets.ballot(kiosk, tmp, votes, dpi=200, page_size="a4", seed=i)
        p = out / f"{i:03d}-a4-200.jpg"
        p.write_bytes(sheets.jpeg_bytes(sheets.scanner(img, skew=-2.0 + 0.2 * (i % 5), noise=4, seed=i), 85, dpi=200))
        files["a4-200.jpg"].append(p)
        img, _, _ = sheets.ballot(kiosk, tmp, votes, dpi=300, page_size="a5", seed=i)
        p = out / f"{i:03d}-photo.jpg"
        p.write_bytes(sheets.jpeg_bytes(sheets.photo(img, (1920, 1080), seed=i, turn=(90, 270)[i % 2]), 90))
        files["photo.jpg"].append(p)
    return files


def median_ms(fn, runs: int) -> float:
    fn()  # warm up (imports, caches)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=25, help="runs per file kind for the medians (>= 20)")
    ap.add_argument("--batch", type=int, default=24, help="ballots per kind for the all-cores run")
    args = ap.parse_args()

    from PIL import Image

    from kiosk import imaging
    from kiosk.reader import read_sheet
    from kiosk.scan import ReadContext, scan_paths
    from kiosk.service import Kiosk

    ncpu = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"machine: {platform.machine()}, {ncpu} cpus, Python {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        kiosk = Kiosk.enroll("kuldiga-vpvkac", root=tmp / "data")
        inputs = tmp / "in"
        inputs.mkdir()
        files = make_inputs(kiosk, inputs, args.batch, tmp)
        ctx = ReadContext.of(kiosk)
        verify = ctx.verify()

        # -- one core ------------------------------------------------------------
        everything = os.sched_getaffinity(0) if hasattr(os, "sched_setaffinity") else None
        if everything:
            os.sched_setaffinity(0, {min(everything)})
        print(f"\none core, median of {args.runs} runs (first file of each kind; ms)")
        print(f"{'kind':12s} {'bare decode':>11s} {'read':>7s} {'ratio':>6s}   reader's own: decode / qr / geometry / boxes")
        for kind, paths in files.items():
            path = paths[0]

            def bare() -> None:
                with Image.open(path) as im:
                    im.load()

            laps: list[dict[str, float]] = []

            def read() -> None:
                t0 = time.perf_counter()
                page = imaging.read_page(path, 1)
                t1 = time.perf_counter()
                it = read_sheet(page.gray, layouts=ctx.layouts, verify=verify)
                assert it.status == "counted", (kind, it.reasons)
                laps.append({"decode": (t1 - t0) * 1000, **it.details["timing_ms"]})

            b = median_ms(bare, args.runs)
            r = median_ms(read, args.runs)
            parts = " / ".join(f"{statistics.median(x.get(k, 0.0) for x in laps):.1f}" for k in ("decode", "qr", "geometry", "boxes"))
            print(f"{kind:12s} {b:11.1f} {r:7.1f} {r / b:6.2f}   {parts}")
        # every file of every kind once, for the spread
        spread = {}
        for kind, paths in files.items():
            ts = []
            for path in paths:
                t0 = time.perf_counter()
                page = imaging.read_page(path, 1)
                it = read_sheet(page.gray, layouts=ctx.layouts, verify=verify)
                ts.append((time.perf_counter() - t0) * 1000)
                assert it.status == "counted", (path.name, it.reasons)
            spread[kind] = (statistics.median(ts), max(ts))
        print("all files once (one core): " + ", ".join(f"{k} median {m:.1f} max {x:.1f} ms" for k, (m, x) in spread.items()))
        if everything:
            os.sched_setaffinity(0, everything)

        # -- every core, as `kiosk scan` runs: originals stored, sheets recorded ----------
        total = sum(len(v) for v in files.values())
        for workers in (1, None):
            shutil.rmtree(tmp / "data", ignore_errors=True)
            kiosk.close()
            kiosk = Kiosk.enroll("kuldiga-vpvkac", root=tmp / "data")
            t0 = time.perf_counter()
            results = list(scan_paths(kiosk, [inputs], workers=workers))
            dt = time.perf_counter() - t0
            assert len(results) == total and all(r.status == "counted" for r in results)
            print(f"scan_paths, {'all ' + str(ncpu) + ' cores' if workers is None else 'one worker in-process'}: "
                  f"{total} sheets in {dt:.2f} s = {total / dt:.1f} sheets/s (originals stored, sheets recorded, fsync)")
        kiosk.close()
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS: this process {me:.0f} MiB, largest worker {kids:.0f} MiB")


if __name__ == "__main__":
    main()
