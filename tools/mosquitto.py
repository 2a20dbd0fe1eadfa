"""Real mosquitto brokers for tests, benchmarks and demos: plain, password, ACL, TLS and mTLS,
persistent or not, on 127.0.0.1 only.

Certificates are made by the ``openssl`` CLI (EC P-256, fast): a CA, a server certificate
for 127.0.0.1/localhost, a client certificate, and a second CA that nobody trusts.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from tools.child_process import stop_process
from tools.peers import PeerError
from tools.ports import free_port

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def require_mosquitto() -> None:
    """Raise PeerError with the fix when the Debian peers are not installed (``make peers``)."""
    if not os.path.exists(MOSQUITTO) or not shutil.which("mosquitto_passwd"):
        raise PeerError("mosquitto is not installed: run 'make peers' (apt-get install mosquitto)")


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@dataclass(frozen=True)
class Pki:
    """Files of a test PKI: ca.crt signs server.crt and client.crt; rogue_ca.crt signs nothing we use."""

    root: Path

    def path(self, name: str) -> str:
        return str(self.root / name)

    @property
    def ca_crt(self) -> str:
        return self.path("ca.crt")

    @property
    def rogue_ca_crt(self) -> str:
        return self.path("rogue_ca.crt")

    @property
    def server_crt(self) -> str:
        return self.path("server.crt")

    @property
    def server_key(self) -> str:
        return self.path("server.key")

    @property
    def client_crt(self) -> str:
        return self.path("client.crt")

    @property
    def client_key(self) -> str:
        return self.path("client.key")


def make_pki(root: Path) -> Pki:
    """Create ca, server (SAN IP:127.0.0.1, DNS:localhost), client and rogue_ca in ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    for ca in ("ca", "rogue_ca"):
        _openssl("req", "-x509", *ec, "-keyout", f"{ca}.key", "-out", f"{ca}.crt", "-days", "2",
                 "-subj", f"/CN=gesture_ros test {ca}", cwd=root)
    for name, ext in (("server", "subjectAltName=IP:127.0.0.1,DNS:localhost"), ("client", "")):
        _openssl("req", "-new", *ec, "-keyout", f"{name}.key", "-out", f"{name}.csr",
                 "-subj", f"/CN={'127.0.0.1' if name == 'server' else 'device1'}", cwd=root)
        extfile = root / f"{name}.ext"
        extfile.write_text(ext + "\n" if ext else "basicConstraints=CA:FALSE\n")
        _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                 "-CAcreateserial", "-out", f"{name}.crt", "-days", "2", "-extfile", str(extfile), cwd=root)
    for key in root.glob("*.key"):
        key.chmod(0o600)
    return Pki(root)


@dataclass
class Mosquitto:
    """One mosquitto process with a generated config; restartable on the same port and state."""

    workdir: Path
    users: dict[str, str] = field(default_factory=dict)  # username -> password; non-empty: no anonymous
    acl: str = ""  # mosquitto acl_file text
    pki: Pki | None = None  # TLS listener when set
    require_certificate: bool = False
    persistence: bool = False
    max_packet_size: int = 0
    max_inflight: int = 100  # QoS 1 window per client, both ways (MQTT 5 receive maximum)
    log_type: str = "all"  # what the log file records ("error" where logging every packet would cost)
    port: int = field(default_factory=free_port)

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.workdir / "mosquitto.log"
        self.conf_path = self.workdir / "mosquitto.conf"
        self.proc: subprocess.Popen | None = None
        self.conf_path.write_text(self._config())

    def _config(self) -> str:
        lines = [f"listener {self.port} 127.0.0.1", f"log_dest file {self.log_path}", f"log_type {self.log_type}",
                 "connection_messages true", f"max_inflight_messages {self.max_inflight}",
                 "max_queued_messages 1000000", f"allow_anonymous {'false' if self.users else 'true'}"]
        if os.geteuid() == 0:
            lines.append("user root")  # keep access to the test's private tmp_path
        if self.users:
            pw = self.workdir / "passwd"
            pw.write_text("")
            for user, password in self.users.items():
                subprocess.run(["mosquitto_passwd", "-b", str(pw), user, password], check=True,
                               capture_output=True)
            pw.chmod(0o600)
            lines.append(f"password_file {pw}")
        if self.acl:
            acl = self.workdir / "acl"
            acl.write_text(self.acl)
            acl.chmod(0o600)
            lines.append(f"acl_file {acl}")
        if self.pki is not None:
            lines += [f"cafile {self.pki.ca_crt}", f"certfile {self.pki.server_crt}",
                      f"keyfile {self.pki.server_key}",
                      f"require_certificate {'true' if self.require_certificate else 'false'}"]
        if self.persistence:
            lines += ["persistence true", f"persistence_location {self.workdir}/", "autosave_interval 1"]
        if self.max_packet_size:
            lines.append(f"max_packet_size {self.max_packet_size}")
        return "\n".join(lines) + "\n"

    def start(self, timeout: float = 10.0) -> "Mosquitto":
        """Start the broker and wait until it accepts TCP connections."""
        require_mosquitto()
        self.proc = subprocess.Popen([MOSQUITTO, "-c", str(self.conf_path)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise PeerError(f"mosquitto exited with {self.proc.returncode}: {self.log()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise PeerError(f"mosquitto did not listen on 127.0.0.1:{self.port} within {timeout} s")

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the broker the way an operator would (SIGTERM: it saves its persistent state)."""
        if self.proc is not None:
            stop_process(self.proc, signal.SIGTERM, timeout)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def __enter__(self) -> "Mosquitto":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
