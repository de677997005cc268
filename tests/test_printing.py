"""Printed ballots: real PDFs, rendered by poppler, decoded by both QR backends."""
from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from kiosk.ballot import payload
from kiosk.issuing.jobs import print_ballots
from kiosk.reading import qr


def render(pdf: Path, dpi: int, out: Path, first: int | None = None, last: int | None = None) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    cmd = ["pdftoppm", "-r", str(dpi), "-gray"]
    if first:
        cmd += ["-f", str(first), "-l", str(last or first)]
    subprocess.run(cmd + [str(pdf), str(out / "p")], check=True)
    return sorted(out.glob("p-*.pgm"))


def gray(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("L"))


def test_200_ballots_decode_to_200_distinct_verified_serials(kiosk, tmp_path):
    pdf = tmp_path / "x.pdf"
    result = print_ballots(kiosk, 200, out=pdf)
    pages = render(pdf, 200, tmp_path / "r")
    assert len(pages) == 200
    serials = []
    for page in pages:
        symbols = qr.decode(gray(page))
        assert len(symbols) == 1, page
        p = kiosk.verify_payload(symbols[0].text)
        assert kiosk.store.issued_state(p.serial) == "issued"
        serials.append(p.serial)
    assert len(set(serials)) == 200
    assert set(serials) == set(result.serials)
    assert kiosk.store.issued_counts() == {"issued": 200, "voided": 0}


def test_every_name_prints_with_its_diacritics(kiosk, demo_campaign, tmp_path):
    pdf = tmp_path / "one.pdf"
    print_ballots(kiosk, 2, out=pdf)
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for s in kiosk.institution.specialists:
        assert s.name in text
        assert s.position in text
    assert "Laba servisa kustība 2026" in text
    flat = " ".join(text.split())
    assert "Atzīmējiet vienu rūtiņu katrā jautājumā" in flat and "otrais jautājums nav obligāts" in flat
    assert "lūdziet jaunu biļetenu" in flat and "Balsojums ir anonīms" in flat
    assert "Numurs tikai sargā pret kopijām" in flat
    # the serial and four check characters of the ballot's tag, as a person would type them
    serial_line = next(line for line in text.splitlines() if line.startswith("Nr. "))
    typed = payload.parse_typed_serial(serial_line)
    assert kiosk.store.issued_state(typed.serial) == "issued" and len(typed.check) == 4
    p = payload.rebuild_payload(typed, key=kiosk.tag_key, campaign=kiosk.campaign.hash,
                                institution=kiosk.institution.hash, layouts=[kiosk.layout().id])
    assert p.serial == typed.serial
    # fonts are embedded, so every Latvian letter prints on any printer
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "DejaVuSans" in fonts and " yes " in fonts


@pytest.mark.parametrize("page_size, min_mm", [("a5", 30.0), ("a4", 40.0)])
def test_qr_size_and_webcam_resolution(kiosk, tmp_path, page_size, min_mm):
    spec = kiosk.layout(page_size)
    assert spec.qr.size >= min_mm
    # a 1280x720 webcam framing the page's height sees >= 3 px per module
    px_per_mm = 720 / spec.page_mm[1]
    assert spec.qr.size / 29 * px_per_mm >= 3.0
    pdf = tmp_path / f"{page_size}.pdf"
    print_ballots(kiosk, 1, out=pdf, page_size=page_size)
    (page,) = render(pdf, 150, tmp_path / page_size)
    (sym,) = qr.decode(gray(page))
    tl, tr = sym.corners[0], sym.corners[1]
    width_mm = (tr[0] - tl[0]) / 150 * 25.4
    assert abs(width_mm - spec.qr.size) < 1.5
    assert kiosk.verify_payload(sym.text).layout == spec.id


def test_both_decoders_read_the_same_images_in_every_orientation(kiosk, tmp_path):
    pdf = tmp_path / "b.pdf"
    print_ballots(kiosk, 3, out=pdf)
    for page in render(pdf, 200, tmp_path / "b"):
        base = Image.open(page).convert("L")
        for angle in (0, 90, 180, 270):
            img = np.asarray(base.rotate(angle, expand=True))
            texts = {backend: [s.text for s in qr.decode(img, backend)] for backend in qr.BACKENDS}
            assert texts["zxing"] == texts["zbar"] and len(texts["zxing"]) == 1
            corners = {backend: qr.decode(img, backend)[0].corners for backend in qr.BACKENDS}
            # both report the symbol's own top-left corner first, whatever the rotation
            for a, b in zip(corners["zxing"], corners["zbar"]):
                assert abs(a[0] - b[0]) < 6 and abs(a[1] - b[1]) < 6, (angle, corners)


def test_decode_refuses_colour_arrays():
    with pytest.raises(ValueError):
        qr.decode(np.zeros((10, 10, 3), np.uint8))
