"""What secrecy and access cost: sign-in, the audit log, emptying the write-ahead log
after a print, and metadata-free ballot images in a batch.

In a temporary data directory, through the real code paths (kiosk.access.auth,
kiosk.audit.log, kiosk.session.SignedIn, kiosk.batches.export):

- sign-in: one correct PIN (scrypt), one wrong PIN, and 16 wrong PINs at once
  from 16 threads, each on its own connection (the per-role lock is taken and
  counted in one write transaction per attempt);
- the audit log: one event written (a write transaction, fsynced), and
  ``verify`` over the whole log;
- a one-ballot print job through SignedIn (which audits it and empties the
  WAL) against the bare issuing call;
- export of N scanned ballots with images (each page decoded and encoded
  afresh) against without, for A5 scans at 300 dpi as PNG, as JPEG, and as
  one multi-page PDF.

    .venv/bin/python benchmarks/bench_secrecy.py [--ballots 24]
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def ms(xs: list[float]) -> str:
    return f"median {statistics.median(xs) * 1000:.1f} ms, max {max(xs) * 1000:.1f} ms"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ballots", type=int, default=24)
    args = ap.parse_args()

    from sheets import mark, render

    from kiosk.access.auth import Auth
    from kiosk.access.roles import Role
    from kiosk.audit.log import record, verify
    from kiosk.errors import KioskError
    from kiosk.issuing.jobs import print_ballots
    from kiosk.session import SignedIn
    from kiosk.station import Kiosk
    from kiosk.storage.store import Store

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        kiosk = Kiosk.open_or_enroll_demo(tmp / "data")
        auth = Auth(kiosk.store)
        auth.ensure_demo_users()

        # -- sign-in ----------------------------------------------------------------
        ok, wrong = [], []
        for _ in range(10):
            t = time.perf_counter()
            auth.sign_in(Role.OFFICE, "3333")
            ok.append(time.perf_counter() - t)
            t = time.perf_counter()
            try:
                auth.sign_in(Role.HELPER, "0000")
            except KioskError:
                pass
            wrong.append(time.perf_counter() - t)
            auth.store.change_role_lock("helper", lambda s: ((0, 0, 0.0), None))
        print(f"sign-in, right PIN: {ms(ok)}; wrong PIN: {ms(wrong)}")
        barrier = threading.Barrier(16)

        def attempt(n: int) -> str:
            with Store(kiosk.datadir.db) as store:
                a = Auth(store)
                barrier.wait()
                try:
                    a.sign_in(Role.FRONT_DESK, f"{9000 + n}")
                except KioskError as exc:
                    return exc.code
                return "in"

        t = time.perf_counter()
        with ThreadPoolExecutor(16) as pool:
            codes = list(pool.map(attempt, range(16)))
        print(f"16 concurrent wrong PINs: {time.perf_counter() - t:.2f} s wall, "
              f"{codes.count('auth.wrong_pin')} told the tries left, {codes.count('auth.locked')} locked out")
        kiosk.store.change_role_lock("front_desk", lambda s: ((0, 0, 0.0), None))

        # -- the audit log -----------------------------------------------------------------
        writes = []
        for n in range(300):
            t = time.perf_counter()
            record(kiosk.store, "settings.changed", "office", values={"n": n})
            writes.append(time.perf_counter() - t)
        rows = kiosk.store.audit_head()[0]
        t = time.perf_counter()
        assert verify(kiosk.store) is None
        print(f"audit event written: {ms(writes)}; verify {rows} rows: {(time.perf_counter() - t) * 1000:.1f} ms")

        # -- a print job: audited and the WAL emptied, against the bare call ------------------
        desk = SignedIn(kiosk, auth.sign_in(Role.FRONT_DESK, "1111"))
        bare, full = [], []
        for n in range(10):
            t = time.perf_counter()
            print_ballots(kiosk, 1, out=tmp / f"bare-{n}.pdf")
            bare.append(time.perf_counter() - t)
            t = time.perf_counter()
            desk.print_ballots(1, out=tmp / f"full-{n}.pdf")
            full.append(time.perf_counter() - t)
        print(f"one-ballot print job, bare: {ms(bare)}; audited, WAL emptied: {ms(full)}")

        # -- export with and without metadata-free images ----------------------------------------
        spec = kiosk.layout()
        q = spec.questions[0]
        pdf = tmp / "ballots.pdf"
        print_ballots(kiosk, args.ballots, out=pdf)
        pages = []
        for i in range(args.ballots):
            img = render(pdf, i, 300)
            mark(img, spec, q.id, q.options[i % len(q.options)].id, 300)
            mark(img, spec, "rating", str(1 + i % 5), 300)
            pages.append(img)
        helper = SignedIn(kiosk, auth.sign_in(Role.HELPER, "2222"))
        office = SignedIn(kiosk, auth.sign_in(Role.OFFICE, "3333"))
        kinds = {}
        third = args.ballots // 3
        png_dir, jpg_dir = tmp / "png", tmp / "jpg"
        png_dir.mkdir()
        jpg_dir.mkdir()
        for i, img in enumerate(pages[:third]):
            img.save(png_dir / f"{i}.png")
        for i, img in enumerate(pages[third:2 * third]):
            img.save(jpg_dir / f"{i}.jpg", quality=85)
        stack = tmp / "stack.pdf"
        pages[2 * third].save(stack, save_all=True, append_images=pages[2 * third + 1:], resolution=300)
        for name, inputs in (("PNG 300 dpi", [png_dir]), ("JPEG 300 dpi", [jpg_dir]), ("one multi-page PDF", [stack])):
            before = set(kiosk.store.exported_serials())
            list(helper.scan_paths(inputs, workers=2))
            originals = sum(p.stat().st_size for d in inputs for p in (d.iterdir() if d.is_dir() else [d]))
            # each export takes the ballots scanned since the last one: one kind of scan at a time
            out = tmp / f"out-{len(kinds)}"
            t = time.perf_counter()
            with_images = office.export_batch(out, images=True)
            took = time.perf_counter() - t
            n = with_images.records
            kinds[name] = (n, took, with_images.path.stat().st_size, originals)
            assert len(kiosk.store.exported_serials()) - len(before) == n
        for name, (n, took, size, originals) in kinds.items():
            print(f"export with images, {name}: {n} ballots in {took:.2f} s ({took / n * 1000:.0f} ms per ballot), "
                  f"batch {size / n / 1024:.0f} KiB per ballot (originals {originals / n / 1024:.0f} KiB per ballot)")
        print_ballots(kiosk, 1, out=tmp / "one.pdf")
        img = render(tmp / "one.pdf", 0, 300)
        mark(img, spec, q.id, q.options[0].id, 300)
        img.save(tmp / "one.png")
        list(helper.scan_paths([tmp / "one.png"], workers=1))
        t = time.perf_counter()
        office.export_batch(tmp / "out-plain")
        print(f"export without images, 1 ballot: {(time.perf_counter() - t) * 1000:.0f} ms")
        kiosk.close()


if __name__ == "__main__":
    main()
