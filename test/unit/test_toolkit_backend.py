"""The toolkit extracts with the backend it is told (toolkit/backend.py): the reference or the engine."""

import numpy as np
import pytest
from support.data import shared_data

from gesture_ros.common.landmarks import Field
from gesture_ros.toolkit import backend
from gesture_ros.toolkit.stills import _cache_key, extract_still, still_files


def test_an_unknown_backend_is_refused_naming_the_choices(monkeypatch):
    monkeypatch.delenv(backend.BACKEND_ENV, raising=False)
    with pytest.raises(ValueError, match="mediapipe, onnx"):
        backend.use("tflite")
    assert backend.backend() == "mediapipe"  # the reference stays the toolkit's default


def test_a_still_through_either_backend_gives_the_same_hand_and_its_own_cache_key(monkeypatch):
    folder = shared_data("stills/hand_palm_open_palm")
    path = still_files(folder.parents[1], folder.name)[0]
    got, keys = {}, {}
    for name in ("mediapipe", "onnx"):
        monkeypatch.setenv(backend.BACKEND_ENV, name)
        got[name] = extract_still(path, frames=2)
        keys[name] = _cache_key([path], "hands_pose", 2)
    assert keys["mediapipe"] != keys["onnx"]  # the engine's keypoints never read from the reference's cache
    hands = {name: s.right_hand if not np.isnan(s.right_hand[-1, 0, Field.X]) else s.left_hand
             for name, s in got.items()}
    ref, eng = hands["mediapipe"][-1, :, :2], hands["onnx"][-1, :, :2]
    assert not np.isnan(ref).any() and not np.isnan(eng).any()
    length = np.linalg.norm(ref[0] - ref[9])  # wrist to middle-finger MCP
    assert np.median(np.linalg.norm(ref - eng, axis=1)) <= 0.02 * length
