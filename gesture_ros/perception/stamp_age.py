"""How old an image is when its keypoints go out: its stamp against the node clock at publish."""

from __future__ import annotations

from gesture_ros.common.stats import LatencyStats


class StampAges:
    """Stamp-to-publish ages on the node clock, and the count of images stamped ahead of that clock.

    With a replay clock (use_sim_time, /clock from camera_node) the age means the same at any
    replay pace; an image processed before its /clock message arrived counts as age 0. A file
    replayed as fast as consumed without it is stamped on its own timeline, ahead of the wall
    clock: ages would be negative or a biased subset, so none are reported.
    """

    def __init__(self) -> None:
        self.ages = LatencyStats()
        self.ahead = 0  # images stamped after their own processing: a replay clock (or none) behind

    def add(self, age_ns: int, replay_clock: bool) -> None:
        """Count one image's age (now - stamp on the node clock); ``replay_clock``: the clock is /clock."""
        if age_ns < 0:
            self.ahead += 1
        if age_ns >= 0 or replay_clock:  # on a replay clock: its /clock message was still on the way
            self.ages.add(max(age_ns, 0) / 1e9)

    def figures(self, replay_clock: bool) -> dict[str, float]:
        """Return the age percentiles (ms) and the count stamped ahead, as diagnostics figures."""
        ahead = {"images stamped ahead of the clock": self.ahead} if self.ahead else {}
        if self.ahead and not replay_clock:
            return ahead
        return {"age at publish p50 ms": self.ages.percentile_ms(50),
                "age at publish p95 ms": self.ages.percentile_ms(95), **ahead}
