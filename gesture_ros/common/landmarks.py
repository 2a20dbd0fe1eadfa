"""Named landmarks and the ROS-free keypoint frame every stage passes around."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, IntEnum

import numpy as np


class PoseLandmark(IntEnum):
    """MediaPipe Pose landmark indices (33)."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


class HandLandmark(IntEnum):
    """MediaPipe Hands landmark indices (21)."""

    WRIST = 0
    THUMB_CMC = 1
    THUMB_MCP = 2
    THUMB_IP = 3
    THUMB_TIP = 4
    INDEX_FINGER_MCP = 5
    INDEX_FINGER_PIP = 6
    INDEX_FINGER_DIP = 7
    INDEX_FINGER_TIP = 8
    MIDDLE_FINGER_MCP = 9
    MIDDLE_FINGER_PIP = 10
    MIDDLE_FINGER_DIP = 11
    MIDDLE_FINGER_TIP = 12
    RING_FINGER_MCP = 13
    RING_FINGER_PIP = 14
    RING_FINGER_DIP = 15
    RING_FINGER_TIP = 16
    PINKY_MCP = 17
    PINKY_PIP = 18
    PINKY_DIP = 19
    PINKY_TIP = 20


class Part(str, Enum):
    """A body part the keypoint model reports as one landmark array."""

    POSE = "pose"
    LEFT_HAND = "left_hand"
    RIGHT_HAND = "right_hand"
    FACE = "face"


class Field(IntEnum):
    """Columns of a landmark array."""

    X = 0
    Y = 1
    Z = 2
    VISIBILITY = 3
    PRESENCE = 4


POSE_LENGTH = len(PoseLandmark)
HAND_LENGTH = len(HandLandmark)
FACE_LENGTHS = (468, 478)
N_FIELDS = len(Field)

# Bones for drawing skeletons (rviz markers, annotated images).
HAND_BONES = (
    (0, 1), (1, 2), (2, 3), (3, 4),
    (0, 5), (5, 6), (6, 7), (7, 8),
    (5, 9), (9, 10), (10, 11), (11, 12),
    (9, 13), (13, 14), (14, 15), (15, 16),
    (13, 17), (0, 17), (17, 18), (18, 19), (19, 20),
)
POSE_BONES = (
    (11, 12), (11, 13), (13, 15), (12, 14), (14, 16),
    (15, 17), (15, 19), (15, 21), (17, 19), (16, 18), (16, 20), (16, 22), (18, 20),
    (11, 23), (12, 24), (23, 24), (23, 25), (24, 26), (25, 27), (26, 28),
    (27, 29), (29, 31), (27, 31), (28, 30), (30, 32), (28, 32),
    (0, 1), (1, 2), (2, 3), (3, 7), (0, 4), (4, 5), (5, 6), (6, 8), (9, 10),
)


class KeypointError(ValueError):
    """A keypoint frame or message that does not have the documented layout."""


def _check_part(name: str, arr: np.ndarray | None, lengths: tuple[int, ...]) -> np.ndarray | None:
    if arr is None:
        return None
    arr = np.asarray(arr, dtype=np.float32)
    if arr.size == 0:
        return None
    if arr.ndim != 2 or arr.shape[0] not in lengths or arr.shape[1] != N_FIELDS:
        raise KeypointError(
            f"{name} has shape {arr.shape}, expected ({' or '.join(map(str, lengths))}, {N_FIELDS})"
        )
    return arr


@dataclass
class KeypointFrame:
    """Keypoints of one camera image; a part is None when it was not detected.

    Arrays are float32 (N, 5): x, y normalised to the image, z, visibility, presence
    (NaN where the model gives none). Hands are the performer's anatomical hands.
    """

    stamp_ns: int
    frame_id: str = ""
    image_width: int = 0
    image_height: int = 0
    model: str = ""
    pose: np.ndarray | None = None
    left_hand: np.ndarray | None = None
    right_hand: np.ndarray | None = None
    face: np.ndarray | None = None
    pose_score: float = 0.0
    left_hand_score: float = 0.0
    right_hand_score: float = 0.0
    person_id: int = 0  # tracked person (1, 2, ...); 0: the single-person extractor, or nobody in view

    def __post_init__(self) -> None:
        self.pose = _check_part("pose", self.pose, (POSE_LENGTH,))
        self.left_hand = _check_part("left_hand", self.left_hand, (HAND_LENGTH,))
        self.right_hand = _check_part("right_hand", self.right_hand, (HAND_LENGTH,))
        self.face = _check_part("face", self.face, FACE_LENGTHS)

    def part(self, part: Part) -> np.ndarray | None:
        """Return the landmark array of a part, or None when absent."""
        return getattr(self, part.value)

    @property
    def has_hand(self) -> bool:
        return self.left_hand is not None or self.right_hand is not None

    @property
    def aspect(self) -> float:
        """Return width / height of the image (1.0 when its size is unknown): x * aspect is in image heights."""
        return self.image_width / self.image_height if self.image_width > 0 and self.image_height > 0 else 1.0


def empty_landmarks(n: int) -> np.ndarray:
    """Return an (n, 5) array with zero positions and NaN visibility/presence."""
    arr = np.zeros((n, N_FIELDS), dtype=np.float32)
    arr[:, Field.VISIBILITY:] = np.nan
    return arr


def pose_score(pose: np.ndarray | None) -> float:
    """Return the mean visibility of a pose's landmarks (0..1): how much of the body is in view; 0 without one.

    The Solutions API gives the pose no detection confidence of its own; per-landmark visibility
    is what it does give.
    """
    if pose is None:
        return 0.0
    visibility = pose[:, Field.VISIBILITY]
    visibility = visibility[np.isfinite(visibility)]
    return float(np.clip(visibility.mean(), 0.0, 1.0)) if visibility.size else 0.0
