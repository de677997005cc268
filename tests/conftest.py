"""Shared fixtures: every path, database and setting points at tmp_path."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["KIOSK_LANG"] = "lv"
# Command-line workflows sign in with a role's PIN: as the office with its demo PIN, as a
# script would (set here, not in a fixture, so module-scoped fixtures have it too)
os.environ["KIOSK_ROLE"] = "office"
os.environ["KIOSK_PIN"] = "3333"

import random  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

from kiosk.assets import demo_campaign_path  # noqa: E402
from kiosk.ballot import payload  # noqa: E402
from kiosk.ballot.campaign import load_campaign  # noqa: E402
from kiosk.station import Kiosk  # noqa: E402

REPO = Path(__file__).resolve().parent.parent

# Property tests draw the same examples on every run (derandomized, and no database of
# examples carried over from earlier runs): a failure comes back when run again.
settings.register_profile("repeatable", derandomize=True, database=None)
settings.load_profile("repeatable")

# -- serials ------------------------------------------------------------------------
# The kiosk draws ballot serials from the operating system's secure generator, so in
# the tests every printed ballot would carry another QR code (other pixels) on every
# run, and a reader outcome that depended on a code's pattern would come and go.  The
# tests draw them instead from a generator seeded with the name of the test, or of the
# fixture, that prints: the same ballots on every run, whatever ran before.
# tests/test_payload.py checks the kiosk's own generator (SECURE_NEW_SERIAL).
SECURE_NEW_SERIAL = payload.new_serial
_serials = random.Random()


def _seeded_serial() -> bytes:
    return _serials.getrandbits(8 * payload.SERIAL_LEN).to_bytes(payload.SERIAL_LEN, "big")


@pytest.fixture(autouse=True, scope="session")
def _seeded_serials():
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(payload, "new_serial", _seeded_serial)
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef, request):
    _serials.seed(f"{request.node.nodeid}::{fixturedef.argname}")
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    _serials.seed(item.nodeid)
    yield


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    """No test ever touches the real user data directory."""
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "default-data"))


@pytest.fixture(autouse=True)
def _no_machine_cups(tmp_path, monkeypatch):
    """No test ever talks to the machine's own CUPS: by default there is no print server
    at all; the ``private_cups`` fixture starts one of the test's own."""
    monkeypatch.setenv("CUPS_SERVER", str(tmp_path / "no-cups.sock"))


@pytest.fixture
def private_cups(monkeypatch):
    """A private cupsd for this test (tests/private_cups.py), with CUPS_SERVER pointing at it
    for this process and the processes it starts; add queues with ``add_pdf_queue``."""
    import private_cups as spooler

    why_not = spooler.available()
    if why_not:
        pytest.skip(why_not)
    with spooler.PrivateCups() as cups:
        monkeypatch.setenv("CUPS_SERVER", cups.server)
        yield cups


@pytest.fixture
def demo_campaign():
    return load_campaign(demo_campaign_path())


@pytest.fixture
def kiosk(tmp_path, demo_campaign):
    """A data directory enrolled in the demo campaign's first institution."""
    k = Kiosk.enroll(demo_campaign.institutions[0].id, root=tmp_path / "kiosk-data", campaign_path=demo_campaign_path())
    yield k
    k.close()


@pytest.fixture
def other_kiosk(tmp_path, demo_campaign):
    """A second kiosk, enrolled in the demo campaign's second institution."""
    k = Kiosk.enroll(demo_campaign.institutions[1].id, root=tmp_path / "other-data", campaign_path=demo_campaign_path())
    yield k
    k.close()


@pytest.fixture
def stick(tmp_path, kiosk, other_kiosk):
    """A USB stick as it reaches the central office (``central_material.inbox``): genuine
    batches of two institutions, a conflicting serial, a tampered copy."""
    from central_material import inbox

    box = inbox(tmp_path, kiosk, other_kiosk)
    yield box
    box.second.close()
