"""Replay keypoints through the classifier's decider offline: tune post-processing, no ROS.

    python -m tools.bench.classifier_replay [--clip FILE ...] [--synthetic N] [--set name=value ...]

Clips go through the project's MediaPipe extractor (cached under ~/.cache/gesture_ros/replay)
and then the same GestureDecider the node runs, with config/classifier.yaml's settings
(overridable with --set). Synthetic sequences (toolkit/synth, seeds unlike training's) give
event-level figures per label: the share of performances with exactly the right event and
nothing else, and false events on 'none'.
"""

from __future__ import annotations

import argparse
import pickle
from collections import Counter
from pathlib import Path

import yaml

from gesture_ros.classify.gesture_decider import GestureDecider
from gesture_ros.classify.onnx_model import RuntimeOptions, load_model
from gesture_ros.classify.params import PARAMS, settings_from
from gesture_ros.common.gesture_event import EventType, GestureEventData
from gesture_ros.common.model_meta import GestureKind
from gesture_ros.common.param_files import node_params
from gesture_ros.common.paths import resolve_shipped
from tools.bench.classifier import frames_of
from tools.data_dir import data_dir

CACHE = Path("~/.cache/gesture_ros/replay").expanduser()
DEFAULT_CLIPS = ("videos/open_hand_no_gesture.mp4", "videos/swipe2_left_right.gif")


def load_values(config: Path, overrides: list[str]) -> dict[str, object]:
    """Return parameter values from the YAML file plus name=value overrides (YAML-typed)."""
    values = node_params([config], "classifier_node")
    for item in overrides:
        name, _, text = item.partition("=")
        if name not in {p.name for p in PARAMS}:
            raise SystemExit(f"--set {item}: unknown parameter '{name}'")
        values[name] = yaml.safe_load(text)
    return values


def clip_frames(clip: Path, keypoint_model: str) -> list:
    """Return the clip's KeypointFrames, extracted once and cached."""
    cache = CACHE / f"{clip.stem}-{keypoint_model}.pkl"
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    from gesture_ros.toolkit.video import extract

    frames = extract(clip, keypoint_model)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps(frames))
    return frames


def describe(e: GestureEventData, t0: int) -> str:
    return (f"{(e.stamp_ns - t0) / 1e9:6.2f}s {e.event_type.name:<7} {e.gesture:<12} "
            f"{e.confidence:.2f} {e.handedness}")


def replay_clip(decider: GestureDecider, frames: list, verbose: bool) -> list[GestureEventData]:
    events: list[GestureEventData] = []
    t0 = frames[0].stamp_ns
    labels = decider.model.labels
    for f in frames:
        d = decider.push("clip", f)
        events += d.events
        if verbose and d.scores is not None:
            top = sorted(zip(d.scores.smoothed, labels, strict=True), reverse=True)[:3]
            print(f"  {(f.stamp_ns - t0) / 1e9:6.2f}s " + "  ".join(f"{lab} {p:.2f}" for p, lab in top))
        for e in d.events:
            print("  " + describe(e, t0))
    for e in decider.close():
        print("  " + describe(e, t0) + " (at end)")
        events.append(e)
    return events


def score_synthetic(decider: GestureDecider, per_label: int, seed: int) -> None:
    from gesture_ros.toolkit.synth.generator import generate_one

    model = decider.model
    print(f"{'label':<13}{'n':>4}{'exact':>7}{'missed':>8}{'wrong/extra events':>20}")
    for li, label in enumerate(model.labels):
        exact = missed = 0
        wrong: Counter = Counter()
        for i in range(per_label):
            arrays = generate_one(label, seed + 1000 * li + i).rendered.arrays
            decider.close()
            events = [e for e in replay_quiet(decider, frames_of(arrays)) if e.event_type != EventType.END]
            hits = [e for e in events if e.gesture == label]
            others = [e.gesture for e in events if e.gesture != label]
            wrong.update(others)
            if model.kinds[label] is GestureKind.NONE:
                exact += not others
            else:
                exact += len(hits) == 1 and not others
                missed += not hits
        extra = ", ".join(f"{k}:{v}" for k, v in wrong.most_common(4))
        print(f"{label:<13}{per_label:>4}{exact / per_label:>7.2f}{missed / per_label:>8.2f}  {extra}")


def replay_quiet(decider: GestureDecider, frames: list) -> list[GestureEventData]:
    out: list[GestureEventData] = []
    for f in frames:
        out += decider.push("synthetic", f).events
    return out + decider.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default="config/classifier.yaml")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--clip", action="append", default=[], help="video file (default: the shared clips)")
    parser.add_argument("--data", default=str(data_dir()))
    parser.add_argument("--keypoint-model", default="hands_pose")
    parser.add_argument("--synthetic", type=int, default=0, help="performances per label to score")
    parser.add_argument("--seed", type=int, default=900_000)
    parser.add_argument("-v", "--verbose", action="store_true", help="print the top scores of every window")
    args = parser.parse_args(argv)
    settings = settings_from(load_values(resolve_shipped(args.config), args.set))
    model = load_model(resolve_shipped(settings.model_path), RuntimeOptions(providers=["cpu"]))
    print(model.describe())
    decider = GestureDecider(model, settings.decider)
    clips = [Path(c) for c in args.clip] or [Path(args.data) / c for c in DEFAULT_CLIPS]
    for clip in clips:
        if not clip.exists():
            print(f"{clip}: absent, skipped")
            continue
        print(f"{clip.name} ({args.keypoint_model}):")
        replay_clip(decider, clip_frames(clip, args.keypoint_model), args.verbose)
    if args.synthetic:
        score_synthetic(decider, args.synthetic, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
