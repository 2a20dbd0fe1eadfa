"""Rotations and smooth interpolation for the kinematic models."""

from __future__ import annotations

import numpy as np


def unit(v: np.ndarray) -> np.ndarray:
    return v / max(float(np.linalg.norm(v)), 1e-9)


def rot_axis(axis: np.ndarray, angle: float) -> np.ndarray:
    """Return the 3x3 rotation of ``angle`` radians about ``axis`` (Rodrigues)."""
    x, y, z = unit(np.asarray(axis, dtype=np.float64))
    c, s, t = np.cos(angle), np.sin(angle), 1.0 - np.cos(angle)
    return np.array([
        [t * x * x + c, t * x * y - s * z, t * x * z + s * y],
        [t * x * y + s * z, t * y * y + c, t * y * z - s * x],
        [t * x * z - s * y, t * y * z + s * x, t * z * z + c],
    ])


def orient(a_local: np.ndarray, a_world: np.ndarray, b_local: np.ndarray, b_world: np.ndarray) -> np.ndarray:
    """Return R with R @ a_local = a_world exactly and R @ b_local as close to b_world as possible."""

    def frame(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        e1 = unit(a)
        b = b - np.dot(b, e1) * e1
        if np.linalg.norm(b) < 1e-6:  # b parallel to a: any perpendicular will do
            b = np.cross(e1, [1.0, 0.0, 0.0] if abs(e1[0]) < 0.9 else [0.0, 1.0, 0.0])
        e2 = unit(b)
        return np.stack([e1, e2, np.cross(e1, e2)], axis=1)

    return frame(a_world, b_world) @ frame(a_local, b_local).T


def random_tilt(rng: np.random.Generator, max_deg: float) -> np.ndarray:
    """Return a rotation about a random axis by up to ``max_deg`` degrees."""
    return rot_axis(rng.normal(size=3), np.deg2rad(rng.uniform(0, max_deg)))


def orthonormalise(m: np.ndarray) -> np.ndarray:
    u, _, vt = np.linalg.svd(m)
    r = u @ vt
    if np.linalg.det(r) < 0:
        u[:, -1] *= -1
        r = u @ vt
    return r


def min_jerk(s: np.ndarray) -> np.ndarray:
    """Map progress in [0, 1] to the minimum-jerk profile (smooth start and stop)."""
    s = np.clip(s, 0.0, 1.0)
    return s ** 3 * (10 - 15 * s + 6 * s * s)
