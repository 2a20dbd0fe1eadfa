"""Real peers for the self-contained demo and benchmark: venue_monitor, mpv (mosquitto: mosquitto.py).

Each binds to 127.0.0.1 (or a Unix socket) in a temporary folder, logs to a file there, and is
ended by its own process id on ``stop()``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tools.child_process import stop_process

_MPV_COMMAND = re.compile(r"Run command: (\S+), flags=\d+, args=\[(.*)\]$")
# mpv's own start-up commands, not ones a client sent.
_MPV_INTERNAL = ("define-section", "enable-section", "disable-section", "change-list", "script-binding",
                 "script-message", "script-message-to", "quit", "keybind")


class PeerError(RuntimeError):
    """A peer that could not be started; the message says which and why."""


class _Process:
    name = "peer"

    def __init__(self, cmd: list[str], folder: Path, env: dict | None = None) -> None:
        self.log_path = folder / f"{self.name}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115
        try:
            self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT, env=env,
                                         start_new_session=True)
        except OSError as exc:
            self._log.close()
            raise PeerError(f"cannot start {self.name} ({cmd[0]}): {exc.strerror}") from None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 5.0) -> None:
        stop_process(self.proc, sig, timeout)
        self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _wait(pred, timeout: float, what: str, proc: _Process) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.proc.poll() is not None:
            raise PeerError(f"{what} exited at start: {proc.log().strip()[-300:]}")
        if pred():
            return
        time.sleep(0.05)
    raise PeerError(f"{what} did not come up within {timeout:.0f} s")


class VenueMonitor(_Process):
    """The package's venue_monitor, writing every unique event to a JSON-lines file."""

    name = "venue_monitor"

    def __init__(self, folder: Path, port: int) -> None:
        self.jsonl = folder / "venue_events.jsonl"
        super().__init__([sys.executable, "-m", "gesture_ros.venue.monitor", "--host", "127.0.0.1",
                          "--port", str(port), "--jsonl", str(self.jsonl), "--no-table"], folder)
        time.sleep(0.5)  # subscribed before the first event (the monitor has no ready signal)

    def wait_for(self, count: int, timeout: float) -> bool:
        """Wait until ``count`` unique events arrived; return whether they did."""
        end = time.monotonic() + timeout
        while len(self.events()) < count and time.monotonic() < end:
            time.sleep(0.1)
        return len(self.events()) >= count

    def events(self) -> list[dict]:
        if not self.jsonl.exists():
            return []
        return [json.loads(line) for line in self.jsonl.read_text().splitlines() if line.strip()]


class Mpv(_Process):
    """A headless mpv with a JSON IPC socket; its log shows every command it received."""

    name = "mpv"

    def __init__(self, folder: Path, media: Path | None = None, socket_name: str = "mpv.sock") -> None:
        """Start mpv idle, or with ``media`` loaded, paused and looping (so seeks have a target)."""
        exe = shutil.which("mpv")
        if exe is None:
            raise PeerError("mpv is not installed: run 'make peers' (apt-get install mpv)")
        self.socket = folder / socket_name
        self.mpv_log = folder / "mpv-commands.log"
        playing = ["--pause", "--loop-file=inf", str(media)] if media else []
        super().__init__([exe, "--idle=yes", "--vo=null", "--ao=null", "--no-config", "--no-terminal",
                          f"--input-ipc-server={self.socket}", f"--log-file={self.mpv_log}", *playing], folder)
        _wait(self.socket.exists, 10.0, "mpv", self)

    def commands(self) -> list[str]:
        return mpv_commands(self.mpv_log)


def mpv_commands(log_file: Path) -> list[str]:
    """Return the commands an mpv log shows it ran for clients, e.g. ``seek target="10.000000" ...``."""
    if not log_file.exists():
        return []
    out = []
    for line in log_file.read_text(errors="replace").splitlines():
        match = _MPV_COMMAND.search(line)
        if match and match.group(1) not in _MPV_INTERNAL:
            out.append(f"{match.group(1)} {match.group(2)}".strip())
    return out


def mpv_listening(path: str) -> bool:
    """Tell whether an mpv answers on the IPC socket ``path``."""
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(0.5)
            s.connect(os.path.expanduser(path))
            s.sendall(b'{"command": ["get_property", "mpv-version"]}\n')
            return b"mpv" in s.recv(4096)
    except OSError:
        return False
