"""Build test clips from the shared ones (never committed): other sizes and frame rates."""

from __future__ import annotations

from pathlib import Path

import cv2

from gesture_ros.perception.sources import Pace, SourceOptions, open_source


def rescaled_clip(source: Path, target: Path, size: tuple[int, int] = (1280, 720), fps: int = 100,
                  max_frames: int | None = None) -> tuple[Path, int]:
    """Write ``source`` at ``size`` and ``fps`` (MJPG), each frame repeated for its own duration.

    The motion keeps its real-time speed: a 15 fps GIF at 100 fps shows each frame about 7
    times, as a fast camera filming a slow screen would. ``max_frames`` cuts the clip short.
    Return the clip and its frame count.
    """
    writer = cv2.VideoWriter(str(target), cv2.VideoWriter_fourcc(*"MJPG"), fps, size)
    written = 0
    with open_source(str(source), SourceOptions(pace=Pace.AS_FAST_AS_CONSUMED), clock_ns=lambda: 0) as clip:
        while (frame := clip.read()) is not None:
            image = cv2.resize(frame.image, size, interpolation=cv2.INTER_CUBIC)
            end = round(clip.next_stamp_ns * fps / 1e9)  # this frame lasts until the next one's stamp
            while written < end and (max_frames is None or written < max_frames):
                writer.write(image)
                written += 1
    writer.release()
    return target, written
