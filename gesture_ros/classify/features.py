"""Turn keypoints into the per-frame feature vectors every gesture model reads.

One code path for training (toolkit) and inference (classifier node). API (stable):

- ``FeatureSpec`` (frozen dataclass): which parts and how they are normalised;
  ``spec.to_dict()`` is stored in the model metadata (``ModelMetadata.feature_spec``) and
  ``FeatureSpec.from_dict(d)`` rebuilds it, raising ``FeatureSpecError`` on unknown keys.
- ``spec.dim``: length of one frame's feature vector; ``spec.names()``: one name per column.
- ``spec.frame_features(frame, prev=None) -> (dim,) float32``: features of ``frame``;
  ``prev`` (the frame before it, any rate) supplies the velocities, which are zero (with
  their valid flag 0) when ``prev`` is None, lacks the part, or is older than ``max_gap_s``.
- ``spec.window_features(frames) -> (T, dim) float32``: the same for consecutive frames.
- ``spec.sequence_features(arrays) -> (T, dim) float32``: the vectorised core the two above
  call, on ``SequenceArrays`` (the toolkit's on-disk layout; absent parts are NaN rows).

What a frame becomes (``hand_mode="dominant"``, the default):
- hand block: presence flag, 20 joints (wrist dropped) relative to the wrist in image-height
  units (x scaled by width/height) divided by the palm size, optional z, wrist velocity in
  palm sizes per second (times ``velocity_scale``) from the stamps, and a velocity-valid flag.
  The dominant hand is the present hand whose wrist is higher in the image. With
  ``mirror_left`` a left hand's *shape* is mirrored into a right hand's; its *velocity* never
  is, so a swipe toward +x stays a swipe toward +x whichever hand performs it.
- finger geometry (``finger_geometry``, after the hand's joints): its fingers' bends, reach
  and direction along the palm, and the thumb-index gap (classify/finger_geometry): the same
  for a hand sign held at any tilt or size, where the joint positions differ.
- pose block (absent when a detected palm is longer than ``max_hand_to_shoulder`` shoulder
  widths: MediaPipe Pose invents a small body around close-up hands): presence flag, upper-body landmarks relative to the shoulder midpoint divided by
  the shoulder width, a per-landmark visibility flag, and both wrists' velocities in shoulder
  widths per second (times ``velocity_scale``) with valid flags.
- arm geometry (``arm_geometry``, pose only): where the forearms are relative to each other in
  the body's own frame (across the shoulder line, and down the torso): how far the wrists are
  crossed over (positive when each is on the other's side), their distance, whether the
  forearm segments intersect (a margin, positive inside both), each forearm's slope (positive
  pointing down) and a valid flag. The crossed-arm "X" at a distance, where hands are not
  detected, lives in these.
Missing parts, NaN coordinates and landmarks below ``min_visibility`` give zeros with a 0
flag, never stale values. Every value is finite and clipped to [-clip, clip].
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields

import numpy as np

from gesture_ros.classify.finger_geometry import FINGER_GEOMETRY_NAMES, finger_geometry
from gesture_ros.common.landmarks import HAND_LENGTH, N_FIELDS, POSE_LENGTH, Field, HandLandmark, KeypointFrame, Part
from gesture_ros.common.landmarks import PoseLandmark as P

SPEC_VERSION = 1
HAND_JOINTS = tuple(h for h in HandLandmark if h != HandLandmark.WRIST)
DEFAULT_POSE_LANDMARKS = (
    "NOSE", "LEFT_SHOULDER", "RIGHT_SHOULDER", "LEFT_ELBOW", "RIGHT_ELBOW",
    "LEFT_WRIST", "RIGHT_WRIST", "LEFT_INDEX", "RIGHT_INDEX",
)
HAND_MODES = ("dominant", "both")
ARM_GEOMETRY_NAMES = ("wrist_cross", "wrist_gap", "forearm_cross", "left_slope", "right_slope", "valid")
# Fields added after version 1 of the spec, with the value that reproduces the old features: to_dict()
# leaves them out at that value, so models saved before they existed keep loading.
_LEGACY_DEFAULTS = {"arm_geometry": False, "finger_geometry": False}


class FeatureSpecError(ValueError):
    """A feature spec that cannot be built; the message names the field."""


@dataclass
class SequenceArrays:
    """Keypoints of T frames as arrays; an absent part is a row of NaN.

    ``pose`` (T, 33, 5), ``left_hand``/``right_hand`` (T, 21, 5) in the KeypointFrame layout,
    ``stamps_ns`` (T,) int64, ``image_size`` (width, height) or (0, 0) when unknown.
    """

    stamps_ns: np.ndarray
    pose: np.ndarray
    left_hand: np.ndarray
    right_hand: np.ndarray
    image_size: tuple[int, int] = (0, 0)

    def __len__(self) -> int:
        return int(self.stamps_ns.shape[0])

    @classmethod
    def from_frames(cls, frames: Sequence[KeypointFrame]) -> SequenceArrays:
        """Stack frames; the image size is the last frame's."""

        def stack(part: Part, n: int) -> np.ndarray:
            out = np.full((len(frames), n, N_FIELDS), np.nan, dtype=np.float32)
            for i, f in enumerate(frames):
                arr = f.part(part)
                if arr is not None:
                    out[i] = arr
            return out

        size = (frames[-1].image_width, frames[-1].image_height) if frames else (0, 0)
        return cls(
            stamps_ns=np.array([f.stamp_ns for f in frames], dtype=np.int64),
            pose=stack(Part.POSE, POSE_LENGTH),
            left_hand=stack(Part.LEFT_HAND, HAND_LENGTH),
            right_hand=stack(Part.RIGHT_HAND, HAND_LENGTH),
            image_size=size,
        )


@dataclass(frozen=True)
class FeatureSpec:
    """How keypoints become one frame's feature vector (stored whole in model metadata)."""

    parts: tuple[str, ...] = ("pose", "left_hand", "right_hand")
    hand_mode: str = "dominant"
    mirror_left: bool = True
    hand_z: bool = False
    pose_landmarks: tuple[str, ...] = DEFAULT_POSE_LANDMARKS
    motion: bool = True
    velocity_scale: float = 0.1
    max_gap_s: float = 0.5
    min_visibility: float = 0.5
    clip: float = 5.0
    max_hand_to_shoulder: float = 1.0  # a palm longer than this many shoulder widths: pose is a hallucination
    arm_geometry: bool = False  # forearm crossing features (the x_cross at a distance)
    finger_geometry: bool = False  # fingers' bends and reach (hand signs at any tilt)
    version: int = SPEC_VERSION

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", tuple(self.parts))
        object.__setattr__(self, "pose_landmarks", tuple(self.pose_landmarks))
        valid_parts = {Part.POSE.value, Part.LEFT_HAND.value, Part.RIGHT_HAND.value}
        if self.arm_geometry and Part.POSE.value not in self.parts:
            raise FeatureSpecError("arm_geometry needs 'pose' in parts")
        if not self.parts or not set(self.parts) <= valid_parts:
            raise FeatureSpecError(f"parts must be a non-empty subset of {sorted(valid_parts)}, got {self.parts}")
        if self.hand_mode not in HAND_MODES:
            raise FeatureSpecError(f"hand_mode must be one of {HAND_MODES}, got {self.hand_mode!r}")
        unknown = [n for n in self.pose_landmarks if n not in P.__members__]
        if unknown or (self.uses_pose and len(self.pose_landmarks) == 0):
            raise FeatureSpecError(f"pose_landmarks has unknown or no names: {unknown or '[]'}")
        if self.version != SPEC_VERSION:
            raise FeatureSpecError(f"feature spec version {self.version} is not {SPEC_VERSION}")

    # ---- description ----------------------------------------------------------------
    @property
    def uses_pose(self) -> bool:
        return Part.POSE.value in self.parts

    @property
    def hand_sides(self) -> tuple[str, ...]:
        """Hand blocks in output order: ('hand',) for dominant mode, else the sides used."""
        sides = tuple(p for p in (Part.LEFT_HAND.value, Part.RIGHT_HAND.value) if p in self.parts)
        if self.hand_mode == "dominant" and sides:
            return ("hand",)
        return sides

    def names(self) -> list[str]:
        """Return one name per feature column."""
        axes = ("x", "y", "z") if self.hand_z else ("x", "y")
        out: list[str] = []
        for side in self.hand_sides:
            out.append(f"{side}.present")
            out += [f"{side}.{j.name.lower()}.{a}" for j in HAND_JOINTS for a in axes]
            if self.finger_geometry:
                out += [f"{side}.fingers.{n}" for n in FINGER_GEOMETRY_NAMES]
            if self.motion:
                out += [f"{side}.vx", f"{side}.vy", f"{side}.v_valid"]
        if self.uses_pose:
            out.append("pose.present")
            out += [f"pose.{n.lower()}.{a}" for n in self.pose_landmarks for a in ("x", "y")]
            out += [f"pose.{n.lower()}.visible" for n in self.pose_landmarks]
            if self.motion:
                out += [f"pose.{s}_wrist.{a}" for s in ("left", "right") for a in ("vx", "vy", "v_valid")]
            if self.arm_geometry:
                out += [f"arms.{n}" for n in ARM_GEOMETRY_NAMES]
        return out

    @property
    def dim(self) -> int:
        return len(self.names())

    def to_dict(self) -> dict:
        """Return a JSON-ready dict (lists, not tuples) that from_dict() accepts."""
        d = asdict(self)
        d["parts"] = list(self.parts)
        d["pose_landmarks"] = list(self.pose_landmarks)
        for key, legacy in _LEGACY_DEFAULTS.items():
            if d[key] == legacy:
                del d[key]
        return d

    @classmethod
    def from_dict(cls, d: Mapping) -> FeatureSpec:
        """Build a spec from to_dict() output; raise FeatureSpecError on unknown keys."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise FeatureSpecError(f"feature spec has unknown keys {unknown}")
        return cls(**dict(d))

    # ---- features -------------------------------------------------------------------
    def frame_features(self, frame: KeypointFrame, prev: KeypointFrame | None = None) -> np.ndarray:
        """Return the (dim,) features of ``frame``; ``prev`` gives the velocities."""
        frames = [frame] if prev is None else [prev, frame]
        return self.sequence_features(SequenceArrays.from_frames(frames))[-1]

    def window_features(self, frames: Sequence[KeypointFrame]) -> np.ndarray:
        """Return (T, dim) features of consecutive frames (the first has no velocity)."""
        if len(frames) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self.sequence_features(SequenceArrays.from_frames(frames))

    def sequence_features(self, seq: SequenceArrays) -> np.ndarray:
        """Return (T, dim) float32 features of a SequenceArrays (vectorised core)."""
        t = len(seq)
        w, h = seq.image_size
        aspect = float(w) / float(h) if w > 0 and h > 0 else 1.0
        dt = np.diff(seq.stamps_ns.astype(np.float64)) * 1e-9 if t > 1 else np.zeros(0)
        blocks = []
        for side in self.hand_sides:
            blocks.append(_hand_block(self, side, seq, aspect, dt))
        if self.uses_pose:
            blocks.append(_pose_block(self, seq, aspect, dt, _largest_palm(seq, aspect)))
        out = np.concatenate(blocks, axis=1) if blocks else np.zeros((t, 0), np.float32)
        out = np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0)
        return np.clip(out, -self.clip, self.clip).astype(np.float32)


# ---- vectorised maths (private) ----------------------------------------------------------
_W, _MMCP = HandLandmark.WRIST, HandLandmark.MIDDLE_FINGER_MCP
_IMCP, _PMCP = HandLandmark.INDEX_FINGER_MCP, HandLandmark.PINKY_MCP
NECK_TO_WIDTH = 1.2  # a body's width from its neck, for a body turned sideways
PALM_WIDTH_TO_LENGTH = 1.3  # palm length / MCP-row width: keeps the scale when seen edge-on


def _norm(v: np.ndarray) -> np.ndarray:
    return np.sqrt(np.sum(v * v, axis=-1))


def _velocity(spec: FeatureSpec, pos: np.ndarray, ok: np.ndarray, scale: np.ndarray, dt: np.ndarray) -> np.ndarray:
    """Return (T, 3): velocity / scale * velocity_scale and a valid flag; row 0 is never valid."""
    out = np.zeros((pos.shape[0], 3), dtype=np.float64)
    if pos.shape[0] < 2 or not spec.motion:
        return out
    valid = ok[1:] & ok[:-1] & (dt > 0) & (dt <= spec.max_gap_s)
    with np.errstate(invalid="ignore", divide="ignore"):
        v = (pos[1:] - pos[:-1]) / np.where(valid, dt, 1.0)[:, None] / scale[1:, None] * spec.velocity_scale
    out[1:, :2] = np.where(valid[:, None], v, 0.0)
    out[1:, 2] = valid
    return out


def _hand_geometry(arr: np.ndarray, aspect: float):
    """Return (xyz in image-height units, palm scale, valid mask) of (T, 21, 5) hands."""
    xyz = arr[..., :3].astype(np.float64) * np.array([aspect, 1.0, aspect])
    with np.errstate(invalid="ignore"):
        scale = np.maximum(_norm(xyz[:, _MMCP, :2] - xyz[:, _W, :2]),
                           PALM_WIDTH_TO_LENGTH * _norm(xyz[:, _IMCP, :2] - xyz[:, _PMCP, :2]))
        valid = np.all(np.isfinite(xyz[..., :2]), axis=(1, 2)) & np.isfinite(scale) & (scale > 1e-6)
    return xyz, np.where(valid, scale, 1.0), valid


def _hand_block(spec: FeatureSpec, side: str, seq: SequenceArrays, aspect: float, dt: np.ndarray) -> np.ndarray:
    t = len(seq)
    sides = [p for p in (Part.LEFT_HAND.value, Part.RIGHT_HAND.value) if p in spec.parts]
    if side != "hand":
        sides = [side]
    geo = {s: _hand_geometry(getattr(seq, s), aspect) for s in sides}
    shape, vel = {}, {}
    for s, (xyz, scale, valid) in geo.items():
        rel = (xyz[:, 1:, :] - xyz[:, :1, :]) / scale[:, None, None]
        if spec.mirror_left and s == Part.LEFT_HAND.value:
            rel[..., 0] *= -1.0
        rel = rel if spec.hand_z else rel[..., :2]
        rel = rel.reshape(t, -1)
        if spec.finger_geometry:
            with np.errstate(invalid="ignore"):
                rel = np.concatenate([rel, finger_geometry(xyz[..., :2], scale)], axis=1)
        shape[s] = np.where(valid[:, None], rel, 0.0)
        vel[s] = _velocity(spec, xyz[:, _W, :2], valid, scale, dt)
    if len(sides) == 2:  # dominant: the present hand whose wrist is higher (smaller y)
        (_, _, lv), (_, _, rv) = geo[sides[0]], geo[sides[1]]
        ly, ry = geo[sides[0]][0][:, _W, 1], geo[sides[1]][0][:, _W, 1]
        pick_left = lv & (~rv | (np.nan_to_num(ly, nan=np.inf) < np.nan_to_num(ry, nan=np.inf)))
        present = lv | rv
        sel = pick_left[:, None]
        body = np.where(sel, shape[sides[0]], shape[sides[1]])
        motion = np.where(sel, vel[sides[0]], vel[sides[1]])
    else:
        s = sides[0]
        present, body, motion = geo[s][2], shape[s], vel[s]
    cols = [present[:, None].astype(np.float64), body]
    if spec.motion:
        cols.append(motion)
    return np.concatenate(cols, axis=1)


def _largest_palm(seq: SequenceArrays, aspect: float) -> np.ndarray:
    """Return (T,) the larger detected palm size (0 without hands), in image-height units."""
    sizes = []
    for arr in (seq.left_hand, seq.right_hand):
        _, scale, valid = _hand_geometry(arr, aspect)
        sizes.append(np.where(valid, scale, 0.0))
    return np.maximum(*sizes)


def body_scale(xy: np.ndarray, seen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (T, 2) shoulder midpoints and (T,) body widths of (T, 33, 2) aspect-corrected pose points.

    The width is the shoulders' distance, or ``NECK_TO_WIDTH`` times the neck (nose to shoulder
    midpoint, where the nose is ``seen``) when that is larger: a body turned sideways keeps its size.
    """
    ls, rs, nose = P.LEFT_SHOULDER, P.RIGHT_SHOULDER, P.NOSE
    mid = (xy[:, ls] + xy[:, rs]) / 2.0
    with np.errstate(invalid="ignore"):
        width = _norm(xy[:, ls] - xy[:, rs])
        neck = np.where(seen[:, nose], NECK_TO_WIDTH * _norm(xy[:, nose] - mid), 0.0)
        return mid, np.maximum(width, neck)


def _pose_block(spec: FeatureSpec, seq: SequenceArrays, aspect: float, dt: np.ndarray, palm: np.ndarray) -> np.ndarray:
    t = len(seq)
    pose = seq.pose.astype(np.float64)
    xy = pose[..., :2] * np.array([aspect, 1.0])
    vis = np.nan_to_num(pose[..., Field.VISIBILITY], nan=1.0)
    seen = np.all(np.isfinite(xy), axis=-1) & (vis >= spec.min_visibility)
    ls, rs = P.LEFT_SHOULDER, P.RIGHT_SHOULDER
    mid, scale = body_scale(xy, seen)
    present = seen[:, ls] & seen[:, rs] & np.isfinite(scale) & (scale > 1e-6)
    if spec.max_hand_to_shoulder > 0:  # MediaPipe Pose invents a tiny body around a close-up hand
        present &= ~(palm > spec.max_hand_to_shoulder * np.where(np.isfinite(scale), scale, 0.0))
    scale = np.where(present, scale, 1.0)
    idx = [P[n] for n in spec.pose_landmarks]
    mask = seen[:, idx] & present[:, None]
    rel = (xy[:, idx] - mid[:, None, :]) / scale[:, None, None]
    rel = np.where(mask[..., None], rel, 0.0).reshape(t, -1)
    cols = [present[:, None].astype(np.float64), rel, mask.astype(np.float64)]
    if spec.motion:
        for w in (P.LEFT_WRIST, P.RIGHT_WRIST):
            cols.append(_velocity(spec, xy[:, w], seen[:, w] & present, scale, dt))
    if spec.arm_geometry:
        cols.append(_arm_geometry(xy, seen & present[:, None], mid, scale))
    return np.concatenate(cols, axis=1)


def _arm_geometry(xy: np.ndarray, seen: np.ndarray, mid: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Return (T, 6): the forearms in the body's frame (see the module docstring); zeros when unseen."""
    ls, rs = xy[:, P.LEFT_SHOULDER], xy[:, P.RIGHT_SHOULDER]
    with np.errstate(invalid="ignore", divide="ignore"):
        u = (ls - rs) / _norm(ls - rs)[:, None]  # toward the performer's left
        n = np.stack([-u[:, 1], u[:, 0]], axis=1)
        n *= np.where(n[:, 1:] < 0, -1.0, 1.0)  # down the torso (image y grows downward)

        def body(lm: int) -> np.ndarray:
            d = xy[:, lm] - mid
            return np.stack([np.sum(d * u, 1), np.sum(d * n, 1)], axis=1) / scale[:, None]

        lw, rw, le, re = body(P.LEFT_WRIST), body(P.RIGHT_WRIST), body(P.LEFT_ELBOW), body(P.RIGHT_ELBOW)
        cross = rw[:, 0] - lw[:, 0]
        gap = _norm(lw - rw)
        a, b = lw - le, rw - re  # forearms as segments le + s a and re + t b
        den = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
        d = re - le
        s = (d[:, 0] * b[:, 1] - d[:, 1] * b[:, 0]) / den
        t = (d[:, 0] * a[:, 1] - d[:, 1] * a[:, 0]) / den
        margin = np.clip(np.minimum.reduce([s, 1 - s, t, 1 - t]), -1.0, 1.0)
        margin = np.where(np.abs(den) > 1e-9, margin, -1.0)
        slopes = [(w[:, 1] - e[:, 1]) / np.maximum(_norm(w - e), 1e-6) for w, e in ((lw, le), (rw, re))]
    valid = np.all(seen[:, [P.LEFT_SHOULDER, P.RIGHT_SHOULDER, P.LEFT_ELBOW, P.RIGHT_ELBOW,
                             P.LEFT_WRIST, P.RIGHT_WRIST]], axis=1)
    out = np.stack([cross, gap, margin, slopes[0], slopes[1], np.ones(len(xy))], axis=1)
    return np.where(valid[:, None] & np.all(np.isfinite(out), axis=1, keepdims=True), out, 0.0)


__all__ = ["FeatureSpec", "FeatureSpecError", "SequenceArrays", "SPEC_VERSION", "Field", "body_scale"]
