"""Images raw (``topic``, sensor_msgs/Image) or compressed (``topic/compressed``, CompressedImage), as image_transport names them.

The compressed topic follows the resolved (namespaced, remapped) raw name, as image_transport's
plugins do: ``image_raw:=/usb_cam/image_raw`` makes it ``/usb_cam/image_raw/compressed``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from rclpy.node import Node
from rclpy.qos import QoSProfile
from sensor_msgs.msg import CompressedImage, Image
from std_msgs.msg import Header

from gesture_ros.common.stats import StageTimer
from gesture_ros.perception.compressed_codec import (
    DEFAULT_JPEG_QUALITY,
    PUBLISH_TRANSPORTS,
    TRANSPORTS,
    check_transport,
)
from gesture_ros.ros import conversions

Decoder = Callable[[object, int], np.ndarray]  # (message, max_pixels) -> BGR


def compressed_topic(node: Node, topic: str) -> str:
    return f"{node.resolve_topic_name(topic)}/compressed"


def subscribe_image(node: Node, topic: str, transport: str, callback, qos: QoSProfile):
    """Subscribe ``topic`` raw or ``topic/compressed``; return the subscription and its messages' decoder."""
    if check_transport("image_transport", transport, TRANSPORTS) == "raw":
        return node.create_subscription(Image, topic, callback, qos), conversions.image_to_bgr
    return (node.create_subscription(CompressedImage, compressed_topic(node, topic), callback, qos),
            conversions.compressed_to_bgr)


class ImageOut:
    """Publish BGR frames raw, JPEG-compressed or both, every message with the one header given.

    ``lazy``: convert and publish on a topic only while someone subscribes to it (views such as the
    annotated image); else always (a camera).
    """

    def __init__(self, node: Node, topic: str, transport: str, qos: QoSProfile, lazy: bool = False,
                 jpeg_quality: int = DEFAULT_JPEG_QUALITY) -> None:
        check_transport("transport", transport, PUBLISH_TRANSPORTS)
        self.lazy, self.jpeg_quality = lazy, jpeg_quality
        self.raw = node.create_publisher(Image, topic, qos) if transport != "compressed" else None
        self.compressed = (node.create_publisher(CompressedImage, compressed_topic(node, topic), qos)
                           if transport != "raw" else None)
        self.publishers = [p for p in (self.raw, self.compressed) if p is not None]

    @property
    def topic_names(self) -> str:
        return " and ".join(p.topic_name for p in self.publishers)

    def subscribers(self) -> int:
        """Return the subscriptions on all its topics together."""
        return sum(p.get_subscription_count() for p in self.publishers)

    def _wanted(self, publisher) -> bool:
        return publisher is not None and (not self.lazy or publisher.get_subscription_count() > 0)

    def publish(self, bgr: np.ndarray, header: Header, timer: StageTimer | None = None) -> None:
        """Convert (stages ``convert``, ``compress``) and publish (``publish``) one frame."""
        timer = timer or StageTimer()
        out = []
        if self._wanted(self.raw):
            with timer.stage("convert"):
                out.append((self.raw, conversions.bgr_to_image(bgr, header)))
        if self._wanted(self.compressed):
            with timer.stage("compress"):
                out.append((self.compressed, conversions.bgr_to_compressed(bgr, header, self.jpeg_quality)))
        with timer.stage("publish"):
            for publisher, msg in out:
                publisher.publish(msg)
