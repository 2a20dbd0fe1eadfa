"""Several people in view: one KeypointFrame per tracked person per frame, each with a stable id.

    image ─prepare─▶ faces (tiled face detection, every ``detect_every`` frames) ─▶ tracks
          └─ per track, in a worker pool: Pose on the body crop ─▶ Hands on each wrist crop
          ─▶ hands assigned to the nearest pose wrist, each hand once ─▶ KeypointFrames

Tracking rules (found, claimed, followed, lost, merged) are in perception/extraction/people_tracker.py.
Each person has their own Pose and Hands graphs (perception/extraction/person_models.py), so
MediaPipe's tracking stays on that person. With ``people.hand_crops`` and ``max_people`` 1 the
same pipeline serves one person with hands from upscaled wrist crops (small, far hands).
When nobody is tracked, ``process`` returns one empty frame (person_id 0), so consumers
still see the camera's frames go by.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from gesture_ros.common.landmarks import KeypointFrame
from gesture_ros.common.stats import StageTimer
from gesture_ros.perception.extraction.face_finder import FaceFinder
from gesture_ros.perception.extraction.image import PreparedImage, prepare_image
from gesture_ros.perception.extraction.options import ExtractorOptions
from gesture_ros.perception.extraction.people_tracker import PeopleTracker, Track
from gesture_ros.perception.extraction.person_models import HandCandidate, PersonModels, assign_hands
from gesture_ros.perception.extractor import ExtractorError, KeypointExtractor


class PeopleExtractor:
    """Find, track and extract several people; a context manager like KeypointExtractor."""

    def __init__(self, options: ExtractorOptions, finder=None, new_models: Callable[[], PersonModels] | None = None,
                 model_name: str = "") -> None:
        """MediaPipe's solution objects, unless ``finder``, ``new_models`` and ``model_name`` are given (the engine's)."""
        self.options = options
        options.validate()
        p = options.people
        if finder is None or new_models is None:
            try:
                import mediapipe as mp
            except ImportError as exc:
                raise ExtractorError(f"mediapipe is not importable ({exc}); install mediapipe==0.10.21") from None
            finder, model_name = FaceFinder(mp, p.min_face_score), f"mediapipe-people/{mp.__version__}"
            new_models = lambda: PersonModels(mp, options)  # noqa: E731
        self._new_models = new_models
        self.timer = StageTimer()
        self.counts: Counter[str] = Counter()
        self.model_name = model_name
        self.finder = finder
        self.tracker = PeopleTracker(p.max_people, p.lost_after)
        self._models: dict[int, PersonModels] = {}
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="mediapipe-person")
        self._frames = 0

    def process(self, bgr: np.ndarray, stamp_ns: int, frame_id: str = "", skipped: int = 0) -> list[KeypointFrame]:
        """Return one KeypointFrame per person seen in this frame (or one empty frame when none)."""
        with self.timer.stage("prepare"):
            image = prepare_image(bgr, self.options.max_image_side)
        tracker = self.tracker
        lost = any(t.misses for t in tracker.tracks)  # a pose lost last frame: look for its face again
        if self._frames % self.options.people.detect_every == 0 or not tracker.tracks or skipped or lost:
            with self.timer.stage("faces"):
                tracker.add_faces(self.finder.find(image))
        self._frames += 1
        self.counts["frames extracted"] += 1
        with self.timer.stage("people"):
            found = self._run_people(image, tracker.tracks)
        candidates: dict[int, list[HandCandidate]] = {}
        for track, (person, hands) in zip(tracker.tracks, found, strict=True):
            if person is None:
                track.missed()
            else:
                track.seen(person, image.width, image.height)
                candidates[track.person_id] = hands
        tracker.finish_frame(image.width, image.height)
        for pid in tracker.ended:
            self.counts["people lost"] += 1
            models = self._models.pop(pid, None)
            if models is not None:
                self.counts["hand re-detections"] += models.redetections
                models.close()
        assigned = assign_hands(candidates, self.options.recovery.max_wrist_distance, image.width, image.height)
        frames = [self._frame(image, stamp_ns, frame_id, t, assigned.get(t.person_id, {}))
                  for t in tracker.tracks if t.person is not None]
        self.counts["people seen"] = tracker.next_id - 1
        return frames or [KeypointFrame(stamp_ns=int(stamp_ns), frame_id=frame_id, image_width=image.width,
                                        image_height=image.height, model=self.model_name)]

    def _run_people(self, image: PreparedImage, tracks: list[Track]):
        jobs = []
        for track in tracks:
            models = self._models.get(track.person_id)
            if models is None:
                models = self._models[track.person_id] = self._new_models()
            jobs.append(self._pool.submit(models.process, image, track.crop))
        return [job.result() for job in jobs]

    def _frame(self, image: PreparedImage, stamp_ns: int, frame_id: str, track: Track, hands) -> KeypointFrame:
        frame = KeypointFrame(stamp_ns=int(stamp_ns), frame_id=frame_id, image_width=image.width,
                              image_height=image.height, model=self.model_name, pose=track.person.pose,
                              person_id=track.person_id)
        for side, hand in hands.items():
            setattr(frame, side.part.value, hand.landmarks)
            setattr(frame, f"{side.part.value}_score", hand.score)
        return frame

    def figures(self) -> dict[str, int]:
        """Return counts for diagnostics: frames, people seen (ids given), people lost, people tracked now."""
        live = sum(m.redetections for m in self._models.values())
        return {**self.counts, "hand re-detections": self.counts["hand re-detections"] + live,
                "people tracked": len(self.tracker.tracks)}

    def close(self) -> None:
        """Release every person's graphs, the face detector and the worker threads."""
        self._pool.shutdown(wait=True)
        for models in self._models.values():
            models.close()
        self._models.clear()
        self.finder.close()

    def __enter__(self) -> PeopleExtractor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_extractor(options: ExtractorOptions) -> KeypointExtractor | PeopleExtractor:
    """Return the people extractor when ``options.people`` asks for it, else the single-person one."""
    return PeopleExtractor(options) if options.people.enabled else KeypointExtractor(options)


def extract(extractor: KeypointExtractor | PeopleExtractor, bgr: np.ndarray, stamp_ns: int, frame_id: str = "",
            skipped: int = 0) -> list[KeypointFrame]:
    """Return the frame's KeypointFrames (one per person) from either extractor."""
    out = extractor.process(bgr, stamp_ns, frame_id, skipped=skipped)
    return out if isinstance(out, list) else [out]
