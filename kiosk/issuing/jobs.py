"""Print jobs: issue serials, draw the ballots, hand them to a printer or a file, and tell the truth.

The life of a job on a printer::

    printer state ── stopped, rejecting, missing ──> refused: no serial issued
        │ ready
    serials issued (one transaction with the job)
        │
    PDF drawn (data dir's spool/) ── cancelled, failed ──> voided
        │
    submitted to the spooler (spool file deleted at once)
        │
    followed until the spooler reports the job completed ──> printed
        └─ canceled, aborted, printer stopped or rejecting, queue deleted,
           the user cancels, the timeout ──> job cancelled and purged in the
           spooler, serials voided, the printer's own reason told

A spooler that cannot follow jobs (``Spooler.follows_jobs`` false: Qt's
printing on Windows) counts a job printed once the system's spooler took it.
When the process dies midway (``kill -9``, a power cut) the next open of the
data directory voids what never reached a spooler; what did is settled from
the spooler's own record (``settle_interrupted``: completed -> printed,
anything else -> cancelled and voided).

Secrecy: a job keeps its count, state and day only; the serials are listed
beside it only while it is in flight; the spooler gets a neutral title and is
told to forget the job (documents and history) as soon as it ended.
"""
from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import faults
from ..ballot import payload
from ..ballot.pdf import PrintCancelled, write_pdf
from ..ballot.spec import LayoutSpec
from ..errors import KioskError
from ..station import Kiosk
from ..storage.store import local_day
from .cups_backend import CupsSpooler
from .printer import Sheet, Spooler, Ticket, plan_sheet

log = logging.getLogger("kiosk.print")

MAX_PRINT = 10_000
DEFAULT_TIMEOUT_S = 180.0   # how long a printer may take to finish a job
POLL_S = 0.1                # how often a job in flight is looked at
JOB_TITLE = "urn-kiosk"     # what the spooler (and the printer's panel) shows
KEEPS_FILES_SETTING = "spooler_keeps_files"  # "yes"/"no": what the last job's spooler said

Phase = Callable[[str], None]  # "drawing", "sending", "waiting"


@dataclass
class PrintResult:
    job_id: int
    count: int
    layout_id: int
    target: str              # file path, or "printer:NAME"
    serials: list[bytes]
    sheets: int = 0          # sheets of paper (ballots / per_sheet)
    paper: str = ""          # "a5" / "a4"
    per_sheet: int = 1


def print_ballots(
    kiosk: Kiosk,
    count: int,
    *,
    out: str | Path | None = None,
    printer: str | None = None,
    page_size: str | None = None,
    spooler: Spooler | None = None,
    paper: str = "",
    tray: str = "",
    timeout: float = DEFAULT_TIMEOUT_S,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    phase: Phase | None = None,
    clock: Callable[[], float] = time.monotonic,
    wait: Callable[[float], None] = time.sleep,
) -> PrintResult:
    """Issue ``count`` ballots into a PDF file (``out``) or onto a printer.

    On a printer (``printer`` through ``spooler``, CUPS by default) the job is
    followed until the printer finished it, for at most ``timeout`` seconds;
    ``paper`` ("a4"/"a5", "" = the ballot's size) and ``tray`` are what the
    print dialog chose.  A printer that cannot print is refused before any
    serial is issued; a job that does not come out whole voids its serials and
    raises ``print.failed`` (or ``print.cancelled``) saying why and how many.
    """
    if not 1 <= count <= MAX_PRINT:
        raise KioskError("print.count", max=MAX_PRINT)
    if (out is None) == (printer is None):
        raise KioskError("usage", detail="give either an output file or a printer")
    if timeout <= 0:
        raise KioskError("usage", detail="the timeout must be a positive number of seconds")
    spec = kiosk.layout(page_size)
    kiosk.store.register_layouts([spec])
    cancelled = cancelled or (lambda: False)
    phase = phase or (lambda _name: None)
    if printer:
        spooler = spooler or default_spooler()
        status = spooler.status(printer)
        refusal = status.refusal()
        if refusal is not None:
            raise refusal
        sheet = plan_sheet(spec.page, status.media, paper)
        ticket = Ticket(JOB_TITLE, sheet.media, tray if tray and tray in status.trays else None)
    else:
        sheet = Sheet(spec.page, spec.page, 1)
    job_id, serials = _issue(kiosk, spec, count)
    faults.point("print.issued")
    made = [payload.make_payload(kiosk.tag_key, kiosk.campaign.hash, kiosk.institution.hash, spec.id, s) for s in serials]
    ballots = [(p.text(), payload.printed_serial(p, spec.serial_text.check)) for p in made]
    target = f"printer:{printer}" if printer else str(Path(out).resolve())
    ref = None
    try:
        phase("drawing")
        if printer:
            ref = _send_and_follow(kiosk, spooler, printer, spec, sheet, ticket, job_id, ballots, timeout, progress,
                                   cancelled, phase, clock, wait)
        else:
            write_pdf(spec, ballots, out, _drawing(progress), cancelled)
            faults.point("print.drawn")
    except PrintCancelled:
        voided = _void(kiosk, job_id, serials, "cancelled")
        raise KioskError("print.cancelled", voided=voided) from None
    except _Failed as failed:
        voided = _void(kiosk, job_id, serials, failed.error.code)
        if failed.error.code == "print.cancelled":
            raise KioskError("print.cancelled", voided=voided) from None
        raise KioskError("print.failed", detail=failed.error, voided=voided) from None
    except KioskError as exc:
        voided = _void(kiosk, job_id, serials, exc.code)
        raise KioskError("print.failed", detail=exc, voided=voided) from exc
    except BaseException as exc:
        _void(kiosk, job_id, serials, f"bug: {type(exc).__name__}")
        raise
    kiosk.store.finish_job(job_id)
    if ref is not None:
        try:
            _forget(kiosk, spooler, ref)
        except KioskError as exc:  # printed all the same; the next start tries again
            log.warning("the spooler did not forget job %s: %s", ref, exc)
        else:
            kiosk.store.forget_job(job_id)
    _scrub(kiosk)
    return PrintResult(job_id, count, spec.id, target, serials, sheet.sheets(count), sheet.paper, sheet.per_sheet)


def default_spooler() -> Spooler:
    """CUPS (raises print.no_spooler where pycups is missing: the Qt UI brings its own)."""
    return CupsSpooler()


def _void(kiosk: Kiosk, job_id: int, serials: list[bytes], detail: str) -> int:
    voided = kiosk.store.void_job(job_id, serials, detail)
    _scrub(kiosk)
    return voided


def _scrub(kiosk: Kiosk) -> None:
    """The job is settled: the database's write-ahead log no longer needs what it wrote
    meanwhile (``Store.forget_history``; never waits for another connection)."""
    try:
        kiosk.store.forget_history()
    except KioskError as exc:  # a full disk: the job is settled all the same
        log.warning("could not empty the database log: %s", exc)


class _Failed(Exception):
    """The job did not come out: it was cancelled in the spooler (the error says why)."""

    def __init__(self, error: KioskError) -> None:
        super().__init__(error.code)
        self.error = error


def _issue(kiosk: Kiosk, spec: LayoutSpec, count: int) -> tuple[int, list[bytes]]:
    job = {
        "kiosk_id": kiosk.kiosk_id,
        "campaign_id": kiosk.campaign.id,
        "institution_id": kiosk.institution.id,
        "layout_id": spec.id,
    }
    for _attempt in range(5):
        # in the order drawn (a set's order would change from run to run with Python's hash seed)
        serials = list(dict.fromkeys(payload.new_serial() for _ in range(count)))
        if len(serials) != count:
            continue
        try:
            return kiosk.store.record_issue(job, serials), serials
        except sqlite3.IntegrityError:
            continue  # a 64-bit collision with an earlier serial: draw again
    raise RuntimeError("could not draw unique serials")  # pragma: no cover - astronomically unlikely


def _drawing(progress: Callable[[int, int], None] | None) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        if progress is not None:
            progress(done, total)
        faults.point("print.drawing")
    return report


def _send_and_follow(kiosk: Kiosk, spooler: Spooler, printer: str, spec: LayoutSpec, sheet: Sheet, ticket: Ticket,
                     job_id: int, ballots: list[tuple[str, str]], timeout: float, progress, cancelled, phase: Phase,
                     clock: Callable[[], float], wait: Callable[[float], None]) -> str:
    """Draw, send and follow one job; returns the spooler's job reference once it completed."""
    pdf = kiosk.datadir.spool_file(job_id)
    pdf.parent.mkdir(mode=0o700, exist_ok=True)
    try:
        write_pdf(spec, ballots, pdf, _drawing(progress), cancelled, per_sheet=sheet.per_sheet)
        faults.point("print.drawn")
        if cancelled():
            raise PrintCancelled()
        phase("sending")

        def created(ref: str) -> None:  # recorded before the document goes: a crash leaves a known job
            kiosk.store.set_job_spool(job_id, f"{spooler.kind}:{ref}")
            faults.point("print.created")

        ref = spooler.submit(pdf, printer, ticket, created)
    finally:
        pdf.unlink(missing_ok=True)  # the spooler has its copy; ours goes at once
    faults.point("print.submitted")
    if spooler.follows_jobs:
        phase("waiting")
        _follow(spooler, printer, ref, timeout, cancelled, clock, wait)
    faults.point("print.completed")
    return ref


def _follow(spooler: Spooler, printer: str, ref: str, timeout: float, cancelled: Callable[[], bool],
            clock: Callable[[], float], wait: Callable[[float], None]) -> None:
    """Return when the spooler reports the job completed; otherwise cancel it there and raise _Failed."""
    deadline = clock() + timeout
    while True:
        error = None
        job = spooler.job(ref)
        if job.state == "completed":
            return
        status = spooler.status(printer)
        if status.state == "missing":  # deleting a queue cancels its jobs: say what happened
            error = KioskError("print.queue_gone", printer=printer)
        elif job.state == "canceled":
            error = KioskError("print.job_cancelled", printer=printer, reason=job.reason)
        elif job.state == "aborted":
            error = KioskError("print.job_aborted", printer=printer, reason=job.reason)
        elif job.state == "gone":
            error = KioskError("print.job_gone", printer=printer)
        elif status.refusal() is not None:
            error = status.refusal()
        elif job.state == "stopped":
            error = KioskError("print.printer_stopped", printer=printer, reason=job.reason or status.reason)
        elif cancelled():
            error = KioskError("print.cancelled", voided=0)
        elif clock() >= deadline:
            reason = job.reason or status.reason
            error = KioskError("print.timeout_reason" if reason else "print.timeout", printer=printer,
                               seconds=f"{timeout:g}", state=KioskError(f"print.state_{job.state}"), reason=reason)
        if error is not None:
            spooler.cancel(ref)
            raise _Failed(error)
        faults.point("print.following")
        wait(POLL_S)


def _forget(kiosk: Kiosk, spooler: Spooler, ref: str) -> None:
    """Have the spooler drop an ended job; remember whether it would have kept its document."""
    kept = spooler.forget(ref)
    if kept is not None:
        value = "yes" if kept else "no"
        if kiosk.store.get_setting(KEEPS_FILES_SETTING) != value:
            kiosk.store.set_settings({KEEPS_FILES_SETTING: value})


def spooler_keeps_files(kiosk: Kiosk) -> bool | None:
    """Whether the spooler kept the document of the last job it finished (None: not known yet)."""
    value = kiosk.store.get_setting(KEEPS_FILES_SETTING)
    return None if value is None else value == "yes"


@dataclass
class Settled:
    printed: int = 0      # jobs the spooler completed
    voided_jobs: int = 0  # jobs it did not: cancelled and voided
    voided: int = 0       # their serials
    waiting: int = 0      # jobs of another kind of spooler, or one that cannot be reached


def settle_interrupted(kiosk: Kiosk, spooler: Spooler | None = None) -> Settled:
    """Settle the jobs a dead process left in a spooler, from the spooler's own record.

    Completed -> printed; anything else (still queued, cancelled, aborted,
    unknown) -> cancelled there and voided here.  Either way the spooler is told
    to forget the job.  A spooler that cannot be reached leaves them for later.
    """
    done = Settled()
    jobs = kiosk.store.unsettled_jobs()
    if not jobs:
        return done
    try:
        spooler = spooler or default_spooler()
    except KioskError:
        done.waiting = len(jobs)
        return done
    for job in jobs:
        kind, _, ref = job["spool"].partition(":")
        if kind != spooler.kind:
            done.waiting += 1
            continue
        try:
            status = spooler.job(ref)
            if job["state"] == "printed":
                pass
            elif status.state == "completed":
                kiosk.store.finish_job(job["id"])
                done.printed += 1
            else:
                spooler.cancel(ref)
                done.voided += kiosk.store.void_job(job["id"], None, "interrupted")
                done.voided_jobs += 1
            _forget(kiosk, spooler, ref)
        except KioskError:
            done.waiting += 1
            continue
        kiosk.store.forget_job(job["id"])
    _scrub(kiosk)
    return done


def printed_today(kiosk: Kiosk, now: float | None = None) -> int:
    """Ballots printed (and not voided) today, local time."""
    return kiosk.store.printed_on(local_day(now))
