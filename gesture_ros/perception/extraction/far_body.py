"""A body too small for Pose on the whole frame: search zoomed tiles, then follow it on a crop.

MediaPipe Pose looks for a body on the whole frame resized to 224 px, so a person about 100 px
tall in a 640x480 frame (4-5 m away in a room) is ~35 px there and often not found at all.
When Pose finds nobody, every ``scan_every`` frames (the first such frame included) the frame
is searched, unless the last frame had a hand too large for a far person (a close-up: its palm
longer than ``near_palm_fraction`` of the frame height): as ``tiles`` x ``tiles`` overlapping
square tiles, each resampled to ``crop_px``, until one holds a plausible body. From then on the body is followed on a square crop around its last
landmarks (the whole frame is not run), until the crop loses it or the body grows large
enough for the whole frame. A scan costs up to tiles² Pose runs in that one frame (measured
in docs/perception.md); ``scan_every`` 0 turns the search off.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gesture_ros.common.landmarks import Field
from gesture_ros.perception.extraction.crops import Crop, cut, to_image
from gesture_ros.perception.extraction.image import PreparedImage
from gesture_ros.perception.extraction.observations import MIN_VISIBILITY, HandObservation, Person

MIN_CROP_PX = 64.0
FindPose = Callable[[np.ndarray], list[Person]]  # RGB crop -> people, landmarks normalised to the crop


@dataclass(frozen=True)
class FarBodyOptions:
    """When and how a small body is searched for and followed."""

    scan_every: int = 15  # frames without a body between two scans (0: never search)
    tiles: int = 2  # tiles per side of the scan grid
    tile_fraction: float = 0.6  # a tile's side, as a fraction of the frame's longer side
    crop_px: int = 256  # a tile or follow crop is resampled to this size
    follow_margin: float = 1.6  # follow crop side / the body's landmark extent
    large_fraction: float = 0.6  # a body taller than this fraction of the frame is left to the whole frame
    near_palm_fraction: float = 0.05  # a palm longer than this fraction of the frame height: a near person
    min_visibility: float = 0.7  # a zoomed body whose mean landmark visibility is lower is not taken

    def validate(self) -> None:
        """Raise ValueError naming the first option out of range."""
        if self.scan_every < 0:
            raise ValueError(f"far_body_scan_every must be >= 0, got {self.scan_every}")
        if not 1 <= self.tiles <= 4:
            raise ValueError(f"far_body_tiles must be 1..4, got {self.tiles}")
        if not 0.2 <= self.tile_fraction <= 1.0:
            raise ValueError(f"tile_fraction must be 0.2..1, got {self.tile_fraction}")


def scan_tiles(width: int, height: int, tiles: int, fraction: float) -> list[Crop]:
    """Return the square scan tiles of a frame, row by row, evenly spread so they cover it."""
    side = fraction * max(width, height)
    xs = np.linspace(side / 2, max(side / 2, width - side / 2), tiles)
    ys = np.linspace(side / 2, max(side / 2, height - side / 2), tiles)
    return [Crop(float(x), float(y), side) for y in ys for x in xs]


def follow_crop(pose: np.ndarray, width: int, height: int, margin: float) -> Crop:
    """Return the square crop around a body's (trusted, else all) landmarks, ``margin`` times their extent."""
    seen = np.isfinite(pose[:, Field.X]) & np.isfinite(pose[:, Field.Y])
    trusted = seen & (np.nan_to_num(pose[:, Field.VISIBILITY], nan=1.0) >= MIN_VISIBILITY)
    pts = pose[trusted if trusted.sum() >= 4 else seen][:, [Field.X, Field.Y]] * np.array([width, height])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    cx, cy = (lo + hi) / 2
    return Crop(float(cx), float(cy), float(max(max(hi - lo) * margin, MIN_CROP_PX)))


class FarBodySearch:
    """Find and follow a body that Pose misses on the whole frame (see the module doc)."""

    def __init__(self, find: FindPose, options: FarBodyOptions) -> None:
        self._find = find
        self.options = options
        self.crop: Crop | None = None  # where the body is followed; None while not following
        self._since_scan: int | None = None  # frames without a body since the last scan (None: scan now)
        self.hand_near = False  # the last frame had a close-up hand (note_hands)
        self.scans = 0  # for diagnostics: scans run, frames whose body came from a tile or the follow crop
        self.frames_found = 0

    @property
    def following(self) -> bool:
        return self.crop is not None

    def follow(self, image: PreparedImage) -> list[Person]:
        """Return the followed body on its crop (and move the crop), or [] when it is lost or large."""
        assert self.crop is not None
        found = self._on(image, self.crop)
        if not found:
            self.crop, self._since_scan = None, None  # gone or moved: look again at once
            return []
        self._track(found[0], image)
        self.frames_found += 1
        return found

    def search(self, image: PreparedImage) -> list[Person]:
        """Called on a frame where Pose found nobody: scan the tiles when a scan is due."""
        o = self.options
        if o.scan_every <= 0:
            return []
        if self.hand_near:
            return []
        if self._since_scan is not None and self._since_scan < o.scan_every:
            self._since_scan += 1
            return []
        self._since_scan = 0
        self.scans += 1
        for tile in scan_tiles(image.width, image.height, o.tiles, o.tile_fraction):
            found = self._on(image, tile)
            if found:
                self._track(found[0], image)
                self.frames_found += 1
                return found
        return []

    def note_hands(self, hands: list[HandObservation], width: int, height: int) -> None:
        """Remember whether a frame's hands show a near person (then the next frame does not search)."""
        limit = self.options.near_palm_fraction * height
        self.hand_near = any(h.palm_length_px(width, height) > limit for h in hands)

    def _on(self, image: PreparedImage, crop: Crop) -> list[Person]:
        """Return the plausible bodies Pose finds on ``crop``, in whole-frame coordinates.

        On a zoomed tile of clutter (a desk, cables) Pose can place a body with low visibility
        everywhere (mean 0.52-0.54 on the stills, against 0.84 and more for real ones): not taken.
        """
        people = self._find(cut(image.rgb, crop, self.options.crop_px, image.scale))
        people = [p for p in people if np.nanmean(p.pose[:, Field.VISIBILITY]) >= self.options.min_visibility]
        for person in people:
            person.pose = to_image(person.pose, crop, image.width, image.height)
        return people

    def _track(self, person: Person, image: PreparedImage) -> None:
        crop = follow_crop(person.pose, image.width, image.height, self.options.follow_margin)
        large = crop.side / self.options.follow_margin > self.options.large_fraction * image.height
        self.crop = None if large else crop
        self._since_scan = None if large else 0
