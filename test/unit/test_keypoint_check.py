"""Keypoint frames that break Keypoints.msg's layout are refused with a kind and a sentence."""

import numpy as np
from support import hand_frames as hf

from gesture_ros.classify.keypoint_check import frame_problem
from gesture_ros.common.landmarks import Field, HandLandmark


def _kind(frame):
    problem = frame_problem(frame)
    return problem and problem[0]


def test_good_frames_pass_and_bad_ones_say_why():
    good = hf.frame(hf.T0_NS, 0.5)
    assert frame_problem(good) is None
    assert frame_problem(hf.frame(hf.T0_NS, None)) is None  # no hand is a frame, not a fault
    visibility = hf.frame(hf.T0_NS, 0.5)
    visibility.right_hand[:, Field.VISIBILITY] = np.nan  # documented: hands have no visibility
    assert frame_problem(visibility) is None
    for value in (np.nan, np.inf, -np.inf, 1e6):
        bad = hf.frame(hf.T0_NS, 0.5)
        bad.right_hand[HandLandmark.THUMB_TIP, Field.Y] = value
        kind, sentence = frame_problem(bad)
        assert kind == "coordinates" and sentence.startswith("keypoints from 'cam' refused: right_hand has")
    inf_presence = hf.frame(hf.T0_NS, 0.5)
    inf_presence.right_hand[0, Field.PRESENCE] = np.inf
    assert _kind(inf_presence) == "coordinates"
    assert _kind(hf.frame(0, 0.5)) == "stamp"
    assert _kind(hf.frame(hf.T0_NS, 0.5, frame_id="x" * 300)) == "frame_id"
    kind, sentence = frame_problem(hf.frame(hf.T0_NS, 0.5, frame_id="cam\x00\x1b[2J"))
    assert kind == "frame_id" and "cam\\x00\\x1b[2J" in sentence
    score = hf.frame(hf.T0_NS, 0.5)
    score.right_hand_score = float("nan")
    assert _kind(score) == "coordinates"
