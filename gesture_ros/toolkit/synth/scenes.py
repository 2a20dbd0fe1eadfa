"""Scripts of one performance per label: keyframed hands plus the labelled time segments.

Positions are body-local (see scene.py). ``Scene.segments`` holds (t_start, t_end, label) of
the frames where a gesture is performed; anything outside them is 'none'.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gesture_ros.toolkit.synth import orientations as O
from gesture_ros.toolkit.synth.body import Person, reach_clamp
from gesture_ros.toolkit.synth.moving import MOVING, moving_none
from gesture_ros.toolkit.synth.scene import SIDES, Scene, idle, raised_pos, rest_key, side_sign
from gesture_ros.toolkit.synth.shapes import NEGATIVE_SHAPES, SHAPES
from gesture_ros.toolkit.synth.swipes import swipe
from gesture_ros.toolkit.synth.track import Track


def _one_hand(rng, person: Person, shape: str, rot_fn: Callable, label: str) -> Scene:
    """Raise one hand into a shape, hold it, maybe lower it; the hold is the segment."""
    side = "right" if rng.random() < 0.6 else "left"
    other = "left" if side == "right" else "right"
    d = rng.uniform(2.2, 3.6)
    track = Track()
    t_up = rng.uniform(0.0, 0.7)
    rise = rng.uniform(0.3, 0.7)
    pose = SHAPES[shape](rng)
    rot = rot_fn(pose, side == "left")
    if rng.random() < 0.6:
        rest_key(rng, person, side, track, t_up, "hanging" if rng.random() < 0.5 else "front")
    else:
        track.add(t_up, raised_pos(rng, person, side), SHAPES["relaxed"](rng), O.any_dir(rng))
    pos = raised_pos(rng, person, side)
    track.add(t_up + rise, pos, pose, rot)
    t_end = d if rng.random() < 0.6 else rng.uniform(min(max(t_up + rise + 1.2, d - 0.8), d), d)
    drift = rng.normal(0, 0.02, 3)
    track.add(t_end, pos + drift, pose, rot)
    if t_end < d:
        rest_key(rng, person, side, track, min(d, t_end + rng.uniform(0.3, 0.6)), "hanging")
    segs = [(t_up + rise * 0.9, t_end, label)] if label != "none" else []
    return Scene(d, {side: track, other: idle(rng, person, other, d)}, segs, focus=side)


def held(shape: str, label: str, rot: str) -> Callable:
    rot_fns = {
        "up": lambda rng, p, left: O.fingers_up(rng, 40),
        "fist": lambda rng, p, left: O.fist_dir(rng),
        "point": lambda rng, p, left: O.point_dir(rng),
        "thumb_up": lambda rng, p, left: O.thumb_dir(rng, p, left, True),
        "thumb_down": lambda rng, p, left: O.thumb_dir(rng, p, left, False),
    }
    return lambda rng, person: _one_hand(rng, person, shape, lambda p, left: rot_fns[rot](rng, p, left), label)


def x_cross(rng, person: Person) -> Scene:
    d_in, hold = rng.uniform(0.25, 0.6), rng.uniform(0.3, 1.2)
    t0 = rng.uniform(0.2, 0.9)
    shape = rng.choice(["fist", "open_palm", "relaxed"], p=[0.5, 0.3, 0.2])
    low = rng.random() < 0.6
    tracks = {}
    for side in SIDES:
        s = side_sign(side)
        track = rest_key(rng, person, side, Track(), 0.0, "hanging" if rng.random() < 0.7 else "front").hold(t0)
        if low:  # crossed in front of the belly, forearms pointing down and in (seen from afar, version 3)
            pos = np.array([-s * person.shoulder_width / 2 * rng.uniform(0.1, 0.8), -person.torso * rng.uniform(0.55, 0.85),
                            rng.uniform(0.12, 0.25)])
        else:  # in front of the chest, wrists toward the opposite shoulders
            pos = np.array([-s * person.shoulder_width / 2 * rng.uniform(0.3, 1.0), rng.uniform(-0.2, 0.05),
                            rng.uniform(0.1, 0.25)])
        rot = O.orient(O.FINGERS, O.cone(rng, np.array([-s * 0.5, 1.0, 0.0]), 30), O.PALM, O.facing(rng, 0.5, 80))
        pose = SHAPES[shape](rng)
        track.add(t0 + d_in, pos, pose, rot).add(t0 + d_in + hold, pos + rng.normal(0, 0.015, 3), pose, rot)
        rest_key(rng, person, side, track, t0 + d_in + hold + rng.uniform(0.3, 0.6), "hanging")
        tracks[side] = track
    d = t0 + d_in + hold + rng.uniform(0.5, 1.0)
    return Scene(d, tracks, [(t0 + 0.7 * d_in, t0 + d_in + hold, "x_cross")], needs_pose=True)


def none_scene(rng, person: Person) -> Scene:
    """Pick one of the negatives: idle, other shapes, palm up, sideways thumb, slow moves, arms together."""
    kind = rng.choice(["idle", "shape", "palm_up", "thumb_side", "slow", "vertical", "arms"],
                      p=[0.15, 0.25, 0.15, 0.08, 0.15, 0.1, 0.12])
    if kind == "shape":
        shape = rng.choice(list(NEGATIVE_SHAPES))
        return _one_hand(rng, person, shape, lambda p, left: O.any_dir(rng) if rng.random() < 0.4 else O.fingers_up(rng), "none")
    if kind == "palm_up":
        return _one_hand(rng, person, "open_palm", lambda p, left: O.palm_up(rng), "none")
    if kind == "thumb_side":
        return _one_hand(rng, person, "thumb", lambda p, left: O.thumb_sideways(rng, p, left), "none")
    if kind in ("slow", "vertical"):
        return _slow_move(rng, person, vertical=kind == "vertical")
    if kind == "arms":
        return _arms_together(rng, person)
    d = rng.uniform(2.0, 3.5)
    return Scene(d, {s: idle(rng, person, s, d) for s in SIDES}, [], focus="right")


def _slow_move(rng, person: Person, vertical: bool) -> Scene:
    side = "right" if rng.random() < 0.6 else "left"
    other = "left" if side == "right" else "right"
    shape = rng.choice(["open_palm", "relaxed", "fist", "pointing"])
    pose, rot = SHAPES[shape](rng), O.any_dir(rng)
    a = raised_pos(rng, person, side, (-0.6, 0.6))
    delta = np.array([0.0, rng.uniform(-0.3, 0.3), 0.0]) if vertical else np.array([rng.uniform(-0.2, 0.2), 0.0, 0.0])
    d = rng.uniform(2.0, 3.5)
    track = Track().add(0.0, a, pose, rot).add(d * rng.uniform(0.7, 1.0), reach_clamp(person, side, a + delta), pose, rot)
    if vertical and rng.random() < 0.5:  # a repeated up-down wave
        track = Track()
        for i, t in enumerate(np.arange(0.0, d, rng.uniform(0.35, 0.6))):
            track.add(t, a + (delta * 0.5 if i % 2 else 0), pose, rot)
    return Scene(d, {side: track, other: idle(rng, person, other, d)}, [], focus=side)


def _arms_together(rng, person: Person) -> Scene:
    """Folded arms at the belly, hands joined at the chest, one arm across, or hands apart in front: not an X."""
    d = rng.uniform(2.0, 3.5)
    variant = rng.integers(0, 4)
    tracks = {}
    for side in SIDES:
        s = side_sign(side)
        if variant == 0:
            pos = (-s * person.shoulder_width * rng.uniform(0.3, 0.6), -person.torso * rng.uniform(0.5, 0.8), 0.15)
        elif variant == 1:
            pos = (s * rng.uniform(0.0, 0.05), rng.uniform(-0.3, 0.0), rng.uniform(0.2, 0.35))
        elif variant == 2:
            pos = (-s * person.shoulder_width * 0.3, -0.1, 0.2) if side == "right" else None
        else:  # both hands held in front of the belly, apart, elbows bent (version 3)
            pos = (s * person.shoulder_width * rng.uniform(0.4, 0.65), -person.torso * rng.uniform(0.35, 0.8),
                   rng.uniform(0.12, 0.3))
        if pos is None:
            tracks[side] = idle(rng, person, side, d)
            continue
        rot = O.orient(O.FINGERS, O.cone(rng, np.array([-s, 0.2, 0.0]), 30), O.PALM, O.cone(rng, O.UP, 80))
        track = rest_key(rng, person, side, Track(), 0.0, "hanging").hold(rng.uniform(0.0, 0.6))
        tracks[side] = track.add(track.keys[-1].t + rng.uniform(0.4, 0.8), pos, SHAPES["relaxed"](rng), rot).hold(d)
    return Scene(d, tracks, [], focus="right")


SCENES: dict[str, Callable[[np.random.Generator, Person], Scene]] = {
    "none": none_scene,
    "open_palm": held("open_palm", "open_palm", "up"),
    "fist": held("fist", "fist", "fist"),
    "pointing": held("pointing", "pointing", "point"),
    "thumbs_up": held("thumb", "thumbs_up", "thumb_up"),
    "thumbs_down": held("thumb", "thumbs_down", "thumb_down"),
    "swipe_left": swipe(-1.0),
    "swipe_right": swipe(1.0),
    "x_cross": x_cross,
    MOVING: moving_none,  # frames labelled 'none': hands moving without a gesture
}
