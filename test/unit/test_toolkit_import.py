"""Real data into the dataset format: the kinivi CSVs, the Holistic npz, and a recorded video take."""

import numpy as np
from support.data import shared_data

from gesture_ros.classify.features import FeatureSpec
from gesture_ros.toolkit import import_csv, record
from gesture_ros.toolkit.dataset import Dataset


def test_hand_sign_rows_become_right_hands_in_contiguous_blocks(tmp_path):
    csv = shared_data("landmarks/hand_sign_keypoints.csv")
    labels = shared_data("landmarks/hand_sign_labels.csv")
    assert import_csv.main(["hand-sign", str(csv), "--labels", str(labels), "--block", "50", "--out", str(tmp_path)]) == 0
    recs = Dataset(tmp_path).records()
    assert sum(r.n_frames for r in recs) == 4787 and {r.label for r in recs} == {"Open", "Close", "Pointer", "OK"}
    assert max(r.n_frames for r in recs) == 50
    arrays, fl = Dataset(tmp_path).load(recs[0])
    spec = FeatureSpec(parts=("right_hand",), motion=False)
    f = spec.sequence_features(arrays)
    assert np.all(f[:, spec.names().index("hand.present")] == 1.0) and set(fl) == {recs[0].label}


def test_fingertip_rows_are_sixteen_frame_paths():
    csv = shared_data("landmarks/fingertip_history.csv")
    items = import_csv.fingertip_items(csv, import_csv.read_labels(shared_data("landmarks/fingertip_history_labels.csv"), 4))
    assert len(items) == 5296 and all(len(it[2]) == 16 for it in items[:50])
    # rows overlap in time, so neighbouring rows share a block group
    assert items[0][1] == items[49][1] != items[50][1]
    spec = FeatureSpec(parts=("right_hand",))
    moving = [it for it in items if it[3][0] == "Move"][:20]
    speeds = [np.abs(spec.sequence_features(it[2])[1:, spec.names().index("hand.vx")]).mean() for it in moving]
    assert max(speeds) > 0.01


def test_holistic_npz_keeps_both_hands_and_pose():
    items = import_csv.holistic_items(shared_data("sequences/holistic_right_left_pose.npz"))
    assert len(items) == 90 and {it[3][0] for it in items} == {"Close", "Happy", "Hello"}
    spec = FeatureSpec(hand_mode="both", mirror_left=False)
    f = spec.sequence_features(items[0][2])
    names = spec.names()
    assert f[:, names.index("left_hand.present")].all() and f[:, names.index("pose.present")].all()


def test_record_a_video_take_through_the_extractor(tmp_path):
    gif = shared_data("videos/swipe2_left_right.gif")
    rc = record.main(["--video", str(gif), "--label", "swipe_right", "--out", str(tmp_path), "--person", "gif",
                      "--model", "hands"])
    assert rc == 0
    (rec,) = Dataset(tmp_path).records()
    arrays, fl = Dataset(tmp_path).load(rec)
    assert rec.source == "video:swipe2_left_right.gif" and rec.n_frames == 56 and 12 < rec.fps < 18
    assert np.isfinite(arrays.left_hand[:, 0, 0]).sum() > 40
    # the trigger segment is where the hand moves fast, not the still start
    active = np.flatnonzero(fl == "swipe_right")
    assert 0 < len(active) < 56 and active[0] > 5 and {16, 20} <= set(active)
