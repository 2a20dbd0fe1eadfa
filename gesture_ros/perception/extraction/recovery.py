"""Recovery checks: is a tracked hand still the performer's hand, or should it be re-detected?

A hand tracked across a fast move (or across frames a slow consumer skipped) can stay on a
wrong region and report a wrong shape for as long as the tracker keeps it. Three checks find
that, each against evidence the tracker did not produce:

- far from the pose wrist: its wrist is more than ``max_wrist_distance`` expected hand lengths
  from the same side's pose wrist (only where the body is plausible for the hand: Pose invents
  a small body around a close-up hand, and a close-up with no body keeps Hands' own result);
- implausible jump: its wrist moved faster than ``max_speed`` hand lengths per second since the
  side's last accepted hand;
- collapsed shape: its palm is shorter than ``min_palm_fraction`` of the expected hand length
  (from the pose, else from the side's last accepted hand).

A hand that fails is re-detected on the same frame (HandStage.reset); a fresh detection is
trusted unless it is collapsed, since re-detecting again would give the same answer.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import Enum

import numpy as np

from gesture_ros.perception.extraction.hand_regions import HandRegion, pose_is_plausible
from gesture_ros.perception.extraction.observations import HandObservation, Person, Side
from gesture_ros.perception.extraction.options import RecoveryOptions

TRACK_MEMORY_NS = 500_000_000  # a side's last hand older than this says nothing about the next one
JUMP_MARGIN = 1.0  # hand lengths a wrist may move on top of max_speed * dt (landmark noise)


class Verdict(str, Enum):
    """The outcome of the checks for one hand."""

    OK = "ok"
    FAR_FROM_WRIST = "far from the pose wrist"
    JUMP = "implausible jump"
    COLLAPSED = "collapsed shape"


@dataclass(frozen=True)
class Track:
    """A side's last accepted hand."""

    wrist_px: np.ndarray
    palm_px: float
    stamp_ns: int


@dataclass(frozen=True)
class Scene:
    """What the checks compare a frame's hands with: the person, its hand regions, the image size."""

    person: Person | None
    regions: dict[Side, HandRegion]
    width: int
    height: int
    stamp_ns: int


class HandChecks:
    """Check hands against the body and their own history; remember accepted hands per side."""

    def __init__(self, options: RecoveryOptions) -> None:
        self.options = options
        self.tracks: dict[Side, Track] = {}
        self.counts: Counter[str] = Counter()  # verdicts other than OK, and what became of them

    def verdict(self, hand: HandObservation, scene: Scene) -> Verdict:
        """Return the first check the hand fails, or OK."""
        o = self.options
        w, h = scene.width, scene.height
        palm = hand.palm_length_px(w, h)
        wrist = hand.wrist_px(w, h)
        region = scene.regions.get(hand.side)
        if region is not None and not (scene.person is not None and pose_is_plausible(scene.person, palm, w, h)):
            region = None
        track = self._track(hand.side, scene.stamp_ns)
        expected = region.hand_length_px if region is not None else (track.palm_px if track else 0.0)
        if expected > 0 and palm < o.min_palm_fraction * expected:
            return Verdict.COLLAPSED
        if region is not None and region.distance(wrist) > o.max_wrist_distance:
            return Verdict.FAR_FROM_WRIST
        if track is not None and not hand.redetected:
            dt = (scene.stamp_ns - track.stamp_ns) / 1e9
            step = float(np.linalg.norm(wrist - track.wrist_px)) / max(track.palm_px, palm, 1.0)
            if step > o.max_speed * dt + JUMP_MARGIN:
                return Verdict.JUMP
        return Verdict.OK

    def _track(self, side: Side, stamp_ns: int) -> Track | None:
        track = self.tracks.get(side)
        if track is None or not 0 < stamp_ns - track.stamp_ns <= TRACK_MEMORY_NS:
            return None
        return track

    def accept(self, hands: list[HandObservation], scene: Scene) -> None:
        """Remember the frame's final hands as each side's last accepted hand."""
        for hand in hands:
            self.tracks[hand.side] = Track(hand.wrist_px(scene.width, scene.height),
                                           hand.palm_length_px(scene.width, scene.height), scene.stamp_ns)

    def reset(self) -> None:
        self.tracks.clear()


def associate(hands: list[HandObservation], scene: Scene, max_distance: float) -> list[HandObservation]:
    """Give each hand a side, at most one hand per side, best score first.

    Where the body is plausible and the nearest visible pose wrist lies within ``max_distance``
    hand lengths, that wrist's side wins over the Hands label (Hands' handedness guess can flip
    during fast moves), and a second hand for a taken side may take the other side if it is
    near that side's wrist. Otherwise the label stands and the lower-scored duplicate is left out.
    """
    out: dict[Side, HandObservation] = {}
    w, h = scene.width, scene.height
    for hand in sorted(hands, key=lambda x: -x.score):
        wrist = hand.wrist_px(w, h)
        plausible = scene.person is not None and pose_is_plausible(scene.person, hand.palm_length_px(w, h), w, h)
        near = {s: r.distance(wrist) for s, r in scene.regions.items()} if plausible else {}
        candidates = [hand.side]
        if near:
            best = min(near, key=near.get)
            candidates = [best, best.other] if near[best] <= max_distance else [hand.side]
            candidates = [s for s in candidates if s is hand.side or near.get(s, np.inf) <= max_distance]
        side = next((s for s in candidates if s not in out), None)
        if side is not None:
            hand.side = side
            out[side] = hand
    return list(out.values())
