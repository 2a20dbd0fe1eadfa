"""MQTT username and password from a private file or the environment, never from parameters.

ROS parameters end up in world-readable dumps (``ros2 param dump``, launch logs), so a
password is read from a file (line 1: username, line 2: password) that only its owner may
read, or from GESTURE_ROS_MQTT_USERNAME / GESTURE_ROS_MQTT_PASSWORD.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ENV_USERNAME = "GESTURE_ROS_MQTT_USERNAME"
ENV_PASSWORD = "GESTURE_ROS_MQTT_PASSWORD"


class CredentialsError(ValueError):
    """The credentials file is missing, unsafe or malformed; the message names it."""


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = field(default="", repr=False)
    origin: str = ""  # where they came from, for log sentences (never the secret itself)


def load_credentials(path: str = "", env: Mapping[str, str] | None = None) -> Credentials | None:
    """Return credentials from ``path`` if given, else from the environment, else None."""
    env = os.environ if env is None else env
    if path:
        return _from_file(Path(path).expanduser())
    if env.get(ENV_USERNAME):
        return Credentials(env[ENV_USERNAME], env.get(ENV_PASSWORD, ""), f"${ENV_USERNAME}")
    return None


def _from_file(path: Path) -> Credentials:
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CredentialsError(f"credentials file {path} cannot be read: {exc.strerror}") from None
    if mode & (stat.S_IRGRP | stat.S_IROTH | stat.S_IWGRP | stat.S_IWOTH):
        raise CredentialsError(f"credentials file {path} is accessible by other users "
                               f"(mode {stat.S_IMODE(mode):o}); run 'chmod 600 {path}'")
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise CredentialsError(f"credentials file {path} must hold the username on line 1 "
                               "and the password on line 2")
    return Credentials(lines[0].strip(), lines[1] if len(lines) > 1 else "", str(path))


def cleartext_refusal(credentials: Credentials | None, tls: bool, host: str, port: int, opt_in: str,
                      option: str = "allow_plaintext_credentials_to") -> str | None:
    """Return why credentials must not go to ``host`` without TLS, or None.

    Credentials travel in cleartext only when the user named this very broker in ``opt_in``:
    a setting copied to another venue does not carry the consent along.
    """
    if credentials is None or tls or opt_in == host:
        return None
    naming = f"{option} {host}" if option.startswith("-") else f"{option}:={host}"
    return (f"credentials from {credentials.origin} would go to broker mqtt://{host}:{port} in cleartext "
            f"(no TLS CA file): set one to use TLS, or opt in by naming the broker: {naming}")
