"""Stream sockets to action receivers (OSC over TCP, mpv's IPC socket)."""

from __future__ import annotations

import socket


def peer_closed(sock: socket.socket, timeout_s: float) -> bool:
    """Return True when the receiver has closed the connection (a send would be lost).

    Peeks without blocking, then puts the socket back to blocking with ``timeout_s``.
    """
    try:
        sock.setblocking(False)
        return sock.recv(1, socket.MSG_PEEK) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        sock.settimeout(timeout_s)
