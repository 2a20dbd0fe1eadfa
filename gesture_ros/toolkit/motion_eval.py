"""False events on motion that is no gesture, and the clips that give exactly their expected events.

- Non-gesture motion (every event on it is false): the negative clips (``NEGATIVE_CLIPS``, through
  the extractor, every frame), the referee's signals (event_eval.volleyball_items) and seeded
  synthetic moving hands (synth/moving.py, seeds far from any training seed). The figure is
  events (TRIGGER or START) per minute of their stamps, all sources together, and per kind.
- Clips (``CLIP_EXPECTED``): each run every frame and live, a camera faster than the extraction
  (``LIVE_SKIPS``: the extractor sees only the frames a live keypoint_node would take, told how many
  it missed, as toolkit/live_eval); the share of (clip, run) pairs whose events are exactly the
  expected ones.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from gesture_ros.common.landmarks import KeypointFrame
from gesture_ros.toolkit import event_eval as E

NEGATIVE_CLIPS = ("videos/open_hand_no_gesture.mp4", "negatives/grip_drag.gif", "negatives/ok_sign_drag.gif")
CLIP_EXPECTED: dict[str, list[str]] = {
    **{clip: [] for clip in NEGATIVE_CLIPS},
    "videos/swipe2_left_right.gif": ["swipe_right", "swipe_left"],  # event_eval.GIF_STROKES
}
LIVE_SKIPS = (0.3, 0.5, 0.7)
SYNTH_NEGATIVES = 60
SYNTH_SEED = 77_000_000  # far from train-default's seeds (seed * 1_000_003 + under 1_000_000)


@lru_cache(maxsize=64)
def extracted(path: Path, skip: float, extractor: str) -> tuple[KeypointFrame, ...]:
    """Return a clip's keypoints, every frame (``skip`` 0) or live with ``skip`` of the frames skipped
    (toolkit/live_eval.extract); kept for the process, as several models are run on the same clips."""
    from gesture_ros.toolkit.drops import keep_pattern
    from gesture_ros.toolkit.live_eval import extract

    keep = None
    if skip:
        keep = keep_pattern(len(extracted(path, 0.0, extractor)), skip)
    return tuple(f for f in extract(path, keep, extractor) if f is not None)


def duration_s(frames: Sequence[KeypointFrame]) -> float:
    """Return the span a run of frames covers: first to last stamp plus one median frame period."""
    if len(frames) < 2:
        return 0.0
    stamps = np.array([f.stamp_ns for f in frames], np.int64)
    return float((stamps[-1] - stamps[0] + np.median(np.diff(stamps))) / 1e9)


def false_event_rate(sources: Sequence[tuple[str, str, float, Sequence[str]]]) -> dict:
    """Return events per minute of ``(kind, name, seconds, fired gestures)`` sources, all and per kind."""
    def rate(rows):
        events = sum(len(r[3]) for r in rows)
        minutes = sum(r[2] for r in rows) / 60.0
        return {"sources": len(rows), "events": events, "minutes": round(minutes, 3),
                "per_minute": round(events / minutes, 3) if minutes else 0.0,
                "gestures": dict(Counter(g for r in rows for g in r[3]))}
    out = {"all": rate(sources)}
    for kind in sorted({r[0] for r in sources}):
        out[kind] = rate([r for r in sources if r[0] == kind])
    return out


def exact_share(runs: dict[str, dict[str, list[str]]], expected: dict[str, list[str]]) -> dict:
    """Return how many (clip, run) pairs give exactly their clip's expected events, every frame and live."""
    out = {}
    for which in ("every frame", "live"):
        pairs = [(clip, got) for clip, by_run in runs.items() for run, got in by_run.items()
                 if (run == "every frame") == (which == "every frame")]
        exact = sum(got == expected[clip] for clip, got in pairs)
        out[which] = {"exact": exact, "runs": len(pairs), "share": round(exact / len(pairs), 3) if pairs else None}
    return out


@lru_cache(maxsize=4)
def synthetic_negatives(n: int = SYNTH_NEGATIVES, seed: int = SYNTH_SEED) -> tuple[tuple[str, list[KeypointFrame]], ...]:
    """Return ``n`` seeded sequences of moving hands that are no gesture, as keypoint frames."""
    from gesture_ros.toolkit.synth.generator import generate_one
    from gesture_ros.toolkit.synth.moving import MOVING

    out = []
    for i in range(n):
        s = generate_one(MOVING, seed + i)
        out.append((f"{MOVING}-{seed + i}", E.keypoint_frames(s.rendered.arrays, f"synth{i}")))
    return tuple(out)


def clip_runs(model: Path, data: Path, extractor: str = "hands_pose",
              skips: Sequence[float] = LIVE_SKIPS) -> dict[str, dict[str, list[str]]]:
    """Return clip -> run -> gestures that began: every frame, and each live skip pattern."""
    out: dict[str, dict[str, list[str]]] = {}
    for clip in CLIP_EXPECTED:
        path = Path(data) / clip
        runs = {"every frame": E.fired(E.run(E.decider(model), extracted(path, 0.0, extractor), "clip"))}
        for skip in skips:
            runs[f"{skip:.0%} skipped"] = E.fired(E.run(E.decider(model), extracted(path, skip, extractor), "clip"))
        out[clip] = runs
    return out


def negative_sources(model: Path, data: Path, extractor: str = "hands_pose",
                     n_synth: int = SYNTH_NEGATIVES) -> list[tuple[str, str, float, list[str]]]:
    """Return (kind, name, seconds, fired) of every non-gesture source through ``model``'s decider."""
    dec = E.decider(model)
    rows = []
    for clip in NEGATIVE_CLIPS:
        frames = extracted(Path(data) / clip, 0.0, extractor)
        rows.append(("negative clips", clip, duration_s(frames), E.fired(E.run(dec, frames, clip))))
    for cls, i, arrays in E.volleyball_items(data):
        frames = E.keypoint_frames(arrays, f"{cls}{i}")
        rows.append(("referee signals", f"{cls}{i}", duration_s(frames), E.fired(E.run(dec, frames, f"{cls}{i}"))))
    for name, frames in synthetic_negatives(n_synth):
        rows.append(("synthetic moving hands", name, duration_s(frames), E.fired(E.run(dec, frames, name))))
    return rows


def evaluate(model: Path, data: Path, extractor: str = "hands_pose", n_synth: int = SYNTH_NEGATIVES) -> dict:
    """Return the false-event figure and the clips' exact share of one model."""
    rows = negative_sources(model, data, extractor, n_synth)
    runs = clip_runs(model, data, extractor)
    return {"model": str(model), "extractor": extractor, "false_events": false_event_rate(rows),
            "false_event_sources": [r for r in rows if r[3]], "clips": runs,
            "exact": exact_share(runs, CLIP_EXPECTED)}
