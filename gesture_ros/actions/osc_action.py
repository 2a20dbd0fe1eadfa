"""OSC over UDP or TCP (SLIP framing, OSC 1.1; or OSC 1.0 size prefix) to a console or show controller.

Each target lists the addresses it may receive (``allow``: exact addresses or per-segment
globs, ``**`` as the last segment for any rest); an action whose address is not allowed is
refused when the map is loaded, so a typo cannot fire an unrelated cue.
"""

from __future__ import annotations

import re
import socket
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from pythonosc import slip
from pythonosc.osc_message import OscMessage
from pythonosc.osc_message_builder import OscMessageBuilder
from pythonosc.udp_client import UDPClient

from gesture_ros.actions.model import ActionFailed, ActionKind, Target
from gesture_ros.actions.sockets import peer_closed
from gesture_ros.actions.template import render, template_problems
from gesture_ros.actions.yaml_reader import Entries, YamlReader
from gesture_ros.common.gesture_event import GestureEventData

PROTOCOLS = ("udp", "tcp")
FRAMINGS = ("slip", "length")  # TCP: OSC 1.1 SLIP, or OSC 1.0 int32 size prefix
_ADDRESS = re.compile(r"(/[^\s#*,/?\[\]{}]+)+")
_PATTERN = re.compile(r"(/[^\s#,/{}]+)+/?")


@dataclass(frozen=True)
class OscTarget:
    host: str
    port: int
    protocol: str
    framing: str
    allow: tuple[str, ...]
    require_args: bool  # QLC+ ignores messages without arguments


@dataclass(frozen=True)
class OscAction:
    address: str
    args: tuple[Any, ...]


def address_allowed(address: str, patterns: Sequence[str]) -> bool:
    """Return True when an address matches one allow-list entry, segment by segment."""
    parts = address.strip("/").split("/")
    for pattern in patterns:
        wanted = pattern.strip("/").split("/")
        if wanted[-1] == "**":
            head = wanted[:-1]
            if len(parts) > len(head) and all(map(fnmatchcase, parts, head)):
                return True
        elif len(wanted) == len(parts) and all(map(fnmatchcase, parts, wanted)):
            return True
    return False


def parse_target(reader: YamlReader, entries: Entries, name: str, base: Path) -> OscTarget:
    what = f"osc target '{name}'"
    host = reader.get(entries, "host", str, what) or ""
    port = reader.get(entries, "port", int, what) or 0
    if "port" in entries and port and not 0 < port < 65536:
        reader.error(reader.node_of(entries, "port"), f"port of {what} must be 1..65535, got {port}")
    protocol = reader.get(entries, "protocol", str, what, "udp")
    if protocol not in PROTOCOLS:
        reader.error(reader.node_of(entries, "protocol"),
                     f"protocol of {what} must be one of {', '.join(PROTOCOLS)}, got '{protocol}'")
    framing = reader.get(entries, "framing", str, what, "slip")
    if framing not in FRAMINGS:
        reader.error(reader.node_of(entries, "framing"),
                     f"framing of {what} must be one of {', '.join(FRAMINGS)}, got '{framing}'")
    elif "framing" in entries and protocol != "tcp":
        reader.error(entries["framing"][0], f"framing of {what} only applies to protocol tcp")
    allow = reader.get(entries, "allow", list, what) or []
    if "allow" in entries and not allow:
        reader.error(reader.node_of(entries, "allow"), f"{what} has an empty 'allow' list: it could send nothing")
    for pattern in allow:
        if not isinstance(pattern, str) or not _PATTERN.fullmatch(pattern):
            reader.error(reader.node_of(entries, "allow"),
                         f"allow entry {pattern!r} of {what} is not an OSC address pattern like '/eos/cue/*/*/fire'")
    require_args = reader.get(entries, "require_args", bool, what, False)
    return OscTarget(host, port, protocol, framing, tuple(p for p in allow if isinstance(p, str)), require_args)


def parse_action(reader: YamlReader, entries: Entries, target: Target, what: str) -> OscAction:
    spec: OscTarget = target.spec
    address = reader.get(entries, "address", str, what) or ""
    node = reader.node_of(entries, "address")
    if address and not _ADDRESS.fullmatch(address):
        reader.error(node, f"OSC address '{address}' of {what} is not valid: it must start with '/' and "
                           "contain no spaces or pattern characters (#*,?[]{})")
    elif address and not address_allowed(address, spec.allow):
        reader.error(node, f"OSC address '{address}' is not in the allow list of target '{target.name}' "
                           f"({', '.join(spec.allow)})")
    args = reader.get(entries, "args", list, what, [])
    for problem in template_problems(args):
        reader.error(reader.node_of(entries, "args"), f"args of {what}: {problem}")
    for arg in args:
        if isinstance(arg, (list, dict)) or arg is None:
            reader.error(reader.node_of(entries, "args"),
                         f"args of {what} must be strings, numbers or booleans, got {arg!r}")
    if spec.require_args and not args:
        reader.error(entries.node, f"{what} sends no argument, but target '{target.name}' requires one "
                                   "(require_args: QLC+ drops OSC messages without arguments)")
    return OscAction(address, tuple(args))


def describe(target: Target, action: OscAction | None) -> str:
    spec: OscTarget = target.spec
    return f"osc+{spec.protocol}://{spec.host}:{spec.port}{action.address if action else ''}"


class OscExecutor:
    """Send OSC messages to one target; TCP connections are opened lazily and re-opened."""

    def __init__(self, target: Target, specs: Sequence[Any] = ()) -> None:
        self._spec: OscTarget = target.spec
        self._timeout_s = target.timeout_s
        self._udp: UDPClient | None = None
        self._tcp: socket.socket | None = None

    def execute(self, action: OscAction, event: GestureEventData) -> str:
        args: list[Any] = [render(a, event) for a in action.args]
        builder = OscMessageBuilder(address=action.address)
        for arg in args:
            builder.add_arg(arg)
        message = builder.build()
        try:
            if self._spec.protocol == "tcp":
                self._send_tcp(message.dgram)
            else:
                self._send_udp(message)
        except OSError as exc:
            self._drop_tcp()
            raise ActionFailed(f"cannot send to {self._spec.host}:{self._spec.port} "
                               f"({self._spec.protocol}): {exc.strerror or exc}") from None
        return f"{action.address} {args}"

    def _send_udp(self, message: OscMessage) -> None:
        if self._udp is None:
            self._udp = UDPClient(self._spec.host, self._spec.port, timeout=self._timeout_s)
        self._udp.send(message)

    def _send_tcp(self, dgram: bytes) -> None:
        if self._tcp is not None and peer_closed(self._tcp, self._timeout_s):
            self._drop_tcp()
        if self._tcp is None:
            self._tcp = socket.create_connection((self._spec.host, self._spec.port), timeout=self._timeout_s)
            self._tcp.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self._spec.framing == "length":
            self._tcp.sendall(struct.pack("!i", len(dgram)) + dgram)
        else:
            self._tcp.sendall(slip.encode(dgram))

    def _drop_tcp(self) -> None:
        if self._tcp is not None:
            self._tcp.close()
            self._tcp = None

    def close(self) -> None:
        self._drop_tcp()
        if self._udp is not None:
            self._udp.close()
            self._udp = None


KIND = ActionKind(
    name="osc",
    target_fields=frozenset({"host", "port", "protocol", "framing", "allow", "require_args"}),
    action_fields=frozenset({"address", "args"}),
    parse_target=parse_target,
    parse_action=parse_action,
    describe=describe,
    make_executor=OscExecutor,
)
