"""Hand stage: MediaPipe Hands in tracking mode that can forget what it tracks.

In video mode Hands crops each frame around the hands it found in the previous one and keeps
those over fresh palm detections that overlap them, so after a fast move (or frames skipped
by a slow consumer) it can keep reporting a wrong hand. The legacy Solutions API has no
"reset tracking" call. Measured choices (bench/hand_recovery.py, docs/perception.md):
recreating the solution costs ~130 ms (graph set-up on the first frame); one blank frame makes
the tracker lose its hands, so the next real frame runs the palm detector (results identical
to ``static_image_mode``), at the cost of one inference. So ``reset()`` swaps in a spare
tracker that already saw a blank frame, and blanks the old one in the background: no extra
inference on the frame being recovered. Without a pool it blanks the tracker in place.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np

from gesture_ros.perception.extraction.image import PreparedImage
from gesture_ros.perception.extraction.mp_results import hands_from_result
from gesture_ros.perception.extraction.observations import HandObservation
from gesture_ros.perception.extraction.options import ExtractorOptions

BLANK = np.zeros((64, 64, 3), np.uint8)
BLANK.flags.writeable = False


class HandStage:
    """Track hands from frame to frame; ``reset()`` makes the next frame detect them afresh."""

    def __init__(self, mp: Any, options: ExtractorOptions, pool: ThreadPoolExecutor | None = None) -> None:
        self.options = options
        self._pool = pool
        self._hands = mp.solutions.hands
        self._active = self._new()
        self._spare: Future | None = None  # a tracker that saw a blank frame, made ready in the pool
        self._fresh = True  # the active tracker tracks nothing: its next frame is a detection
        self.resets = 0

    def _new(self) -> Any:
        o = self.options
        return self._hands.Hands(static_image_mode=False, max_num_hands=o.max_num_hands,
                                 model_complexity=min(o.model_complexity, 1),
                                 min_detection_confidence=o.min_detection_confidence,
                                 min_tracking_confidence=o.min_tracking_confidence)

    @staticmethod
    def _forget(solution: Any) -> Any:
        solution.process(BLANK)
        return solution

    def process(self, image: PreparedImage) -> list[HandObservation]:
        """Return the hands in this frame, tracked from the previous one unless just reset."""
        hands = hands_from_result(self._active.process(image.rgb), self.options.mirrored_input)
        if self._fresh:
            for hand in hands:
                hand.redetected = True
        self._fresh = False
        return hands

    def reset(self) -> None:
        """Forget the tracked hands: the next ``process()`` detects them afresh."""
        self.resets += 1
        self._fresh = True
        spare = self._spare
        if spare is not None and spare.done() and spare.exception() is None:
            old, self._active = self._active, spare.result()
            self._spare = self._pool.submit(self._forget, old)
            return
        self._forget(self._active)
        if self._pool is not None and (spare is None or (spare.done() and spare.exception() is not None)):
            self._spare = self._pool.submit(lambda: self._forget(self._new()))  # a spare for the next reset

    def close(self) -> None:
        """Release the trackers (waiting for a spare still being made)."""
        if self._spare is not None:
            try:
                self._spare.result().close()
            except Exception:  # noqa: BLE001 (a spare that failed to build holds nothing)
                pass
            self._spare = None
        self._active.close()
