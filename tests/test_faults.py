"""Named crash points end the process only where and when they are armed."""
from __future__ import annotations

import subprocess
import sys

from conftest import REPO

SCRIPT = (
    "from kiosk import faults\n"
    "for i in range(3):\n"
    "    print('before', i, flush=True)\n"
    "    faults.point('demo.step')\n"
    "print('done', flush=True)\n"
)


def run(env_value: str | None) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin"}
    if env_value is not None:
        env["KIOSK_FAULT"] = env_value
    return subprocess.run([sys.executable, "-c", SCRIPT], cwd=REPO, env=env, capture_output=True, text=True, timeout=60)


def test_an_unarmed_point_does_nothing():
    done = run(None)
    assert done.returncode == 0 and done.stdout.split("\n")[-2] == "done"
    other = run("another.point")
    assert other.returncode == 0 and "done" in other.stdout


def test_an_armed_point_ends_the_process_the_nth_time_it_is_reached():
    first = run("demo.step")
    assert first.returncode == 137 and first.stdout == "before 0\n"
    third = run("other.point,demo.step:3")
    assert third.returncode == 137 and third.stdout == "before 0\nbefore 1\nbefore 2\n"
