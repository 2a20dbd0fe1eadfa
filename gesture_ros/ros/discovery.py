"""What a launch sets so that DDS discovery stays where it should, in the words each distro understands.

``ROS_AUTOMATIC_DISCOVERY_RANGE`` exists from Iron on; Humble (the Jetson's JetPack 6 ROS 2) and
older only know ``ROS_LOCALHOST_ONLY``, and ignore the other: a Humble launch that sets only the
new variable discovers across the whole subnet. ``ROS_DOMAIN_ID`` keeps the nodes apart from
every other ROS 2 system on domain 0.
"""

from __future__ import annotations

from collections.abc import Mapping

OLD_DISTROS = ("foxy", "galactic", "humble")  # before ROS_AUTOMATIC_DISCOVERY_RANGE
RANGES = ("localhost", "subnet")
MAX_DOMAIN_ID = 232  # the highest id Fast DDS and Cyclone accept on Linux


class DiscoveryError(ValueError):
    """A discovery or domain argument that cannot be used; the message says which."""


def discovery_env(discovery: str, domain_id: str, environ: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """Return the variables to give every node, and warnings for the user.

    ``discovery``: localhost (this machine only) or subnet; ``domain_id``: "" keeps the
    environment's ROS_DOMAIN_ID. The distro is read from ``ROS_DISTRO`` (unknown: Iron or later).
    """
    if discovery not in RANGES:
        raise DiscoveryError(f"discovery:={discovery} is not one of {', '.join(RANGES)}")
    old = environ.get("ROS_DISTRO", "").lower() in OLD_DISTROS
    if old:
        env = {"ROS_LOCALHOST_ONLY": "1" if discovery == "localhost" else "0"}
    else:
        env = {"ROS_AUTOMATIC_DISCOVERY_RANGE": discovery.upper()}
    warnings = []
    if domain_id:
        if not domain_id.isdigit() or int(domain_id) > MAX_DOMAIN_ID:
            raise DiscoveryError(f"domain_id:={domain_id} is not a number from 0 to {MAX_DOMAIN_ID}")
        env["ROS_DOMAIN_ID"] = str(int(domain_id))
    elif not environ.get("ROS_DOMAIN_ID"):
        warnings.append("no ROS_DOMAIN_ID (environment or domain_id:=N): the nodes share domain 0 with every "
                        "other ROS 2 system they can discover")
    if discovery == "subnet":
        warnings.append("discovery:=subnet: any machine on this subnet can see and command these nodes; lock "
                        "the control plane with SROS2 (docs/security.md)")
    return env, warnings
