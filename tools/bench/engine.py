"""Bench: the keypoint engine (MediaPipe's networks on ONNX Runtime) against the mediapipe backend, in one run.

    python -m tools.bench engine [--model hands_pose] [--stills 8] [--floor] [--skip-speed]

Agreement: both backends on every frame of ../shared/data/videos/* and on a sample of stills
(--stills per folder, a fresh extractor per still): hand presence agreement per side and frame,
hand landmark error in hand lengths (mean over the 21 landmarks of the distance to the reference,
over the reference's wrist -> middle knuckle length), pose error in torso lengths (33 landmarks,
over mid-shoulder -> mid-hip). Speed: frames/s and CPU ms per frame of the engine loop and of the
bare concurrent MediaPipe Hands+Pose loop (bench/bare_mediapipe.py) on the same video, one after
the other in this process, order engine, bare, engine, bare (means of each).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from gesture_ros.common.landmarks import HandLandmark, KeypointFrame, PoseLandmark
from gesture_ros.perception.extraction.options import ExtractorOptions
from tools.data_dir import data_dir

DEFAULT_VIDEO = data_dir() / "videos" / "open_hand_no_gesture.mp4"
HANDS = ("left_hand", "right_hand")


def read_frames(path: Path, limit: int = 0) -> list[np.ndarray]:
    """Return the BGR frames of a video file, GIF or still image."""
    import cv2

    if path.suffix.lower() == ".gif":
        from PIL import Image

        frames = []
        with Image.open(path) as im:
            for i in range(getattr(im, "n_frames", 1)):
                im.seek(i)
                frames.append(cv2.cvtColor(np.asarray(im.convert("RGB")), cv2.COLOR_RGB2BGR))
        return frames[:limit] if limit else frames
    if path.suffix.lower() in (".jpg", ".jpeg", ".png"):
        return [cv2.imread(str(path))]
    cap = cv2.VideoCapture(str(path))
    frames = []
    while not limit or len(frames) < limit:
        ok, bgr = cap.read()
        if not ok:
            break
        frames.append(bgr)
    cap.release()
    return frames


def hand_error(engine: np.ndarray, reference: np.ndarray, width: int, height: int) -> float:
    """Return the mean landmark distance in the reference's hand lengths (wrist -> middle knuckle)."""
    size = np.array([width, height], np.float32)
    a, b = engine[:, :2] * size, reference[:, :2] * size
    length = np.linalg.norm(b[HandLandmark.MIDDLE_FINGER_MCP] - b[HandLandmark.WRIST])
    return float(np.linalg.norm(a - b, axis=1).mean() / max(length, 1e-6))


def pose_error(engine: np.ndarray, reference: np.ndarray, width: int, height: int) -> float:
    """Return the median landmark distance in the reference's torso lengths (mid-shoulder -> mid-hip)."""
    size = np.array([width, height], np.float32)
    a, b = engine[:, :2] * size, reference[:, :2] * size
    shoulders = (b[PoseLandmark.LEFT_SHOULDER] + b[PoseLandmark.RIGHT_SHOULDER]) / 2
    hips = (b[PoseLandmark.LEFT_HIP] + b[PoseLandmark.RIGHT_HIP]) / 2
    return float(np.median(np.linalg.norm(a - b, axis=1)) / max(np.linalg.norm(shoulders - hips), 1e-6))


class Agreement:
    """Accumulate the comparison of engine frames with reference frames."""

    def __init__(self) -> None:
        self.sides = self.sides_agreeing = 0
        self.hand_errors: list[float] = []
        self.pose_errors: list[float] = []
        self.pose_frames = self.pose_agreeing = 0

    def add(self, engine: KeypointFrame, reference: KeypointFrame) -> None:
        w, h = reference.image_width, reference.image_height
        for part in HANDS:
            a, b = getattr(engine, part), getattr(reference, part)
            self.sides += 1
            self.sides_agreeing += (a is None) == (b is None)
            if a is not None and b is not None:
                self.hand_errors.append(hand_error(a, b, w, h))
        if engine.pose is not None or reference.pose is not None:
            self.pose_frames += 1
            self.pose_agreeing += engine.pose is not None and reference.pose is not None
        if engine.pose is not None and reference.pose is not None:
            self.pose_errors.append(pose_error(engine.pose, reference.pose, w, h))

    def merge(self, other: Agreement) -> None:
        for name, value in vars(other).items():
            setattr(self, name, getattr(self, name) + value)

    def summary(self) -> dict[str, float]:
        errors = np.array(self.hand_errors or [np.nan])
        return {"hand_sides": self.sides,
                "hand_presence_agreement": self.sides_agreeing / max(self.sides, 1),
                "hands_compared": len(self.hand_errors),
                "hand_error_median": float(np.median(errors)), "hand_error_p95": float(np.percentile(errors, 95)),
                "pose_frames": self.pose_frames,
                "pose_presence_agreement": self.pose_agreeing / max(self.pose_frames, 1),
                "pose_error_median": float(np.median(self.pose_errors)) if self.pose_errors else float("nan")}


def compare_clip(frames: list[np.ndarray], model: str, agreement: Agreement, detect_every: int = 1) -> None:
    """Run both backends over the frames of one clip (video mode) and add them to ``agreement``."""
    from gesture_ros.perception.engine.extractor import EngineExtractor
    from gesture_ros.perception.extractor import KeypointExtractor

    options = ExtractorOptions(model=model)
    engine_options = ExtractorOptions(model=model, palm_detect_every=detect_every)
    with EngineExtractor(engine_options) as engine, KeypointExtractor(options) as reference:
        for i, bgr in enumerate(frames):
            stamp = i * 33_333_333
            agreement.add(engine.process(bgr, stamp), reference.process(bgr, stamp))


class ReferencePose:
    """MediaPipe's own Pose graph (as the Solutions API runs it) with the region it tracks the body in exposed."""

    def __init__(self) -> None:
        from mediapipe.python.solution_base import SolutionBase

        self.graph = SolutionBase(
            binary_graph_path="mediapipe/modules/pose_landmark/pose_landmark_cpu.binarypb",
            side_inputs={"model_complexity": 1, "smooth_landmarks": True, "enable_segmentation": False,
                         "smooth_segmentation": True, "use_prev_landmarks": True},
            outputs=["pose_landmarks", "pose_rect_from_landmarks"])

    def process(self, rgb: np.ndarray):
        """Return the pose (33, 2) or None, and the region the next frame is cropped from (or None)."""
        from gesture_ros.perception.engine.regions import Rect

        result = self.graph.process(rgb)
        pose = None if result.pose_landmarks is None else np.array(
            [[p.x, p.y] for p in result.pose_landmarks.landmark], np.float32)
        r = result.pose_rect_from_landmarks
        return pose, None if r is None else Rect(r.x_center, r.y_center, r.width, r.height, r.rotation)

    def close(self) -> None:
        self.graph.close()


def pose_given_reference_regions(frames: list[np.ndarray]) -> tuple[int, list[float]]:
    """Run the engine's pose tracker with the region MediaPipe tracks in, frame by frame.

    Return the frames whose pose presence differs and the pose errors (torso lengths): the
    per-frame steps (crop, network, heatmap, projection, smoothing, presence) without the
    tracking loop, whose region differences a body made up around a close-up hand amplifies.
    """
    import cv2

    from gesture_ros.perception.engine.models import open_network
    from gesture_ros.perception.engine.pose import PoseTracker

    reference = ReferencePose()
    tracker = PoseTracker(open_network("pose_detection", threads=1), open_network("pose_landmark_full", threads=1))
    differ, errors, region = 0, [], None
    try:
        for bgr in frames:
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            tracker.tracked = region  # None: lost there too, so the detector runs as it does in the reference
            found = tracker.process(rgb)
            pose, region = reference.process(rgb)
            differ += (pose is None) != (found is None)
            if pose is not None and found is not None:
                errors.append(pose_error(found.landmarks, pose, rgb.shape[1], rgb.shape[0]))
    finally:
        reference.close()
    return differ, errors


def reference_noise_floor(frames: list[np.ndarray], seed: int = 0) -> Agreement:
    """Compare the mediapipe backend with itself on the same frames plus ±1 grey level of noise.

    What agreement a second run of the reference reaches when the image changes by less than
    a camera's own noise: the floor any other implementation can be held to.
    """
    from gesture_ros.perception.extractor import KeypointExtractor

    rng = np.random.default_rng(seed)
    agreement = Agreement()
    with KeypointExtractor(ExtractorOptions(model="hands_pose")) as noisy, \
            KeypointExtractor(ExtractorOptions(model="hands_pose")) as reference:
        for i, bgr in enumerate(frames):
            shaken = np.clip(bgr.astype(np.int16) + rng.integers(-1, 2, bgr.shape), 0, 255).astype(np.uint8)
            stamp = i * 33_333_333
            agreement.add(noisy.process(shaken, stamp), reference.process(bgr, stamp))
    return agreement


def speed_engine(frames: list[np.ndarray], model: str, detect_every: int = 1) -> dict[str, float]:
    from gesture_ros.perception.engine.extractor import EngineExtractor

    with EngineExtractor(ExtractorOptions(model=model, palm_detect_every=detect_every)) as engine:
        engine.process(frames[0], 0)  # first call: sessions warm up, not counted
        start, cpu0 = time.perf_counter(), time.process_time()
        for i, bgr in enumerate(frames[1:], 1):
            engine.process(bgr, i * 33_333_333)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu0
        figures = engine.figures()
    n = len(frames) - 1
    return {"fps": n / elapsed, "cpu_ms_per_frame": 1e3 * cpu / n, **{k: v for k, v in figures.items()
                                                                     if "detections" in k or "calls" in k}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench engine", description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="hands_pose", choices=("hands", "pose", "hands_pose"))
    parser.add_argument("--stills", type=int, default=8, help="stills per folder of ../shared/data/stills")
    parser.add_argument("--palm-detect-every", dest="detect_every", type=int, default=1)
    parser.add_argument("--floor", action="store_true",
                        help="per clip also: the reference against itself on noisy frames, the engine in its regions")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-agreement", action="store_true")
    args = parser.parse_args(argv)
    data = data_dir()
    report: dict[str, object] = {}
    if not args.skip_agreement:
        clips = Agreement()
        for path in sorted((data / "videos").iterdir()):
            clip = Agreement()
            compare_clip(read_frames(path), args.model, clip, detect_every=args.detect_every)
            print(f"agreement, {args.model}, {path.name}: {json.dumps(clip.summary())}")
            if args.floor:
                frames = read_frames(path)
                floor = reference_noise_floor(frames).summary()
                print(f"  the reference against itself, +-1 grey level of noise: {json.dumps(floor)}")
                differ, errors = pose_given_reference_regions(frames)
                print(f"  engine pose in the reference's tracked regions: presence differs on {differ} of "
                      f"{len(frames)} frames, error median {np.median(errors):.4f} max {np.max(errors):.4f} torso lengths")
            clips.merge(clip)
        stills = Agreement()
        for folder in sorted((data / "stills").iterdir()):
            for path in sorted(folder.glob("*.jpg"))[:args.stills]:
                compare_clip(read_frames(path), args.model, stills, detect_every=args.detect_every)
        report["clips"], report["stills"] = clips.summary(), stills.summary()
        print(f"agreement, {args.model}, clips: {json.dumps(report['clips'])}")
        print(f"agreement, {args.model}, stills ({args.stills} per folder): {json.dumps(report['stills'])}")
    if not args.skip_speed:
        from tools.bench.bare_mediapipe import loop

        frames = read_frames(DEFAULT_VIDEO)
        runs = {"engine": [], "bare concurrent": []}
        for _ in range(2):
            runs["engine"].append(speed_engine(frames, args.model, detect_every=args.detect_every))
            runs["bare concurrent"].append(loop(DEFAULT_VIDEO, "concurrent", args.model))
        for name, arm in runs.items():
            fps = float(np.mean([r["fps"] for r in arm]))
            cpu = float(np.mean([r["cpu_ms_per_frame"] for r in arm]))
            extra = {k: v for k, v in arm[-1].items() if k not in ("fps", "cpu_ms_per_frame", "frames")}
            report[name] = {"fps": fps, "cpu_ms_per_frame": cpu, **extra}
            print(f"{name:16s} {fps:6.1f} frames/s  {cpu:6.1f} ms CPU/frame  {extra}")
        ratio = report["engine"]["fps"] / report["bare concurrent"]["fps"]
        print(f"engine / bare concurrent MediaPipe ({args.model}, {DEFAULT_VIDEO.name}): {ratio:.2f}x frames/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
