"""Each pre/post-processing step of the keypoint engine on plain numpy (constants: mediapipe-graph-facts.md)."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from gesture_ros.perception.engine.anchors import PALM_ANCHORS, POSE_ANCHORS, ssd_anchors
from gesture_ros.perception.engine.crop import HAND_INPUT, PALM_INPUT, POSE_DETECTION_INPUT, crop, crop_batch, pad_roi
from gesture_ros.perception.engine.detections import (
    PALM_DECODE,
    Detections,
    decode,
    iou,
    remove_letterbox,
    weighted_nms,
)
from gesture_ros.perception.engine.hands import handedness
from gesture_ros.perception.engine.projection import project, refine_from_heatmap, tensor_to_landmarks
from gesture_ros.perception.engine.projection import remove_letterbox as lm_letterbox
from gesture_ros.perception.engine.regions import (
    FULL_IMAGE,
    HAND_LANDMARKS_TO_HAND,
    PALM_TO_HAND,
    Rect,
    RectTransform,
    associate,
    hand_rect_from_landmarks,
    normalize_radians,
    rect_from_alignment,
    rect_from_box,
    rotation,
    transform_rect,
)
from gesture_ros.perception.engine.smoothing import (
    POSE_SCREEN,
    LandmarkSmoother,
    LowPass,
    OneEuroFilter,
    OneEuroOptions,
)

# ---------------------------------------------------------------- anchors

def test_palm_anchors_are_2016_in_grid_order_with_unit_size():
    a = ssd_anchors(PALM_ANCHORS)
    assert a.shape == (2016, 4)
    np.testing.assert_allclose(a[0], [0.5 / 24, 0.5 / 24, 1, 1])
    np.testing.assert_allclose(a[1], a[0])  # two anchors per stride-8 cell
    np.testing.assert_allclose(a[2, :2], [1.5 / 24, 0.5 / 24])  # then the next column
    np.testing.assert_allclose(a[1152, :2], [0.5 / 12, 0.5 / 12])  # the merged stride-16 grid starts
    assert (a[1152:1158] == a[1152]).all() and not (a[1158] == a[1152]).all()  # 6 anchors per cell there
    np.testing.assert_allclose(a[-1, :2], [11.5 / 12, 11.5 / 12])


def test_pose_anchors_are_2254():
    a = ssd_anchors(POSE_ANCHORS)
    assert a.shape == (2254, 4)
    np.testing.assert_allclose(a[1568, :2], [0.5 / 14, 0.5 / 14])
    np.testing.assert_allclose(a[1568 + 392, :2], [0.5 / 7, 0.5 / 7])


# ---------------------------------------------------------------- decoding and NMS

def _raw(anchors, index, values, score):
    boxes = np.zeros((len(anchors), 18), np.float32)
    scores = np.full((len(anchors), 1), -10.0, np.float32)
    boxes[index] = values
    scores[index] = score
    return boxes, scores


def test_decoding_offsets_boxes_and_keypoints_from_the_anchor_in_input_pixels():
    anchors = ssd_anchors(PALM_ANCHORS)
    values = np.zeros(18, np.float32)
    values[:4] = [19.2, -9.6, 38.4, 57.6]  # dx, dy, w, h in 192-px units
    values[4:6] = [9.6, 0.0]  # keypoint 0
    boxes, scores = _raw(anchors, 100, values, 2.0)
    found = decode(boxes, scores, anchors, PALM_DECODE)
    assert len(found) == 1
    cx, cy = anchors[100, 0] + 0.1, anchors[100, 1] - 0.05
    np.testing.assert_allclose(found.boxes[0], [cx - 0.1, cy - 0.15, cx + 0.1, cy + 0.15], atol=1e-6)
    np.testing.assert_allclose(found.keypoints[0, 0], [anchors[100, 0] + 0.05, anchors[100, 1]], atol=1e-6)
    assert found.scores[0] == pytest.approx(1 / (1 + math.exp(-2.0)))


def test_decoding_drops_low_scores_and_negative_sizes():
    anchors = ssd_anchors(PALM_ANCHORS)
    values = np.zeros(18, np.float32)
    values[2:4] = [-1.0, 10.0]
    boxes, scores = _raw(anchors, 5, values, 5.0)
    assert len(decode(boxes, scores, anchors, PALM_DECODE)) == 0
    boxes, scores = _raw(anchors, 5, np.ones(18, np.float32), 0.0)  # score exactly 0.5 is kept (>=)
    assert len(decode(boxes, scores, anchors, PALM_DECODE)) == 1


def test_weighted_nms_averages_each_cluster_by_score_and_keeps_the_top_score():
    boxes = np.array([[0.0, 0.0, 1.0, 1.0], [0.1, 0.0, 1.1, 1.0], [3.0, 3.0, 4.0, 4.0]], np.float32)
    kps = np.array([[[0.0, 0.0]], [[1.0, 1.0]], [[5.0, 5.0]]], np.float32)
    merged = weighted_nms(Detections(boxes, kps, np.array([0.6, 0.9, 0.7], np.float32)))
    assert len(merged) == 2
    assert merged.scores.tolist() == pytest.approx([0.9, 0.7])
    np.testing.assert_allclose(merged.boxes[0], (0.6 * boxes[0] + 0.9 * boxes[1]) / 1.5, atol=1e-6)
    np.testing.assert_allclose(merged.keypoints[0, 0], [0.6, 0.6], atol=1e-6)
    np.testing.assert_allclose(merged.boxes[1], boxes[2])


def test_iou_is_zero_for_disjoint_and_empty_boxes():
    box = np.array([0, 0, 1, 1], np.float32)
    got = iou(box, np.array([[2, 2, 3, 3], [0.5, 0.5, 0.5, 0.5], [0, 0, 1, 0.5]], np.float32))
    np.testing.assert_allclose(got, [0.0, 0.0, 0.5])


def test_detection_letterbox_removal():
    d = Detections(np.array([[0.5, 0.25, 0.75, 0.75]], np.float32), np.array([[[0.5, 0.25]]], np.float32),
                   np.ones(1, np.float32))
    out = remove_letterbox(d, (0.0, 0.25, 0.0, 0.25))
    np.testing.assert_allclose(out.boxes[0], [0.5, 0.0, 0.75, 1.0])
    np.testing.assert_allclose(out.keypoints[0, 0], [0.5, 0.0])


# ---------------------------------------------------------------- regions

def test_rotation_is_zero_for_a_hand_pointing_up_and_clockwise_positive():
    assert rotation(np.array([0, 10.0]), np.array([0, 0.0]), math.pi / 2) == pytest.approx(0.0)
    # pointing right (screen): the region is turned a quarter clockwise
    assert rotation(np.array([0, 0.0]), np.array([10, 0.0]), math.pi / 2) == pytest.approx(math.pi / 2)
    assert normalize_radians(3 * math.pi / 2) == pytest.approx(-math.pi / 2)
    assert normalize_radians(math.pi) == pytest.approx(-math.pi)


def test_transform_shifts_along_the_rotated_axis_then_squares_and_scales():
    upright = transform_rect(Rect(0.5, 0.5, 0.1, 0.2), 100, 100, PALM_TO_HAND)
    assert (upright.x_center, upright.y_center) == pytest.approx((0.5, 0.4))  # up by half the height
    assert (upright.width, upright.height) == pytest.approx((0.52, 0.52))  # long side 0.2 x 2.6
    turned = transform_rect(Rect(0.5, 0.5, 0.1, 0.2, math.pi / 2), 100, 100, PALM_TO_HAND)
    assert (turned.x_center, turned.y_center) == pytest.approx((0.6, 0.5))  # "up" of the rect is screen right
    wide = transform_rect(Rect(0.5, 0.5, 0.2, 0.2), 200, 100, RectTransform())
    assert (wide.width, wide.height) == pytest.approx((0.2, 0.4))  # square in pixels: 40 x 40


def test_rect_from_box_and_from_alignment_points():
    rect = rect_from_box(np.array([0.2, 0.2, 0.4, 0.6]), np.array([0.3, 0.6]), np.array([0.3, 0.2]), 100, 100)
    assert (rect.x_center, rect.y_center, rect.width, rect.height, rect.rotation) == pytest.approx(
        (0.3, 0.4, 0.2, 0.4, 0.0))
    body = rect_from_alignment(np.array([0.5, 0.5]), np.array([0.5, 0.25]), 200, 100)
    assert (body.width, body.height, body.rotation) == pytest.approx((0.25, 0.5, 0.0))  # side 2 x 25 px


def _upright_hand(cx=0.5, cy=0.6, s=0.1):
    lm = np.zeros((21, 5), np.float32)
    lm[:, 0] = cx + np.linspace(-s, s, 21) * 0.5
    lm[:, 1] = cy - np.linspace(0, 2 * s, 21)
    lm[0, :2] = [cx, cy]
    lm[[5, 9, 13], 0] = cx
    lm[[5, 9, 13], 1] = cy - s
    return lm


def test_hand_rect_from_landmarks_follows_the_wrist_to_knuckle_direction():
    lm = _upright_hand()
    rect = hand_rect_from_landmarks(lm, 100, 100)
    assert rect.rotation == pytest.approx(0.0, abs=1e-6)
    pts = lm[[0, 1, 2, 3, 5, 6, 9, 10, 13, 14, 17, 18], :2]
    assert rect.width == pytest.approx(float(np.ptp(pts[:, 0])), abs=1e-6)
    assert rect.height == pytest.approx(float(np.ptp(pts[:, 1])), abs=1e-6)
    # the same hand turned a quarter clockwise on screen about its wrist
    turned = lm.copy()
    turned[:, 0] = 0.5 - (lm[:, 1] - 0.6)
    turned[:, 1] = 0.6 + (lm[:, 0] - 0.5)
    r2 = hand_rect_from_landmarks(turned, 100, 100)
    assert r2.rotation == pytest.approx(math.pi / 2, abs=1e-6)  # wrist -> knuckles points right now
    assert (r2.width, r2.height) == pytest.approx((rect.width, rect.height), abs=1e-6)
    grown = transform_rect(rect, 100, 100, HAND_LANDMARKS_TO_HAND)
    assert grown.width == pytest.approx(2 * max(rect.width, rect.height))


def test_association_lets_later_rects_replace_overlapping_earlier_ones():
    palm, far_palm, tracked = Rect(0.5, 0.5, 0.2, 0.2), Rect(0.1, 0.1, 0.1, 0.1), Rect(0.51, 0.5, 0.2, 0.2)
    assert associate([palm, far_palm, tracked]) == [far_palm, tracked]


# ---------------------------------------------------------------- crops and projection

def test_letterbox_padding_of_a_wide_image_is_top_and_bottom():
    w, h, padding = pad_roi(640, 360, PALM_INPUT)
    assert (w, h) == (640, 640)
    assert padding == pytest.approx((0.0, (1 - 360 / 640) / 2, 0.0, (1 - 360 / 640) / 2))


def test_full_image_crop_maps_values_and_pads_with_the_range_minimum():
    rgb = np.full((90, 160, 3), 255, np.uint8)
    tensor, padding = crop(rgb, FULL_IMAGE, POSE_DETECTION_INPUT)
    assert tensor.shape == (224, 224, 3) and tensor.dtype == np.float32
    top = round(padding[1] * 224)
    assert tensor[112, 112].tolist() == pytest.approx([1.0] * 3)
    assert tensor[top // 2, 112].tolist() == pytest.approx([-1.0] * 3)  # letterbox: zero pixels -> -1


@pytest.mark.parametrize("angle", [0.0, 0.6, -2.0])
def test_a_point_cropped_with_a_rotated_rect_projects_back_to_where_it_was(angle):
    rgb = np.zeros((360, 640, 3), np.uint8)
    point = (300, 200)
    cv2.circle(rgb, point, 3, (255, 255, 255), -1)
    rect = Rect(310 / 640, 190 / 360, 120 / 640, 120 / 360, angle)
    tensor, padding = crop(rgb, rect, HAND_INPUT)
    y, x = np.unravel_index(tensor[..., 0].argmax(), tensor.shape[:2])
    ys, xs = np.nonzero(tensor[..., 0] > 0.5)
    lm = np.array([[xs.mean() + 0.5, ys.mean() + 0.5, 0, np.nan, np.nan]], np.float32) / np.array(
        [224, 224, 1, 1, 1], np.float32)
    back = project(lm_letterbox(lm, padding), rect)
    assert back[0, 0] * 640 == pytest.approx(point[0] + 0.5, abs=1.0)
    assert back[0, 1] * 360 == pytest.approx(point[1] + 0.5, abs=1.0)


def test_crop_batch_stacks_one_crop_per_rect():
    rgb = np.random.default_rng(0).integers(0, 255, (100, 100, 3), np.uint8)
    batch, paddings = crop_batch(rgb, [FULL_IMAGE, Rect(0.3, 0.3, 0.2, 0.2, 1.0)], HAND_INPUT)
    assert batch.shape == (2, 224, 224, 3) and len(paddings) == 2
    assert crop_batch(rgb, [], HAND_INPUT)[0].shape == (0, 224, 224, 3)


def test_tensor_to_landmarks_normalises_z_and_applies_the_sigmoid_to_scores():
    raw = np.array([112, 56, 22.4, 0.0, 2.0], np.float32)
    lm = tensor_to_landmarks(raw, 1, 224, 224, normalize_z=0.4, sigmoid_scores=True)
    np.testing.assert_allclose(lm[0], [0.5, 0.25, 0.25, 0.5, 1 / (1 + math.exp(-2))], rtol=1e-6)
    hand = tensor_to_landmarks(np.zeros(63, np.float32), 21, 224, 224)
    assert np.isnan(hand[:, 3:]).all()  # hands have no visibility or presence


def test_projection_rotates_about_the_rect_centre_and_scales_z_by_its_width():
    lm = np.array([[1.0, 0.5, 0.1, 0, 0]], np.float32)  # right edge of the crop
    out = project(lm, Rect(0.5, 0.5, 0.2, 0.2, math.pi / 2))
    np.testing.assert_allclose(out[0, :3], [0.5, 0.6, 0.02], atol=1e-6)  # turned clockwise: now below the centre


def test_heatmap_refinement_moves_a_landmark_to_its_confident_peak_only():
    heat = np.full((64, 64, 2), -10.0, np.float32)
    heat[20, 30, 0] = 10.0
    lm = np.array([[31 / 64, 21 / 64, 0, 0, 0], [0.5, 0.5, 0, 0, 0]], np.float32)
    out = refine_from_heatmap(lm, heat)
    assert out[0, 0] == pytest.approx(30 / 64, abs=1e-3) and out[0, 1] == pytest.approx(20 / 64, abs=1e-3)
    np.testing.assert_allclose(out[1], lm[1])  # nothing confident near it


def test_heatmap_refinement_leaves_a_landmark_whose_centre_is_off_the_map():
    heat = np.full((64, 64, 3), 10.0, np.float32)  # confident everywhere
    lm = np.array([[-2.5 / 64, 0.5, 0, 0, 0], [0.5, -2.5 / 64, 0, 0, 0], [70 / 64, 0.5, 0, 0, 0]], np.float32)
    np.testing.assert_array_equal(refine_from_heatmap(lm, heat), lm)  # its window would still reach the map
    edge = np.array([[0.2 / 64, 0.2 / 64, 0, 0, 0]], np.float32)  # centre cell (0, 0): a clipped 4x4 window
    assert refine_from_heatmap(edge, heat[:, :, :1])[0, 0] == pytest.approx(1.5 / 64)


def test_handedness_gives_left_above_one_half():
    assert handedness(0.8) == ("Left", pytest.approx(0.8))
    assert handedness(0.3) == ("Right", pytest.approx(0.7))


# ---------------------------------------------------------------- smoothing

def test_one_euro_passes_the_first_sample_and_follows_with_the_graph_alpha():
    f = OneEuroFilter(OneEuroOptions(min_cutoff=1.0, beta=0.0))
    assert f.apply(np.array([0.0]), 1)[0] == 0.0
    step = f.apply(np.array([1.0]), 1 + 100_000_000)[0]  # 10 Hz
    tau = 1 / (2 * math.pi * 1.0)
    assert step == pytest.approx(1 / (1 + tau * 10))
    assert f.apply(np.array([2.0]), 1)[0] == 2.0  # out of order: passed through


def test_one_euro_follows_fast_moves_more_closely_than_slow_ones():
    slow, fast = OneEuroFilter(POSE_SCREEN), OneEuroFilter(POSE_SCREEN)
    for k in range(5):
        a = slow.apply(np.array([k * 0.5]), (k + 1) * 33_333_000, value_scale=1 / 100)
        b = fast.apply(np.array([k * 20.0]), (k + 1) * 33_333_000, value_scale=1 / 100)
    assert abs(b[0] - 80.0) / 80.0 < abs(a[0] - 2.0) / 2.0


def test_visibility_low_pass_and_tiny_objects_left_unfiltered():
    lp = LowPass(0.1)
    lp.apply(np.array([1.0]))
    assert lp.apply(np.array([0.0]))[0] == pytest.approx(0.9)
    smoother = LandmarkSmoother(POSE_SCREEN)
    lm = np.zeros((33, 5), np.float32)
    smoother.apply(lm, 1, 100, 100, 50.0)
    moved = lm.copy()
    moved[:, 0] = 0.5
    assert smoother.apply(moved, 2, 100, 100, 0.0)[:, 0] == pytest.approx(0.5)
