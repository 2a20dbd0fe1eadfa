"""Is a consumer keeping up with its camera? Images in, processed and dropped, over a sliding span."""

from __future__ import annotations

import time
from dataclasses import dataclass

from gesture_ros.common.stats import RateMeter


@dataclass
class FlowLimits:
    """When to warn: more than ``max_drop_fraction`` of the span's images dropped, or none for ``no_image_s``."""

    max_drop_fraction: float = 0.25
    no_image_s: float = 2.0
    min_images: int = 10  # fewer images in the span say nothing about the drop fraction


class FrameFlow:
    """Count images received, processed and dropped (replaced before they were taken); thread-safe enough.

    Rates and the dropped fraction cover the last ``span_s`` seconds (monotonic clock), so they
    describe now, not the whole run.
    """

    def __init__(self, limits: FlowLimits | None = None, span_s: float = 5.0) -> None:
        self.limits = limits or FlowLimits()
        self._in, self._out, self._dropped = RateMeter(span_s), RateMeter(span_s), RateMeter(span_s)
        self._started = time.monotonic()
        self._last_in: float | None = None

    def received(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self._in.tick(now)
        self._last_in = now

    def processed(self, now: float | None = None) -> None:
        self._out.tick(now)

    def dropped(self, now: float | None = None) -> None:
        self._dropped.tick(now)

    def drop_fraction(self, now: float | None = None) -> float:
        """Return the fraction of the span's images that were dropped (0 with no images)."""
        received = self._in.count(now)
        return self._dropped.count(now) / received if received else 0.0

    def figures(self, now: float | None = None) -> dict[str, float]:
        return {"input rate hz": self._in.rate(now), "processed rate hz": self._out.rate(now),
                "dropped fraction": self.drop_fraction(now)}

    def problems(self, now: float | None = None) -> list[str]:
        """Return one sentence per reason to warn: no images lately, or too many dropped."""
        now = time.monotonic() if now is None else now
        out = []
        last = self._last_in
        silent = now - (last if last is not None else self._started)
        if silent > self.limits.no_image_s:
            out.append(f"no images for {silent:.1f} s" + ("" if last is not None else " since the start"))
        elif self._in.count(now) >= self.limits.min_images:
            fraction = self.drop_fraction(now)
            if fraction > self.limits.max_drop_fraction:
                out.append(f"falling behind the camera: {fraction:.0%} of the images dropped "
                           f"(in {self._in.rate(now):.1f} Hz, processed {self._out.rate(now):.1f} Hz)")
        return out
