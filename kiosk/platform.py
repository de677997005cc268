"""Everything that differs between operating systems, in one place.

The rest of the core calls these functions and never asks which system it
runs on.  Each function has a POSIX branch (Linux, macOS) and a Windows
branch, chosen by ``KIND`` at call time (tests set it to run every branch
on one machine):

- ``process_context``: worker processes start through a fork server where
  the system has one (POSIX: workers never inherit the parent's threads,
  locks or SQLite connection), else by ``spawn`` (Windows);
  ``start_background`` / ``keep_thread_off_background_cpu``: a window's
  background process (the report writer) runs, on Linux with two or more
  CPUs, on a CPU the window's event loop keeps off meanwhile, elsewhere below
  normal priority;
- ``fsync_dir``: make a rename durable by syncing its directory, where a
  directory can be opened as a file (POSIX); NTFS journals the rename itself
  and cannot open a directory with ``os.open``, so Windows skips it;
- ``process_start`` / ``hostname``: tell whether the process that owns a
  print job still runs, and is still the same process (a reused pid has a
  different start).  Linux reads the start in clock ticks since boot from
  ``/proc`` (immune to clock changes); elsewhere ``psutil`` gives the
  creation time the kernel recorded;
- ``exclusive_lock``: one holder at a time across processes, through
  ``filelock`` (``flock`` on POSIX, ``LockFileEx``-style locking on Windows);
- ``removable_folders``: where removable drives (USB sticks) are mounted:
  under ``/media`` and ``/run/media`` on Linux, ``/Volumes`` on macOS, the
  drives Windows reports as removable;
- ``make_private_dir`` / ``make_private_file`` / ``write_private``: owner-only
  permissions.  POSIX sets modes 0700 and 0600.  On Windows a file's mode
  bits only toggle the read-only flag and protect nothing, so nothing is
  changed there: the data directory is protected by the access control list
  it inherits (the default, under ``%LOCALAPPDATA%``, is readable by its
  user, SYSTEM and the Administrators only; see docs/platforms.md).
"""
from __future__ import annotations

import contextlib
import errno
import multiprocessing
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.context import BaseContext
from pathlib import Path

import filelock
import psutil

#: "linux", "posix" (macOS and other Unix) or "windows": which branch runs.
KIND = "windows" if os.name == "nt" else ("linux" if sys.platform.startswith("linux") else "posix")

# the errors of a file system that cannot sync a directory (nothing is lost: the
# file itself was synced before its rename)
_NO_DIR_SYNC = {errno.EINVAL, errno.EBADF, errno.EISDIR, getattr(errno, "ENOTSUP", errno.EINVAL),
                getattr(errno, "EOPNOTSUPP", errno.EINVAL)}


# -- worker processes ---------------------------------------------------------

def _available_start_methods() -> list[str]:
    return multiprocessing.get_all_start_methods()


def process_context(preload: Sequence[str] = ()) -> BaseContext:
    """How to start worker processes: a fork server (with ``preload``
    imported once in it) where the system has one, else ``spawn``."""
    if "forkserver" in _available_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        if preload:
            ctx.set_forkserver_preload(list(preload))
        return ctx
    return multiprocessing.get_context("spawn")


def lower_priority() -> None:
    """Run this process below normal priority: where it competes with a window's process for
    a core, the window goes first.  POSIX: ``nice`` 10; Windows: the below-normal priority
    class.  Best effort."""
    try:
        if KIND == "windows":
            psutil.Process().nice(psutil.BELOW_NORMAL_PRIORITY_CLASS)
        else:
            os.nice(10)
    except (OSError, AttributeError, psutil.Error):
        pass


def background_cpu() -> int | None:
    """The CPU a window's background process keeps to: the last one this thread may use,
    where there are two or more and a thread can choose (Linux); else None."""
    if KIND != "linux" or not hasattr(os, "sched_getaffinity"):
        return None
    cpus = sorted(os.sched_getaffinity(0))
    return cpus[-1] if len(cpus) >= 2 else None


def start_background() -> None:
    """The first thing a window's background process does (the report writer): on a CPU of its
    own (``background_cpu``) where the system lets it choose, at normal priority (niced on a
    core another program keeps busy it took ten times as long); elsewhere below normal
    priority, so that the window goes first."""
    cpu = background_cpu()
    if cpu is None:
        lower_priority()
        return
    try:
        os.sched_setaffinity(0, {cpu})
    except OSError:
        lower_priority()


def keep_thread_off_background_cpu() -> Callable[[], None]:
    """While a background process works, the calling thread (a window's event loop) keeps to
    the other CPUs; returns what gives it back every CPU it had.  On a 2-core machine a
    window's event loop sharing a core with the report writer waited over 100 ms at times,
    even with the writer niced; apart, never.  Linux only (a thread's own affinity): elsewhere
    nothing changes."""
    cpu = background_cpu()
    if cpu is None:
        return lambda: None
    before = os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, before - {cpu})
    except OSError:
        return lambda: None

    def restore() -> None:
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, before)

    return restore


# -- durable renames ----------------------------------------------------------

PR_SET_PDEATHSIG = 1  # linux/prctl.h
EXIT_ORPHANED = 137  # as if killed: a worker's work is lost with its parent


def die_with_parent(parent_pid: int) -> None:
    """End this (worker) process when ``parent_pid`` ends: at once on Linux (the
    kernel sends SIGKILL when the parent dies, ``prctl(PR_SET_PDEATHSIG)``), and
    everywhere through a watchdog thread that waits on the parent's sentinel (or,
    without one, polls whether the parent still runs)."""
    if KIND == "linux":
        try:
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the watchdog still works
            pass
    parent = multiprocessing.parent_process()
    sentinel = getattr(parent, "sentinel", None) if parent is not None and parent.pid == parent_pid else None

    def watch() -> None:
        if sentinel is not None:
            from multiprocessing.connection import wait

            wait([sentinel])
        else:
            while process_start(parent_pid) is not None:
                time.sleep(0.5)
        os._exit(EXIT_ORPHANED)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def fsync_dir(path: str | Path) -> bool:
    """Sync a directory so that a rename into it survives a power cut.

    True when it was synced; False where the system or its file system does
    not support it (Windows always).  A real I/O error still raises."""
    if KIND == "windows":
        return False
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return False
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno in _NO_DIR_SYNC:
            return False
        raise
    finally:
        os.close(fd)
    return True


# -- processes ----------------------------------------------------------------

def hostname() -> str:
    return socket.gethostname()


def _linux_start(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    except OSError:
        return "?"
    try:
        return stat.rsplit(b")", 1)[1].split()[19].decode()  # field 22: starttime, in ticks since boot
    except IndexError:
        return "?"


def _psutil_start(pid: int) -> str | None:
    try:
        return f"{psutil.Process(pid).create_time():.3f}"
    except psutil.ZombieProcess:  # ended, not yet reaped: it still holds its pid
        return "?"
    except psutil.NoSuchProcess:
        return None
    except psutil.AccessDenied:  # it runs, as another user
        return "?"


def process_start(pid: int) -> str | None:
    """When process ``pid`` started, as a token that tells a reused pid apart:
    None when no such process runs, "?" when it runs but its start cannot be
    read.  Tokens are compared as strings, on the same machine only."""
    if pid <= 0:
        return None
    if KIND == "linux" and os.path.isdir("/proc/self"):
        return _linux_start(pid)
    return _psutil_start(pid)


# -- locks --------------------------------------------------------------------

class LockBusy(Exception):
    """Another process (or another holder in this one) holds the lock."""


@contextlib.contextmanager
def exclusive_lock(path: str | Path, timeout: float = 0) -> Iterator[None]:
    """Hold ``path``'s lock for the ``with`` block, or raise LockBusy when another
    process holds it for longer than ``timeout`` seconds (0: at once).  The lock
    is released when its holder ends in any way, a kill included."""
    lock = filelock.FileLock(str(path), timeout=timeout)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise LockBusy(str(path)) from None
    try:
        yield
    finally:
        lock.release()


# -- owner-only files ---------------------------------------------------------

def make_private_dir(path: str | Path) -> None:
    """Create a directory (and its parents) readable by its owner only."""
    Path(path).mkdir(parents=True, exist_ok=True)
    if KIND != "windows":
        os.chmod(path, 0o700)


def make_private_file(path: str | Path) -> None:
    """Make an existing file readable and writable by its owner only."""
    if KIND != "windows":
        os.chmod(path, 0o600)


def write_private(path: str | Path, data: bytes) -> None:
    """Create or replace a file readable by its owner only, atomically
    (temporary name, fsync, rename, directory sync)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)  # an existing folder is left as it is
    tmp = path.with_name(f".{path.name}.tmp")
    # O_BINARY: on Windows os.open would otherwise translate line ends
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    make_private_file(tmp)
    os.replace(tmp, path)
    fsync_dir(path.parent)


MOUNT_ROOTS = ("/media/", "/run/media/", "/Volumes/")


def removable_folders() -> list[Path]:
    """The mount points of removable drives, as the system reports them now."""
    import psutil

    out = []
    try:
        parts = psutil.disk_partitions(all=False)
    except OSError:  # pragma: no cover - a system that cannot list its mounts
        return []
    for part in parts:
        if KIND == "windows":
            if "removable" in part.opts.split(","):
                out.append(Path(part.mountpoint))
        elif part.mountpoint.startswith(MOUNT_ROOTS):
            out.append(Path(part.mountpoint))
    return sorted(set(out))
