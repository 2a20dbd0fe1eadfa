"""Decide whether a parsed venue control message may act: not retained, fresh, newer, allowed.

The schema check (control.parse_control) says what a message asks; the gate says whether it
may be acted on now. A retained message, one stamped more than ``max_age_s`` from this
device's clock, one whose ``seq`` is not above the last accepted one (kept on disk, so a
restart or a persistent session's replay does not act twice) and an ``arm`` without
``allow_arm`` are refused. The sequence is written (fsync) before the command acts.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from gesture_ros.bridge.control import Command, ControlCommand, ControlError, ControlPolicy, Refusal, parse_control

_log = logging.getLogger("gesture_ros.bridge")


class SequenceStore:
    """The last accepted control sequence, in a small JSON file replaced atomically."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        self.last = 0
        try:
            self.last = int(json.loads(self.path.read_text())["last_seq"])
        except FileNotFoundError:
            pass
        except (OSError, ValueError, KeyError, TypeError) as exc:
            aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
            try:
                self.path.replace(aside)
            except OSError:
                aside = self.path
            _log.error("control sequence file %s is unreadable (%s); kept as %s. Starting from 0: only the "
                       "stamp check (control_max_age_s) now bounds a replay", self.path, exc, aside)

    def advance(self, seq: int) -> None:
        """Record ``seq`` durably (write, fsync, rename) before the command acts."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "w") as f:
            f.write(json.dumps({"last_seq": seq}))
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(self.path)
        fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        self.last = seq


class ControlGate:
    """Parse and admit control messages; raise ControlError for every refusal."""

    def __init__(self, policy: ControlPolicy, store: SequenceStore,
                 clock_ns: Callable[[], int] = time.time_ns) -> None:
        self.policy = policy
        self.store = store
        self._clock_ns = clock_ns

    def admit(self, topic: str, data: bytes, retained: bool) -> ControlCommand:
        if retained:
            raise ControlError(Refusal.RETAINED, f"control message on '{self.policy.topic}' refused: it is a "
                               "retained message (a command must be sent live, not left on the broker; clear it "
                               "with an empty retained publish)")
        cmd = parse_control(topic, data, self.policy)
        age_s = (self._clock_ns() - cmd.stamp_ns) / 1e9
        if abs(age_s) > self.policy.max_age_s:
            when = f"{age_s:.1f} s old" if age_s > 0 else f"{-age_s:.1f} s in the future"
            raise ControlError(Refusal.STALE, f"control message {cmd.command.value} seq {cmd.seq} refused: its "
                               f"stamp is {when} (control_max_age_s {self.policy.max_age_s:g}; check both clocks)")
        if cmd.command is Command.ARM and not self.policy.allow_arm:
            raise ControlError(Refusal.ARM_NOT_ALLOWED, f"control message arm seq {cmd.seq} refused: the venue may "
                               "disarm this device but not arm it (allow_remote_arm is false)")
        if cmd.seq <= self.store.last:
            raise ControlError(Refusal.REPLAYED, f"control message {cmd.command.value} seq {cmd.seq} refused: not "
                               f"above the last accepted seq {self.store.last} (a replay, or the sender's "
                               "counter went back)")
        self.store.advance(cmd.seq)
        return cmd
