"""Camera intrinsics for camera_info: a camera_calibration YAML file, or a pinhole model."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml


class CalibrationError(ValueError):
    """A calibration file that is missing or malformed; the message names the file."""


@dataclass
class CameraIntrinsics:
    """Fields of sensor_msgs/CameraInfo, row-major as in the message."""

    width: int
    height: int
    k: list[float]
    p: list[float]
    d: list[float] = field(default_factory=list)
    r: list[float] = field(default_factory=lambda: [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0])
    distortion_model: str = "plumb_bob"
    camera_name: str = ""

    def scaled(self, width: int, height: int) -> CameraIntrinsics:
        """Return these intrinsics for images resized to width x height."""
        if (width, height) == (self.width, self.height) or not self.width or not self.height:
            return replace(self, width=width, height=height)
        sx, sy = width / self.width, height / self.height
        k, p = list(self.k), list(self.p)
        for m, row in ((k, 3), (p, 4)):
            m[0] *= sx
            m[2] *= sx
            m[row + 1] *= sy
            m[row + 2] *= sy
        return replace(self, width=width, height=height, k=k, p=p)


def pinhole(width: int, height: int, hfov_deg: float = 60.0, fx: float = 0.0, fy: float = 0.0,
            cx: float = 0.0, cy: float = 0.0) -> CameraIntrinsics:
    """Return an undistorted pinhole model; fx from the horizontal field of view when 0."""
    fx = fx or width / (2.0 * math.tan(math.radians(hfov_deg) / 2.0))
    fy = fy or fx
    cx = cx or width / 2.0
    cy = cy or height / 2.0
    return CameraIntrinsics(width=width, height=height, k=[fx, 0, cx, 0, fy, cy, 0, 0, 1],
                            p=[fx, 0, cx, 0, 0, fy, cy, 0, 0, 0, 1, 0], d=[0.0] * 5)


def _matrix(doc: dict, key: str, size: int, path: Path) -> list[float]:
    try:
        data = [float(v) for v in doc[key]["data"]]
    except (KeyError, TypeError, ValueError):
        raise CalibrationError(f"{path}: '{key}' is missing or has no numeric 'data' list") from None
    if size and len(data) != size:
        raise CalibrationError(f"{path}: '{key}' has {len(data)} values, expected {size}")
    return data


def load_calibration(url: str) -> CameraIntrinsics:
    """Read a camera_calibration YAML (``file://`` URL or path), as written by camera_calibration."""
    path = Path(url.removeprefix("file://")).expanduser()
    try:
        doc = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise CalibrationError(f"cannot read the calibration file {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise CalibrationError(f"the calibration file {path} is not valid YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise CalibrationError(f"the calibration file {path} does not hold a mapping")
    try:
        width, height = int(doc["image_width"]), int(doc["image_height"])
    except (KeyError, TypeError, ValueError):
        raise CalibrationError(f"{path}: image_width and image_height must be integers") from None
    return CameraIntrinsics(
        width=width, height=height, k=_matrix(doc, "camera_matrix", 9, path),
        p=_matrix(doc, "projection_matrix", 12, path), d=_matrix(doc, "distortion_coefficients", 0, path),
        r=_matrix(doc, "rectification_matrix", 9, path),
        distortion_model=str(doc.get("distortion_model", "plumb_bob")),
        camera_name=str(doc.get("camera_name", "")),
    )
