"""The printer as the job lifecycle sees it: a spooler backend, its states, the paper.

A print job (``kiosk.issuing.jobs``) takes a ``Spooler``: an object that lists
printers, tells a printer's state, submits a PDF, reports the job's state,
cancels it and forgets it.  Two exist:

* ``kiosk.issuing.cups_backend.CupsSpooler`` talks IPP to CUPS (Linux, macOS)
  and follows every job until CUPS reports it completed (``follows_jobs``);
* ``ui.qtprint.QtSpooler`` prints through Qt (``QPrinter``) where there is no
  CUPS (Windows): it knows the printer's state before printing and whether the
  system's spooler accepted the job, nothing after (``follows_jobs`` false).

The states are IPP's (RFC 8011 printer-state, job-state), with two of our own:
a printer that does not exist is ``missing``; a job the spooler no longer
knows is ``gone``.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..errors import CATALOG, KioskError, default_language

PRINTER_STATES = ("idle", "printing", "stopped", "missing")
JOB_STATES = ("pending", "held", "processing", "stopped", "canceled", "aborted", "completed", "gone")
FINAL_JOB_STATES = frozenset({"canceled", "aborted", "completed", "gone"})

# Paper names as the job asks for them (IPP "media", PPD PageSize)
MEDIA = {"a5": "A5", "a4": "A4"}
# A5 and A4 in millimetres; a printer's sizes match within SIZE_TOLERANCE_MM (drivers round:
# cups-pdf's A5 is 421 x 595 pt, which CUPS names custom_148.52x209.9mm)
_SIZES_MM = {"a5": (148.0, 210.0), "a4": (210.0, 297.0)}
SIZE_TOLERANCE_MM = 1.0
# PWG 5101.1 self-describing media names end in <width>x<height><unit>
_PWG_SIZE = re.compile(r"_(\d+(?:\.\d+)?)x(\d+(?:\.\d+)?)(mm|in)$")


class Reason:
    """Why a printer or job is not well, in the user's language when we can say it.

    The printer's own text (``printer-state-message``) is shown as it is; the
    IPP keywords (``printer-state-reasons``: media-empty, media-jam, paused, ...)
    are told in words from the catalogue (``printer.<keyword>``)."""

    def __init__(self, text: str = "", keywords: Iterable[str] = ()) -> None:
        self.text = (text or "").strip()
        self.keywords = tuple(k for k in keywords if k and k != "none")

    def _words(self, lang: str) -> list[str]:
        words = []
        for keyword in self.keywords:
            base = keyword.removesuffix("-error").removesuffix("-warning").removesuffix("-report")
            entry = CATALOG.get(f"printer.{base}")
            if entry is not None:
                words.append(entry[1] if lang == "en" else entry[0])
        return list(dict.fromkeys(w for w in words if w.lower() != self.text.lower()))

    def message(self, lang: str | None = None) -> str:
        lang = lang or default_language()
        parts = ([self.text] if self.text else []) + self._words(lang)
        if not parts:
            entry = CATALOG["printer.unknown"]
            return entry[1] if lang == "en" else entry[0]
        return "; ".join(parts)

    def __str__(self) -> str:
        return self.message("en")

    def __bool__(self) -> bool:
        """Whether there is anything to tell (a text, or a keyword we can put in words)."""
        return bool(self.text or self._words("en"))

    def __repr__(self) -> str:
        return f"Reason({self.text!r}, {self.keywords!r})"


@dataclass(frozen=True)
class PrinterStatus:
    """One printer's state.  ``media`` is None when the printer does not say which
    paper it has; ``keeps_job_files`` is None when the spooler does not tell."""

    name: str
    state: str                         # one of PRINTER_STATES
    accepting: bool = True
    reason: Reason = field(default_factory=Reason)
    media: frozenset[str] | None = None  # "a4", "a5"
    trays: tuple[str, ...] = ()          # media-source keywords
    keeps_job_files: bool | None = None

    @property
    def ready(self) -> bool:
        return self.state in ("idle", "printing") and self.accepting

    def refusal(self) -> KioskError | None:
        """The error that refuses a job to this printer, or None when it may print."""
        if self.state == "missing":
            return KioskError("print.printer_missing", printer=self.name)
        if self.state == "stopped":
            return KioskError("print.printer_stopped", printer=self.name, reason=self.reason)
        if not self.accepting:
            return KioskError("print.printer_rejecting", printer=self.name, reason=self.reason)
        return None


@dataclass(frozen=True)
class JobStatus:
    state: str                          # one of JOB_STATES
    reason: Reason = field(default_factory=Reason)
    preserved: bool | None = None       # the spooler keeps the job's files after it ended

    @property
    def final(self) -> bool:
        return self.state in FINAL_JOB_STATES


@dataclass(frozen=True)
class Ticket:
    """What a job asks of the printer.  Duplex is always off: a ballot is one side."""

    title: str                 # neutral: no serial, no time, no person
    media: str                 # "A5" / "A4"
    tray: str | None = None    # a media-source keyword the printer offers


class Spooler(Protocol):
    """What the job lifecycle needs from a printing system (see the module docstring)."""

    kind: str             # "cups", "qt": recorded with a job in flight, to settle it after a crash
    follows_jobs: bool    # True: jobs are followed to "completed"; False: "printed" = the system spooler took it

    def printers(self) -> list[str]: ...

    def status(self, printer: str) -> PrinterStatus: ...

    def submit(self, pdf: Path, printer: str, ticket: Ticket, created: Callable[[str], None]) -> str:
        """Hand ``pdf`` to the printer; ``created(ref)`` is called as soon as the job has a
        reference and before any page can print; returns the reference."""

    def job(self, ref: str) -> JobStatus: ...

    def cancel(self, ref: str) -> None: ...

    def forget(self, ref: str) -> bool | None: ...


@dataclass(frozen=True)
class Sheet:
    """How ballots go onto paper: ``per_sheet`` ballots of page ``page`` on ``paper``."""

    page: str       # the ballot's page size: "a5" / "a4"
    paper: str      # the sheet's: "a5" / "a4"
    per_sheet: int  # 1, or 2 (two A5 ballots on one A4 sheet, with a cut line)

    @property
    def media(self) -> str:
        return MEDIA[self.paper]

    def sheets(self, ballots: int) -> int:
        return -(-ballots // self.per_sheet)


def media_size(name: str) -> str | None:
    """ "a4", "a5" or None for one media name (PWG "iso_a5_148x210mm", PPD "A5")."""
    name = str(name).strip().lower()
    if name in _SIZES_MM:
        return name
    m = _PWG_SIZE.search(name)
    if not m:
        return None
    scale = 25.4 if m.group(3) == "in" else 1.0
    w, h = sorted((float(m.group(1)) * scale, float(m.group(2)) * scale))
    for size, (sw, sh) in _SIZES_MM.items():
        if abs(w - sw) <= SIZE_TOLERANCE_MM and abs(h - sh) <= SIZE_TOLERANCE_MM:
            return size
    return None


def media_sizes(media_supported: Iterable[str] | None) -> frozenset[str] | None:
    """The ballot paper sizes ("a4", "a5") among a printer's media-supported names."""
    if media_supported is None:
        return None
    return frozenset(filter(None, (media_size(m) for m in media_supported)))


def plan_sheet(page: str, media: frozenset[str] | None, paper: str = "") -> Sheet:
    """Choose the paper for ballots of size ``page`` on a printer offering ``media``.

    ``paper`` is what the print dialog chose ("" = the ballot's own size).  A
    ballot is never shrunk: A5 ballots go two to an A4 sheet (with a cut line)
    when A4 is chosen or the printer has no A5; an A4 ballot needs A4.
    """
    page = page.lower()
    paper = (paper or "").lower()
    if paper and paper not in MEDIA:
        raise KioskError("print.paper", page=page.upper(), paper=paper.upper())
    if media is not None and not media:
        media = None  # the printer names none of our sizes: let it take the ballot's own
    wanted = paper or page
    if media is not None and wanted not in media:
        if paper:
            raise KioskError("print.paper_missing", paper=paper.upper())
        wanted = "a4" if page == "a5" and "a4" in media else wanted
        if wanted not in media:
            raise KioskError("print.paper_missing", paper=page.upper())
    if wanted == page:
        return Sheet(page, page, 1)
    if page == "a5" and wanted == "a4":
        return Sheet("a5", "a4", 2)
    raise KioskError("print.paper", page=page.upper(), paper=wanted.upper())
