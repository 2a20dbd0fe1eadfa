"""Discovery stays on this machine by default, on Humble as on Iron and later (issue 26, item 7).

Humble ignores ROS_AUTOMATIC_DISCOVERY_RANGE: a launch that only set it would discover across
the subnet on domain 0. The launch gives every node the variable its distro reads.
"""

from __future__ import annotations

import pytest

from gesture_ros.ros.discovery import DiscoveryError, discovery_env


@pytest.mark.parametrize("distro, expected", [
    ("humble", {"ROS_LOCALHOST_ONLY": "1"}), ("foxy", {"ROS_LOCALHOST_ONLY": "1"}),
    ("jazzy", {"ROS_AUTOMATIC_DISCOVERY_RANGE": "LOCALHOST"}), ("", {"ROS_AUTOMATIC_DISCOVERY_RANGE": "LOCALHOST"}),
])
def test_localhost_in_the_words_of_each_distro(distro, expected):
    env, warnings = discovery_env("localhost", "", {"ROS_DISTRO": distro, "ROS_DOMAIN_ID": "7"})
    assert env == expected and warnings == []


def test_domain_and_subnet_are_set_and_warned_about():
    env, warnings = discovery_env("subnet", "42", {"ROS_DISTRO": "humble"})
    assert env == {"ROS_LOCALHOST_ONLY": "0", "ROS_DOMAIN_ID": "42"}
    assert len(warnings) == 1 and "any machine on this subnet" in warnings[0]
    _, warnings = discovery_env("localhost", "", {"ROS_DISTRO": "humble"})
    assert len(warnings) == 1 and "no ROS_DOMAIN_ID" in warnings[0]
    for bad in (("everywhere", ""), ("localhost", "300"), ("localhost", "-1")):
        with pytest.raises(DiscoveryError):
            discovery_env(*bad, {})
