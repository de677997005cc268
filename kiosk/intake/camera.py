"""Camera intake: frames through the tracker, each accepted ballot stored as a sheet.

The tracker (``kiosk.reading.tracker``) decides one outcome per ballot; here
the chosen frame is stored as a content-addressed PNG original and its
reading recorded like a scanned page.
"""
from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ..datadir import DataDir
from ..reading.context import ReadContext
from ..reading.tracker import Accepted, BallotTracker
from ..station import Kiosk
from ..storage.sheets import StoredSheet
from .context import read_context
from .originals import sha256_file, store_original


def store_frame(datadir: DataDir, gray: np.ndarray) -> tuple[str, Path, int]:
    """Store a frame as a PNG original, content-addressed like scanned files."""
    buf = io.BytesIO()
    Image.fromarray(gray).save(buf, format="PNG", compress_level=3)
    data = buf.getvalue()
    fd, tmp = tempfile.mkstemp(prefix=".frame-", suffix=".png", dir=datadir.tmp)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        sha = sha256_file(tmp)
        stored = store_original(datadir, tmp, sha, "png")
    finally:
        Path(tmp).unlink(missing_ok=True)
    return sha, stored, len(data)


def record_accepted(kiosk: Kiosk, accepted: Accepted, source: str, run_id: int | None,
                    source_bytes: bytes | None = None) -> StoredSheet:
    """Store the accepted frame and its reading; returns the stored sheet."""
    sha, stored, size = store_frame(kiosk.datadir, accepted.gray)
    kiosk.store.add_image(sha, str(stored), size, "image/png")
    return kiosk.store.record_sheet(accepted.reading, image_sha256=sha, page=1, source=source, run_id=run_id,
                                    source_bytes=source_bytes)


def scan_frames(kiosk: Kiosk, frames: Iterable[tuple[int, np.ndarray]], source: str, *, ctx: ReadContext | None = None,
                run_id: int | None = None,
                tracker_options: dict[str, Any] | None = None,
                source_bytes: bytes | None = None) -> Iterator[tuple[StoredSheet, int]]:
    """Feed frames through a tracker; yield (stored sheet, frame index) per ballot."""
    ctx = ctx or read_context(kiosk)
    tracker = BallotTracker.for_context(ctx, **(tracker_options or {}))
    for index, gray in frames:
        report = tracker.feed(gray, index)
        if report.accepted is not None:
            yield record_accepted(kiosk, report.accepted, source, run_id, source_bytes), report.accepted.frame
    last = tracker.finish()
    if last is not None:
        yield record_accepted(kiosk, last, source, run_id, source_bytes), last.frame
