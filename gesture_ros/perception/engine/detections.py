"""Detector outputs to detections: box/keypoint decoding, weighted NMS, letterbox removal (facts §0.9, §1, §5)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class DecodeOptions:
    """TensorsToDetections options of one detector graph (reverse_output_order: x, y, w, h)."""

    num_keypoints: int
    scale: float  # x/y/w/h_scale: the input size in pixels
    min_score: float = 0.5
    score_clipping: float = 100.0


PALM_DECODE = DecodeOptions(num_keypoints=7, scale=192.0)
POSE_DECODE = DecodeOptions(num_keypoints=4, scale=224.0)
NMS_THRESHOLD = 0.3  # both detectors: WEIGHTED, intersection over union


@dataclass
class Detections:
    """Detections in normalised coordinates: boxes (N, 4) xmin, ymin, xmax, ymax; keypoints (N, K, 2); scores (N,)."""

    boxes: np.ndarray
    keypoints: np.ndarray
    scores: np.ndarray

    def __len__(self) -> int:
        return len(self.scores)

    def take(self, index) -> Detections:
        return Detections(self.boxes[index], self.keypoints[index], self.scores[index])


def decode(raw_boxes: np.ndarray, raw_scores: np.ndarray, anchors: np.ndarray, options: DecodeOptions) -> Detections:
    """Decode one image's raw (N, 4 + 2K) boxes and (N, 1) scores against (N, 4) anchors; keep score >= min."""
    raw_boxes = raw_boxes.reshape(len(anchors), -1)
    clipped = np.clip(raw_scores.reshape(-1).astype(np.float64), -options.score_clipping, options.score_clipping)
    scores = 1.0 / (1.0 + np.exp(-clipped))
    keep = scores >= options.min_score
    raw, a, s = raw_boxes[keep], anchors[keep], options.scale
    cx = raw[:, 0] / s * a[:, 2] + a[:, 0]
    cy = raw[:, 1] / s * a[:, 3] + a[:, 1]
    w = raw[:, 2] / s * a[:, 2]
    h = raw[:, 3] / s * a[:, 3]
    k = options.num_keypoints
    kp = raw[:, 4:4 + 2 * k].reshape(-1, k, 2) / s * a[:, None, 2:4] + a[:, None, 0:2]
    valid = (w >= 0) & (h >= 0) & np.isfinite(w) & np.isfinite(h)
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
    return Detections(boxes[valid].astype(np.float32), kp[valid].astype(np.float32), scores[keep][valid].astype(np.float32))


def iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Return the intersection over union of one (4,) box with each of (N, 4) boxes (0 where either is empty)."""
    x0 = np.maximum(box[0], boxes[:, 0])
    y0 = np.maximum(box[1], boxes[:, 1])
    x1 = np.minimum(box[2], boxes[:, 2])
    y1 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    union = area + areas - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


def weighted_nms(detections: Detections, threshold: float = NMS_THRESHOLD) -> Detections:
    """Merge overlapping detections: each cluster (IoU > threshold with the best) averaged by score, best score kept."""
    order = np.argsort(-detections.scores, kind="stable")
    boxes, kps, scores = [], [], []
    while len(order):
        top = order[0]
        overlap = iou(detections.boxes[top], detections.boxes[order])
        cluster = order[overlap > threshold]
        cluster = cluster if len(cluster) else order[:1]
        weights = detections.scores[cluster]
        total = weights.sum()
        boxes.append((detections.boxes[cluster] * weights[:, None]).sum(0) / total)
        kps.append((detections.keypoints[cluster] * weights[:, None, None]).sum(0) / total)
        scores.append(detections.scores[top])
        order = order[overlap <= threshold]
    if not scores:
        return detections.take(slice(0, 0))
    return Detections(np.array(boxes, np.float32), np.array(kps, np.float32), np.array(scores, np.float32))


def remove_letterbox(detections: Detections, padding: tuple[float, float, float, float]) -> Detections:
    """Map detections from the letterboxed tensor back to the image (padding: left, top, right, bottom)."""
    left, top, right, bottom = padding
    sx, sy = 1.0 - left - right, 1.0 - top - bottom
    boxes = (detections.boxes - np.array([left, top, left, top], np.float32)) / np.array([sx, sy, sx, sy], np.float32)
    kps = (detections.keypoints - np.array([left, top], np.float32)) / np.array([sx, sy], np.float32)
    return Detections(boxes.astype(np.float32), kps.astype(np.float32), detections.scores)
