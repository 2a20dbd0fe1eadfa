"""Bench the classifier: per-window inference on CPU, and end-to-end event latency.

    python -m tools.bench classifier [--windows N] [--seconds S] [--video FILE] [--no-e2e]

Part 1 times, frame by frame on synthetic keypoint streams: a bare onnxruntime session
(baseline), GestureModel.predict (the node's inference call) and GestureDecider.push
(features + window + inference + events), and prints p50/p99 and their ratios.
Part 2 runs camera_node -> keypoint_node -> classifier_node on a real clip in real time
and measures, in one run, image stamp -> keypoints received (the keypoint stage alone)
and image stamp -> GestureScores / GestureEvent received (end to end).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from gesture_ros.classify.features import SequenceArrays
from gesture_ros.classify.gesture_decider import GestureDecider
from gesture_ros.classify.onnx_model import RuntimeOptions, load_model
from gesture_ros.common.landmarks import KeypointFrame
from gesture_ros.common.model_meta import INPUT_NAME, OUTPUT_NAME
from gesture_ros.common.paths import DEFAULT_MODEL, resolve_shipped
from gesture_ros.common.stats import LatencyStats

GOAL_P99_MS = 1.0
LABELS = ("swipe_right", "open_palm", "none", "swipe_left", "fist", "x_cross")


def frames_of(arrays: SequenceArrays, offset_ns: int = 0) -> list[KeypointFrame]:
    """Return the KeypointFrames of SequenceArrays (a part of NaN rows is absent)."""
    w, h = arrays.image_size

    def part(arr: np.ndarray, i: int) -> np.ndarray | None:
        return None if np.isnan(arr[i, :, :2]).all() else arr[i]

    return [KeypointFrame(stamp_ns=int(s) + offset_ns, frame_id="bench", image_width=w, image_height=h,
                          pose=part(arrays.pose, i), left_hand=part(arrays.left_hand, i),
                          right_hand=part(arrays.right_hand, i))
            for i, s in enumerate(arrays.stamps_ns)]


def synthetic_stream(min_frames: int, seed: int = 1) -> list[KeypointFrame]:
    """Return at least ``min_frames`` frames of synthetic performances, stamps increasing."""
    from gesture_ros.toolkit.synth.generator import generate_one

    frames: list[KeypointFrame] = []
    i = 0
    while len(frames) < min_frames:
        seq = generate_one(LABELS[i % len(LABELS)], seed + i).rendered.arrays
        offset = (frames[-1].stamp_ns + 40_000_000 - int(seq.stamps_ns[0])) if frames else 0
        frames += frames_of(seq, offset)
        i += 1
    return frames


def bench_inference(model_path: Path, n_windows: int) -> int:
    """Time bare ORT, GestureModel.predict and GestureDecider.push side by side; return 0 if p99 < goal."""
    import onnxruntime as ort

    model = load_model(model_path, RuntimeOptions(providers=["cpu"], intra_op_threads=1, inter_op_threads=1))
    so = ort.SessionOptions()
    so.intra_op_num_threads = so.inter_op_num_threads = 1
    bare = ort.InferenceSession(str(model_path), so, providers=["CPUExecutionProvider"])
    decider = GestureDecider(model)
    frames = synthetic_stream(n_windows + model.window)
    stats = {"bare onnxruntime run": LatencyStats(len(frames)), "GestureModel.predict": LatencyStats(len(frames)),
             "GestureDecider.push (frame)": LatencyStats(len(frames))}
    for frame in frames:
        start = time.perf_counter()
        decider.push("bench", frame)
        stats["GestureDecider.push (frame)"].add(time.perf_counter() - start)
        window = decider.window("bench")
        if not window.full:
            continue
        x = window.view().features
        start = time.perf_counter()
        bare.run([OUTPUT_NAME], {INPUT_NAME: x[None]})
        stats["bare onnxruntime run"].add(time.perf_counter() - start)
        start = time.perf_counter()
        model.predict(x)
        stats["GestureModel.predict"].add(time.perf_counter() - start)
    print(model.describe())
    print(f"{'stage':<30}{'n':>7}{'p50 ms':>10}{'p99 ms':>10}")
    for name, s in stats.items():
        print(f"{name:<30}{len(s):>7}{s.percentile_ms(50):>10.3f}{s.percentile_ms(99):>10.3f}")
    base, ours = stats["bare onnxruntime run"], stats["GestureModel.predict"]
    print(f"ratio predict / bare: p50 {ours.percentile_ms(50) / base.percentile_ms(50):.2f}, "
          f"p99 {ours.percentile_ms(99) / base.percentile_ms(99):.2f}")
    p99 = ours.percentile_ms(99)
    print(f"goal: per-window inference p99 < {GOAL_P99_MS} ms: {'met' if p99 < GOAL_P99_MS else 'NOT met'} "
          f"({p99:.3f} ms)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench classifier", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=DEFAULT_MODEL, help="ONNX model (default: the shipped one)")
    parser.add_argument("--windows", type=int, default=2000, help="windows for the inference part")
    parser.add_argument("--seconds", type=float, default=30.0, help="duration of the end-to-end part")
    parser.add_argument("--video", default="", help="clip for the end-to-end part (default: "
                        "../shared/data/videos/open_hand_no_gesture.mp4, looped)")
    parser.add_argument("--keypoint-model", default="hands", help="keypoint_node model")
    parser.add_argument("--no-e2e", action="store_true", help="skip the end-to-end part")
    args = parser.parse_args(argv)
    model_path = resolve_shipped(args.model)
    print("--- per-window inference, CPU, 1 thread ---", flush=True)
    status = bench_inference(model_path, args.windows)
    if not args.no_e2e:
        from tools.bench.classifier_e2e import bench_end_to_end

        print("\n--- end to end: camera_node -> keypoint_node -> classifier_node ---", flush=True)
        status |= bench_end_to_end(model_path, args.video, args.seconds, args.keypoint_model)
    return status
