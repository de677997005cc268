"""Video files of ballots held up to a camera, decoded headless with PyAV (FFmpeg).

``VideoFrames`` decodes packet by packet: a damaged stretch (a packet the
decoder refuses) is skipped and counted, and the frames after it are still
read, so the ballots shown after the damage are not lost.  At most
``max_frames`` frames are decoded (``Limits.max_video_frames``); the rest of a
longer video is left unread and said so.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from .imaging import MAX_VIDEO_FRAMES

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
    """A video file that cannot be decoded at all."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class VideoFrames:
    """(frame index, grayscale frame) at about ``analyse_fps`` of video time, as a
    camera analysing that many frames a second would see them.

    Opening a file that is not a decodable video raises VideoError; after the
    iteration, ``damaged`` counts the stretches skipped (``damaged_at``: the
    frame index where the first one was), ``truncated`` says the frame cap
    stopped the reading and ``broken`` names a failure that ended it early."""

    def __init__(self, path: str | Path, analyse_fps: float = DEFAULT_ANALYSE_FPS,
                 max_frames: int = MAX_VIDEO_FRAMES) -> None:
        self.path = path
        self.analyse_fps = analyse_fps
        self.max_frames = max_frames
        self.damaged = 0
        self.damaged_at: int | None = None
        self.truncated = False
        self.broken: str | None = None
        self.decoded = 0

    def __iter__(self) -> Iterator[tuple[int, np.ndarray]]:
        import av  # FFmpeg bindings (PyAV); only needed for video files

        try:
            container = av.open(str(self.path))
        except (av.FFmpegError, OSError, ValueError) as exc:
            raise VideoError("corrupt_file", str(exc)) from exc
        with container:
            if not container.streams.video:
                raise VideoError("unsupported_file", "no video stream")
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            rate = float(stream.average_rate or 30)
            step = 1.0 / self.analyse_fps if self.analyse_fps > 0 else 0.0
            next_t = 0.0
            packets = container.demux(stream)
            while True:
                try:
                    packet = next(packets)
                except StopIteration:
                    return
                except (av.FFmpegError, OSError, ValueError) as exc:  # the container itself breaks off here
                    self.broken = str(exc) or type(exc).__name__
                    self._damage()
                    return
                try:
                    frames = packet.decode()
                except (av.FFmpegError, ValueError):  # a damaged stretch: skip it, read on
                    self._damage()
                    continue
                for frame in frames:
                    index = self.decoded
                    if index >= self.max_frames:
                        self.truncated = True
                        return
                    self.decoded += 1
                    t = float(frame.time) if frame.time is not None else index / rate
                    if t + 1e-6 < next_t:
                        continue
                    next_t = t + step
                    yield index, frame.to_ndarray(format="gray")

    def _damage(self) -> None:
        self.damaged += 1
        if self.damaged_at is None:
            self.damaged_at = self.decoded


def iter_video(path: str | Path, analyse_fps: float = DEFAULT_ANALYSE_FPS,
               max_frames: int = MAX_VIDEO_FRAMES) -> Iterator[tuple[int, np.ndarray]]:
    """The frames of ``VideoFrames`` (damage skipped, at most ``max_frames``)."""
    return iter(VideoFrames(path, analyse_fps, max_frames))
