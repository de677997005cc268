"""Central office memory and time: a 1 GB batch file, and 1,000,000 ballots in 1,000 batches.

``--big``: writes one signed batch of about 1 GB (1,000 ballots, each with its own 1 MB
scan included as an image entry), then verifies it in a fresh process and prints that
process's peak resident memory (``ru_maxrss``): verification streams the file, so the
figure does not grow with the file.

``--million``: writes a campaign of 200 institutions with 60 specialists each and
1,000,000 ballots in 1,000 batches (5 per institution's kiosk; format 3 with enrollment
certificates, real keys, real payloads with tags, the real writer:
``tests/central_campaign.py``), then runs what ``kiosk central tally --campaign FILE
--master FILE`` does (every file, every certificate, every chain, every ballot's QR tag,
the tally) in a fresh process pinned to one core and prints its time (wall and CPU) and
peak resident memory.

    .venv/bin/python benchmarks/bench_central_memory.py [--big] [--million] [--dir DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO / "tests"))

from kiosk.assets import demo_campaign_path  # noqa: E402
from kiosk.ballot import payload  # noqa: E402
from kiosk.ballot.campaign import load_campaign  # noqa: E402
from kiosk.ballot.keys import new_signing_key, public_hex  # noqa: E402
from kiosk.ballot.layout import build_layout  # noqa: E402
from kiosk.batches.format import GENESIS, ExportRecord, batch_file_name, write_batch  # noqa: E402

TOTAL_KEYS = ("issued", "voided", "scanned", "counted", "in_review", "rejected", "duplicates", "blank_backs", "exported")

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from kiosk.assets import demo_campaign_path
from kiosk.ballot.campaign import load_campaign
from kiosk.central.tally import tally
from kiosk.central.verify import load_trust, verify_batches
campaign = load_campaign(demo_campaign_path())
paths = sorted(Path(sys.argv[2]).glob("*.zip"))
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
checks = verify_batches(paths, load_trust(sys.argv[3]), campaign, campaign.demo_master_key)
t1 = time.perf_counter()
result = tally(checks, campaign)
t2 = time.perf_counter()
print(json.dumps({"files": len(paths), "bytes": sum(p.stat().st_size for p in paths), "ok": sum(c.ok for c in checks),
                  "counted": result.ballots_counted, "verify_s": t1 - t0, "tally_s": t2 - t1,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "baseline_rss_mb": base / 1024, "complete": result.complete}))
"""


MILLION_CHILD = r"""
import json, os, resource, sys, time
sys.path.insert(0, sys.argv[1])
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
from pathlib import Path
from kiosk.ballot.campaign import load_campaign
from kiosk.central.tally import tally
from kiosk.central.verify import verify_batches
work = Path(sys.argv[2])
campaign = load_campaign(work / "campaign.toml")
master = bytes.fromhex((work / "campaign.master").read_text().strip())
paths = sorted((work / "batches").glob("*.zip"))
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
c0, t0 = time.process_time(), time.perf_counter()
checks = verify_batches(paths, {}, campaign, master)
c1, t1 = time.process_time(), time.perf_counter()
result = tally(checks, campaign)
c2, t2 = time.process_time(), time.perf_counter()
print(json.dumps({"files": len(paths), "bytes": sum(p.stat().st_size for p in paths), "ok": sum(c.ok for c in checks),
                  "certified": sum(c.certified for c in checks), "institutions": len(campaign.institutions),
                  "counted": result.ballots_counted, "verify_s": t1 - t0, "tally_s": t2 - t1,
                  "verify_cpu_s": c1 - c0, "tally_cpu_s": c2 - c1,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "baseline_rss_mb": base / 1024, "complete": result.complete}))
"""


def measure(batches: Path, trust: Path | None, child: str = CHILD) -> dict:
    args = [str(REPO), str(batches)] + ([str(trust)] if trust is not None else [])
    p = subprocess.run([sys.executable, "-c", child, *args], capture_output=True, text=True, timeout=7200, check=False)
    if p.returncode != 0:
        raise SystemExit(p.stderr)
    return json.loads(p.stdout)


def write_big(out: Path, trust: Path, ballots: int = 1000, image_bytes: int = 1 << 20) -> Path:
    campaign = load_campaign(demo_campaign_path())
    inst = campaign.institutions[0]
    spec = build_layout(campaign, inst)
    tag_key = payload.derive_institution_key(campaign.demo_master_key, campaign.id, inst.id)
    key = new_signing_key()
    kiosk_id = "kiosk-bigbatch"
    (trust / f"{kiosk_id}.pub").write_text(public_hex(key) + "\n")
    rng = random.Random(5)
    records, images = [], []
    for n in range(ballots):
        seed = rng.randbytes(16)
        import hashlib

        def data(seed: bytes = seed) -> bytes:  # 1 MB of pseudo-random bytes, made when written
            return random.Random(seed).randbytes(image_bytes)

        sha = hashlib.sha256(data()).hexdigest()
        serial = rng.randbytes(8)
        records.append(ExportRecord(payload.serial_text(serial), "counted", {"specialist": [inst.specialists[n % 3].id],
                                                                              "rating": ["4"]},
                                    "machine", sha, payload.make_payload(tag_key, campaign.hash, inst.hash, spec.id,
                                                                         serial).text()))
        images.append((f"images/{sha}.png", data))
    manifest = {
        "format": "urn-kiosk-batch", "version": 1, "campaign_id": campaign.id, "institution_id": inst.id,
        "kiosk_id": kiosk_id, "batch": 1, "previous_sha256": GENESIS, "created_at": "2026-11-12T09:00:00Z",
        "pending_review": 0, "totals": {**dict.fromkeys(TOTAL_KEYS, 0), "issued": ballots, "scanned": ballots,
                                        "counted": ballots, "exported": ballots},
        "labels": spec.option_labels, "images": {"included": True, "count": ballots}, "software": "bench",
    }
    path = out / batch_file_name(kiosk_id, 1)
    with open(path, "wb") as fp:
        write_batch(fp, manifest, records, key, images)
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--big", action="store_true")
    ap.add_argument("--million", action="store_true")
    ap.add_argument("--dir", type=Path)
    args = ap.parse_args()
    work = args.dir or Path(tempfile.mkdtemp(prefix="central-bench-"))
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; Python {sys.version.split()[0]}")
    if args.big:
        out, trust = work / "big", work / "big-trust"
        out.mkdir(parents=True, exist_ok=True)
        trust.mkdir(parents=True, exist_ok=True)
        if not list(out.glob("*.zip")):
            t0 = time.perf_counter()
            path = write_big(out, trust)
            print(f"wrote {path.stat().st_size / 1e9:.2f} GB in {time.perf_counter() - t0:.0f} s")
        m = measure(out, trust)
        print(f"1 GB batch: {m['bytes'] / 1e9:.2f} GB, valid {m['ok']} of {m['files']}, counted {m['counted']}, "
              f"verify {m['verify_s']:.1f} s, peak RSS {m['peak_rss_mb']:.0f} MB (interpreter and imports "
              f"{m['baseline_rss_mb']:.0f} MB)")
    if args.million:
        from central_campaign import generate_batches, write_campaign

        from kiosk.ballot.keys import read_hex_key

        out = work / "million"
        if not list((out / "batches").glob("*.zip")):
            master = write_campaign(out / "campaign.toml", 200, 60)
            t0 = time.perf_counter()
            generate_batches(out / "batches", load_campaign(out / "campaign.toml"), read_hex_key(master),
                             1_000_000, 1000)
            print(f"generated 1,000,000 ballots in 1,000 batches in {time.perf_counter() - t0:.0f} s")
        load = os.getloadavg()[0]
        m = measure(out, None, MILLION_CHILD)
        print(f"1,000,000 ballots / {m['files']} batches of {m['institutions']} institutions ({m['bytes'] / 1e6:.0f} "
              f"MB), trusted by certificate {m['certified']}: valid {m['ok']}, counted {m['counted']}, "
              f"verify {m['verify_s']:.1f} s + tally {m['tally_s']:.1f} s wall (CPU {m['verify_cpu_s']:.1f} s + "
              f"{m['tally_cpu_s']:.1f} s) on one core, peak RSS {m['peak_rss_mb']:.0f} MB (interpreter and imports "
              f"{m['baseline_rss_mb']:.0f} MB); load {load:.1f} before, {os.getloadavg()[0]:.1f} after")


if __name__ == "__main__":
    main()
