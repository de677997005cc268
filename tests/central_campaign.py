"""A generated campaign of real size for the central office's tests and benchmarks.

``write_campaign``: a campaign TOML of ``institutions`` institutions with ``specialists``
specialists each (Latvian names with every diacritic), its ``[results]`` rules, and a
campaign master key file beside it.

``generate_batches``: signed batches as kiosks of those institutions export them (format
version 3: each kiosk's enrollment certificate under its institution key, real Ed25519
keys, real ballot payloads with tags, the real batch writer), with a skewed choice of
specialists (a few are popular, as in a real campaign), ratings from 1 to 5 or none, and
each kiosk's totals (issued above counted).  The central office trusts them with the
campaign file and the master key alone: no ``.pub`` files.

    .venv/bin/python tests/central_campaign.py OUT_DIR [--institutions 200] [--specialists 60]
        [--ballots 100000] [--batches 100]
"""
from __future__ import annotations

import argparse
import random
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.ballot import payload  # noqa: E402
from kiosk.ballot.campaign import Campaign, load_campaign  # noqa: E402
from kiosk.ballot.keys import (  # noqa: E402
    kiosk_certificate,
    new_signing_key,
    public_hex,
    write_hex_key,
)
from kiosk.batches.format import (  # noqa: E402
    FORMAT_VERSION,
    GENESIS,
    ExportRecord,
    batch_file_name,
    write_batch,
)

TOTAL_KEYS = ("issued", "voided", "scanned", "counted", "in_review", "rejected", "duplicates", "blank_backs", "exported")
FIRST = ("Ģirts", "Ķēniņš", "Šarlote", "Ūdris", "Jānis", "Līga", "Mārtiņš", "Ilze", "Andris", "Žanete", "Ēriks",
         "Dace", "Česlavs", "Inese", "Oļegs", "Agnese", "Kārlis", "Ieva", "Raimonds", "Sanita", "Valērija", "Uģis")
LAST = ("Ozoliņš", "Kalniņa", "Bērziņš", "Žvaigzne", "Liepiņa", "Krūmiņš", "Vītola", "Ābele", "Šmits", "Ņikitina",
        "Jēkabsons", "Grīnberga", "Pētersons", "Lāce", "Eglītis", "Siliņa", "Vanags", "Kļaviņa", "Zariņš", "Čakste")
TOWNS = ("Rīgas", "Kuldīgas", "Valmieras", "Jelgavas", "Liepājas", "Daugavpils", "Cēsu", "Ogres", "Tukuma", "Bauskas",
         "Siguldas", "Jēkabpils", "Rēzeknes", "Talsu", "Ventspils", "Saldus", "Madonas", "Gulbenes", "Alūksnes", "Ludzas")
KINDS = ("valsts un pašvaldības vienotais klientu apkalpošanas centrs", "Valsts ieņēmumu dienesta klientu centrs",
         "Nodarbinātības valsts aģentūras filiāle", "dzimtsarakstu nodaļa", "sociālais dienests",
         "Pilsonības un migrācijas lietu pārvaldes nodaļa", "Valsts sociālās apdrošināšanas aģentūras nodaļa",
         "būvvalde", "bāriņtiesa", "Ceļu satiksmes drošības direkcijas nodaļa")


def q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_campaign(path: Path, institutions: int = 200, specialists: int = 60, seed: int = 1,
                   campaign_id: str = "lsk-2026-bench") -> Path:
    """Write the campaign file and its master key (``<name>.master``); returns the key's path."""
    rng = random.Random(seed)
    lines = [
        f"id = {q(campaign_id)}",
        'title = { lv = "Laba servisa kustība 2026", en = "Good Service Movement 2026" }',
        'page_size = "a4"',
        "",
        "[voting]",
        "start = 2026-09-12",
        "end = 2026-11-11",
        "",
        "[results]",
        "specialists = 3",
        "institutions = 1",
        'institution_ranking = "positive"',
        "positive_threshold = 4",
        "",
        "[[questions]]",
        'id = "specialist"',
        'type = "specialist"',
        'text = { lv = "Labākais klientu apkalpošanas speciālists", en = "Best customer-service specialist" }',
        "",
        "[[questions]]",
        'id = "rating"',
        'type = "rating"',
        "scale = 5",
        "optional = true",
        'text = { lv = "Novērtējiet iestādes klientu apkalpošanu", en = "Rate this institution\'s customer service" }',
        'low_label = { lv = "ļoti slikti", en = "very poor" }',
        'high_label = { lv = "izcili", en = "excellent" }',
    ]
    for n in range(institutions):
        town, kind = TOWNS[n % len(TOWNS)], KINDS[(n // len(TOWNS)) % len(KINDS)]
        lines += ["", "[[institutions]]", f'id = "inst-{n + 1:03d}"', f"name = {q(f'{town} {kind} Nr. {n + 1}')}"]
        for s in range(specialists):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            lines += ["", "  [[institutions.specialists]]", f'  id = "s{n + 1:03d}-{s + 1:02d}"', f"  name = {q(name)}"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    master_path = path.with_suffix(".master")
    if not master_path.exists():
        write_hex_key(master_path, secrets.token_bytes(32))
    return master_path


def generate_batches(out: Path, campaign: Campaign, master: bytes, ballots: int, batches: int,
                     seed: int = 1, kiosks_per_institution: int = 1) -> list[Path]:
    """``ballots`` ballots in ``batches`` batches, spread over every institution's kiosks
    (batches of one kiosk form its chain)."""
    rng = random.Random(seed)
    insts = campaign.institutions
    kiosks = len(insts) * kiosks_per_institution
    per_batch = ballots // batches
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    rating_labels = {str(r): str(r) for r in range(1, 6)}
    for k in range(kiosks):
        inst = insts[k % len(insts)]
        n_batches = batches // kiosks + (1 if k < batches % kiosks else 0)
        if not n_batches:
            continue
        tag_key = payload.derive_institution_key(master, campaign.id, inst.id)
        key = new_signing_key()
        kiosk_id = "kiosk-" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz234567") for _ in range(8))
        certificate = kiosk_certificate(tag_key, kiosk_id, bytes.fromhex(public_hex(key)))
        sids = [s.id for s in inst.specialists]
        weights = [1 / (i + 1) ** 1.1 for i in range(len(sids))]  # a few popular specialists
        rng.shuffle(sids)
        labels = {"specialist": {s.id: s.name for s in inst.specialists}, "rating": rating_labels}
        previous, exported, issued = GENESIS, 0, 0
        for b in range(1, n_batches + 1):
            records = []
            chosen = rng.choices(sids, weights, k=per_batch)
            for sid in chosen:
                serial = rng.randbytes(8)
                rating = rng.choice(("", "1", "2", "3", "4", "4", "5", "5"))
                records.append(ExportRecord(
                    serial=payload.serial_text(serial), status="counted",
                    selections={"rating": [rating] if rating else [], "specialist": [sid]},
                    decided_by="machine", image_sha256=None,
                    payload=payload.make_payload(tag_key, campaign.hash, inst.hash, 1, serial).text()))
            exported += len(records)
            issued += len(records) + len(records) // 4
            manifest = {
                "format": "urn-kiosk-batch", "version": FORMAT_VERSION, "campaign_id": campaign.id,
                "institution_id": inst.id, "kiosk_id": kiosk_id, "batch": b, "previous_sha256": previous,
                "created_at": "2026-11-12T09:00:00Z", "pending_review": 0,
                "totals": {**dict.fromkeys(TOTAL_KEYS, 0), "issued": issued, "scanned": exported,
                           "counted": exported, "exported": exported},
                "labels": labels, "images": {"included": False, "count": 0}, "software": "bench",
                "audit": None, "certificate": certificate,
            }
            path = out / batch_file_name(kiosk_id, b)
            with open(path, "wb") as fp:
                previous = write_batch(fp, manifest, records, key)
            paths.append(path)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--institutions", type=int, default=200)
    ap.add_argument("--specialists", type=int, default=60)
    ap.add_argument("--ballots", type=int, default=100_000)
    ap.add_argument("--batches", type=int, default=100)
    args = ap.parse_args()
    path = args.out / "campaign.toml"
    master_path = write_campaign(path, args.institutions, args.specialists)
    campaign = load_campaign(path)
    t0 = time.perf_counter()
    paths = generate_batches(args.out / "batches", campaign, bytes.fromhex(master_path.read_text().strip()),
                             args.ballots, args.batches)
    print(f"{path}, {master_path}: {len(paths)} batches, {args.ballots} ballots in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
