"""Camera intake: ballots held up to a webcam, read from generated videos.

The videos are built from really printed, marked and photographed ballots
(tests/video.py); they are read through the real pipeline, headless, by
`kiosk scan --json VIDEO`, exactly as the camera mode reads live frames.
"""
from __future__ import annotations

import json
from pathlib import Path

import corpus as C
import numpy as np
import pytest
from video import make_video

from kiosk.assets import demo_campaign_path
from kiosk.cli.main import main as kiosk_main
from kiosk.intake.context import read_context
from kiosk.reading import tracker as camera
from kiosk.reading import video
from kiosk.station import Kiosk

PLAN_720 = [C.CLEAR, C.CLEAR, C.OVERVOTE, C.CLEAR, C.BLANK_BALLOT, C.CLEAR, C.FOREIGN, C.CLEAR]
PLAN_1080 = [C.CLEAR, C.CLEAR, C.BLANK_BALLOT, C.CLEAR, C.OVERVOTE, C.CLEAR]


@pytest.fixture(scope="module")
def kiosks(tmp_path_factory):
    base = tmp_path_factory.mktemp("camera")
    first = Kiosk.enroll("kuldiga-vpvkac", root=base / "k1", campaign_path=demo_campaign_path())
    other = Kiosk.enroll("vzd-riga", root=base / "k2", campaign_path=demo_campaign_path())
    yield base, first, other
    first.close()
    other.close()


@pytest.fixture(scope="module")
def videos(kiosks):
    base, first, other = kiosks
    return {
        "mp4-720": (base / "a.mp4", make_video(first, base / "a.mp4", PLAN_720, seed=11, frame=(1280, 720), foreign_kiosk=other)),
        "webm-1080": (base / "b.webm", make_video(first, base / "b.webm", PLAN_1080, seed=12, frame=(1920, 1080))),
    }


def scan_json(capsys, data_dir: Path, *paths) -> list[dict]:
    code = kiosk_main(["--data-dir", str(data_dir), "scan", "--json", *map(str, paths)])
    out = capsys.readouterr().out
    assert code == 0
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def judge(shown, lines):
    """Match results to the ballots shown: by serial, foreign ballots by order."""
    by_serial = {}
    for line in lines:
        if line["serial"]:
            by_serial.setdefault(line["serial"], []).append(line)
    foreign_lines = [l for l in lines if l["status"] == "rejected"]
    table = {"counted": 0, "review": 0, "wrong": 0, "missing": 0}
    for s in shown:
        if s.cls == C.FOREIGN:
            continue
        got = by_serial.get(s.serial, [])
        assert len(got) == 1, f"{s.serial} reported {len(got)} times"
        g = got[0]
        if g["status"] == "counted":
            table["counted" if g["selections"] == s.expected else "wrong"] += 1
        elif g["status"] == "review":
            table["review"] += 1
    return table, foreign_lines


@pytest.mark.parametrize("name", ["mp4-720", "webm-1080"])
def test_every_ballot_in_a_video_is_reported_once_and_right(name, videos, kiosks, capsys, tmp_path):
    base, first, _ = kiosks
    path, shown = videos[name]
    data = tmp_path / "data"
    Kiosk.enroll("kuldiga-vpvkac", root=data, campaign_path=demo_campaign_path(),
                 key_file=None).close()
    lines = scan_json(capsys, data, path)
    table, foreign_lines = judge(shown, lines)
    n_foreign = sum(s.cls == C.FOREIGN for s in shown)
    assert len(lines) == len(shown), lines  # one result per ballot, nothing for empty or moving frames
    assert table["wrong"] == 0, table
    clear = [s for s in shown if s.cls == C.CLEAR]
    counted_clear = sum(1 for s in clear for l in lines if l["serial"] == s.serial and l["status"] == "counted"
                        and l["selections"] == s.expected)
    assert counted_clear / len(clear) >= 0.95, (counted_clear, len(clear), lines)
    for s in shown:  # overvotes are for a person to decide; a blank ballot counts as cast (the default policy)
        if s.cls == C.OVERVOTE:
            (line,) = [l for l in lines if l["serial"] == s.serial]
            assert line["status"] == "review" and line["reason"] == "overvote"
        elif s.cls == C.BLANK_BALLOT:
            (line,) = [l for l in lines if l["serial"] == s.serial]
            assert line["status"] == "counted" and all(v == [] for v in line["selections"].values())
    assert len(foreign_lines) == n_foreign
    assert all(l["reason"] == "other_institution" for l in foreign_lines)
    # every stored sheet keeps its frame as an image the review screen can open
    with Kiosk.open(data) as k:
        for line in lines:
            row = k.store.sheet(line["sheet_id"])
            image = k.store.image(row.image_sha256)
            assert Path(image["path"]).exists() and image["media_type"] == "image/png"
            # taken as soon as enough frames in a row agreed: 3 for a clear outcome, 5 for a
            # doubtful one; a ballot taken away earlier goes to review with what it had
            cam = row.interpretation["camera"]
            if cam["unstable"]:
                assert line["reason"] == "unstable_read" and 1 <= cam["agreeing_frames"] < 5, line
            else:
                assert cam["agreeing_frames"] == (3 if line["status"] in ("counted", "rejected") else 5), (line, cam)


def test_scanning_the_same_video_again_counts_nothing_twice(videos, capsys, tmp_path):
    path, shown = videos["mp4-720"]
    data = tmp_path / "data"
    first = scan_json(capsys, data, path)
    again = scan_json(capsys, data, path)
    assert [l["serial"] for l in again] == [l["serial"] for l in first]
    assert all(l["repeat"] for l in again)
    with Kiosk.open(data) as k:
        assert sum(k.store.sheet_counts().values()) == len(shown)


def test_a_broken_video_is_rejected_and_the_rest_continues(videos, capsys, tmp_path):
    path, shown = videos["mp4-720"]
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(path.read_bytes()[: path.stat().st_size // 3])  # the index (moov) is at the end
    lines = scan_json(capsys, tmp_path / "data", broken, path)
    assert lines[0]["source"] == str(broken) and lines[0]["status"] == "rejected" and lines[0]["reason"] == "corrupt_file"
    assert len(lines) == 1 + len(shown)


# -- the tracker on its own ------------------------------------------------------------

def _frames(path: Path):
    return list(video.iter_video(path, analyse_fps=10))


def test_a_ballot_left_in_view_or_shown_again_is_not_taken_twice(videos, kiosks):
    _, first, _ = kiosks
    path, shown = videos["mp4-720"]
    frames = _frames(path)
    tracker = camera.BallotTracker.for_context(read_context(first))
    held = [g for i, g in frames if shown[0].first_frame + 3 <= i < shown[0].first_frame + shown[0].still_frames]
    empty = frames[0][1]
    stream = held * 3 + [empty] * 4 + held * 2  # left in view, taken away, shown again
    accepted = [r.accepted for r in (tracker.feed(g, n) for n, g in enumerate(stream)) if r.accepted]
    assert tracker.finish() is None
    assert len(accepted) == 1 and accepted[0].reading.status == "counted"


def test_a_ballot_glimpsed_too_briefly_goes_to_review(videos, kiosks):
    """Seen in fewer agreeing frames than needed, then gone: reported once, never counted."""
    _, first, _ = kiosks
    path, shown = videos["mp4-720"]
    frames = dict(_frames(path))
    s = next(x for x in shown if x.cls == C.CLEAR)
    held = [g for i, g in sorted(frames.items()) if s.first_frame + 2 <= i < s.first_frame + s.still_frames][:2]
    empty = frames[0]
    tracker = camera.BallotTracker.for_context(read_context(first), agree=3, gone=3)
    reports = [tracker.feed(g, n) for n, g in enumerate(held + [empty] * 4)]
    accepted = [r.accepted for r in reports if r.accepted]
    assert [r.state for r in reports[:2]] == ["reading", "reading"]
    assert len(accepted) == 1 and reports[4].accepted is accepted[0]  # decided when gone for 3 frames
    assert accepted[0].reading.status == "review" and accepted[0].reading.reasons == ("unstable_read",)
    assert accepted[0].reading.interpretation["camera"]["unstable"] is True
    assert tracker.finish() is None


def test_the_sharpest_frame_is_stored(videos, kiosks):
    _, first, _ = kiosks
    path, shown = videos["mp4-720"]
    frames = dict(_frames(path))
    s = shown[0]
    sharp = next(g for i, g in sorted(frames.items()) if i >= s.first_frame + 2)
    from PIL import Image, ImageFilter

    soft = np.asarray(Image.fromarray(sharp).filter(ImageFilter.GaussianBlur(1.2)))
    assert camera.sharpness(sharp) > camera.sharpness(soft)
    tracker = camera.BallotTracker.for_context(read_context(first), agree=3)
    reports = [tracker.feed(g, n) for n, g in enumerate([soft, sharp, soft])]
    acc = reports[-1].accepted
    assert acc is not None and acc.frame == 1 and np.array_equal(acc.gray, sharp)


def test_is_video_sniffs_content_not_names(tmp_path, videos):
    path, _ = videos["webm-1080"]
    renamed = tmp_path / "ballots.png"
    renamed.write_bytes(path.read_bytes())
    assert video.is_video(renamed) and video.is_video(videos["mp4-720"][0])
    (tmp_path / "x.mp4").write_bytes(b"not a video at all")
    assert not video.is_video(tmp_path / "x.mp4") and not video.is_video(tmp_path / "missing.mp4")


def test_memory_stays_bounded_while_a_ballot_stays_in_view(videos, kiosks):
    _, first, _ = kiosks
    path, shown = videos["mp4-720"]
    frames = dict(_frames(path))
    s = shown[0]
    held = next(g for i, g in sorted(frames.items()) if i >= s.first_frame + 3)
    tracker = camera.BallotTracker.for_context(read_context(first), agree=10**6, review_agree=10**6)
    for n in range(camera.MAX_READS + 25):
        tracker.feed(held, n)
    cur = tracker.current
    assert len(cur.reads) == camera.MAX_READS and cur.frames == camera.MAX_READS + 25
    assert len(cur.best) == 1  # one reading, one frame of pixels kept
