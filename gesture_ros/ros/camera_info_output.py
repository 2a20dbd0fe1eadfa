"""camera_node's camera_info: the calibration scaled to each frame's size, else a pinhole model."""

from __future__ import annotations

from rclpy.node import Node
from sensor_msgs.msg import CameraInfo
from std_msgs.msg import Header

from gesture_ros.perception.camera_info import CameraIntrinsics, pinhole
from gesture_ros.ros.qos import SENSOR_QOS


class CameraInfoOutput:
    """Publish the intrinsics of a frame with the frame's header (computed again when the size changes)."""

    def __init__(self, node: Node, pinhole_params: dict) -> None:
        self.info_pub = node.create_publisher(CameraInfo, "camera_info", SENSOR_QOS)
        self._pinhole = dict(pinhole_params)
        self.calibration: CameraIntrinsics | None = None  # set at configure (camera_info_url)
        self._intrinsics: CameraIntrinsics | None = None

    def publish(self, header: Header, size: tuple[int, int]) -> None:
        self.info_pub.publish(self.message(header, size))

    def message(self, header: Header, size: tuple[int, int]) -> CameraInfo:
        if self._intrinsics is None or (self._intrinsics.width, self._intrinsics.height) != size:
            self._intrinsics = self.calibration.scaled(*size) if self.calibration else pinhole(*size, **self._pinhole)
        i = self._intrinsics
        return CameraInfo(header=header, width=i.width, height=i.height, distortion_model=i.distortion_model,
                          d=i.d, k=i.k, r=i.r, p=i.p)
