"""Person stage: MediaPipe Pose (or Holistic, which also places the hands from the pose)."""

from __future__ import annotations

from typing import Any

from gesture_ros.core.extraction.image import PreparedImage
from gesture_ros.core.extraction.mp_results import person_from_result
from gesture_ros.core.extraction.observations import Person
from gesture_ros.core.extraction.options import ExtractorOptions


class PoseStage:
    """Find the person in a frame, tracking the body from frame to frame (video mode)."""

    def __init__(self, mp: Any, options: ExtractorOptions, holistic: bool = False) -> None:
        self.options = options
        self.holistic = holistic
        solution = mp.solutions.holistic.Holistic if holistic else mp.solutions.pose.Pose
        self._solution = solution(static_image_mode=False, model_complexity=options.model_complexity,
                                  min_detection_confidence=options.min_detection_confidence,
                                  min_tracking_confidence=options.min_tracking_confidence)

    def process(self, image: PreparedImage) -> list[Person]:
        """Return the people found (zero or one with the legacy Solutions API)."""
        result = self._solution.process(image.rgb)
        return person_from_result(result, self.options.mirrored_input, self.holistic, self.options.enable_face)

    def close(self) -> None:
        self._solution.close()
