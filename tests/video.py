"""Videos of ballots held up to a webcam, for camera-intake tests and benchmarks.

Each ballot is printed with the real printing code, marked by hand-like
strokes and photographed by the corpus's webcam model (``corpus.photograph``);
the video then shows the desk, the ballot sliding in (motion-blurred), held
still for about a second with a little hand shake, sliding out, and the desk
again.  Encoded with PyAV: MP4 (H.264) or WebM (VP8).
"""
from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import corpus as C
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from kiosk.ballot import payload
from kiosk.ballot.spec import LayoutSpec
from kiosk.issuing.jobs import print_ballots
from kiosk.reading.imaging import render_pdf_page


@dataclass
class Shown:
    """One ballot in a video and what the reader should say of it."""

    serial: str
    cls: str  # corpus class: clear, overvote, blank_ballot, foreign, ...
    expected: dict[str, list[str]] = field(default_factory=dict)  # question label -> option labels
    first_frame: int = 0  # first frame where it is held still
    still_frames: int = 0


def _frames_for_ballot(page: Image.Image, spec: LayoutSpec, frame: tuple[int, int], rng: random.Random,
                       nprng: np.random.Generator, *, hold: int, move: int, quarter: int) -> tuple[Image.Image, list[Image.Image]]:
    """(held frame, frame sequence) for one ballot."""
    p = C.random_cam_params(rng)
    p = dataclasses.replace(p, frame=frame, quarter=quarter, fill=rng.uniform(0.8, 0.9), offset=(rng.uniform(-0.3, 0.3), rng.uniform(-0.3, 0.3)))
    held, corners = C.photograph(page, spec.page_mm, p, rng, nprng)
    desk = C._desk(p, nprng)
    light = C._light_field(p, rng)[..., None] * np.asarray(p.cast, dtype=np.float32)[None, None, :]
    desk = Image.fromarray(np.clip(np.asarray(desk, dtype=np.float32) * light + 0.5, 0, 255).astype(np.uint8))
    mask = Image.new("L", frame, 0)
    ImageDraw.Draw(mask).polygon([tuple(c) for c in corners], fill=255)
    fw = frame[0]
    seq: list[Image.Image] = [desk] * 2
    for i in range(move):  # slide in from the left, blurred by motion
        dx = int(-fw * (1 - (i + 1) / (move + 1)))
        seq.append(_shifted(held, mask, desk, dx, 0, blur=3.0))
    for _ in range(hold):  # held still, a little shake
        dx, dy = int(nprng.integers(-2, 3)), int(nprng.integers(-2, 3))
        seq.append(_shifted(held, mask, desk, dx, dy, blur=0.0))
    for i in range(move):  # slide out to the right
        dx = int(fw * (i + 1) / (move + 1))
        seq.append(_shifted(held, mask, desk, dx, 0, blur=3.0))
    seq += [desk] * 2
    return held, seq


def _shifted(held: Image.Image, mask: Image.Image, desk: Image.Image, dx: int, dy: int, blur: float) -> Image.Image:
    if dx == 0 and dy == 0:
        return held
    page = Image.new("RGB", held.size)
    page.paste(held, (dx, dy))
    m = Image.new("L", held.size, 0)
    m.paste(mask, (dx, dy))
    out = Image.composite(page, desk, m)
    return out.filter(ImageFilter.BoxBlur(blur)) if blur else out


def make_video(kiosk, path: Path, plan: list[str], *, seed: int = 7, frame: tuple[int, int] = (1280, 720), fps: int = 15,
               hold_s: float = 1.0, move: int = 5, foreign_kiosk=None, codec: str | None = None) -> list[Shown]:
    """Write a video of ballots of the given corpus classes; returns what it shows, in order."""
    path = Path(path)
    work = path.parent / f".{path.stem}-print"
    work.mkdir(parents=True, exist_ok=True)
    stocks: dict[bool, tuple[Any, list[bytes], dict[str, Any]]] = {}
    for foreign, k in ((False, kiosk), (True, foreign_kiosk)):
        n = sum(1 for c in plan if (c == C.FOREIGN) == foreign)
        if n:
            pdf = work / f"printed-{int(foreign)}.pdf"
            res = print_ballots(k, n, out=pdf, page_size="a5")
            stocks[foreign] = (pdf, list(res.serials), k.layout("a5"))
    taken = {False: 0, True: 0}
    codec = codec or ("libvpx" if path.suffix == ".webm" else "libx264")
    shown: list[Shown] = []
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=fps)
        stream.width, stream.height = frame
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "20", "preset": "veryfast"} if codec == "libx264" else {"crf": "10", "b:v": "4M", "deadline": "realtime", "cpu-used": "8"}
        n = 0
        for k, cls in enumerate(plan):
            srng, snp = C._sheet_rngs(seed, f"video:{k}")
            foreign = cls == C.FOREIGN
            pdf, serials, spec = stocks[foreign]
            index = taken[foreign]
            taken[foreign] += 1
            serial = payload.serial_text(serials[index])
            dpi = 2 * frame[1] / (spec.page_mm[1] / 25.4) * 0.95
            page = render_pdf_page(pdf, index, dpi=dpi).convert("RGB")  # PDFium serialised: UI threads may render too
            marks = C.plan_marks(spec, C.CLEAR if foreign else cls, srng)
            C.mark_page(page, spec, marks, srng, snp)
            votes = C.votes_of(spec, marks)
            quarter = 90 if frame[0] > frame[1] else 0  # A5 portrait fills a landscape frame best turned
            hold = max(1, int(round(hold_s * fps)))
            _, seq = _frames_for_ballot(page, spec, frame, srng, snp, hold=hold, move=move, quarter=quarter)
            shown.append(Shown(serial, cls, C.labels_of(spec, votes), n + 2 + move, hold))
            for img in seq:
                for packet in stream.encode(av.VideoFrame.from_image(img)):
                    out.mux(packet)
                n += 1
        for packet in stream.encode():
            out.mux(packet)
    return shown
