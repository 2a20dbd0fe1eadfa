"""JPEG and PNG bytes (sensor_msgs/CompressedImage layout) to and from BGR numpy arrays, without ROS.

The ``format`` string is image_transport's compressed plugin's: ``"bgr8; jpeg compressed bgr8"``.
Decoding reads the codec from the bytes' signature (the format string only has to not be another
transport's, such as compressedDepth), checks what can be checked without decoding (the pixel count
from the JPEG frame header or PNG IHDR, so a decompression bomb is refused before it is allocated;
the end marker, so a truncated image is refused), then decodes once with cv2.imdecode. Damage
inside a JPEG's entropy-coded data is not detectable without decoding: libjpeg decodes it as a
damaged picture (and warns on stderr), as image_transport's decoder does. Every refusal is an
ImageFormatError whose message is one clause for the node's log line, and whose ``kind`` (the
node's throttle key and diagnostics figure) names the codec where there is one: ``corrupt jpeg``.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from gesture_ros.common.safe_text import bounded
from gesture_ros.perception.image_codec import DEFAULT_MAX_PIXELS, Buffer, ImageFormatError

JPEG, PNG = "jpeg", "png"
SIGNATURES = {JPEG: b"\xff\xd8\xff", PNG: b"\x89PNG\r\n\x1a\n"}
TRANSPORTS = ("raw", "compressed")  # what a subscriber reads
PUBLISH_TRANSPORTS = ("raw", "compressed", "both")  # what a publisher offers
DEFAULT_JPEG_QUALITY = 90
PNG_LEVEL = 3  # zlib level: OpenCV's default, fast with most of the gain
# JPEG start-of-frame markers (the frame header holds the size): C0-CF but DHT, JPG and DAC.
_SOF = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_PNG_END = b"IEND\xaeB`\x82"  # the IEND chunk's type and CRC
_CV_LOG_ERROR = 2  # cv::utils::logging::LOG_LEVEL_ERROR
_STANDALONE = {0x01, *range(0xD0, 0xD9)}  # markers without a length field


@dataclass(frozen=True)
class Compressed:
    """An encoded image: the CompressedImage ``format`` string and its bytes (1-D uint8)."""

    format: str
    data: np.ndarray


def check_transport(name: str, value: str, allowed: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``allowed``, else raise ValueError naming the parameter."""
    if value not in allowed:
        raise ValueError(f"parameter {name} is '{bounded(value, 40)}', expected {', '.join(allowed[:-1])} or "
                         f"{allowed[-1]}")
    return value


def encode(bgr: np.ndarray, codec: str = JPEG, jpeg_quality: int = DEFAULT_JPEG_QUALITY) -> Compressed:
    """Compress a BGR (H, W, 3) or mono (H, W) uint8 array as JPEG or PNG."""
    if bgr.dtype != np.uint8 or bgr.ndim not in (2, 3) or (bgr.ndim == 3 and bgr.shape[2] != 3):
        raise ImageFormatError(f"cannot compress a {bgr.dtype} array of shape {bgr.shape} (needs uint8 BGR or mono)")
    if codec == JPEG:
        ok, data = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, int(jpeg_quality)])
    elif codec == PNG:
        ok, data = cv2.imencode(".png", bgr, [cv2.IMWRITE_PNG_COMPRESSION, PNG_LEVEL])
    else:
        raise ValueError(f"codec '{codec}' is neither {JPEG} nor {PNG}")
    if not ok:
        raise ImageFormatError(f"OpenCV could not compress a {bgr.shape} image as {codec}")
    encoding = "bgr8" if bgr.ndim == 3 else "mono8"
    return Compressed(f"{encoding}; {codec} compressed {encoding}", data.reshape(-1))


def decode(fmt: str, data: Buffer, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Return JPEG or PNG bytes as BGR (H, W, 3) uint8, decoded once; ImageFormatError if they are not."""
    if "compresseddepth" in fmt.lower():
        raise ImageFormatError(f"unsupported compressed format '{bounded(fmt, 60)}' (supported: JPEG, PNG)", "format")
    buf = np.frombuffer(data, dtype=np.uint8) if not isinstance(data, np.ndarray) else data.reshape(-1)
    if buf.size == 0:
        raise ImageFormatError("empty compressed image: no bytes", "empty")
    head = bytes(buf[:24])
    codec = next((c for c, sig in SIGNATURES.items() if head.startswith(sig)), None)
    if codec is None:
        raise ImageFormatError(f"{buf.size} bytes of format '{bounded(fmt, 60)}' are neither JPEG nor PNG "
                               f"(they start with {head[:4].hex(' ')})", "signature")
    width, height = (_jpeg_size if codec == JPEG else _png_size)(buf)
    where = f"{codec.upper()} {width}x{height}"
    if width <= 0 or height <= 0:
        raise ImageFormatError(f"empty image: {where} has no pixels", "empty")
    if width * height > max_pixels:
        raise ImageFormatError(f"huge image: {where} has {width * height} pixels, the limit is {max_pixels}", "huge")
    tail = bytes(buf[-64:]).rstrip(b"\0")  # some encoders pad after the end
    if not (tail.endswith(b"\xff\xd9") if codec == JPEG else tail.endswith(_PNG_END)):
        raise ImageFormatError(f"truncated {where}: {buf.size} bytes without the end-of-image "
                               f"{'marker' if codec == JPEG else 'chunk'}", f"truncated {codec}")
    bgr = _imdecode(buf)
    if bgr is None or bgr.shape[:2] != (height, width):
        raise ImageFormatError(f"corrupt {where}: {buf.size} bytes that OpenCV cannot decode", f"corrupt {codec}")
    return bgr


def _imdecode(buf: np.ndarray) -> np.ndarray | None:
    """cv2.imdecode with OpenCV's own warnings about the data held back: the refusal says it in one line."""
    if not hasattr(cv2, "setLogLevel"):
        return cv2.imdecode(buf, cv2.IMREAD_COLOR)
    level = cv2.getLogLevel()
    cv2.setLogLevel(min(level, _CV_LOG_ERROR))
    try:
        return cv2.imdecode(buf, cv2.IMREAD_COLOR)
    finally:
        cv2.setLogLevel(level)


def _png_size(buf: np.ndarray) -> tuple[int, int]:
    head = bytes(buf[:24])
    if len(head) < 24 or head[12:16] != b"IHDR":
        raise ImageFormatError(f"corrupt PNG: {buf.size} bytes without an IHDR header", "corrupt png")
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def _jpeg_size(buf: np.ndarray) -> tuple[int, int]:
    """Walk the JPEG's marker segments to its frame header (SOFn) and return its (width, height)."""
    i, n = 2, buf.size
    while i + 4 <= n:
        if buf[i] != 0xFF:
            break
        marker = int(buf[i + 1])
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in _STANDALONE:
            i += 2
            continue
        if marker in _SOF and i + 10 <= n:
            if (int(buf[i + 2]) << 8 | int(buf[i + 3])) != 8 + 3 * int(buf[i + 9]):  # length of Nf components
                break
            return int(buf[i + 7]) << 8 | int(buf[i + 8]), int(buf[i + 5]) << 8 | int(buf[i + 6])
        if marker == 0xDA:  # start of scan: image data before any frame header
            break
        i += 2 + (int(buf[i + 2]) << 8 | int(buf[i + 3]))
    raise ImageFormatError(f"corrupt JPEG: {buf.size} bytes without a frame header before the image data",
                           "corrupt jpeg")
