"""Hands found against hand size in pixels: the single-person extractor against hand crops at the pose wrists.

    python -m tools.bench small_hands [--data ../shared/data] [--per-folder 12] [--scales 1,0.5,0.35,0.25,0.18,0.12]

The hand stills (thumbs up, thumbs down, open palm, fist: one raised hand each, 640x480) are
scaled down by each factor to make the same hands smaller (0.25 is a 160x120 webcam stream),
and each is held for ``--hold`` frames, one still after another as in a video. A still counts as
found when a hand's wrist lies within one palm (at least 4 px) of the raised pose wrist. Palm
length and raised wrist come from the full-size still (pose wrist to index knuckle x 1.25, as
toolkit/hand_size.py), times the factor, so a size bin holds the same hands for every extractor.
Extractors: single-person Hands+Pose, hand crops at the pose wrists (default 3.5 hand lengths
wide) and wider crops (5 hand lengths: more context for the palm detector).

Recognised: each extractor's keypoints of each scaled still held for 24 frames at 15 fps through
the classifier's decider (config/classifier.yaml), as `make eval` holds a still; it counts when
the still's gesture fires. ``--models a.onnx,b.onnx`` puts models side by side (default: the
shipped one, which learnt from these people); ``--held-out`` adds the held-out figure: each
still read by the `make eval` fold model trained without its person (models/eval/folds, the
people in models/eval/held_out_stills.json). Finding a hand is not enough when its small
landmarks no longer carry its shape. ``--detection 0.3,0.2`` adds Hands+Pose at those palm
detection thresholds; a lower one finds more small hands, so the bench also counts the stills
whose last frame holds a false hand (more than two palms from both pose wrists).
"""

from __future__ import annotations

import argparse
import glob
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from gesture_ros.classify.features import SequenceArrays
from gesture_ros.common.landmarks import PoseLandmark as P
from gesture_ros.common.paths import resolve_shipped
from gesture_ros.perception.extraction.options import ExtractorOptions, PeopleOptions
from gesture_ros.perception.people_extractor import extract, open_extractor
from gesture_ros.toolkit.event_eval import HOLD_FPS, HOLD_FRAMES, decider, fired, keypoint_frames
from gesture_ros.toolkit.event_eval import run as run_decider
from gesture_ros.toolkit.hand_size import PALM_FROM_POSE
from gesture_ros.toolkit.stills import STILL_FOLDERS
from tools.data_dir import data_dir

FOLDERS = ("hand_up_thumbs_up", "hand_down_thumbs_down", "hand_palm_open_palm", "hand_emergency_fist")
BINS_PX = (0, 5, 7, 10, 14, 20, 30, 1000)
EXTRACTORS = {
    "hands_pose": ExtractorOptions(model="hands_pose"),
    "hand_crops": ExtractorOptions(people=PeopleOptions(hand_crops=True)),
    "crops x5": ExtractorOptions(people=PeopleOptions(hand_crops=True, hand_crop_scale=5.0)),
}


def raised_hand(pose: np.ndarray, width: int, height: int) -> tuple[np.ndarray, float] | None:
    """Return the raised (higher) pose wrist in pixels and its palm length, or None without them."""
    if pose is None or not np.all(np.isfinite(pose[[P.LEFT_WRIST, P.RIGHT_WRIST, P.LEFT_INDEX, P.RIGHT_INDEX], :2])):
        return None
    px = pose[:, :2] * np.array([width, height])
    side = "LEFT" if px[P.LEFT_WRIST, 1] < px[P.RIGHT_WRIST, 1] else "RIGHT"
    wrist, knuckle = px[P[f"{side}_WRIST"]], px[P[f"{side}_INDEX"]]
    return wrist, PALM_FROM_POSE * float(np.linalg.norm(knuckle - wrist))


def found(frames, wrist: np.ndarray, palm: float, width: int, height: int) -> np.ndarray | None:
    """Return the (21, 2) normalised landmarks of the hand at the raised wrist, or None."""
    for f in frames:
        for hand in (f.left_hand, f.right_hand):
            if hand is not None and np.linalg.norm(hand[0, :2] * (width, height) - wrist) <= max(palm, 4.0):
                return hand[:, :2]
    return None


def stray(frames, wrists: np.ndarray, palm: float, width: int, height: int) -> bool:
    """Return True when a hand lies more than two palms from both pose wrists ``wrists`` (2, 2) px: a false hand."""
    hands = [h for f in frames for h in (f.left_hand, f.right_hand) if h is not None]
    return any(np.min(np.linalg.norm(wrists - h[0, :2] * (width, height), axis=1)) > max(2 * palm, 8.0) for h in hands)


def error(hand: np.ndarray | None, truth: np.ndarray | None, palm_norm: float) -> float:
    """Return the median landmark distance to the full-size hand, in palm lengths (NaN without both)."""
    if hand is None or truth is None:
        return float("nan")
    return float(np.median(np.linalg.norm(hand - truth, axis=1)) / palm_norm)


def held_fired(dec, frames, key: str) -> list[str]:
    """Return the gestures that fire with the still's first keypoints held ``HOLD_FRAMES`` frames."""
    if not frames:
        return []
    one = SequenceArrays.from_frames(frames[:1])
    idx = np.zeros(HOLD_FRAMES, dtype=int)
    stamps = 10**18 + (np.arange(HOLD_FRAMES) * 1e9 / HOLD_FPS).astype(np.int64)
    held = SequenceArrays(stamps, one.pose[idx], one.left_hand[idx], one.right_hand[idx], one.image_size)
    return fired(run_decider(dec, keypoint_frames(held, key), key))


def recognised(dec, frames, label: str, key: str) -> bool:
    """Return True when ``label`` fires with the still's keypoints held ``HOLD_FRAMES`` frames."""
    return label in held_fired(dec, frames, key)


def held_out_deciders(files: list[str], data: Path) -> list:
    """Return per still the decider of the fold model that never saw its person."""
    from gesture_ros.toolkit.real_train import FOLD_PEOPLE

    folds = resolve_shipped("models/eval/folds")
    people = {o["key"]: o["person"] for o in json.loads((folds.parent / "held_out_stills.json").read_text())}
    deciders = {p: decider(folds / f"fold{k}.onnx") for k, p in enumerate(FOLD_PEOPLE)}
    return [deciders[people[str(Path(f).relative_to(data / "stills"))]] for f in files]


def run(options: ExtractorOptions, images: list[np.ndarray], hold: int) -> tuple[list, float]:
    """Hold each image ``hold`` frames; return the last frame's keypoints per image and ms/frame."""
    out, spent, n = [], 0.0, 0
    with open_extractor(options) as ex:
        for i, image in enumerate(images):
            for k in range(hold):
                start = time.perf_counter()
                frames = extract(ex, image, (i * hold + k) * 66_666_667, "bench")
                spent, n = spent + time.perf_counter() - start, n + 1
            out.append(frames)
    return out, 1e3 * spent / max(n, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench small_hands", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=data_dir())
    parser.add_argument("--per-folder", type=int, default=12)
    parser.add_argument("--hold", type=int, default=3)
    parser.add_argument("--scales", default="1,0.5,0.35,0.25,0.18,0.12")
    parser.add_argument("--models", default=str(resolve_shipped("models/gesture_default.onnx")),
                        help="comma-separated ONNX models whose recognition is measured side by side")
    parser.add_argument("--held-out", action="store_true", help="also: each still through the fold model "
                        "trained without its person (needs `make eval`'s models/eval/folds)")
    parser.add_argument("--detection", default="", help="comma-separated min_detection_confidence values: "
                        "each adds Hands+Pose at that value (default 0.5) to the comparison")
    args, _ = parser.parse_known_args(argv)
    extractors = dict(EXTRACTORS)
    for value in filter(None, args.detection.split(",")):
        extractors[f"detection {value}"] = ExtractorOptions(model="hands_pose", min_detection_confidence=float(value))
    files = [f for d in FOLDERS for f in sorted(glob.glob(str(args.data / "stills" / d / "*.jpg")))[:args.per_folder]]
    if not files:
        print(f"bench small_hands: no stills under {args.data / 'stills'}", file=sys.stderr)
        return 2
    stills = [cv2.imread(f) for f in files]
    labels = [STILL_FOLDERS[Path(f).parent.name] for f in files]
    models = {Path(m).stem: [decider(Path(m))] * len(files) for m in args.models.split(",")}
    if args.held_out:
        models["held-out folds"] = held_out_deciders(files, args.data)
    reference, _ = run(EXTRACTORS["hands_pose"], stills, args.hold)
    refs = [raised_hand(frames[0].pose, s.shape[1], s.shape[0]) for frames, s in zip(reference, stills, strict=True)]
    both = [frames[0].pose[[P.LEFT_WRIST, P.RIGHT_WRIST], :2] * (s.shape[1], s.shape[0]) if ref else None
            for frames, ref, s in zip(reference, refs, stills, strict=True)]
    truths = [found(frames, *ref, s.shape[1], s.shape[0]) if ref else None
              for frames, ref, s in zip(reference, refs, stills, strict=True)]
    rows: dict[str, list[tuple[float, bool, float]]] = {name: [] for name in extractors}
    known: dict[tuple[str, str], list[tuple[float, bool]]] = {(e, m): [] for e in extractors for m in models}
    times: dict[str, list[float]] = {name: [] for name in extractors}
    strays: dict[str, int] = {name: 0 for name in extractors}
    for scale in (float(s) for s in args.scales.split(",")):
        images = [cv2.resize(s, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) for s in stills]
        for name, options in extractors.items():
            got, ms = run(options, images, args.hold)
            times[name].append(ms)
            for frames, ref, truth, image, wrists in zip(got, refs, truths, images, both, strict=True):
                if ref is not None:
                    hand = found(frames, ref[0] * scale, ref[1] * scale, image.shape[1], image.shape[0])
                    rows[name].append((ref[1] * scale, hand is not None, error(hand, truth, ref[1] / image.shape[1] * scale)))
                    strays[name] += stray(frames, wrists * scale, ref[1] * scale, image.shape[1], image.shape[0])
            for i, (frames, ref) in enumerate(zip(got, refs, strict=True)):
                for model, decs in models.items():
                    if ref is not None:
                        known[name, model].append((ref[1] * scale, recognised(decs[i], frames, labels[i], f"s{scale}-{i}")))
    print(f"{len(stills)} hand stills ({args.per_folder} per folder) x scales {args.scales}, held {args.hold} "
          f"frames; {sum(r is not None for r in refs)} with a raised pose hand at full size")
    print("  recall (hand found at the raised wrist) and median landmark error against the full-size hand, "
          "in palm lengths (x of the image width)")
    print(f"  {'palm px':<10}{'n':>5}" + "".join(f"{name + ' recall':>20}{'error':>8}" for name in extractors))
    for lo, hi in zip(BINS_PX[:-1], BINS_PX[1:], strict=True):
        sel = {name: [(ok, err) for palm, ok, err in r if lo <= palm < hi] for name, r in rows.items()}
        n = len(next(iter(sel.values())))
        if n:
            label = f"{lo}-{hi}" if hi < 1000 else f">={lo}"
            cells = ""
            for v in sel.values():
                errs = [e for _, e in v if np.isfinite(e)]
                cells += f"{sum(ok for ok, _ in v) / n:>20.3f}{(np.median(errs) if errs else float('nan')):>8.2f}"
            print(f"  {label:<10}{n:>5}" + cells)
    print("  gesture recognised (the still's gesture fires), per extractor / model")
    print(f"  {'palm px':<10}" + "".join(f"{e + ' / ' + m:>34}" for e, m in known))
    for lo, hi in zip(BINS_PX[:-1], BINS_PX[1:], strict=True):
        cells = [[ok for palm, ok in r if lo <= palm < hi] for r in known.values()]
        if cells[0]:
            label = f"{lo}-{hi}" if hi < 1000 else f">={lo}"
            print(f"  {label:<10}" + "".join(f"{np.mean(c):>34.3f}" for c in cells))
    print("  stills whose last frame has a hand more than two palms from both pose wrists (false hands): "
          + "; ".join(f"{name} {n} of {len(rows[name])}" for name, n in strays.items()))
    print("  ms/frame per scale: " + "; ".join(f"{name} " + ", ".join(f"{t:.0f}" for t in ts) for name, ts in times.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
