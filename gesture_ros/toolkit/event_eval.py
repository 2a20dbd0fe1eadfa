"""Real keypoints through the classifier's own decider (config/classifier.yaml): which events come out.

- stills: each still held for ``HOLD_FRAMES`` frames at 15 fps (what keypoint_node gives while a
  person holds still), on a fresh source: does it give its gesture (x_cross TRIGGER, START of a
  held gesture), and which other gestures fire;
- the referee's signals (volleyball_signals, 60 sequences of Holistic keypoints at 30 fps):
  every event is a false one;
- clips through the MediaPipe extractor: the events, and the swipe GIF looped three times;
- return strokes built from the swipe GIF's real keypoints: a stroke followed straight away by
  the same frames played backwards (the arm coming back), then the stroke's first frame held
  ``RETURN_HOLD_S`` (the hand at rest where it started), which must give one swipe. Their
  events are timed, and those that begin while that first frame is held are marked: a hand
  shape held still is a held gesture's business, not the return stroke's;
- the same at half the rate (``half_rate_return``: the GIF from its start through the left stroke
  and its return, every second frame, as when extraction runs at half the camera's rate).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from gesture_ros.classify.features import SequenceArrays
from gesture_ros.classify.gesture_decider import DeciderConfig, GestureDecider
from gesture_ros.classify.onnx_model import RuntimeOptions, load_model
from gesture_ros.classify.params import PARAMS, settings_from
from gesture_ros.common.gesture_event import EventType, GestureEventData
from gesture_ros.common.landmarks import HAND_LENGTH, N_FIELDS, POSE_LENGTH, KeypointFrame
from gesture_ros.common.param_files import node_params
from gesture_ros.common.paths import resolve_shipped
from gesture_ros.toolkit.stills import Still

HOLD_FRAMES = 24
HOLD_FPS = 15.0
VOLLEYBALL_FPS = 30.0
# The referee files hold normalised coordinates without their image size. At 16:9 the body has
# the proportions of every other person here (hips 1.6 shoulder widths below the shoulders,
# the stills' people 1.4-1.55, the synthetic bodies 1.5); at 4:3 it would be 2.1, a body
# squeezed sideways. So 16:9 (a 1280x720 webcam); ``volleyball(..., size=(640, 480))`` checks the other reading.
VOLLEYBALL_SIZE = (1280, 720)
SWIPE_CLIP = "videos/swipe2_left_right.gif"
OPEN_HAND_CLIP = "videos/open_hand_no_gesture.mp4"
# (label, first and last stamp in s) of the GIF's two strokes, from MediaPipe's wrist track
GIF_STROKES = (("swipe_right", 0.87, 1.67), ("swipe_left", 2.53, 3.27))
RETURN_HOLD_S = 1.5
HELD_MARK = "(first frame held)"
HALF_RATE_CLIP = "swipe2_left_right to the left stroke + its return, every 2nd frame"


def decider_config(overrides: dict[str, object] | None = None) -> DeciderConfig:
    """Return config/classifier.yaml's decider settings (plus overrides)."""
    values = node_params([resolve_shipped("config/classifier.yaml")], "classifier_node")
    known = {p.name for p in PARAMS}
    values.update({k: v for k, v in (overrides or {}).items() if k in known})
    return settings_from(values).decider


def decider(model_path: Path, overrides: dict[str, object] | None = None) -> GestureDecider:
    """Return a GestureDecider with config/classifier.yaml's settings (plus overrides) on CPU."""
    model = load_model(model_path, RuntimeOptions(providers=["cpu"], warmup_runs=1))
    return GestureDecider(model, decider_config(overrides))


def keypoint_frames(arrays: SequenceArrays, frame_id: str = "eval") -> list[KeypointFrame]:
    """Return one KeypointFrame per row; a part whose x/y are all NaN is absent."""
    w, h = arrays.image_size

    def part(arr: np.ndarray, i: int) -> np.ndarray | None:
        return None if np.isnan(arr[i, :, :2]).all() else arr[i]

    return [KeypointFrame(stamp_ns=int(s), frame_id=frame_id, image_width=w, image_height=h,
                          pose=part(arrays.pose, i), left_hand=part(arrays.left_hand, i),
                          right_hand=part(arrays.right_hand, i)) for i, s in enumerate(arrays.stamps_ns)]


def run(dec: GestureDecider, frames: Iterable[KeypointFrame], source: str) -> list[GestureEventData]:
    """Push frames of one source and close it; return every event."""
    out: list[GestureEventData] = []
    for f in frames:
        out += dec.push(source, f).events
    return out + dec.close()


def fired(events: Sequence[GestureEventData]) -> list[str]:
    """Return the gestures that began (TRIGGER or START), in order."""
    return [e.gesture for e in events if e.event_type in (EventType.TRIGGER, EventType.START)]


def still_outcomes(dec: GestureDecider, stills: Sequence[Still]) -> list[dict]:
    """Return, per still held for HOLD_FRAMES frames, its label and the gestures that fired."""
    out = []
    for i, s in enumerate(stills):
        frames = keypoint_frames(s.held(HOLD_FRAMES, HOLD_FPS, start_ns=10**18 + i * 10**10), s.key)
        out.append({"key": s.key, "label": s.label, "fired": fired(run(dec, frames, f"still{i}")),
                    "pose": bool(np.isfinite(s.pose[-1, 0, 0])),
                    "hand": bool(np.isfinite(s.left_hand[-1, 0, 0]) or np.isfinite(s.right_hand[-1, 0, 0]))})
    return out


def still_table(outcomes: Sequence[dict], labels: Sequence[str], confusable: Sequence[str]) -> dict:
    """Summarise outcomes per label: recall (its gesture fired), confusions (another of ``confusable`` fired)."""
    res: dict = {}
    for label in labels:
        rows = [o for o in outcomes if o["label"] == label]
        if not rows:
            continue
        hit = sum(label in o["fired"] for o in rows)
        conf = Counter(g for o in rows for g in set(o["fired"]) if g != label and g in confusable)
        other = Counter(g for o in rows for g in set(o["fired"]) if g != label)
        res[label] = {"n": len(rows), "recall": hit / len(rows),
                      "confused": sum(any(g != label and g in confusable for g in o["fired"]) for o in rows) / len(rows),
                      "confusions": dict(conf), "other_events": dict(other),
                      "with_pose": sum(o["pose"] for o in rows), "with_hand": sum(o["hand"] for o in rows),
                      "recall_with_pose": (sum(label in o["fired"] for o in rows if o["pose"]) /
                                           max(1, sum(o["pose"] for o in rows)))}
    return res


def volleyball_items(data: Path, size: tuple = VOLLEYBALL_SIZE) -> list[tuple]:
    """Return (class, index, SequenceArrays) of every referee sequence (Holistic layout, 30 fps)."""
    out = []
    for path in sorted((Path(data) / "sequences" / "volleyball_signals").glob("*.npy")):
        cls = path.name.split("_seq")[0]
        x = np.load(path)
        for i in range(x.shape[0]):
            t = x.shape[1]
            pose = np.full((t, POSE_LENGTH, N_FIELDS), np.nan, np.float32)
            p = x[i, :, :132].reshape(t, POSE_LENGTH, 4)
            pose[:, :, :4] = p
            pose[:, :, 4] = p[:, :, 3]
            pose[np.all(p[:, :, :2] == 0, axis=(1, 2))] = np.nan
            hands = []
            for off in (132, 195):
                h = x[i, :, off:off + 63].reshape(t, HAND_LENGTH, 3)
                arr = np.full((t, HAND_LENGTH, N_FIELDS), np.nan, np.float32)
                arr[:, :, :3] = h
                arr[np.all(h == 0, axis=(1, 2))] = np.nan  # that recorder stored a missing hand as zeros
                hands.append(arr)
            stamps = (10**18 + np.arange(t) * 1e9 / VOLLEYBALL_FPS).astype(np.int64)
            out.append((cls, i, SequenceArrays(stamps, pose, hands[0], hands[1], size)))
    return out


def volleyball(dec: GestureDecider, data: Path, size: tuple = VOLLEYBALL_SIZE) -> dict:
    """Return events per referee class (every one is false: none of them is a default gesture)."""
    res: dict = {}
    for cls, i, arrays in volleyball_items(data, size):
        events = fired(run(dec, keypoint_frames(arrays, f"{cls}{i}"), f"{cls}{i}"))
        r = res.setdefault(cls, {"sequences": 0, "events": Counter()})
        r["sequences"] += 1
        r["events"].update(events)
    for r in res.values():
        r["events"] = dict(r["events"])
    return res


def clip_frames(data: Path, clip: str, extractor: str) -> list[KeypointFrame]:
    from gesture_ros.toolkit.video import extract

    return extract(Path(data) / clip, extractor)


def looped(frames: Sequence[KeypointFrame], times: int) -> list[KeypointFrame]:
    """Return the clip played ``times`` times in a row, stamps continuing at the clip's own rate."""
    if not frames:
        return []
    step = int(np.median(np.diff([f.stamp_ns for f in frames]))) if len(frames) > 1 else 66_666_667
    span = frames[-1].stamp_ns - frames[0].stamp_ns + step
    out = []
    for k in range(times):
        for f in frames:
            out.append(KeypointFrame(stamp_ns=f.stamp_ns + k * span, frame_id=f.frame_id, image_width=f.image_width,
                                     image_height=f.image_height, pose=f.pose, left_hand=f.left_hand,
                                     right_hand=f.right_hand))
    return out


def held_frames(frames: Sequence[KeypointFrame]) -> int:
    """Return how many frames ``with_return`` holds the stroke's first frame (``RETURN_HOLD_S``)."""
    return int(round(RETURN_HOLD_S * 1e9 / int(np.median(np.diff([f.stamp_ns for f in frames])))))


def return_events(dec: GestureDecider, clip: Sequence[KeypointFrame], hold: int, source: str) -> list[str]:
    """Return the gestures that began, timed, those in the last ``hold`` frames marked ``HELD_MARK``."""
    held_from = clip[-hold].stamp_ns
    return [f"{e.event_type.name} {e.gesture} {(e.stamp_ns - clip[0].stamp_ns) / 1e9:.2f}s"
            + (f" {HELD_MARK}" if e.stamp_ns >= held_from else "")
            for e in run(dec, clip, source) if e.event_type in (EventType.TRIGGER, EventType.START)]


def half_rate_return(frames: Sequence[KeypointFrame]) -> list[KeypointFrame]:
    """Return the GIF from its start through its left stroke and that stroke's return, every second frame."""
    _label, t0, t1 = GIF_STROKES[1]
    return with_return(frames, t0, t1, 0.0, lead_s=t0)[::2]


def with_return(frames: Sequence[KeypointFrame], t0: float, t1: float, pause_s: float,
                lead_s: float = 0.8) -> list[KeypointFrame]:
    """Return ``lead_s`` before a stroke, the stroke, a pause, then its frames backwards (the arm coming back)."""
    base = frames[0].stamp_ns
    step = int(np.median(np.diff([f.stamp_ns for f in frames])))
    upto = [f for f in frames if t0 - lead_s <= (f.stamp_ns - base) / 1e9 <= t1]
    stroke = [f for f in upto if (f.stamp_ns - base) / 1e9 >= t0]
    tail = [upto[-1]] * int(round(pause_s * 1e9 / step)) + stroke[::-1] + [stroke[0]] * held_frames(frames)
    out = list(upto)
    for f in tail:
        out.append(KeypointFrame(stamp_ns=out[-1].stamp_ns + step, frame_id=f.frame_id, image_width=f.image_width,
                                 image_height=f.image_height, pose=f.pose, left_hand=f.left_hand,
                                 right_hand=f.right_hand))
    return out


def clips(model_path: Path, data: Path, extractors: Sequence[str]) -> dict:
    """Return the events of the shared clips, the looped GIF and the GIF's strokes with return strokes."""
    res: dict = {}
    for ex in extractors:
        for clip in (OPEN_HAND_CLIP, SWIPE_CLIP):
            frames = clip_frames(data, clip, ex)
            name = Path(clip).stem
            res[f"{name}[{ex}]"] = _described(run(decider(model_path), frames, name), frames[0].stamp_ns)
            if clip == SWIPE_CLIP:
                res[f"{name} looped x3[{ex}]"] = fired(run(decider(model_path), looped(frames, 3), name))
                res[f"{HALF_RATE_CLIP}[{ex}]"] = fired(run(decider(model_path), half_rate_return(frames), name))
                for label, t0, t1 in GIF_STROKES:
                    for pause in (0.0, 0.13, 0.2):
                        clip_r = with_return(frames, t0, t1, pause)
                        res[f"{label} + return after {pause:.2f} s[{ex}]"] = return_events(
                            decider(model_path), clip_r, held_frames(frames), name)
    return res


def _described(events: Sequence[GestureEventData], t0: int) -> list[str]:
    return [f"{e.event_type.name} {e.gesture} {(e.stamp_ns - t0) / 1e9:.2f}s" for e in events]
