"""Decide what a SOURCE string names and open it."""

from __future__ import annotations

import glob
import re
import time
from enum import Enum
from pathlib import Path

import cv2

from gesture_ros.perception.sources.base import (
    Clock,
    FrameSource,
    NoCameraError,
    Report,
    SourceError,
    SourceOptions,
)
from gesture_ros.perception.sources.live import LiveSource, opencv_has_gstreamer
from gesture_ros.perception.sources.recorded import FolderSource, GifSource, VideoFileSource

_URL = re.compile(r"^(rtsp|rtsps|http|https|udp|tcp)://", re.IGNORECASE)


class SourceKind(str, Enum):
    """What a SOURCE string names."""

    DEVICE = "device"  # "0", "/dev/video0", "/dev/v4l/by-id/..."
    GSTREAMER = "gstreamer"  # a pipeline: contains '!' (e.g. Jetson nvarguscamerasrc ... ! appsink)
    STREAM = "stream"  # rtsp:// or http:// URL
    GIF = "gif"
    VIDEO_FILE = "video_file"
    FOLDER = "folder"


def parse_source(spec: str) -> tuple[SourceKind, str]:
    """Return (kind, normalised target) for a SOURCE string; a bare index N is /dev/videoN."""
    spec = spec.strip()
    if not spec:
        raise SourceError("the source is empty; pass a device (0, /dev/video0), a video file or a folder")
    if spec.isdigit():
        return SourceKind.DEVICE, f"/dev/video{int(spec)}"
    if "!" in spec:
        return SourceKind.GSTREAMER, spec
    if _URL.match(spec):
        return SourceKind.STREAM, spec
    if spec.startswith("/dev/"):
        return SourceKind.DEVICE, spec
    path = Path(spec).expanduser()
    if path.is_dir():
        return SourceKind.FOLDER, str(path)
    if path.suffix.lower() == ".gif":
        return SourceKind.GIF, str(path)
    return SourceKind.VIDEO_FILE, str(path)


def no_camera_message(device: str) -> str:
    """Return the one sentence said when the camera asked for is not there."""
    present = sorted(glob.glob("/dev/video*"))
    found = f"this machine has {', '.join(present)}" if present else "this machine has no /dev/video* camera"
    return (f"No camera at {device} ({found}); to use a recorded clip instead pass a video file, "
            f"GIF or image folder, e.g. make run SOURCE=path/to/clip.mp4 (or -p source:=path/to/clip.mp4).")


def open_source(spec: str, options: SourceOptions | None = None, clock_ns: Clock = time.time_ns,
                report: Report | None = None) -> FrameSource:
    """Open the source a SOURCE string names; raise SourceError (NoCameraError) in one sentence."""
    options = options or SourceOptions()
    kind, target = parse_source(spec)
    common = dict(options=options, clock_ns=clock_ns, report=report)
    if kind == SourceKind.DEVICE:
        if not Path(target).exists():
            raise NoCameraError(no_camera_message(target))
        return LiveSource(target, cv2.CAP_V4L2, f"camera {target}", **common)
    if kind == SourceKind.GSTREAMER:
        if not opencv_has_gstreamer():
            raise SourceError("this OpenCV was built without GStreamer, so it cannot open the pipeline "
                              f"'{target}'; use the system OpenCV (JetPack) or a V4L2 device")
        return LiveSource(target, cv2.CAP_GSTREAMER, f"GStreamer pipeline '{target}'", **common)
    if kind == SourceKind.STREAM:
        return LiveSource(target, cv2.CAP_FFMPEG, f"stream {target}", **common)
    path = Path(target)
    if not path.exists():
        raise SourceError(f"the source {path} does not exist (expected a device, video file, GIF or folder)")
    if kind == SourceKind.FOLDER:
        return FolderSource(path, **common)
    if kind == SourceKind.GIF:
        try:
            return GifSource(path, **common)
        except ImportError:  # no Pillow: OpenCV reads GIFs too, at one frame rate
            return VideoFileSource(path, **common)
    return VideoFileSource(path, **common)
