"""The scanner folder in the core (kiosk/intake/watch.py): a file is taken when it is
complete, not when it is quiet; temporary names are ignored; a file rewritten in place is
read once in its final form.  Time is the test's own clock; the files are real."""
from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pytest
import sheets
from PIL import Image

from kiosk.access.settings import update_settings, watch_settings
from kiosk.ballot import payload
from kiosk.errors import KioskError
from kiosk.intake.scan import scan_paths
from kiosk.intake.watch import FolderWatch, scan_ready, structurally_complete, temporary_name


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def encoded(img: Image.Image, kind: str, pages: list[Image.Image] | None = None) -> bytes:
    buf = io.BytesIO()
    if kind == "pdf":
        img.save(buf, "PDF", save_all=True, append_images=pages or [], resolution=150.0)
    elif kind == "tiff":
        img.save(buf, "TIFF", save_all=True, append_images=pages or [], compression="tiff_deflate")
    elif kind == "jpeg":
        img.save(buf, "JPEG", quality=90)
    else:
        img.save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def page() -> Image.Image:
    return Image.new("L", (300, 420), 255)


@pytest.mark.parametrize("kind", ["png", "jpeg", "pdf", "tiff"])
def test_a_file_cut_anywhere_is_incomplete_and_whole_is_complete(tmp_path, page, kind):
    data = encoded(page, kind, [page, page] if kind in ("pdf", "tiff") else None)
    f = tmp_path / f"x.{kind}"
    f.write_bytes(data)
    assert structurally_complete(f)
    rng = random.Random(kind)
    cuts = sorted({len(data) // 2, len(data) - 1, len(data) - 3, *(rng.randrange(16, len(data)) for _ in range(30))})
    for cut in cuts:
        f.write_bytes(data[:cut])
        if kind == "tiff" and structurally_complete(f):
            # a TIFF may end in padding no IFD refers to: cut there, every frame is still whole
            with Image.open(f) as im:
                for n in range(3):
                    im.seek(n)
                    im.load()
            continue
        assert not structurally_complete(f), (kind, cut, len(data))
    f.write_bytes(data[:len(data) // 2])
    assert not structurally_complete(f)


def test_temporary_names_of_common_scanner_and_copy_software():
    for name in ("scan.pdf.part", "scan.pdf.filepart", "scan.pdf.crdownload", "scan.tmp", ".scan.pdf", "~scan.pdf",
                 "~$scan.pdf", "$$scan.pdf", "scan.pdf.partial", "scan.PDF.TMP", "scan.pdf~", "x.sb-1234-abcd",
                 "thumbs.db", "desktop.ini", "scan.jpg.!ut", "scan.pdf.inprogress"):
        assert temporary_name(name), name
    for name in ("scan.pdf", "Skenējums 001.jpg", "scan-tmp-1.png"):
        assert not temporary_name(name), name


def test_a_paused_writer_a_renamed_file_and_a_rewrite_in_place(tmp_path, page):
    d = tmp_path / "scanner"
    d.mkdir()
    clock = Clock()
    watch = FolderWatch(d, settle_s=6, clock=clock)
    png = encoded(page, "png")
    f = d / "a.png"
    f.write_bytes(png[:200])
    assert watch.poll() == []
    clock.t += 1.5  # a writer that paused for 1.5 s is not done
    assert watch.poll() == []
    clock.t += 30  # quiet for long, but a PNG without its end: not done either
    assert watch.poll() == [] and watch.waiting == 1
    f.write_bytes(png)
    assert watch.poll() == []
    clock.t += 5.9
    assert watch.poll() == []
    clock.t += 0.2
    assert watch.poll() == [str(f)]
    clock.t += 60
    assert watch.poll() == []  # each version once
    # written under a temporary name, then renamed: taken once settled, under its name
    tmp = d / "b.pdf.filepart"
    tmp.write_bytes(encoded(page, "pdf"))
    clock.t += 60
    assert watch.poll() == []
    tmp.rename(d / "b.pdf")
    assert watch.poll() == []
    clock.t += 6
    assert watch.poll() == [str(d / "b.pdf")]
    # a multi-page PDF the scanner rewrites in place after every page: only the last version
    c = d / "c.pdf"
    for pages in range(1, 4):
        c.write_bytes(encoded(page, "pdf", [page] * (pages - 1)))
        assert watch.poll() == []
        clock.t += 5
    assert watch.poll() == []
    clock.t += 1
    assert watch.poll() == [str(c)]
    # reading failed as a whole: offered again
    watch.release([str(c)])
    assert watch.poll() == [str(c)]
    assert watch.poll() == []


def test_special_files_links_and_empty_files_are_never_offered(tmp_path, page):
    import os

    d = tmp_path / "scanner"
    d.mkdir()
    os.mkfifo(d / "pipe.png")
    (d / "zero.png").symlink_to("/dev/zero")
    (d / "outside.png").symlink_to(tmp_path / "elsewhere.png")
    (tmp_path / "elsewhere.png").write_bytes(encoded(page, "png"))
    (d / "empty.png").write_bytes(b"")
    clock = Clock()
    watch = FolderWatch(d, settle_s=1, clock=clock)
    assert watch.poll() == []
    clock.t += 10
    assert watch.poll() == [] and watch.waiting == 0


def test_scan_ready_reads_only_while_watching_and_only_the_folder(kiosk, tmp_path, page):
    d = tmp_path / "scanner"
    d.mkdir()
    f = d / "a.png"
    f.write_bytes(encoded(page, "png"))
    with pytest.raises(KioskError) as err:
        list(scan_ready(kiosk, [str(f)], workers=1))
    assert err.value.code == "watch.off"
    kiosk.store.set_settings({"scan.watch": "1", "scan.folder": str(d)})
    assert watch_settings(kiosk.store) == (True, str(d), 10)
    outside = tmp_path / "b.png"
    outside.write_bytes(encoded(page, "png"))
    with pytest.raises(KioskError) as err:
        list(scan_ready(kiosk, [str(f), str(outside)], workers=1))
    assert err.value.code == "watch.outside"
    [r] = scan_ready(kiosk, [str(f)], workers=1)
    assert (r.status, r.reason) == ("rejected", "blank_back")  # a white page


def test_settle_time_is_a_setting_with_bounds(kiosk):
    from kiosk.access.auth import Auth
    from kiosk.access.roles import Role

    auth = Auth(kiosk.store)
    auth.ensure_demo_users()
    office = auth.sign_in(Role.OFFICE, "3333")
    assert update_settings(kiosk.store, office, {"scan.settle_seconds": "30"})["scan.settle_seconds"] == "30"
    with pytest.raises(KioskError) as err:
        update_settings(kiosk.store, office, {"scan.settle_seconds": "0"})
    assert err.value.code == "settings.invalid"


def test_fifty_files_from_a_pausing_writer_each_stored_once_in_final_form(kiosk, tmp_path):
    """A writer that writes 50 files in chunks with pauses up to 5 s (of the test's clock),
    renames some from temporary names and rewrites multi-page PDFs in place: every ballot
    is stored once, in its final form; no partial version is stored; no duplicate row."""
    rng = random.Random(50)
    pdf, spec, serials = sheets.print_pdf(kiosk, tmp_path, 58)
    pages = []
    for n in range(58):
        img = sheets.render(pdf, n, 150)
        sheets.mark(img, spec, "specialist", spec.questions[0].options[n % 3].id, 150)
        sheets.mark(img, spec, "rating", str(1 + n % 5), 150)
        pages.append(img)
    d = tmp_path / "scanner"
    d.mkdir()
    # 46 single-page files and 4 three-page PDFs rewritten in place (1 -> 2 -> 3 pages)
    plan: list[tuple[str, list[bytes], bool]] = []  # name, versions written in order, via a temporary name
    kinds = ["png", "jpeg", "pdf", "tiff"]
    nxt = 0
    for i in range(46):
        kind = kinds[i % 4]
        plan.append((f"scan-{i:03d}.{kind}", [encoded(pages[nxt], kind)], i % 5 == 0))
        nxt += 1
    for i in range(4):
        group = pages[nxt:nxt + 3]
        nxt += 3
        plan.append((f"batch-{i}.pdf", [encoded(group[0], "pdf", group[1:k]) for k in range(1, 4)], False))
    assert nxt == 58 and len(plan) == 50
    # the writer's schedule: every write a chunk, then a pause of up to 5 s
    events: list[tuple[float, str, int, int, int]] = []  # time, name, version, chunk start, chunk end
    t = 0.0
    for name, versions, _ in plan:
        start = t
        for v, data in enumerate(versions):
            cuts = sorted({0, len(data), *(rng.randrange(1, len(data)) for _ in range(rng.randint(1, 4)))})
            for a, b in zip(cuts, cuts[1:]):
                events.append((t, name, v, a, b))
                t += rng.uniform(0.0, 5.0)
        t = start + rng.uniform(0.5, 3.0)  # files overlap: the next one starts before this one ends
    events.sort()
    clock = Clock()
    base = clock.t
    watch = FolderWatch(d, settle_s=6, clock=clock)
    temp_of = {name: f".{name}.part" if via_tmp else name for name, _, via_tmp in plan}
    data_of = {name: versions for name, versions, _ in plan}
    last_event = {}
    for e in events:
        last_event[e[1]] = e
    results = []
    i = 0
    while i < len(events) or clock.t - base < events[-1][0] + 20:
        while i < len(events) and events[i][0] <= clock.t - base:
            _, name, v, a, b = events[i]
            target = d / temp_of[name]
            mode = "r+b" if a > 0 else "wb"  # a new version starts by truncating the file
            with open(target, mode) as fh:
                fh.seek(a)
                fh.write(data_of[name][v][a:b])
            if last_event[name] == events[i] and temp_of[name] != name:
                target.rename(d / name)  # done: renamed to its final name
            i += 1
        ready = watch.poll()
        if ready:
            results += list(scan_paths(kiosk, ready, workers=1))
        clock.t += 0.5
    assert watch.waiting == 0
    # every ballot once, in the final form; nothing partial, nothing twice
    assert len(results) == 58 and all(r.status == "counted" and not r.repeat for r in results)
    assert sorted(r.serial for r in results) == sorted(payload.serial_text(s) for s in serials)
    assert kiosk.store.sheet_counts() == {"counted": 58, "review": 0, "rejected": 0, "duplicate": 0}
    assert sorted((Path(r.source).name, r.page) for r in results) == sorted(
        [(name, 1) for name, _, _ in plan[:46]] + [(f"batch-{i}.pdf", p) for i in range(4) for p in (1, 2, 3)])
    stored = {Path(kiosk.store.image(kiosk.store.sheet(r.sheet_id).image_sha256)["path"]).read_bytes() for r in results}
    assert stored == {versions[-1] for _, versions, _ in plan}  # only final versions were stored


def test_cli_settings_shows_and_changes_the_caps(kiosk, capsys):
    from kiosk.access.settings import scan_limits
    from kiosk.cli.main import main

    root = str(kiosk.root)
    assert main(["--data-dir", root, "settings", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["scan.max_pages"], shown["scan.settle_seconds"], shown["scan.watch"]) == ("500", "10", "0")
    assert main(["--data-dir", root, "settings", "scan.max_pages=40", "scan.max_file_mb=8"]) == 0
    assert "scan.max_pages = 40" in capsys.readouterr().out
    limits = scan_limits(kiosk.store)
    assert (limits.max_pages, limits.max_file_bytes) == (40, 8 << 20)
    assert main(["--data-dir", root, "settings", "scan.max_pages=0"]) == 1
    assert "settings.invalid" in capsys.readouterr().err
    assert main(["--data-dir", root, "settings", "scan.max_pages"]) == 2


def test_a_watched_scan_run_is_audited(kiosk, tmp_path, page):
    """Watched files are read with nobody signed in: the run is audited as the scanner folder's."""
    from kiosk.audit.log import verify

    folder = tmp_path / "scanner"
    folder.mkdir()
    f = folder / "a.png"
    f.write_bytes(encoded(page, "png"))
    kiosk.store.set_settings({"scan.watch": "1", "scan.folder": str(folder)})
    before = [r["seq"] for r in kiosk.store.audit_rows()]
    results = list(scan_ready(kiosk, [str(f)], workers=1))
    rows = [r for r in kiosk.store.audit_rows() if r["seq"] not in before]
    assert [(r["event"], r["actor"]) for r in rows] == [("scan.run", "scanner-folder")]
    fields = json.loads(rows[0]["fields"])
    assert fields["source"] == "scanner-folder" and fields["outcome"] == "done"
    assert fields["sheets"] == len(results) == 1 and fields[results[0].status] == 1
    assert verify(kiosk.store) is None
