"""The review of 100 doubtful ballots from the keyboard alone, through the real window.

    .venv/bin/python benchmarks/bench_review_keys.py [--count 100] [--json]

The ballots are printed by the real printing code, rendered, marked and scanned
(half of them with two specialists marked, half with none: all go to review, the campaign's
review policy set to send a blank required question to a person).
A helper signs in and works through the queue with keys only, as a person
would: a ballot with no specialist is confirmed as read (Enter); one with two
is corrected to the first of them (its digit, Enter) or, every third one,
rejected (R, then Enter in the question).  Keys go through Qt's own event path
(QTest), so shortcuts, the reject question and the screen's updates all run.

Prints the key presses per ballot and, for each decision, the wait from the key
that decided it to the next ballot: shown (its reading, answers and buttons),
and with its scan drawn (loaded in the background).  Runs offscreen
(QT_QPA_PLATFORM=offscreen unless a display is set); prints the machine's load.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def run(count: int) -> dict:
    from demo import make_urn

    from kiosk.access.roles import Role
    from kiosk.assets import demo_campaign_path
    from kiosk.ballot.campaign import load_campaign
    from kiosk.intake.scan import scan_paths
    from kiosk.station import Kiosk
    from ui.app import create_window, setup_application
    from ui.screens import Mode

    app = QApplication.instance() or QApplication(sys.argv)
    setup_application(app)

    def until(cond, timeout: float = 60.0) -> None:
        end = time.monotonic() + timeout
        while not cond():
            if time.monotonic() > end:
                raise TimeoutError("the screen did not settle")
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)

    with tempfile.TemporaryDirectory(prefix="bench-review-") as tmp:
        # the demo campaign's first institution: a short roster, so a name is one digit key
        # (a long roster's review is a typeahead: benchmarks/review_load.py counts its keys);
        # its review policy set to send a blank specialist question to a person, so the queue
        # also holds ballots the machine read right (confirmed with Enter)
        campaign = Path(tmp) / "campaign.toml"
        campaign.write_text(demo_campaign_path().read_text(encoding="utf-8").replace(
            'undervote = "count"', 'undervote = "review"'), encoding="utf-8")
        demo = load_campaign(campaign)
        kiosk = Kiosk.enroll(demo.institutions[0].id, root=Path(tmp) / "data", campaign_path=campaign)
        urn = Path(tmp) / "urn"
        make_urn(kiosk, urn, count, dpi=150, seed=11, mix=(0.5, 0.5))
        results = list(scan_paths(kiosk, [urn], workers=2))
        pending = [r for r in results if r.status == "review"]
        window = create_window(kiosk, "lv")
        window.resize(1366, 768)
        window.show()
        window.activateWindow()  # keys reach the window's shortcuts only while it is active
        until(window.isActiveWindow)
        window.ctx.sign_in(Role.HELPER, "2222")
        window.show_mode(Mode.REVIEW)
        review = window.screens[Mode.REVIEW]
        until(lambda: review.item is not None and review.image.image is not None)

        keys_total, shown_ms, drawn_ms, actions = 0, [], [], []
        overvotes = 0
        load_before = os.getloadavg()
        started = time.perf_counter()
        while review.item is not None:
            item = review.item
            several = [q for q in item.questions if len(item.machine.get(q.id, [])) > 1]
            if several and overvotes % 3 == 2:  # reject: R, then Enter in the question
                overvotes += 1
                QTest.keyClick(window, Qt.Key.Key_R)
                keys_total += 1
                until(lambda: review.reject_dialog is not None and review.reject_dialog.isVisible())
                target, deciding, action = review.reject_dialog, Qt.Key.Key_Return, "reject"
            elif several:  # correct: the digit of the first specialist marked, then Enter
                overvotes += 1
                q = several[0]
                first = item.machine[q.id][0]
                digit = [o.id for o in q.choices].index(first) + 1  # as the screen numbers them
                QTest.keyClick(window, getattr(Qt.Key, f"Key_{digit}"))
                keys_total += 1
                target, deciding, action = window, Qt.Key.Key_Return, "correct"
            else:  # the machine's reading is right: Enter
                target, deciding, action = window, Qt.Key.Key_Return, "confirm"
            t0 = time.perf_counter()
            QTest.keyClick(target, deciding)  # decided, and the next ballot set up, when this returns
            keys_total += 1
            app.processEvents()  # and painted
            t_shown = time.perf_counter()
            if review.item is not None:
                sid = review.item.sheet_id
                until(lambda: review.image.image is not None and review.item is not None
                      and review.item.sheet_id == sid)
            t_drawn = time.perf_counter()
            shown_ms.append(1000 * (t_shown - t0))
            drawn_ms.append(1000 * (t_drawn - t0))
            actions.append(action)
        elapsed = time.perf_counter() - started
        load_after = os.getloadavg()
        decided = len(actions)
        store = kiosk.store
        stored = sum(1 for r in pending if store.sheet_states([r.sheet_id])[r.sheet_id].reviewed)
        window.exit_kiosk()
        kiosk.close()
    return {
        "ballots": decided,
        "stored_decisions": stored,
        "actions": {a: actions.count(a) for a in ("confirm", "correct", "reject")},
        "key_presses": keys_total,
        "keys_per_ballot": round(keys_total / max(decided, 1), 2),
        "next_ballot_shown_ms": {"median": round(statistics.median(shown_ms), 1), "max": round(max(shown_ms), 1)},
        "next_scan_drawn_ms": {"median": round(statistics.median(drawn_ms), 1), "max": round(max(drawn_ms), 1)},
        "seconds_for_all": round(elapsed, 1),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
        "cpus": os.cpu_count(),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    out = run(args.count)
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(f"ballots reviewed from the keyboard: {out['ballots']} ({out['actions']}); decisions stored: "
          f"{out['stored_decisions']}")
    print(f"key presses: {out['key_presses']}, {out['keys_per_ballot']} per ballot")
    print(f"key -> next ballot shown: median {out['next_ballot_shown_ms']['median']} ms, "
          f"longest {out['next_ballot_shown_ms']['max']} ms")
    print(f"key -> next ballot's scan drawn: median {out['next_scan_drawn_ms']['median']} ms, "
          f"longest {out['next_scan_drawn_ms']['max']} ms")
    print(f"all {out['ballots']} in {out['seconds_for_all']} s of machine time; load average before "
          f"{out['load_before']}, after {out['load_after']} on {out['cpus']} CPUs")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
