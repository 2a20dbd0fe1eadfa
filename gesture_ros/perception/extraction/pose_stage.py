"""Person stage: MediaPipe Pose (or Holistic, which also places the hands from the pose)."""

from __future__ import annotations

from typing import Any

from gesture_ros.perception.extraction.far_body import FarBodySearch
from gesture_ros.perception.extraction.image import PreparedImage
from gesture_ros.perception.extraction.mp_results import person_from_result
from gesture_ros.perception.extraction.observations import Person
from gesture_ros.perception.extraction.options import ExtractorOptions


class PoseStage:
    """Find the person in a frame, tracking the body from frame to frame (video mode).

    With Pose (not Holistic) a body too small for the whole frame is searched for and followed
    on zoomed crops (far_body.py) by a second, single-image Pose.
    """

    def __init__(self, mp: Any, options: ExtractorOptions, holistic: bool = False) -> None:
        self.options = options
        self.holistic = holistic
        solution = mp.solutions.holistic.Holistic if holistic else mp.solutions.pose.Pose
        self._solution = solution(static_image_mode=False, model_complexity=options.model_complexity,
                                  min_detection_confidence=options.min_detection_confidence,
                                  min_tracking_confidence=options.min_tracking_confidence)
        self._mp = mp
        self._zoomed = None  # made on the first search: a clip that always shows the body never pays for it
        self.far: FarBodySearch | None = None
        if not holistic and options.far_body.scan_every > 0:
            self.far = FarBodySearch(self._find_zoomed, options.far_body)

    def process(self, image: PreparedImage) -> list[Person]:
        """Return the people found (zero or one with the legacy Solutions API)."""
        far = self.far
        if far is not None and far.following:
            people = far.follow(image)
            if people:
                return people
        result = self._solution.process(image.rgb)
        people = person_from_result(result, self.options.mirrored_input, self.holistic, self.options.enable_face)
        if people or far is None:
            return people
        return far.search(image)

    def _find_zoomed(self, rgb) -> list[Person]:
        if self._zoomed is None:
            o = self.options
            self._zoomed = self._mp.solutions.pose.Pose(static_image_mode=True, model_complexity=o.model_complexity,
                                                        min_detection_confidence=o.min_detection_confidence)
        return person_from_result(self._zoomed.process(rgb), self.options.mirrored_input)

    def close(self) -> None:
        self._solution.close()
        if self._zoomed is not None:
            self._zoomed.close()
