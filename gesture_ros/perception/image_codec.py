"""Convert raw image buffers (sensor_msgs/Image layout) to and from numpy, without ROS.

Encodings follow ``sensor_msgs/image_encodings``: ``bgr8``, ``rgb8``, ``mono8``, ``bgra8``,
``rgba8`` and the packed 4:2:2 formats. As in cv_bridge and usb_cam, ``yuv422`` is the
deprecated name of ``uyvy`` (U Y0 V Y1) and ``yuv422_yuy2`` the one of ``yuyv`` (Y0 U Y1 V).
Rows may be padded (``step`` > width * bytes per pixel); decoding never copies the buffer
until a colour conversion needs to.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Union

import cv2
import numpy as np

from gesture_ros.common.safe_text import bounded

Buffer = Union[bytes, bytearray, memoryview, np.ndarray, "array"]  # noqa: F821 (array.array)

# Above this many pixels an image is rejected as "huge" (8K UHD is 33 Mpx).
DEFAULT_MAX_PIXELS = 40_000_000


class Encoding(str, Enum):
    """Pixel layouts this codec reads; values are the sensor_msgs encoding strings."""

    BGR8 = "bgr8"
    RGB8 = "rgb8"
    MONO8 = "mono8"
    BGRA8 = "bgra8"
    RGBA8 = "rgba8"
    UYVY = "uyvy"
    YUV422 = "yuv422"  # = uyvy
    YUYV = "yuyv"
    YUV422_YUY2 = "yuv422_yuy2"  # = yuyv


# bytes per pixel (packed 4:2:2 formats: 2 bytes per pixel, width must be even)
BYTES_PER_PIXEL = {
    Encoding.BGR8: 3, Encoding.RGB8: 3, Encoding.MONO8: 1, Encoding.BGRA8: 4, Encoding.RGBA8: 4,
    Encoding.UYVY: 2, Encoding.YUV422: 2, Encoding.YUYV: 2, Encoding.YUV422_YUY2: 2,
}
_UYVY = (Encoding.UYVY, Encoding.YUV422)
_YUYV = (Encoding.YUYV, Encoding.YUV422_YUY2)
_TO_BGR = {
    Encoding.RGB8: cv2.COLOR_RGB2BGR, Encoding.MONO8: cv2.COLOR_GRAY2BGR,
    Encoding.BGRA8: cv2.COLOR_BGRA2BGR, Encoding.RGBA8: cv2.COLOR_RGBA2BGR,
    Encoding.UYVY: cv2.COLOR_YUV2BGR_UYVY, Encoding.YUV422: cv2.COLOR_YUV2BGR_UYVY,
    Encoding.YUYV: cv2.COLOR_YUV2BGR_YUY2, Encoding.YUV422_YUY2: cv2.COLOR_YUV2BGR_YUY2,
}
_TO_RGB = {
    Encoding.BGR8: cv2.COLOR_BGR2RGB, Encoding.MONO8: cv2.COLOR_GRAY2RGB,
    Encoding.BGRA8: cv2.COLOR_BGRA2RGB, Encoding.RGBA8: cv2.COLOR_RGBA2RGB,
    Encoding.UYVY: cv2.COLOR_YUV2RGB_UYVY, Encoding.YUV422: cv2.COLOR_YUV2RGB_UYVY,
    Encoding.YUYV: cv2.COLOR_YUV2RGB_YUY2, Encoding.YUV422_YUY2: cv2.COLOR_YUV2RGB_YUY2,
}
SUPPORTED = ", ".join(e.value for e in Encoding)


class ImageFormatError(ValueError):
    """An image whose encoding, size, step or data length cannot be decoded.

    ``kind`` names the rule it broke (encoding, empty, huge, endianness, width, step, data size):
    the key a node throttles its log line and counts its diagnostics by.
    """

    def __init__(self, message: str, kind: str = "format") -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class RawImage:
    """An image buffer in sensor_msgs/Image layout."""

    width: int
    height: int
    encoding: str
    step: int
    data: bytes
    is_bigendian: int = 0


def parse_encoding(encoding: str) -> Encoding:
    """Return the Encoding for a sensor_msgs encoding string, or raise ImageFormatError."""
    try:
        return Encoding(encoding.lower())
    except ValueError:
        raise ImageFormatError(
            f"unsupported image encoding '{bounded(encoding, 40)}' (supported: {SUPPORTED})", "encoding"
        ) from None


def decode(encoding: str, width: int, height: int, step: int, data: Buffer, is_bigendian: int = 0,
           max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Return a view of ``data`` as (H, W, C) uint8, (H, W) for mono8, (H, W, 2) for 4:2:2.

    Raise ImageFormatError naming the encoding and the expected and actual sizes.
    """
    enc = parse_encoding(encoding)
    bpp = BYTES_PER_PIXEL[enc]
    where = f"{enc.value} {width}x{height}"
    if width <= 0 or height <= 0:
        raise ImageFormatError(f"empty image: {where} has no pixels", "empty")
    if width * height > max_pixels:
        raise ImageFormatError(f"huge image: {where} has {width * height} pixels, the limit is {max_pixels}", "huge")
    if is_bigendian not in (0, 1, False, True):
        raise ImageFormatError(f"{where}: is_bigendian is {is_bigendian}, expected 0 or 1", "endianness")
    if bpp == 2 and width % 2:
        raise ImageFormatError(f"{where}: packed 4:2:2 images need an even width", "width")
    row = width * bpp
    if step < row:
        raise ImageFormatError(f"{where}: step is {step} bytes, expected at least {row} (width * {bpp})", "step")
    buf = np.frombuffer(data, dtype=np.uint8) if not isinstance(data, np.ndarray) else data.reshape(-1)
    if buf.size != step * height:
        raise ImageFormatError(
            f"{where}: data has {buf.size} bytes, expected {step * height} (step {step} * height {height})",
            "data size")
    rows = buf.reshape(height, step)[:, :row]
    if enc == Encoding.MONO8:
        return rows
    return rows.reshape(height, width, bpp)


def to_bgr(encoding: str, pixels: np.ndarray) -> np.ndarray:
    """Convert an array returned by decode() to BGR (H, W, 3); bgr8 is returned as is."""
    enc = parse_encoding(encoding)
    if enc == Encoding.BGR8:
        return pixels
    return cv2.cvtColor(np.ascontiguousarray(pixels), _TO_BGR[enc])


def to_rgb(encoding: str, pixels: np.ndarray) -> np.ndarray:
    """Convert an array returned by decode() to RGB (H, W, 3); rgb8 is returned as is."""
    enc = parse_encoding(encoding)
    if enc == Encoding.RGB8:
        return pixels
    return cv2.cvtColor(np.ascontiguousarray(pixels), _TO_RGB[enc])


def image_to_bgr(image: RawImage, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Validate and decode a raw image to BGR."""
    pixels = decode(image.encoding, image.width, image.height, image.step, image.data,
                    image.is_bigendian, max_pixels)
    return to_bgr(image.encoding, pixels)


def encode(pixels: np.ndarray, encoding: str = "bgr8", step: int | None = None) -> RawImage:
    """Pack an array into a RawImage of ``encoding``; ``step`` > row size pads each row.

    The array must already be in the layout of ``encoding`` (H, W, C), except that a BGR
    array is converted when ``encoding`` is a packed 4:2:2 format.
    """
    enc = parse_encoding(encoding)
    bpp = BYTES_PER_PIXEL[enc]
    if bpp == 2 and pixels.ndim == 3 and pixels.shape[2] == 3:
        pixels = cv2.cvtColor(np.ascontiguousarray(pixels), cv2.COLOR_BGR2YUV_UYVY if enc in _UYVY
                              else cv2.COLOR_BGR2YUV_YUY2)
    height, width = pixels.shape[:2]
    channels = 1 if pixels.ndim == 2 else pixels.shape[2]
    if pixels.dtype != np.uint8 or channels != bpp:
        raise ImageFormatError(
            f"cannot encode a {pixels.dtype} array of shape {pixels.shape} as {enc.value} "
            f"(needs uint8 with {bpp} channel(s))"
        )
    row = width * bpp
    step = row if step is None else step
    if step < row:
        raise ImageFormatError(f"{enc.value} {width}x{height}: step {step} is below the row size {row}")
    flat = np.ascontiguousarray(pixels).reshape(height, row)
    if step > row:
        padded = np.zeros((height, step), dtype=np.uint8)
        padded[:, :row] = flat
        flat = padded
    return RawImage(width=width, height=height, encoding=enc.value, step=step, data=flat.tobytes())
