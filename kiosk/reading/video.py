"""Video files of ballots held up to a camera, decoded headless with PyAV (FFmpeg)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

VIDEO_MAGIC = ((4, b"ftyp"), (0, b"\x1a\x45\xdf\xa3"))  # MP4/MOV, Matroska/WebM
DEFAULT_ANALYSE_FPS = 10.0


def is_video(path: str | Path) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(12)
    except OSError:
        return False
    return any(head[off:off + len(magic)] == magic for off, magic in VIDEO_MAGIC)


class VideoError(Exception):
    """A video file that cannot be decoded (to the end)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


def iter_video(path: str | Path, analyse_fps: float = DEFAULT_ANALYSE_FPS) -> Iterator[tuple[int, np.ndarray]]:
    """(frame index, grayscale frame) at about ``analyse_fps`` of video time,
    as a camera analysing that many frames a second would see them.
    A file that is not a decodable video raises VideoError('corrupt_file')."""
    import av  # FFmpeg bindings (PyAV); only needed for video files

    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise VideoError("unsupported_file", "no video stream")
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            step = 1.0 / analyse_fps if analyse_fps > 0 else 0.0
            next_t = 0.0
            for index, frame in enumerate(container.decode(stream)):
                t = float(frame.time) if frame.time is not None else index / float(stream.average_rate or 30)
                if t + 1e-6 < next_t:
                    continue
                next_t = t + step
                yield index, frame.to_ndarray(format="gray")
    except (av.FFmpegError, OSError) as exc:
        raise VideoError("corrupt_file", str(exc)) from exc
