"""Fast DDS settings that image publishers need before rclpy.init()."""

from __future__ import annotations

import os

from gesture_ros.common.paths import resolve_shipped

PROFILE = "config/fastdds_large_frames.xml"
_PROFILE_VARS = ("FASTDDS_DEFAULT_PROFILES_FILE", "FASTRTPS_DEFAULT_PROFILES_FILE")


def use_large_frame_profile() -> str | None:
    """Point Fast DDS at the shipped large-frame profile unless the user chose a profile.

    Call before rclpy.init(). Return the profile path when it was set, else None (another
    RMW, a user profile, or the file is missing). See config/fastdds_large_frames.xml.
    """
    if os.environ.get("RMW_IMPLEMENTATION", "rmw_fastrtps_cpp") != "rmw_fastrtps_cpp":
        return None
    if any(os.environ.get(v) for v in _PROFILE_VARS):
        return None
    path = resolve_shipped(PROFILE)
    if not path.is_file():
        return None
    os.environ["FASTDDS_DEFAULT_PROFILES_FILE"] = str(path)
    return str(path)
