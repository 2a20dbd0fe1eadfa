"""Hands that move without making a gesture of the vocabulary: every frame is 'none'.

What people do in front of a camera besides gestures (issue 28): vertical swipes and waves,
circles, pinch-and-drag, zoom pinches (two hands apart and together, or thumb and index opening),
a hand entering and leaving the view, a thumb or fist brought toward the camera and taken back.
The hand may take any shape, a gesture's included: the motion is what makes it none. No hand is
held still for longer than ``MAX_PAUSE_S`` (a held shape is a held gesture's business). No path is
a horizontal stroke and its return: that is a swipe (1.5.0 learned from side entries and level
drags that a swipe followed by its return is none, and then read the return as the swipe).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gesture_ros.toolkit.synth import orientations as O
from gesture_ros.toolkit.synth.body import Person, reach_clamp
from gesture_ros.toolkit.synth.hand import HandPose
from gesture_ros.toolkit.synth.scene import SIDES, Scene, idle, raised_pos, rest_key, side_sign
from gesture_ros.toolkit.synth.shapes import SHAPES
from gesture_ros.toolkit.synth.track import Track

MOVING = "none_moving"  # the scene's name in SCENES; its frames are labelled 'none'
MAX_PAUSE_S = 0.25
MOVING_SHAPES = ("open_palm", "relaxed", "pointing", "fist", "thumb", "v_sign", "claw")
MIN_DRAG_DEG = 40.0  # a drag is at least this far from horizontal (a level one is a swipe)


def pinch(rng, closed: bool = True) -> HandPose:
    """Thumb and index (and the others, loosely) curled toward each other: a grip or a pinch."""
    fingers = SHAPES["claw"](rng).fingers.copy()
    fingers[0, :3] = (rng.uniform(30, 50), rng.uniform(40, 70), rng.uniform(20, 45)) if closed else \
        (rng.uniform(0, 15), rng.uniform(0, 20), rng.uniform(0, 15))
    thumb = np.array([rng.uniform(30, 50), rng.uniform(30, 55), rng.uniform(10, 30), rng.uniform(10, 30)])
    return HandPose(fingers, thumb)


def _side(rng) -> tuple[str, str]:
    side = "right" if rng.random() < 0.6 else "left"
    return side, "left" if side == "right" else "right"


def _start(rng, person: Person, side: str, track: Track) -> float:
    """Begin at rest, hanging or in front; return when the hand starts rising."""
    t = rng.uniform(0.0, 0.4)
    rest_key(rng, person, side, track, 0.0, "hanging" if rng.random() < 0.5 else "front").hold(t)
    return t


def _end(rng, person: Person, side: str, track: Track, t: float) -> float:
    """Maybe lower the hand again; return the scene's duration."""
    if rng.random() < 0.6:
        t += rng.uniform(0.3, 0.6)
        rest_key(rng, person, side, track, t, "hanging")
    return t + rng.uniform(0.0, MAX_PAUSE_S)


def _shape(rng) -> tuple[HandPose, np.ndarray]:
    name = str(rng.choice(MOVING_SHAPES))
    rot = O.fingers_up(rng, 40) if name == "open_palm" and rng.random() < 0.6 else O.any_dir(rng)
    return SHAPES[name](rng), rot


def _one(rng, person: Person, path: Callable[[np.ndarray], list[np.ndarray]], pose=None, rot=None,
         step=(0.15, 0.45)) -> Scene:
    """One hand rises, follows ``path(centre)`` (a key every ``step`` seconds), maybe lowers."""
    side, other = _side(rng)
    if pose is None:
        pose, rot = _shape(rng)
    track = Track()
    t = _start(rng, person, side, track)
    centre = raised_pos(rng, person, side, (-0.6, 0.6))
    for p in path(centre):
        t += rng.uniform(*step)
        track.add(t, reach_clamp(person, side, p), pose, rot)
    d = _end(rng, person, side, track, t)
    return Scene(d, {side: track, other: idle(rng, person, other, d)}, [], focus=side)


def vertical_swipes(rng, person: Person) -> Scene:
    amp = rng.uniform(0.15, 0.35)
    n = int(rng.integers(2, 6))
    return _one(rng, person, lambda c: [c + np.array([rng.normal(0, 0.02), amp * (i % 2 - 0.5), 0.0])
                                        for i in range(n)], step=(0.15, 0.4))


def circles(rng, person: Person) -> Scene:
    r, turns, per = rng.uniform(0.06, 0.18), rng.uniform(1.0, 2.5), int(rng.integers(6, 10))
    sign = rng.choice([-1.0, 1.0])
    angles = sign * np.linspace(0, 2 * np.pi * turns, int(per * turns) + 1)
    period = rng.uniform(0.5, 1.4)
    dt = period / per
    return _one(rng, person, lambda c: [c + r * np.array([np.cos(a), np.sin(a), 0.0]) for a in angles],
                step=(0.8 * dt, 1.2 * dt))


def pinch_drag(rng, person: Person) -> Scene:
    """A grip moved across the view (as in drag and drop): steep or diagonal, slower than a swipe."""
    ang = np.radians(rng.choice([90.0, 270.0]) + rng.uniform(-(90.0 - MIN_DRAG_DEG), 90.0 - MIN_DRAG_DEG))
    dist = rng.uniform(0.15, 0.45)
    v = dist * np.array([np.cos(ang), np.sin(ang), rng.normal(0, 0.1)])
    k = int(rng.integers(1, 3))
    pose = pinch(rng)
    rot = O.any_dir(rng)

    def path(c):
        pts = [c - v / 2]
        for i in range(k):
            pts.append(c + (v / 2 if i % 2 == 0 else -v / 2) + rng.normal(0, 0.02, 3))
        return pts
    return _one(rng, person, path, pose, rot, step=(0.5, 1.3))


def zoom_pinch(rng, person: Person) -> Scene:
    """Two hands moving apart and together in front of the chest, or one thumb and index opening and closing."""
    if rng.random() < 0.5:
        side, other = _side(rng)
        track = Track()
        t = _start(rng, person, side, track)
        pos, rot = raised_pos(rng, person, side, (-0.6, 0.6)), O.any_dir(rng)
        for i in range(int(rng.integers(3, 7))):
            t += rng.uniform(0.2, 0.45)
            track.add(t, pos + rng.normal(0, 0.03, 3), pinch(rng, closed=i % 2 == 0), rot)
        d = _end(rng, person, side, track, t)
        return Scene(d, {side: track, other: idle(rng, person, other, d)}, [], focus=side)
    tracks, d = {}, 0.0
    y, z = rng.uniform(-0.25, 0.1), rng.uniform(0.2, 0.4)
    near, far = rng.uniform(0.02, 0.1), rng.uniform(0.2, 0.45)
    n = int(rng.integers(2, 5))
    t0 = rng.uniform(0.0, 0.4)
    steps = np.cumsum(rng.uniform(0.3, 0.7, n))
    for side in SIDES:
        s = side_sign(side)
        track = rest_key(rng, person, side, Track(), 0.0, "hanging").hold(t0)
        pose, rot = (pinch(rng), O.any_dir(rng)) if rng.random() < 0.5 else _shape(rng)
        for i, dt in enumerate(steps):
            x = s * (near if i % 2 == 0 else far)
            track.add(t0 + 0.4 + dt, reach_clamp(person, side, np.array([x, y, z])), pose, rot)
        tracks[side] = track
        d = max(d, _end(rng, person, side, track, track.keys[-1].t))
    return Scene(d, tracks, [], focus="right")


def enter_leave(rng, person: Person) -> Scene:
    """A hand comes in from below (straight or from its own side's corner) and goes out again without stopping."""
    side, _ = _side(rng)
    s = side_sign(side)
    out_pt = np.array([s * rng.uniform(0.0, 0.5), -rng.uniform(0.6, 0.9), rng.uniform(0.1, 0.3)])
    return _one(rng, person, lambda c: [out_pt, c, c + rng.normal(0, 0.03, 3), out_pt], step=(0.25, 0.6))


def toward_camera(rng, person: Person) -> Scene:
    """A thumb (up or down) or a fist brought toward the camera and taken back, never held."""
    side, _ = _side(rng)
    left = side == "left"
    name = str(rng.choice(["thumb_up", "thumb_down", "fist", "pointing"], p=[0.35, 0.2, 0.3, 0.15]))
    pose = SHAPES["thumb" if name.startswith("thumb") else name](rng)
    rot = O.thumb_dir(rng, pose, left, name == "thumb_up") if name.startswith("thumb") else O.any_dir(rng)
    dz = rng.uniform(0.15, 0.35)
    return _one(rng, person, lambda c: [c - np.array([0, 0, dz / 2]), c + np.array([0, 0.03, dz / 2]),
                                        c - np.array([0, 0.05, dz / 3])], pose, rot, step=(0.25, 0.55))


KINDS: dict[str, Callable[[np.random.Generator, Person], Scene]] = {
    "vertical_swipes": vertical_swipes, "circles": circles, "pinch_drag": pinch_drag, "zoom_pinch": zoom_pinch,
    "enter_leave": enter_leave, "toward_camera": toward_camera,
}


def moving_none(rng, person: Person) -> Scene:
    """One of ``KINDS``, equally likely."""
    return KINDS[str(rng.choice(sorted(KINDS)))](rng, person)
