"""Tell from the keypoints when a performer's hands came to rest (the end of a stroke).

A swipe's return stroke follows the stroke without a pause; a deliberate second swipe starts
from a hand held still. ``RestTracker`` follows every wrist it can see (the hands' wrists
when a hand is detected, else the pose wrists), measures each one's speed over at least
``baseline_s`` (so repeated frames and per-frame jitter do not read as motion or as rest),
and keeps the recent runs of frames without motion, so that ``rested_since(t)`` tells whether
the hands were still for ``rest_s`` at some time after ``t``. Frames without any wrist count
as still (the arm went down or out of view). A wrist placed outside the image (by more than
``IMAGE_MARGIN``) is not followed: the pose model extrapolates joints it cannot see, and such a
guess can jump a whole image height from one frame to the next, which would read as a stroke.

Speeds are in palm lengths per second for hands and shoulder widths per second for the pose,
so the thresholds hold at any distance from the camera.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from gesture_ros.common.landmarks import Field, HandLandmark, KeypointFrame, PoseLandmark

HAND_REST_SPEED = 1.5  # palm lengths / s: below it a hand is still (a swipe moves 3-15)
POSE_REST_SPEED = 0.45  # shoulder widths / s (about the same speed for a palm of 0.3 shoulder widths)
PALMS_PER_SCALE = {"left_hand": 1.0, "right_hand": 1.0, "left_wrist": 1 / 0.3, "right_wrist": 1 / 0.3}
MIN_VISIBILITY = 0.5
SPEED_SPAN_S = 0.3  # ``hand_speed`` measures the displacement over this long
IMAGE_MARGIN = 0.1  # image widths / heights beyond the border a wrist may be and still be followed


@dataclass(frozen=True)
class RestConfig:
    """How still, for how long, measured over how much time."""

    rest_s: float = 0.6  # a return stroke 0.2 s after its stroke, on the model's clock, stays a return
    baseline_s: float = 0.2  # speed = displacement over at least this long
    max_baseline_s: float = 0.6
    smooth_s: float = 0.15  # positions are medians over this span (detector jitter, repeated frames)
    travel_s: float = 1.0  # ``travel`` looks back this far


def _in_image(xy: np.ndarray) -> bool:
    """Return True when normalised image coordinates are finite and within IMAGE_MARGIN of the image."""
    return bool(np.all(np.isfinite(xy)) and np.all(xy >= -IMAGE_MARGIN) and np.all(xy <= 1.0 + IMAGE_MARGIN))


def _wrists(frame: KeypointFrame) -> dict[str, tuple[np.ndarray, float, float]]:
    """Return name -> (wrist x,y in image-height units, scale, rest speed) of what the frame shows."""
    aspect = np.array([frame.aspect, 1.0])
    out: dict[str, tuple[np.ndarray, float, float]] = {}
    for side in ("left_hand", "right_hand"):
        hand = getattr(frame, side)
        if hand is None:
            continue
        xy = hand[:, :2].astype(np.float64) * aspect
        palm = float(np.hypot(*(xy[HandLandmark.MIDDLE_FINGER_MCP] - xy[HandLandmark.WRIST])))
        if _in_image(hand[HandLandmark.WRIST, :2]) and palm > 1e-6:
            out[side] = (xy[HandLandmark.WRIST], palm, HAND_REST_SPEED)
    if out or frame.pose is None:
        return out
    pose = frame.pose.astype(np.float64)
    xy = pose[:, :2] * aspect
    vis = np.nan_to_num(pose[:, Field.VISIBILITY], nan=1.0)
    width = float(np.hypot(*(xy[PoseLandmark.LEFT_SHOULDER] - xy[PoseLandmark.RIGHT_SHOULDER])))
    if not np.isfinite(width) or width < 1e-6:
        return out
    for name, lm in (("left_wrist", PoseLandmark.LEFT_WRIST), ("right_wrist", PoseLandmark.RIGHT_WRIST)):
        if vis[lm] >= MIN_VISIBILITY and _in_image(pose[lm, :2]):
            out[name] = (xy[lm], width, POSE_REST_SPEED)
    return out


class RestTracker:
    """Per-source: push frames in stamp order, then ask ``rested_since``."""

    def __init__(self, config: RestConfig | None = None) -> None:
        self.config = config or RestConfig()
        self._history: deque[tuple[int, dict]] = deque()
        self._runs: deque[list[int]] = deque(maxlen=16)  # [first, last] stamps of still runs, oldest first
        self._moving = True

    def reset(self) -> None:
        """Forget everything (a gap or a restart)."""
        self._history.clear()
        self._runs.clear()
        self._moving = True

    def rested_since(self, t_ns: int) -> bool:
        """Return True when the hands were still for rest_s, all of it after ``t_ns``."""
        need = self.config.rest_s * 1e9
        return any(last - max(first, t_ns) >= need for first, last in self._runs)

    def still_for_ns(self, t_ns: int) -> int:
        """Return how long the hands have been still at ``t_ns`` (0 while they move)."""
        if self._moving or not self._runs:
            return 0
        return max(0, t_ns - self._runs[-1][0])

    def travel(self, t_ns: int) -> float:
        """Return how far, in palm lengths, a wrist's path spread horizontally over the last travel_s."""
        return max((np.ptp(xs) / palm for xs, palm in self._paths(t_ns)), default=0.0)

    def stroke(self, t_ns: int, sign: int) -> float:
        """Return how far, in palm lengths, a wrist came toward image ``sign`` x (+1: right, -1: left) to
        where it is, from the far side of its path over the last travel_s (a swipe's own direction)."""
        return max((max(0.0, sign * xs[-1] - np.min(sign * xs)) / palm for xs, palm in self._paths(t_ns)),
                   default=0.0)

    def _paths(self, t_ns: int) -> list[tuple[np.ndarray, float]]:
        """Return each wrist's x positions over the last travel_s, in stamp order, with its palm length."""
        lo = t_ns - self.config.travel_s * 1e9
        names = {name for ts, wrists in self._history if lo <= ts <= t_ns for name in wrists}
        out = []
        for name in sorted(names):
            seen = [(ts, w[name][1]) for ts, w in self._history if lo <= ts <= t_ns and name in w]
            xs = [p[0] for p in (self._position(name, ts) for ts, _ in seen) if p is not None]
            if xs:
                out.append((np.array(xs), float(np.median([scale for _, scale in seen])) / PALMS_PER_SCALE[name]))
        return out

    def hand_speed(self, t_ns: int, side: str) -> float:
        """Return how fast (palm lengths / s) the ``side`` ('left'/'right') hand's wrist went over the last
        SPEED_SPAN_S: the path of its median-filtered positions over the time (a hand waving up and
        down is fast at its turning points too); the pose's wrist when the hand is not detected, the
        fastest wrist when ``side`` is empty; 0 when it was not seen for half the span."""
        names = [f"{side}_hand", f"{side}_wrist"] if side else list(PALMS_PER_SCALE)
        speeds = []
        for name in names:
            seen = [ts for ts, w in self._history if name in w and 0 <= t_ns - ts <= SPEED_SPAN_S * 1e9]
            if not seen or t_ns - seen[0] < SPEED_SPAN_S * 1e9 / 2:
                continue
            pts = np.array([self._position(name, ts) for ts in seen])
            path = float(np.sum(np.hypot(*np.diff(pts, axis=0).T)))
            scale = float(np.median([w[name][1] for ts, w in self._history if name in w and ts >= seen[0]]))
            speeds.append(path / (scale / PALMS_PER_SCALE[name]) / ((seen[-1] - seen[0]) / 1e9))
            if side:
                break  # the hand when detected, else its pose wrist
        return max(speeds, default=0.0)

    def push(self, frame: KeypointFrame) -> bool:
        """Add a frame; return True when the hands are moving in it."""
        cfg = self.config
        t = frame.stamp_ns
        wrists = _wrists(frame)
        self._history.append((t, wrists))
        span = (cfg.max_baseline_s + cfg.smooth_s) * 1e9  # what speeds are measured over
        while self._history and t - self._history[0][0] > max(span, (cfg.travel_s + cfg.smooth_s) * 1e9):
            self._history.popleft()
        moving = False
        since = t  # a still frame shows the hands still since the end of its reference span
        for name, (_, _, limit) in wrists.items():
            now = self._position(name, t)
            ref_t = self._reference_time(name, t)
            if now is None or ref_t is None:
                continue
            ref = self._position(name, ref_t)
            if ref is None:
                continue
            scale = float(np.median([w[name][1] for ts, w in self._history if name in w and t - ts <= span]))
            speed = float(np.hypot(*(now - ref))) / scale / ((t - ref_t) / 1e9)
            moving |= speed >= limit
            since = min(since, ref_t)
        if not moving:
            if self._moving or not self._runs:
                self._runs.append([since, t])
            self._runs[-1][1] = t
        self._moving = moving
        return moving

    def _position(self, name: str, t: int) -> np.ndarray | None:
        """Return the median position of ``name`` over the smoothing span ending at ``t``."""
        lo = t - self.config.smooth_s * 1e9
        pts = [w[name][0] for ts, w in self._history if lo <= ts <= t and name in w]
        return np.median(pts, axis=0) if pts else None

    def _reference_time(self, name: str, t: int) -> int | None:
        """Return the newest stamp of ``name`` at least baseline_s before ``t`` (within max_baseline_s)."""
        for t0, wrists in reversed(self._history):
            if t - t0 > self.config.max_baseline_s * 1e9:
                return None
            if t - t0 >= self.config.baseline_s * 1e9 and name in wrists:
                return t0
        return None
