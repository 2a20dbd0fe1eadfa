"""False events per minute of non-gesture motion, the clips' exact share, and clips at other camera rates."""

import numpy as np
import pytest

from gesture_ros.common.landmarks import KeypointFrame
from gesture_ros.toolkit.eval_summary import motion_lines, rate_lines
from gesture_ros.toolkit.motion_eval import duration_s, exact_share, false_event_rate, synthetic_negatives
from gesture_ros.toolkit.rate_eval import agree, at_rate


def clip(n: int, fps: float, t0: int = 10**18) -> list[KeypointFrame]:
    """``n`` frames at ``fps``; frame i's right hand is filled with i (which clip frame a copy shows)."""
    return [KeypointFrame(stamp_ns=t0 + int(round(i * 1e9 / fps)), right_hand=np.full((21, 5), i, np.float32))
            for i in range(n)]


def shown(frames: list[KeypointFrame]) -> list[int]:
    return [int(f.right_hand[0, 0]) for f in frames]


def test_a_run_lasts_from_its_first_stamp_to_one_frame_after_its_last():
    assert duration_s(clip(30, 15.0)) == pytest.approx(2.0, abs=1e-6)
    assert duration_s(clip(1, 15.0)) == 0.0


def test_false_events_are_counted_per_minute_of_all_sources_together_and_per_kind():
    rows = [("clips", "a", 30.0, ["open_palm"]), ("clips", "b", 30.0, []),
            ("referee", "r0", 1.0, ["swipe_left", "swipe_left"]), ("referee", "r1", 59.0, [])]
    r = false_event_rate(rows)
    assert r["all"] == {"sources": 4, "events": 3, "minutes": 2.0, "per_minute": 1.5,
                        "gestures": {"open_palm": 1, "swipe_left": 2}}
    assert r["clips"]["per_minute"] == 1.0 and r["referee"]["per_minute"] == 2.0


def test_the_exact_share_counts_every_frame_and_live_runs_apart():
    runs = {"neg": {"every frame": [], "30% skipped": ["open_palm"], "50% skipped": []},
            "swipe": {"every frame": ["swipe_right", "swipe_left"], "30% skipped": ["swipe_right"],
                      "50% skipped": ["swipe_right", "swipe_left"]}}
    got = exact_share(runs, {"neg": [], "swipe": ["swipe_right", "swipe_left"]})
    assert got == {"every frame": {"exact": 2, "runs": 2, "share": 1.0}, "live": {"exact": 2, "runs": 4, "share": 0.5}}


@pytest.mark.parametrize("fps, expected", [
    (30.0, [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]),  # each clip frame shown twice
    (15.0, [0, 1, 2, 3, 4]),
    (10.0, [0, 1, 3, 4]),  # 0, 100, 200, 300 ms: frames 1 and 4 shown, 2 never
    (60.0, [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4]),
])
def test_a_clip_is_shown_as_a_camera_of_another_rate_would_newest_frame_at_each_tick(fps, expected):
    src = clip(5, 15.0)  # 0 .. 333 ms, lasting 333 ms
    got = at_rate(src, fps)
    assert shown(got) == expected
    stamps = np.array([f.stamp_ns for f in got])
    assert stamps[0] == src[0].stamp_ns
    np.testing.assert_allclose(np.diff(stamps), 1e9 / fps, atol=1)
    assert got[0] is not src[0] and src[1].stamp_ns == 10**18 + 66_666_667  # the clip itself is left alone


def test_rates_agree_only_when_every_rate_gives_the_same_events():
    table = {"a": {"10 fps": [], "60 fps": []}, "b": {"10 fps": ["TRIGGER swipe_left"], "60 fps": []}}
    assert agree(table) == {"a": True, "b": False}
    text = "\n".join(rate_lines({"m": table}))
    assert "| a | none | none | yes |" in text and "| b | TRIGGER swipe_left | none | **no** |" in text


def test_the_summary_sets_the_models_false_events_and_exact_clips_side_by_side():
    rows = [("negative clips", "c", 60.0, ["open_palm"]), ("referee signals", "r", 60.0, [])]
    res = {"false_events": false_event_rate(rows), "exact": exact_share({"c": {"every frame": ["open_palm"]}},
                                                                        {"c": []}),
           "clips": {"c": {"every frame": ["open_palm"]}}}
    text = "\n".join(motion_lines({"new": res, "old": res}))
    assert "| new | 0.50 (1 in 2.00 min) | 1.00 (1 in 1.00 min) | 0.00 (0 in 1.00 min) |  | 0/1 | 0/0 |" in text
    assert "- c: every frame open_palm" in text


def test_the_synthetic_negatives_are_seeded_keypoint_runs_that_show_the_moving_hand():
    a, b = synthetic_negatives(3), synthetic_negatives(3, seed=5)
    assert len(a) == 3 and [n for n, _f in a] != [n for n, _f in b]
    for _name, frames in a:
        assert duration_s(frames) > 1.0
        # a hand, or (a Pose-only keypoint model, as the training data has) the body with its wrists
        assert any(f.left_hand is not None or f.right_hand is not None or f.pose is not None for f in frames)
