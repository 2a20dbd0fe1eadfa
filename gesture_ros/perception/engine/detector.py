"""A full-image SSD detector (palm or pose): letterboxed input -> network -> decoded, merged detections."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gesture_ros.perception.engine.anchors import PALM_ANCHORS, POSE_ANCHORS, AnchorOptions, ssd_anchors
from gesture_ros.perception.engine.crop import PALM_INPUT, POSE_DETECTION_INPUT, CropOptions, crop
from gesture_ros.perception.engine.detections import (
    PALM_DECODE,
    POSE_DECODE,
    DecodeOptions,
    Detections,
    decode,
    remove_letterbox,
    weighted_nms,
)
from gesture_ros.perception.engine.regions import FULL_IMAGE


@dataclass(frozen=True)
class DetectorSpec:
    """Everything one detector graph fixes around its network."""

    network: str
    anchors: AnchorOptions
    decode: DecodeOptions
    input: CropOptions


PALM_DETECTOR = DetectorSpec("palm_detection_full", PALM_ANCHORS, PALM_DECODE, PALM_INPUT)
POSE_DETECTOR = DetectorSpec("pose_detection", POSE_ANCHORS, POSE_DECODE, POSE_DETECTION_INPUT)


class Detector:
    """Run one detector network on whole images; detections come back best score first, in image coordinates."""

    def __init__(self, network, spec: DetectorSpec, min_score: float = 0.5) -> None:
        self.network = network
        self.spec = spec
        self.anchors = ssd_anchors(spec.anchors)
        self.options = DecodeOptions(spec.decode.num_keypoints, spec.decode.scale, min_score,
                                     spec.decode.score_clipping)
        self.calls = 0

    def detect(self, rgb: np.ndarray) -> Detections:
        tensor, padding = crop(rgb, FULL_IMAGE, self.spec.input)
        out = self.network.run(tensor[None])
        self.calls += 1
        found = weighted_nms(decode(out["boxes"][0], out["scores"][0], self.anchors, self.options))
        return remove_letterbox(found, padding)
