"""One connection to the broker: open it and wait for CONNACK, or say in one sentence why not.

A session that fails or drops is abandoned, never reused: the sender opens a new one after its
backoff and sends again whatever the outbox still holds.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from gesture_ros.bridge.connection import (
    BrokerConfig,
    ConnectionConfigError,
    build_client,
    connect_args,
    refusal_sentence,
)


class LinkState(str, Enum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"  # broker unreachable or connection lost; retrying
    REFUSED = "refused"  # CONNACK refused (credentials, not authorised); retrying
    TLS_ERROR = "tls_error"  # certificate not trusted, or the broker closed the TLS session
    STOPPED = "stopped"


class LinkError(Exception):
    """A connection attempt failed: the state to report, the sentence, and a key for throttling."""

    def __init__(self, state: LinkState, sentence: str, key: str) -> None:
        super().__init__(sentence)
        self.state, self.sentence, self.key = state, sentence, key


@dataclass(frozen=True)
class BrokerLimits:
    """What the broker announced in CONNACK (MQTT 5); 0 means not announced."""

    max_packet: int = 0
    receive_max: int = 0


class Session:
    """A paho client with its network loop in paho's thread, connected once."""

    def __init__(self, cfg: BrokerConfig, client_id: str, inflight: int, will_topic: str, will: bytes,
                 on_publish: Callable, on_message: Callable, on_lost: Callable[[str], None]) -> None:
        self.cfg = cfg
        self._on_lost = on_lost
        self._connack = threading.Event()
        self.lost = threading.Event()
        self._result: tuple = (None, "", None)
        try:
            self.client = build_client(cfg, client_id, persistent=True)
        except ConnectionConfigError as exc:
            raise LinkError(LinkState.TLS_ERROR, str(exc), "tlsfiles") from None
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_publish = on_publish
        self.client.on_message = on_message
        self.client.max_inflight_messages_set(inflight)  # the sender's window may narrow it further
        self.client.will_set(will_topic, will, qos=1, retain=True)

    def open(self, timeout_s: float, stop: threading.Event, waiting: int) -> BrokerLimits:
        """Connect and wait for a successful CONNACK; raise LinkError saying what went wrong."""
        cfg = self.cfg
        try:
            self.client.connect(cfg.host, cfg.port, cfg.keepalive_s, **connect_args(cfg, persistent=True))
        except ssl.SSLCertVerificationError as exc:
            raise LinkError(LinkState.TLS_ERROR, f"TLS handshake with broker {cfg.address} failed: "
                            f"{exc.verify_message}; its certificate is not trusted by tls_ca_file "
                            f"{cfg.tls.ca_file if cfg.tls else '-'} (no fallback to plain MQTT)", "tls") from None
        except ssl.SSLError as exc:
            raise LinkError(LinkState.TLS_ERROR, f"TLS handshake with broker {cfg.address} failed: {exc}",
                            "tls") from None
        except OSError as exc:
            raise LinkError(LinkState.DISCONNECTED, f"cannot reach broker {cfg.address}: {exc.strerror or exc}; "
                            f"{waiting} event(s) wait in the outbox", "reach") from None
        self.client.loop_start()
        deadline = time.monotonic() + timeout_s
        while not (self._connack.is_set() or self.lost.is_set() or stop.is_set()) and time.monotonic() < deadline:
            self._connack.wait(0.05)
        code, reason, props = self._result
        if code == 0:
            return BrokerLimits(int(getattr(props, "MaximumPacketSize", 0) or 0),
                                int(getattr(props, "ReceiveMaximum", 0) or 0))
        self.close()
        if stop.is_set():
            raise LinkError(LinkState.STOPPED, "stopped while connecting", "stop")
        if code is not None:
            raise LinkError(LinkState.REFUSED, refusal_sentence(cfg, code, reason), f"refused{code}")
        if cfg.tls is not None:
            raise LinkError(LinkState.TLS_ERROR, f"broker {cfg.address} closed the TLS connection before "
                            "CONNACK; it probably requires a client certificate (tls_cert_file, tls_key_file) "
                            "or rejected the one given", "tlsclose")
        raise LinkError(LinkState.DISCONNECTED, f"broker {cfg.address} sent no CONNACK within {timeout_s:g} s",
                        "noconnack")

    def close(self) -> None:
        """Disconnect (if connected) and end paho's network thread."""
        self.client.disconnect()
        self.client.loop_stop()

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        self._result = (reason_code.value, str(reason_code), properties)
        self._connack.set()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        self.lost.set()
        self._on_lost(f"{reason_code} (reason {reason_code.value})" if reason_code.value else "")

    @property
    def is_lost(self) -> bool:
        return self.lost.is_set()

