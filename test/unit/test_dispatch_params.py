"""The dispatcher's parameter table against the profiles that set it and the docs that describe it."""

import re
from pathlib import Path

import pytest
import yaml

from gesture_ros.actions.dispatch_params import PARAM_NAMES, PARAMS, READ_ONLY, settings_from

REPO = Path(__file__).resolve().parents[2]
PROFILES = sorted((REPO / "config" / "profiles").glob("*.yaml"))


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.stem)
def test_profiles_name_only_known_parameters_with_their_types(profile):
    values = yaml.safe_load(profile.read_text())["/**/action_dispatch_node"]["ros__parameters"]
    known = {p.name: p for p in PARAMS}
    assert set(values) <= set(known), set(values) - set(known)
    for name, value in values.items():
        assert type(value) is type(known[name].default), name  # ROS parameters are typed
    settings_from(values)  # in range


def test_the_docs_list_every_parameter_once_with_its_default_and_read_only():
    text = (REPO / "docs" / "actions.md").read_text()
    rows = dict(re.findall(r"^\| `([a-z_]+)` \| ([^\n]+)\|$", text.split("## Parameters", 1)[1].split("\n## ", 1)[0],
                           re.M))
    assert set(rows) == set(PARAM_NAMES)
    for spec in PARAMS:
        default = str(spec.default).lower() if isinstance(spec.default, bool) else str(spec.default)
        assert f"`{default}`" in rows[spec.name], (spec.name, rows[spec.name])
        assert "read-only" in rows[spec.name]


def test_every_dispatcher_parameter_is_read_only_and_defaults_make_valid_settings():
    # issue 26 item 6: safety limits, the map and the start state are set at launch only
    assert READ_ONLY == frozenset(PARAM_NAMES)
    s = settings_from({})
    assert s.safety.armed and s.safety.hold_timeout_s == 0.5 and s.action_map == "config/actions/default.yaml"
    with pytest.raises(ValueError, match=r"parameter hold_timeout_s=0.0 is outside \[0.05, 60.0\]"):
        settings_from({"hold_timeout_s": 0.0})
