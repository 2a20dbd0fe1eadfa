"""The one MediaPipe wrapper: BGR image in, KeypointFrame out (keypoint_node and toolkit).

Uses the legacy Solutions API (mediapipe 0.10.21 bundles its models) in video mode, so
landmarks are tracked from frame to frame. Models:

- ``hands``: up to ``max_num_hands`` hands, no pose.
- ``pose``: the 33 body landmarks, no hands.
- ``holistic``: pose, both hands (cropped around the pose wrists) and optionally the face.
  It finds no hands when no body is in view (a close-up hand).
- ``hands_pose``: Hands and Pose on the same frame, merged; for close-ups that still need
  the body when it is visible (x_cross).

Handedness: MediaPipe Hands labels hands as if the image were mirrored (a selfie view),
while Pose and Holistic label the body as seen in an unmirrored image. KeypointFrame
always holds the performer's anatomical hands, so with ``mirrored_input=False`` (a camera
facing the performer, image not flipped) the Hands labels are swapped, and with
``mirrored_input=True`` the Pose/Holistic left and right are swapped instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

import cv2
import numpy as np

from gesture_ros.core.landmarks import N_FIELDS, Field, KeypointFrame, PoseLandmark
from gesture_ros.core.stats import StageTimer


class ModelKind(str, Enum):
    """Which MediaPipe solution(s) to run."""

    HANDS = "hands"
    POSE = "pose"
    HOLISTIC = "holistic"
    HANDS_POSE = "hands_pose"


class ExtractorError(RuntimeError):
    """MediaPipe is missing or the options cannot be served."""


@dataclass
class ExtractorOptions:
    """Options of KeypointExtractor (see the module docstring for models and handedness)."""

    model: str = "hands"
    max_num_hands: int = 2
    model_complexity: int = 1  # hands: 0..1, pose/holistic: 0..2 (clipped per model)
    min_detection_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    mirrored_input: bool = False
    enable_face: bool = False  # holistic only

    def validate(self) -> ModelKind:
        """Return the model kind, or raise ValueError naming the bad option."""
        try:
            kind = ModelKind(self.model)
        except ValueError:
            raise ValueError(
                f"model '{self.model}' is unknown; choose one of {[k.value for k in ModelKind]}"
            ) from None
        if not 1 <= self.max_num_hands <= 4:
            raise ValueError(f"max_num_hands must be 1..4, got {self.max_num_hands}")
        if not 0 <= self.model_complexity <= 2:
            raise ValueError(f"model_complexity must be 0..2, got {self.model_complexity}")
        for name in ("min_detection_confidence", "min_tracking_confidence"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in 0..1, got {getattr(self, name)}")
        if self.enable_face and kind != ModelKind.HOLISTIC:
            raise ValueError(f"enable_face needs model 'holistic', got '{self.model}'")
        return kind


def _pose_mirror_order() -> list[int]:
    """Return the pose index permutation that swaps every LEFT_* with its RIGHT_*."""
    order = list(range(len(PoseLandmark)))
    for lm in PoseLandmark:
        if lm.name.startswith("LEFT_"):
            right = PoseLandmark[lm.name.replace("LEFT_", "RIGHT_", 1)]
            order[lm], order[right] = right, lm
    return order


_POSE_MIRROR = _pose_mirror_order()


def landmarks_to_array(landmarks: Any) -> np.ndarray:
    """Convert a NormalizedLandmarkList to float32 (N, 5); NaN where a field is not set."""
    points = landmarks.landmark
    arr = np.full((len(points), N_FIELDS), np.nan, dtype=np.float32)
    for i, p in enumerate(points):
        arr[i, Field.X] = p.x
        arr[i, Field.Y] = p.y
        arr[i, Field.Z] = p.z
        if p.HasField("visibility"):
            arr[i, Field.VISIBILITY] = p.visibility
        if p.HasField("presence"):
            arr[i, Field.PRESENCE] = p.presence
    return arr


class KeypointExtractor:
    """Run MediaPipe on BGR frames and return KeypointFrames; a context manager."""

    def __init__(self, options: ExtractorOptions | None = None) -> None:
        self.options = options or ExtractorOptions()
        self.kind = self.options.validate()
        try:
            import mediapipe as mp
        except ImportError as exc:
            raise ExtractorError(f"mediapipe is not importable ({exc}); install mediapipe==0.10.21") from None
        self.timer = StageTimer()
        self.model_name = f"mediapipe-{self.kind.value.replace('_', '+')}/{mp.__version__}"
        self._solutions: dict[ModelKind, Any] = {}
        o = self.options
        if self.kind in (ModelKind.HANDS, ModelKind.HANDS_POSE):
            self._solutions[ModelKind.HANDS] = mp.solutions.hands.Hands(
                static_image_mode=False, max_num_hands=o.max_num_hands,
                model_complexity=min(o.model_complexity, 1),
                min_detection_confidence=o.min_detection_confidence,
                min_tracking_confidence=o.min_tracking_confidence)
        if self.kind in (ModelKind.POSE, ModelKind.HANDS_POSE):
            self._solutions[ModelKind.POSE] = mp.solutions.pose.Pose(
                static_image_mode=False, model_complexity=o.model_complexity,
                min_detection_confidence=o.min_detection_confidence,
                min_tracking_confidence=o.min_tracking_confidence)
        if self.kind == ModelKind.HOLISTIC:
            self._solutions[ModelKind.HOLISTIC] = mp.solutions.holistic.Holistic(
                static_image_mode=False, model_complexity=o.model_complexity,
                min_detection_confidence=o.min_detection_confidence,
                min_tracking_confidence=o.min_tracking_confidence)

    def process(self, bgr: np.ndarray, stamp_ns: int, frame_id: str = "") -> KeypointFrame:
        """Find keypoints in one BGR (H, W, 3) uint8 frame, in capture order."""
        if bgr.ndim != 3 or bgr.shape[2] != 3 or bgr.dtype != np.uint8:
            raise ValueError(f"expected a BGR uint8 (H, W, 3) image, got {bgr.dtype} {bgr.shape}")
        height, width = bgr.shape[:2]
        with self.timer.stage("convert"):
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            rgb.flags.writeable = False
        frame = KeypointFrame(stamp_ns=int(stamp_ns), frame_id=frame_id, image_width=width,
                              image_height=height, model=self.model_name)
        for kind, solution in self._solutions.items():
            with self.timer.stage(f"infer {kind.value}"):
                result = solution.process(rgb)
            with self.timer.stage("pack"):
                self._merge(kind, result, frame)
        return frame

    def _merge(self, kind: ModelKind, result: Any, frame: KeypointFrame) -> None:
        mirrored = self.options.mirrored_input
        if kind == ModelKind.HANDS:
            for side, arr, score in self._hands(result):
                setattr(frame, side, arr)
                setattr(frame, f"{side}_score", score)
            return
        if result.pose_landmarks is not None:
            pose = landmarks_to_array(result.pose_landmarks)
            frame.pose = pose[_POSE_MIRROR] if mirrored else pose
        if kind == ModelKind.HOLISTIC:
            hands = {"left_hand": result.left_hand_landmarks, "right_hand": result.right_hand_landmarks}
            if mirrored:
                hands = {"left_hand": hands["right_hand"], "right_hand": hands["left_hand"]}
            for side, lms in hands.items():
                if lms is not None:
                    setattr(frame, side, landmarks_to_array(lms))
                    setattr(frame, f"{side}_score", 1.0)  # Holistic gives no hand score
            if self.options.enable_face and result.face_landmarks is not None:
                frame.face = landmarks_to_array(result.face_landmarks)

    def _hands(self, result: Any) -> list[tuple[str, np.ndarray, float]]:
        """Return (side, landmarks, score) per hand, best-scored hand first per side."""
        if not result.multi_hand_landmarks:
            return []
        found: dict[str, tuple[str, np.ndarray, float]] = {}
        for lms, handedness in zip(result.multi_hand_landmarks, result.multi_handedness, strict=True):
            label = handedness.classification[0]
            # MediaPipe's label is the selfie-view side; unmirrored input means the other hand.
            is_left = (label.label == "Left") == self.options.mirrored_input
            side = "left_hand" if is_left else "right_hand"
            if side not in found or label.score > found[side][2]:
                found[side] = (side, landmarks_to_array(lms), float(label.score))
        return list(found.values())

    def close(self) -> None:
        """Release the MediaPipe graphs."""
        for solution in self._solutions.values():
            solution.close()
        self._solutions.clear()

    def __enter__(self) -> KeypointExtractor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
