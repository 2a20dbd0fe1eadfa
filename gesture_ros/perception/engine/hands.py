"""Hands: palm detection only when needed, every tracked hand followed from its own landmarks (facts §1-4).

Per frame: the palm detector runs on a reset, while no hand is tracked, or while fewer than
``max_hands`` are tracked and ``detect_every`` frames have passed since it last ran (MediaPipe runs
it on every such frame), and, with ``detect_every`` > 1, on the frame where a tracked hand is lost.
Palm regions and tracked regions are merged (tracked ones win on overlap), and all crops go through
the hand network in one batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gesture_ros.perception.engine.crop import HAND_INPUT, crop_batch
from gesture_ros.perception.engine.detector import PALM_DETECTOR, Detector
from gesture_ros.perception.engine.projection import HAND_NORMALIZE_Z, project, remove_letterbox, tensor_to_landmarks
from gesture_ros.perception.engine.regions import (
    HAND_LANDMARKS_TO_HAND,
    PALM_TO_HAND,
    Rect,
    associate,
    hand_rect_from_landmarks,
    rect_from_box,
    transform_rect,
)

WRIST_CENTER, MIDDLE_MCP = 0, 2  # palm keypoints the hand region is rotated by (facts §1, §2)
ASSOCIATION_THRESHOLD = 0.5


@dataclass
class HandOptions:
    max_hands: int = 2
    min_detection_confidence: float = 0.5
    min_presence: float = 0.5  # the Solutions API's min_tracking_confidence
    detect_every: int = 1  # while fewer hands are tracked than wanted: 1 as MediaPipe


@dataclass
class FoundHand:
    """One hand of a frame: (21, 5) normalised image landmarks, P(selfie-view 'Left'), presence."""

    landmarks: np.ndarray
    left_score: float
    presence: float
    rect: Rect
    detected: bool  # its region came from the palm detector this frame


def handedness(left_score: float) -> tuple[str, float]:
    """Return the selfie-view label ('Left'/'Right') and its score from the network's raw 'Left' value."""
    return ("Left", left_score) if left_score > 0.5 else ("Right", 1.0 - left_score)


class HandTracker:
    """Find and follow hands in RGB frames."""

    def __init__(self, palm_network, hand_network, options: HandOptions | None = None) -> None:
        self.options = options or HandOptions()
        self.detector = Detector(palm_network, PALM_DETECTOR, self.options.min_detection_confidence)
        self.network = hand_network
        self.tracked: list[Rect] = []
        self._since_detection = 0
        self._reset = True
        self.hand_calls = 0

    def reset(self) -> None:
        """Forget the tracked hands: the next frame runs the palm detector."""
        self._reset = True

    def needs_detection(self) -> bool:
        o = self.options
        if self._reset or not self.tracked:
            return True
        return len(self.tracked) < o.max_hands and self._since_detection >= o.detect_every

    def palm_rects(self, rgb: np.ndarray) -> list[Rect]:
        """Return the hand regions of the best palms (at most max_hands)."""
        height, width = rgb.shape[:2]
        palms = self.detector.detect(rgb).take(slice(0, self.options.max_hands))
        return [transform_rect(rect_from_box(palms.boxes[i], palms.keypoints[i, WRIST_CENTER],
                                             palms.keypoints[i, MIDDLE_MCP], width, height), width, height, PALM_TO_HAND)
                for i in range(len(palms))]

    def process(self, rgb: np.ndarray) -> list[FoundHand]:
        height, width = rgb.shape[:2]
        tracked = [] if self._reset else self.tracked
        palms: list[Rect] = []
        if self.needs_detection():
            palms = self.palm_rects(rgb)
            self._since_detection = 0
        self._since_detection += 1
        self._reset = False
        rects = associate(palms + tracked, ASSOCIATION_THRESHOLD)
        hands = self.landmarks(rgb, rects, detected={id(r) for r in palms})
        if not palms and len(hands) < len(tracked) and self.options.detect_every > 1:
            hands += self._find_lost(rgb, hands)
        self.tracked = [transform_rect(hand_rect_from_landmarks(h.landmarks, width, height), width, height,
                                       HAND_LANDMARKS_TO_HAND) for h in hands]
        return hands

    def _find_lost(self, rgb: np.ndarray, kept: list[FoundHand]) -> list[FoundHand]:
        """A tracked hand just lost (a fast move outran its region): look for it in this same frame.

        With detect_every 1 the detector already ran on such frames (one hand tracked of two wanted)
        or runs on the next (MediaPipe's rule); with more, this keeps a fast hand from dropping out.
        """
        palms = self.palm_rects(rgb)
        self._since_detection = 1
        fresh = [r for r in associate(palms + [h.rect for h in kept], ASSOCIATION_THRESHOLD) if r in palms]
        return self.landmarks(rgb, fresh, detected={id(r) for r in fresh})

    def landmarks(self, rgb: np.ndarray, rects: list[Rect], detected: set[int] = frozenset()) -> list[FoundHand]:
        """Run the hand network on all regions in one batch; keep the hands present in them."""
        if not rects:
            return []
        batch, paddings = crop_batch(rgb, rects, HAND_INPUT)
        out = self.network.run(batch)
        self.hand_calls += 1
        hands = []
        for i, rect in enumerate(rects):
            presence = float(out["presence"][i].reshape(-1)[0])
            if presence <= self.options.min_presence:
                continue
            lm = tensor_to_landmarks(out["landmarks"][i], 21, HAND_INPUT.width, HAND_INPUT.height, HAND_NORMALIZE_Z)
            lm = project(remove_letterbox(lm, paddings[i]), rect)
            hands.append(FoundHand(lm, float(out["handedness"][i].reshape(-1)[0]), presence, rect,
                                   id(rect) in detected))
        return hands
