"""What the camera panel counts: frames through it and outcomes per source run."""
from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

RATE_WINDOW_S = 2.0  # frames/s shown over this window
STATUSES = ("counted", "review", "rejected", "duplicate")


@dataclass
class CameraStats:
    """Frames through the panel since the source started (the benchmark reads these)."""

    received: int = 0
    analysed: int = 0
    dropped: int = 0
    analyse_ms: deque = field(default_factory=lambda: deque(maxlen=5000))  # the latest frames' costs
    max_ms: float = 0.0
    started: float = 0.0
    stopped: float = 0.0

    def rate(self) -> float:
        end = self.stopped or time.monotonic()
        return self.analysed / max(1e-6, end - self.started)

    def add(self, analyse_ms: float) -> None:
        self.analysed += 1
        self.analyse_ms.append(analyse_ms)
        self.max_ms = max(self.max_ms, analyse_ms)


class RateMeter:
    """Frames analysed a second over the last RATE_WINDOW_S (the rate line)."""

    def __init__(self, window_s: float = RATE_WINDOW_S) -> None:
        self.window_s = window_s
        self.times: deque[float] = deque()

    def clear(self) -> None:
        self.times.clear()

    def add(self, at: float) -> None:
        self.times.append(at)
        while self.times and at - self.times[0] > self.window_s:
            self.times.popleft()

    def rate(self) -> float:
        if len(self.times) < 2:
            return float(len(self.times))
        span = self.times[-1] - self.times[0]
        return (len(self.times) - 1) / span if span > 0 else 0.0


def new_counts() -> dict[str, int]:
    """Outcomes of one source run, by status."""
    return dict.fromkeys(STATUSES, 0)
