"""A fist folds its index (classify/hand_shape.closed_shape; issue 28: a pointing hand is no fist).

Models read some pointing hands as fists: the fold models one Pointer row in 15 of the performers
they never saw, most of them kinivi's. Fists pass the check (every fist still, 99 % of the Close
rows of 16 performers); Pointer rows whose index reaches out almost never (4 %), so a fist read on them
never STARTs, held still through the decider. Pointing toward the camera (the index foreshortened)
still passes: those false fists stay (models/eval/summary.md gives both figures).
"""

from __future__ import annotations

import numpy as np
from support.data import REPO, shared_data

from gesture_ros.classify.features import SequenceArrays
from gesture_ros.classify.gesture_decider import GestureDecider
from gesture_ros.classify.hand_shape import closed_shape, fist_closed
from gesture_ros.classify.onnx_model import RuntimeOptions, load_model
from gesture_ros.classify.params import PARAMS, settings_from
from gesture_ros.common.landmarks import HAND_LENGTH, N_FIELDS, POSE_LENGTH, KeypointFrame
from gesture_ros.common.param_files import node_params
from gesture_ros.common.paths import resolve_shipped
from gesture_ros.toolkit import event_eval as E
from gesture_ros.toolkit import sign_rows
from gesture_ros.toolkit.fold_eval import hand_sign_windows
from gesture_ros.toolkit.stills import load_stills

KINIVI_FOLD = 0
FOLD_MODEL = REPO / "models" / "eval" / "folds" / f"fold{KINIVI_FOLD}.onnx"


def _sign_hands(data, label: str) -> np.ndarray:
    return np.concatenate([item[2].right_hand[item[3] == label, :, :2] for name in sign_rows.sources(data)
                           for item in sign_rows.performer_items(data, name, 10 ** 6)])


def _held(hand_xy: np.ndarray, frames: int = 24, fps: float = 15.0) -> list[KeypointFrame]:
    """A hand-sign row held still (the rows' 1000x1000 image), as the stills are held."""
    hand = np.zeros((frames, HAND_LENGTH, N_FIELDS))
    hand[:, :, :2] = hand_xy
    hand[:, :, 3:] = 1.0
    nan = np.full((frames, POSE_LENGTH, N_FIELDS), np.nan)
    stamps = (np.arange(frames) * 1e9 / fps).astype(np.int64)
    return E.keypoint_frames(SequenceArrays(stamps, nan, np.full_like(hand, np.nan), hand, (1000, 1000)))


def test_fists_pass_and_pointing_hands_reaching_out_do_not():
    data = shared_data("landmarks/hand_sign_more").parents[1]
    for s in load_stills(data, ["hand_emergency_fist"], progress=False):
        hand = s.right_hand[-1] if np.isfinite(s.right_hand[-1, 0, 0]) else s.left_hand[-1]
        frame = KeypointFrame(stamp_ns=0, frame_id="s", image_width=s.image_size[0], image_height=s.image_size[1],
                              right_hand=hand if np.isfinite(hand[0, 0]) else None)
        assert frame.right_hand is None or fist_closed(frame), s.key
    fists = _sign_hands(data, "fist")
    assert len(fists) > 3500 and np.mean([closed_shape(xy) for xy in fists]) >= 0.98
    pointing = _sign_hands(data, "pointing")
    reach = np.linalg.norm(pointing[:, 8] - pointing[:, 0], axis=1) / np.linalg.norm(pointing[:, 9] - pointing[:, 0], axis=1)
    out = pointing[reach >= 1.5]  # the index well out of the palm
    assert len(out) > 2000 and np.mean([closed_shape(xy) for xy in out]) <= 0.05


def test_no_hand_is_no_fist():
    assert not fist_closed(None)
    assert not fist_closed(KeypointFrame(stamp_ns=0, frame_id="c", image_width=640, image_height=480))


def _misread_reaching() -> list[np.ndarray]:
    """kinivi's Pointer windows that fold 0 (which never saw kinivi) reads as fist, their index reaching out."""
    data = shared_data("landmarks/hand_sign_more").parents[1]
    w = hand_sign_windows(FOLD_MODEL, data, KINIVI_FOLD)
    labels = list(w["labels"])
    misread = (w["y"] == labels.index("pointing")) & (w["model_pred"] == labels.index("fist"))
    return [xy for xy in w["hand"][misread] if not closed_shape(xy)]


def test_pointing_rows_a_held_out_model_reads_as_fist_start_no_fist_held_still():
    # 55 windows; each one's last row held still alone STARTs fist in 9 of them without the check
    # (the rest read as pointing or none)
    reaching = _misread_reaching()
    assert len(reaching) >= 40
    off = [E.fired(E.run(E.decider(FOLD_MODEL, {"closed_hand_gestures": []}), _held(xy), "cam")) for xy in reaching]
    on = [E.fired(E.run(E.decider(FOLD_MODEL), _held(xy), "cam")) for xy in reaching]
    assert sum(ev == ["fist"] for ev in off) >= 6, off
    assert all("fist" not in ev for ev in on), on


def test_the_robot_profile_never_holds_a_stop_back_for_its_shape():
    """open_palm and fist stop the robot (config/actions/robot.yaml): there a fist read on a pointing
    hand stops it (8 of the 55 rows held still, under the profile's own threshold), as before the check."""
    robot = node_params([resolve_shipped("config/classifier.yaml"), resolve_shipped("config/profiles/robot.yaml")],
                        "classifier_node")
    config = settings_from(robot).decider
    assert config.closed_hand_gestures == frozenset() and config.open_hand_gestures == frozenset()
    model = load_model(FOLD_MODEL, RuntimeOptions(providers=["cpu"], warmup_runs=1))
    started = [E.fired(E.run(GestureDecider(model, config), _held(xy), "cam")) for xy in _misread_reaching()]
    assert sum(ev == ["fist"] for ev in started) >= 6, started


def test_the_parameter_reaches_the_decider():
    values = {p.name: p.default for p in PARAMS}
    assert settings_from(values).decider.closed_hand_gestures == frozenset({"fist"})
    values["closed_hand_gestures"] = []
    assert settings_from(values).decider.closed_hand_gestures == frozenset()
