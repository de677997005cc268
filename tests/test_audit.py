"""The audit log: events from the catalogue only, chained rows, tampering named."""
from __future__ import annotations

import pytest

from conftest import REPO
from kiosk.audit import catalogue
from kiosk.audit.log import record, verify
from kiosk.errors import KioskError


def test_the_documentation_page_is_generated_from_the_catalogue():
    assert (REPO / "docs" / "audit-events.md").read_text(encoding="utf-8") == catalogue.markdown()


def test_rows_chain_and_unknown_events_are_refused(kiosk):
    assert verify(kiosk.store) is None
    first = record(kiosk.store, "audit.started", "office")
    second = record(kiosk.store, "audit.started", "os:root")
    assert second == first + 1
    assert verify(kiosk.store) is None
    with pytest.raises(KioskError) as err:
        record(kiosk.store, "no.such_event", "office")
    assert err.value.code == "audit.unknown_event"
    with pytest.raises(KioskError) as err:
        record(kiosk.store, "audit.started", "office", serial="X")
    assert err.value.code == "audit.unknown_field"


def test_an_edited_row_is_named(kiosk):
    for _ in range(3):
        record(kiosk.store, "audit.started", "office")
    db = kiosk.store.db
    db.execute("DROP TRIGGER audit_written_once")
    db.execute("UPDATE audit_log SET actor = 'helper' WHERE seq = 2")
    problem = verify(kiosk.store)
    assert problem is not None and problem.seq == 2 and problem.reason == "altered"


def test_a_removed_row_is_named(kiosk):
    for _ in range(4):
        record(kiosk.store, "audit.started", "office")
    db = kiosk.store.db
    db.execute("DROP TRIGGER audit_kept")
    db.execute("DELETE FROM audit_log WHERE seq = 3")
    problem = verify(kiosk.store)
    assert problem is not None and problem.seq == 3 and problem.reason == "missing"
