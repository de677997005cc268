"""The central office window's background work: plain functions ``fn(ctx)`` for the one runner.

Each opens its own ``CentralOffice`` (SQLite connections are per thread), does one
thing and returns a ``Snapshot`` of everything the window shows, so the window
never reads the database itself.  Files read once stay in the shared ``cache``
(jobs run one at a time: the window's runner has one thread).  Nothing here
touches a widget; images come back as ``QImage`` (not a widget), already scaled.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from kiosk.ballot.campaign import Campaign
from kiosk.central.office import (
    CentralOffice,
    Count,
    ImportOutcome,
    Overview,
    freeze_survivors,
)
from kiosk.central.tally import SerialCopy
from kiosk.central.verify import BatchCheck
from kiosk.storage.central import OnlineImport, Publication
from ui.worker import WorkContext

IMAGE_HEIGHT = 900  # pixels: a copy's image as sent to the window (it scales to fit)


@dataclass(frozen=True)
class Snapshot:
    """Everything the window shows, as it stands after one job."""

    configured: bool
    campaign: Campaign | None
    has_master_key: bool
    revocations: str
    overview: Overview | None
    count: Count | None
    online: OnlineImport | None
    publication: Publication | None
    operator: str
    root: str


@dataclass(frozen=True)
class Done:
    """A job's result: the snapshot and what the job itself has to say."""

    snapshot: Snapshot
    imported: ImportOutcome | None = None
    note: Any = None


class Phase:
    """What a job is doing now, emitted before its progress (``ctx.emit``)."""

    RECEIVE = "receive"
    VERIFY = "verify"
    COUNT = "count"
    PUBLISH = "publish"


def _progress(ctx: WorkContext, phase: str) -> Callable[[int, int], None]:
    ctx.emit((phase,))
    ctx.flush()

    def report(done: int, total: int) -> None:
        ctx.progress(done, total)

    return report


def settled(done: Done) -> Done:
    """What a job returns, once what it made that lives on (the cached batches, the
    snapshot) is out of the cyclic collector's way: ``office.freeze_survivors``."""
    freeze_survivors()
    return done


def snapshot(ctx: WorkContext, office: CentralOffice, lang: str, counted: Count | None = None) -> Snapshot:
    """Verify what waits, work out the chains and count: the window's whole state.
    ``counted``: a count the job made of the files and decisions as they stand (not made again)."""
    overview = count = None
    if office.configured:
        office.verify_pending(_progress(ctx, Phase.VERIFY), ctx.cancelled)
        overview = office.overview()
        if counted is not None:
            count = counted
        elif overview.files and not ctx.cancelled():  # stopped: what was received shows, uncounted
            count = office.count(lang, _progress(ctx, Phase.COUNT), ctx.cancelled)
    return Snapshot(
        configured=office.configured,
        campaign=office.campaign if office.configured else None,
        has_master_key=office.has_master_key,
        revocations=office.revocations_text,
        overview=overview,
        count=count,
        online=office.online_import(),
        publication=office.published,
        operator=office.operator,
        root=str(office.dir.root),
    )


class Jobs:
    """The window's jobs over one data directory; each returns a ``Done``."""

    def __init__(self, root: Path, lang: Callable[[], str], operator: str | None = None) -> None:
        self.root = root
        self.lang = lang
        self.operator = operator
        self.cache: dict[str, BatchCheck] = {}

    def _open(self) -> CentralOffice:
        freeze_survivors()  # what lives now (the window, the campaign, earlier results): see ``settled``
        return CentralOffice.open(self.root, self.operator, self.cache)

    def refresh(self) -> Callable[[WorkContext], Done]:
        lang = self.lang()

        def refresh(ctx: WorkContext) -> Done:
            with self._open() as office:
                return settled(Done(snapshot(ctx, office, lang)))

        return refresh

    def configure(self, **kw: Any) -> Callable[[WorkContext], Done]:
        lang = self.lang()

        def configure(ctx: WorkContext) -> Done:
            with self._open() as office:
                office.configure(**kw)
                return settled(Done(snapshot(ctx, office, lang)))

        return configure

    def import_paths(self, paths: list[Path]) -> Callable[[WorkContext], Done]:
        lang = self.lang()

        def import_paths(ctx: WorkContext) -> Done:
            with self._open() as office:
                # the new files are verified by the snapshot, with their own progress
                outcome = office.import_paths(paths, _progress(ctx, Phase.RECEIVE), ctx.cancelled, verify=False)
                snap = snapshot(ctx, office, lang)
                now = {f.sha256: f for f in office.files()}  # the new files as verified since
                outcome = replace(outcome, new=tuple(now.get(f.sha256, f) for f in outcome.new))
                return settled(Done(snap, imported=outcome))

        return import_paths

    def decide(self, count: Count, serial: str, copy: SerialCopy | None, note: str,
               withdraw: bool = False) -> Callable[[WorkContext], Done]:
        lang = self.lang()

        def decide(ctx: WorkContext) -> Done:
            with self._open() as office:
                if withdraw:
                    office.withdraw(serial, note)
                else:
                    office.decide(count, serial, copy, note)
                return settled(Done(snapshot(ctx, office, lang), note=serial))

        return decide

    def import_online(self, path: Path) -> Callable[[WorkContext], Done]:
        lang = self.lang()

        def import_online(ctx: WorkContext) -> Done:
            with self._open() as office:
                imported = office.import_online(path)
                return settled(Done(snapshot(ctx, office, lang), note=imported))

        return import_online

    def publish(self) -> Callable[[WorkContext], Done]:
        lang = self.lang()

        def publish(ctx: WorkContext) -> Done:
            with self._open() as office:
                count = office.count(lang, _progress(ctx, Phase.COUNT), ctx.cancelled)
                ctx.emit((Phase.PUBLISH,))
                pub = office.publish(count, lang)  # nothing it counted changes by publishing
                return settled(Done(snapshot(ctx, office, lang, counted=count), note=pub))

        return publish

    def images(self, count: Count, serial: str, copies: tuple[SerialCopy, ...]) -> Callable[[WorkContext], tuple]:
        def images(ctx: WorkContext) -> tuple[str, list[QImage | None]]:
            out: list[QImage | None] = []
            with self._open() as office:
                for copy in copies:
                    ctx.check()
                    found = office.copy_image(count, copy, serial)
                    image = QImage.fromData(found[0]) if found else None
                    if image is not None and image.isNull():
                        image = None
                    if image is not None and image.height() > IMAGE_HEIGHT:
                        image = image.scaledToHeight(IMAGE_HEIGHT, Qt.TransformationMode.SmoothTransformation)
                    out.append(image)
            return serial, out

        return images
