"""ROS conversions: sensor_msgs/Image <-> numpy, KeypointFrame <-> Keypoints, skeleton markers."""

from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("rclpy")

from builtin_interfaces.msg import Time
from gesture_ros.msg import Keypoints, Landmark
from rclpy.serialization import deserialize_message, serialize_message
from sensor_msgs.msg import Image
from std_msgs.msg import Header
from visualization_msgs.msg import Marker

from gesture_ros.common.landmarks import (
    Field,
    HandLandmark,
    KeypointError,
    KeypointFrame,
    empty_landmarks,
)
from gesture_ros.common.skeleton import ImagePlane, draw_skeleton
from gesture_ros.perception import image_codec
from gesture_ros.perception.image_codec import ImageFormatError
from gesture_ros.ros import conversions
from gesture_ros.ros.markers import skeleton_markers

RNG = np.random.default_rng(3)
BGR = RNG.integers(0, 256, size=(10, 12, 3), dtype=np.uint8)
HEADER = Header(stamp=Time(sec=1_700_000_123, nanosec=456_789_012), frame_id="cam_optical")


def image_msg(raw: image_codec.RawImage) -> Image:
    return Image(header=HEADER, height=raw.height, width=raw.width, encoding=raw.encoding,
                 is_bigendian=raw.is_bigendian, step=raw.step, data=raw.data)


def test_backend_is_reported():
    assert conversions.BACKEND in ("cv_bridge", "image_codec")


def test_bgr_image_round_trip_keeps_header():
    msg = conversions.bgr_to_image(BGR, HEADER)
    assert (msg.encoding, msg.width, msg.height, msg.step) == ("bgr8", 12, 10, 36)
    assert msg.header == HEADER
    np.testing.assert_array_equal(conversions.image_to_bgr(msg), BGR)


def test_a_bgr8_image_is_read_in_place_not_copied():
    msg = conversions.bgr_to_image(BGR, HEADER)
    bgr = conversions.image_to_bgr(msg)  # decoded once: a view of the message's bytes
    assert np.shares_memory(bgr, np.frombuffer(msg.data, np.uint8))


@pytest.mark.parametrize("encoding,pixels", [
    ("rgb8", BGR[:, :, ::-1]), ("bgra8", np.dstack([BGR, BGR[:, :, 0]])),
    ("rgba8", np.dstack([BGR[:, :, ::-1], BGR[:, :, 0]])),
])
def test_colour_encodings_with_padding(encoding, pixels):
    raw = image_codec.encode(pixels, encoding, step=pixels.shape[1] * pixels.shape[2] + 4)
    np.testing.assert_array_equal(conversions.image_to_bgr(image_msg(raw)), BGR)


def test_mono_and_yuv_messages_decode():
    gray = BGR[:, :, 1].copy()
    mono = conversions.image_to_bgr(image_msg(image_codec.encode(gray, "mono8")))
    np.testing.assert_array_equal(mono[:, :, 2], gray)
    for encoding in ("yuv422", "yuv422_yuy2"):
        out = conversions.image_to_bgr(image_msg(image_codec.encode(BGR, encoding)))
        assert out.shape == BGR.shape


@pytest.mark.parametrize("change,words", [
    (dict(encoding="16UC1"), "unsupported image encoding '16UC1'"),
    (dict(step=20), "step is 20 bytes, expected at least 36"),
    (dict(data=bytes(35)), "data has 35 bytes, expected 360"),
    (dict(width=0, height=0, step=0, data=b""), "empty image"),
])
def test_bad_image_messages(change, words):
    msg = conversions.bgr_to_image(BGR, HEADER)
    for key, value in change.items():
        setattr(msg, key, value)
    with pytest.raises(ImageFormatError, match=words):
        conversions.image_to_bgr(msg)


def hand(offset: float) -> np.ndarray:
    arr = empty_landmarks(21)
    arr[:, Field.X] = np.linspace(0.2, 0.4, 21) + offset
    arr[:, Field.Y] = np.linspace(0.3, 0.6, 21)
    arr[:, Field.Z] = -0.01
    return arr


def test_keypoints_round_trip_preserves_nan_and_header():
    pose = empty_landmarks(33)
    pose[:, Field.X] = 0.5
    pose[:, Field.VISIBILITY] = 0.9
    frame = KeypointFrame(stamp_ns=1, frame_id="x", image_width=640, image_height=360, model="m/1",
                          pose=pose, left_hand=hand(0.0), left_hand_score=0.97)
    msg = conversions.keypoints_to_msg(frame, HEADER)
    assert msg.header == HEADER and len(msg.right_hand) == 0 and len(msg.face) == 0
    assert math.isnan(msg.left_hand[0].visibility) and math.isnan(msg.pose[0].presence)
    wire = deserialize_message(serialize_message(msg), Keypoints)  # built in bulk, published as any message
    assert wire.left_hand[3].x == msg.left_hand[3].x and len(wire.pose) == 33 and wire.header == HEADER
    back = conversions.msg_to_keypoints(wire)
    assert back.stamp_ns == 1_700_000_123_456_789_012 and back.frame_id == "cam_optical"
    assert back.right_hand is None and back.face is None
    np.testing.assert_array_equal(back.left_hand, frame.left_hand)  # NaN == NaN for assert_array_equal
    np.testing.assert_array_equal(back.pose, frame.pose)
    assert back.left_hand_score == pytest.approx(0.97)
    assert (back.image_width, back.image_height, back.model) == (640, 360, "m/1")


def test_header_from_the_frame_when_none_is_given():
    msg = conversions.keypoints_to_msg(KeypointFrame(stamp_ns=3_000_000_007, frame_id="f"))
    assert (msg.header.stamp.sec, msg.header.stamp.nanosec, msg.header.frame_id) == (3, 7, "f")


def test_a_message_with_a_bad_part_length_is_refused():
    msg = Keypoints(header=HEADER, left_hand=[Landmark() for _ in range(20)])
    with pytest.raises(KeypointError, match=r"left_hand has shape \(20, 5\)"):
        conversions.msg_to_keypoints(msg)


def test_markers_lie_in_the_camera_frame_on_the_plane():
    frame = KeypointFrame(stamp_ns=1, image_width=640, image_height=360, right_hand=hand(0.3))
    frame.right_hand[HandLandmark.PINKY_TIP, Field.X] = np.nan  # a lost landmark drops its bone and joint
    markers = skeleton_markers(frame, HEADER, ImagePlane(depth_m=2.0, hfov_deg=90.0)).markers
    assert markers[0].action == Marker.DELETEALL
    bones = next(m for m in markers if m.ns == "right_hand/bones")
    joints = next(m for m in markers if m.ns == "right_hand/joints")
    assert all(m.header == HEADER for m in markers)
    assert bones.type == Marker.LINE_LIST and len(bones.points) == 2 * 20
    assert joints.type == Marker.SPHERE_LIST and len(joints.points) == 20
    span = 2 * 2.0 * math.tan(math.radians(45))  # 4 m wide at 2 m
    wrist = joints.points[HandLandmark.WRIST]
    assert wrist.x == pytest.approx((0.5 - 0.5) * span)
    assert wrist.y == pytest.approx((0.3 - 0.5) * span * 360 / 640)
    assert wrist.z == pytest.approx(2.0 - 0.01 * span, abs=1e-6)


def test_annotated_image_draws_the_skeleton():
    image = np.zeros((100, 200, 3), np.uint8)
    frame = KeypointFrame(stamp_ns=1, image_width=200, image_height=100, left_hand=hand(0.0))
    drawn = draw_skeleton(image, frame)
    assert image.sum() == 0 and drawn.shape == image.shape
    wrist = hand(0.0)[HandLandmark.WRIST]
    x, y = int(round(wrist[Field.X] * 200)), int(round(wrist[Field.Y] * 100))
    assert drawn[y, x].sum() > 0
