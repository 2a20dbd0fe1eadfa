"""KeypointExtractor on the engine: the same stages, options, recovery checks and KeypointFrames as the
mediapipe backend (core/extractor.py), with MediaPipe's networks on ONNX Runtime underneath.

The wrong-hand recovery becomes a reset of the hand tracker (its next call runs the palm
detector on the same frame), not a spare solution object.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from gesture_ros.common.landmarks import KeypointFrame
from gesture_ros.common.ort_providers import DEFAULT_PROVIDERS
from gesture_ros.common.stats import StageTimer
from gesture_ros.perception.engine.hands import FoundHand, HandOptions, HandTracker, handedness
from gesture_ros.perception.engine.models import EngineModelError, open_network
from gesture_ros.perception.engine.pose import POSE_COUNT, PoseOptions, PoseTracker
from gesture_ros.perception.extraction.far_body import FarBodyOptions, FarBodySearch
from gesture_ros.perception.extraction.image import PreparedImage
from gesture_ros.perception.extraction.mp_results import POSE_MIRROR
from gesture_ros.perception.extraction.observations import HandObservation, Person, Side
from gesture_ros.perception.extraction.options import ExtractorOptions, ModelKind
from gesture_ros.perception.extraction.recovery import HandChecks
from gesture_ros.perception.extractor import ExtractorError, KeypointExtractor

ENGINE_VERSION = "1"


@dataclass
class EngineOptions:
    """What only the engine has: providers, threads per network, the TensorRT engine cache.

    How often the palm detector looks for missing hands is ``ExtractorOptions.palm_detect_every`` (a node
    parameter).
    """

    providers: tuple[str, ...] = DEFAULT_PROVIDERS
    # ONNX Runtime intra-op threads per network (0: its default). 1: pose and hands already run side by side;
    # measured on 2 cores, hands_pose: 34 vs 28 frames/s and 36.5 vs 40 ms CPU a frame against the default.
    threads: int = 1
    trt_cache_dir: str = ""


def observations(found: list[FoundHand], mirrored: bool) -> list[HandObservation]:
    """Return the tracker's hands as HandObservations, best score first."""
    hands = []
    for hand in found:
        label, score = handedness(hand.left_score)
        # The label is the selfie-view side; unmirrored input means the other hand (as mp_results.py).
        side = Side.LEFT if (label == "Left") == mirrored else Side.RIGHT
        hands.append(HandObservation(side, hand.landmarks, score, redetected=hand.detected))
    return sorted(hands, key=lambda h: -h.score)


class EngineHandStage:
    """The hand stage interface of core/extraction/hand_stage.py over the engine's HandTracker."""

    def __init__(self, tracker: HandTracker, mirrored: bool) -> None:
        self.tracker = tracker
        self.mirrored = mirrored
        self.resets = 0

    def process(self, image: PreparedImage) -> list[HandObservation]:
        return observations(self.tracker.process(image.rgb), self.mirrored)

    def reset(self) -> None:
        self.resets += 1
        self.tracker.reset()

    def close(self) -> None:
        pass


class EnginePoseStage:
    """The pose stage interface of core/extraction/pose_stage.py over the engine's PoseTracker.

    A body too small for the whole frame is searched for and followed on zoomed crops
    (core/extraction/far_body.py), each crop a single-image call into the tracker (detector + landmarks).
    """

    def __init__(self, tracker: PoseTracker, mirrored: bool, far: FarBodyOptions | None = None) -> None:
        self.tracker = tracker
        self.mirrored = mirrored
        self.far = FarBodySearch(self._find_zoomed, far) if far is not None and far.scan_every > 0 else None

    def _person(self, landmarks: np.ndarray) -> Person:
        return Person(pose=landmarks[POSE_MIRROR] if self.mirrored else landmarks)

    def process(self, image: PreparedImage) -> list[Person]:
        far = self.far
        if far is not None and far.following:
            people = far.follow(image)
            if people:
                return people
        found = self.tracker.process(image.rgb)
        people = [] if found is None else [self._person(found.landmarks)]
        if people or far is None:
            return people
        return far.search(image)

    def _find_zoomed(self, rgb: np.ndarray) -> list[Person]:
        rect = self.tracker.detect(rgb)
        found = self.tracker.landmarks(rgb, rect) if rect is not None else None
        return [] if found is None else [self._person(found[0][:POSE_COUNT].astype(np.float32))]

    def close(self) -> None:
        pass


class EngineExtractor(KeypointExtractor):
    """KeypointExtractor whose stages run the engine (models hands, pose, hands_pose)."""

    def __init__(self, options: ExtractorOptions | None = None, engine: EngineOptions | None = None) -> None:
        self.options = options or ExtractorOptions()
        self.engine = engine or EngineOptions()
        self.kind = self.options.validate()
        if self.kind == ModelKind.HOLISTIC:
            raise ExtractorError("the onnx backend has no holistic model yet; use hands, pose or hands_pose")
        o, e = self.options, self.engine  # model_complexity: only the full networks are converted; all run them
        self.timer = StageTimer()
        self.counts: Counter[str] = Counter()
        try:
            def net(name):
                return open_network(name, e.providers, e.threads, e.trt_cache_dir)

            self.pose_stage = self.hand_stage = None
            if self.kind.runs_pose:
                self.pose_stage = EnginePoseStage(PoseTracker(
                    net("pose_detection"), net("pose_landmark_full"),
                    PoseOptions(o.min_detection_confidence, o.min_tracking_confidence)), o.mirrored_input,
                    o.far_body)
            if self.kind.runs_hands:
                self.hand_stage = EngineHandStage(HandTracker(
                    net("palm_detection_full"), net("hand_landmark_full"),
                    HandOptions(o.max_num_hands, o.min_detection_confidence, o.min_tracking_confidence,
                                o.palm_detect_every)), o.mirrored_input)
        except (EngineModelError, OSError) as exc:
            raise ExtractorError(str(exc)) from None
        self.providers = (self.hand_stage or self.pose_stage).tracker.network.providers
        self.model_name = f"onnx-{self.kind.value.replace('_', '+')}/{ENGINE_VERSION}"
        both = self.pose_stage is not None and self.hand_stage is not None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="engine") if both and o.concurrent else None
        self.checks = HandChecks(o.recovery)

    def process(self, bgr: np.ndarray, stamp_ns: int, frame_id: str = "", skipped: int = 0) -> KeypointFrame:
        """Find keypoints in one BGR (H, W, 3) uint8 frame (core/extractor.py), refusing empty images."""
        if getattr(bgr, "size", 0) == 0:
            raise ValueError(f"expected a BGR uint8 (H, W, 3) image, got an empty one {getattr(bgr, 'shape', None)}")
        return super().process(bgr, stamp_ns, frame_id, skipped)

    def describe(self) -> str:
        """Return the model name and the ONNX Runtime providers the networks got (the node's start-up line)."""
        return f"{self.model_name} (providers {', '.join(self.providers)})"

    def figures(self) -> dict[str, int | str]:
        """Return the counts, how often each detector and landmark network ran, and the providers."""
        figures: dict[str, int | str] = {**super().figures(), "providers": ", ".join(self.providers)}
        if self.hand_stage is not None:
            tracker = self.hand_stage.tracker
            figures.update({"palm detections": tracker.detector.calls, "hand network calls": tracker.hand_calls})
        if self.pose_stage is not None:
            figures["pose detections"] = self.pose_stage.tracker.detector.calls
        return figures
