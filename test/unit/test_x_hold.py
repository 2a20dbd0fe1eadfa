"""The X as people make it (issue 28): motion into the cross, a short hold with real jitter, motion out.

Real X stills (../shared/data/stills/body_video_pause through the real extractor) give each
sequence's crossed pose; the arms come in from hanging down (0.4 s, eased), hold the X for half
a second, and go back down. Every pose landmark gets Gaussian jitter of 0.025 torso lengths per
axis per frame (the referee's standing body's 95th percentile frame-to-frame wrist step is 0.085
torso lengths at 30 fps, that of the X stills through the extractor 0.049: 0.025 is the larger
as a per-axis sigma) and the forearms sway slowly while crossed. The shipped model and config
fire x_cross on them; the referee's rolling forearms (Substi) still never do.
"""

from __future__ import annotations

import numpy as np
import pytest
from support.data import shared_data

from gesture_ros.classify.features import SequenceArrays
from gesture_ros.common.landmarks import PoseLandmark as P
from gesture_ros.common.paths import resolve_shipped
from gesture_ros.toolkit import event_eval as E
from gesture_ros.toolkit.stills import extract_still, still_files

MODEL = resolve_shipped("models/gesture_default.onnx")
FPS = 30.0
JITTER = 0.025  # torso lengths, per axis, per frame
SWAY = 0.1  # torso lengths: the crossed forearms drift this far while held
ARMS = ((P.LEFT_SHOULDER, P.LEFT_ELBOW, P.LEFT_WRIST, (P.LEFT_PINKY, P.LEFT_INDEX, P.LEFT_THUMB)),
        (P.RIGHT_SHOULDER, P.RIGHT_ELBOW, P.RIGHT_WRIST, (P.RIGHT_PINKY, P.RIGHT_INDEX, P.RIGHT_THUMB)))


@pytest.fixture(scope="module")
def crossed():
    files = still_files(shared_data("stills").parent, "body_video_pause")[::27]
    stills = [extract_still(f) for f in files]
    return [s for s in stills if np.isfinite(s.pose[-1, 0, 0])]


def _torso(xy: np.ndarray) -> float:
    mid = (xy[P.LEFT_SHOULDER] + xy[P.RIGHT_SHOULDER]) / 2 - (xy[P.LEFT_HIP] + xy[P.RIGHT_HIP]) / 2
    return float(np.hypot(*mid))


def _hanging(xy: np.ndarray) -> np.ndarray:
    """Return the pose's points (aspect-corrected) with both arms hanging straight down."""
    out = xy.copy()
    for shoulder, elbow, wrist, hand in ARMS:
        e = xy[shoulder] + [0.0, np.hypot(*(xy[elbow] - xy[shoulder]))]
        w = e + [0.0, np.hypot(*(xy[wrist] - xy[elbow]))]
        out[elbow], out[wrist] = e, w
        for q in hand:
            out[q] = w + xy[q] - xy[wrist]
    return out


def _ease(n: int) -> np.ndarray:
    x = np.linspace(0.0, 1.0, n)
    return x * x * (3 - 2 * x)


def crossing(still, hold_s: float, seed: int, times: float = 1.0) -> SequenceArrays:
    """Return rest 0.5 s, arms in 0.4 s, the X held ``hold_s``, arms out 0.4 s, rest 0.5 s, at 30 fps;
    jitter and sway ``times`` the measured ones."""
    rng = np.random.default_rng(seed)
    aspect = np.array([still.image_size[0] / still.image_size[1], 1.0])
    pose = still.pose[-1].copy()
    x_xy = pose[:, :2] * aspect
    rest_xy, torso = _hanging(x_xy), _torso(x_xy)
    move, rest = _ease(int(0.4 * FPS)), np.zeros(int(0.5 * FPS))
    w = np.concatenate([rest, move, np.ones(int(hold_s * FPS)), move[::-1], rest])
    t = np.arange(len(w)) / FPS
    xy = (1 - w)[:, None, None] * rest_xy + w[:, None, None] * x_xy
    sway = times * SWAY * torso * np.stack([np.sin(2 * np.pi * 0.7 * t + seed), np.cos(2 * np.pi * 0.5 * t + seed)], 1)
    xy[:, 13:23] += (w[:, None] * sway)[:, None, :]
    xy += rng.normal(0.0, times * JITTER * torso, xy.shape)
    poses = np.repeat(pose[None], len(w), axis=0)
    poses[:, :, :2] = xy / aspect
    no_hand = np.full((len(w), 21, pose.shape[1]), np.nan, np.float32)
    stamps = (10**18 + np.arange(len(w)) * 1e9 / FPS).astype(np.int64)
    return SequenceArrays(stamps, poses.astype(np.float32), no_hand, no_hand.copy(), still.image_size)


def fires(still, i: int, held_s: float, times: float = 1.0, **overrides) -> bool:
    frames = E.keypoint_frames(crossing(still, held_s, i, times), f"x{i}")
    return "x_cross" in E.fired(E.run(E.decider(MODEL, overrides), frames, f"x{i}"))


def test_an_x_held_half_a_second_with_real_jitter_fires(crossed):
    """hold_s 0.25 (config/classifier.yaml): model 1.5.1 fires on 11 of the 12 (at 0.3 on 10); with 1.4.0,
    at twice the jitter and sway, 0.3 fired on 24 of 36 such X (every 9th still), 0.2 on 35, but 0.2 let
    two of its three held-out-person fold models fire once on the referee's rolling forearms."""
    assert len(crossed) >= 10
    hits = [fires(s, i, 0.5) for i, s in enumerate(crossed)]
    assert sum(hits) >= 0.9 * len(hits), hits


def test_the_referees_rolling_forearms_never_fire_x_cross():
    shared_data("sequences/volleyball_signals")
    for size in ((1280, 720), (640, 480)):
        items = [it for it in E.volleyball_items(shared_data("sequences").parent, size) if it[0] == "Substi"]
        assert len(items) == 10
        for cls, i, arrays in items:
            assert "x_cross" not in E.fired(E.run(E.decider(MODEL), E.keypoint_frames(arrays, f"{cls}{i}"), "ref"))
