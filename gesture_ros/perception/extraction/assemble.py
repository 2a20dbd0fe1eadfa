"""Pack a frame's person and hands into the KeypointFrame every later stage uses."""

from __future__ import annotations

from gesture_ros.common.landmarks import KeypointFrame, pose_score
from gesture_ros.perception.extraction.image import PreparedImage
from gesture_ros.perception.extraction.observations import HandObservation, Person


def assemble(image: PreparedImage, stamp_ns: int, frame_id: str, model: str, person: Person | None,
             hands: list[HandObservation]) -> KeypointFrame:
    """Return the KeypointFrame of one person and its hands (one hand per side)."""
    frame = KeypointFrame(stamp_ns=int(stamp_ns), frame_id=frame_id, image_width=image.width,
                          image_height=image.height, model=model)
    if person is not None:
        frame.pose = person.pose
        frame.pose_score = pose_score(frame.pose)
        frame.face = person.face
    for hand in hands:
        setattr(frame, hand.side.part.value, hand.landmarks)
        setattr(frame, f"{hand.side.part.value}_score", hand.score)
    return frame
