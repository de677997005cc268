"""Central verification and tally speed: 100,000 ballots in 100 signed batches.

Generates the batches directly (real Ed25519 keys, real ballot payloads with
tags derived from the demo campaign's master key, the real batch writer),
then times, on one core, what ``kiosk central tally`` does: load the trusted
keys, verify every file and every chain (signature, records hash, canonical
form, every record, every ballot's QR tag) and tally.  Goal: under 10 s.

    .venv/bin/python benchmarks/bench_tally.py [--ballots 100000] [--batches 100] [--kiosks 10] [--repeat 3]
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.assets import demo_campaign_path  # noqa: E402
from kiosk.ballot import payload  # noqa: E402
from kiosk.ballot.campaign import load_campaign
from kiosk.ballot.keys import new_signing_key, public_hex  # noqa: E402
from kiosk.ballot.layout import build_layout  # noqa: E402
from kiosk.batches.format import GENESIS, ExportRecord, batch_file_name, write_batch  # noqa: E402
from kiosk.central.tally import tally  # noqa: E402
from kiosk.central.verify import load_trust, verify_batches

TOTAL_KEYS = ("issued", "voided", "scanned", "counted", "in_review", "rejected", "duplicates", "blank_backs", "exported")


def generate(out: Path, trust: Path, ballots: int, batches: int, kiosks: int, seed: int = 1) -> list[Path]:
    campaign = load_campaign(demo_campaign_path())
    rng = random.Random(seed)
    per_batch = ballots // batches
    per_kiosk = batches // kiosks
    paths: list[Path] = []
    for n in range(kiosks):
        inst = campaign.institutions[n % len(campaign.institutions)]
        spec = build_layout(campaign, inst)
        labels = spec.option_labels
        tag_key = payload.derive_institution_key(campaign.demo_master_key, campaign.id, inst.id)
        key = new_signing_key()
        kiosk_id = f"kiosk-{''.join(rng.choice('abcdefghijklmnopqrstuvwxyz234567') for _ in range(8))}"
        (trust / f"{kiosk_id}.pub").write_text(public_hex(key) + "\n")
        previous, exported = GENESIS, 0
        for b in range(1, per_kiosk + 1):
            records = []
            for _ in range(per_batch):
                serial = rng.randbytes(8)
                sid = rng.choice(inst.specialists).id
                rating = rng.choice(["", "1", "2", "3", "4", "5"])
                records.append(ExportRecord(
                    serial=payload.serial_text(serial),
                    status="counted",
                    selections={"specialist": [sid], "rating": [rating] if rating else []},
                    decided_by="machine",
                    image_sha256=rng.randbytes(32).hex(),
                    payload=payload.make_payload(tag_key, campaign.hash, inst.hash, spec.id, serial).text(),
                ))
            exported += len(records)
            manifest = {
                "format": "urn-kiosk-batch", "version": 1, "campaign_id": campaign.id, "institution_id": inst.id,
                "kiosk_id": kiosk_id, "batch": b, "previous_sha256": previous, "created_at": "2026-11-12T09:00:00Z",
                "pending_review": 0,
                "totals": {**dict.fromkeys(TOTAL_KEYS, 0), "issued": exported, "scanned": exported,
                           "counted": exported, "exported": exported},
                "labels": labels, "images": {"included": False, "count": 0}, "software": "bench",
            }
            path = out / batch_file_name(kiosk_id, b)
            with open(path, "wb") as fp:
                previous = write_batch(fp, manifest, records, key)
            paths.append(path)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ballots", type=int, default=100_000)
    ap.add_argument("--batches", type=int, default=100)
    ap.add_argument("--kiosks", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core

    campaign = load_campaign(demo_campaign_path())
    with tempfile.TemporaryDirectory() as tmp:
        out, trust = Path(tmp) / "batches", Path(tmp) / "trust"
        out.mkdir()
        trust.mkdir()
        t0 = time.perf_counter()
        paths = generate(out, trust, args.ballots, args.batches, args.kiosks)
        gen = time.perf_counter() - t0
        size = sum(p.stat().st_size for p in paths)
        print(f"generated {len(paths)} batches, {args.ballots} ballots, {size / 1e6:.1f} MB in {gen:.1f} s")

        for label, master in (("with QR tag check", campaign.demo_master_key), ("signatures and records only", None)):
            runs = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                checks = verify_batches(paths, load_trust(trust), campaign, master)
                t1 = time.perf_counter()
                result = tally(checks, campaign)
                t2 = time.perf_counter()
                runs.append((t2 - t0, t1 - t0, t2 - t1))
                assert all(c.ok for c in checks), [c.reason for c in checks if not c.ok][:3]
                assert result.ballots_counted == args.ballots
            total, ver, tal = (statistics.median(r[i] for r in runs) for i in range(3))
            print(f"{label}: verify + tally {total:.2f} s median of {args.repeat} "
                  f"(verify {ver:.2f} s, tally {tal:.2f} s; {args.ballots / total:,.0f} ballots/s)")
    print(f"one core of {platform.processor() or platform.machine()}, Python {platform.python_version()}")


if __name__ == "__main__":
    main()
