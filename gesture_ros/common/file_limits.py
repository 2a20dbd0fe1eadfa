"""Read configuration and model files safely: regular files only, and never more than a limit.

A path set by someone else (a parameter, a topic) may name ``/dev/zero``, a FIFO that blocks
forever or a file of gigabytes; each is refused with one sentence instead of hanging or
filling the memory.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_MAP_BYTES = 1 << 20  # an action map is a few kB
MAX_MODEL_BYTES = 256 << 20  # the shipped gesture models are well under 1 MB


class FileRefused(ValueError):
    """A file was not read; the message says which and why, in one sentence."""


def _size_words(n: int) -> str:
    return f"{n / (1 << 20):.1f} MiB" if n >= 1 << 20 else f"{n} bytes"


def check_file(path: Path, max_bytes: int, what: str) -> None:
    """Raise FileRefused unless ``path`` is a regular file of at most ``max_bytes`` (symlinks followed)."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise FileRefused(f"{what} {path} cannot be read: {exc.strerror or exc}") from None
    _check(info, path, max_bytes, what)


def _check(info: os.stat_result, path: Path, max_bytes: int, what: str) -> None:
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a device, FIFO or socket"
        raise FileRefused(f"{what} {path} is not a regular file ({kind})")
    if info.st_size > max_bytes:
        raise FileRefused(f"{what} {path} is {_size_words(info.st_size)}, more than the "
                          f"{_size_words(max_bytes)} allowed")


def read_limited(path: Path, max_bytes: int, what: str) -> bytes:
    """Return a regular file's bytes; raise FileRefused for anything else or anything larger."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise FileRefused(f"{what} {path} cannot be read: {exc.strerror or exc}") from None
    try:
        _check(os.fstat(fd), path, max_bytes, what)
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(max_bytes + 1)  # the file may have grown since fstat
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise FileRefused(f"{what} {path} is more than the {_size_words(max_bytes)} allowed")
    return data
