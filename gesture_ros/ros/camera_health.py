"""camera_node's figures (frames published and unanswered, rate, stage times) and its /diagnostics verdict."""

from __future__ import annotations

from gesture_ros.common.stats import RateMeter, StageTimer
from gesture_ros.perception.sources import FrameSource
from gesture_ros.ros import diagnostics


class CameraHealth:
    """Count what the capture thread does; say whether the source is publishing, ended or stalled."""

    def __init__(self) -> None:
        self.timer = StageTimer()  # read, encode, publish
        self.rate = RateMeter()
        self.published = 0
        self.unanswered = 0  # frames a consumer did not answer within consumer_timeout_s

    def frame_published(self) -> None:
        self.published += 1
        self.rate.tick()

    def report(self, source: FrameSource, ended: bool, clock_published: bool) -> tuple[int, str, dict[str, object]]:
        """Return (level, message, figures) for /diagnostics of a configured node."""
        figures = {"source": source.description, "frames published": self.published,
                   "replay clock": "published on /clock" if clock_published else "off",
                   "rate hz": self.rate.rate(), "frames unanswered": self.unanswered,
                   "reconnects": getattr(source, "reconnects", 0), **self.timer.summary()}
        if ended:
            return diagnostics.OK, "source ended", figures
        if self.published and self.rate.rate() == 0.0:
            return diagnostics.WARN, "no frames in the last seconds", figures
        return diagnostics.OK, "publishing", figures
