"""Keypoint frames to and from one .npz file (a pipeline run's keypoints, for offline comparison)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gesture_ros.common.landmarks import HAND_LENGTH, N_FIELDS, POSE_LENGTH, KeypointFrame

PARTS = {"pose": POSE_LENGTH, "left_hand": HAND_LENGTH, "right_hand": HAND_LENGTH}


def write_archive(path: Path, frames: list[KeypointFrame]) -> None:
    """Write frames (pose and hands; NaN rows where a part is absent) in stamp order."""
    frames = sorted(frames, key=lambda f: f.stamp_ns)
    arrays: dict[str, np.ndarray] = {
        "stamps_ns": np.array([f.stamp_ns for f in frames], dtype=np.int64),
        "size": np.array([[f.image_width, f.image_height] for f in frames], dtype=np.int32).reshape(-1, 2),
        "person_id": np.array([f.person_id for f in frames], dtype=np.int64)}
    for part, n in PARTS.items():
        out = np.full((len(frames), n, N_FIELDS), np.nan, dtype=np.float32)
        for i, f in enumerate(frames):
            if getattr(f, part) is not None:
                out[i] = getattr(f, part)
        arrays[part] = out
    np.savez_compressed(path, **arrays)


def read_archive(path: Path) -> list[KeypointFrame]:
    """Read frames written by ``write_archive``."""
    with np.load(path) as data:
        frames = []
        people = data["person_id"] if "person_id" in data.files else np.zeros(len(data["stamps_ns"]), np.int64)
        for i, stamp in enumerate(data["stamps_ns"]):
            parts = {p: None if np.isnan(data[p][i, :, :2]).all() else data[p][i] for p in PARTS}
            frames.append(KeypointFrame(stamp_ns=int(stamp), image_width=int(data["size"][i, 0]),
                                        image_height=int(data["size"][i, 1]), person_id=int(people[i]), **parts))
    return frames
