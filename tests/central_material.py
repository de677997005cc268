"""Batches for the central office's tests: real kiosks, real keys, real files.

``inbox(tmp, kiosk, other_kiosk)`` fills a folder as a USB stick would arrive at the
central office: genuine batches of two institutions (the second kiosk of the first
institution read one ballot differently: a conflicting serial, each copy with its
own image), and a tampered copy of a genuine batch.
"""
from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw
from test_export import add_image, add_sheet

from kiosk.assets import demo_campaign_path
from kiosk.ballot import payload
from kiosk.batches.export import export_batch
from kiosk.station import Kiosk


@dataclass
class Inbox:
    folder: Path
    genuine: list[Path]
    tampered: Path
    conflict_serial: str
    second: Kiosk  # the first institution's second kiosk (closed by the caller)
    votes: dict[tuple[str, str], int]  # (institution, specialist) -> votes of the ballots that are not in conflict


def ballot_png(text: str, marked: str, seed: int) -> bytes:
    """A small real image standing for a scanned ballot: its serial and the box marked."""
    img = Image.new("L", (300, 420), 245)
    d = ImageDraw.Draw(img)
    d.rectangle([10, 10, 289, 409], outline=40, width=3)
    d.text((24, 24), text, fill=20)
    rnd = random.Random(seed)
    for row in range(4):
        y = 90 + row * 70
        d.rectangle([30, y, 70, y + 40], outline=30, width=2)
        d.text((90, y + 14), f"{row + 1}.", fill=30)
        if row == int(marked):
            d.line([(34, y + 4), (66, y + 36)], fill=10, width=4)
            d.line([(66, y + 4), (34, y + 36)], fill=10, width=4)
    for _ in range(300):  # scanner noise
        d.point((rnd.randrange(300), rnd.randrange(420)), fill=rnd.randrange(150, 255))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def counted(kiosk, specialist: str, rating: str | None, votes: dict, serial: bytes | None = None, image=None):
    votes[(kiosk.institution.id, specialist)] = votes.get((kiosk.institution.id, specialist), 0) + 1
    return add_sheet(kiosk, "counted", {"specialist": [specialist], "rating": [rating] if rating else []},
                     serial=serial, image=image)


def inbox(tmp: Path, kiosk, other_kiosk) -> Inbox:
    folder = tmp / "usb"
    votes: dict[tuple[str, str], int] = {}
    genuine: list[Path] = []
    a = [s.id for s in kiosk.institution.specialists]
    b = [s.id for s in other_kiosk.institution.specialists]
    second = Kiosk.enroll(kiosk.institution.id, root=tmp / "second-data", campaign_path=demo_campaign_path())
    # kiosk A: two batches
    for sid, rating in ((a[0], "5"), (a[0], "4"), (a[1], None)):
        counted(kiosk, sid, rating, votes)
    genuine.append(export_batch(kiosk, folder / "A", images=True).path)
    # the conflicting ballot: A reads specialist 1, the second kiosk reads specialist 2
    serial = payload.new_serial()
    text = payload.serial_text(serial)
    add_sheet(kiosk, "counted", {"specialist": [a[0]], "rating": []}, serial=serial,
              image=add_image(kiosk, ballot_png(text, "0", 1)))
    for sid, rating in ((a[2], "2"), (a[1], "5")):
        counted(kiosk, sid, rating, votes)
    genuine.append(export_batch(kiosk, folder / "A", images=True).path)
    # the second kiosk of the first institution: one batch with the other reading
    add_sheet(second, "counted", {"specialist": [a[1]], "rating": []}, serial=serial,
              image=add_image(second, ballot_png(text, "1", 2)))
    counted(second, a[3], "3", votes)
    genuine.append(export_batch(second, folder / "A2", images=True).path)
    # kiosk B: one batch
    for sid, rating in ((b[0], "4"), (b[1], "1")):
        counted(other_kiosk, sid, rating, votes)
    genuine.append(export_batch(other_kiosk, folder / "B", images=True).path)
    # a tampered copy of A's first batch: one byte of its records changed
    blob = bytearray(genuine[0].read_bytes())
    at = blob.index(b'"status":"counted"') + len(b'"status":"c')
    blob[at] ^= 0x01
    tampered = folder / "tampered" / genuine[0].name
    tampered.parent.mkdir(parents=True)
    tampered.write_bytes(bytes(blob))
    return Inbox(folder, genuine, tampered, text, second, votes)
