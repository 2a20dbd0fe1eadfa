"""Security: real bridge_node processes against real mosquitto brokers with passwords, ACLs and TLS.

Anonymous, a wrong password, an untrusted CA, a missing client certificate and a topic outside
the ACL are each refused by the broker (or by the bridge's own TLS check) and reported in one
log sentence and in /diagnostics; correctly configured bridges deliver, so the refusals are
not an artefact of the set-up.
"""

import json
import logging
import time

import pytest
from gesture_ros.msg import GestureEvent
from support.bridge_rig import BridgeRig, venv_path
from support.mqtt_subscriber import Subscriber
from support.ros_env import NodeProcess

from gesture_ros.bridge.credentials import ENV_PASSWORD, ENV_USERNAME
from tools.mosquitto import Mosquitto, make_pki

ACL = """user device1
topic write venues/test/devices/cam1/gestures
topic readwrite venues/test/devices/+/status
topic read venues/test/devices/+/control
user venue
topic read venues/#
"""
USERS = {"device1": "s3cret", "venue": "venue-pass"}
CLEARTEXT_OK = {"allow_plaintext_credentials_to": "127.0.0.1"}  # the test broker is on this machine


def _wait(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not predicate():
        time.sleep(0.1)
    return predicate()


@pytest.fixture
def brokers(tmp_path):
    pki = make_pki(tmp_path / "pki")
    auth = Mosquitto(tmp_path / "auth", users=USERS, acl=ACL).start()
    mtls = Mosquitto(tmp_path / "mtls", users=USERS, pki=pki, require_certificate=True).start()
    yield pki, auth, mtls
    auth.stop()
    mtls.stop()


def test_refusals_are_reported_and_good_bridges_deliver(rclpy_context, domain, tmp_path, brokers):
    pki, auth, mtls = brokers
    wrong = tmp_path / "wrong.cred"
    wrong.write_text("device1\nnot-the-password\n")
    wrong.chmod(0o600)
    good_env = {ENV_USERNAME: "device1", ENV_PASSWORD: "s3cret"}
    tls = {"tls_ca_file": pki.ca_crt, "tls_cert_file": pki.client_crt, "tls_key_file": pki.client_key}
    cases = {  # name -> (parameters, extra environment)
        "anonymous": ({"broker_port": auth.port}, {}),
        "wrong_password": ({"broker_port": auth.port, "credentials_file": str(wrong), **CLEARTEXT_OK}, {}),
        "untrusted_ca": ({"broker_port": mtls.port, **tls, "tls_ca_file": pki.rogue_ca_crt}, good_env),
        "no_client_cert": ({"broker_port": mtls.port, "tls_ca_file": pki.ca_crt}, good_env),
        "acl": ({"broker_port": auth.port, **CLEARTEXT_OK}, good_env),
        "mtls_ok": ({"broker_port": mtls.port, **tls}, good_env),
    }
    rig = BridgeRig(rclpy_context, domain, tmp_path)
    venue_auth = Subscriber(auth, user="venue")
    venue_mtls = Subscriber(mtls, user="venue", ca_certs=pki.ca_crt, certfile=pki.client_crt, keyfile=pki.client_key)
    procs = {}
    try:
        for name, (params, env) in cases.items():
            params = {**params, "venue": "test", "device_id": "dev1", "client_id": f"bridge-{name}",
                      "outbox_path": str(tmp_path / f"{name}.db"), "reconnect_min_s": 0.2,
                      "reconnect_max_s": 1.0, "diagnostics_period_s": 0.2}
            procs[name] = NodeProcess("bridge_node", domain, params, extra_args=["-r", f"__node:=bridge_{name}"],
                                      log_dir=tmp_path, env={**venv_path(), **env})
        assert rig.spin_until(lambda: rig.pub.get_subscription_count() >= len(cases)
                              and len(rig.diag) >= len(cases), 60)
        rig.spin_until(lambda: False, 0.5)
        for source in ("cam1", "cam2"):  # cam2 is outside device1's ACL
            rig.sequence[source] = 1
            msg = GestureEvent(event_id=f"{source}-event", source_id=source, sequence=1, gesture="fist",
                               confidence=0.8, event_type=GestureEvent.START)
            rig.pub.publish(msg)

        def diag(name):
            pid = str(procs[name].proc.pid)
            return rig.diag.get(pid, {})

        expected = {
            "anonymous": f"broker mqtt://127.0.0.1:{auth.port} refused the connection: Not authorized "
                         "(CONNACK reason 135); it did not accept no username (anonymous)",
            "wrong_password": f"refused the connection: Not authorized (CONNACK reason 135); it did not accept "
                              f"user 'device1' from {wrong}",
            "untrusted_ca": f"TLS handshake with broker mqtts://127.0.0.1:{mtls.port} failed: self-signed "
                            f"certificate in certificate chain; its certificate is not trusted by tls_ca_file "
                            f"{pki.rogue_ca_crt} (no fallback to plain MQTT)",
            "no_client_cert": f"broker mqtts://127.0.0.1:{mtls.port} closed the TLS connection before CONNACK; "
                              "it probably requires a client certificate",
        }
        for name, sentence in expected.items():
            assert rig.spin_until(lambda s=sentence, n=name: s in diag(n).get("message", "")), \
                f"{name}: diagnostics {diag(name)}\nlog:\n{procs[name].log()[-2000:]}"
            assert diag(name)["level"] == "2"  # ERROR
            assert sentence in procs[name].log()
        assert rig.spin_until(lambda: diag("acl").get("refused publish_refused", "0") != "0")
        assert ("refused the publish of event cam2-event to 'venues/test/devices/cam2/gestures': "
                "Not authorized (PUBACK reason 135)") in procs["acl"].log()
        assert diag("acl")["outbox depth"] == "1"  # kept for when the ACL is fixed
        assert _wait(lambda: [json.loads(p)["event_id"] for p in venue_auth.payloads(b"venue-event")] == ["cam1-event"])
        assert _wait(lambda: sorted(json.loads(p)["event_id"] for p in venue_mtls.payloads(b"venue-event"))
                     == ["cam1-event", "cam2-event"])
        assert rig.spin_until(lambda: diag("mtls_ok").get("state") == "connected")
        assert "mqtts://" in diag("mtls_ok")["broker"]
    finally:
        for proc in procs.values():
            proc.stop()
        venue_auth.close()
        venue_mtls.close()
        rig.close()
    assert "s3cret" not in "".join(p.log_path.read_text() for p in procs.values())


def test_credentials_without_tls_are_refused_unless_the_broker_is_named(domain, tmp_path, brokers):
    _, auth, _ = brokers
    env = {**venv_path(), ENV_USERNAME: "device1", ENV_PASSWORD: "s3cret"}
    base = {"broker_port": auth.port, "venue": "test", "device_id": "dev1", "outbox_path": str(tmp_path / "o.db")}
    for opt_in in ({}, {"allow_plaintext_credentials_to": "broker.example.org"}):  # not set, another broker
        proc = NodeProcess("bridge_node", domain, {**base, **opt_in}, log_dir=tmp_path, env=env)
        assert proc.wait(60) == 1
        log = proc.log()
        proc.stop()
        assert (f"cannot start: credentials from ${ENV_USERNAME} would go to broker mqtt://127.0.0.1:{auth.port} in "
                "cleartext (no TLS CA file): set one to use TLS, or opt in by naming the broker: "
                "allow_plaintext_credentials_to:=127.0.0.1") in log
        assert "Traceback" not in log and "s3cret" not in log
    assert "Received CONNECT" not in auth.log()  # nothing was sent


def test_venue_monitor_refuses_cleartext_credentials_too(monkeypatch, caplog):
    from gesture_ros.venue.monitor import run

    # Once `launch` is imported (test_launch.py, same session) new loggers are LaunchLoggers, which do not
    # propagate: caplog would see nothing.
    monkeypatch.setattr(logging.getLogger("gesture_ros.venue_monitor"), "propagate", True)
    monkeypatch.setenv(ENV_USERNAME, "venue")
    monkeypatch.setenv(ENV_PASSWORD, "venue-pass")
    assert run(["--host", "127.0.0.1", "--port", "1", "--no-table", "--max-seconds", "1"]) == 2
    assert ("would go to broker mqtt://127.0.0.1:1 in cleartext (no TLS CA file): set one to use TLS, or opt in "
            "by naming the broker: --allow-plaintext-credentials-to 127.0.0.1") in caplog.text


def test_venue_control_needs_tls_and_then_disarms(rclpy_context, domain, tmp_path, brokers):
    """Issue 26 item 5: control over plain MQTT stops start-up unless the broker is named; over TLS it works."""
    from std_msgs.msg import Empty

    from gesture_ros.bridge.control import control_message
    from gesture_ros.bridge.payload import iso8601
    from gesture_ros.ros.qos import EVENT_QOS

    pki, auth, mtls = brokers
    base = {"venue": "test", "device_id": "dev1", "control_topic": "venues/{venue}/devices/{device}/control",
            "diagnostics_period_s": 0.2, "reconnect_min_s": 0.2, "reconnect_max_s": 1.0}
    env = {**venv_path(), ENV_USERNAME: "device1", ENV_PASSWORD: "s3cret"}
    plain = NodeProcess("bridge_node", domain, {**base, "broker_port": auth.port, **CLEARTEXT_OK,
                                                "outbox_path": str(tmp_path / "plain.db")}, log_dir=tmp_path, env=env)
    assert plain.wait(60) == 1
    log = plain.log()
    plain.stop()
    assert (f"cannot start: control_topic is set but broker mqtt://127.0.0.1:{auth.port} has no TLS (no tls_ca_file): "
            "anyone on the network could forge venue control; set tls_ca_file, or opt in by naming the broker: "
            "allow_plaintext_control_from:=127.0.0.1") in log and "Traceback" not in log

    rig = BridgeRig(rclpy_context, domain, tmp_path)
    disarms = []
    rig.node.create_subscription(Empty, "dispatch/disarm", disarms.append, EVENT_QOS)
    tls = {"tls_ca_file": pki.ca_crt, "tls_cert_file": pki.client_crt, "tls_key_file": pki.client_key}
    proc = NodeProcess("bridge_node", domain, {**base, "broker_port": mtls.port, **tls,
                                               "outbox_path": str(tmp_path / "tls.db")}, log_dir=tmp_path, env=env)
    venue = Subscriber(mtls, topic="none", user="venue", ca_certs=pki.ca_crt, certfile=pki.client_crt,
                       keyfile=pki.client_key)
    try:
        assert _wait(lambda: "Received SUBSCRIBE from gesture_ros-dev1" in mtls.log(), 60), proc.log()
        assert rig.spin_until(lambda: rig.node.count_publishers("dispatch/disarm") > 0, 30)
        rig.spin_until(lambda: False, 0.5)
        venue.client.publish("venues/test/devices/dev1/control",
                             control_message("disarm", 1, iso8601(time.time_ns())), qos=1).wait_for_publish(5)
        assert rig.spin_until(lambda: len(disarms) == 1, 30), proc.log()[-2000:]
        assert "WITHOUT TLS" not in proc.log()
    finally:
        proc.stop()
        venue.close()
        rig.close()
