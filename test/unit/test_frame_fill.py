"""frame_fill.between: the frames a faster camera would have added between two frames."""

import numpy as np
from support import hand_frames as hf

from gesture_ros.classify.frame_fill import between
from gesture_ros.common.landmarks import Field, HandLandmark, KeypointFrame

MS = 1_000_000


def test_frames_closer_than_the_step_get_nothing_in_between():
    a, b = hf.frame(0, 0.2), hf.frame(80 * MS, 0.4)
    assert between(a, b, 83 * MS) == []
    assert between(a, b, 0) == []


def test_a_hand_seen_in_both_moves_in_a_straight_line_at_even_steps():
    a, b = hf.frame(0, 0.2), hf.frame(250 * MS, 0.5)
    mids = between(a, b, 1_000_000_000 // 12)  # 250 ms in steps of at most 1/12 s: 3 steps, 2 frames between
    assert [m.stamp_ns for m in mids] == [83_333_333, 166_666_667]
    wrist = [m.right_hand[HandLandmark.WRIST, Field.X] for m in mids]
    assert np.allclose(wrist, [0.3, 0.4], atol=1e-6)
    assert all(m.left_hand is None and m.pose is None for m in mids)
    assert all((m.frame_id, m.image_width, m.image_height) == (b.frame_id, 640, 360) for m in mids)


def test_a_part_seen_in_only_one_frame_is_taken_from_the_nearer_one():
    a, b = hf.frame(0, None), hf.frame(400 * MS, 0.5)
    mids = between(a, b, 100 * MS)  # at 100, 200, 300 ms
    assert [m.right_hand is not None for m in mids] == [False, True, True]
    assert np.array_equal(mids[2].right_hand, b.right_hand, equal_nan=True)


def test_the_person_is_kept():
    a = KeypointFrame(stamp_ns=0, person_id=3, right_hand=hf.open_hand(0.2, 0.5))
    b = KeypointFrame(stamp_ns=300 * MS, person_id=3, right_hand=hf.open_hand(0.6, 0.5))
    assert {m.person_id for m in between(a, b, 100 * MS)} == {3}
