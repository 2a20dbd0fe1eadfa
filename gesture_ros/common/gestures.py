"""The default model's gestures: names, event kinds and what counts as each."""

from __future__ import annotations

from dataclasses import dataclass

from gesture_ros.common.model_meta import GestureKind


@dataclass(frozen=True)
class Gesture:
    name: str
    kind: GestureKind
    definition: str


DEFAULT_GESTURES = (
    Gesture("none", GestureKind.NONE,
            "anything else: no hand, relaxed or resting hands, slow drifts, other hand shapes "
            "(V sign, OK sign, half-curled fingers), arms at the sides, hands in front of the body"),
    Gesture("open_palm", GestureKind.HELD,
            "'stop': one hand held still, all five fingers extended and spread, palm or back toward "
            "the camera, fingers pointing up (within about 45 degrees)"),
    Gesture("fist", GestureKind.HELD,
            "one hand held still, all fingers curled into the palm, thumb folded across or beside them"),
    Gesture("pointing", GestureKind.HELD,
            "one hand held still, index finger extended, the other three curled, thumb tucked; "
            "pointing up, sideways or toward the camera"),
    Gesture("thumbs_up", GestureKind.HELD,
            "one hand held still as a fist with the thumb extended and pointing up (within about 45 degrees)"),
    Gesture("thumbs_down", GestureKind.HELD,
            "one hand held still as a fist with the thumb extended and pointing down (within about 45 degrees)"),
    Gesture("swipe_left", GestureKind.TRIGGER,
            "one hand moves quickly (about 0.2-0.8 s) horizontally toward -x of the published image "
            "(the performer's right side in an unmirrored camera image), over at least two palm widths"),
    Gesture("swipe_right", GestureKind.TRIGGER,
            "one hand moves quickly horizontally toward +x of the published image (the performer's "
            "left side in an unmirrored camera image), over at least two palm widths"),
    Gesture("x_cross", GestureKind.TRIGGER,
            "both forearms crossed in an X in front of the chest or belly and held still (the 'Dame' "
            "jump); pose alone carries it, hands may be hidden but the pose must see both forearms; "
            "arms folded at rest look the same from afar and count (models/MODEL_CARD.md); needs the "
            "upper body in view"),
)


def default_labels() -> list[str]:
    """Return the default model's labels in output order ('none' first)."""
    return [g.name for g in DEFAULT_GESTURES]


def default_kinds() -> dict[str, GestureKind]:
    """Return label -> GestureKind for the default vocabulary."""
    return {g.name: g.kind for g in DEFAULT_GESTURES}


def kinds_for(labels: list[str]) -> dict[str, GestureKind]:
    """Return kinds for any label list: known names keep theirs, 'none' is NONE, others HELD."""
    known = default_kinds()
    return {lab: known.get(lab, GestureKind.NONE if lab == "none" else GestureKind.HELD) for lab in labels}
