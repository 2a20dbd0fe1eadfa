"""x_cross fires once the crossed arms are held still, never while the forearms keep moving (core, no ROS)."""

import numpy as np
import pytest
from support.tiny_onnx import write_model

from gesture_ros.classify.event_config import EventConfig
from gesture_ros.classify.event_machine import EventStateMachine, FrameRef
from gesture_ros.classify.features import DEFAULT_POSE_LANDMARKS, FeatureSpec
from gesture_ros.classify.gesture_decider import DeciderConfig, GestureDecider
from gesture_ros.classify.onnx_model import RuntimeOptions, load_model
from gesture_ros.common.gesture_event import EventType
from gesture_ros.common.landmarks import POSE_LENGTH, Field, KeypointFrame, PoseLandmark, empty_landmarks
from gesture_ros.common.model_meta import GestureKind

LABELS = ["none", "x_cross"]
KINDS = {"none": GestureKind.NONE, "x_cross": GestureKind.TRIGGER}
STEP_NS = 66_666_667  # 15 fps
CPU = RuntimeOptions(providers=["cpu"], warmup_runs=1)


class Still:
    """A Motion whose hands are still from ``since_ns`` on."""

    def __init__(self, since_ns: int) -> None:
        self.since_ns = since_ns

    def rested_since(self, t_ns: int) -> bool:
        return False

    def still_for_ns(self, t_ns: int) -> int:
        return max(0, t_ns - self.since_ns)


def _triggers(motion, n: int = 30, hold_s: float = 0.3) -> list[int]:
    m = EventStateMachine(LABELS, KINDS, EventConfig(threshold=0.7, cooldown_s=0.0, hold_gestures={"x_cross"},
                                                     hold_s=hold_s))
    out = []
    for i in range(n):
        events = m.step(FrameRef(i * STEP_NS), np.array([0.1, 0.9], np.float32), motion=motion)
        out += [i for e in events if e.event_type is EventType.TRIGGER]
    return out


def test_held_one_shot_waits_for_the_hold_and_fires_once():
    assert _triggers(Still(since_ns=10 * STEP_NS)) == [15]  # 0.3 s = 4.5 frames after frame 10
    assert _triggers(Still(since_ns=10**15)) == []  # never still: never fires
    assert _triggers(None) == [0]  # no motion information: no wait


def _body(t: int, phase: float | None) -> KeypointFrame:
    """Return a body with crossed forearms; ``phase`` set: the forearms roll around each other."""
    pose = empty_landmarks(POSE_LENGTH)
    pose[:, Field.VISIBILITY] = 1.0
    pts = {PoseLandmark.NOSE: (0.5, 0.25), PoseLandmark.LEFT_SHOULDER: (0.6, 0.4),
           PoseLandmark.RIGHT_SHOULDER: (0.4, 0.4), PoseLandmark.LEFT_ELBOW: (0.64, 0.55),
           PoseLandmark.RIGHT_ELBOW: (0.36, 0.55), PoseLandmark.LEFT_HIP: (0.56, 0.7),
           PoseLandmark.RIGHT_HIP: (0.44, 0.7), PoseLandmark.LEFT_WRIST: (0.46, 0.62),
           PoseLandmark.RIGHT_WRIST: (0.54, 0.62)}
    for lm, (x, y) in pts.items():
        pose[lm, :2] = (x, y)
    pose[PoseLandmark.LEFT_INDEX, :2] = pose[PoseLandmark.LEFT_WRIST, :2] + (-0.02, 0.01)
    pose[PoseLandmark.RIGHT_INDEX, :2] = pose[PoseLandmark.RIGHT_WRIST, :2] + (0.02, 0.01)
    if phase is not None:  # the wrists circle around each other, 0.08 of the image, twice a second
        for lm, sign in ((PoseLandmark.LEFT_WRIST, 1.0), (PoseLandmark.RIGHT_WRIST, -1.0)):
            pose[lm, 0] += sign * 0.08 * np.cos(phase)
            pose[lm, 1] += sign * 0.08 * np.sin(phase)
    return KeypointFrame(stamp_ns=t, frame_id="cam", image_width=640, image_height=480, pose=pose)


@pytest.fixture
def model(tmp_path):
    spec = FeatureSpec(pose_landmarks=DEFAULT_POSE_LANDMARKS + ("LEFT_HIP", "RIGHT_HIP"), arm_geometry=True)
    path = write_model(tmp_path / "x.onnx", window=8, spec=spec, labels=LABELS, kinds=KINDS,
                       weights={"x_cross": {"arms.forearm_cross": 12.0, "pose.present": 1.0}}, bias={"none": 1.0})
    return load_model(path, CPU)


def _decide(model, rolling: bool) -> list[tuple[str, int]]:
    events = EventConfig(threshold=0.7, hold_gestures={"x_cross"}, hold_s=0.3)
    d = GestureDecider(model, DeciderConfig(events=events))
    out = []
    for i in range(45):
        f = _body(10**18 + i * STEP_NS, 2 * np.pi * 2.0 * i * STEP_NS / 1e9 if rolling else None)
        out += [(e.gesture, i) for e in d.push("cam", f).events if e.event_type is EventType.TRIGGER]
    return out


def test_crossed_forearms_held_still_fire_once_and_rolling_forearms_never(model):
    held = _decide(model, rolling=False)
    assert [g for g, _ in held] == ["x_cross"]
    assert held[0][1] >= 5  # waited for the hold: 0.3 s still (5 frames at 15 fps) after the body appeared
    assert _decide(model, rolling=True) == []
