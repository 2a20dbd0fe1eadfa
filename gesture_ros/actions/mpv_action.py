"""Drive an mpv player over its JSON IPC socket: load, play, pause, volume, seek.

Start mpv with ``--idle=yes --input-ipc-server=<socket>``. The executor reconnects on
the next command after mpv restarts, so a crashed player is a retried failure, not a hang.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gesture_ros.actions.model import ActionFailed, ActionKind, Target
from gesture_ros.actions.sockets import peer_closed
from gesture_ros.actions.yaml_reader import Entries, YamlReader
from gesture_ros.common.gesture_event import GestureEventData

# command -> the fields it takes (besides the common action fields)
COMMANDS: dict[str, frozenset[str]] = {
    "loadfile": frozenset({"file"}),
    "play": frozenset(),
    "pause": frozenset(),
    "toggle": frozenset(),
    "stop": frozenset(),
    "volume_up": frozenset({"step"}),
    "volume_down": frozenset({"step"}),
    "volume": frozenset({"level"}),
    "seek": frozenset({"seconds", "mode"}),
}
SEEK_MODES = ("relative", "absolute", "absolute-percent")
_URL = re.compile(r"[a-z][a-z0-9+.-]*://", re.IGNORECASE)


@dataclass(frozen=True)
class MpvTarget:
    socket: str


@dataclass(frozen=True)
class MpvAction:
    command: str
    file: str = ""
    step: float = 5.0
    level: float = 100.0
    seconds: float = 0.0
    mode: str = "relative"


def parse_target(reader: YamlReader, entries: Entries, name: str, base: Path) -> MpvTarget:
    path = reader.get(entries, "socket", str, f"mpv target '{name}'") or ""
    return MpvTarget(str((base / Path(path).expanduser()) if path else ""))


def parse_action(reader: YamlReader, entries: Entries, target: Target, what: str) -> MpvAction:
    command = reader.get(entries, "command", str, what) or ""
    if command and command not in COMMANDS:
        reader.error(reader.node_of(entries, "command"),
                     f"unknown mpv command '{command}' in {what} (known: {', '.join(COMMANDS)})")
        return MpvAction(command)
    for key in set(entries) & (set().union(*COMMANDS.values()) - COMMANDS.get(command, frozenset())):
        reader.error(entries[key][0], f"field '{key}' is not used by mpv command '{command}' in {what}")
    action = MpvAction(
        command,
        step=reader.get(entries, "step", float, what, 5.0),
        level=reader.get(entries, "level", float, what, 100.0),
        seconds=reader.get(entries, "seconds", float, what, 0.0),
        mode=reader.get(entries, "mode", str, what, "relative"),
    )
    if action.mode not in SEEK_MODES:
        reader.error(reader.node_of(entries, "mode"), f"seek mode of {what} must be one of {', '.join(SEEK_MODES)}")
    if command == "loadfile":
        file = reader.get(entries, "file", str, what) or ""
        if file and not _URL.match(file):
            path = Path(file).expanduser()
            path = path if path.is_absolute() else Path(reader.path).resolve().parent / path
            if not path.is_file():
                reader.warn(reader.node_of(entries, "file"), f"media file {path} of {what} does not exist (yet)")
            file = str(path)
        action = MpvAction(command, file=file)
    return action


def describe(target: Target, action: MpvAction | None) -> str:
    suffix = f" {action.command}" if action else ""
    return f"mpv://{target.spec.socket}{suffix}"


def ipc_commands(action: MpvAction) -> list[list[Any]]:
    """Return the mpv IPC commands that carry out an action, in order."""
    pause = ["set_property", "pause"]
    table = {
        "loadfile": [["loadfile", action.file, "replace"], pause + [False]],
        "play": [pause + [False]],
        "pause": [pause + [True]],
        "toggle": [["cycle", "pause"]],
        "stop": [["stop"]],
        "volume_up": [["add", "volume", action.step]],
        "volume_down": [["add", "volume", -action.step]],
        "volume": [["set_property", "volume", action.level]],
        "seek": [["seek", action.seconds, action.mode]],
    }
    return table[action.command]


class MpvExecutor:
    """Send commands to one mpv over its unix socket and wait for each reply."""

    def __init__(self, target: Target, specs: Sequence[Any] = ()) -> None:
        self._path = target.spec.socket
        self._timeout_s = target.timeout_s
        self._sock: socket.socket | None = None
        self._buffer = b""
        self._request_id = 0

    def execute(self, action: MpvAction, event: GestureEventData) -> str:
        if action.command == "loadfile" and not _URL.match(action.file) and not Path(action.file).is_file():
            raise ActionFailed(f"media file {action.file} does not exist", retryable=False)
        for command in ipc_commands(action):
            self.command(*command)
        return " ".join(str(part) for part in ipc_commands(action)[0])

    def command(self, *args: Any) -> Any:
        """Run one mpv IPC command and return its data; raise ActionFailed on error."""
        try:
            self._connect()
            self._request_id += 1
            line = json.dumps({"command": list(args), "request_id": self._request_id}) + "\n"
            self._sock.sendall(line.encode())
            reply = self._reply(self._request_id)
        except (OSError, ValueError) as exc:
            self._disconnect()
            raise ActionFailed(f"mpv at {self._path} is not reachable: {exc}") from None
        if reply.get("error") != "success":
            raise ActionFailed(f"mpv refused {args[0]}: {reply.get('error')}")
        return reply.get("data")

    def _connect(self) -> None:
        if self._sock is not None and peer_closed(self._sock, self._timeout_s):
            self._disconnect()
        if self._sock is None:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self._timeout_s)
            try:
                sock.connect(self._path)
            except OSError:
                sock.close()
                raise
            self._sock, self._buffer = sock, b""

    def _reply(self, request_id: int) -> dict[str, Any]:
        """Read lines until the reply to ``request_id``; mpv interleaves event lines."""
        while True:
            while b"\n" not in self._buffer:
                chunk = self._sock.recv(65536)
                if not chunk:
                    raise ConnectionError("mpv closed the connection")
                self._buffer += chunk
            line, self._buffer = self._buffer.split(b"\n", 1)
            message = json.loads(line)
            if message.get("request_id") == request_id and "error" in message:
                return message

    def _disconnect(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def close(self) -> None:
        self._disconnect()


KIND = ActionKind(
    name="mpv",
    target_fields=frozenset({"socket"}),
    action_fields=frozenset({"command"}).union(*COMMANDS.values()),
    parse_target=parse_target,
    parse_action=parse_action,
    describe=describe,
    make_executor=MpvExecutor,
)
