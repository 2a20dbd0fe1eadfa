"""QoS by meaning: sensor streams are best effort and shallow, decisions are reliable."""

from rclpy.qos import (
    DurabilityPolicy,
    HistoryPolicy,
    QoSProfile,
    ReliabilityPolicy,
    qos_profile_sensor_data,
)

# Camera images, camera_info, keypoints, markers, annotated images.
SENSOR_QOS = qos_profile_sensor_data

# Gesture events, scores, action records, dispatch commands: never silently dropped.
EVENT_QOS = QoSProfile(
    depth=100,
    history=HistoryPolicy.KEEP_LAST,
    reliability=ReliabilityPolicy.RELIABLE,
    durability=DurabilityPolicy.VOLATILE,
)

# The classifier's keypoints: best effort as published, but deep. Every frame is part of a window, so
# a busy moment (a slow process on a loaded machine, a replay paced by extraction) must not lose the
# frames a 5-deep queue would (measured: 10-12 of 90 in a replay; the events then moved by 0.5 s).
# Keypoints are small; 2 s at 30 fps costs little.
KEYPOINTS_IN_QOS = QoSProfile(
    depth=60,
    history=HistoryPolicy.KEEP_LAST,
    reliability=ReliabilityPolicy.BEST_EFFORT,
    durability=DurabilityPolicy.VOLATILE,
)

# A recorder of sensor streams: compatible with best-effort publishers, but deep, so a busy
# writer does not lose the frames that a 5-deep sensor queue would.
RECORDER_SENSOR_QOS = QoSProfile(
    depth=200,
    history=HistoryPolicy.KEEP_LAST,
    reliability=ReliabilityPolicy.BEST_EFFORT,
    durability=DurabilityPolicy.VOLATILE,
)
