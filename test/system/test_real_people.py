"""Real people held out: their stills through the real extractor, decided by a model that never saw them.

models/eval/folds/fold{0,1,2}.onnx are the default recipe trained without person A, B or C
(`make eval` rebuilds them; toolkit/real_train). Each test still is fed 24 times to a fresh
MediaPipe Hands+Pose extractor (a person holding the pose for 1.6 s at 15 fps) and decided by
the classifier's own decider with config/classifier.yaml. The stills are the first ones by file
name of each person (as `gesture people` groups them) in which the extractor found the part the
gesture needs.
"""

import json

import numpy as np
import pytest
from support.data import REPO, shared_data

from gesture_ros.classify.onnx_model import RuntimeOptions, load_model
from gesture_ros.common.paths import resolve_shipped
from gesture_ros.toolkit import event_eval as E
from gesture_ros.toolkit.fold_eval import SIGN_CLASSES, hand_sign_windows, sign_report
from gesture_ros.toolkit.people import group_people
from gesture_ros.toolkit.stills import extract_still

FOLDS = REPO / "models" / "eval" / "folds"
FOLD_OF = {"A": 0, "B": 1, "C": 2}
SHIPPED = resolve_shipped("models/gesture_default.onnx")
HAND_GESTURES = ("thumbs_up", "thumbs_down", "open_palm", "fist")
STILLS = {  # (folder, person): file name prefixes
    ("body_video_pause", "A"): ["003d3628", "00b13191", "0605daf3", "075b2f89"],
    ("body_video_pause", "B"): ["00404ab9", "031a5154", "03935b50", "05d0edb2"],
    ("body_video_pause", "C"): ["0264926d", "13e72513", "15b32ee4", "1b45fbae"],
    ("hand_up_thumbs_up", "A"): ["0015e013", "03157db4"],
    ("hand_up_thumbs_up", "B"): ["06dc2d88", "0780283c"],
    ("hand_down_thumbs_down", "A"): ["001731f9", "00244a17"],
    ("hand_down_thumbs_down", "B"): ["00ebba5d", "030f9a7c"],
    ("hand_palm_open_palm", "A"): ["027e3d5e", "02805538"],
    ("hand_palm_open_palm", "B"): ["01453c01", "01cf8dec"],
    ("hand_emergency_fist", "A"): ["015fa067", "02f6c34f"],
    ("hand_emergency_fist", "B"): ["042c889b", "05c635eb"],
}


@pytest.fixture(scope="module")
def stills():
    root = shared_data("stills")
    out = {}
    for (folder, who), prefixes in STILLS.items():
        paths = [next((root / folder).glob(f"{p}*.jpg")) for p in prefixes]
        out[(folder, who)] = [extract_still(p, frames=E.HOLD_FRAMES) for p in paths]
    return out


def fold_model(who: str):
    path = FOLDS / f"fold{FOLD_OF[who]}.onnx"
    assert path.exists(), f"{path} is missing: `make eval` writes the held-out-person models"
    return path


def decide(model, still, source: str) -> list[str]:
    frames = E.keypoint_frames(still.held(E.HOLD_FRAMES, E.HOLD_FPS, start_ns=10**18), still.key)
    return E.fired(E.run(E.decider(model), frames, source))


@pytest.mark.parametrize("who", ["A", "B", "C"])
def test_a_held_out_person_holding_crossed_forearms_fires_x_cross(stills, who):
    model = fold_model(who)
    results = [decide(model, s, f"{who}{i}") for i, s in enumerate(stills[("body_video_pause", who)])]
    assert sum(r == ["x_cross"] for r in results) >= 3, results
    assert all(set(r) <= {"x_cross"} for r in results), results


FAR_C = ["0b42d29c", "0d36c43f", "11a0c37c", "1a6a2987"]  # C ~5 m away: whole-frame Pose finds no body


def test_a_held_out_person_too_far_for_whole_frame_pose_fires_x_cross_through_the_far_body_search():
    root = shared_data("stills/body_video_pause")
    model = fold_model("C")
    results = []
    for i, prefix in enumerate(FAR_C):
        still = extract_still(next(root.glob(f"{prefix}*.jpg")), frames=E.HOLD_FRAMES)
        assert np.all(np.isfinite(still.pose[:, 0, 0])), f"{prefix}: the far-body search found no body"
        results.append(decide(model, still, f"farC{i}"))
    assert sum(r == ["x_cross"] for r in results) >= 3, results
    assert all(set(r) <= {"x_cross"} for r in results), results


@pytest.mark.parametrize("who", ["A", "B"])
def test_a_held_out_persons_hand_gestures_start_and_are_not_confused(stills, who):
    model = fold_model(who)
    wrong, hits = [], 0
    for (folder, person), group in stills.items():
        if person != who or folder == "body_video_pause":
            continue
        for i, s in enumerate(group):
            fired = decide(model, s, f"{who}{folder}{i}")
            hits += s.label in fired
            wrong += [(s.label, g) for g in fired if g != s.label and g in HAND_GESTURES]
    assert hits >= 7, f"{hits} of 8 stills gave their gesture"
    assert wrong == []


def test_the_stills_group_into_the_people_checked_by_eye(stills):
    flat = [s for group in stills.values() for s in group]
    people = group_people(shared_data("stills").parent, flat)
    expected = {s.key: who for (_folder, who), group in stills.items() for s in group}
    assert people == expected


def _referee_x_cross(path, size=E.VOLLEYBALL_SIZE, overrides=None) -> dict:
    data = shared_data("sequences/volleyball_signals").parents[1]
    res = E.volleyball(E.decider(path, overrides), data, size)
    assert sum(r["sequences"] for r in res.values()) == 60
    return {cls: r["events"].get("x_cross", 0) for cls, r in res.items()}


def test_the_referee_signals_give_x_cross_at_most_as_often_as_measured():
    # measured by `make eval` (models/eval/summary.md): the shipped model and the fold models 0 of 60
    # at 16:9 and at 4:3 (before the forearm check: 0 and 1, 2 and 6); `Substi`'s rolled forearms never
    shipped = _referee_x_cross(SHIPPED)
    folds = [_referee_x_cross(fold_model(w)) for w in "ABC"]
    assert shipped["Substi"] == 0 and all(f["Substi"] == 0 for f in folds), (shipped, folds)
    assert sum(shipped.values()) == 0, shipped
    assert sum(sum(f.values()) for f in folds) == 0, folds
    square = _referee_x_cross(SHIPPED, (640, 480))
    assert sum(square.values()) == 0, square
    square_folds = [_referee_x_cross(fold_model(w), (640, 480)) for w in "ABC"]
    assert sum(sum(f.values()) for f in square_folds) == 0, square_folds


def test_the_standing_referee_with_hidden_wrists_fires_x_cross_only_without_the_forearm_check():
    # read as 4:3, standing `Nothing` sequences (hands low in front, wrists below visibility 0.5) score
    # as the low X (model 1.4.0: two of them with frames as they come, one on the model's 25 fps clock;
    # 1.3.0: one): the check (forearm_gestures, config/classifier.yaml) waits for seen forearms with the
    # wrists within the body's width
    off = _referee_x_cross(SHIPPED, (640, 480), {"forearm_gestures": []})
    assert off["Nothing"] == 1 and sum(off.values()) == 1, off
    raw = _referee_x_cross(SHIPPED, (640, 480), {"forearm_gestures": [], "resample": False})
    assert raw["Nothing"] == 2 and sum(raw.values()) == 2, raw
    assert _referee_x_cross(SHIPPED, (640, 480))["Nothing"] == 0


def test_hand_sign_rows_of_other_performers_held_out():
    # folds 1 and 2 hold out the 12 performers of landmarks/hand_sign_more (toolkit/sign_rows), which
    # no model before the 1.5.0 recipe saw at all; fold 0 holds out kinivi, whose rows 1.4.0's folds
    # held out by thirds only, so it is scored by `make eval` (models/eval/summary.md), not here
    data = shared_data("landmarks/hand_sign_more").parents[1]
    ys, preds, hands, who, labels = [], [], [], [], None
    for person in ("B", "C"):
        w = hand_sign_windows(fold_model(person), data, FOLD_OF[person])
        ys.append(w["y"])
        preds.append(w["pred"])
        hands.append(w["hand"])
        who.append(w["performer"])
        labels = list(w["labels"])
    rep = sign_report(np.concatenate(ys), np.concatenate(preds), labels, np.concatenate(hands), np.concatenate(who))
    assert len(rep["per_performer"]) == 12
    for name in SIGN_CLASSES:
        assert rep[name]["recall"] >= RECALL_FLOOR[name], (name, rep[name])
        assert rep[name]["precision"] >= PRECISION_FLOOR[name], (name, rep[name])
    assert rep["ok_sign_as_none"] >= NONE_FLOOR
    # the author's definitions: no Open row hanging down is scored as open_palm; Pointer rows point every way
    assert rep["open_palm_by_direction"]["100-181"]["n"] == 0
    assert rep["pointing_by_direction"]["100-181"]["n"] > 0


def test_the_shipped_model_says_which_data_it_saw_and_keeps_the_feature_spec_contract():
    model = load_model(SHIPPED, RuntimeOptions(providers=["cpu"], warmup_runs=1))
    assert "../shared/data stills of people A,B,C" in json.dumps(model.meta.metrics)
    assert model.spec.arm_geometry and model.spec.finger_geometry and model.feature_dim == model.spec.dim


# the held-out figures of the 12 other performers, less a small margin: 1.4.0's folds recall 0.976 /
# 0.984 / 0.801 (one performer's pointing 0.46), precision 1.000 / 1.000 / 0.990, none 1.000; the 1.5.0
# recipe's folds 0.975 / 0.988 / 0.998, 0.989 / 0.998 / 0.995, none 0.985 (not shipped: models/MODEL_CARD.md)
RECALL_FLOOR = {"open_palm": 0.95, "fist": 0.95, "pointing": 0.77}
PRECISION_FLOOR = {"open_palm": 0.97, "fist": 0.97, "pointing": 0.97}
NONE_FLOOR = 0.95
