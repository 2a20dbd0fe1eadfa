"""One tracked person's own MediaPipe graphs: Pose on their body crop, Hands on crops at their wrists.

Each person has their own solution objects, so Pose's and Hands' frame-to-frame tracking
follows that person only. Hands run on a square crop around each pose wrist, upscaled to
``hand_crop_px``: a small or far hand fills the detector's input, and a hand found there is
that person's by construction, then checked by its distance to the pose wrist (assign_hands).
A side's tracker that reports only hands far from its pose wrist has locked onto something
else (a fast move, another person's hand): it is made to forget (one blank frame, as
HandStage.reset does) and the crop is searched again at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from gesture_ros.perception.extraction.crops import Crop, cut, to_image
from gesture_ros.perception.extraction.hand_regions import HandRegion, hand_regions
from gesture_ros.perception.extraction.hand_stage import BLANK
from gesture_ros.perception.extraction.image import PreparedImage
from gesture_ros.perception.extraction.mp_results import hands_from_result, person_from_result
from gesture_ros.perception.extraction.observations import HandObservation, Person, Side
from gesture_ros.perception.extraction.options import ExtractorOptions


@dataclass
class HandCandidate:
    """A hand found in a person's wrist crop, and its wrist's distance to that pose wrist (hand lengths)."""

    side: Side
    hand: HandObservation
    distance: float
    region: HandRegion


def hand_crop(person: Person, region: HandRegion, scale: float, width: int, height: int) -> Crop:
    """Return the square crop around a side's hand: centred between the wrist and the pose hand points."""
    points = [region.wrist_px] + [person.point_px(region.side.pose(p), width, height)
                                  for p in ("INDEX", "PINKY") if person.visible(region.side.pose(p))]
    centre = np.mean(points, axis=0)
    return Crop(float(centre[0]), float(centre[1]), scale * region.hand_length_px)


class PersonModels:
    """Pose and per-side Hands graphs of one person (video mode)."""

    def __init__(self, mp: Any, options: ExtractorOptions) -> None:
        o = options
        self.options = o
        self._pose = mp.solutions.pose.Pose(static_image_mode=False, model_complexity=o.model_complexity,
                                            min_detection_confidence=o.min_detection_confidence,
                                            min_tracking_confidence=o.min_tracking_confidence)
        self._hands = {side: mp.solutions.hands.Hands(
            static_image_mode=False, max_num_hands=2, model_complexity=min(o.model_complexity, 1),
            min_detection_confidence=o.min_detection_confidence,
            min_tracking_confidence=o.min_tracking_confidence) for side in Side}
        self.redetections = 0

    def pose(self, image: PreparedImage, crop: Crop) -> Person | None:
        """Return the person found in the body crop, in camera-image coordinates, or None."""
        px = self.options.people.body_crop_px
        people = self._pose_people(cut(image.rgb, crop, px, image.scale))
        if not people:
            return None
        person = people[0]
        person.pose = to_image(person.pose, crop, image.width, image.height)
        return person

    def hands(self, image: PreparedImage, person: Person) -> list[HandCandidate]:
        """Return the hands found around each visible pose wrist, nearest to that wrist first."""
        p = self.options.people
        out: list[HandCandidate] = []
        for side, region in hand_regions(person, image.width, image.height).items():
            crop = hand_crop(person, region, p.hand_crop_scale, image.width, image.height)
            pixels = cut(image.rgb, crop, p.hand_crop_px, image.scale)
            found = self._side_hands(side, region, crop, pixels, image)
            if found and min(c.distance for c in found) > self.options.recovery.max_wrist_distance:
                self._forget(side)  # tracking something else: forget it, detect afresh
                self.redetections += 1
                found = self._side_hands(side, region, crop, pixels, image)
            out += found
        return sorted(out, key=lambda c: c.distance)

    def _side_hands(self, side: Side, region: HandRegion, crop: Crop, pixels, image: PreparedImage) -> list[HandCandidate]:
        out = []
        for hand in self._hand_observations(side, pixels):
            hand.landmarks = to_image(hand.landmarks, crop, image.width, image.height)
            hand.side = side  # the pose decides the side: the hand is at this side's wrist
            out.append(HandCandidate(side, hand, region.distance(hand.wrist_px(image.width, image.height)), region))
        return out

    # The three calls into the models (the engine's PersonModels overrides them, engine/people.py).
    def _pose_people(self, pixels: np.ndarray) -> list[Person]:
        return person_from_result(self._pose.process(pixels), self.options.mirrored_input)

    def _hand_observations(self, side: Side, pixels: np.ndarray) -> list[HandObservation]:
        return hands_from_result(self._hands[side].process(pixels), self.options.mirrored_input)

    def _forget(self, side: Side) -> None:
        self._hands[side].process(BLANK)

    def process(self, image: PreparedImage, crop: Crop) -> tuple[Person | None, list[HandCandidate]]:
        person = self.pose(image, crop)
        return person, (self.hands(image, person) if person is not None else [])

    def close(self) -> None:
        self._pose.close()
        for hands in self._hands.values():
            hands.close()


def assign_hands(candidates: dict[int, list[HandCandidate]], max_distance: float, width: int,
                 height: int) -> dict[int, dict[Side, HandObservation]]:
    """Give each person at most one hand per side, nearest pose wrist first, each physical hand once.

    A hand seen in two crops (two people close together, or both wrists of one person in an
    x_cross) goes to the pose wrist nearest to it; ``max_distance`` (hand lengths) bounds it.
    """
    flat = sorted(((c.distance, pid, c) for pid, cs in candidates.items() for c in cs if c.distance <= max_distance),
                  key=lambda t: t[0])
    out: dict[int, dict[Side, HandObservation]] = {pid: {} for pid in candidates}
    taken: list[tuple[np.ndarray, float]] = []  # wrist and palm length (pixels) of each assigned hand
    for _, pid, c in flat:
        if c.side in out[pid]:
            continue
        wrist, palm = c.hand.wrist_px(width, height), c.hand.palm_length_px(width, height)
        if any(float(np.linalg.norm(wrist - w)) < 0.5 * max(palm, p) for w, p in taken):
            continue  # the same hand, already given to a nearer wrist
        out[pid][c.side] = c.hand
        taken.append((wrist, palm))
    return out
