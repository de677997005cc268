"""Review decisions in the core: appended beside the machine's reading, role-checked."""
from __future__ import annotations

import pytest
from sheets import scans

from kiosk.access.auth import Auth
from kiosk.access.roles import Role
from kiosk.errors import KioskError
from kiosk.intake.review import REJECT_REASONS, Review, reason_text
from kiosk.intake.scan import scan_paths
from kiosk.session import SignedIn


def scanned(kiosk, tmp_path, votes_list, kinds=None):
    return list(scan_paths(kiosk, scans(kiosk, tmp_path, votes_list, tmp_path, kinds=kinds), workers=1))


@pytest.fixture
def sessions(kiosk):
    auth = Auth(kiosk.store)
    auth.ensure_demo_users()
    return {role: auth.sign_in(role, pin) for role, pin in
            ((Role.FRONT_DESK, "1111"), (Role.HELPER, "2222"), (Role.OFFICE, "3333"))}


def test_reason_texts_are_plain_latvian():
    assert reason_text("overvote") == "Jautājumā atzīmēts vairāk nekā viens variants"
    assert reason_text("overvote", "en").startswith("More than one option")
    assert reason_text("corrupt_file") == "Fails ir bojāts vai nepilnīgs"
    assert "x.png" in reason_text("corrupt_file", "lv", "x.png")
    assert reason_text("something_new") == "something_new"
    assert reason_text(None) == ""


def test_queue_confirm_correct_reject(kiosk, tmp_path, sessions):
    spec = kiosk.layout()
    q1 = spec.questions[0]
    o = [opt.id for opt in q1.options]
    # two overvotes and a blank-rating one that counts
    results = scanned(kiosk, tmp_path, [
        {q1.id: (o[0], o[1]), "rating": "4"},
        {q1.id: (o[1], o[2]), "rating": "5"},
        {q1.id: o[2], "rating": "2"},
    ])
    assert [r.status for r in results] == ["review", "review", "counted"]
    assert results[0].reason == "overvote"

    with pytest.raises(KioskError) as e:
        SignedIn(kiosk, sessions[Role.FRONT_DESK]).review()
    assert e.value.code == "auth.forbidden"

    review = SignedIn(kiosk, sessions[Role.HELPER]).review()
    assert review.queue() == [results[0].sheet_id, results[1].sheet_id]
    item = review.next_item()
    assert item.sheet_id == results[0].sheet_id
    assert item.reason_texts()[0].startswith("Jautājumā atzīmēts vairāk")
    assert item.machine[q1.id] == [o[0], o[1]]
    assert len(item.boxes) == sum(len(q.options) for q in spec.questions)
    assert all(len(b["polygon"]) == 4 and "score" in b for b in item.boxes)
    assert item.image is not None and item.serial == results[0].serial
    assert item.label(q1.id, o[0]) == q1.options[0].label

    # an overvote cannot simply be confirmed
    with pytest.raises(KioskError) as e:
        review.confirm(item.sheet_id)
    assert e.value.code == "review.cannot_confirm" and q1.label in e.value.message("lv")
    # nor corrected into another overvote or an unknown option
    with pytest.raises(KioskError) as e:
        review.correct(item.sheet_id, {q1.id: [o[0], o[1]]})
    assert e.value.code == "review.too_many"
    with pytest.raises(KioskError) as e:
        review.correct(item.sheet_id, {q1.id: ["nobody"]})
    assert e.value.code == "review.unknown_option"

    assert review.decide(item.sheet_id, {q1.id: [o[1]], "rating": ["4"]})[0] == "correct"
    assert review.next_item(after=item.sheet_id).sheet_id == results[1].sheet_id
    with pytest.raises(KioskError) as e:
        review.reject(item.sheet_id, "unreadable")  # decided already
    assert e.value.code == "review.not_pending"
    review.reject(results[1].sheet_id, "several_marks")
    assert review.queue() == [] and review.next_item() is None

    # the machine's reading is untouched; the decisions carry the role
    sheet = kiosk.store.sheet(item.sheet_id)
    assert sheet.status == "review" and sheet.selections[q1.id] == [o[0], o[1]]
    d = kiosk.store.decisions(item.sheet_id)
    assert len(d) == 1 and d[0]["action"] == "correct" and d[0]["role"] == "helper"
    assert d[0]["selections"] == {q1.id: [o[1]], "rating": ["4"]}
    finals = {f.sheet_id: f for f in kiosk.store.final_sheets()}
    assert finals[item.sheet_id].final_status == "counted"
    assert finals[results[1].sheet_id].final_status == "rejected"
    assert finals[results[1].sheet_id].decided_by == "helper"


def test_enter_confirms_unchanged_and_corrects_changed(kiosk, tmp_path, sessions):
    spec = kiosk.layout()
    q1 = spec.questions[0]
    o = [opt.id for opt in q1.options]
    # a dot where the pen rested in the specialist list: review (marginal_mark), machine reading valid
    results = scanned(kiosk, tmp_path, [{q1.id: o[2], "rating": "3"}, {q1.id: o[2], "rating": "1"}],
                      kinds=[{(q1.id, o[2]): "dot"}, {(q1.id, o[2]): "dot"}])
    assert [r.reason for r in results] == ["marginal_mark", "marginal_mark"]
    review = Review(kiosk, sessions[Role.OFFICE])
    action, _ = review.decide(results[0].sheet_id, {q1.id: [], "rating": ["3"]})
    assert action == "confirm"
    assert kiosk.store.decisions(results[0].sheet_id)[0]["selections"] == {q1.id: [], "rating": ["3"]}
    action, _ = review.decide(results[1].sheet_id, {q1.id: [o[3]], "rating": ["1"]})
    assert action == "correct"
    assert kiosk.store.decisions(results[1].sheet_id)[0]["role"] == "office"


def test_reject_reasons_are_known(kiosk, tmp_path, sessions):
    results = scanned(kiosk, tmp_path, [{"rating": ("3", "4")}])
    review = Review(kiosk, sessions[Role.HELPER])
    with pytest.raises(KioskError):
        review.reject(results[0].sheet_id, "because")
    assert set(REJECT_REASONS) >= {"unreadable", "identifying"}
    with pytest.raises(KioskError) as e:
        review.item(999_999)
    assert e.value.code == "review.not_found"


def test_two_reviewers_on_one_ballot_the_second_is_told(kiosk, tmp_path, sessions):
    """Two kiosks' screens (two connections) both open the same doubtful ballot; the
    first decision stands, the second reviewer is told it is no longer pending."""
    from kiosk.station import Kiosk

    q1 = kiosk.layout().questions[0]
    o = [opt.id for opt in q1.options]
    (result,) = scanned(kiosk, tmp_path, [{q1.id: (o[0], o[1]), "rating": "4"}])
    with Kiosk.open(kiosk.root) as second:
        mine = SignedIn(kiosk, sessions[Role.HELPER]).review()
        theirs = SignedIn(second, sessions[Role.OFFICE]).review()
        item_mine, item_theirs = mine.item(result.sheet_id), theirs.item(result.sheet_id)  # both screens show it
        assert item_mine.sheet_id == item_theirs.sheet_id
        mine.correct(result.sheet_id, {q1.id: [o[0]], "rating": ["4"]})
        # the other screen decides from what it showed; the storage check is what stops it
        with pytest.raises(KioskError) as e:
            second.store.add_decision(result.sheet_id, "reject", None, "unreadable", "office")
        assert e.value.code == "review.not_pending"
        with pytest.raises(KioskError) as e:
            theirs.reject(result.sheet_id)
        assert e.value.code == "review.not_pending"
    decisions = kiosk.store.decisions(result.sheet_id)
    assert [d["action"] for d in decisions] == ["correct"] and decisions[0]["role"] == "helper"
    (final,) = [f for f in kiosk.store.final_sheets() if f.sheet_id == result.sheet_id]
    assert final.final_status == "counted" and final.selections[q1.id] == [o[0]]
