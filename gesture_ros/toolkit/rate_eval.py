"""The shared clips as cameras of other frame rates: the events must not depend on the rate.

``at_rate`` shows a clip's every-frame keypoints as a camera of ``fps`` would deliver them: one
frame every 1/fps s from the clip's first stamp, each the newest clip frame at that moment (a clip
frame repeats when the camera is faster than the clip, some are never shown when it is slower),
stamped with the camera's time. Each clip at each of ``RATES`` goes through the decider; the
report sets the events side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from gesture_ros.common.landmarks import KeypointFrame
from gesture_ros.toolkit import event_eval as E

RATES = (10.0, 15.0, 25.0, 30.0, 60.0)
CLIPS = ("videos/open_hand_no_gesture.mp4", "videos/swipe2_left_right.gif", "negatives/grip_drag.gif",
         "negatives/ok_sign_drag.gif")


def at_rate(frames: Sequence[KeypointFrame], fps: float) -> list[KeypointFrame]:
    """Return the clip's frames as a camera of ``fps`` shows them (see the module doc)."""
    if not frames:
        return []
    stamps = np.array([f.stamp_ns for f in frames], np.int64)
    end = stamps[-1] + (int(np.median(np.diff(stamps))) if len(stamps) > 1 else 0)
    period = 1e9 / fps
    n = int(np.ceil((end - stamps[0]) / period - 1e-3))  # a tick within 1/1000 period of the end is past it
    t = stamps[0] + np.round(np.arange(n) * period).astype(np.int64)
    src = np.searchsorted(stamps, t, side="right") - 1
    return [replace(frames[i], stamp_ns=int(s)) for i, s in zip(src, t, strict=True)]


def rate_table(model: Path, data: Path, extractor: str = "hands_pose", rates: Sequence[float] = RATES,
               clips: Sequence[str] = CLIPS) -> dict[str, dict[str, list[str]]]:
    """Return clip -> 'N fps' -> events ('TYPE gesture') of ``model`` through the decider."""
    from gesture_ros.toolkit.live_eval import describe
    from gesture_ros.toolkit.motion_eval import extracted

    out: dict[str, dict[str, list[str]]] = {}
    for clip in clips:
        frames = extracted(Path(data) / clip, 0.0, extractor)
        out[clip] = {f"{r:g} fps": describe(E.run(E.decider(model), at_rate(frames, r), "clip")) for r in rates}
    return out


def agree(table: dict[str, dict[str, list[str]]]) -> dict[str, bool]:
    """Return, per clip, whether every rate gave the same events."""
    return {clip: len({tuple(v) for v in by_rate.values()}) == 1 for clip, by_rate in table.items()}
