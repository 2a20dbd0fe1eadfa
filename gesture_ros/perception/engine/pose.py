"""Pose: the detector only when no body is tracked, landmarks from the last frame's region (facts §5, §6, §6b)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gesture_ros.perception.engine.crop import POSE_INPUT, crop
from gesture_ros.perception.engine.detector import POSE_DETECTOR, Detector
from gesture_ros.perception.engine.projection import (
    POSE_NORMALIZE_Z,
    project,
    refine_from_heatmap,
    remove_letterbox,
    tensor_to_landmarks,
)
from gesture_ros.perception.engine.regions import POSE_ROI, Rect, rect_from_alignment, transform_rect
from gesture_ros.perception.engine.smoothing import FRAME_NS, POSE_AUX, POSE_SCREEN, LandmarkSmoother

HIP_CENTER, BODY_SCALE = 0, 1  # pose detector keypoints the body region is aligned by
POSE_COUNT, AUX = 33, (33, 34)  # landmarks 0-32 are the pose, 33-34 the next region's centre and scale point
ALL_LANDMARKS = 39


@dataclass
class PoseOptions:
    min_detection_confidence: float = 0.5
    min_presence: float = 0.5  # the Solutions API's min_tracking_confidence
    smooth: bool = True


@dataclass
class FoundPose:
    landmarks: np.ndarray  # (33, 5) normalised image coordinates, visibility and presence
    presence: float
    rect: Rect
    detected: bool


def aux_rect(aux: np.ndarray, width: int, height: int) -> Rect:
    """Return the (unscaled) body region the auxiliary landmarks (centre, scale point) span."""
    return rect_from_alignment(aux[0, :2], aux[1, :2], width, height)


class PoseTracker:
    """Find one body and follow it from its own auxiliary landmarks."""

    def __init__(self, detector_network, landmark_network, options: PoseOptions | None = None) -> None:
        self.options = options or PoseOptions()
        self.detector = Detector(detector_network, POSE_DETECTOR, self.options.min_detection_confidence)
        self.network = landmark_network
        self.tracked: Rect | None = None
        self.screen = LandmarkSmoother(POSE_SCREEN)
        self.aux = LandmarkSmoother(POSE_AUX)
        self.frames = 0

    def reset(self) -> None:
        self.tracked = None
        self.screen.reset()
        self.aux.reset()

    def detect(self, rgb: np.ndarray) -> Rect | None:
        height, width = rgb.shape[:2]
        found = self.detector.detect(rgb)
        if not len(found):
            return None
        kp = found.keypoints[0]
        return transform_rect(rect_from_alignment(kp[HIP_CENTER], kp[BODY_SCALE], width, height), width, height, POSE_ROI)

    def process(self, rgb: np.ndarray, stamp_ns: int | None = None) -> FoundPose | None:
        """Return the body in this frame, or None (then the next frame runs the detector)."""
        self.frames += 1
        stamp = self.frames * FRAME_NS if stamp_ns is None else stamp_ns
        height, width = rgb.shape[:2]
        rect, detected = self.tracked, False
        if rect is None:
            rect, detected = self.detect(rgb), True
        if rect is None:
            self.reset()
            return None
        found = self.landmarks(rgb, rect)
        if found is None:
            self.reset()
            return None
        landmarks, presence = found
        pose, aux = landmarks[:POSE_COUNT], landmarks[list(AUX)]
        scale_rect = aux_rect(aux, width, height)
        object_scale = (scale_rect.width * width + scale_rect.height * height) / 2
        if self.options.smooth:
            pose = self.screen.apply(pose, stamp, width, height, object_scale)
        aux = self.aux.apply(aux, stamp, width, height, object_scale)
        self.tracked = transform_rect(aux_rect(aux, width, height), width, height, POSE_ROI)
        return FoundPose(pose.astype(np.float32), presence, rect, detected)

    def landmarks(self, rgb: np.ndarray, rect: Rect) -> tuple[np.ndarray, float] | None:
        """Run the landmark network on a region: (39, 5) image landmarks and presence, or None when absent."""
        tensor, padding = crop(rgb, rect, POSE_INPUT)
        out = self.network.run(tensor[None])
        presence = float(out["presence"][0].reshape(-1)[0])
        if presence <= self.options.min_presence:
            return None
        lm = tensor_to_landmarks(out["landmarks"][0], ALL_LANDMARKS, POSE_INPUT.width, POSE_INPUT.height,
                                 POSE_NORMALIZE_Z, sigmoid_scores=True)
        lm = refine_from_heatmap(lm, out["heatmap"][0])
        return project(remove_letterbox(lm, padding), rect), presence
