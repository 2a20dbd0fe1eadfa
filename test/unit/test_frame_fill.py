"""frame_fill: the keypoint stream on the model's clock (ticks every 1/fps, landmarks interpolated)."""

import numpy as np
from support import hand_frames as hf

from gesture_ros.classify.frame_fill import Resampler, at
from gesture_ros.common.landmarks import Field, HandLandmark, KeypointFrame

MS = 1_000_000


def ticks(frames, period_ns=40 * MS):
    clock = Resampler(period_ns)
    return [t for f in frames for t in clock.push(f)]


def test_a_hand_seen_in_both_moves_in_a_straight_line_at_the_clocks_ticks():
    a, b = hf.frame(0, 0.2), hf.frame(250 * MS, 0.5)
    out = ticks([a, b], 1e9 / 12)  # 12 Hz: 0, 83.3, 166.7 ms; 250 ms is the fourth tick, b itself
    assert [m.stamp_ns for m in out] == [0, 83_333_333, 166_666_667, 250 * MS]
    wrist = [m.right_hand[HandLandmark.WRIST, Field.X] for m in out]
    assert np.allclose(wrist, [0.2, 0.3, 0.4, 0.5], atol=1e-6) and out[-1] is b
    assert all(m.left_hand is None and m.pose is None for m in out)
    assert all((m.frame_id, m.image_width, m.image_height) == (b.frame_id, 640, 360) for m in out)


def test_frames_between_ticks_add_none_and_the_ticks_stay_on_the_clock():
    frames = [hf.frame(i * 15 * MS, 0.2 + 0.01 * i) for i in range(10)]  # 66.7 fps for 135 ms
    assert [m.stamp_ns for m in ticks(frames)] == [0, 40 * MS, 80 * MS, 120 * MS]


def test_a_reset_starts_the_clock_at_the_next_frame():
    clock = Resampler(40 * MS)
    clock.push(hf.frame(0, 0.2))
    clock.reset()
    assert [m.stamp_ns for m in clock.push(hf.frame(7 * MS, 0.2))] == [7 * MS]
    assert [m.stamp_ns for m in clock.push(hf.frame(100 * MS, 0.2))] == [47 * MS, 87 * MS]


def test_a_part_seen_in_only_one_frame_is_taken_from_the_nearer_one():
    a, b = hf.frame(0, None), hf.frame(400 * MS, 0.5)
    mids = [at(a, b, t * MS) for t in (100, 200, 300)]
    assert [m.right_hand is not None for m in mids] == [False, True, True]
    assert np.array_equal(mids[2].right_hand, b.right_hand, equal_nan=True)


def test_the_person_is_kept():
    a = KeypointFrame(stamp_ns=0, person_id=3, right_hand=hf.open_hand(0.2, 0.5))
    b = KeypointFrame(stamp_ns=300 * MS, person_id=3, right_hand=hf.open_hand(0.6, 0.5))
    assert {m.person_id for m in ticks([a, b], 100 * MS)} == {3}
