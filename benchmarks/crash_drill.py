"""Crash drill: ``kill -9`` at random moments during scan and export, then restart and check.

For each of ``--kills`` rounds (20 by default) per workflow:

* scan: a fresh folder of printed, marked ballots is scanned by ``kiosk scan`` (two reader
  processes); after a random delay the command's whole process group is killed with
  SIGKILL; the database must pass ``PRAGMA integrity_check``; the folder is scanned again
  to the end and every ballot of it must be counted exactly once;
* export: two more ballots are scanned, then ``kiosk export --images`` is killed: in half
  of the rounds (drawn at random) by SIGKILL after a random delay within the command's
  working window (measured first: past the interpreter's start, before its end), in the
  other half at a crash point drawn at random (``KIOSK_FAULT``: after the file is written,
  after the batch is recorded, after the rename), so that the few milliseconds between
  writing, recording and renaming are hit too; ``kiosk export --list`` (which finishes an
  interrupted rename) must show one file per recorded batch with the recorded SHA-256, and
  no file under a batch's name that is not recorded.

At the end every figure must add up (issued, counted, exported, records in the batch files)
and the central office must verify every batch file and count every exported ballot once.
Prints the figures.  Printing's own kill drill belongs to the print-job work.

    .venv/bin/python benchmarks/crash_drill.py [--kills 20] [--seed 1] [--out DIR]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

import sheets  # noqa: E402

from kiosk.assets import demo_campaign_path  # noqa: E402
from kiosk.ballot import payload  # noqa: E402
from kiosk.station import Kiosk  # noqa: E402


def kiosk_cmd(data: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "kiosk", "--data-dir", str(data), *args]


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "KIOSK_LANG": "en"}


def run(cmd: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, env=env(), timeout=900)


def kill_after(cmd: list[str], delay: float, fault: str | None = None) -> tuple[int, float]:
    """Start ``cmd``, SIGKILL its process group after ``delay`` s; (exit status, seconds it ran)."""
    t0 = time.monotonic()
    extra = {"KIOSK_FAULT": fault} if fault else {}
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**env(), **extra},
                            start_new_session=True)
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    return proc.returncode, time.monotonic() - t0


def integrity(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    work = args.out or Path(tempfile.mkdtemp(prefix="crash-drill-"))
    data = work / "data"
    k = Kiosk.enroll("kuldiga-vpvkac", root=data, campaign_path=demo_campaign_path())
    per_folder = 3
    total = args.kills * per_folder + args.kills * 2 + per_folder
    pdf, spec, serials = sheets.print_pdf(k, work, total)
    issued = k.store.issued_counts()["issued"]
    k.close()
    pages = iter(range(total))

    def folder(name: str, n: int) -> tuple[Path, list[bytes]]:
        d = work / name
        d.mkdir()
        got = []
        for _ in range(n):
            i = next(pages)
            img = sheets.render(pdf, i, 150)
            sheets.mark(img, spec, "specialist", spec.questions[0].options[i % 3].id, 150)
            sheets.mark(img, spec, "rating", str(1 + i % 5), 150)
            img.save(d / f"{i:04d}.png")
            got.append(serials[i])
        return d, got

    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; work dir {work}")
    # scan ----------------------------------------------------------------------------------
    d, _ = folder("scan-calibration", per_folder)
    t0 = time.monotonic()
    assert run(kiosk_cmd(data, "scan", "--json", "--workers", "2", str(d))).returncode == 0
    scan_s = time.monotonic() - t0  # a whole scan of one folder, start to end
    killed_scan, scan_times = 0, []
    for r in range(args.kills):
        d, expect = folder(f"scan-{r:02d}", per_folder)
        delay = rng.uniform(0.3, 1.0) * scan_s
        status, ran = kill_after(kiosk_cmd(data, "scan", "--json", "--workers", "2", str(d)), delay)
        killed_scan += status == -signal.SIGKILL
        scan_times.append(ran)
        assert integrity(data / "kiosk.db") == "ok", f"scan round {r}: integrity"
        p = run(kiosk_cmd(data, "scan", "--json", "--workers", "2", str(d)))
        assert p.returncode == 0, p.stderr
        lines = [json.loads(x) for x in p.stdout.splitlines()]
        assert sorted(x["serial"] for x in lines) == sorted(payload.serial_text(s) for s in expect), f"scan round {r}"
        assert all(x["status"] == "counted" for x in lines), lines
    # export --------------------------------------------------------------------------------
    out = work / "batches"
    t0 = time.monotonic()
    run(kiosk_cmd(data, "export", "--list"))
    start_s = time.monotonic() - t0  # the interpreter's start and the data directory's opening
    killed_export, at_points = 0, {}
    for r in range(args.kills):
        d, _ = folder(f"export-{r:02d}", 2)
        assert run(kiosk_cmd(data, "scan", "--workers", "1", str(d))).returncode == 0
        cmd = kiosk_cmd(data, "export", "--images", "--out", str(out))
        if rng.random() < 0.5:
            point = rng.choice(["export.after_write", "export.after_record", "export.after_rename"])
            status, _ran = kill_after(cmd, 600.0, point)
            at_points[point] = at_points.get(point, 0) + 1
        else:
            status, _ran = kill_after(cmd, rng.uniform(0.7 * start_s, 1.6 * start_s))
        killed_export += status in (-signal.SIGKILL, 137)
        assert integrity(data / "kiosk.db") == "ok", f"export round {r}: integrity"
        listed = run(kiosk_cmd(data, "export", "--list", "--json"))
        assert listed.returncode == 0, listed.stderr
        batches = json.loads(listed.stdout)["batches"]
        for b in batches:
            f = Path(b["path"])
            assert f.exists() and hashlib.sha256(f.read_bytes()).hexdigest() == b["sha256"], f"export round {r}: {f}"
        recorded = {Path(b["path"]).name for b in batches}
        assert {f.name for f in out.glob("*.zip")} <= recorded, f"export round {r}: an unrecorded batch file"
    final = run(kiosk_cmd(data, "export", "--images", "--out", str(out), "--json"))
    assert final.returncode == 0, final.stderr
    # the figures ---------------------------------------------------------------------------
    with Kiosk.open(data) as k:
        counts = k.store.sheet_counts()
        exported = len(k.store.exported_serials())
        batches = k.store.batches()
        counted_serials = {s.serial for s in k.store.final_sheets() if s.final_status == "counted"}
        assert k.store.issued_counts()["issued"] == issued
    assert counts["counted"] == total and counts["duplicate"] == 0, counts
    assert exported == total == len(counted_serials) == sum(b["records"] for b in batches)
    trust = work / "trust"
    trust.mkdir()
    for pub in out.glob("*.pub"):
        (trust / pub.name).write_bytes(pub.read_bytes())
    verify = run([sys.executable, "-m", "kiosk", "central", "verify", "--trust", str(trust), "--json", str(out)])
    v = json.loads(verify.stdout)
    tally = run([sys.executable, "-m", "kiosk", "central", "tally", "--trust", str(trust), "--json", str(out)])
    t = json.loads(tally.stdout)
    assert verify.returncode == 0 and v["invalid"] == 0, v
    assert tally.returncode == 0 and t["ballots_counted"] == total and t["complete"], t
    print(f"scan: {args.kills} kills at 0.3-1.0 x the {scan_s:.1f} s of a whole scan ({killed_scan} mid-run, "
          f"{args.kills - killed_scan} after the end), runs lasted {min(scan_times):.1f}-{max(scan_times):.1f} s; "
          f"every restart counted its folder once")
    print(f"export: {args.kills} kills ({killed_export} mid-run; at crash points {at_points}, the rest by SIGKILL "
          f"0.7-1.6 x the {start_s:.1f} s start); {len(batches)} batches recorded, each file present with its "
          f"recorded SHA-256 after every round, no unrecorded batch file")
    print(f"figures: issued {issued}, counted {counts['counted']}, exported {exported}, records in batches "
          f"{sum(b['records'] for b in batches)}, duplicates {counts['duplicate']}; integrity_check ok every round")
    print(f"central: {v['valid']} of {v['valid'] + v['invalid']} batches valid, tally counted {t['ballots_counted']}, "
          f"complete {t['complete']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
