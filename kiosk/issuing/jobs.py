"""Print jobs: issue serials, draw the ballots, hand them to a printer or a file.

Every serial and its job are recorded in one transaction before any ballot
exists on paper; a failed or cancelled job voids them all.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..ballot import payload
from ..ballot.pdf import PrintCancelled, write_pdf
from ..errors import KioskError
from ..station import Kiosk
from .printer import send_to_printer

MAX_PRINT = 10_000


@dataclass
class PrintResult:
    job_id: int
    count: int
    layout_id: int
    target: str  # file path, or "printer:NAME"
    serials: list[bytes]


def print_ballots(
    kiosk: Kiosk,
    count: int,
    *,
    out: str | Path | None = None,
    printer: str | None = None,
    page_size: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> PrintResult:
    """Issue ``count`` ballots into a PDF file or onto a CUPS printer.

    The serials and their job are recorded in one transaction before any
    ballot exists on paper; a failed or cancelled job voids them all.
    """
    if not 1 <= count <= MAX_PRINT:
        raise KioskError("print.count", max=MAX_PRINT)
    if (out is None) == (printer is None):
        raise KioskError("usage", detail="give either an output file or a printer")
    spec = kiosk.layout(page_size)
    kiosk.store.register_layouts([spec])
    target = f"printer:{printer}" if printer else str(Path(out).resolve())
    job = {
        "kiosk_id": kiosk.kiosk_id,
        "campaign_id": kiosk.campaign.id,
        "institution_id": kiosk.institution.id,
        "layout_id": spec.id,
        "target": target,
    }
    for _attempt in range(5):
        serials = list({payload.new_serial() for _ in range(count)})
        if len(serials) != count:
            continue
        try:
            job_id = kiosk.store.record_issue(job, serials)
            break
        except sqlite3.IntegrityError:
            continue  # a 64-bit collision with an earlier serial: draw again
    else:  # pragma: no cover - astronomically unlikely
        raise RuntimeError("could not draw unique serials")
    inst_hash = kiosk.institution.hash
    made = [payload.make_payload(kiosk.tag_key, kiosk.campaign.hash, inst_hash, spec.id, s) for s in serials]
    ballots = [(p.text(), payload.printed_serial(p, spec.serial_text.check)) for p in made]
    try:
        if printer:
            with tempfile.TemporaryDirectory(dir=kiosk.datadir.tmp) as tmp:
                pdf = Path(tmp) / "ballots.pdf"
                write_pdf(spec, ballots, pdf, progress, cancelled)
                send_to_printer(pdf, printer)
        else:
            write_pdf(spec, ballots, out, progress, cancelled)
    except PrintCancelled:
        voided = kiosk.store.void_job(job_id, serials, "cancelled")
        raise KioskError("print.cancelled", voided=voided) from None
    except KioskError as exc:
        voided = kiosk.store.void_job(job_id, serials, exc.code)
        raise KioskError("print.failed", detail=exc.message(), voided=voided) from exc
    except BaseException as exc:
        kiosk.store.void_job(job_id, serials, f"bug: {type(exc).__name__}")
        raise
    kiosk.store.finish_job(job_id)
    return PrintResult(job_id, count, spec.id, target, serials)


def local_midnight_utc(now: float | None = None) -> str:
    """Today's local midnight as the UTC ISO text the database stores times in."""
    local = dt.datetime.fromtimestamp(time.time() if now is None else now).astimezone()
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat()


def printed_today(kiosk: Kiosk, now: float | None = None) -> int:
    """Ballots printed (and not voided) since local midnight."""
    return kiosk.store.printed_since(local_midnight_utc(now))
