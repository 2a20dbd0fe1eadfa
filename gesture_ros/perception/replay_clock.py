"""The clock of a replayed recording, as the world of a live camera would run it (no ROS).

camera_node publishes it on /clock for recorded sources; nodes with ``use_sim_time`` read
their time from it, as they would from ``ros2 bag play --clock``. Between frames it runs at
the wall rate, but never past the stamp of the next frame before that frame is out:

- ``pace: realtime``: frames go out at their stamps, so it is the wall clock (offset to the
  replay's start), and every age measured on it is a real delay;
- ``pace: as_fast_as_consumed`` slower than real time: it waits at the next frame's stamp
  while the camera waits for its consumer, so no event looks stale because the replay is slow;
- faster than real time: it jumps to each frame's stamp as the frame goes out, so no stamp is
  ever ahead of the clock.

After the last frame it stops at the end of that frame, as a bag's clock stops; timers that
must keep running (diagnostics) use a steady clock instead.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class ReplayClock:
    """Replay time in integer ns; thread-safe; never goes back."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._anchor: tuple[int, float] | None = None  # (stamp of the last frame out, monotonic s then)
        self._limit_ns: int | None = None  # the next frame's stamp: the clock waits there for it
        self._last_ns = 0

    def frame_out(self, stamp_ns: int, next_stamp_ns: int | None) -> int:
        """Note that the frame stamped ``stamp_ns`` is going out; return the time to publish now."""
        with self._lock:
            self._anchor = (stamp_ns, self._monotonic())
            self._limit_ns = next_stamp_ns
            self._last_ns = max(self._last_ns, stamp_ns)
            return self._last_ns

    def now_ns(self) -> int | None:
        """Return the replay time now, or None before the first frame."""
        with self._lock:
            if self._anchor is None:
                return None
            stamp, at = self._anchor
            now = stamp + round((self._monotonic() - at) * 1e9)
            if self._limit_ns is not None:
                now = min(now, self._limit_ns)
            self._last_ns = max(self._last_ns, now)
            return self._last_ns
