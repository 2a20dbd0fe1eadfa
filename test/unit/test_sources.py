"""Frame sources on files, GIFs and folders the test writes; device errors; end and loop."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from gesture_ros.perception.sources import (
    NoCameraError,
    Pace,
    SourceError,
    SourceKind,
    SourceOptions,
    open_source,
    parse_source,
)
from gesture_ros.perception.sources.live import LiveSource

START_NS = 1_700_000_000_000_000_000
FAST = dict(pace=Pace.AS_FAST_AS_CONSUMED)


def clock() -> int:
    return START_NS


def shade(i: int) -> np.ndarray:
    """A 48x64 frame whose brightness encodes its index."""
    return np.full((48, 64, 3), 20 + 20 * i, dtype=np.uint8)


def index_of(image: np.ndarray) -> int:
    return int(round((float(image.mean()) - 20) / 20))


def write_video(path: Path, n: int, fps: float, fourcc: str) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, (64, 48))
    assert writer.isOpened(), f"OpenCV cannot write {path}"
    for i in range(n):
        writer.write(shade(i))
    writer.release()
    return path


def write_gif(path: Path, durations_ms) -> Path:
    frames = [Image.fromarray(shade(i)[:, :, ::-1]) for i in range(len(durations_ms))]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=list(durations_ms), loop=0)
    return path


@pytest.mark.parametrize("spec,kind,target", [
    ("0", SourceKind.DEVICE, "/dev/video0"),
    ("12", SourceKind.DEVICE, "/dev/video12"),
    ("/dev/video3", SourceKind.DEVICE, "/dev/video3"),
    ("nvarguscamerasrc ! nvvidconv ! appsink", SourceKind.GSTREAMER, "nvarguscamerasrc ! nvvidconv ! appsink"),
    ("rtsp://127.0.0.1:8554/cam", SourceKind.STREAM, "rtsp://127.0.0.1:8554/cam"),
    ("clip.GIF", SourceKind.GIF, "clip.GIF"),
    ("clip.mp4", SourceKind.VIDEO_FILE, "clip.mp4"),
])
def test_parse_source(spec, kind, target):
    assert parse_source(spec) == (kind, target)


def test_folder_is_recognised(tmp_path):
    assert parse_source(str(tmp_path)) == (SourceKind.FOLDER, str(tmp_path))


def test_missing_camera_says_so_in_one_sentence():
    with pytest.raises(NoCameraError) as info:
        open_source("97")
    text = str(info.value)
    assert text.startswith("No camera at /dev/video97") and "SOURCE=" in text and "\n" not in text


@pytest.mark.parametrize("spec,words", [("", "empty"), ("/nonexistent/clip.mp4", "does not exist")])
def test_bad_source_strings(spec, words):
    with pytest.raises(SourceError, match=words):
        open_source(spec)


def test_damaged_video_file(tmp_path):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video at all")
    with pytest.raises(SourceError, match="cannot open the video file"):
        open_source(str(bad))


@pytest.mark.parametrize("suffix,fourcc", [(".mp4", "mp4v"), (".avi", "MJPG")])
def test_video_file_frames_and_stamps(tmp_path, suffix, fourcc):
    path = write_video(tmp_path / f"clip{suffix}", n=10, fps=20.0, fourcc=fourcc)
    with open_source(str(path), SourceOptions(**FAST), clock_ns=clock) as source:
        frames = list(source)
    assert [index_of(f.image) for f in frames] == list(range(10))
    assert [f.index for f in frames] == list(range(10))
    assert [f.stamp_ns for f in frames] == [START_NS + i * 50_000_000 for i in range(10)]


def test_end_of_file_then_none_and_loop_keeps_counting(tmp_path):
    path = write_video(tmp_path / "clip.mp4", n=4, fps=10.0, fourcc="mp4v")
    with open_source(str(path), SourceOptions(**FAST), clock_ns=clock) as source:
        assert len(list(source)) == 4
        assert source.read() is None
    with open_source(str(path), SourceOptions(loop=True, **FAST), clock_ns=clock) as source:
        frames = [source.read() for _ in range(10)]
    assert [index_of(f.image) for f in frames] == [0, 1, 2, 3, 0, 1, 2, 3, 0, 1]
    assert [f.stamp_ns for f in frames] == [START_NS + i * 100_000_000 for i in range(10)]


def test_fps_option_overrides_the_file_rate_and_size_is_fitted(tmp_path):
    path = write_video(tmp_path / "clip.mp4", n=3, fps=10.0, fourcc="mp4v")
    options = SourceOptions(fps=50.0, width=32, **FAST)
    with open_source(str(path), options, clock_ns=clock) as source:
        frames = list(source)
    assert [f.stamp_ns - START_NS for f in frames] == [0, 20_000_000, 40_000_000]
    assert frames[0].image.shape == (24, 32, 3)


def test_gif_keeps_per_frame_durations(tmp_path):
    path = write_gif(tmp_path / "anim.gif", [50, 100, 150, 70])
    with open_source(str(path), SourceOptions(**FAST), clock_ns=clock) as source:
        frames = list(source)
    assert [index_of(f.image) for f in frames] == [0, 1, 2, 3]
    assert [f.stamp_ns - START_NS for f in frames] == [0, 50_000_000, 150_000_000, 300_000_000]


def test_realtime_pace_gives_the_same_stamps(tmp_path):
    path = write_gif(tmp_path / "anim.gif", [20, 30, 20])
    with open_source(str(path), SourceOptions(pace=Pace.REALTIME), clock_ns=clock) as source:
        stamps = [f.stamp_ns - START_NS for f in source]
    assert stamps == [0, 20_000_000, 50_000_000]


def test_folder_in_name_order_skipping_unreadable_files(tmp_path):
    for i in (2, 0, 1):
        cv2.imwrite(str(tmp_path / f"frame_{i:03d}.png"), shade(i))
    (tmp_path / "frame_001b.jpg").write_bytes(b"broken")
    (tmp_path / "notes.txt").write_text("not an image")
    reports = []
    options = SourceOptions(folder_fps=4.0, **FAST)
    with open_source(str(tmp_path), options, clock_ns=clock, report=reports.append) as source:
        frames = list(source)
    assert [index_of(f.image) for f in frames] == [0, 1, 2]
    assert [f.stamp_ns - START_NS for f in frames] == [0, 250_000_000, 500_000_000]
    assert len(reports) == 1 and "frame_001b.jpg" in reports[0]


def test_empty_folder(tmp_path):
    with pytest.raises(SourceError, match="holds no images"):
        open_source(str(tmp_path))


def test_close_interrupts_a_paced_wait(tmp_path):
    """A realtime read waiting 500 s for its frame's time returns None once another thread closes the source."""
    for i in range(2):
        cv2.imwrite(str(tmp_path / f"frame_{i}.png"), shade(i))
    source = open_source(str(tmp_path), SourceOptions(pace=Pace.REALTIME, folder_fps=0.002), clock_ns=clock)
    assert source.read() is not None  # the first frame goes at once
    result = []
    reader = threading.Thread(target=lambda: result.append(source.read()))
    reader.start()
    deadline = time.monotonic() + 30
    while not source.waiting and time.monotonic() < deadline:  # the second frame is read ...
        time.sleep(0.01)
    assert source.waiting and reader.is_alive() and not result  # ... and its read waits for the frame's time
    source.close()
    reader.join(60)
    assert not reader.is_alive() and result == [None]
    assert source.read() is None


def test_lost_live_source_is_reopened_and_frames_resume(tmp_path):
    """A capture that stops delivering is released and reopened; frames resume."""
    path = write_video(tmp_path / "clip.mp4", n=3, fps=10.0, fourcc="mp4v")
    reports = []
    options = SourceOptions(reconnect_initial_s=0.01, reconnect_max_s=0.02)
    source = LiveSource(str(path), cv2.CAP_FFMPEG, "test camera", options, report=reports.append)
    try:
        indices = [index_of(source.read().image) for _ in range(5)]
    finally:
        source.close()
    assert indices == [0, 1, 2, 0, 1]
    assert source.reconnects == 1
    assert "test camera delivers no frames; reopening in 0.0 s (attempt 1)" in reports[0]
    assert "test camera is back" in reports[-1]
    assert source.read() is None


def test_reopen_waits_double_up_to_the_limit(tmp_path):
    """While a lost device cannot be reopened, each wait is twice the last, capped at reconnect_max_s."""
    path = write_video(tmp_path / "clip.mp4", n=3, fps=10.0, fourcc="mp4v")
    away = tmp_path / "unplugged.mp4"
    reports = []

    def report(line: str) -> None:
        reports.append(line)
        if "(attempt 5)" in line:
            away.rename(path)  # plugged in again: the fifth attempt reopens it

    options = SourceOptions(reconnect_initial_s=0.1, reconnect_max_s=0.4)
    source = LiveSource(str(path), cv2.CAP_FFMPEG, "test camera", options, report=report)
    try:
        assert [index_of(source.read().image) for _ in range(3)] == [0, 1, 2]
        path.rename(away)  # unplugged: reopening fails until it is back
        assert index_of(source.read().image) == 0
    finally:
        source.close()
    waits = [float(line.split("reopening in ")[1].split(" s")[0]) for line in reports if "reopening in" in line]
    assert waits == [0.1, 0.2, 0.4, 0.4, 0.4]
    assert source.reconnects == 1 and "test camera is back" in reports[-1]
