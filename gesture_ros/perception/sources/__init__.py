"""Frame sources chosen from one SOURCE string: device, GStreamer pipeline, file or folder.

``open_source("0")``, ``open_source("/dev/video2")``, ``open_source("nvarguscamerasrc ! ...
! appsink")``, ``open_source("clip.mp4")``, ``open_source("swipe.gif")``,
``open_source("frames/")``; see SourceKind and parse_source for the rules.
"""

from gesture_ros.perception.sources.base import (
    Frame,
    FrameSource,
    NoCameraError,
    Pace,
    SourceError,
    SourceOptions,
    fit_size,
)
from gesture_ros.perception.sources.factory import (
    SourceKind,
    no_camera_message,
    open_source,
    parse_source,
)

__all__ = [
    "Frame", "FrameSource", "NoCameraError", "Pace", "SourceError", "SourceKind", "SourceOptions",
    "fit_size", "no_camera_message", "open_source", "parse_source",
]
