"""kiosk.platform: each function's Linux, other-POSIX (macOS) and Windows branch, run on this (Linux)
machine by setting ``platform.KIND``; real processes, real files, real locks.

What a branch cannot show here (Windows' own file locks, ACLs, NTFS) is said
in docs/platforms.md."""
from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
import sheets

from kiosk import platform
from kiosk.batches.export import export_batch
from kiosk.errors import KioskError
from kiosk.intake.scan import scan_paths
from kiosk.storage import store

REPO = Path(__file__).resolve().parent.parent
BRANCHES = ["linux", "posix", "windows"]  # posix: macOS and other Unix


@pytest.fixture(params=BRANCHES)
def kind(request, monkeypatch):
    monkeypatch.setattr(platform, "KIND", request.param)
    return request.param


def test_the_branch_follows_the_system():
    assert platform.KIND == {"linux": "linux", "win32": "windows"}.get(sys.platform, "posix")


# -- worker processes -----------------------------------------------------------

def test_workers_start_from_a_fork_server_where_there_is_one():
    ctx = platform.process_context(preload=["kiosk.reading.reader"])
    assert ctx.get_start_method() == "forkserver"


def test_workers_are_spawned_where_there_is_no_fork_server(monkeypatch):
    monkeypatch.setattr(platform, "_available_start_methods", lambda: ["spawn"])  # Windows' only method
    assert platform.process_context(preload=["kiosk.reading.reader"]).get_start_method() == "spawn"


def test_a_scan_through_spawned_workers_reads_every_ballot(kiosk, tmp_path, monkeypatch):
    """The scan pipeline as it runs on Windows: workers started by spawn."""
    files = sheets.scans(kiosk, tmp_path / "stack", [{"specialist": "k-ozolina", "rating": "5"},
                                                     {"specialist": "k-kalnins", "rating": "3"},
                                                     {"specialist": "k-berzina", "rating": "1"}], tmp_path)
    monkeypatch.setattr(platform, "_available_start_methods", lambda: ["spawn"])
    used = []
    real = platform.process_context

    def recording(*args, **kwargs):
        ctx = real(*args, **kwargs)
        used.append(ctx.get_start_method())
        return ctx

    monkeypatch.setattr(platform, "process_context", recording)
    results = [r.to_json() for r in scan_paths(kiosk, [tmp_path / "stack"], workers=2)]
    assert used == ["spawn"]
    assert [Path(r["source"]).name for r in results] == [f.name for f in files]
    assert [r["status"] for r in results] == ["counted"] * 3
    assert len({r["serial"] for r in results}) == 3


# -- durable renames -------------------------------------------------------------

def test_a_directory_is_synced_on_posix(tmp_path):
    assert platform.fsync_dir(tmp_path) is True


def test_windows_never_opens_a_directory(tmp_path, monkeypatch):
    monkeypatch.setattr(platform, "KIND", "windows")

    def refuse(*args, **kwargs):
        raise AssertionError("os.open called")

    monkeypatch.setattr(os, "open", refuse)
    assert platform.fsync_dir(tmp_path) is False


@pytest.mark.parametrize("code", [errno.EINVAL, errno.ENOTSUP])
def test_a_file_system_that_cannot_sync_directories_is_no_error(tmp_path, monkeypatch, code):
    def unsupported(fd):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fsync", unsupported)
    assert platform.fsync_dir(tmp_path) is False


def test_a_real_io_error_while_syncing_a_directory_is_raised(tmp_path, monkeypatch):
    def broken(fd):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(OSError) as info:
        platform.fsync_dir(tmp_path)
    assert info.value.errno == errno.EIO


def test_scans_are_stored_where_directories_cannot_be_opened(kiosk, tmp_path, monkeypatch):
    """On Windows os.open on a directory fails: every scan must still be stored and read."""
    sheets.scans(kiosk, tmp_path / "stack", [{"specialist": "k-ozolina", "rating": "4"}], tmp_path)
    monkeypatch.setattr(platform, "KIND", "windows")
    real_open = os.open

    def windows_open(path, flags, *args, **kwargs):
        if os.path.isdir(path):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", windows_open)
    (result,) = scan_paths(kiosk, [tmp_path / "stack"], workers=1)
    assert result.status == "counted", result.to_json()
    assert len(list(kiosk.datadir.images.glob("*/*.png"))) == 1


# -- processes --------------------------------------------------------------------

@pytest.fixture
def child():
    """A real process that runs until its stdin is closed."""
    proc = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    yield proc
    if proc.poll() is None:
        proc.stdin.close()
        proc.wait(timeout=60)


def end(proc: subprocess.Popen) -> None:
    proc.stdin.close()
    proc.wait(timeout=60)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_linux_branch_reads_the_start_in_ticks_since_boot():
    pid = os.getpid()
    with open(f"/proc/{pid}/stat", "rb") as fh:
        ticks = fh.read().rsplit(b")", 1)[1].split()[19].decode()
    assert platform.process_start(pid) == ticks


def test_the_other_branch_reads_the_start_through_psutil(monkeypatch):
    monkeypatch.setattr(platform, "KIND", "windows")
    assert platform.process_start(os.getpid()) == f"{psutil.Process().create_time():.3f}"


def test_a_process_that_cannot_be_inspected_counts_as_running(monkeypatch):
    monkeypatch.setattr(platform, "KIND", "windows")

    def denied(pid):
        raise psutil.AccessDenied(pid)

    monkeypatch.setattr(psutil, "Process", denied)  # another user's process on Windows
    assert platform.process_start(4) == "?"


def test_process_start_tells_running_ended_and_reused_processes_apart(kind, child):
    start = platform.process_start(child.pid)
    assert start not in (None, "?")
    assert platform.process_start(child.pid) == start  # stable while it runs
    assert platform.process_start(os.getpid()) not in (None, "?", start)
    end(child)
    assert platform.process_start(child.pid) is None
    assert platform.process_start(0) is None and platform.process_start(-1) is None


def test_a_print_jobs_owner_is_judged_by_pid_and_start(kind, child):
    host = platform.hostname()
    owner = f"{host}:{child.pid}:{platform.process_start(child.pid)}"
    assert store._owner_alive(owner)
    assert store._owner_alive(f"{host}:{child.pid}:?")  # start unknown when it was written
    assert not store._owner_alive(f"{host}:{child.pid}:12345")  # the pid now belongs to another process
    assert store._owner_alive(f"another-{host}:{child.pid}:1")  # another machine's: not ours to judge
    assert not store._owner_alive(f"{host}:not-a-pid:1")
    assert not store._owner_alive(None) and not store._owner_alive("")
    end(child)
    assert not store._owner_alive(owner)


def test_this_process_owns_its_jobs_under_either_branch(kind):
    owner = store._process_owner()
    host, pid, start = owner.rsplit(":", 2)
    assert host == platform.hostname() and int(pid) == os.getpid() and start not in ("", "?")
    assert store._owner_alive(owner)


# -- locks ------------------------------------------------------------------------

HOLDER = """
import sys
from kiosk import platform
with platform.exclusive_lock(sys.argv[1]):
    print("held", flush=True)
    sys.stdin.readline()
print("released", flush=True)
"""


def test_a_lock_has_one_holder_at_a_time(tmp_path):
    path = tmp_path / "x.lock"
    with platform.exclusive_lock(path):
        with pytest.raises(platform.LockBusy):
            with platform.exclusive_lock(path):
                pass
    with platform.exclusive_lock(path):  # released: free again
        pass


def test_an_export_while_another_process_exports_is_refused(kiosk, tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(kiosk.datadir.export_lock)], cwd=REPO,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(KioskError) as info:
            export_batch(kiosk, tmp_path / "out")
        assert info.value.code == "export.busy"
        assert kiosk.store.batches() == []
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "released"
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
        holder.stdout.close()
    result = export_batch(kiosk, tmp_path / "out")
    assert result.path.exists()


# -- owner-only files -------------------------------------------------------------

def test_posix_makes_directories_and_files_owner_only(tmp_path):
    d = tmp_path / "data"
    platform.make_private_dir(d)
    assert stat.S_IMODE(d.stat().st_mode) == 0o700
    f = d / "kiosk.db"
    f.write_bytes(b"x")
    os.chmod(f, 0o644)
    platform.make_private_file(f)
    assert stat.S_IMODE(f.stat().st_mode) == 0o600


def test_windows_leaves_modes_alone(tmp_path, monkeypatch):
    """Mode bits protect nothing on NTFS: the Windows branch does not pretend."""
    monkeypatch.setattr(platform, "KIND", "windows")

    def refuse(*args, **kwargs):
        raise AssertionError("os.chmod called")

    monkeypatch.setattr(os, "chmod", refuse)
    d = tmp_path / "data" / "nested"
    platform.make_private_dir(d)
    assert d.is_dir()
    (d / "kiosk.db").write_bytes(b"x")
    platform.make_private_file(d / "kiosk.db")
    platform.write_private(d / "keys" / "institution.key", b"ab\ncd\r\n")
    assert (d / "keys" / "institution.key").read_bytes() == b"ab\ncd\r\n"


@pytest.mark.usefixtures("kind")
def test_private_files_are_replaced_whole(tmp_path):
    key = tmp_path / "keys" / "institution.key"
    platform.write_private(key, b"first\n")
    platform.write_private(key, b"second\n" * 1000)
    assert key.read_bytes() == b"second\n" * 1000
    assert [p.name for p in key.parent.iterdir()] == ["institution.key"]  # no temporary file left


def test_a_key_written_into_an_existing_folder_leaves_the_folder_as_it_was(tmp_path):
    """`kiosk central master-key --out FILE`: the file is private, the user's folder untouched."""
    folder = tmp_path / "office"
    folder.mkdir()
    os.chmod(folder, 0o755)
    platform.write_private(folder / "master.key", b"00\n")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    assert stat.S_IMODE((folder / "master.key").stat().st_mode) == 0o600


def test_a_background_process_runs_below_the_window(monkeypatch):
    """The report process yields to the window: POSIX nice +10 (a real process), Windows the
    below-normal priority class (psutil's call, recorded)."""
    code = "import os; from kiosk import platform; before = os.nice(0); platform.lower_priority(); print(os.nice(0) - before)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "10"

    asked = []

    class FakeProcess:
        def nice(self, value):
            asked.append(value)

    class FakePsutil:
        BELOW_NORMAL_PRIORITY_CLASS = 0x4000
        Error = OSError
        Process = FakeProcess

    monkeypatch.setattr(platform, "KIND", "windows")
    monkeypatch.setattr(platform, "psutil", FakePsutil)
    platform.lower_priority()
    assert asked == [0x4000]


def test_the_report_writer_and_the_event_loop_keep_to_different_cpus():
    """Linux with two or more CPUs: the background process keeps to the last CPU (at normal
    priority), the window's event loop thread keeps off it while the process works, and gets
    every CPU back after."""
    cpus = os.sched_getaffinity(0)
    code = ("import os; from kiosk import platform; before = os.nice(0); platform.start_background(); "
            "print(sorted(os.sched_getaffinity(0)), os.nice(0) - before)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    restore = platform.keep_thread_off_background_cpu()
    try:
        apart = os.sched_getaffinity(0)
    finally:
        restore()
    assert os.sched_getaffinity(0) == cpus
    if len(cpus) >= 2:  # a CPU of its own, at normal priority
        assert done.stdout.strip() == f"{[max(cpus)]} 0" and apart == cpus - {max(cpus)}
    else:  # one CPU: nothing to keep apart; below normal priority instead
        assert done.stdout.strip() == f"{sorted(cpus)} 10" and apart == cpus


def test_elsewhere_nothing_is_pinned(monkeypatch):
    monkeypatch.setattr(platform, "KIND", "windows")
    assert platform.background_cpu() is None
    before = os.sched_getaffinity(0)
    platform.keep_thread_off_background_cpu()()
    assert os.sched_getaffinity(0) == before
