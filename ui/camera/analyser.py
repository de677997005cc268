"""The camera analyser: a streaming job of the application's runner (``ui.worker``).

``FrameAnalyser`` is the job's function.  It runs on the runner's stream
thread with its own ``Kiosk`` (``ctx.kiosk``: SQLite connections are per
thread), checks the session may scan (the core's role check), and keeps a
``BallotTracker`` and a scan run.  It takes the frames the panel feeds
(``ctx.inputs()``: the newest waiting frame only), converts each to
grayscale, feeds the tracker, stores an accepted ballot
(``kiosk.intake.camera.record_accepted``) and emits, in order, the stored
ballot's ``SheetResult`` and the frame's ``FrameInfo`` (None for a frame
without a picture).  The stream is paced: a frame's results reach the
screen before the next frame is taken, so the analyser never runs ahead of
the event loop.  It never touches a widget.

The end of the input (the source stopped) decides a ballot still in view
with what was seen, as at the end of a video; cancellation (sign-out,
window close, a failure) drops it unstored: it is read when shown again.
"""
from __future__ import annotations

import dataclasses
import logging
import time
from collections import Counter
from typing import Any

from kiosk.access.roles import Action, Session
from kiosk.session import SignedIn, count_result

from ..worker import WorkContext
from .frames import FrameInfo, frame_to_gray, scaled_preview, to_image

log = logging.getLogger(__name__)


class FrameAnalyser:
    """``Runner.stream(FrameAnalyser(...))``: fed ``(frame, index, preview size)``,
    emits SheetResults and FrameInfos; returns the number of ballots stored."""

    def __init__(self, session: Session | None, source: str, *,
                 tracker_options: dict[str, Any] | None = None) -> None:
        self.session = session
        self.source = source
        self.tracker_options = dict(tracker_options or {})

    def __call__(self, ctx: WorkContext) -> int:  # the worker thread
        from kiosk.intake.context import read_context
        from kiosk.intake.results import Reporter
        from kiosk.reading.tracker import BallotTracker

        kiosk = ctx.kiosk
        scanner = SignedIn(kiosk, self.session)
        scanner.require(Action.SCAN)
        tracker = BallotTracker.for_context(read_context(kiosk), **self.tracker_options)
        reporter = Reporter(kiosk)
        run_id = kiosk.store.start_run(kiosk.kiosk_id)
        stored = 0
        counts: Counter = Counter()  # the run's outcomes, for its audit event

        def record(accepted) -> None:
            nonlocal stored
            from kiosk.intake.camera import record_accepted

            scanner.require(Action.SCAN)
            row = record_accepted(kiosk, accepted, self.source, run_id)
            result = reporter.result(self.source, row)
            count_result(counts, result)
            # as `kiosk scan VIDEO` reports it: the stored frame's number
            ctx.emit(dataclasses.replace(result, page=accepted.frame + 1))
            stored += 1

        try:
            self._analyse(ctx, tracker, record)
        finally:  # the run's counts go to the audit log, however it ended
            try:
                scanner.record_scan_run("camera", "done", counts)
            except Exception:  # noqa: BLE001 - the run's own outcome (or error) is what the panel shows
                log.exception("could not write the camera run's audit event")
        return stored

    @staticmethod
    def _analyse(ctx: WorkContext, tracker, record) -> None:
        for frame, index, preview_size in ctx.inputs():
            t0 = time.perf_counter()
            image = to_image(frame)
            if image.isNull():
                ctx.emit(None)
                continue
            report = tracker.feed(frame_to_gray(image), index)
            if report.accepted is not None:
                record(report.accepted)
            preview = scaled_preview(image, preview_size)
            ctx.emit(FrameInfo(index, report.state, report.serial, report.status, report.reason, report.outline,
                               (image.width(), image.height()), preview, (time.perf_counter() - t0) * 1000,
                               time.monotonic()))
        if not ctx.cancelled():
            last = tracker.finish()
            if last is not None:
                record(last)
