"""Keyframed motion of one hand (wrist position, finger pose, orientation), min-jerk between keys."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gesture_ros.toolkit.synth.geometry import min_jerk, orthonormalise
from gesture_ros.toolkit.synth.hand import HandPose


@dataclass
class Key:
    t: float
    pos: np.ndarray  # wrist, body-local metres
    pose: HandPose
    rot: np.ndarray  # hand-local -> body-local


@dataclass
class Track:
    keys: list[Key] = field(default_factory=list)

    def add(self, t: float, pos, pose: HandPose, rot: np.ndarray) -> Track:
        self.keys.append(Key(float(t), np.asarray(pos, dtype=np.float64), pose, rot))
        return self

    def hold(self, t: float) -> Track:
        """Repeat the last key at time ``t``."""
        k = self.keys[-1]
        return self.add(t, k.pos, k.pose, k.rot)

    def at(self, t: float) -> tuple[np.ndarray, HandPose, np.ndarray]:
        keys = self.keys
        if t <= keys[0].t:
            return keys[0].pos, keys[0].pose, keys[0].rot
        for a, b in zip(keys, keys[1:], strict=False):
            if t <= b.t:
                s = float(min_jerk(np.array((t - a.t) / max(b.t - a.t, 1e-6))))
                rot = orthonormalise(a.rot + (b.rot - a.rot) * s)
                return a.pos + (b.pos - a.pos) * s, a.pose.lerp(b.pose, s), rot
        last = keys[-1]
        return last.pos, last.pose, last.rot
