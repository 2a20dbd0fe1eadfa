"""The one MediaPipe wrapper: BGR image in, KeypointFrame out (keypoint_node and toolkit).

Uses the legacy Solutions API (mediapipe 0.10.21 bundles its models) in video mode, so
landmarks are tracked from frame to frame. Models:

- ``hands``: up to ``max_num_hands`` hands, no pose.
- ``pose``: the 33 body landmarks, no hands.
- ``holistic``: pose, both hands (cropped around the pose wrists) and optionally the face.
  It finds no hands when no body is in view (a close-up hand).
- ``hands_pose``: Hands and Pose on the same frame, at the same time in two threads, merged;
  Hands keeps close-ups with no body, and where the body is in view the hands are checked
  against it and placed on its sides (perception/extraction/recovery.py), as Holistic does.

The stages are in perception/extraction (prepare → pose → hand regions → hands → recovery checks →
assemble); this class runs them, in parallel where they are independent, and times each.
Handedness: KeypointFrame always holds the performer's anatomical hands
(perception/extraction/mp_results.py says how ``mirrored_input`` changes the labels).
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from gesture_ros.common.landmarks import KeypointFrame
from gesture_ros.common.stats import StageTimer
from gesture_ros.perception.extraction.assemble import assemble
from gesture_ros.perception.extraction.hand_regions import hand_regions
from gesture_ros.perception.extraction.hand_stage import HandStage
from gesture_ros.perception.extraction.image import PreparedImage, prepare_image
from gesture_ros.perception.extraction.mp_results import landmarks_to_array
from gesture_ros.perception.extraction.observations import HandObservation, Person
from gesture_ros.perception.extraction.options import ExtractorOptions, ModelKind, RecoveryOptions
from gesture_ros.perception.extraction.pose_stage import PoseStage
from gesture_ros.perception.extraction.recovery import HandChecks, Scene, Verdict, associate

__all__ = ["ExtractorError", "ExtractorOptions", "KeypointExtractor", "ModelKind", "RecoveryOptions",
           "landmarks_to_array"]


class ExtractorError(RuntimeError):
    """MediaPipe is missing or the options cannot be served."""


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
        self.counts: Counter[str] = Counter()
        self.model_name = f"mediapipe-{self.kind.value.replace('_', '+')}/{mp.__version__}"
        o, kind = self.options, self.kind
        # Two workers: Pose beside Hands, and a spare Hands tracker made ready for re-detection.
        needs_pool = (kind == ModelKind.HANDS_POSE and o.concurrent) or (kind.runs_hands and o.recovery.enabled)
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="mediapipe") if needs_pool else None
        self.pose_stage = PoseStage(mp, o, holistic=kind == ModelKind.HOLISTIC) if kind.runs_pose else None
        self.hand_stage = HandStage(mp, o, self._pool if o.recovery.enabled else None) if kind.runs_hands else None
        self.checks = HandChecks(o.recovery)

    def process(self, bgr: np.ndarray, stamp_ns: int, frame_id: str = "", skipped: int = 0) -> KeypointFrame:
        """Find keypoints in one BGR (H, W, 3) uint8 frame, in capture order.

        ``skipped``: camera frames dropped since the previous call (a consumer slower than the
        camera); with ``recovery.redetect_after_skipped`` set, that many make Hands re-detect.
        """
        with self.timer.stage("prepare"):
            image = prepare_image(bgr, self.options.max_image_side)
        self.counts["frames extracted"] += 1
        recovery = self.options.recovery
        if (self.hand_stage is not None and recovery.enabled and recovery.redetect_after_skipped
                and skipped >= recovery.redetect_after_skipped):
            self.counts["re-detections: frames skipped"] += 1
            self.hand_stage.reset()
        with self.timer.stage("models"):
            persons, hands = self._run_models(image)
        person = persons[0] if persons else None
        if person is not None and person.hands is not None:  # Holistic placed the hands itself
            hands = list(person.hands.values())
        elif self.hand_stage is not None:
            with self.timer.stage("recovery"):
                hands = self._recover(image, hands, person, stamp_ns)
        far = getattr(self.pose_stage, "far", None)
        if far is not None:
            far.note_hands(hands, image.width, image.height)
        return assemble(image, stamp_ns, frame_id, self.model_name, person, hands)

    def _run_models(self, image: PreparedImage) -> tuple[list[Person], list[HandObservation]]:
        """Run the pose and hand stages, at the same time when both are needed and a pool exists."""
        pose, hands = self.pose_stage, self.hand_stage
        if pose is not None and hands is not None and self.options.concurrent and self._pool is not None:
            later = self._pool.submit(self._timed, "pose", pose.process, image)
            found = self._timed("hands", hands.process, image)
            return later.result(), found
        persons = self._timed("pose", pose.process, image) if pose is not None else []
        found = self._timed("hands", hands.process, image) if hands is not None else []
        return persons, found

    def _timed(self, stage: str, run, image: PreparedImage):
        with self.timer.stage(stage):
            return run(image)

    def _recover(self, image: PreparedImage, hands: list[HandObservation], person: Person | None,
                 stamp_ns: int) -> list[HandObservation]:
        """Associate the hands with the person; re-detect hands that fail the checks (recovery.py)."""
        o = self.options.recovery
        scene = Scene(person, hand_regions(person, image.width, image.height) if person else {},
                      image.width, image.height, int(stamp_ns))
        hands = associate(hands, scene, o.max_wrist_distance)
        if not o.enabled:
            return hands
        verdicts = [self.checks.verdict(h, scene) for h in hands]
        failed = [v for h, v in zip(hands, verdicts, strict=True) if v is not Verdict.OK and not h.redetected]
        if failed:
            self.counts.update(f"re-detections: {v.value}" for v in failed)
            with self.timer.stage("re-detect"):
                self.hand_stage.reset()
                hands = associate(self.hand_stage.process(image), scene, o.max_wrist_distance)
            verdicts = [self.checks.verdict(h, scene) for h in hands]
        kept = [h for h, v in zip(hands, verdicts, strict=True) if v is not Verdict.COLLAPSED]
        self.counts["hands left out: collapsed shape"] += len(hands) - len(kept)
        self.checks.accept(kept, scene)
        return kept

    def figures(self) -> dict[str, int]:
        """Return the counts for diagnostics: frames extracted, re-detections by reason, hands left out,
        far-body scans and the frames whose body they found (perception/extraction/far_body.py)."""
        figures = dict(self.counts)
        far = getattr(self.pose_stage, "far", None)  # Holistic and scripted stages have none
        if far is not None:
            figures.update({"far-body scans": far.scans, "far-body frames": far.frames_found})
        return figures

    def close(self) -> None:
        """Release the MediaPipe graphs and the worker threads."""
        for stage in (self.hand_stage, self.pose_stage):
            if stage is not None:
                stage.close()
        self.hand_stage = self.pose_stage = None
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    def __enter__(self) -> KeypointExtractor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
