"""People tracks: a stable id per person across frames, and the body crop their pose is found in.

Rules (one per decision, so a replay gives the same ids):

- **found**: a face that no track claims starts a track with the next id, while fewer than
  ``max_people`` tracks exist (largest faces first). Ids start at 1 and are never reused.
- **claimed**: a face claims the track whose anchor (last nose, else last face centre) is
  nearest, if within ``CLAIM_DISTANCE`` face sizes; a track that had lost its pose takes the
  face's body crop again (re-found, same id).
- **followed**: between face detections a track follows its own pose: its body crop stays put
  while the pose fits well inside it, and is re-centred on the pose when it does not (a
  sticky crop keeps Pose's frame-to-frame tracking valid).
- **lost**: a track whose pose is not found in ``lost_after`` frames in a row is dropped; a
  person who comes back later gets a new id.
- **full**: a new face while ``max_people`` tracks exist ends the track whose pose has been
  lost longest, if any, to make room (a person who walked off while another walked in).
- **merged**: two tracks whose poses are the same body (noses or shoulder centres within
  ``SAME_BODY`` shoulder widths) keep the older id.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gesture_ros.common.landmarks import Field
from gesture_ros.common.landmarks import PoseLandmark as P
from gesture_ros.perception.extraction.crops import Crop
from gesture_ros.perception.extraction.face_finder import Face
from gesture_ros.perception.extraction.observations import Person

CLAIM_DISTANCE = 1.5  # face sizes between a face and a track's anchor for the face to be that person
SAME_BODY = 0.5  # shoulder widths between two poses' noses or shoulder centres: one body
FACE_TO_BODY = 8.0  # a body crop is this many face sizes wide ...
FACE_TO_BODY_CENTRE = 2.5  # ... centred this many face sizes below the face
POSE_MARGIN = 1.3  # a body crop from a pose: its visible landmarks' extent times this
REFIT_MARGIN = 0.04  # re-centre when a pose landmark comes closer than this fraction to the crop's edge
MIN_FILL = 0.45  # ... or the pose spans less than this fraction of the crop


def body_crop_from_face(face: Face) -> Crop:
    """Return the body crop a face implies (head at the top, down to about the hips)."""
    return Crop(face.cx, face.cy + FACE_TO_BODY_CENTRE * face.side, FACE_TO_BODY * face.side)


def pose_extent(person: Person, width: int, height: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Return (min xy, max xy) in pixels of the visible pose landmarks inside the image, or None if fewer than 4.

    Landmarks Pose places beyond the image border (legs of an upper body) are left out: a crop
    fitted to them drifts off the person, frame after frame.
    """
    visible = [i for i in range(len(P)) if person.visible(P(i))]
    xy = person.pose[visible][:, [Field.X, Field.Y]] * np.array([width, height], np.float32)
    xy = xy[(xy[:, 0] >= 0) & (xy[:, 0] <= width) & (xy[:, 1] >= 0) & (xy[:, 1] <= height)]
    if len(xy) < 4:
        return None
    return xy.min(axis=0), xy.max(axis=0)


def body_crop_from_pose(person: Person, width: int, height: int) -> Crop | None:
    extent = pose_extent(person, width, height)
    if extent is None:
        return None
    lo, hi = extent
    centre = (lo + hi) / 2
    return Crop(float(centre[0]), float(centre[1]), float(max(hi - lo)) * POSE_MARGIN)


def _anchor(person: Person, width: int, height: int) -> np.ndarray | None:
    for landmarks in ((P.NOSE,), (P.LEFT_SHOULDER, P.RIGHT_SHOULDER)):
        if all(person.visible(lm) for lm in landmarks):
            return np.mean([person.point_px(lm, width, height) for lm in landmarks], axis=0)
    return None


@dataclass
class Track:
    """One person followed across frames."""

    person_id: int
    crop: Crop
    anchor: np.ndarray  # pixels: last nose (else shoulder centre, else face centre)
    size: float  # pixels: last face size, or a third of the shoulder width
    misses: int = 0
    person: Person | None = None  # the pose found in the latest frame, None when missed

    def seen(self, person: Person, width: int, height: int) -> None:
        """Take this frame's pose: move the anchor, re-centre the crop if the pose left it."""
        self.person, self.misses = person, 0
        anchor = _anchor(person, width, height)
        if anchor is not None:
            self.anchor = anchor
        shoulders = person.shoulder_width_px(width, height)
        if shoulders > 0:
            self.size = shoulders / 3
        extent = pose_extent(person, width, height)
        fitted = body_crop_from_pose(person, width, height)
        if extent is None or fitted is None:
            return
        lo, hi = extent
        inside = self.crop.contains(*lo, REFIT_MARGIN) and self.crop.contains(*hi, REFIT_MARGIN)
        if not inside or max(hi - lo) < MIN_FILL * self.crop.side:
            self.crop = fitted

    def missed(self) -> None:
        self.person, self.misses = None, self.misses + 1


class PeopleTracker:
    """Keep up to ``max_people`` tracks with stable ids (rules in the module docstring)."""

    def __init__(self, max_people: int, lost_after: int) -> None:
        self.max_people = max_people
        self.lost_after = lost_after
        self.tracks: list[Track] = []
        self.next_id = 1
        self.ended: list[int] = []  # ids dropped by the latest update (lost, merged or made room for)
        self._evicted: list[int] = []

    def add_faces(self, faces: list[Face]) -> None:
        """Let faces claim tracks (re-finding lost poses) and start tracks for unclaimed faces."""
        claimed: set[int] = set()
        unclaimed = []
        for face in sorted(faces, key=lambda f: -f.side):
            centre = np.array([face.cx, face.cy], np.float32)
            best, best_d = None, np.inf
            for track in self.tracks:
                if track.person_id in claimed:
                    continue
                d = float(np.linalg.norm(centre - track.anchor)) / max(face.side, track.size, 1.0)
                if d < best_d:
                    best, best_d = track, d
            if best is not None and best_d <= CLAIM_DISTANCE:
                claimed.add(best.person_id)
                if best.person is None:  # re-found: the pose was lost, start again from the face
                    best.crop, best.anchor, best.size = body_crop_from_face(face), centre, face.side
            else:
                unclaimed.append((face, centre))
        for face, centre in unclaimed:
            if any(t.crop.contains(face.cx, face.cy) and t.person is not None and
                   float(np.linalg.norm(centre - t.anchor)) < CLAIM_DISTANCE * t.size for t in self.tracks):
                continue
            if len(self.tracks) >= self.max_people:
                lost = [t for t in self.tracks if t.person is None and t.misses > 0]
                if not lost:
                    break
                gone = max(lost, key=lambda t: t.misses)
                self.tracks.remove(gone)
                self._evicted.append(gone.person_id)
            self.tracks.append(Track(self.next_id, body_crop_from_face(face), centre, face.side))
            self.next_id += 1

    def finish_frame(self, width: int, height: int) -> None:
        """Drop tracks lost for ``lost_after`` frames and tracks that became the same body as an older one."""
        self.ended = self._evicted + [t.person_id for t in self.tracks if t.misses >= self.lost_after]
        self._evicted = []
        alive = [t for t in self.tracks if t.misses < self.lost_after]
        kept: list[Track] = []
        for track in sorted(alive, key=lambda t: t.person_id):
            if track.person is not None and any(k.person is not None and _same_body(k.person, track.person, width, height)
                                                for k in kept):
                self.ended.append(track.person_id)
                continue
            kept.append(track)
        self.tracks = kept


def _same_body(a: Person, b: Person, width: int, height: int) -> bool:
    scale = max(a.shoulder_width_px(width, height), b.shoulder_width_px(width, height))
    pa, pb = _anchor(a, width, height), _anchor(b, width, height)
    if scale <= 0 or pa is None or pb is None:
        return False
    return float(np.linalg.norm(pa - pb)) < SAME_BODY * scale
