"""A private CUPS spooler for tests: a real ``cupsd`` with cups-pdf queues.

``PrivateCups`` starts its own ``cupsd`` with its own configuration, spool,
cache, log and state directories under one temporary directory, listening on
a local socket in that directory only (no TCP port), and stops it afterwards.
The machine's own CUPS (``/etc/cups``'s daemon, its queues and jobs) is never
contacted.  Processes under test reach the private spooler through
``env()`` (``CUPS_SERVER`` points at its socket).

Queues are cups-pdf printers whose PDFs land in ``queue.out``:

* ``add_pdf_queue("A5")``: a cups-pdf queue (A5, A4 and the other sizes of
  cups-pdf's own PPD);
* ``add_pdf_queue("A4ONLY", sizes=("A4",))``: the same PPD with every page
  size but A4 removed, like an office laser printer with one tray;
* ``add_pdf_queue("SLOW", gate=True)``: the job stops at a gate in front of
  cups-pdf until the test says so: ``queue.gate.wait_started()`` returns when
  CUPS handed the job to the printer, ``queue.gate.release()`` lets it through
  (a test that disables the printer, deletes the queue or cancels the job
  meanwhile never releases it); ``release(answer="paper-out")`` makes the
  printer report that it ran out of paper (``media-empty-error``) and stop.
  No timing is involved: the gate is a pair of named pipes.

cups-pdf reads its settings from ``/etc/cups/cups-pdf-<name>.conf`` (the path is
compiled in; nothing else chooses it), where ``<name>`` comes from the device
URI ``cups-pdf:/<name>``.  Each queue gets such a file with a name unique to
this spooler, pointing cups-pdf's output and spool directories into the
temporary directory; ``stop()`` removes them.

cupsd runs cups-pdf as root (the backend is mode 0700), so the fixture needs
root, as CI has; elsewhere ``available()`` says why not and the tests skip.
"""
from __future__ import annotations

import contextlib
import os
import re
import secrets
import select
import shutil
import stat
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

CUPSD = shutil.which("cupsd") or "/usr/sbin/cupsd"
SYSTEM_SERVERBIN = Path("/usr/lib/cups")
CUPS_PDF_BACKEND = SYSTEM_SERVERBIN / "backend" / "cups-pdf"
CUPS_PDF_PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd")
CUPS_PDF_CONFIG_DIR = Path("/etc/cups")  # compiled into cups-pdf
START_TIMEOUT_S = 60.0
GATE_TIMEOUT_S = 120.0

GATE_BACKEND = """#!/bin/sh
# A CUPS backend for tests: hold the job at a gate, then hand it to cups-pdf.
# DEVICE_URI is gate:<gate directory>?<cups-pdf name>
if [ $# -eq 0 ]; then
  echo 'direct gate "Unknown" "Test gate"'
  exit 0
fi
spec=${DEVICE_URI#gate:}
dir=${spec%%\\?*}
name=${spec#*\\?}
printf 'started\\n' > "$dir/started"
read answer < "$dir/release"
if [ "$answer" = "paper-out" ]; then
  # the printer ran out of paper: say so as printers do, and stop the queue (CUPS_BACKEND_STOP)
  echo "STATE: +media-empty-error" >&2
  echo "ERROR: Out of paper" >&2
  exit 4
fi
DEVICE_URI="cups-pdf:/$name"
export DEVICE_URI
exec %(cups_pdf)s "$@"
"""


def available() -> str | None:
    """None when a private spooler can run here, else the reason it cannot."""
    if os.name != "posix" or not hasattr(os, "geteuid"):
        return "CUPS runs on POSIX systems only"
    if os.geteuid() != 0:
        return "cupsd runs the cups-pdf backend as root: the private spooler needs root"
    for path in (Path(CUPSD), CUPS_PDF_BACKEND, CUPS_PDF_PPD):
        if not path.exists():
            return f"{path} is missing (.ci/setup installs cups and printer-driver-cups-pdf)"
    for tool in ("lpadmin", "lpstat", "cupsdisable", "cupsreject", "cancel"):
        if shutil.which(tool) is None:
            return f"'{tool}' is missing (.ci/setup installs cups-client)"
    return None


class Gate:
    """Two named pipes between the gate backend and the test."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        directory.mkdir(mode=0o700)
        os.mkfifo(directory / "started", 0o600)
        os.mkfifo(directory / "release", 0o600)

    def wait_started(self, timeout: float = GATE_TIMEOUT_S) -> None:
        """Return once CUPS has handed a job to this queue's printer (the backend reached the gate)."""
        fd = os.open(self.dir / "started", os.O_RDONLY | os.O_NONBLOCK)
        try:
            data = b""
            deadline = time.monotonic() + timeout
            while b"\n" not in data:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no job reached the gate {self.dir} in {timeout} s")
                ready, _, _ = select.select([fd], [], [], left)
                if ready:
                    chunk = os.read(fd, 64)
                    data += chunk
                    if not chunk:  # no writer yet (or it closed): wait for the next one
                        select.select([], [], [], 0.05)
        finally:
            os.close(fd)

    def release(self, timeout: float = GATE_TIMEOUT_S, answer: str = "go") -> None:
        """Let the job at the gate through to cups-pdf (``answer="paper-out"``: the printer
        reports it ran out of paper and stops instead)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                fd = os.open(self.dir / "release", os.O_WRONLY | os.O_NONBLOCK)
                break
            except OSError:  # ENXIO: the backend is not reading yet
                if time.monotonic() > deadline:
                    raise TimeoutError(f"nobody waits at the gate {self.dir}") from None
                select.select([], [], [], 0.05)
        try:
            os.write(fd, answer.encode() + b"\n")
        finally:
            os.close(fd)


@dataclass
class Queue:
    name: str
    out: Path            # where cups-pdf writes this queue's PDFs
    config: Path         # the queue's cups-pdf configuration file
    gate: Gate | None = None
    sizes: tuple[str, ...] = ()

    def pdfs(self) -> list[Path]:
        return sorted(self.out.rglob("*.pdf"))


@dataclass
class PrivateCups:
    """A private cupsd (see the module docstring).  Use as a context manager or call start()/stop()."""

    # None leaves CUPS' own default (job files kept a day, history kept): the
    # kiosk must leave nothing behind even then
    preserve_job_files: str | None = None
    preserve_job_history: str | None = None
    root: Path = field(default=None)  # type: ignore[assignment]
    queues: dict[str, Queue] = field(default_factory=dict)
    process: subprocess.Popen | None = None

    def __post_init__(self) -> None:
        # Not under pytest's tmp_path: that is private to root (0700) and cupsd runs its
        # filters as the user lp, who must reach the spool.  A short path also keeps the
        # socket's name under the 108-byte limit.
        if self.root is None:
            self.root = Path(tempfile.mkdtemp(prefix="uk-cups-"))
        self.root.chmod(0o755)
        self.token = secrets.token_hex(4)
        self.etc = self.root / "etc"
        self.spool = self.root / "spool"          # RequestRoot: job files (c*, d*)
        self.tmp = self.root / "spool" / "tmp"    # TempDir: filters' temporary files
        self.cache = self.root / "cache"
        self.state = self.root / "state"
        self.logs = self.root / "log"
        self.serverbin = self.root / "lib"
        self.outputs = self.root / "out"
        self.gates = self.root / "gates"
        self.socket = self.root / "cups.sock"

    # -- life cycle ---------------------------------------------------------------
    def start(self) -> "PrivateCups":
        for d in (self.etc, self.etc / "ppd", self.spool, self.tmp, self.cache, self.state, self.logs,
                  self.serverbin, self.serverbin / "backend", self.outputs, self.gates):
            d.mkdir(parents=True, exist_ok=True)
        self.spool.chmod(0o710)
        self.tmp.chmod(0o1777)
        self.outputs.chmod(0o755)
        # ServerBin: the system's filters and helpers, and our own backend directory
        for sub in ("filter", "daemon", "cgi-bin", "monitor", "notifier", "driver"):
            (self.serverbin / sub).symlink_to(SYSTEM_SERVERBIN / sub)
        for backend in ("cups-pdf",):
            (self.serverbin / "backend" / backend).symlink_to(SYSTEM_SERVERBIN / "backend" / backend)
        gate = self.serverbin / "backend" / "gate"
        gate.write_text(GATE_BACKEND % {"cups_pdf": CUPS_PDF_BACKEND})
        gate.chmod(0o700)  # run as root, like cups-pdf
        (self.etc / "cups-files.conf").write_text(
            f"ServerRoot {self.etc}\n"
            f"ServerBin {self.serverbin}\n"
            f"DataDir /usr/share/cups\n"
            f"RequestRoot {self.spool}\n"
            f"TempDir {self.tmp}\n"
            f"CacheDir {self.cache}\n"
            f"StateDir {self.state}\n"
            f"ErrorLog {self.logs}/error_log\n"
            f"AccessLog {self.logs}/access_log\n"
            f"PageLog {self.logs}/page_log\n"
            "SystemGroup root\n"
            "User lp\nGroup lp\n"
            "PeerCred on\n"
        )
        preserve = "".join(
            f"{key} {value}\n" for key, value in (("PreserveJobFiles", self.preserve_job_files),
                                                 ("PreserveJobHistory", self.preserve_job_history))
            if value is not None
        )
        (self.etc / "cupsd.conf").write_text(
            f"Listen {self.socket}\n"
            "LogLevel info\n"
            "MaxLogSize 0\n"
            "PageLogFormat\n"
            "Browsing No\n"
            "WebInterface No\n"
            "DefaultAuthType Basic\n"
            "IdleExitTimeout 0\n"
            "ErrorPolicy abort-job\n"
            "JobRetryLimit 0\n"
            f"Printcap {self.root}/printcap\n"
            + preserve +
            "<Location />\n  Order allow,deny\n  Allow localhost\n</Location>\n"
            + POLICY
        )
        with open(self.logs / "cupsd.stderr", "wb") as stderr:
            self.process = subprocess.Popen(
                [CUPSD, "-f", "-c", str(self.etc / "cupsd.conf"), "-s", str(self.etc / "cups-files.conf")],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
                env=self._daemon_env(), start_new_session=True,
            )
        self._wait_ready()
        return self

    def _daemon_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CUPS_")}
        env["LC_ALL"] = "C"
        return env

    def _wait_ready(self) -> None:
        """Wait until cupsd answers on its socket (or has died: then say why)."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"cupsd exited with {self.process.returncode}: {self._log_tail()}")
            if self.socket.exists():
                probe = subprocess.run(["lpstat", "-r"], env=self.env(), capture_output=True, text=True)
                if probe.returncode == 0 and "not running" not in probe.stdout:
                    return
            if time.monotonic() > deadline:
                raise RuntimeError(f"cupsd did not answer in {START_TIMEOUT_S} s: {self._log_tail()}")
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(0.05)  # cupsd ends (then the loop says why) or 50 ms pass

    def _log_tail(self) -> str:
        parts = []
        for name in ("cupsd.stderr", "error_log"):
            path = self.logs / name
            if path.exists():
                parts.append(path.read_text(errors="replace")[-2000:])
        return "\n".join(parts)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        for queue in self.queues.values():
            queue.config.unlink(missing_ok=True)
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "PrivateCups":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- talking to it --------------------------------------------------------------
    @property
    def server(self) -> str:
        return str(self.socket)

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """An environment whose CUPS clients talk to this spooler only."""
        env = dict(os.environ if base is None else base)
        env["CUPS_SERVER"] = self.server
        env.pop("CUPS_STATEDIR", None)
        return env

    def run(self, *cmd: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run a CUPS command-line tool against this spooler (English output)."""
        done = subprocess.run(list(cmd), env={**self.env(), "LC_ALL": "C", "LANG": "C"}, capture_output=True,
                              text=True, timeout=60)
        if check and done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr or done.stdout}")
        return done

    # -- queues ---------------------------------------------------------------------
    def add_pdf_queue(self, name: str, *, sizes: tuple[str, ...] | None = None, gate: bool = False) -> Queue:
        """A cups-pdf queue; ``sizes`` keeps only those page sizes in its PPD; ``gate``
        holds each job in front of cups-pdf until the test releases it."""
        pdf_name = f"uk{self.token}" + re.sub(r"[^a-z0-9]", "", name.lower())
        out = self.outputs / name
        out.mkdir(mode=0o755)
        cp_spool = self.root / "cups-pdf-spool" / name
        cp_spool.mkdir(parents=True, mode=0o755)
        config = CUPS_PDF_CONFIG_DIR / f"cups-pdf-{pdf_name}.conf"
        config.write_text(
            f"Out {out}\n"
            f"AnonDirName {out}\n"
            "UserPrefix \n"
            "Label 0\n"
            f"Spool {cp_spool}\n"
            "Grp root\n"
            "LogType 0\n"
            "TitlePref 0\n"
            "DecodeHexStrings 1\n"
            f"GSTmp {cp_spool}\n"
            # cups-pdf's own call, but pages keep the orientation they were drawn in
            "GSCall %s -q -dCompatibilityLevel=%s -dNOPAUSE -dBATCH -dSAFER -sDEVICE=pdfwrite"
            ' -sOutputFile="%s" -dAutoRotatePages=/None -dAutoFilterColorImages=false'
            " -dColorImageFilter=/FlateEncode -dPDFSETTINGS=/prepress -c -f %s\n"
        )
        queue = Queue(name=name, out=out, config=config, sizes=tuple(sizes or ()))
        self.queues[name] = queue
        ppd = self.etc / f"{name}.source.ppd"
        ppd.write_text(restrict_ppd(CUPS_PDF_PPD.read_text(encoding="latin-1"), sizes), encoding="latin-1")
        if gate:
            queue.gate = Gate(self.gates / name)
            uri = f"gate:{queue.gate.dir}?{pdf_name}"
        else:
            uri = f"cups-pdf:/{pdf_name}"
        self.run("lpadmin", "-p", name, "-E", "-v", uri, "-P", str(ppd), "-o", "printer-error-policy=abort-job")
        self.run("cupsenable", name)
        self.run("cupsaccept", name)
        return queue

    def disable(self, name: str, reason: str) -> None:
        self.run("cupsdisable", "-r", reason, name)

    def enable(self, name: str) -> None:
        self.run("cupsenable", name)

    def reject(self, name: str, reason: str) -> None:
        self.run("cupsreject", "-r", reason, name)

    def accept(self, name: str) -> None:
        self.run("cupsaccept", name)

    def delete_queue(self, name: str) -> None:
        self.run("lpadmin", "-x", name)

    def cancel(self, job_id: int) -> None:
        self.run("cancel", str(job_id))

    def jobs(self, which: str = "not-completed") -> list[int]:
        """Job ids CUPS lists (``lpstat -W which -o``): not-completed, completed or all."""
        done = self.run("lpstat", "-W", which, "-o")
        return [int(m.group(1)) for m in re.finditer(r"^\S+-(\d+)\s", done.stdout, re.M)]

    def wait_until_done(self, timeout: float = GATE_TIMEOUT_S) -> None:
        """Wait until CUPS has no job left that is not completed (cancelled, aborted or completed)."""
        deadline = time.monotonic() + timeout
        while self.jobs("not-completed"):
            if time.monotonic() > deadline:
                raise TimeoutError(f"CUPS still has jobs after {timeout} s: {self.jobs('not-completed')}")
            select.select([], [], [], 0.05)

    def spool_files(self) -> list[Path]:
        """Every file the spooler keeps: its spool (job files), temporary, cache and state directories."""
        found = []
        for top in (self.spool, self.cache, self.state, self.root / "cups-pdf-spool"):
            for path in top.rglob("*"):
                if path.is_file() and not stat.S_ISSOCK(path.lstat().st_mode):
                    found.append(path)
        return sorted(found)

    def log_files(self) -> list[Path]:
        return sorted(p for p in self.logs.iterdir() if p.is_file())


def restrict_ppd(text: str, sizes: tuple[str, ...] | None) -> str:
    """cups-pdf's PPD with only the page sizes ``sizes`` (all of them when None)."""
    if not sizes:
        return text
    keep = set(sizes)
    out = []
    for line in text.splitlines(keepends=True):
        m = re.match(r"\*(PageSize|PageRegion|ImageableArea|PaperDimension) ([^/:]+)", line)
        if m and m.group(2) not in keep:
            continue
        m = re.match(r"\*Default(PageSize|PageRegion|ImageableArea|PaperDimension): (\S+)", line)
        if m and m.group(2) not in keep:
            line = f"*Default{m.group(1)}: {sizes[0]}\n"
        out.append(line)
    return "".join(out)


# Like Debian's default policy, but the spooler belongs to the test: the user running
# the tests (root) is the operator, and job owners may cancel their own jobs.
POLICY = """<Policy default>
  JobPrivateAccess default
  JobPrivateValues default
  SubscriptionPrivateAccess default
  SubscriptionPrivateValues default
  <Limit Create-Job Print-Job Print-URI Validate-Job>
    Order deny,allow
  </Limit>
  <Limit Send-Document Send-URI Hold-Job Release-Job Restart-Job Purge-Jobs Set-Job-Attributes Create-Job-Subscription Renew-Subscription Cancel-Subscription Get-Notifications Reprocess-Job Cancel-Current-Job Suspend-Current-Job Resume-Job Cancel-My-Jobs Close-Job CUPS-Move-Job CUPS-Get-Document>
    Require user @OWNER @SYSTEM
    Order deny,allow
  </Limit>
  <Limit CUPS-Add-Modify-Printer CUPS-Delete-Printer CUPS-Add-Modify-Class CUPS-Delete-Class CUPS-Set-Default CUPS-Get-Devices>
    AuthType Default
    Require user @SYSTEM
    Order deny,allow
  </Limit>
  <Limit Pause-Printer Resume-Printer Enable-Printer Disable-Printer Pause-Printer-After-Current-Job Hold-New-Jobs Release-Held-New-Jobs Deactivate-Printer Activate-Printer Restart-Printer Shutdown-Printer Startup-Printer Promote-Job Schedule-Job-After Cancel-Jobs CUPS-Accept-Jobs CUPS-Reject-Jobs>
    AuthType Default
    Require user @SYSTEM
    Order deny,allow
  </Limit>
  <Limit Cancel-Job CUPS-Authenticate-Job>
    Require user @OWNER @SYSTEM
    Order deny,allow
  </Limit>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""
