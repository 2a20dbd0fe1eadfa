"""swipe_frame: the model's image-frame swipes renamed to the performer's own left and right."""

import numpy as np
import pytest
from support import hand_frames as hf
from support.tiny_onnx import write_model

from gesture_ros.classify.event_config import EventConfig
from gesture_ros.classify.gesture_decider import DeciderConfig, GestureDecider
from gesture_ros.classify.onnx_model import RuntimeOptions, load_model
from gesture_ros.classify.params import settings_from
from gesture_ros.classify.swipe_viewpoint import SwipeFrame, exchange_needed, performer_left_sign, swap_swipes
from gesture_ros.common.gesture_event import EventType
from gesture_ros.common.landmarks import POSE_LENGTH, Field, KeypointFrame, PoseLandmark, empty_landmarks

CPU = RuntimeOptions(providers=["cpu"], warmup_runs=1)


def body(left_shoulder_x: float, right_shoulder_x: float) -> np.ndarray:
    pose = empty_landmarks(POSE_LENGTH)
    pose[:, Field.VISIBILITY] = 1.0
    pose[PoseLandmark.LEFT_SHOULDER, :2] = (left_shoulder_x, 0.4)
    pose[PoseLandmark.RIGHT_SHOULDER, :2] = (right_shoulder_x, 0.4)
    return pose


def test_performer_side_comes_from_the_shoulders():
    facing = KeypointFrame(stamp_ns=0, image_width=640, image_height=480, pose=body(0.6, 0.4))
    mirrored = KeypointFrame(stamp_ns=0, image_width=640, image_height=480, pose=body(0.4, 0.6))
    edge_on = KeypointFrame(stamp_ns=0, image_width=640, image_height=480, pose=body(0.505, 0.5))
    assert performer_left_sign(facing) == 1
    assert performer_left_sign(mirrored) == -1
    assert performer_left_sign(edge_on) == 0
    assert performer_left_sign(KeypointFrame(stamp_ns=0)) == 0


def test_exchange_only_in_the_performer_frame_when_their_left_is_image_right():
    assert not exchange_needed(SwipeFrame.IMAGE, [1, 1, 1])
    assert exchange_needed(SwipeFrame.PERFORMER, [1, 1, 0])
    assert exchange_needed(SwipeFrame.PERFORMER, [0, 0])  # no body: a facing, unmirrored camera is assumed
    assert not exchange_needed(SwipeFrame.PERFORMER, [-1, -1, 1])  # mirrored image (or the back turned)


def test_swap_exchanges_only_the_swipe_columns():
    labels = ["none", "swipe_left", "swipe_right", "x_cross"]
    p = np.array([0.1, 0.2, 0.6, 0.1], np.float32)
    assert swap_swipes(p, labels).tolist() == pytest.approx([0.1, 0.6, 0.2, 0.1])
    assert p.tolist() == pytest.approx([0.1, 0.2, 0.6, 0.1])  # a copy
    assert swap_swipes(p, ["none", "a", "b", "c"]).tolist() == pytest.approx(p.tolist())


def test_parameter_is_validated():
    assert settings_from({"swipe_frame": "performer"}).decider.swipe_frame is SwipeFrame.PERFORMER
    with pytest.raises(ValueError, match="swipe_frame"):
        settings_from({"swipe_frame": "camera"})


@pytest.fixture
def model(tmp_path):
    return load_model(write_model(tmp_path / "tiny.onnx", window=8), CPU)


def _swipes(model, frame_kind: SwipeFrame, shoulders: tuple | None) -> list[str]:
    d = GestureDecider(model, DeciderConfig(events=EventConfig(threshold=0.7, deny={"open_palm"}),
                                            swipe_frame=frame_kind))
    out = []
    for f in list(hf.empty(8)) + list(hf.sweep(12, 8, 0.2, 0.8)) + list(hf.empty(12, 20)):
        if shoulders:  # image x of the performer's left and right shoulders
            f = KeypointFrame(stamp_ns=f.stamp_ns, frame_id=f.frame_id, image_width=f.image_width,
                              image_height=f.image_height, right_hand=f.right_hand, pose=body(*shoulders))
        out += [e.gesture for e in d.push("cam", f).events if e.event_type is EventType.TRIGGER]
    return out


def test_a_stroke_toward_image_right_is_the_performers_swipe_left(model):
    assert _swipes(model, SwipeFrame.IMAGE, None) == ["swipe_right"]
    assert _swipes(model, SwipeFrame.PERFORMER, None) == ["swipe_left"]  # assumed: facing an unmirrored camera
    assert _swipes(model, SwipeFrame.PERFORMER, (0.6, 0.4)) == ["swipe_left"]  # facing, unmirrored
    assert _swipes(model, SwipeFrame.PERFORMER, (0.4, 0.6)) == ["swipe_right"]  # mirrored image: already theirs
    assert _swipes(model, SwipeFrame.IMAGE, (0.4, 0.6)) == ["swipe_right"]
