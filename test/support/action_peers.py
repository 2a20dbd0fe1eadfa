"""Real peers for the action tests, on 127.0.0.1 and free ports: OSC (UDP, TCP/SLIP),
HTTP, and an mpv player with its JSON IPC socket."""

from __future__ import annotations

import json
import socket
import threading
import time
import wave
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from pythonosc.dispatcher import Dispatcher
from pythonosc.osc_server import ThreadingOSCUDPServer
from pythonosc.osc_tcp_server import ThreadingOSCTCPServer

from tools.peers import Mpv, PeerError
from tools.ports import LOOPBACK


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0, period: float = 0.02) -> bool:
    """Poll a condition until it holds or the timeout passes; return its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(period)
    return predicate()

def call_resending(client, request, wait: Callable[..., bool] = wait_until, attempts: int = 4,
                   timeout: float = 10.0):
    """Call a ROS service and return its response, sending the request again when no reply came.

    A reply can be lost while the server's response writer has not yet matched the client's reader
    (the service was discovered, the way back not yet): on a loaded machine that race is real.
    ``wait(predicate, timeout)`` spins or polls until the future is done."""
    assert client.wait_for_service(timeout_sec=30), f"no service {client.srv_name}"
    for _ in range(attempts):
        future = client.call_async(request)
        if wait(future.done, timeout):
            return future.result()
        client.remove_pending_request(future)
    raise AssertionError(f"no reply from {client.srv_name} after {attempts} requests")



class _Collector:
    def __init__(self) -> None:
        self.items: list[Any] = []
        self._lock = threading.Lock()

    def add(self, item: Any) -> None:
        with self._lock:
            self.items.append(item)

    def snapshot(self) -> list[Any]:
        with self._lock:
            return list(self.items)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Any]:
        wait_until(lambda: len(self.items) >= count, timeout)
        return self.snapshot()


class OscReceiver(_Collector):
    """python-osc server on loopback (UDP, or TCP with OSC 1.1 SLIP framing) recording (address, args)."""

    def __init__(self, protocol: str = "udp") -> None:
        super().__init__()
        dispatcher = Dispatcher()
        dispatcher.set_default_handler(lambda address, *args: self.add((address, list(args))))
        if protocol == "udp":
            self.server = ThreadingOSCUDPServer((LOOPBACK, 0), dispatcher)
        else:
            self.server = ThreadingOSCTCPServer((LOOPBACK, 0), dispatcher, mode="1.1")
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class HttpReceiver(_Collector):
    """http.server on loopback recording (method, path, json body).

    It answers ``status``, except 503 to the first ``fail_first`` requests; while ``hold``
    is given and not set, every request waits (a hung target).
    """

    def __init__(self, status: int = 200, fail_first: int = 0, hold: threading.Event | None = None) -> None:
        super().__init__()
        self.status = status
        self.fail_first = fail_first
        self.hold = hold
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                receiver.add((self.command, self.path, json.loads(body) if body else None))
                if receiver.hold is not None:
                    receiver.hold.wait(30)
                status = receiver.status if len(receiver.items) > receiver.fail_first else 503
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://{LOOPBACK}:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def write_wav(path: Path, seconds: float = 60.0, rate: int = 8000) -> Path:
    """Write a silent mono 16-bit WAV file (a real media file mpv can play and seek)."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x00" * int(seconds * rate))
    return path


class MpvPlayer:
    """A real headless mpv with a JSON IPC socket; ``get`` reads a property back."""

    def __init__(self, socket_path: Path) -> None:
        self.socket_path = socket_path
        try:  # started as the demo starts it (tools/peers.py), on the socket the test names
            self._mpv = Mpv(socket_path.parent, socket_name=socket_path.name)
        except PeerError as exc:
            pytest.fail(str(exc))
        if not wait_until(self._answers, timeout=20.0):
            self.stop()
            pytest.fail(f"mpv did not open its IPC socket {socket_path}")

    def _answers(self) -> bool:
        try:
            self.command("get_property", "idle-active")
            return True
        except OSError:
            return False

    def command(self, *args: Any) -> tuple[str, Any]:
        """Send one IPC command on a fresh connection; return (error, data)."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(5.0)
            sock.connect(str(self.socket_path))
            sock.sendall(json.dumps({"command": list(args), "request_id": 7}).encode() + b"\n")
            buffer = b""
            while True:
                while b"\n" not in buffer:
                    chunk = sock.recv(65536)
                    if not chunk:
                        raise ConnectionError("mpv closed the IPC connection")
                    buffer += chunk
                line, buffer = buffer.split(b"\n", 1)
                reply = json.loads(line)
                if reply.get("request_id") == 7:
                    return reply["error"], reply.get("data")

    def get(self, name: str) -> Any:
        error, data = self.command("get_property", name)
        return data if error == "success" else None

    def stop(self) -> None:
        self._mpv.stop()

