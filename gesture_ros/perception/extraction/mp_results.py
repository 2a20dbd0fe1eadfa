"""Turn MediaPipe Solutions results into landmark arrays and observations (handedness fixed here).

MediaPipe Hands labels hands as if the image were mirrored (a selfie view), while Pose and
Holistic label the body as seen in an unmirrored image. Observations always hold the
performer's anatomical sides: with ``mirrored=False`` (a camera facing the performer, image
not flipped) the Hands labels are swapped, with ``mirrored=True`` the Pose/Holistic sides are.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gesture_ros.common.landmarks import N_FIELDS, Field, PoseLandmark
from gesture_ros.perception.extraction.observations import HandObservation, Person, Side


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


def _pose_mirror_order() -> list[int]:
    """Return the pose index permutation that swaps every LEFT_* with its RIGHT_*."""
    order = list(range(len(PoseLandmark)))
    for lm in PoseLandmark:
        if lm.name.startswith("LEFT_"):
            right = PoseLandmark[lm.name.replace("LEFT_", "RIGHT_", 1)]
            order[lm], order[right] = right, lm
    return order


POSE_MIRROR = _pose_mirror_order()


def hands_from_result(result: Any, mirrored: bool) -> list[HandObservation]:
    """Return every hand of a Hands result with its anatomical side, best score first."""
    if not result.multi_hand_landmarks:
        return []
    hands = []
    for lms, handedness in zip(result.multi_hand_landmarks, result.multi_handedness, strict=True):
        label = handedness.classification[0]
        # MediaPipe's label is the selfie-view side; unmirrored input means the other hand.
        side = Side.LEFT if (label.label == "Left") == mirrored else Side.RIGHT
        hands.append(HandObservation(side, landmarks_to_array(lms), float(label.score)))
    return sorted(hands, key=lambda h: -h.score)


def person_from_result(result: Any, mirrored: bool, holistic: bool = False, face: bool = False) -> list[Person]:
    """Return the person of a Pose or Holistic result (none when no body was found)."""
    if result.pose_landmarks is None:
        return []
    pose = landmarks_to_array(result.pose_landmarks)
    person = Person(pose=pose[POSE_MIRROR] if mirrored else pose)
    if holistic:
        found = {Side.LEFT: result.left_hand_landmarks, Side.RIGHT: result.right_hand_landmarks}
        if mirrored:
            found = {Side.LEFT: found[Side.RIGHT], Side.RIGHT: found[Side.LEFT]}
        # Holistic gives no hand score: a hand it placed counts as certain.
        person.hands = {side: HandObservation(side, landmarks_to_array(lms), 1.0)
                        for side, lms in found.items() if lms is not None}
        if face and result.face_landmarks is not None:
            person.face = landmarks_to_array(result.face_landmarks)
    return [person]
