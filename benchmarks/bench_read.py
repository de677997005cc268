"""Reading speed: ms per sheet on one core next to the bare decode of the same file,
then sheets per second with every core, and peak memory.

Kinds of input, each a really printed, rendered and marked ballot (the demo's
4-name ballot unless said otherwise):
  a5-300.png   A5 at 300 dpi, scanner noise and skew, PNG (default compression)
  a4-200.jpg   A4 at 200 dpi, scanner noise and skew, JPEG quality 85
  photo.jpg    a 1920x1080 webcam-like colour photo (perspective, uneven light), JPEG quality 90
  (photo-grey.jpg: the same frame in grey, two files, for the single-core table only)
  a4-60names-200.jpg     a 60-name A4 ballot (columns) at 200 dpi, JPEG quality 85
  a4-60names-photo.jpg   the same in a 1280x720 photo
  a4-grid200-200.jpg     a 200-name number-grid A4 ballot at 200 dpi, JPEG quality 85
  a4-qr-damaged-200.jpg  the 60-name A4 ballot with a scribble across a QR finder pattern (found
                         without the code, the code rebuilt; one-core table only)

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


def roster_inputs(tmp: Path, out: Path, n: int) -> tuple[dict[str, list[Path]], dict[str, object]]:
    """The large-roster kinds: (files per kind, the kiosk that reads each kind)."""
    import random

    import corpus
    import numpy as np
    import rosters
    import sheets

    rng = random.Random(60)
    sixty = rosters.enrolled(rosters.campaign(rosters.institutions(1, [60], rng), page_size="a4"), tmp / "sixty")
    grid = rosters.enrolled(rosters.campaign(rosters.institutions(1, [200], rng), page_size="a4", style="number"),
                            tmp / "grid")
    files: dict[str, list[Path]] = {"a4-60names-200.jpg": [], "a4-60names-photo.jpg": [], "a4-grid200-200.jpg": [],
                                    "a4-qr-damaged-200.jpg": []}
    for i in range(n):
        q = sixty.layout("a4").questions[0]
        img, spec, _ = sheets.ballot(sixty, tmp, {q.id: q.options[(7 * i) % 60].id, "rating": str(1 + i % 5)},
                                     dpi=200, page_size="a4", seed=i)
        p = out / f"{i:03d}-a4-60names-200.jpg"
        p.write_bytes(sheets.jpeg_bytes(sheets.scanner(img, skew=1.0 - 0.2 * (i % 5), noise=4, seed=i), 85, dpi=200))
        files["a4-60names-200.jpg"].append(p)
        frame = sheets.photo(img, (1280, 720), seed=i, turn=(90, 270)[i % 2])
        p = out / f"{i:03d}-a4-60names-photo.jpg"
        p.write_bytes(sheets.jpeg_bytes(frame, 90))
        files["a4-60names-photo.jpg"].append(p)
        if i < 2:  # a damaged code (the same serial as a file above: kept out of the scanned folder)
            rnd, nprng = random.Random(i), np.random.default_rng(i)
            corpus.paint(img, corpus.qr_scribble_strokes(spec, rnd, 0.7), corpus.pen(rnd), 200 / 25.4, nprng)
            (out.parent / "damaged").mkdir(exist_ok=True)
            p = out.parent / "damaged" / f"{i:03d}-a4-qr-damaged-200.jpg"
            p.write_bytes(sheets.jpeg_bytes(sheets.scanner(img, skew=0.8, noise=4, seed=i), 85, dpi=200))
            files["a4-qr-damaged-200.jpg"].append(p)
        gq = grid.layout("a4").questions[0]
        number = 1 + (37 * i) % 200
        digits = str(number).zfill(3)
        img, _, _ = sheets.ballot(grid, tmp, {gq.id: tuple(f"{pos}:{d}" for pos, d in enumerate(digits, start=1)),
                                              "rating": str(1 + i % 5)}, dpi=200, page_size="a4", seed=i)
        p = out / f"{i:03d}-a4-grid200-200.jpg"
        p.write_bytes(sheets.jpeg_bytes(sheets.scanner(img, skew=-1.0 + 0.2 * (i % 5), noise=4, seed=i), 85, dpi=200))
        files["a4-grid200-200.jpg"].append(p)
    readers = {"a4-60names-200.jpg": sixty, "a4-60names-photo.jpg": sixty, "a4-grid200-200.jpg": grid,
               "a4-qr-damaged-200.jpg": sixty}
    return files, readers


def make_inputs(kiosk, out: Path, n: int, tmp: Path) -> dict[str, list[Path]]:
    import numpy as np
    import sheets
    from PIL import Image

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
        frame = sheets.photo(img, (1920, 1080), seed=i, turn=(90, 270)[i % 2])
        warm = np.asarray(frame, dtype=np.float32)[:, :, None] * np.array([1.0, 0.96, 0.86], dtype=np.float32)
        p = out / f"{i:03d}-photo.jpg"  # a webcam frame is in colour
        p.write_bytes(sheets.jpeg_bytes(Image.fromarray(np.clip(warm, 0, 255).astype(np.uint8), "RGB"), 90))
        files["photo.jpg"].append(p)
        if i < 2:  # the same frame as a grey JPEG: the hardest ratio (cheap decode, same reading)
            (out.parent / "grey").mkdir(exist_ok=True)
            p = out.parent / "grey" / f"{i:03d}-photo-grey.jpg"  # not in the scanned folder (same serials)
            p.write_bytes(sheets.jpeg_bytes(frame, 90))
            files.setdefault("photo-grey.jpg", []).append(p)
    return files


def descendants_hwm(root_pid: int) -> dict[int, int]:
    """Peak resident memory (VmHWM, KiB) of every process descended from root_pid (Linux)."""
    parents: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    parents[int(d)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    out = {}
    for pid in parents:
        p, hops = pid, 0
        while p in parents and p != root_pid and hops < 10:
            p, hops = parents[p], hops + 1
        if p == root_pid and pid != root_pid:
            try:
                with open(f"/proc/{pid}/status") as fh:
                    for line in fh:
                        if line.startswith("VmHWM:"):
                            out[pid] = int(line.split()[1])
            except OSError:
                pass
    return out


def median_ms(fn, runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time of this process, in ms (CPU time is
    what the figure would be without other work competing for the core)."""
    fn()  # warm up (imports, caches)
    wall, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=25, help="runs per file kind for the medians (>= 20)")
    ap.add_argument("--batch", type=int, default=24, help="ballots per kind for the all-cores run")
    args = ap.parse_args()

    from PIL import Image

    from kiosk.intake.context import read_context
    from kiosk.intake.scan import scan_paths
    from kiosk.reading import imaging
    from kiosk.reading.reader import read_sheet
    from kiosk.station import Kiosk

    ncpu = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"machine: {platform.machine()}, {ncpu} cpus, Python {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        kiosk = Kiosk.enroll("kuldiga-vpvkac", root=tmp / "data")
        inputs = tmp / "in"
        inputs.mkdir()
        files = make_inputs(kiosk, inputs, args.batch, tmp)
        big_in = tmp / "big"
        big_in.mkdir()
        big_files, big_readers = roster_inputs(tmp, big_in, max(2, args.batch // 4))
        files.update(big_files)
        ctx = read_context(kiosk)
        verify = ctx.verify()
        contexts = {kind: (read_context(k), read_context(k).verify()) for kind, k in big_readers.items()}

        # -- one core ------------------------------------------------------------
        everything = os.sched_getaffinity(0) if hasattr(os, "sched_setaffinity") else None
        if everything:
            os.sched_setaffinity(0, {min(everything)})
        print(f"\none core, median of {args.runs} runs (first file of each kind; ms)")
        print(f"{'kind':15s} {'bare decode':>11s} {'read':>7s} {'ratio':>6s}  | CPU: {'bare':>5s} {'read':>5s} {'ratio':>5s}"
              "   reader's own: decode / qr / geometry / boxes")
        for kind, paths in files.items():
            path = paths[0]
            kctx, kverify = contexts.get(kind, (ctx, verify))
            want = "counted"

            def bare() -> None:
                with Image.open(path) as im:
                    im.load()

            laps: list[dict[str, float]] = []

            def read() -> None:
                t0 = time.perf_counter()
                page = imaging.read_page(path, 1)
                t1 = time.perf_counter()
                it = read_sheet(page.gray, layouts=kctx.layouts, verify=kverify, policy=kctx.policy)
                assert it.status == want, (kind, it.reasons)
                laps.append({"decode": (t1 - t0) * 1000, **it.details["timing_ms"]})

            (b, bc), (r, rc) = median_ms(bare, args.runs), median_ms(read, args.runs)
            parts = " / ".join(f"{statistics.median(x.get(k, 0.0) for x in laps):.1f}"
                               for k in ("decode", "qr", "geometry", "boxes"))
            if "recognise" in laps[0]:
                parts += f" (found without the code {statistics.median(x['recognise'] for x in laps):.1f}, code rebuilt " \
                         f"{statistics.median(x.get('rescue', 0.0) for x in laps):.1f})"
            print(f"{kind:15s} {b:11.1f} {r:7.1f} {r / b:6.2f}  |      {bc:5.1f} {rc:5.1f} {rc / bc:5.2f}   {parts}")
        # every file of every kind once, for the spread
        spread = {}
        for kind, paths in files.items():
            ts = []
            kctx, kverify = contexts.get(kind, (ctx, verify))
            for path in paths:
                t0 = time.perf_counter()
                page = imaging.read_page(path, 1)
                it = read_sheet(page.gray, layouts=kctx.layouts, verify=kverify, policy=kctx.policy)
                ts.append((time.perf_counter() - t0) * 1000)
                assert it.status == "counted", (path.name, it.reasons)
            spread[kind] = (statistics.median(ts), max(ts))
        print("all files once (one core): " + ", ".join(f"{k} median {m:.1f} max {x:.1f} ms" for k, (m, x) in spread.items()))
        if everything:
            os.sched_setaffinity(0, everything)

        # -- every core, as `kiosk scan` runs: originals stored, sheets recorded ----------
        for k in big_readers.values():
            k.close()
        total = sum(len(v) for k, v in files.items() if k in ("a5-300.png", "a4-200.jpg", "photo.jpg"))
        worker_peak = 0.0
        for workers in (1, None):
            shutil.rmtree(tmp / "data", ignore_errors=True)
            kiosk.close()
            kiosk = Kiosk.enroll("kuldiga-vpvkac", root=tmp / "data")
            t0 = time.perf_counter()
            results = []
            for r in scan_paths(kiosk, [inputs], workers=workers):
                results.append(r)
                if workers is None and len(results) == total - 2:  # the pool is still up: its workers' peaks
                    worker_peak = max(descendants_hwm(os.getpid()).values(), default=0) / 1024
            dt = time.perf_counter() - t0
            assert len(results) == total and all(r.status == "counted" for r in results)
            print(f"scan_paths, {'all ' + str(ncpu) + ' cores' if workers is None else 'one worker in-process'}: "
                  f"{total} sheets in {dt:.2f} s = {total / dt:.1f} sheets/s (originals stored, sheets recorded, fsync)")
        kiosk.close()
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: largest reader worker {worker_peak:.0f} MiB; this process {me:.0f} MiB "
          "(it also printed and rendered the inputs, and read in-process)")


if __name__ == "__main__":
    main()
