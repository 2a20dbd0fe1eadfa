"""What every scene is made of: the Scene record and the resting and raised hand keys.

Positions are body-local (see body.py): x toward the performer's left, y up, z forward.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gesture_ros.toolkit.synth import orientations as O
from gesture_ros.toolkit.synth.body import Person, reach_clamp
from gesture_ros.toolkit.synth.shapes import SHAPES
from gesture_ros.toolkit.synth.track import Track

SIDES = ("left", "right")


@dataclass
class Scene:
    duration: float
    tracks: dict[str, Track]
    segments: list[tuple[float, float, str]] = field(default_factory=list)
    focus: str = "right"  # the hand a close-up camera frames
    needs_pose: bool = False  # only recognisable with the upper body in view


def side_sign(side: str) -> float:
    """Return +1 for the left side (body-local +x), -1 for the right."""
    return 1.0 if side == "left" else -1.0


def rest_key(rng, person: Person, side: str, track: Track, t: float, mode: str) -> Track:
    """Add a key with the hand at rest: hanging at the side or resting in front of the belly."""
    s = side_sign(side)
    if mode == "hanging":
        pos = (s * (person.shoulder_width / 2 + rng.uniform(0.02, 0.08)), -(person.upper_arm + person.forearm) * 0.93,
               rng.uniform(-0.02, 0.08))
        return track.add(t, pos, SHAPES["relaxed"](rng), O.hanging(rng, side == "left"))
    pos = (s * rng.uniform(0.02, 0.12), -person.torso * rng.uniform(0.75, 1.0), rng.uniform(0.12, 0.25))
    return track.add(t, pos, SHAPES["relaxed"](rng), O.resting_front(rng, side == "left"))


def raised_pos(rng, person: Person, side: str, lateral=(-0.05, 0.3)) -> np.ndarray:
    """Return a reachable raised hand position; ``lateral`` in half shoulder widths to its side."""
    s = side_sign(side)
    pos = np.array([s * person.shoulder_width / 2 * rng.uniform(*lateral), rng.uniform(-0.2, 0.18), rng.uniform(0.22, 0.45)])
    return reach_clamp(person, side, pos)


def idle(rng, person: Person, other: str, duration: float) -> Track:
    """Return a track of a hand resting for the whole performance."""
    mode = "hanging" if rng.random() < 0.6 else "front"
    return rest_key(rng, person, other, Track(), 0.0, mode).hold(duration)
