"""The classifier's figures (frames, bad frames, events, rates) and its /diagnostics verdict."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from rclpy.node import Node

from gesture_ros.classify.decision import Note
from gesture_ros.common.bad_input import BadInputLog
from gesture_ros.common.log_throttle import LogThrottle
from gesture_ros.common.stats import RateMeter
from gesture_ros.ros import diagnostics
from gesture_ros.ros.classifier_model import ModelSource
from gesture_ros.ros.diagnostics import DiagnosticsPublisher

EVENT_RATE_SPAN_S = 60.0
BAD_NOTES = ("sources", "order")  # decider notes that refuse a frame: counted as bad input

# -> the decider's figures and the keypoint timeout, or None while no model is loaded
DeciderState = Callable[[], "tuple[dict[str, object], float] | None"]


class ClassifierHealth:
    """Count what arrives and leaves; report on /diagnostics every ``period_s``.

    The report warns when keypoints stopped (or never came) for the keypoint timeout, and when
    bad input was refused since the last report; without a model it is an error.
    """

    def __init__(self, node: Node, bad: BadInputLog, models: ModelSource, keypoints_topic: str,
                 decider_state: DeciderState, period_s: float) -> None:
        self._bad, self._models, self._topic, self._decider_state = bad, models, keypoints_topic, decider_state
        self._info = LogThrottle(node.get_logger().info, 5.0)
        self.counts = {"frames": 0, "bad frames": 0, "events": 0}
        self.last_keypoints_s = time.monotonic()
        self._heard = False
        self._bad_reported = 0
        self._rate = RateMeter(5.0)
        self._events = RateMeter(EVENT_RATE_SPAN_S)
        self.publisher = DiagnosticsPublisher(node, self.report, period_s)

    def keypoints(self) -> float:
        """Count a keypoints message (good or bad); return its steady-clock arrival time."""
        self.counts["frames"] += 1
        self._rate.tick()
        self.last_keypoints_s, self._heard = time.monotonic(), True
        return self.last_keypoints_s

    def bad_frame(self) -> None:
        self.counts["bad frames"] += 1

    def refuse(self, kind: str, sentence: str) -> None:
        """Count a refused keypoints message and say why (one sentence per kind and period)."""
        self.bad_frame()
        self._bad(kind, sentence)

    def notes(self, notes: Iterable[Note], warn: LogThrottle) -> None:
        """Say the decider's notes on a frame: a gap as information, a refused frame as bad input, the
        rest as warnings (a frame with NaN also counted as bad)."""
        for note in notes:
            if note.kind == "gap":
                self._info(note.text, key=note.kind)
            elif note.kind in BAD_NOTES:
                self.refuse(note.kind, note.text)
            else:
                if note.kind == "nan":
                    self.bad_frame()
                warn(note.text, key=note.kind)

    def events(self, n: int) -> None:
        for _ in range(n):
            self._events.tick()
        self.counts["events"] += n

    def report(self) -> tuple[int, str, dict[str, object]]:
        """Return (level, message, figures) for /diagnostics."""
        now = time.monotonic()
        silent = now - self.last_keypoints_s
        figures: dict[str, object] = {"events per minute": self._events.count(now) * 60.0 / EVENT_RATE_SPAN_S,
                                      "keypoints rate hz": self._rate.rate(), **self.counts,
                                      "keypoints silent s": silent, **self._bad.figures("refused:")}
        if self._models.refused:
            figures["last model request refused"] = self._models.refused
        state = self._decider_state()
        if state is None:
            return diagnostics.ERROR, "no model loaded", figures
        decider_figures, timeout_s = state
        figures.update(decider_figures)
        if silent > (timeout_s or 1.0):
            said = "stopped arriving" if self._heard else "have not arrived yet"
            return diagnostics.WARN, f"keypoints {said}: none for {silent:.1f} s on {self._topic}", figures
        refused, self._bad_reported = self._bad.total - self._bad_reported, self._bad.total
        if refused:
            return diagnostics.WARN, f"{refused} bad input(s) refused since the last report (see log)", figures
        return diagnostics.OK, f"{figures['model']} on {figures['provider']}", figures
