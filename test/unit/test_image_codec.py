"""image_codec: every encoding round trip, row padding, and every bad input."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from gesture_ros.perception import image_codec as codec
from gesture_ros.perception.image_codec import Encoding, ImageFormatError

RNG = np.random.default_rng(7)
BGR = RNG.integers(0, 256, size=(6, 8, 3), dtype=np.uint8)
# A smooth image so that 4:2:2 chroma subsampling loses little.
SMOOTH = cv2.resize(RNG.integers(40, 216, size=(3, 4, 3), dtype=np.uint8), (16, 12), interpolation=cv2.INTER_LINEAR)

EXACT = {  # encoding -> (array in that layout, its BGR)
    "bgr8": (BGR, BGR),
    "rgb8": (BGR[:, :, ::-1], BGR),
    "bgra8": (np.dstack([BGR, np.full(BGR.shape[:2], 255, np.uint8)]), BGR),
    "rgba8": (np.dstack([BGR[:, :, ::-1], np.full(BGR.shape[:2], 9, np.uint8)]), BGR),
}


@pytest.mark.parametrize("encoding", sorted(EXACT))
@pytest.mark.parametrize("pad", [0, 5])
def test_exact_encodings_round_trip(encoding, pad):
    pixels, bgr = EXACT[encoding]
    raw = codec.encode(pixels, encoding, step=pixels.shape[1] * pixels.shape[2] + pad)
    assert raw.step == pixels.shape[1] * pixels.shape[2] + pad and len(raw.data) == raw.step * raw.height
    decoded = codec.decode(raw.encoding, raw.width, raw.height, raw.step, raw.data)
    np.testing.assert_array_equal(decoded, pixels)
    np.testing.assert_array_equal(codec.image_to_bgr(raw), bgr)
    np.testing.assert_array_equal(codec.to_rgb(encoding, decoded), bgr[:, :, ::-1])


@pytest.mark.parametrize("pad", [0, 3])
def test_mono8_round_trip(pad):
    gray = cv2.cvtColor(BGR, cv2.COLOR_BGR2GRAY)
    raw = codec.encode(gray, "mono8", step=gray.shape[1] + pad)
    decoded = codec.decode("mono8", raw.width, raw.height, raw.step, raw.data)
    np.testing.assert_array_equal(decoded, gray)
    bgr = codec.image_to_bgr(raw)
    assert bgr.shape == (*gray.shape, 3)
    for c in range(3):
        np.testing.assert_array_equal(bgr[:, :, c], gray)


@pytest.mark.parametrize("encoding", ["yuv422", "uyvy", "yuv422_yuy2", "yuyv"])
@pytest.mark.parametrize("pad", [0, 4])
def test_packed_422_round_trip(encoding, pad):
    raw = codec.encode(SMOOTH, encoding, step=SMOOTH.shape[1] * 2 + pad)
    assert raw.encoding == encoding and raw.step == SMOOTH.shape[1] * 2 + pad
    back = codec.image_to_bgr(raw)
    assert back.shape == SMOOTH.shape
    assert np.abs(back.astype(int) - SMOOTH.astype(int)).mean() < 4.0
    rgb = codec.to_rgb(encoding, codec.decode(encoding, raw.width, raw.height, raw.step, raw.data))
    np.testing.assert_array_equal(rgb, back[:, :, ::-1])


def test_yuv422_is_uyvy_and_yuv422_yuy2_is_yuyv():
    """Follow cv_bridge: 'yuv422' = U Y0 V Y1, 'yuv422_yuy2' = Y0 U Y1 V."""
    uyvy = codec.encode(SMOOTH, "uyvy")
    yuyv = codec.encode(SMOOTH, "yuyv")
    assert uyvy.data == codec.encode(SMOOTH, "yuv422").data
    assert yuyv.data == codec.encode(SMOOTH, "yuv422_yuy2").data
    u = np.frombuffer(uyvy.data, np.uint8).reshape(-1, 2)
    y = np.frombuffer(yuyv.data, np.uint8).reshape(-1, 2)
    np.testing.assert_array_equal(u[:, 1], y[:, 0])  # luma bytes sit at swapped positions


def test_decode_is_a_view_of_the_buffer():
    raw = codec.encode(BGR, "bgr8", step=BGR.shape[1] * 3 + 8)
    buf = bytearray(raw.data)
    view = codec.decode("bgr8", raw.width, raw.height, raw.step, buf)
    buf[0] = (int(buf[0]) + 1) % 256
    assert view[0, 0, 0] == buf[0]


def test_encode_rejects_wrong_layout():
    with pytest.raises(ImageFormatError, match=r"cannot encode .* as bgra8"):
        codec.encode(BGR, "bgra8")
    with pytest.raises(ImageFormatError, match="step 5 is below the row size 24"):
        codec.encode(BGR, "bgr8", step=5)


BAD = [
    # (encoding, width, height, step, data length, is_bigendian, words the message must hold)
    ("bgr16", 4, 2, 24, 48, 0, ["unsupported image encoding 'bgr16'", "bgr8"]),
    ("32FC1", 4, 2, 16, 32, 0, ["unsupported image encoding '32FC1'"]),
    ("bgr8", 0, 2, 0, 0, 0, ["empty image", "bgr8 0x2"]),
    ("mono8", 4, 0, 4, 0, 0, ["empty image"]),
    ("bgr8", 4, 2, 10, 20, 0, ["step is 10 bytes, expected at least 12"]),
    ("bgr8", 4, 2, 12, 23, 0, ["data has 23 bytes, expected 24"]),
    ("bgr8", 4, 2, 12, 0, 0, ["data has 0 bytes, expected 24"]),
    ("rgba8", 4, 2, 16, 40, 0, ["data has 40 bytes, expected 32"]),
    ("yuyv", 3, 2, 6, 12, 0, ["even width"]),
    ("bgr8", 4, 2, 12, 24, 7, ["is_bigendian is 7"]),
]


@pytest.mark.parametrize("encoding,width,height,step,length,bigendian,words", BAD)
def test_bad_inputs_raise_a_clear_error(encoding, width, height, step, length, bigendian, words):
    with pytest.raises(ImageFormatError) as info:
        codec.decode(encoding, width, height, step, bytes(length), bigendian)
    for word in words:
        assert word in str(info.value)


def test_huge_image_is_rejected_before_reading_data():
    with pytest.raises(ImageFormatError, match="huge image: bgr8 100000x100000"):
        codec.decode("bgr8", 100_000, 100_000, 300_000, b"")
    with pytest.raises(ImageFormatError, match="limit is 100"):
        codec.decode("mono8", 20, 20, 20, bytes(400), max_pixels=100)


def test_every_supported_encoding_has_a_layout():
    for enc in Encoding:
        assert codec.BYTES_PER_PIXEL[enc] in (1, 2, 3, 4)
        assert codec.parse_encoding(enc.value.upper()) is enc
