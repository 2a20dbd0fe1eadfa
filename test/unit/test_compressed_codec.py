"""compressed_codec: JPEG and PNG round trips on a real frame, and every refusal in one clause."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from support.data import shared_data

from gesture_ros.perception import compressed_codec as codec
from gesture_ros.perception.compressed_codec import PNG, ImageFormatError

RNG = np.random.default_rng(27)


@pytest.fixture(scope="module")
def frame() -> np.ndarray:
    cap = cv2.VideoCapture(str(shared_data("videos/open_hand_no_gesture.mp4")))
    ok, image = cap.read()
    cap.release()
    assert ok
    return image


def test_jpeg_round_trip_is_close_and_named_as_image_transport_names_it(frame):
    packed = codec.encode(frame, jpeg_quality=90)
    assert packed.format == "bgr8; jpeg compressed bgr8"
    assert bytes(packed.data[:3]) == codec.SIGNATURES["jpeg"] and packed.data.size < frame.size / 5
    decoded = codec.decode(packed.format, packed.data)
    assert decoded.shape == frame.shape and decoded.dtype == np.uint8
    error = np.abs(decoded.astype(int) - frame).mean()
    assert 0 < error < 3  # lossy, but close to the frame on a real picture
    # Lower quality: fewer bytes, further from the frame.
    low = codec.encode(frame, jpeg_quality=20)
    assert low.data.size < packed.data.size
    assert np.abs(codec.decode(low.format, low.data).astype(int) - frame).mean() > error


def test_png_is_lossless_and_any_buffer_type_decodes(frame):
    packed = codec.encode(frame, PNG)
    assert packed.format == "bgr8; png compressed bgr8"
    for data in (packed.data, bytes(packed.data), bytearray(packed.data), memoryview(bytes(packed.data))):
        np.testing.assert_array_equal(codec.decode("png", data), frame)


def test_mono_images_come_back_as_bgr(frame):
    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    packed = codec.encode(gray, PNG)
    assert packed.format == "mono8; png compressed mono8"
    np.testing.assert_array_equal(codec.decode("", packed.data), cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR))


def test_the_codec_comes_from_the_bytes_not_the_format_string(frame):
    png = codec.encode(frame, PNG)
    np.testing.assert_array_equal(codec.decode("bgr8; jpeg compressed bgr8", png.data), frame)


def _bad(frame: np.ndarray) -> dict[str, tuple[str, bytes, str]]:
    """name -> (format, bytes, the words of the refusal)."""
    jpeg = bytes(codec.encode(frame).data)
    png = bytes(codec.encode(frame, PNG).data)
    noise = RNG.integers(0, 256, 3000, dtype=np.uint8).tobytes()
    return {
        "empty": ("jpeg", b"", "empty compressed image: no bytes"),
        "not an image": ("jpeg", b"<html>404</html>", "16 bytes of format 'jpeg' are neither JPEG nor PNG "
                                                      "(they start with 3c 68 74 6d)"),
        "truncated jpeg": ("jpeg", jpeg[:len(jpeg) // 2], f"truncated JPEG 640x360: {len(jpeg) // 2} bytes "
                                                          "without the end-of-image marker"),
        "jpeg noise": ("jpeg", codec.SIGNATURES["jpeg"] + noise + b"\xff\xd9",
                       "corrupt JPEG: 3005 bytes without a frame header before the image data"),
        "jpeg header, noise": ("jpeg", jpeg[:600] + noise + b"\xff\xd9", "corrupt JPEG 640x360: 3602 bytes that "
                                                                          "OpenCV cannot decode"),
        "png noise": ("png", codec.SIGNATURES["png"] + noise, "corrupt PNG: 3008 bytes without an IHDR header"),
        "png header, noise": ("png", png[:33] + noise + png[-12:], "corrupt PNG 640x360: 3045 bytes that OpenCV "
                                                                    "cannot decode"),
        "truncated png": ("png", png[:1000], "truncated PNG 640x360: 1000 bytes without the end-of-image chunk"),
        "depth": ("16UC1; compressedDepth png", png, "unsupported compressed format '16UC1; compressedDepth png'"),
    }


@pytest.mark.parametrize("name", list(_bad(np.zeros((360, 640, 3), np.uint8))))
def test_bad_bytes_are_refused_in_one_clause(frame, name):
    fmt, data, words = _bad(frame)[name]
    with pytest.raises(ImageFormatError) as refused:
        codec.decode(fmt, data)
    assert words in str(refused.value) and "\n" not in str(refused.value)


def test_a_decompression_bomb_is_refused_from_its_header_before_decoding():
    # A valid 1 x 1 JPEG whose frame header is rewritten to claim 60000 x 60000 pixels.
    jpeg = bytearray(codec.encode(np.zeros((1, 1, 3), np.uint8)).data)
    sof = jpeg.index(b"\xff\xc0")
    jpeg[sof + 5:sof + 9] = (60000).to_bytes(2, "big") * 2
    with pytest.raises(ImageFormatError, match="huge image: JPEG 60000x60000 has 3600000000 pixels, the limit is "
                                               "40000000") as refused:
        codec.decode("jpeg", bytes(jpeg))
    assert refused.value.kind == "huge"
    with pytest.raises(ImageFormatError, match="huge image: PNG 640x360"):
        codec.decode("png", codec.encode(np.zeros((360, 640, 3), np.uint8), PNG).data, max_pixels=640 * 359)


def test_padding_after_the_end_marker_is_accepted(frame):
    jpeg = bytes(codec.encode(frame).data) + bytes(16)
    assert codec.decode("jpeg", jpeg).shape == frame.shape


@pytest.mark.parametrize("value,allowed,ok", [("raw", codec.TRANSPORTS, True), ("both", codec.TRANSPORTS, False),
                                              ("both", codec.PUBLISH_TRANSPORTS, True)])
def test_transport_names(value, allowed, ok):
    if ok:
        assert codec.check_transport("transport", value, allowed) == value
    else:
        with pytest.raises(ValueError, match="parameter transport is 'both', expected raw or compressed"):
            codec.check_transport("transport", value, allowed)


def test_encode_refuses_what_is_not_an_image():
    with pytest.raises(ImageFormatError, match="cannot compress a float32 array"):
        codec.encode(np.zeros((4, 4, 3), np.float32))
