"""Hand orientations (hand-local -> body-local rotations) that define each gesture's view."""

from __future__ import annotations

import numpy as np

from gesture_ros.toolkit.synth.geometry import orient, rot_axis, unit
from gesture_ros.toolkit.synth.hand import HandPose, thumb_direction

UP = np.array([0.0, 1.0, 0.0])
TOWARD_CAMERA = np.array([0.0, 0.0, 1.0])
FINGERS = np.array([0.0, 1.0, 0.0])
PALM = np.array([0.0, 0.0, 1.0])


def cone(rng: np.random.Generator, axis: np.ndarray, max_deg: float, min_deg: float = 0.0) -> np.ndarray:
    """Return a unit vector within [min_deg, max_deg] of ``axis``, uniform in azimuth."""
    axis = unit(axis)
    perp = unit(np.cross(axis, rng.normal(size=3)))
    ang = np.deg2rad(rng.uniform(min_deg, max_deg))
    return unit(rot_axis(perp, ang) @ axis)


def facing(rng: np.random.Generator, back_prob: float = 0.3, yaw_deg: float = 45.0) -> np.ndarray:
    """Return a palm normal toward (or, with ``back_prob``, away from) the camera, yawed."""
    n = rot_axis(UP, np.deg2rad(rng.uniform(-yaw_deg, yaw_deg))) @ TOWARD_CAMERA
    return -n if rng.random() < back_prob else n


def fingers_up(rng, max_tilt: float = 35.0, back_prob: float = 0.3) -> np.ndarray:
    return orient(FINGERS, cone(rng, UP, max_tilt), PALM, facing(rng, back_prob))


def point_dir(rng) -> np.ndarray:
    """Pointing: up, sideways or toward the camera."""
    choice = rng.random()
    if choice < 0.5:
        d = cone(rng, UP, 35)
    elif choice < 0.8:
        d = cone(rng, np.array([rng.choice([-1.0, 1.0]), 0.3, 0.3]), 25)
    else:
        d = cone(rng, np.array([0.0, 0.4, 1.0]), 25)
    return orient(FINGERS, d, PALM, cone(rng, np.array([rng.uniform(-1, 1), 0.0, 1.0]), 60))


def fist_dir(rng) -> np.ndarray:
    d = cone(rng, UP, 45) if rng.random() < 0.7 else cone(rng, np.array([0.0, 0.3, 1.0]), 30)
    return orient(FINGERS, d, PALM, facing(rng, 0.4, 70))


def thumb_dir(rng, pose: HandPose, left: bool, up: bool, max_tilt: float = 30.0, min_tilt: float = 0.0) -> np.ndarray:
    """Thumb toward ``UP`` (or down) within the tilt range; knuckles toward the camera or the side."""
    target = cone(rng, UP if up else -UP, max_tilt, min_tilt)
    knuckles = unit(np.array([rng.uniform(-1, 1), 0.0, rng.uniform(-0.2, 1.0)]))
    return orient(thumb_direction(pose, left), target, FINGERS, knuckles)


def thumb_sideways(rng, pose: HandPose, left: bool) -> np.ndarray:
    side = np.array([rng.choice([-1.0, 1.0]), 0.0, 0.0])
    target = cone(rng, side, 20)
    return orient(thumb_direction(pose, left), target, FINGERS, cone(rng, TOWARD_CAMERA, 50))


def palm_up(rng) -> np.ndarray:
    """An open hand held out, palm up, fingers forward or sideways (not a 'stop')."""
    fingers = unit(np.array([rng.uniform(-1, 1), rng.uniform(-0.2, 0.35), rng.uniform(0.2, 1.0)]))
    return orient(PALM, cone(rng, UP, 35), FINGERS, fingers)


def hanging(rng, left: bool) -> np.ndarray:
    inward = np.array([-1.0 if left else 1.0, 0.0, 0.0])
    return orient(FINGERS, cone(rng, -UP, 20), PALM, cone(rng, inward, 40))


def resting_front(rng, left: bool) -> np.ndarray:
    inward = np.array([-1.0 if left else 1.0, -0.3, 0.5])
    return orient(FINGERS, cone(rng, inward, 30), PALM, cone(rng, UP, 60))


def any_dir(rng) -> np.ndarray:
    return orient(FINGERS, cone(rng, UP, 60), PALM, cone(rng, TOWARD_CAMERA, 90))
