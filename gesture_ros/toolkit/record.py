"""Record labelled keypoint sequences into a dataset folder.

    gesture record --label fist --out data/mine --camera 0 --takes 10 --seconds 2
    gesture record --label swipe_left --out data/mine --video clips/*.mp4
    gesture record --label x_cross --out data/mine --topic /keypoints --takes 5   (needs ROS 2)

Camera and video go through the same MediaPipe extractor as keypoint_node; a topic records the
keypoint_node's output as it is. A camera take starts after a countdown (on screen when a
display exists, like the seed tutorial, else in the terminal). Each take is appended to the
dataset (see dataset.py) with per-frame labels from takes.py.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from gesture_ros.common.gestures import kinds_for
from gesture_ros.common.landmarks import KeypointFrame
from gesture_ros.toolkit import backend
from gesture_ros.toolkit.dataset import Dataset, SequenceRecord, new_id
from gesture_ros.toolkit.takes import frame_labels


def save_take(ds: Dataset, frames: list[KeypointFrame], args: argparse.Namespace, source: str) -> bool:
    from gesture_ros.classify.features import SequenceArrays

    if len(frames) < 2:
        print(f"gesture record: take from {source} has {len(frames)} frames; not saved", file=sys.stderr)
        return False
    arrays = SequenceArrays.from_frames(frames)
    span = (frames[-1].stamp_ns - frames[0].stamp_ns) / 1e9
    fps = (len(frames) - 1) / span if span > 0 else 0.0
    labels = frame_labels(frames, args.label, kinds_for([args.label])[args.label])
    rec = SequenceRecord(id=new_id(args.label), label=args.label, person=args.person, session=args.session,
                         source=source, fps=round(fps, 2), model=frames[0].model)
    ds.append(rec, arrays, labels)
    hands = sum(f.has_hand for f in frames)
    print(f"saved {rec.id}: {len(frames)} frames at {fps:.1f} fps, hands in {hands}, pose in "
          f"{sum(f.pose is not None for f in frames)}")
    return True


def from_videos(ds: Dataset, args: argparse.Namespace) -> int:
    from gesture_ros.toolkit.video import VideoError, extract

    saved = 0
    for path in args.video:
        try:
            frames = extract(Path(path), args.model, progress=True)
        except VideoError as exc:
            print(f"gesture record: {exc}; skipped", file=sys.stderr)
            continue
        saved += save_take(ds, frames, args, f"video:{Path(path).name}")
    return saved


def from_camera(ds: Dataset, args: argparse.Namespace) -> int:
    import cv2

    from gesture_ros.perception.extractor import ExtractorOptions
    from gesture_ros.toolkit.backend import open_extractor
    from gesture_ros.toolkit.prompt import Prompter

    cap = cv2.VideoCapture(int(args.camera) if str(args.camera).isdigit() else args.camera)
    if not cap.isOpened():
        print(f"gesture record: camera {args.camera} cannot be opened (unplugged or busy?)", file=sys.stderr)
        return 0
    prompter = Prompter(use_display=None if args.display == "auto" else args.display == "on")
    saved = 0
    try:
        with open_extractor(ExtractorOptions(model=args.model, mirrored_input=args.mirrored)) as ex:
            for take in range(1, args.takes + 1):
                ok, bgr = cap.read()
                prompter.countdown(args.label, take, args.takes, args.countdown, bgr if ok else None)
                frames, t_end = [], time.monotonic() + args.seconds
                while time.monotonic() < t_end:
                    ok, bgr = cap.read()
                    if not ok:
                        print(f"gesture record: camera {args.camera} stopped delivering frames", file=sys.stderr)
                        return saved
                    frames.append(ex.process(bgr, time.monotonic_ns(), "camera"))
                    prompter.recording(args.label, bgr)
                saved += save_take(ds, frames, args, f"camera:{args.camera}")
    finally:
        cap.release()
        prompter.close()
    return saved


def from_topic(ds: Dataset, args: argparse.Namespace) -> int:
    try:
        from gesture_ros.toolkit.keypoint_takes import record_takes
    except ImportError as exc:
        print(f"gesture record: recording a ROS topic needs ROS 2 (rclpy) sourced: {exc}", file=sys.stderr)
        return 0
    saved = 0
    for frames in record_takes(args.topic, args.takes, args.seconds, args.countdown, args.label):
        saved += save_take(ds, frames, args, f"ros:{args.topic}")
    return saved


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="gesture record", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--camera", help="camera index or device path")
    src.add_argument("--video", nargs="+", help="video files (each file is one take)")
    src.add_argument("--topic", help="a live keypoints topic (gesture_ros/Keypoints)")
    ap.add_argument("--label", required=True, help="gesture performed in every take")
    ap.add_argument("--out", type=Path, required=True, help="dataset folder (created or appended to)")
    ap.add_argument("--person", default="unknown", help="who performs (splits keep a person on one side)")
    ap.add_argument("--session", default=time.strftime("%Y%m%d-%H%M"), help="recording session name")
    ap.add_argument("--model", default="hands_pose", choices=("hands", "pose", "holistic", "hands_pose"))
    ap.add_argument("--mirrored", action="store_true", help="the camera image is mirrored (selfie view)")
    ap.add_argument("--takes", type=int, default=10)
    ap.add_argument("--seconds", type=float, default=2.0, help="length of one take")
    ap.add_argument("--countdown", type=int, default=3)
    ap.add_argument("--display", choices=("auto", "on", "off"), default="auto")
    backend.add_option(ap)
    args = ap.parse_args(argv)
    backend.apply(args)
    ds = Dataset(args.out)
    if args.video:
        n = from_videos(ds, args)
    elif args.camera is not None:
        n = from_camera(ds, args)
    else:
        n = from_topic(ds, args)
    print(f"{n} take(s) of '{args.label}' appended to {args.out}")
    return 0 if n else 1


if __name__ == "__main__":
    sys.exit(main())
