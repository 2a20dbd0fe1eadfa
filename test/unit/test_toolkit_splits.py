"""Splits never put one sequence/block/person on both sides; window labels follow the segments."""

import numpy as np

from gesture_ros.classify.features import FeatureSpec
from gesture_ros.common.model_meta import GestureKind
from gesture_ros.toolkit.experiments import Experiment, _fold_masks
from gesture_ros.toolkit.splits import contiguous_blocks, group_split
from gesture_ros.toolkit.training_windows import build_windows, window_labels


def test_group_split_keeps_groups_whole():
    groups = np.repeat([f"p{i}" for i in range(30)], 7)
    for seed in range(5):
        tr, te = group_split(groups, 0.2, seed)
        assert tr.sum() and te.sum() and not np.any(tr & te)
        assert not set(groups[tr]) & set(groups[te])


def test_group_kfold_tests_every_group_once():
    groups = np.repeat([f"b{i}" for i in range(11)], 3)
    masks = _fold_masks(groups, Experiment("x", FeatureSpec(), 1, 1, folds=4), 0)
    assert np.array_equal(np.sum(masks, axis=0), np.ones(len(groups)))
    for m in masks:
        assert not set(groups[m]) & set(groups[~m])


def test_contiguous_blocks():
    b = contiguous_blocks(10, 4)
    assert list(b) == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2]


def test_window_labels_trigger_and_held_rules():
    kinds = {"none": GestureKind.NONE, "swipe_left": GestureKind.TRIGGER, "fist": GestureKind.HELD}
    fl = np.array(["none"] * 10 + ["swipe_left"] * 6 + ["none"] * 14)
    wl = window_labels(fl, 8, kinds)
    assert wl[5] == "none"  # before the swipe
    assert wl[12] == ""  # half the swipe: ambiguous, left out
    assert wl[16] == "swipe_left"  # the whole swipe inside the window
    assert wl[29] == "none"
    fl = np.array(["none"] * 5 + ["fist"] * 20)
    wl = window_labels(fl, 10, kinds)
    assert wl[7] == "" and wl[14] == "fist" and wl[24] == "fist"


def test_windows_carry_their_sequence_group():
    feats = np.arange(40, dtype=np.float32).reshape(20, 2)
    items = [("s1", "g1", feats[:10], np.array(["none"] * 10)), ("s2", "g2", feats[10:], np.array(["none"] * 10))]
    ws = build_windows(items, 4, 1, ["none"], {"none": GestureKind.NONE})
    assert len(ws) == 20 and set(ws.groups) == {"g1", "g2"}
    x = ws.x
    last_s2 = x[np.flatnonzero(ws.seq_ids == "s2")[0]]  # windows are newest first per sequence
    np.testing.assert_array_equal(last_s2, feats[16:20])
    first_s2 = x[np.flatnonzero(ws.seq_ids == "s2")[-1]]
    assert np.all(first_s2[:3] == 0) and np.all(first_s2[3] == feats[10])  # left-padded, never from s1
