"""camera_node's parameters: one typed table (common/node_params.ParamSpec), read-only where a change
at run time would need the source reopened."""

from __future__ import annotations

from gesture_ros.common.node_params import ParamSpec
from gesture_ros.perception.compressed_codec import DEFAULT_JPEG_QUALITY
from gesture_ros.perception.sources import Pace

PACES = [p.value for p in Pace]

CAMERA_PARAMS: tuple[ParamSpec, ...] = (
    ParamSpec("source", "0", "Device index or /dev/videoN, GStreamer pipeline (contains '!'), video file "
              "(mp4/avi/mkv/gif) or folder of images", read_only=True),
    ParamSpec("frame_id", "camera_optical_frame", "frame_id of image_raw and camera_info"),
    ParamSpec("transport", "raw", "raw: image_raw (sensor_msgs/Image, bgr8); compressed: image_raw/compressed "
              "(sensor_msgs/CompressedImage, JPEG); both: the two, with identical stamps", read_only=True),
    ParamSpec("jpeg_quality", DEFAULT_JPEG_QUALITY, "JPEG quality of image_raw/compressed (higher: larger and "
              "closer to the raw frame)", (1, 100)),
    ParamSpec("width", 0, "Output width in pixels (0: the source's)", (0, 7680), read_only=True),
    ParamSpec("height", 0, "Output height in pixels (0: the source's)", (0, 4320), read_only=True),
    ParamSpec("fps", 0.0, "Device: requested rate; file/folder: replay rate (0: the file's)", (0.0, 240.0),
              read_only=True),
    ParamSpec("loop", False, "Restart a file or folder at its end instead of exiting"),
    ParamSpec("pace", "realtime", f"Recorded sources: {' or '.join(PACES)}"),
    ParamSpec("reconnect_initial_s", 0.5, "First wait before reopening a lost device (doubles per attempt)",
              (0.05, 60.0), read_only=True),
    ParamSpec("reconnect_max_s", 8.0, "Longest wait between reopen attempts", (0.1, 600.0), read_only=True),
    ParamSpec("max_in_flight", 2, "as_fast_as_consumed: frames sent but not yet answered on consumer_topic",
              (1, 16)),
    ParamSpec("consumer_timeout_s", 2.0, "as_fast_as_consumed: send the next frame anyway after this long "
              "without an answer", (0.01, 60.0)),
    ParamSpec("consumer_topic", "keypoints", "as_fast_as_consumed: topic whose header stamps acknowledge "
              "frames", read_only=True),
    # The consumer's type is a parameter: the camera knows only that its answers carry a header.
    ParamSpec("consumer_type", "gesture_ros/msg/Keypoints", "as_fast_as_consumed: type of consumer_topic "
              "(any message with a header)", read_only=True),
    ParamSpec("wait_for_subscribers", 1, "Recorded sources: start once image_raw has this many subscribers "
              "(0: at once)", (0, 64)),
    ParamSpec("linger_s", 0.5, "Recorded sources: keep the node up this long after the last frame so it is "
              "delivered", (0.0, 30.0)),
    ParamSpec("publish_clock", False, "Recorded sources: publish /clock, the replay's time, for nodes run with "
              "use_sim_time (as ros2 bag play --clock)", read_only=True),
    ParamSpec("clock_rate_hz", 20.0, "publish_clock: /clock messages per second between frames (each frame "
              "also sends one)", (1.0, 1000.0), read_only=True),
    ParamSpec("camera_info_url", "", "camera_calibration YAML (file:// or path); empty: a pinhole model from "
              "hfov_deg/fx/fy/cx/cy", read_only=True),
    ParamSpec("hfov_deg", 60.0, "Horizontal field of view for the pinhole model", (1.0, 179.0), read_only=True),
    ParamSpec("fx", 0.0, "Focal length x in pixels (0: from hfov_deg)", (0.0, 1e5), read_only=True),
    ParamSpec("fy", 0.0, "Focal length y in pixels (0: = fx)", (0.0, 1e5), read_only=True),
    ParamSpec("cx", 0.0, "Principal point x in pixels (0: image centre)", (0.0, 1e5), read_only=True),
    ParamSpec("cy", 0.0, "Principal point y in pixels (0: image centre)", (0.0, 1e5), read_only=True),
)
PINHOLE = ("hfov_deg", "fx", "fy", "cx", "cy")
