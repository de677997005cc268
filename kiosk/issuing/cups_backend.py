"""CUPS over IPP (pycups): printers' states, job submission, and every job followed to its end.

Why pycups and not ``lp``/``lpstat``: the command-line tools print their
answers in the user's language and merge states (``lpstat -W completed``
lists cancelled and aborted jobs as completed), so a program cannot read them
strictly.  IPP answers with typed attributes: ``job-state`` (3 pending ...
9 completed), ``printer-state``, ``printer-state-message``,
``printer-state-reasons``, ``printer-is-accepting-jobs``, ``media-supported``,
``job-preserved``.  pycups is libcups' own binding: it finds the server
(``CUPS_SERVER``, ``client.conf`` or the local socket) and authenticates as
the local user the way every CUPS client does (a job's owner may cancel it).

A job is created first and its document sent after the kiosk recorded the
job's id (Create-Job, Send-Document, as ``lp`` does): a job the kiosk does
not know of after a crash never got a document and cannot print.

Secrecy: a job's title is neutral (``urn-kiosk``); no banner pages; once a job has ended it is
purged from CUPS (``Cancel-Job`` with ``purge-job``), which removes the spooled
document and the job's history.  ``job-preserved`` tells whether CUPS would
have kept the document (its ``PreserveJobFiles`` setting).
"""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import KioskError
from .printer import JobStatus, PrinterStatus, Reason, Ticket, media_sizes

try:  # pycups is not on Windows; the Qt UI prints through Qt there
    import cups as _cups
except ImportError:  # pragma: no cover - exercised on systems without CUPS
    _cups = None

# IPP enums (RFC 8011)
_PRINTER_STATES = {3: "idle", 4: "printing", 5: "stopped"}
_JOB_STATES = {3: "pending", 4: "held", 5: "processing", 6: "stopped", 7: "canceled", 8: "aborted", 9: "completed"}
_NOT_FOUND = 0x0406           # client-error-not-found
_NOT_POSSIBLE = 0x0404        # client-error-not-possible (e.g. cancelling a finished job)
_PRINTER_ATTRS = ["printer-state", "printer-state-message", "printer-state-reasons", "printer-is-accepting-jobs",
                  "media-supported", "media-source-supported"]
CANCEL_WAIT_S = 10.0          # how long a cancelled job may take to end before its history is purged
_JOB_ATTRS = ["job-state", "job-state-reasons", "job-printer-state-message", "job-preserved"]


def available() -> bool:
    """pycups is installed (it still needs a CUPS server to print)."""
    return _cups is not None


def _no_password(*_args: Any) -> str:
    return ""  # never prompt on a terminal: an empty answer makes libcups give up


class CupsSpooler:
    """A CUPS server: the one ``CUPS_SERVER`` names (read at each connection), else libcups' default.

    Thread-safe: each thread keeps its own IPP connection."""

    kind = "cups"
    follows_jobs = True

    def __init__(self, server: str | None = None) -> None:
        if _cups is None:
            raise KioskError("print.no_spooler", detail="pycups is not installed")
        _cups.setPasswordCB(_no_password)
        self.server = server
        self._local = threading.local()
        self.keeps_job_files: bool | None = None  # learned from the last job that ended

    # -- connection -----------------------------------------------------------------
    def _target(self) -> tuple[str, int | None]:
        server = self.server or os.environ.get("CUPS_SERVER") or _cups.getServer()
        if server.startswith("/"):
            return server, None
        host, _, port = server.rpartition(":") if server.count(":") == 1 else (server, "", "")
        return (host or server), (int(port) if port.isdigit() else None)

    def _conn(self) -> Any:
        target = self._target()
        conn = getattr(self._local, "conn", None)
        if conn is not None and getattr(self._local, "target", None) == target:
            return conn
        host, port = target
        try:
            conn = _cups.Connection(host=host) if port is None else _cups.Connection(host=host, port=port)
        except RuntimeError as exc:
            raise KioskError("print.no_spooler", detail=f"{host}: {exc}") from None
        self._local.conn, self._local.target = conn, target
        return conn

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """One IPP request; a broken connection is opened again once."""
        for attempt in (1, 2):
            conn = self._conn()
            try:
                return getattr(conn, name)(*args, **kwargs)
            except _cups.HTTPError as exc:
                self._local.conn = None
                if attempt == 2:
                    raise KioskError("print.no_spooler", detail=f"HTTP {exc.args[0] if exc.args else exc}") from None
            except RuntimeError as exc:  # pycups: the connection failed
                self._local.conn = None
                if attempt == 2:
                    raise KioskError("print.no_spooler", detail=str(exc)) from None
        raise AssertionError("unreachable")  # pragma: no cover

    # -- printers -------------------------------------------------------------------
    def printers(self) -> list[str]:
        try:
            return sorted(self._call("getPrinters"))
        except _cups.IPPError:
            return []

    def status(self, printer: str) -> PrinterStatus:
        try:
            attrs = self._call("getPrinterAttributes", printer, requested_attributes=_PRINTER_ATTRS)
        except _cups.IPPError as exc:
            if exc.args and exc.args[0] == _NOT_FOUND:
                return PrinterStatus(printer, "missing", accepting=False, keeps_job_files=self.keeps_job_files)
            raise KioskError("print.no_spooler", detail=_ipp_text(exc)) from None
        reasons = attrs.get("printer-state-reasons") or []
        if isinstance(reasons, str):
            reasons = [reasons]
        return PrinterStatus(
            printer,
            _PRINTER_STATES.get(int(attrs.get("printer-state", 3)), "stopped"),
            accepting=bool(attrs.get("printer-is-accepting-jobs", True)),
            reason=Reason(attrs.get("printer-state-message") or "", reasons),
            media=media_sizes(_as_list(attrs.get("media-supported"))),
            trays=tuple(_as_list(attrs.get("media-source-supported")) or ()),
            keeps_job_files=self.keeps_job_files,
        )

    # -- jobs -------------------------------------------------------------------------
    def submit(self, pdf: Path, printer: str, ticket: Ticket, created: Callable[[str], None]) -> str:
        """Create the job, tell ``created`` its id, then send the document (as ``lp`` does):
        a job whose id was never recorded never got its document, so it cannot print."""
        options = {
            "media": ticket.media,
            "sides": "one-sided",
            "print-scaling": "none",   # never shrink or enlarge a ballot
            "number-up": "1",
            "job-sheets": "none,none",  # no banner pages (they print the user and the time)
        }
        if ticket.tray:
            options["media-source"] = ticket.tray
        try:
            job_id = self._call("createJob", printer, ticket.title, options)
        except _cups.IPPError as exc:
            raise self._refused(printer, exc) from None
        ref = str(int(job_id))
        created(ref)
        data = pdf.read_bytes()
        conn = self._conn()
        try:
            http = conn.startDocument(printer, int(job_id), "ballots.pdf", "application/pdf", 1)
            if http in (100, 200):
                http = conn.writeRequestData(data, len(data))
            if http not in (100, 200):
                raise KioskError("print.refused", printer=printer, detail=f"HTTP {http}")
            ipp = conn.finishDocument(printer)
            if ipp not in (0, 1, 2):  # successful-ok, -ignored-or-substituted-attributes, -conflicting-attributes
                raise KioskError("print.refused", printer=printer, detail=f"IPP 0x{int(ipp):04x}")
        except _cups.IPPError as exc:
            self._local.conn = None
            raise self._refused(printer, exc) from None
        except (_cups.HTTPError, RuntimeError) as exc:
            self._local.conn = None
            raise KioskError("print.no_spooler", detail=str(exc)) from None
        return ref

    def _refused(self, printer: str, exc: Exception) -> KioskError:
        status = exc.args[0] if exc.args else 0
        if status == _NOT_FOUND:
            return KioskError("print.printer_missing", printer=printer)
        refusal = self.status(printer).refusal()
        return refusal or KioskError("print.refused", printer=printer, detail=_ipp_text(exc))

    def job(self, ref: str) -> JobStatus:
        try:
            attrs = self._call("getJobAttributes", int(ref), requested_attributes=_JOB_ATTRS)
        except _cups.IPPError as exc:
            if exc.args and exc.args[0] == _NOT_FOUND:
                return JobStatus("gone")
            raise KioskError("print.no_spooler", detail=_ipp_text(exc)) from None
        reasons = attrs.get("job-state-reasons") or []
        if isinstance(reasons, str):
            reasons = [reasons]
        preserved = attrs.get("job-preserved")
        return JobStatus(
            _JOB_STATES.get(int(attrs.get("job-state", 3)), "pending"),
            Reason(attrs.get("job-printer-state-message") or "", reasons),
            None if preserved is None else bool(preserved),
        )

    def cancel(self, ref: str) -> None:
        """Cancel the job and remove it from CUPS (documents and history); a job already gone is fine.

        CUPS cancels an active job at once but keeps its history entry until the
        job's processes ended; then a second purge removes it."""
        self._purge(ref)
        deadline = time.monotonic() + CANCEL_WAIT_S
        while time.monotonic() < deadline:
            status = self.job(ref)
            if status.state == "gone":
                return
            if status.final:
                self._purge(ref)
            else:
                time.sleep(0.05)  # the printer's backend is being stopped

    def forget(self, ref: str) -> bool | None:
        """Remove an ended job from CUPS.  Returns whether CUPS would have kept its
        document (``job-preserved``), None when it did not say."""
        status = self.job(ref)
        if status.preserved is not None:
            self.keeps_job_files = status.preserved
        self._purge(ref)
        return status.preserved

    def _purge(self, ref: str) -> None:
        try:
            self._call("cancelJob", int(ref), purge_job=True)
        except _cups.IPPError as exc:
            if exc.args and exc.args[0] in (_NOT_FOUND, _NOT_POSSIBLE):
                return
            raise KioskError("print.purge", detail=_ipp_text(exc)) from None


def _as_list(value: Any) -> list[str] | None:
    if value is None:
        return None
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def _ipp_text(exc: Exception) -> str:
    if len(exc.args) >= 2:
        return f"{exc.args[1]} (IPP 0x{int(exc.args[0]):04x})"
    return str(exc)
