"""How to reach the broker: address, MQTT version, TLS and credentials, shared by both ends.

MQTT 5 is the default because it is the only version in which the broker says what it
refuses: a PUBACK reason code for a publish outside the ACL (MQTT 3.1.1 acknowledges and
drops it, so the outbox would delete an event that never arrived), its maximum packet
size and receive maximum in CONNACK, and a session expiry to bound its stored state.
MQTT 3.1.1 (persistent session: clean_session=False) remains for older brokers.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from gesture_ros.bridge.credentials import Credentials

# CONNACK codes that mean "who you are" is the problem (v5 and v3.1.1 numbering).
_AUTH_CODES = {4, 5, 134, 135, 138}


class MqttVersion(str, Enum):
    V5 = "5"
    V311 = "3.1.1"


class ConnectionConfigError(ValueError):
    """A TLS file is missing or unusable; the message names it."""


@dataclass(frozen=True)
class TlsFiles:
    ca_file: str
    cert_file: str = ""
    key_file: str = ""


@dataclass(frozen=True)
class BrokerConfig:
    host: str = "127.0.0.1"
    port: int = 1883
    version: MqttVersion = MqttVersion.V5
    tls: TlsFiles | None = None
    credentials: Credentials | None = None
    keepalive_s: int = 30
    session_expiry_s: int = 86400

    @property
    def address(self) -> str:
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"


def tls_context(tls: TlsFiles) -> ssl.SSLContext:
    """Return a context that trusts only ``tls.ca_file`` and checks the broker's host name."""
    for name, path in (("tls_ca_file", tls.ca_file), ("tls_cert_file", tls.cert_file),
                       ("tls_key_file", tls.key_file)):
        if path and not Path(path).expanduser().is_file():
            raise ConnectionConfigError(f"{name} {path} does not exist")
    if bool(tls.cert_file) != bool(tls.key_file):
        raise ConnectionConfigError("tls_cert_file and tls_key_file must be given together")
    try:
        ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(Path(tls.ca_file).expanduser()))
        if tls.cert_file:
            ctx.load_cert_chain(str(Path(tls.cert_file).expanduser()), str(Path(tls.key_file).expanduser()))
    except (ssl.SSLError, OSError) as exc:
        raise ConnectionConfigError(f"TLS files (ca {tls.ca_file}, cert {tls.cert_file or '-'}) "
                                    f"cannot be loaded: {exc}") from None
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def build_client(cfg: BrokerConfig, client_id: str, persistent: bool,
                 auto_reconnect: bool = False) -> mqtt.Client:
    """Return a paho client with TLS and credentials applied (not yet connected).

    ``auto_reconnect`` lets paho's loop reconnect by itself; the bridge's sender leaves it
    off and reconnects with its own jittered backoff.
    """
    v5 = cfg.version is MqttVersion.V5
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                         protocol=mqtt.MQTTv5 if v5 else mqtt.MQTTv311,
                         clean_session=None if v5 else not persistent,
                         reconnect_on_failure=auto_reconnect)
    if cfg.tls is not None:
        client.tls_set_context(tls_context(cfg.tls))
    if cfg.credentials is not None:
        client.username_pw_set(cfg.credentials.username, cfg.credentials.password or None)
    return client


def connect_args(cfg: BrokerConfig, persistent: bool) -> dict[str, Any]:
    """Return the keyword arguments of ``client.connect`` for this version and session kind."""
    if cfg.version is not MqttVersion.V5:
        return {}
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = cfg.session_expiry_s if persistent else 0
    return {"clean_start": not persistent, "properties": props}


def refusal_sentence(cfg: BrokerConfig, code: int, reason: str) -> str:
    """Return one sentence saying that and why the broker refused the connection."""
    sentence = f"broker {cfg.address} refused the connection: {reason} (CONNACK reason {code})"
    if code in _AUTH_CODES:
        who = f"user '{cfg.credentials.username}' from {cfg.credentials.origin}" if cfg.credentials \
            else "no username (anonymous)"
        sentence += f"; it did not accept {who}: check credentials_file or $GESTURE_ROS_MQTT_USERNAME/PASSWORD"
    return sentence


def publish_size(topic: str, payload_len: int, v5: bool) -> int:
    """Return the size in bytes of a QoS 1 PUBLISH packet with no properties."""
    remaining = 2 + len(topic.encode()) + 2 + (1 if v5 else 0) + payload_len
    length_bytes = 1 if remaining < 128 else 2 if remaining < 16384 else 3 if remaining < 2097152 else 4
    return 1 + length_bytes + remaining
