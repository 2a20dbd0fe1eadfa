"""The broker options the venue's commands share (TLS and credentials as the bridge has them)."""

from __future__ import annotations

import argparse

from gesture_ros.bridge.connection import BrokerConfig, MqttVersion, TlsFiles
from gesture_ros.bridge.credentials import cleartext_refusal, load_credentials
from gesture_ros.bridge.topics import DEFAULT_EVENTS, DEFAULT_STATUS


def add_broker_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="MQTT broker host")
    p.add_argument("--port", type=int, default=1883, help="MQTT broker port")
    p.add_argument("--mqtt-version", choices=[v.value for v in MqttVersion], default=MqttVersion.V5.value)
    p.add_argument("--venue", default="+", help="venue to watch (default: all)")
    p.add_argument("--events-template", default=DEFAULT_EVENTS)
    p.add_argument("--status-template", default=DEFAULT_STATUS)
    p.add_argument("--client-id", default="", help="fixed id: persistent session (nothing missed across restarts)")
    p.add_argument("--tls-ca", default="", help="CA file; enables TLS (no fallback to plain)")
    p.add_argument("--tls-cert", default="")
    p.add_argument("--tls-key", default="")
    p.add_argument("--credentials-file", default="", help="line 1 username, line 2 password (mode 600); "
                   "else $GESTURE_ROS_MQTT_USERNAME/PASSWORD")
    p.add_argument("--allow-plaintext-credentials-to", default="", metavar="HOST",
                   help="send credentials without TLS, but only to this broker host (must equal --host)")


def broker_from_args(args: argparse.Namespace) -> BrokerConfig:
    """Return the broker configuration; raise ValueError or CredentialsError with the reason."""
    tls = TlsFiles(args.tls_ca, args.tls_cert, args.tls_key) if args.tls_ca else None
    credentials = load_credentials(args.credentials_file)
    refusal = cleartext_refusal(credentials, tls is not None, args.host, args.port,
                                args.allow_plaintext_credentials_to, "--allow-plaintext-credentials-to")
    if refusal:
        raise ValueError(refusal)
    return BrokerConfig(host=args.host, port=args.port, version=MqttVersion(args.mqtt_version), tls=tls,
                        credentials=credentials)
