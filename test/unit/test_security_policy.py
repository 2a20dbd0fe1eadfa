"""The shipped SROS2 policy (config/sros2) grants the control plane to the right enclaves only."""

import xml.etree.ElementTree as ET
from pathlib import Path

POLICY = Path(__file__).resolve().parents[2] / "config" / "sros2" / "gesture_ros.policy.xml"


def _grants() -> dict[tuple[str, str], set[str]]:
    """Return (resource, permission) -> the enclaves allowed it, e.g. ('cmd_vel', 'publish')."""
    out: dict[tuple[str, str], set[str]] = {}
    root = ET.parse(POLICY).getroot()
    for enclave in root.iter("enclave"):
        for group in [*enclave.iter("topics"), *enclave.iter("services")]:
            for permission, rule in group.attrib.items():
                if rule != "ALLOW":
                    continue
                for item in group:
                    out.setdefault((item.text, permission), set()).add(enclave.get("path").rsplit("/", 1)[1])
    return out


def test_only_the_operator_and_the_venue_bridge_drive_the_control_plane():
    grants = _grants()
    assert grants[("dispatch/set_armed", "request")] == {"operator"}
    assert grants[("dispatch/set_armed", "reply")] == {"action_dispatch_node"}
    # The venue bridge may disarm; only the enclave meant for allow_remote_arm: true may arm.
    assert grants[("dispatch/armed", "publish")] == {"operator", "bridge_node_remote_arm", "action_dispatch_node"}
    assert grants[("dispatch/disarm", "publish")] == {"operator", "bridge_node", "bridge_node_remote_arm"}
    assert grants[("dispatch/disarm", "subscribe")] == {"action_dispatch_node"}
    assert grants[("classifier/model", "publish")] == {"operator", "bridge_node", "bridge_node_remote_arm"}
    assert grants[("classifier/model", "subscribe")] == {"classifier_node"}
    for node in ("action_dispatch_node", "classifier_node", "bridge_node"):
        assert grants[(f"/{node}/set_parameters", "request")] == {"operator"}


def test_what_moves_the_robot_has_one_writer_each():
    grants = _grants()
    assert grants[("cmd_vel", "publish")] == {"action_dispatch_node"}
    assert grants[("gesture/events", "publish")] == {"classifier_node"}
    assert grants[("gesture/scores", "publish")] == {"classifier_node"}  # keeps held motion alive
    assert grants[("keypoints", "publish")] == {"keypoint_node"}
    assert grants[("image_raw", "publish")] == {"camera_node"}
    assert grants[("/clock", "publish")] == {"camera_node"}
