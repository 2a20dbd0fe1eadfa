"""bridge_node's parameters as one table, and the bridge configuration they make (no ROS).

Every parameter is read-only at run time except the outbox bounds in RUNTIME: the connection,
the outbox file and above all the control-plane security settings are set at launch.
``bridge_config`` turns the values into a BridgeConfig or raises BridgeSetupError with one
sentence naming the parameter or file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gesture_ros.bridge.connection import BrokerConfig, ConnectionConfigError, MqttVersion, TlsFiles, tls_context
from gesture_ros.bridge.control import ControlPolicy, plaintext_control_refusal
from gesture_ros.bridge.credentials import CredentialsError, cleartext_refusal, load_credentials
from gesture_ros.bridge.outbox import Durability, FullPolicy, OutboxLimits
from gesture_ros.bridge.sender import SenderConfig
from gesture_ros.bridge.service import BridgeConfig
from gesture_ros.bridge.topics import DEFAULT_EVENTS, DEFAULT_STATUS, TopicLayout
from gesture_ros.common.node_params import ParamSpec

PARAMS: tuple[ParamSpec, ...] = (
    ParamSpec("venue", "default", "Venue name, the {venue} level of the topics"),
    ParamSpec("device_id", "", "This device's id, the {device} level of status/control topics ('' = host name)"),
    ParamSpec("broker_host", "127.0.0.1", "MQTT broker host name or address"),
    ParamSpec("broker_port", 1883, "MQTT broker port (8883 is usual with TLS)", (1, 65535)),
    ParamSpec("mqtt_version", "5", "'5' (reason codes, broker limits; recommended) or '3.1.1'"),
    ParamSpec("client_id", "", "Fixed MQTT client id of the persistent session ('' = gesture_ros-<device_id>)"),
    ParamSpec("keepalive_s", 30, "MQTT keepalive in seconds", (5, 3600)),
    ParamSpec("session_expiry_s", 86400, "MQTT 5 session expiry in seconds", (0, 2**31 - 1)),
    ParamSpec("events_topic", DEFAULT_EVENTS, "Event topic template: {venue}, {device}, {source}"),
    ParamSpec("status_topic", DEFAULT_STATUS, "Retained status topic template (online/offline, heartbeat)"),
    ParamSpec("control_topic", "", "Inbound control topic template, e.g. venues/{venue}/devices/{device}/control "
              "('' = no control); needs TLS or allow_plaintext_control_from"),
    ParamSpec("control_max_bytes", 1024, "Largest accepted control message in bytes", (64, 65536)),
    ParamSpec("control_models", "", "Comma-separated models a switch_model control message may select"),
    ParamSpec("control_max_age_s", 10.0, "A control message stamped further than this from the device's clock "
              "is refused (stale, or a replay)", (0.5, 3600.0)),
    ParamSpec("allow_remote_arm", False, "The venue may always disarm; it may arm only when this is true"),
    ParamSpec("allow_plaintext_control_from", "", "Opt-in to accept venue control without TLS: the broker_host it "
              "may come from ('' = never; anyone on the network could forge it)"),
    ParamSpec("heartbeat_s", 10.0, "Period of the retained status heartbeat in seconds", (0.5, 3600.0)),
    ParamSpec("outbox_path", "~/.local/state/gesture_ros/bridge_outbox.sqlite3", "SQLite outbox file"),
    ParamSpec("outbox_max_events", 100000, "Most events the outbox holds", (1, 100_000_000)),
    ParamSpec("outbox_max_age_s", 86400.0, "Oldest event age the outbox holds, s (0 = no limit)", (0.0, 1e8)),
    ParamSpec("outbox_full_policy", "reject_new", "When full: reject_new or drop_oldest"),
    ParamSpec("outbox_durability", "full", "full (fsync: survives power loss) or normal (survives a crash)"),
    ParamSpec("max_payload_bytes", 16384, "Largest event payload accepted into the outbox", (256, 268_435_455)),
    ParamSpec("max_packet_bytes", 0, "Local PUBLISH size limit (0 = only the broker's MQTT 5 maximum)",
              (0, 268_435_455)),
    ParamSpec("inflight", 256, "Most unacknowledged QoS 1 publishes (capped by the broker's receive maximum)",
              (1, 65535)),
    ParamSpec("reconnect_min_s", 0.5, "First reconnect delay in seconds", (0.05, 3600.0)),
    ParamSpec("reconnect_max_s", 30.0, "Largest reconnect delay in seconds", (0.05, 3600.0)),
    ParamSpec("tls_ca_file", "", "CA certificate file; set to use TLS (the broker must present a cert it signed)"),
    ParamSpec("tls_cert_file", "", "Client certificate file (mutual TLS)"),
    ParamSpec("tls_key_file", "", "Client private key file (mutual TLS)"),
    ParamSpec("credentials_file", "", "File with the username (line 1) and password (line 2), mode 600; else "
              "$GESTURE_ROS_MQTT_USERNAME/$GESTURE_ROS_MQTT_PASSWORD"),
    ParamSpec("allow_plaintext_credentials_to", "", "Opt-in to send credentials without TLS: the broker_host they "
              "may go to in cleartext ('' = never; use only for a broker on this machine or a wire you trust)"),
    ParamSpec("diagnostics_period_s", 1.0, "Period of /diagnostics in seconds", (0.05, 60.0)),
)
PARAM_NAMES = tuple(p.name for p in PARAMS)
RUNTIME = frozenset({"outbox_max_events", "outbox_max_age_s", "outbox_full_policy"})  # the rest: read-only


class BridgeSetupError(RuntimeError):
    """A parameter or file makes the bridge unusable; the message says which and why."""


@dataclass(frozen=True)
class BridgeSetup:
    """The configuration, and the warnings to log once at start (opt-ins that weaken security)."""

    config: BridgeConfig
    warnings: tuple[str, ...] = ()


def outbox_limits(values: Mapping[str, Any]) -> OutboxLimits:
    """Return the outbox bounds of ``values`` (the RUNTIME parameters); raise BridgeSetupError."""
    try:
        policy = FullPolicy(values["outbox_full_policy"])
    except ValueError:
        raise BridgeSetupError(f"outbox_full_policy '{values['outbox_full_policy']}' is not one of "
                               f"{[p.value for p in FullPolicy]}") from None
    return OutboxLimits(int(values["outbox_max_events"]), float(values["outbox_max_age_s"]), policy)


def bridge_config(values: Mapping[str, Any], hostname: str) -> BridgeSetup:
    """Build the bridge configuration from parameter values (missing ones take defaults)."""
    v: dict[str, Any] = {p.name: p.default for p in PARAMS}
    v.update(values)
    device = v["device_id"] or hostname
    try:
        version = MqttVersion(v["mqtt_version"])
        durability = Durability(v["outbox_durability"])
        layout = TopicLayout(v["venue"], device, v["events_topic"], v["status_topic"], v["control_topic"])
        tls = None
        if v["tls_ca_file"]:
            tls = TlsFiles(v["tls_ca_file"], v["tls_cert_file"], v["tls_key_file"])
            tls_context(tls)  # fail now, with the file's name, rather than at each reconnect
        elif v["tls_cert_file"] or v["tls_key_file"]:
            raise BridgeSetupError("tls_cert_file/tls_key_file are set but tls_ca_file is empty: set "
                                   "tls_ca_file to use TLS (the bridge never falls back to plain MQTT)")
        credentials = load_credentials(v["credentials_file"])
    except (ValueError, ConnectionConfigError, CredentialsError) as exc:
        raise BridgeSetupError(str(exc)) from None
    host, port = v["broker_host"], v["broker_port"]
    warnings = []
    refusal = cleartext_refusal(credentials, tls is not None, host, port, v["allow_plaintext_credentials_to"])
    if refusal:
        raise BridgeSetupError(refusal)
    if credentials is not None and tls is None:
        warnings.append(f"credentials from {credentials.origin} go to broker {host} in cleartext "
                        "(allow_plaintext_credentials_to)")
    control_topic = layout.control_topic()
    refusal = plaintext_control_refusal(control_topic is not None, tls is not None, host, port,
                                        v["allow_plaintext_control_from"])
    if refusal:
        raise BridgeSetupError(refusal)
    if control_topic is not None and tls is None:
        warnings.append(f"venue control on '{control_topic}' is accepted from broker {host} WITHOUT TLS "
                        "(allow_plaintext_control_from): anyone on that network can send it")
    if v["reconnect_min_s"] > v["reconnect_max_s"]:
        raise BridgeSetupError("reconnect_min_s must not exceed reconnect_max_s")
    control = None if control_topic is None else ControlPolicy(
        control_topic, v["control_max_bytes"], tuple(m.strip() for m in v["control_models"].split(",") if m.strip()),
        float(v["control_max_age_s"]), bool(v["allow_remote_arm"]))
    broker = BrokerConfig(host, port, version, tls, credentials, v["keepalive_s"], v["session_expiry_s"])
    sender = SenderConfig(broker, layout, v["client_id"] or f"gesture_ros-{device}", v["inflight"],
                          v["max_packet_bytes"], v["reconnect_min_s"], v["reconnect_max_s"], v["heartbeat_s"],
                          control=control)
    config = BridgeConfig(sender, os.path.expanduser(v["outbox_path"]), outbox_limits(v), durability,
                          v["max_payload_bytes"])
    return BridgeSetup(config, tuple(warnings))
