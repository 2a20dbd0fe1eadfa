"""Several people on the engine: the people extractor (perception/people_extractor.py) with engine parts.

People are found by the pose detector on square tiles of the frame: its box is the face box
(mediapipe-graph-facts §2), which is what the people tracker follows, so no face network is
needed. Each person keeps their own trackers (a PoseTracker on the body crop, a HandTracker per
wrist crop), all sharing one ONNX Runtime session per network.
"""

from __future__ import annotations

import numpy as np

from gesture_ros.perception.engine.detector import POSE_DETECTOR, Detector
from gesture_ros.perception.engine.extractor import ENGINE_VERSION, EngineOptions, observations
from gesture_ros.perception.engine.hands import HandOptions, HandTracker
from gesture_ros.perception.engine.models import EngineModelError, open_network
from gesture_ros.perception.engine.pose import PoseOptions, PoseTracker
from gesture_ros.perception.extraction.face_finder import Face, merge, tiles
from gesture_ros.perception.extraction.image import PreparedImage
from gesture_ros.perception.extraction.mp_results import POSE_MIRROR
from gesture_ros.perception.extraction.observations import HandObservation, Person, Side
from gesture_ros.perception.extraction.options import ExtractorOptions
from gesture_ros.perception.extraction.person_models import PersonModels
from gesture_ros.perception.extractor import ExtractorError
from gesture_ros.perception.people_extractor import PeopleExtractor


class EngineFaceFinder:
    """Faces (the pose detector's face boxes) on tiles of the prepared image, in camera pixels."""

    def __init__(self, detector: Detector) -> None:
        self.detector = detector

    def find(self, image: PreparedImage) -> list[Face]:
        h, w = image.rgb.shape[:2]
        back = 1.0 / image.scale  # prepared-image pixels to camera pixels
        faces = []
        for x0, y0, side in tiles(w, h):
            found = self.detector.detect(np.ascontiguousarray(image.rgb[y0:y0 + side, x0:x0 + side]))
            for (xmin, ymin, xmax, ymax), score in zip(found.boxes, found.scores, strict=True):
                faces.append(Face((x0 + (xmin + xmax) / 2 * side) * back, (y0 + (ymin + ymax) / 2 * side) * back,
                                  max(xmax - xmin, ymax - ymin) * side * back, float(score)))
        return merge(faces)

    def close(self) -> None:
        pass


class EnginePersonModels(PersonModels):
    """One person's trackers on the shared networks (the mediapipe PersonModels' crops and checks)."""

    def __init__(self, networks: dict, options: ExtractorOptions) -> None:  # noqa: D107 (no solution objects)
        o = self.options = options
        self.redetections = 0
        self._pose_tracker = PoseTracker(networks["pose_detection"], networks["pose_landmark_full"],
                                         PoseOptions(o.min_detection_confidence, o.min_tracking_confidence))
        self._hand_trackers = {side: HandTracker(networks["palm_detection_full"], networks["hand_landmark_full"],
                                                 HandOptions(2, o.min_detection_confidence, o.min_tracking_confidence,
                                                             o.palm_detect_every)) for side in Side}

    def _pose_people(self, pixels: np.ndarray) -> list[Person]:
        tracker = self._pose_tracker
        was_tracked = tracker.tracked is not None
        found = tracker.process(pixels)
        if found is None and was_tracked:
            found = tracker.process(pixels)  # lost from its tracked region: the detector, on this same crop
        if found is None:
            return []
        return [Person(pose=found.landmarks[POSE_MIRROR] if self.options.mirrored_input else found.landmarks)]

    def _hand_observations(self, side: Side, pixels: np.ndarray) -> list[HandObservation]:
        return observations(self._hand_trackers[side].process(pixels), self.options.mirrored_input)

    def _forget(self, side: Side) -> None:
        self._hand_trackers[side].reset()

    def close(self) -> None:
        pass


class EnginePeopleExtractor(PeopleExtractor):
    """The people extractor on the engine's networks (one session each, shared by everybody)."""

    def __init__(self, options: ExtractorOptions, engine: EngineOptions | None = None) -> None:
        e = engine or EngineOptions()
        try:
            networks = {name: open_network(name, e.providers, e.threads, e.trt_cache_dir) for name in
                        ("pose_detection", "pose_landmark_full", "palm_detection_full", "hand_landmark_full")}
        except (EngineModelError, OSError) as exc:
            raise ExtractorError(str(exc)) from None
        finder = EngineFaceFinder(Detector(networks["pose_detection"], POSE_DETECTOR, options.people.min_face_score))
        super().__init__(options, finder, lambda: EnginePersonModels(networks, options), f"onnx-people/{ENGINE_VERSION}")
        self.providers = networks["pose_landmark_full"].providers

    def describe(self) -> str:
        """Return the model name and the ONNX Runtime providers (the node's start-up line)."""
        return f"{self.model_name} (providers {', '.join(self.providers)})"

    def figures(self) -> dict[str, int | str]:
        return {**super().figures(), "providers": ", ".join(self.providers)}
