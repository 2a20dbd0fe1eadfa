"""Argument templates: typed single placeholders, formatted text, no reach into objects."""

from gesture_ros.actions.template import render, template_problems
from gesture_ros.common.gesture_event import EventType, GestureEventData

EVENT = GestureEventData(event_id="e-1", gesture="x_cross", event_type=EventType.TRIGGER, stamp_ns=1_500_000_000,
                         confidence=0.875, sequence=42, source_id="jetson-07/cam0", handedness="both")


def test_lone_placeholder_keeps_its_type():
    assert render("{confidence}", EVENT) == 0.875
    assert render("{sequence}", EVENT) == 42
    assert render("{stamp}", EVENT) == 1.5
    assert render("{event_type}", EVENT) == "TRIGGER"


def test_text_and_format_specs():
    assert render("{gesture}@{source_id} #{sequence:05d} {confidence:.1%}", EVENT) == \
        "x_cross@jetson-07/cam0 #00042 87.5%"
    assert render("{{literal}} {handedness}", EVENT) == "{literal} both"


def test_nested_values_and_non_strings():
    body = {"g": "{gesture}", "meta": {"c": "{confidence}", "list": ["{sequence}", 3, True]}}
    assert render(body, EVENT) == {"g": "x_cross", "meta": {"c": 0.875, "list": [42, 3, True]}}


def test_problems_are_named():
    assert template_problems("{gesture.__class__}")[0].startswith("unknown placeholder '{gesture.__class__}'")
    assert template_problems("{confidence:d}")[0].startswith("bad format '{confidence:d}'")
    assert template_problems("half {open")[0].startswith("unbalanced brace in 'half {open'")
    assert template_problems(["{gesture}", {"a": "{event_id}"}, 1.0]) == []
