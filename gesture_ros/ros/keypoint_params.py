"""keypoint_node's extractor parameters: declare them, and turn run-time changes into new options."""

from __future__ import annotations

from typing import Any

from rclpy.node import Node

from gesture_ros.perception.extraction.far_body import FarBodyOptions
from gesture_ros.perception.extraction.options import NODE_MODEL, PeopleOptions
from gesture_ros.perception.extractor import ExtractorOptions, ModelKind, RecoveryOptions
from gesture_ros.ros.params import declare

MODELS = [k.value for k in ModelKind]
EXTRACTOR_PARAMS = ("model", "max_num_hands", "model_complexity", "min_detection_confidence",
                    "min_tracking_confidence", "mirrored_input", "enable_face", "concurrent", "max_image_side")
# parameter -> RecoveryOptions field
RECOVERY_PARAMS = {"recovery": "enabled", "redetect_after_skipped": "redetect_after_skipped",
                   "max_wrist_distance": "max_wrist_distance", "max_hand_speed": "max_speed",
                   "min_palm_fraction": "min_palm_fraction"}
# parameter -> PeopleOptions field (the same names)
PEOPLE_PARAMS = tuple(vars(PeopleOptions()))
# parameter -> FarBodyOptions field
FAR_BODY_PARAMS = {"far_body_scan_every": "scan_every", "far_body_tiles": "tiles"}


def declare_extractor_options(node: Node) -> ExtractorOptions:
    """Declare the extractor's parameters on ``node`` and return the options they give."""
    recovery, people, far = RecoveryOptions(), PeopleOptions(), FarBodyOptions()
    return ExtractorOptions(
        model=declare(node, "model", NODE_MODEL.value, f"MediaPipe solution: {', '.join(MODELS)}"),
        max_num_hands=declare(node, "max_num_hands", 2, "Most hands to track (hands, hands_pose)", (1, 4)),
        model_complexity=declare(node, "model_complexity", 1, "0 fastest .. 2 most accurate (hands: 0..1)",
                                 (0, 2)),
        min_detection_confidence=declare(node, "min_detection_confidence", 0.5, "Detector threshold",
                                         (0.0, 1.0)),
        min_tracking_confidence=declare(node, "min_tracking_confidence", 0.5, "Tracker threshold; below it "
                                        "the detector runs again", (0.0, 1.0)),
        mirrored_input=declare(node, "mirrored_input", False, "True when images are mirrored (selfie view); "
                               "left_hand/right_hand stay the performer's anatomical hands either way"),
        enable_face=declare(node, "enable_face", False, "Publish face landmarks (holistic only)"),
        concurrent=declare(node, "concurrent", True, "hands_pose: run Hands and Pose at the same time"),
        max_image_side=declare(node, "max_image_side", 0, "Scale images whose longer side exceeds this "
                               "down before MediaPipe (0: never)", (0, 16384)),
        recovery=RecoveryOptions(
            enabled=declare(node, "recovery", True, "Re-detect tracked hands that disagree with the body or "
                            "with themselves (far from the pose wrist, jump, collapsed)"),
            redetect_after_skipped=declare(node, "redetect_after_skipped", recovery.redetect_after_skipped,
                                           "Also re-detect hands after this many dropped images (0: never)",
                                           (0, 1000)),
            max_wrist_distance=declare(node, "max_wrist_distance", recovery.max_wrist_distance,
                                       "Hand wrist to pose wrist, in hand lengths, beyond which they disagree",
                                       (0.1, 100.0)),
            max_speed=declare(node, "max_hand_speed", recovery.max_speed, "Hand speed, in hand lengths per "
                              "second, beyond which a step between frames is a jump", (0.1, 1000.0)),
            min_palm_fraction=declare(node, "min_palm_fraction", recovery.min_palm_fraction, "A palm shorter "
                                      "than this fraction of the expected hand length has collapsed",
                                      (0.01, 0.99))),
        people=PeopleOptions(
            max_people=declare(node, "max_people", people.max_people, "Most people to track, each with their "
                               "own id and Keypoints message (1: the single-person extractor)", (1, 16)),
            hand_crops=declare(node, "hand_crops", people.hand_crops, "Find hands on upscaled crops at the pose "
                               "wrists even for one person (small, far hands); on whenever max_people > 1"),
            detect_every=declare(node, "detect_every", people.detect_every, "Look for new people (faces) every "
                                 "N frames; every frame while nobody is tracked", (1, 1000)),
            lost_after=declare(node, "lost_after", people.lost_after, "Frames in a row without a pose after "
                               "which a person's track ends (a returning person gets a new id)", (1, 1000)),
            min_face_score=declare(node, "min_face_score", people.min_face_score, "Face detection threshold "
                                   "for finding new people", (0.01, 1.0)),
            body_crop_px=declare(node, "body_crop_px", people.body_crop_px, "Size a person's body crop is "
                                 "resampled to for Pose", (64, 1024)),
            hand_crop_px=declare(node, "hand_crop_px", people.hand_crop_px, "Size a wrist crop is resampled "
                                 "to for Hands", (64, 1024)),
            hand_crop_scale=declare(node, "hand_crop_scale", people.hand_crop_scale, "A wrist crop spans this "
                                    "many expected hand lengths", (1.5, 10.0))),
        far_body=FarBodyOptions(
            scan_every=declare(node, "far_body_scan_every", far.scan_every, "pose, hands_pose: when Pose finds no "
                               "body, search zoomed tiles for a small one every N frames, then follow it (0: never)",
                               (0, 10000)),
            tiles=declare(node, "far_body_tiles", far.tiles, "Tiles per side of the far-body search", (1, 4))))


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
