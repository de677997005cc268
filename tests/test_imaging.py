"""Input files to grayscale pages: formats, resolution, and every way a file can be bad."""
from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
import sheets
from PIL import Image

from kiosk.issuing.jobs import print_ballots
from kiosk.reading import imaging
from kiosk.reading.imaging import PageError


def png_header_only(width: int, height: int) -> bytes:
    """A valid PNG signature and IHDR claiming a huge image, then a tiny IDAT."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


def reason(path) -> str:
    with pytest.raises(PageError) as exc:
        list(imaging.iter_pages(path))
    return exc.value.reason


@pytest.fixture
def page(kiosk, tmp_path):
    img, spec, _ = sheets.ballot(kiosk, tmp_path, {"specialist": "k-ozolina"}, dpi=300)
    return img


def test_formats_and_working_resolution(page, tmp_path):
    png, jpg, tif, pdf = (tmp_path / n for n in ("a.png", "a.jpg", "a.tif", "a.pdf"))
    page.save(png, dpi=(300, 300))
    page.save(jpg, quality=85, dpi=(300, 300))
    page.save(tif, save_all=True, append_images=[page.rotate(180), page], compression="tiff_lzw")
    page.save(pdf, save_all=True, append_images=[page], resolution=300.0)
    w, h = page.size  # A5 at 300 dpi: 1749 x 2481
    for path, kind in ((png, "png"), (jpg, "jpeg"), (tif, "tiff"), (pdf, "pdf")):
        assert imaging.file_kind(path) == kind
    (p,) = imaging.iter_pages(png)
    assert p.gray.dtype == np.uint8 and p.gray.ndim == 2
    assert p.gray.shape == ((h + 1) // 2, (w + 1) // 2) and p.scale == 2.0 and abs(p.dpi - 150) < 0.1 and p.number == 1
    (j,) = imaging.iter_pages(jpg)  # decoded at half scale by libjpeg itself
    assert j.gray.shape == ((h + 1) // 2, (w + 1) // 2) and j.scale == 2.0 and abs(j.dpi - 150) < 0.1
    pages = list(imaging.iter_pages(tif))
    assert [q.number for q in pages] == [1, 2, 3] and imaging.page_count(tif) == 3
    assert np.array_equal(pages[2].gray, pages[0].gray) and not np.array_equal(pages[1].gray, pages[0].gray)
    pdf_pages = list(imaging.iter_pages(pdf))
    assert len(pdf_pages) == 2 and max(pdf_pages[0].gray.shape) == imaging.PDF_LONG_SIDE
    # small pages (a webcam frame, a 150-dpi scan) are taken as they are
    small = tmp_path / "s.png"
    page.resize((1280, 720)).save(small)
    (s,) = imaging.iter_pages(small)
    assert s.gray.shape == (720, 1280) and s.scale == 1.0 and s.dpi is None
    # load_page gives the review screen exactly the reader's image
    assert np.array_equal(np.asarray(imaging.load_page(jpg)), j.gray)
    assert np.array_equal(np.asarray(imaging.load_page({"path": str(tif)}, 2)), pages[1].gray)


def test_colour_alpha_and_16_bit_images_become_gray(tmp_path):
    rgba = Image.new("RGBA", (100, 60), (0, 0, 0, 0))
    rgba.paste((10, 20, 200, 255), (10, 10, 50, 50))
    rgba.save(tmp_path / "a.png")
    (p,) = imaging.iter_pages(tmp_path / "a.png")
    assert p.gray[0, 0] == 255 and p.gray[20, 20] < 60  # transparency is paper, blue ink is dark
    a16 = (np.arange(100 * 60, dtype=np.uint16).reshape(60, 100) * 10)
    Image.fromarray(a16).save(tmp_path / "b.png")
    (q,) = imaging.iter_pages(tmp_path / "b.png")
    assert q.gray.max() > 200 and q.gray.min() == 0  # scaled, not clipped
    Image.new("1", (80, 80), 1).save(tmp_path / "c.tif", compression="group4")
    (r,) = imaging.iter_pages(tmp_path / "c.tif")
    assert r.gray.min() == 255


def test_bad_files_have_their_own_reasons(page, tmp_path):
    buf = io.BytesIO()
    page.save(buf, "PNG")
    good = buf.getvalue()
    cases = {
        "empty.png": (b"", "empty_file"),
        "notes.png": ("Šis nav attēls\n".encode(), "unsupported_file"),
        "gif.gif": (b"GIF89a" + b"\x00" * 100, "unsupported_file"),
        "truncated.png": (good[: len(good) // 2], "corrupt_file"),
        "header.jpg": (b"\xff\xd8\xff\xe0" + b"\x00" * 40, "corrupt_file"),
        "mangled.png": (good[:100] + bytes(b ^ 0x5A for b in good[100:300]) + good[300:], "corrupt_file"),
        "bomb.png": (png_header_only(30_000, 30_000), "too_large"),  # Pillow's own bomb guard
        "big.png": (png_header_only(10_000, 9_500), "too_large"),  # under Pillow's error, over ours
        "broken.pdf": (b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "corrupt_file"),
    }
    for name, (data, want) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert reason(path) == want, name
    jpg = io.BytesIO()
    page.save(jpg, "JPEG")
    (tmp_path / "cut.jpg").write_bytes(jpg.getvalue()[:5000])
    assert reason(tmp_path / "cut.jpg") == "corrupt_file"


def test_a_bad_page_in_a_multi_page_file_does_not_hide_the_others(page, tmp_path):
    tif = tmp_path / "m.tif"
    page.save(tif, save_all=True, append_images=[page, page])
    data = bytearray(tif.read_bytes())
    # damage the last page's strip data by cutting the file short of it
    cut = tmp_path / "cut.tif"
    cut.write_bytes(bytes(data[: len(data) - 1000]))
    out = list(imaging.iter_pages(cut))
    assert len(out) == 3
    assert all(isinstance(p, imaging.Page) for p in out[:2])
    assert isinstance(out[2], PageError) and out[2].reason == "corrupt_file" and out[2].number == 3


def test_pdf_with_a_bomb_image_is_refused_before_rendering(tmp_path):
    # a minimal PDF whose page draws one 20000 x 20000 image (a few bytes of Flate data)
    data = zlib.compress(b"\x00" * 16)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 595] /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /XObject /Subtype /Image /Width 20000 /Height 20000 /ColorSpace /DeviceGray /BitsPerComponent 8"
        b" /Filter /FlateDecode /Length " + str(len(data)).encode() + b" >>\nstream\n" + data + b"\nendstream",
        b"<< /Length 33 >>\nstream\nq 420 0 0 595 0 0 cm /Im0 Do Q\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for n, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path = tmp_path / "bomb.pdf"
    path.write_bytes(bytes(out))
    assert imaging.page_count(path) == 1
    assert reason(path) == "too_large"


# -- PDFium is not thread-safe: every use in this process is serialised -------------------

def test_every_pdfium_call_of_ours_holds_the_lock(kiosk, tmp_path, monkeypatch):
    """Deterministic: wrap pypdfium2's entry points and check the lock is held on each
    call made by the reader, the review screen's page loader and the print preview."""
    import pypdfium2 as pdfium

    from kiosk.reading.imaging import PDFIUM_LOCK, load_page, read_page, render_pdf_page
    from demo import render_pages
    from ui.screens.printing import render_pdf_page as preview

    calls = []

    def guarded(cls, name):
        original = getattr(cls, name)

        def check(self, *args, **kwargs):
            calls.append((cls.__name__, name, PDFIUM_LOCK._is_owned()))
            return original(self, *args, **kwargs)

        monkeypatch.setattr(cls, name, check)

    for cls, name in ((pdfium.PdfDocument, "__init__"), (pdfium.PdfDocument, "close"), (pdfium.PdfPage, "render"),
                      (pdfium.PdfPage, "close"), (pdfium.PdfBitmap, "close")):
        guarded(cls, name)
    pdf = tmp_path / "b.pdf"
    print_ballots(kiosk, 2, out=pdf)
    read_page(pdf, 2, "pdf")
    load_page(pdf, 1)
    render_pdf_page(pdf, 0, dpi=50)
    preview(pdf, 1, 300)
    assert len(list(render_pages(pdf, 50))) == 2
    assert calls and {c[:2] for c in calls} >= {("PdfDocument", "__init__"), ("PdfPage", "render"), ("PdfBitmap", "close")}
    unlocked = [c for c in calls if not c[2]]
    assert not unlocked, unlocked


def test_pages_render_from_many_threads_at_once(kiosk, tmp_path):
    """Stress, in a subprocess (an unserialised PDFium aborts the interpreter): four
    threads render and read PDF pages at once.  Without the lock this crashed about
    every second run of this size; with it, never."""
    import subprocess
    import sys

    from conftest import REPO

    pdf = tmp_path / "b.pdf"
    print_ballots(kiosk, 4, out=pdf)
    code = (
        "import sys, threading\n"
        "from kiosk.reading import imaging\n"
        "def work():\n"
        "    for i in range(60):\n"
        "        imaging.render_pdf_page(sys.argv[1], i % 4, dpi=72)\n"
        "        imaging.read_page(sys.argv[1], i % 4 + 1, 'pdf')\n"
        "ts = [threading.Thread(target=work) for _ in range(4)]\n"
        "[t.start() for t in ts]; [t.join() for t in ts]\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(pdf)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
