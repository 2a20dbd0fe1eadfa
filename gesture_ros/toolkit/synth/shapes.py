"""Finger configurations of each hand shape, randomised per performance."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gesture_ros.toolkit.synth.hand import HandPose

_SPREAD = np.array([10.0, 1.0, -8.0, -17.0])  # abduction of index..pinky when spread


def _fingers(rng, flex, spread: float, jitter: float = 8.0) -> np.ndarray:
    f = np.zeros((4, 4))
    for i in range(4):
        mcp, pip, dip = flex[i]
        f[i, :3] = np.array([mcp, pip, dip]) + rng.normal(0, jitter, 3)
        f[i, 3] = _SPREAD[i] * spread + rng.normal(0, 3)
    f[:, :3] = np.clip(f[:, :3], -15, 115)
    return f


def _curled(rng) -> tuple:
    return tuple((rng.uniform(70, 95), rng.uniform(85, 105), rng.uniform(40, 70)) for _ in range(4))


def _extended(rng) -> tuple:
    return (rng.uniform(-8, 12), rng.uniform(0, 12), rng.uniform(0, 10))


def _thumb_tucked(rng) -> np.ndarray:
    return np.array([rng.uniform(10, 30), rng.uniform(45, 70), rng.uniform(25, 50), rng.uniform(20, 45)])


def _thumb_out(rng) -> np.ndarray:
    return np.array([rng.uniform(40, 60), rng.uniform(5, 25), rng.uniform(-5, 10), rng.uniform(-5, 15)])


def open_palm(rng) -> HandPose:
    return HandPose(_fingers(rng, [_extended(rng) for _ in range(4)], rng.uniform(0.3, 1.5), 5.0), _thumb_out(rng))


def _thumb_alongside(rng) -> np.ndarray:
    """The thumb resting against the side of the curled index finger (a common real fist)."""
    return np.array([rng.uniform(12, 30), rng.uniform(0, 25), rng.uniform(10, 35), rng.uniform(10, 40)])


def fist(rng) -> HandPose:
    thumb = _thumb_tucked(rng) if rng.random() < 0.5 else _thumb_alongside(rng)
    return HandPose(_fingers(rng, _curled(rng), 0.2), thumb)


def pointing(rng) -> HandPose:
    flex = list(_curled(rng))
    flex[0] = _extended(rng)
    thumb = _thumb_tucked(rng) if rng.random() < 0.7 else _thumb_out(rng) * np.array([0.7, 1, 1, 1])
    return HandPose(_fingers(rng, flex, 0.3, 6.0), thumb)


def thumb_extended(rng) -> HandPose:
    thumb = np.array([rng.uniform(60, 85), rng.uniform(5, 25), rng.uniform(-5, 10), rng.uniform(-5, 15)])
    return HandPose(_fingers(rng, _curled(rng), 0.2), thumb)


def relaxed(rng) -> HandPose:
    flex = [(rng.uniform(10, 45), rng.uniform(15, 50), rng.uniform(5, 30)) for _ in range(4)]
    thumb = np.array([rng.uniform(25, 45), rng.uniform(15, 40), rng.uniform(5, 25), rng.uniform(5, 25)])
    return HandPose(_fingers(rng, flex, rng.uniform(0.2, 0.8)), thumb)


def v_sign(rng) -> HandPose:
    flex = list(_curled(rng))
    flex[0], flex[1] = _extended(rng), _extended(rng)
    return HandPose(_fingers(rng, flex, 1.5), _thumb_tucked(rng))


def ok_sign(rng) -> HandPose:
    """Thumb and index in a ring, the others up; the ring often loose (as the landmark model reads a
    real OK sign seen edge-on: index bent ~90 deg, its tip a palm length from the thumb's)."""
    if rng.random() < 0.5:
        flex = [(rng.uniform(35, 55), rng.uniform(40, 60), rng.uniform(20, 40))]
        thumb = np.array([rng.uniform(30, 45), rng.uniform(35, 55), rng.uniform(10, 25), rng.uniform(10, 25)])
    else:
        flex = [(rng.uniform(15, 40), rng.uniform(25, 50), rng.uniform(10, 35))]
        thumb = np.array([rng.uniform(10, 40), rng.uniform(15, 45), rng.uniform(0, 25), rng.uniform(0, 25)])
    flex += [_extended(rng) for _ in range(3)]
    return HandPose(_fingers(rng, flex, 0.8), thumb)


def three(rng) -> HandPose:
    flex = list(_curled(rng))
    for i in range(3):
        flex[i] = _extended(rng)
    return HandPose(_fingers(rng, flex, 1.0), _thumb_tucked(rng))


def claw(rng) -> HandPose:
    flex = [(rng.uniform(5, 30), rng.uniform(50, 80), rng.uniform(30, 60)) for _ in range(4)]
    return HandPose(_fingers(rng, flex, 1.0), _thumb_out(rng))


SHAPES: dict[str, Callable[[np.random.Generator], HandPose]] = {
    "open_palm": open_palm, "fist": fist, "pointing": pointing, "thumb": thumb_extended,
    "relaxed": relaxed, "v_sign": v_sign, "ok_sign": ok_sign, "three": three, "claw": claw,
}
NEGATIVE_SHAPES = ("relaxed", "v_sign", "ok_sign", "three", "claw")
