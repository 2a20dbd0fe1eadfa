"""Swipe performances: strokes across the front or out to the arm's side, varied hands and pauses."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gesture_ros.toolkit.synth import orientations as O
from gesture_ros.toolkit.synth.body import Person, reach_clamp
from gesture_ros.toolkit.synth.scene import Scene, idle, raised_pos, rest_key, side_sign
from gesture_ros.toolkit.synth.shapes import SHAPES
from gesture_ros.toolkit.synth.track import Track

SWIPE_SHAPES = (("open_palm", 0.4), ("relaxed", 0.25), ("v_sign", 0.15), ("pointing", 0.1), ("fist", 0.1))


def _swipe_rot(rng, direction: float) -> np.ndarray:
    """Fingers up facing the camera, a sideways hand (palm toward the motion), or fingers leading."""
    kind = rng.random()
    if kind < 0.45:
        return O.fingers_up(rng, 35, 0.3)
    if kind < 0.8:
        palm = np.array([direction * rng.choice([1.0, -1.0], p=[0.7, 0.3]), 0.0, rng.uniform(-0.2, 0.6)])
        return O.orient(O.FINGERS, O.cone(rng, O.UP, 40), O.PALM, palm)
    fingers = np.array([direction * rng.uniform(0.3, 1.0), rng.uniform(0.0, 0.8), rng.uniform(0.0, 0.8)])
    return O.orient(O.FINGERS, O.cone(rng, fingers, 20), O.PALM, O.cone(rng, O.TOWARD_CAMERA, 60))


def _swipe_ends(rng, person: Person, side: str, dirn: float, centre: np.ndarray, arc: bool):
    """Return (start, end) of one stroke: across the front, or between the body's middle and the arm's side."""
    s = side_sign(side)
    if arc:  # the arm swings out to its own side (or back in), extended, often slightly lower there
        inner = np.array([s * person.shoulder_width / 2 * rng.uniform(-0.6, 0.4), centre[1], rng.uniform(0.2, 0.4)])
        outer = np.array([s * person.shoulder_width / 2 * rng.uniform(1.6, 3.0), centre[1] + rng.normal(-0.03, 0.05),
                          rng.uniform(0.15, 0.45)])
        a, b = (inner, outer) if dirn * s > 0 else (outer, inner)
        return reach_clamp(person, side, a), reach_clamp(person, side, b)
    dist = rng.uniform(0.25, 0.7)
    start = centre - np.array([dirn * dist / 2, 0, 0]) + rng.normal(0, 0.02, 3)
    end = centre + np.array([dirn * dist / 2, rng.normal(0, 0.04), rng.normal(0, 0.04)])
    return start, end


def swipe(direction: float) -> Callable:
    def make(rng, person: Person) -> Scene:
        side = "right" if rng.random() < 0.6 else "left"
        other = "left" if side == "right" else "right"
        track = Track()
        t = rng.uniform(0.1, 0.7)
        rest_key(rng, person, side, track, 0.0, "hanging" if rng.random() < 0.5 else "front").hold(t)
        names, weights = zip(*SWIPE_SHAPES, strict=True)
        pose = SHAPES[str(rng.choice(names, p=weights))](rng)
        rot = _swipe_rot(rng, direction)
        centre = raised_pos(rng, person, side, (-0.6, 0.6))
        arc = rng.random() < 0.45
        segs = []
        dirn = direction
        for _ in range(1 if rng.random() < 0.6 else int(rng.integers(2, 4))):
            start, end = _swipe_ends(rng, person, side, dirn, centre, arc)
            # a held pause before the stroke: raising the hand, or between strokes
            t += rng.uniform(0.35, 0.8) if not segs else rng.uniform(0.0, 1.2)
            track.add(t, start, pose, rot)
            move = rng.uniform(0.2, 1.1)
            track.add(t + move, end, pose, rot)
            segs.append((t + 0.12 * move, t + 0.88 * move, "swipe_right" if dirn > 0 else "swipe_left"))
            t += move
            dirn = -dirn
        t += rng.uniform(0.1, 1.0)
        track.hold(t)
        if rng.random() < 0.5:
            t += rng.uniform(0.3, 0.6)
            rest_key(rng, person, side, track, t, "hanging")
        d = t + rng.uniform(0.2, 0.8)
        return Scene(d, {side: track, other: idle(rng, person, other, d)}, segs, focus=side)
    return make
