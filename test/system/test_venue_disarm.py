"""The venue disarms a real action_dispatch_node through a real bridge_node and mosquitto, and cannot arm it.

Issue 26 item 5: the bridge turns a venue ``disarm`` into ``dispatch/disarm`` (the only arming
topic SROS2 grants it), the dispatcher disarms; an ``arm`` is refused by the bridge unless
``allow_remote_arm`` is true, so the dispatcher stays disarmed.
"""

from __future__ import annotations

import time

import pytest

rclpy = pytest.importorskip("rclpy")

from diagnostic_msgs.msg import DiagnosticArray  # noqa: E402
from support.bridge_rig import BridgeRig, venv_path  # noqa: E402
from support.mqtt_subscriber import Subscriber  # noqa: E402
from support.ros_env import NodeProcess  # noqa: E402

from gesture_ros.bridge.control import control_message  # noqa: E402
from gesture_ros.bridge.payload import iso8601  # noqa: E402
from tools.mosquitto import Mosquitto  # noqa: E402

CONTROL = "venues/test/devices/dev1/control"


def test_the_venue_disarms_the_dispatcher_and_cannot_arm_it(rclpy_context, domain, tmp_path):
    rig = BridgeRig(rclpy_context, domain, tmp_path)
    reports: list[str] = []  # the dispatcher's "armed" figure, report by report (its parameters are read-only)
    rig.node.create_subscription(DiagnosticArray, "/diagnostics", lambda msg: reports.extend(
        kv.value for s in msg.status if s.name.endswith("action_dispatch_node") for kv in s.values if kv.key == "armed"), 50)

    def armed() -> bool | None:
        return {"True": True, "False": False}.get(reports[-1]) if reports else None

    with Mosquitto(tmp_path / "broker") as broker:
        dispatcher = NodeProcess("action_dispatch_node", domain, {"armed": True}, log_dir=tmp_path, env=venv_path())
        rig.start_bridge({"broker_port": broker.port, "venue": "test", "device_id": "dev1",
                          "outbox_path": str(tmp_path / "o.db"), "control_topic": "venues/{venue}/devices/{device}/control",
                          "allow_plaintext_control_from": "127.0.0.1", "diagnostics_period_s": 0.2})
        venue = Subscriber(broker, topic="none")
        try:
            assert rig.spin_until(lambda: armed() is not None, 30), dispatcher.log()
            assert rig.spin_until(lambda: "Received SUBSCRIBE from gesture_ros-dev1" in broker.log())
            assert rig.spin_until(lambda: rig.node.count_subscribers("dispatch/disarm") > 0
                                  and rig.node.count_publishers("dispatch/disarm") > 0, 30)
            rig.spin_until(lambda: False, 1.0)  # let the bridge's writer match the dispatcher's reader
            assert armed() is True
            venue.client.publish(CONTROL, control_message("disarm", 1, iso8601(time.time_ns())), qos=1).wait_for_publish(5)
            assert rig.spin_until(lambda: armed() is False, 30), dispatcher.log()[-2000:]
            venue.client.publish(CONTROL, control_message("arm", 2, iso8601(time.time_ns())), qos=1).wait_for_publish(5)
            assert rig.spin_until(lambda: rig.figures().get("refused control_arm_not_allowed") == "1", 30)
            seen = len(reports)
            assert rig.spin_until(lambda: len(reports) > seen + 1, 30)  # a report made after the refused arm
            assert armed() is False
        finally:
            venue.close()
            dispatcher.stop()
            rig.close()
