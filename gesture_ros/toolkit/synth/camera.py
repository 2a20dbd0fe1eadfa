"""A pinhole camera looking at the performer; projects body-local points to MediaPipe's layout."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gesture_ros.toolkit.synth.geometry import rot_axis

IMAGE_SIZES = ((640, 480), (640, 360), (1280, 720), (530, 293), (960, 540))
# body-local (x performer's left, y up, z toward the camera) -> camera (x right, y down, z forward)
BODY_TO_CAMERA = np.diag([1.0, -1.0, -1.0])


@dataclass
class Camera:
    width: int
    height: int
    focal: float  # pixels
    rot: np.ndarray  # body-local -> camera
    origin: np.ndarray  # body-local origin (shoulder midpoint) in camera coordinates, metres

    def to_camera(self, pts: np.ndarray) -> np.ndarray:
        return pts @ self.rot.T + self.origin

    def project(self, pts: np.ndarray) -> np.ndarray:
        """Return (N, 3): x, y normalised to the image, z as depth scaled like x (MediaPipe style)."""
        c = self.to_camera(pts)
        depth = np.maximum(c[:, 2], 0.05)
        u = self.focal * c[:, 0] / depth + self.width / 2
        v = self.focal * c[:, 1] / depth + self.height / 2
        z = self.focal * c[:, 2] / float(np.median(depth)) / self.width  # callers subtract a reference
        return np.stack([u / self.width, v / self.height, z], axis=1)

    @classmethod
    def random_body(cls, rng: np.random.Generator) -> "Camera":
        """Frame the upper body from 1-3.5 m, performer yawed up to 35 degrees."""
        w, h = IMAGE_SIZES[rng.integers(len(IMAGE_SIZES))]
        focal = w / (2 * np.tan(np.deg2rad(rng.uniform(50, 75)) / 2))
        dist = rng.uniform(1.0, 3.5)
        rot = BODY_TO_CAMERA @ rot_axis([0, 1, 0], np.deg2rad(rng.uniform(-35, 35))) @ rot_axis(
            [1, 0, 0], np.deg2rad(rng.uniform(-10, 10)))
        # where the shoulder midpoint appears: centred-ish, in the upper half
        x = (rng.uniform(0.35, 0.65) - 0.5) * w * dist / focal
        y = (rng.uniform(0.22, 0.5) - 0.5) * h * dist / focal
        return cls(w, h, focal, rot, np.array([x, y, dist]))

    @classmethod
    def random_close(cls, rng: np.random.Generator, hand_centre: np.ndarray) -> "Camera":
        """Frame one hand from 0.3-0.8 m (no body in view)."""
        w, h = IMAGE_SIZES[rng.integers(len(IMAGE_SIZES))]
        focal = w / (2 * np.tan(np.deg2rad(rng.uniform(50, 75)) / 2))
        dist = rng.uniform(0.35, 0.9)
        rot = BODY_TO_CAMERA @ rot_axis([0, 1, 0], np.deg2rad(rng.uniform(-30, 30))) @ rot_axis(
            [1, 0, 0], np.deg2rad(rng.uniform(-20, 20)))
        target = np.array([(rng.uniform(0.35, 0.65) - 0.5) * w * dist / focal,
                           (rng.uniform(0.35, 0.7) - 0.5) * h * dist / focal, dist])
        return cls(w, h, focal, rot, target - rot @ hand_centre)
