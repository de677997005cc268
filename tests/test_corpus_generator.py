"""The corpus generator itself (tests/corpus.py): marks land where the layout says,
degradations keep what they should, the ground truth is right, same seed -> same corpus.

Ink is measured as the difference between a clean render and the same render
with marks, so nothing here depends on the reader under test.
"""
from __future__ import annotations

import hashlib
import io
import json
import random
from dataclasses import replace

import corpus
import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageSequence

from kiosk.assets import demo_campaign_path
from kiosk.ballot.campaign import load_campaign
from kiosk.ballot.spec import Box, LayoutSpec
from kiosk.issuing.jobs import print_ballots
from kiosk.reading import qr
from kiosk.station import Kiosk

DPI = 200


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """One enrolled kiosk, one printed ballot per page size, rendered clean at DPI."""
    root = tmp_path_factory.mktemp("gen")
    campaign = load_campaign(demo_campaign_path())
    k = Kiosk.enroll(campaign.institutions[0].id, root=root / "data", campaign_path=demo_campaign_path())
    out = {}
    for size in ("a5", "a4"):
        res = print_ballots(k, 1, out=root / f"{size}.pdf", page_size=size)
        doc = pdfium.PdfDocument(str(root / f"{size}.pdf"))
        out[size] = {
            "spec": k.layout(size),
            "gray": corpus.render_page(doc, 0, DPI, color=False),
            "rgb": corpus.render_page(doc, 0, DPI, color=True),
            "serial": res.serials[0],
        }
        doc.close()
    out["kiosk"] = k
    yield out
    k.close()


def _ink(clean: Image.Image, marked: Image.Image) -> np.ndarray:
    """Added darkness per pixel, 0..1."""
    a = np.asarray(clean.convert("L"), dtype=np.float32)
    b = np.asarray(marked.convert("L"), dtype=np.float32)
    return np.clip(a - b, 0, 255) / 255.0


def _interior(ink: np.ndarray, spec: LayoutSpec, box: Box, inset_mm: float | None = None) -> np.ndarray:
    ppm = DPI / 25.4
    inset = spec.box_line_mm + 0.3 if inset_mm is None else inset_mm
    x, y, w, h = box
    return ink[int(round((y + inset) * ppm)): int(round((y + h - inset) * ppm)), int(round((x + inset) * ppm)): int(round((x + w - inset) * ppm))]


def _boxes(spec: LayoutSpec) -> dict[tuple[str, str], Box]:
    return {(q.id, o.id): o.box for q in spec.questions for o in q.options}


def _mark(page: dict, kind: str, seed: int, *, color: bool = False, ink_kind: str = "pen", margin: str | None = None) -> tuple[np.ndarray, list[corpus.MarkPlan]]:
    spec = page["spec"]
    clean = page["rgb" if color else "gray"]
    rng = random.Random(seed)
    marks = [corpus.MarkPlan(q.id, rng.choice(q.options).id, kind) for q in spec.questions] if kind else []
    img = clean.copy()
    corpus.mark_page(img, spec, marks, rng, np.random.default_rng(seed), margin=margin, ink_kind=ink_kind)
    return _ink(clean, img), marks


@pytest.mark.parametrize("size", ["a5", "a4"])
@pytest.mark.parametrize("kind", corpus.MARK_KINDS)
def test_marks_land_in_their_boxes_and_nowhere_else(printed, size, kind):
    page = printed[size]
    spec = page["spec"]
    for seed in range(12):
        ink, marks = _mark(page, kind, seed, color=seed % 2 == 1, ink_kind="pencil" if seed % 5 == 4 else "pen")
        chosen = {(m.question, m.option) for m in marks}
        for key, box in _boxes(spec).items():
            inside = _interior(ink, spec, box)
            if key in chosen:
                least = {"dot": 0.004, "faint": 0.008}.get(kind, 0.02)  # mean added darkness over the interior
                assert inside.sum() > least * inside.size, (kind, seed, key)
            else:
                # Another box's strokes never reach into this one, not even its printed border.
                assert _interior(ink, spec, box, inset_mm=-0.3).max() == 0, (kind, seed, key)


def test_clear_faint_and_dot_marks_differ_as_a_person_sees_them(printed):
    """Pen and firm pencil marks are dark; light pencil is light; a dot is small."""
    page = printed["a5"]
    spec = page["spec"]
    stats: dict[str, list[tuple[float, float]]] = {}
    for kind in corpus.MARK_KINDS + ("pencil",):
        for seed in range(20):
            ink, marks = _mark(page, "tick" if kind == "pencil" else kind, 100 + seed, ink_kind="pencil" if kind == "pencil" else "pen")
            m = marks[0]
            inside = _interior(ink, spec, _boxes(spec)[(m.question, m.option)])
            stroke = inside[inside > 0.05]
            stats.setdefault(kind, []).append((float(np.percentile(stroke, 90)), float((inside > 0.25).mean())))
    for kind in corpus.CLEAR_KINDS:
        assert min(d for d, _ in stats[kind]) > 0.55, (kind, stats[kind])  # darker than grey 115 on white
        assert min(a for _, a in stats[kind]) > 0.05, (kind, stats[kind])  # spread over the box
    assert min(d for d, _ in stats["pencil"]) > 0.5
    assert all(0.12 < d < 0.45 for d, _ in stats["faint"]), stats["faint"]
    assert all(0.0 < a < 0.09 for _, a in stats["dot"]), stats["dot"]
    assert min(d for d, _ in stats["dot"]) > 0.6


@pytest.mark.parametrize("margin", ["writing", "underline"])
def test_margin_writing_touches_no_box_qr_or_mark(printed, margin):
    for size in ("a5", "a4"):
        page = printed[size]
        spec = page["spec"]
        for seed in range(8):
            ink, _ = _mark(page, "", seed, margin=margin)
            assert ink.sum() > 50, "something was written"
            for box in _boxes(spec).values():
                assert _interior(ink, spec, box, inset_mm=-1.0).max() == 0
            q = spec.qr
            ppm = DPI / 25.4
            quiet = 4 * q.size / 29
            assert ink[int((q.y - quiet) * ppm): int((q.y + q.size + quiet) * ppm), int((q.x - quiet) * ppm): int((q.x + q.size + quiet) * ppm)].max() == 0
            for mk in spec.marks:
                r = mk.size / 2 + 1.0
                assert ink[int((mk.y - r) * ppm): int((mk.y + r) * ppm), int((mk.x - r) * ppm): int((mk.x + r) * ppm)].max() == 0


@pytest.mark.parametrize("cls", corpus.BALLOT_CLASSES)
def test_plans_and_ground_truth_per_class(printed, cls):
    spec = printed["a5"]["spec"]
    labels = {q.id: q.label for q in spec.questions}
    if cls == corpus.WRITE_IN:  # the demo ballot has no write-in line (tests/test_rosters.py has one)
        with pytest.raises(ValueError):
            corpus.plan_marks(spec, cls, random.Random(0))
        return
    for seed in range(25):
        marks = corpus.plan_marks(spec, cls, random.Random(seed))
        votes = corpus.votes_of(spec, marks)
        expected = corpus.labels_of(spec, votes)
        assert set(expected) == set(labels.values())
        n = {q: len(v) for q, v in votes.items()}
        kinds = [m.kind for m in marks]
        if cls == corpus.BLANK_BALLOT:
            assert marks == [] and all(v == [] for v in expected.values())
        elif cls in (corpus.CLEAR, corpus.STRAY, corpus.QR_DAMAGED):  # clear marks (and strokes elsewhere)
            assert all(c == 1 for c in n.values()) and set(kinds) <= set(corpus.CLEAR_KINDS)
        elif cls == corpus.OVERVOTE:
            assert max(n.values()) == 2 and set(kinds) <= set(corpus.CLEAR_KINDS)
        elif cls == corpus.BLANK_QUESTION:
            blank = [q for q in spec.questions if n[q.id] == 0]
            assert blank and all(q.optional for q in blank) and max(n.values()) == 1
        elif cls == corpus.BLANK_REQUIRED:
            assert any(n[q.id] == 0 for q in spec.questions if not q.optional)
            assert all(n[q.id] == 1 for q in spec.questions if q.optional)
        else:  # faint, dot: exactly one such mark, the intended vote
            assert kinds.count(cls) == 1 and max(n.values()) == 1
        for q in spec.questions:
            names = [o.label for o in q.options if o.id in votes[q.id]]
            assert expected[q.label] == names


def test_class_schedule_is_exact():
    sched = corpus.class_schedule(200, random.Random(1))
    assert len(sched) == 200
    for cls, share in corpus.CLASS_MIX.items():
        assert sched.count(cls) == round(200 * share)
    assert sched.count(corpus.CLEAR) == 200 - sum(round(200 * s) for s in corpus.CLASS_MIX.values())


def _decode(img: Image.Image) -> list[qr.Symbol]:
    return [s for s in qr.decode(np.asarray(img.convert("L"))) if s.text.startswith("LSK:")]


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
@pytest.mark.parametrize("dpi,skew", [(150, 5.0), (200, -5.0), (300, 2.5)])
def test_scans_stay_decodable_and_the_geometry_is_known(printed, rotation, dpi, skew):
    """A worst-case scan (max skew, blur, noise, JPEG 60) still carries a readable QR,
    and its corners are where ``scan_point`` predicts."""
    size = "a4" if dpi == 150 else "a5"
    spec = printed[size]["spec"]
    doc_img = printed[size]["gray"]
    page = doc_img if dpi == DPI else doc_img.resize((round(doc_img.width * dpi / DPI), round(doc_img.height * dpi / DPI)), Image.Resampling.LANCZOS)
    p = corpus.ScanParams(dpi=dpi, color=False, rotation=rotation, skew=skew, paper=(0.92, 0.92, 0.9), background=60,
                          margins_mm=(2.0, 3.0, 4.0, 5.0), blur=0.9, noise=4.0)
    out = corpus.scan(page, p, np.random.default_rng(rotation + dpi))
    buf = io.BytesIO()
    out.save(buf, "JPEG", quality=60)
    syms = _decode(Image.open(io.BytesIO(buf.getvalue())))
    assert syms, "QR unreadable after scanning"
    assert printed["kiosk"].verify_payload(syms[0].text).serial == printed[size]["serial"]
    ppm = page.width / spec.page_mm[0]
    q = spec.qr
    want = [corpus.scan_point(p, page.size, ((q.x + dx) * ppm, (q.y + dy) * ppm))
            for dx, dy in ((0, 0), (q.size, 0), (q.size, q.size), (0, q.size))]
    module = q.size / 29 * dpi / 25.4
    for got, exp in zip(syms[0].corners, want):
        assert abs(got[0] - exp[0]) < module and abs(got[1] - exp[1]) < module, (got, exp)


@pytest.mark.parametrize("seed", range(8))
def test_photos_stay_decodable_and_the_geometry_is_known(printed, seed):
    rng = random.Random(seed)
    params = corpus.random_cam_params(rng)
    params.frame = [(1280, 720), (1920, 1080), (720, 1280), (1080, 1920)][seed % 4]
    params.quarter = [0, 90, 180, 270][seed // 2 % 4]
    size = "a4" if seed % 3 == 0 else "a5"
    spec = printed[size]["spec"]
    dpi = corpus.cam_render_dpi(params, spec.page_mm)
    page = printed[size]["rgb"].resize((round(printed[size]["rgb"].width * dpi / DPI), round(printed[size]["rgb"].height * dpi / DPI)), Image.Resampling.LANCZOS)
    frame, corners = corpus.photograph(page, spec.page_mm, params, rng, np.random.default_rng(seed))
    assert frame.size == tuple(params.frame) and frame.mode == "RGB"
    for x, y in corners:
        assert 0 <= x <= frame.width and 0 <= y <= frame.height
    buf = io.BytesIO()
    frame.save(buf, "JPEG", quality=params.quality)
    syms = _decode(Image.open(io.BytesIO(buf.getvalue())))
    assert syms, f"QR unreadable in photo {params}"
    q = spec.qr
    want = [corpus.cam_point(corners, spec.page_mm, (q.x + dx, q.y + dy)) for dx, dy in ((0, 0), (q.size, 0), (q.size, q.size), (0, q.size))]
    module = abs(want[1][0] - want[0][0]) + abs(want[1][1] - want[0][1])
    for got, exp in zip(syms[0].corners, want):
        assert abs(got[0] - exp[0]) + abs(got[1] - exp[1]) < module / 29 * 2.5, (got, exp)


def test_blank_backs_are_paper_without_a_code(printed):
    page = printed["a5"]["gray"]
    p = corpus.ScanParams(dpi=DPI, color=False, rotation=0, skew=1.0, paper=(0.95, 0.95, 0.95), background=230,
                          margins_mm=(1, 1, 1, 1), blur=0, noise=2.0)
    back = corpus.blank_back(page, p, np.random.default_rng(0))
    assert not _decode(back)
    a = np.asarray(back, dtype=np.float32)
    core = a[a.shape[0] // 10: -a.shape[0] // 10, a.shape[1] // 10: -a.shape[1] // 10]
    assert core.min() > 60 and np.percentile(core, 1) > 200  # show-through is faint; at most a few dust specks


def _files(c: corpus.Corpus) -> dict[str, str]:
    return {str(p.relative_to(c.root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for folder in c.folders for p in sorted(folder.iterdir())}


def _kiosk(root, n: int = 0) -> Kiosk:
    campaign = load_campaign(demo_campaign_path())
    return Kiosk.enroll(campaign.institutions[n].id, root=root, campaign_path=demo_campaign_path())


def test_same_seed_same_corpus_other_seed_other_corpus(tmp_path):
    """Byte-identical files and truth for one seed, in one process or two; nothing shared with another seed."""
    built = []
    for name, seed, n, workers in (("a", 5, 11, 1), ("b", 5, 11, 2), ("c", 6, 3, 1)):
        with _kiosk(tmp_path / f"data-{name}") as k:
            c = corpus.build_corpus(k, tmp_path / f"corpus-{name}", seed=seed, scanner=n, webcam=1, foreign=0, workers=workers)
        built.append((_files(c), [s.to_json() for s in c.sheets]))
    assert {name.rsplit(".", 1)[1] for name in built[0][0]} == {"png", "jpg", "tif", "pdf"}  # every writer is covered
    assert built[0] == built[1]
    assert set(built[0][0].values()).isdisjoint(built[2][0].values())


def test_a_small_corpus_is_complete_and_true(tmp_path):
    with _kiosk(tmp_path / "data") as k, _kiosk(tmp_path / "other", 1) as other:
        c = corpus.build_corpus(k, tmp_path / "corpus", seed=12, scanner=12, webcam=4, foreign_kiosk=other, foreign=2)
        assert len(c.ballots()) == 16
        assert {s.file.rsplit(".", 1)[1] for s in c.sheets} == {"png", "jpg", "tif", "pdf"}
        assert any(s.cls == corpus.BACK_PAGE for s in c.sheets)
        assert sum(s.cls == corpus.FOREIGN for s in c.sheets) == 2
        assert {s.capture for s in c.ballots()} == {"scanner", "webcam"}
        truth = json.loads((c.root / "truth.json").read_text())
        assert truth["sheets"] == json.loads(json.dumps([s.to_json() for s in c.sheets]))
        by_file: dict[str, list[corpus.Sheet]] = {}
        for s in c.sheets:
            by_file.setdefault(s.file, []).append(s)
        serials = set()
        for name, sheets in by_file.items():
            path = c.root / name
            if path.suffix == ".pdf":
                doc = pdfium.PdfDocument(str(path))
                # image-only: one image object per page, as a scanner writes it
                assert all([o.type for o in doc[i].get_objects()] == [pdfium.raw.FPDF_PAGEOBJ_IMAGE] for i in range(len(doc)))
                pages = [next(doc[i].get_objects()).get_bitmap().to_pil() for i in range(len(doc))]
                doc.close()
            else:
                with Image.open(path) as im:
                    pages = [f.copy() for f in ImageSequence.Iterator(im)]
            assert sorted(s.page for s in sheets) == list(range(1, len(pages) + 1)), name
            for s in sheets:
                syms = _decode(pages[s.page - 1])
                if s.cls == corpus.BACK_PAGE:
                    assert not syms, name
                    continue
                assert syms, f"{name} page {s.page}: QR unreadable"
                verifier = other if s.cls == corpus.FOREIGN else k
                assert corpus._serial_matches(corpus.kiosk_payload.serial_text(verifier.verify_payload(syms[0].text).serial), s.serial)
                serials.add(s.serial)
        assert len(serials) == 18  # every ballot its own serial
        # Nothing read: every page is a failure, and each is kept as the page it is.
        ev = corpus.evaluate(c, [])
        saved = corpus.save_failures(c, ev, tmp_path / "failures")
        assert len(saved) == len(c.sheets) and (tmp_path / "failures" / "README.txt").read_text().count("-> missing") == len(c.sheets)
        tif = next(s for s in c.sheets if s.file.endswith(".tif") and s.page > 1)
        png = tmp_path / "failures" / f"{tif.file.replace('/', '_').rsplit('.', 1)[0]}-p{tif.page}.png"
        with Image.open(c.root / tif.file) as im:
            im.seek(tif.page - 1)
            assert np.array_equal(np.asarray(Image.open(png)), np.asarray(im))


def test_evaluation_matches_lines_and_judges_them(tmp_path):
    spec_labels = {"Q": ["A"]}
    root = tmp_path
    (root / "scanner").mkdir()
    mk = lambda f, p, cls, cap="scanner", exp=None: corpus.Sheet(file=f, page=p, capture=cap, cls=cls, serial="AAAA-BBBB-CCCCC",  # noqa: E731
                                                                 expected=exp if exp is not None else spec_labels)
    sheets = [mk("scanner/x.tif", 1, corpus.CLEAR), mk("scanner/x.tif", 2, corpus.BACK_PAGE), mk("scanner/y.png", 1, corpus.CLEAR),
              mk("scanner/z.png", 1, corpus.OVERVOTE, exp={"Q": ["A", "B"]}), mk("scanner/w.png", 1, corpus.DOT),
              mk("webcam/v.jpg", 1, corpus.BLANK_BALLOT, "webcam", {"Q": []}), mk("scanner/u.png", 1, corpus.CLEAR)]
    c = corpus.Corpus(root, [root / "scanner"], sheets, 0)
    src = lambda f: str(root / f)  # noqa: E731
    lines = [
        {"source": src("scanner/x.tif"), "page": 1, "status": "counted", "reason": None, "serial": "AAAABBBBCCCCC", "selections": {"Q": ["A"]}},
        {"source": src("scanner/x.tif"), "page": 2, "status": "rejected", "reason": "blank_back", "serial": None, "selections": None},
        {"source": src("scanner/y.png"), "page": 1, "status": "counted", "reason": None, "serial": "AAAA-BBBB-CCCCC", "selections": {"Q": []}},
        {"source": src("scanner/z.png"), "page": 1, "status": "counted", "reason": None, "serial": "AAAA-BBBB-CCCCC", "selections": {"Q": ["B", "A"]}},
        {"source": src("scanner/w.png"), "page": 1, "status": "counted", "reason": None, "serial": "AAAA-BBBB-CCCCC", "selections": {"Q": []}},
        {"source": src("webcam/v.jpg"), "page": 1, "status": "review", "reason": "blank_ballot", "serial": "AAAA-BBBB-CCCCC", "selections": {}},
        {"source": src("scanner/other.png"), "page": 1, "status": "rejected", "reason": "no_qr", "serial": None, "selections": None},
    ]
    ev = corpus.evaluate(c, lines)
    kinds = {(o.sheet.file, o.sheet.page): o.kind for o in ev.outcomes}
    assert kinds == {("scanner/x.tif", 1): "counted_ok", ("scanner/x.tif", 2): "rejected", ("scanner/y.png", 1): "counted_wrong",
                     ("scanner/z.png", 1): "counted_ok", ("scanner/w.png", 1): "counted_wrong", ("webcam/v.jpg", 1): "review",
                     ("scanner/u.png", 1): "missing"}
    assert [o.sheet.file for o in ev.wrong()] == ["scanner/y.png", "scanner/w.png"]
    assert {o.sheet.file for o in ev.failures()} == {"scanner/y.png", "scanner/w.png", "scanner/u.png"}
    assert ev.rate("scanner") == (1, 3)
    assert len(ev.unexpected) == 1
    table = ev.table()
    assert "unambiguous scanner sheets counted correctly: 1/3" in table and "unexpected output lines: 1" in table


def test_strokes_that_would_stray_into_another_box_are_drawn_again(printed):
    """With boxes only 2.5 mm apart an overrunning mark often reaches the next box:
    the generator draws it again, so an unmarked box never holds ink."""
    page = printed["a5"]
    spec = page["spec"]
    q = spec.questions[0]
    x, y, w, h = q.options[0].box
    q = replace(q, options=tuple(replace(o, box=Box(x, y + i * (h + 2.5), w, h)) for i, o in enumerate(q.options)))
    spec = replace(spec, questions=(q, *spec.questions[1:]))
    strayed = 0
    for seed in range(30):
        rng = random.Random(seed)
        raw = corpus.overrun_strokes(q.options[1].box, random.Random(seed), 0.8)
        strayed += corpus._touches(raw, [q.options[0].box, q.options[2].box], spec.box_line_mm / 2 + 0.2)
        img = page["gray"].copy()
        corpus.mark_page(img, spec, [corpus.MarkPlan(q.id, q.options[1].id, "overrun")], rng, np.random.default_rng(seed))
        ink = _ink(page["gray"], img)
        for other in (q.options[0], q.options[2]):
            assert _interior(ink, spec, other.box, inset_mm=-0.2).max() == 0, seed
    assert strayed > 3  # the situation does arise, so the redraw was exercised


def test_number_grids_write_ins_scribbles_and_stray_strokes_land_where_they_should():
    """The corpus's marks for the large-roster layouts, checked against the spec's geometry."""
    import rosters

    from kiosk.ballot.campaign import parse_campaign
    from kiosk.ballot.layout import build_layout

    rng = random.Random(4)
    grid = parse_campaign(rosters.campaign(rosters.institutions(1, [120], rng), page_size="a4", style="number"))
    spec = build_layout(grid, grid.institutions[0], "a4")
    q = spec.questions[0]
    for seed in range(20):
        marks = corpus.plan_marks(spec, corpus.CLEAR, random.Random(seed))
        (chosen,) = corpus.votes_of(spec, marks)[q.id]
        number = q.number_of(chosen)
        digits = [m.option for m in marks if m.question == q.id]
        marked = "".join(o.split(":")[1] for o in sorted(digits))
        assert int(marked) == number and len(marked) in (len(str(number)), 3)  # with or without leading zeros
        assert all(m.choice == chosen for m in marks if m.question == q.id)
    over = corpus.plan_marks(spec, corpus.OVERVOTE, random.Random(1))
    assert len(corpus.votes_of(spec, over)[q.id]) == 2 or len(corpus.votes_of(spec, over)["rating"]) == 2

    wi = parse_campaign(rosters.campaign(rosters.institutions(1, [20], rng), page_size="a5", write_in=True))
    spec = build_layout(wi, wi.institutions[0], "a5")
    x, y, w, h = spec.questions[0].writein
    boxes = [list(o.box) for _, o in spec.boxes]
    for seed in range(10):
        r = random.Random(seed)
        strokes = corpus.writein_strokes(spec, r, 0.6)
        pts = np.vstack([s.points for s in strokes])
        assert pts[:, 0].min() >= x - 1 and pts[:, 0].max() <= x + w + 1 and pts[:, 1].min() >= y - 3
        assert not corpus._touches(strokes, boxes, 0.5)
        qr = spec.qr
        m = qr.size / 29
        finders = [[qr.x, qr.y, 7 * m, 7 * m], [qr.x + qr.size - 7 * m, qr.y, 7 * m, 7 * m],
                   [qr.x, qr.y + qr.size - 7 * m, 7 * m, 7 * m]]
        scribble = corpus.qr_scribble_strokes(spec, r, 0.6)
        assert corpus._touches(scribble, finders, 0.0) and not corpus._touches(scribble, boxes, 0.5)
        stray = corpus._draw_clear_of(lambda: corpus.stray_strokes(spec, r, 0.6), boxes, 1.2)
        assert stray and not corpus._touches(stray, boxes, 1.0)
