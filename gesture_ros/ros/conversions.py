"""sensor_msgs/Image and CompressedImage <-> numpy and KeypointFrame <-> gesture_ros/msg/Keypoints.

Incoming images are validated and converted by perception/image_codec alone (clear errors
naming encoding and sizes): a bgr8 image is a view of the message's bytes, any other encoding
is converted once. cv_bridge, when importable (a system ROS 2; the PyPI wheels have none), only
encodes outgoing images: run after image_codec it would copy and convert every frame a second
time. Compressed images (JPEG, PNG) go through perception/compressed_codec only: it checks the
bytes and decodes them once. Keypoints messages are built in bulk: the landmark rows become
Python floats in one call, and the messages skip rosidl's per-field checks where the
installed rosidl has them (``check_fields``, Iron and later; Humble builds them checked).
"""

from __future__ import annotations

import array
import logging

import numpy as np
from builtin_interfaces.msg import Time
from sensor_msgs.msg import CompressedImage, Image
from std_msgs.msg import Header

from gesture_ros.classify.keypoint_check import Refusal, frame_problem
from gesture_ros.common.landmarks import N_FIELDS, KeypointError, KeypointFrame
from gesture_ros.common.safe_text import bounded
from gesture_ros.msg import Keypoints, Landmark
from gesture_ros.perception import compressed_codec, image_codec
from gesture_ros.perception.image_codec import DEFAULT_MAX_PIXELS, ImageFormatError

_log = logging.getLogger(__name__)

try:  # a system ROS 2 ships cv_bridge; the PyPI wheels do not. It encodes outgoing images only.
    from cv_bridge import CvBridge

    _BRIDGE: CvBridge | None = CvBridge()
    BACKEND = "cv_bridge"
except Exception:  # noqa: BLE001 (ImportError, or a broken ROS 1 port failing at import)
    _BRIDGE = None
    BACKEND = "image_codec"
_log.debug("outgoing images encoded by %s", BACKEND)


def stamp_to_ns(stamp: Time) -> int:
    """Return a builtin_interfaces/Time as integer nanoseconds."""
    return int(stamp.sec) * 1_000_000_000 + int(stamp.nanosec)


def ns_to_stamp(ns: int) -> Time:
    """Return integer nanoseconds as a builtin_interfaces/Time."""
    return Time(sec=int(ns // 1_000_000_000), nanosec=int(ns % 1_000_000_000))


def image_to_bgr(msg: Image, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Validate a sensor_msgs/Image and return it as BGR (H, W, 3) uint8 (bgr8: a view of its bytes).

    Raise ImageFormatError naming the encoding and the expected and actual sizes.
    """
    pixels = image_codec.decode(msg.encoding, msg.width, msg.height, msg.step, msg.data,
                                msg.is_bigendian, max_pixels)
    return image_codec.to_bgr(msg.encoding, pixels)


def bgr_to_image(bgr: np.ndarray, header: Header | None = None) -> Image:
    """Return a bgr8 sensor_msgs/Image of a BGR array, with ``header`` copied."""
    if _BRIDGE is not None:
        msg = _BRIDGE.cv2_to_imgmsg(np.ascontiguousarray(bgr), encoding="bgr8")
    else:
        pixels = np.ascontiguousarray(bgr)
        if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3:
            raise ImageFormatError(f"cannot encode a {pixels.dtype} array of shape {pixels.shape} as bgr8 "
                                   "(needs uint8 (H, W, 3))")
        height, width = pixels.shape[:2]
        msg = Image(height=height, width=width, encoding="bgr8", is_bigendian=0, step=width * 3,
                    data=_byte_array(pixels))
    if header is not None:
        msg.header = header
    return msg


def compressed_to_bgr(msg: CompressedImage, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Check and decode a sensor_msgs/CompressedImage (JPEG or PNG) to BGR (H, W, 3) uint8, once.

    Raise ImageFormatError saying in one clause what is wrong with the bytes.
    """
    return compressed_codec.decode(msg.format, msg.data, max_pixels)


def bgr_to_compressed(bgr: np.ndarray, header: Header | None = None,
                      jpeg_quality: int = compressed_codec.DEFAULT_JPEG_QUALITY) -> CompressedImage:
    """Return a JPEG sensor_msgs/CompressedImage of a BGR array, with ``header`` copied."""
    packed = compressed_codec.encode(bgr, compressed_codec.JPEG, jpeg_quality)
    return CompressedImage(header=header if header is not None else Header(), format=packed.format,
                           data=_byte_array(packed.data))


def _byte_array(pixels: np.ndarray) -> array.array:
    """Copy a contiguous uint8 array, once, into the array.array a uint8[] field holds.

    Handing the message bytes instead costs a second copy, and where rosidl checks fields
    (always on Humble) a per-byte range check of ~1 M Python ints per frame.
    """
    out = array.array("B")
    out.frombytes(pixels.reshape(-1).data)
    return out


# rosidl's per-field type checks, skipped where the generated classes can (Iron and later): the
# values come from a float32 array of a known layout.
_UNCHECKED: dict[str, bool] = {"check_fields": False} if "_check_fields" in Landmark.__slots__ else {}


def _landmarks(arr: np.ndarray | None) -> list[Landmark]:
    if arr is None:
        return []
    rows = arr[:, :N_FIELDS].tolist()  # x, y, z, visibility, presence as Python floats, in one call
    return [Landmark(**_UNCHECKED, x=x, y=y, z=z, visibility=v, presence=p) for x, y, z, v, p in rows]


def _array(landmarks: list[Landmark]) -> np.ndarray | None:
    if not landmarks:
        return None
    return np.array([(p.x, p.y, p.z, p.visibility, p.presence) for p in landmarks], dtype=np.float32)


def keypoints_to_msg(frame: KeypointFrame, header: Header | None = None) -> Keypoints:
    """Return the Keypoints message of a frame; ``header`` (the image's) is copied as is."""
    if header is None:
        header = Header(stamp=ns_to_stamp(frame.stamp_ns), frame_id=frame.frame_id)
    return Keypoints(
        **_UNCHECKED, header=header, image_width=int(frame.image_width), image_height=int(frame.image_height),
        model=frame.model, pose=_landmarks(frame.pose), pose_score=float(frame.pose_score),
        left_hand=_landmarks(frame.left_hand), right_hand=_landmarks(frame.right_hand),
        left_hand_score=float(frame.left_hand_score), right_hand_score=float(frame.right_hand_score),
        face=_landmarks(frame.face), person_id=int(frame.person_id),
    )


def msg_to_keypoints(msg: Keypoints) -> KeypointFrame:
    """Return the KeypointFrame of a message; raise KeypointError on a bad part length."""
    return KeypointFrame(
        stamp_ns=stamp_to_ns(msg.header.stamp), frame_id=msg.header.frame_id,
        image_width=msg.image_width, image_height=msg.image_height, model=msg.model,
        pose=_array(msg.pose), left_hand=_array(msg.left_hand), right_hand=_array(msg.right_hand),
        face=_array(msg.face), pose_score=msg.pose_score, left_hand_score=msg.left_hand_score,
        right_hand_score=msg.right_hand_score, person_id=int(msg.person_id),
    )


def checked_keypoints(msg: Keypoints) -> KeypointFrame | Refusal:
    """Return the frame of a Keypoints message, or why it is refused: (kind, sentence)."""
    where = f"keypoints from '{bounded(msg.header.frame_id, 60)}'"
    if msg.header.stamp.nanosec >= 1_000_000_000:
        return "stamp", f"{where} refused: stamp nanosec {msg.header.stamp.nanosec} is out of range"
    try:
        frame = msg_to_keypoints(msg)
    except (KeypointError, ValueError, TypeError) as exc:
        return "layout", f"{where} refused: bad layout ({bounded(exc, 200)})"
    return frame_problem(frame) or frame
