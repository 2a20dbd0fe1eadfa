"""keypoint_node's parameters: one typed table, and the extractor options the parameters make.

Every parameter but the backend can change at run time: an extractor parameter makes new options (the worker
reopens the extractor between frames), the others change a figure the node reads per frame.
"""

from __future__ import annotations

from typing import Any

from gesture_ros.common.node_params import ParamSpec
from gesture_ros.perception.extraction.far_body import FarBodyOptions
from gesture_ros.perception.extraction.options import (
    NODE_MODEL,
    NODE_PALM_DETECT_EVERY,
    PALM_DETECT_EVERY_MAX,
    PeopleOptions,
)
from gesture_ros.perception.extractor import ExtractorOptions, ModelKind, RecoveryOptions
from gesture_ros.perception.image_codec import DEFAULT_MAX_PIXELS

MODELS = [k.value for k in ModelKind]
_RECOVERY, _PEOPLE, _FAR = RecoveryOptions(), PeopleOptions(), FarBodyOptions()

KEYPOINT_PARAMS: tuple[ParamSpec, ...] = (
    ParamSpec("model", NODE_MODEL.value, f"MediaPipe solution: {', '.join(MODELS)}"),
    ParamSpec("backend", "onnx", "Keypoint backend, read at start: onnx (MediaPipe's networks on ONNX Runtime, "
              "docs/engine.md) or mediapipe (the legacy Solutions API, the reference; x86-64 only)", read_only=True),
    ParamSpec("max_num_hands", 2, "Most hands to track (hands, hands_pose)", (1, 4)),
    ParamSpec("model_complexity", 1, "0 fastest .. 2 most accurate (hands: 0..1)", (0, 2)),
    ParamSpec("min_detection_confidence", 0.5, "Detector threshold", (0.0, 1.0)),
    ParamSpec("min_tracking_confidence", 0.5, "Tracker threshold; below it the detector runs again", (0.0, 1.0)),
    ParamSpec("mirrored_input", False, "True when images are mirrored (selfie view); left_hand/right_hand stay "
              "the performer's anatomical hands either way"),
    ParamSpec("enable_face", False, "Publish face landmarks (holistic only)"),
    ParamSpec("concurrent", True, "hands_pose: run Hands and Pose at the same time"),
    ParamSpec("max_image_side", 0, "Scale images whose longer side exceeds this down before MediaPipe (0: never)",
              (0, 16384)),
    ParamSpec("palm_detect_every", NODE_PALM_DETECT_EVERY, "backend onnx: while fewer hands are tracked than max_num_hands, run the "
              "palm detector every N frames (1: MediaPipe's rule, every such frame; more: less CPU, a new hand "
              "found up to N-1 frames later; docs/engine.md)", (1, PALM_DETECT_EVERY_MAX)),
    ParamSpec("recovery", True, "Re-detect tracked hands that disagree with the body or with themselves (far "
              "from the pose wrist, jump, collapsed)"),
    ParamSpec("redetect_after_skipped", _RECOVERY.redetect_after_skipped, "Also re-detect hands after this many "
              "dropped images (0: never)", (0, 1000)),
    ParamSpec("max_wrist_distance", _RECOVERY.max_wrist_distance, "Hand wrist to pose wrist, in hand lengths, "
              "beyond which they disagree", (0.1, 100.0)),
    ParamSpec("max_hand_speed", _RECOVERY.max_speed, "Hand speed, in hand lengths per second, beyond which a step "
              "between frames is a jump", (0.1, 1000.0)),
    ParamSpec("min_palm_fraction", _RECOVERY.min_palm_fraction, "A palm shorter than this fraction of the "
              "expected hand length has collapsed", (0.01, 0.99)),
    ParamSpec("max_people", _PEOPLE.max_people, "Most people to track, each with their own id and Keypoints "
              "message (1: the single-person extractor)", (1, 16)),
    ParamSpec("hand_crops", _PEOPLE.hand_crops, "Find hands on upscaled crops at the pose wrists even for one "
              "person (small, far hands); on whenever max_people > 1"),
    ParamSpec("detect_every", _PEOPLE.detect_every, "Look for new people (faces) every N frames; every frame "
              "while nobody is tracked", (1, 1000)),
    ParamSpec("lost_after", _PEOPLE.lost_after, "Frames in a row without a pose after which a person's track "
              "ends (a returning person gets a new id)", (1, 1000)),
    ParamSpec("min_face_score", _PEOPLE.min_face_score, "Face detection threshold for finding new people",
              (0.01, 1.0)),
    ParamSpec("body_crop_px", _PEOPLE.body_crop_px, "Size a person's body crop is resampled to for Pose",
              (64, 1024)),
    ParamSpec("hand_crop_px", _PEOPLE.hand_crop_px, "Size a wrist crop is resampled to for Hands", (64, 1024)),
    ParamSpec("hand_crop_scale", _PEOPLE.hand_crop_scale, "A wrist crop spans this many expected hand lengths",
              (1.5, 10.0)),
    ParamSpec("far_body_scan_every", _FAR.scan_every, "pose, hands_pose: when Pose finds no body, search zoomed "
              "tiles for a small one every N frames, then follow it (0: never)", (0, 10000)),
    ParamSpec("far_body_tiles", _FAR.tiles, "Tiles per side of the far-body search", (1, 4)),
    ParamSpec("image_transport", "raw", "raw: subscribe image_raw (sensor_msgs/Image); compressed: "
              "image_raw/compressed (sensor_msgs/CompressedImage, JPEG or PNG)", read_only=True),
    ParamSpec("max_pixels", DEFAULT_MAX_PIXELS, "Reject larger images", (1, 2**31 - 1)),
    ParamSpec("marker_depth_m", 1.0, "Distance of the marker plane from the camera", (0.05, 100.0)),
    ParamSpec("marker_hfov_deg", 60.0, "Horizontal field of view the marker plane spans", (1.0, 179.0)),
    ParamSpec("drop_warn_fraction", 0.25, "Diagnostics WARN when more than this fraction of the last 5 s of "
              "images was dropped (consumer too slow)", (0.0, 1.0)),
    ParamSpec("no_image_warn_s", 2.0, "Diagnostics WARN after this long without an image", (0.1, 3600.0)),
)

EXTRACTOR_PARAMS = ("model", "max_num_hands", "model_complexity", "min_detection_confidence",
                    "min_tracking_confidence", "mirrored_input", "enable_face", "concurrent", "max_image_side",
                    "palm_detect_every")
# parameter -> RecoveryOptions field
RECOVERY_PARAMS = {"recovery": "enabled", "redetect_after_skipped": "redetect_after_skipped",
                   "max_wrist_distance": "max_wrist_distance", "max_hand_speed": "max_speed",
                   "min_palm_fraction": "min_palm_fraction"}
# parameter -> PeopleOptions field (the same names)
PEOPLE_PARAMS = tuple(vars(PeopleOptions()))
# parameter -> FarBodyOptions field
FAR_BODY_PARAMS = {"far_body_scan_every": "scan_every", "far_body_tiles": "tiles"}


def extractor_options(values: dict[str, Any]) -> ExtractorOptions:
    """Return the options the declared parameters give (``values``: every parameter of the table)."""
    return changed_options(ExtractorOptions(), values) or ExtractorOptions()


def changed_options(current: ExtractorOptions, values: dict[str, Any]) -> ExtractorOptions | None:
    """Return ``current`` with the extractor parameters among ``values`` applied, or None if there are none."""
    changes = {k: v for k, v in values.items() if k in EXTRACTOR_PARAMS}
    recovery = {RECOVERY_PARAMS[k]: v for k, v in values.items() if k in RECOVERY_PARAMS}
    people = {k: v for k, v in values.items() if k in PEOPLE_PARAMS}
    far = {FAR_BODY_PARAMS[k]: v for k, v in values.items() if k in FAR_BODY_PARAMS}
    if not changes and not recovery and not people and not far:
        return None
    return ExtractorOptions(**{**vars(current), **changes,
                               "recovery": RecoveryOptions(**{**vars(current.recovery), **recovery}),
                               "people": PeopleOptions(**{**vars(current.people), **people}),
                               "far_body": FarBodyOptions(**{**vars(current.far_body), **far})})
