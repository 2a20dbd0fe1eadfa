"""Typed options of the keypoint extractor and its stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from gesture_ros.perception.extraction.far_body import FarBodyOptions


class ModelKind(str, Enum):
    """Which MediaPipe solution(s) to run."""

    HANDS = "hands"
    POSE = "pose"
    HOLISTIC = "holistic"
    HANDS_POSE = "hands_pose"

    @property
    def runs_hands(self) -> bool:
        return self in (ModelKind.HANDS, ModelKind.HANDS_POSE)

    @property
    def runs_pose(self) -> bool:
        return self in (ModelKind.POSE, ModelKind.HANDS_POSE, ModelKind.HOLISTIC)


# keypoint_node's and the launch's model: the default gesture model reads hands and pose.
NODE_MODEL = ModelKind.HANDS_POSE
# keypoint_node's palm_detect_every (the engine; the options' own default is MediaPipe's rule, 1, the
# reference the agreement tests hold): a missing hand is looked for every 5th frame (docs/engine.md).
NODE_PALM_DETECT_EVERY = 5


@dataclass
class RecoveryOptions:
    """When a tracked hand is re-detected instead of trusted (perception/extraction/recovery.py)."""

    enabled: bool = True
    # Re-detect before a frame that follows this many skipped frames (0: never for skips alone).
    redetect_after_skipped: int = 0
    # Hand wrist to the same side's pose wrist, in expected hand lengths, above which they disagree.
    max_wrist_distance: float = 2.0
    # Hand wrist speed, in hand lengths per second, above which a step between frames is a jump.
    max_speed: float = 40.0
    # A hand whose palm is shorter than this fraction of the expected hand length has collapsed.
    min_palm_fraction: float = 0.35

    def validate(self) -> None:
        """Raise ValueError naming the first option out of range."""
        if self.redetect_after_skipped < 0:
            raise ValueError(f"redetect_after_skipped must be >= 0, got {self.redetect_after_skipped}")
        for name in ("max_wrist_distance", "max_speed", "min_palm_fraction"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)}")
        if self.min_palm_fraction >= 1:
            raise ValueError(f"min_palm_fraction must be < 1, got {self.min_palm_fraction}")


@dataclass
class PeopleOptions:
    """Several people (perception/people_extractor.py): how they are found, tracked and cropped."""

    max_people: int = 1  # 1: the single-person extractor, unchanged
    hand_crops: bool = False  # with max_people 1 too: hands from crops at the pose wrists (small hands)
    detect_every: int = 5  # look for new faces every N frames (every frame while nobody is tracked)
    lost_after: int = 10  # frames in a row without a pose after which a person's track (and id) ends
    min_face_score: float = 0.6
    body_crop_px: int = 256  # a person's body crop is resampled to this size for Pose
    hand_crop_px: int = 256  # a wrist crop is resampled to this size for Hands
    hand_crop_scale: float = 3.5  # a wrist crop spans this many expected hand lengths

    @property
    def enabled(self) -> bool:
        return self.max_people > 1 or self.hand_crops

    def validate(self) -> None:
        """Raise ValueError naming the first option out of range."""
        limits = {"max_people": (1, 16), "detect_every": (1, 1000), "lost_after": (1, 1000),
                  "body_crop_px": (64, 1024), "hand_crop_px": (64, 1024)}
        for name, (lo, hi) in limits.items():
            if not lo <= getattr(self, name) <= hi:
                raise ValueError(f"{name} must be {lo}..{hi}, got {getattr(self, name)}")
        if not 0.0 < self.min_face_score <= 1.0:
            raise ValueError(f"min_face_score must be in (0, 1], got {self.min_face_score}")
        if not 1.5 <= self.hand_crop_scale <= 10.0:
            raise ValueError(f"hand_crop_scale must be 1.5..10, got {self.hand_crop_scale}")


PALM_DETECT_EVERY_MAX = 30  # a second hand found at most ~1 s late at 30 frames/s


@dataclass
class ExtractorOptions:
    """Options of KeypointExtractor (perception/extractor.py explains models and handedness)."""

    model: str = "hands"
    max_num_hands: int = 2
    model_complexity: int = 1  # hands: 0..1, pose/holistic: 0..2 (clipped per model)
    min_detection_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    mirrored_input: bool = False
    enable_face: bool = False  # holistic only
    concurrent: bool = True  # hands_pose: run Hands and Pose at the same time (two threads)
    max_image_side: int = 0  # scale frames whose longer side exceeds this down first; 0: never
    # onnx backend: while fewer hands are tracked than wanted, the palm detector runs every N frames
    # (1: MediaPipe's rule, every such frame; docs/engine.md has the speed/agreement trade-off)
    palm_detect_every: int = 1
    recovery: RecoveryOptions = field(default_factory=RecoveryOptions)
    people: PeopleOptions = field(default_factory=PeopleOptions)
    far_body: FarBodyOptions = field(default_factory=FarBodyOptions)  # pose, hands_pose: small, far bodies

    def validate(self) -> ModelKind:
        """Return the model kind, or raise ValueError naming the bad option."""
        try:
            kind = ModelKind(self.model)
        except ValueError:
            raise ValueError(
                f"model '{self.model}' is unknown; choose one of {[k.value for k in ModelKind]}"
            ) from None
        if not 1 <= self.max_num_hands <= 4:
            raise ValueError(f"max_num_hands must be 1..4, got {self.max_num_hands}")
        if not 0 <= self.model_complexity <= 2:
            raise ValueError(f"model_complexity must be 0..2, got {self.model_complexity}")
        for name in ("min_detection_confidence", "min_tracking_confidence"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in 0..1, got {getattr(self, name)}")
        if self.enable_face and kind != ModelKind.HOLISTIC:
            raise ValueError(f"enable_face needs model 'holistic', got '{self.model}'")
        if self.max_image_side != 0 and self.max_image_side < 64:
            raise ValueError(f"max_image_side must be 0 (never scale) or >= 64, got {self.max_image_side}")
        if not 1 <= self.palm_detect_every <= PALM_DETECT_EVERY_MAX:
            raise ValueError(f"palm_detect_every must be 1..{PALM_DETECT_EVERY_MAX}, got {self.palm_detect_every}")
        self.recovery.validate()
        self.people.validate()
        self.far_body.validate()
        return kind
