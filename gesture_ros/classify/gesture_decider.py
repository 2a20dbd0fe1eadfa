"""Keypoint frames in, gesture events and scores out: window + features + model + events.

ROS-free, so the node, replay tools, benchmarks and tests share one code path. Each
source (camera), and within it each tracked person (``KeypointFrame.person_id``), has its own
window, smoother and state machine; the event sequence counts per source (all its people).
A person's held gesture ENDs when that person leaves: their frames stop while the source's
other frames (other people, or the empty person-0 frames of nobody in view) go on for
``keypoint_timeout_s``, judged on frame stamps like the no-person watchdog below.

The keypoint watchdog ends a held gesture when its person or its keypoints are gone for
``keypoint_timeout_s``: no person in the frames is judged on the frames' own stamps (a
replay gives the same events), no frames at all on the caller's steady clock (``expire``).
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from dataclasses import dataclass, field

import numpy as np

from gesture_ros.classify.decision import (
    Decision,
    Note,
    Scores,
    bad_parts,
    dominant_side,
)
from gesture_ros.classify.event_config import EventConfig
from gesture_ros.classify.event_machine import Event, EventStateMachine, FrameRef
from gesture_ros.classify.forearms import forearms_crossable
from gesture_ros.classify.frame_fill import Resampler
from gesture_ros.classify.hand_shape import failed_shapes, hand_xy
from gesture_ros.classify.hands_at_rest import RestConfig, RestTracker
from gesture_ros.classify.onnx_model import GestureModel
from gesture_ros.classify.smoothing import Smoother, Smoothing
from gesture_ros.classify.swipe_viewpoint import (
    SwipeFrame,
    exchange_needed,
    performer_left_sign,
    stroke_signs,
    swap_swipes,
)
from gesture_ros.classify.window import PushResult, SlidingWindow
from gesture_ros.common.gesture_event import GestureEventData
from gesture_ros.common.landmarks import KeypointFrame
from gesture_ros.common.model_meta import GestureKind
from gesture_ros.common.stats import LatencyStats


@dataclass
class DeciderConfig:
    """Everything about deciding except the model itself."""

    events: EventConfig = field(default_factory=EventConfig)
    smoothing: Smoothing = Smoothing.EMA
    smoothing_alpha: float = 0.5
    smoothing_span: int = 3
    max_gap_s: float = 0.5  # a longer hole between frames resets the window
    stride: int = 1  # run the model every N frames
    min_presence: float = 0.5  # fraction of the window's frames with their parts needed to decide
    min_fill: float = 0.25  # decide once this fraction of the window has frames (left-padded as in training)
    both_hands: frozenset[str] = frozenset({"x_cross"})  # gestures reported with handedness "both"
    forearm_gestures: frozenset[str] = frozenset({"x_cross"})  # fire only on frames showing both forearms
    open_hand_gestures: frozenset[str] = frozenset({"open_palm"})  # START only on frames whose hand shows its fingers extended
    closed_hand_gestures: frozenset[str] = frozenset({"fist"})  # START only on frames whose hand has its index folded
    keypoint_timeout_s: float = 1.0  # no person / no frames this long ends a held gesture; 0: off
    max_sources: int = 8  # frames of further sources are refused (a flood of frame ids stays bounded)
    rest: RestConfig = field(default_factory=RestConfig)  # when the hands count as rested (return strokes)
    swipe_frame: SwipeFrame = SwipeFrame.IMAGE  # swipe_left/right in the image's or the performer's frame
    # Put each person's keypoints on the model's clock (its gesture_ros.fps; classify/frame_fill) before the
    # window, so the window spans the seconds it was trained on at any camera rate; False: frames as they come.
    resample: bool = True


MAX_PEOPLE_PER_SOURCE = 32  # person states held per source at once (departed ones are forgotten)


def state_key(source_id: str, person_id: int) -> str:
    """Return the key of a source's person: the source id, with ``#<person_id>`` for tracked people."""
    return f"{source_id}#{person_id}" if person_id else source_id


class _Source:
    """Per-source (per-person) state; rebuilt whole when the model changes."""

    def __init__(self, model: GestureModel, config: DeciderConfig, source_id: str = "", person_id: int = 0) -> None:
        self.source_id = source_id
        self.person_id = person_id
        self.window = SlidingWindow(model.window, model.feature_dim, int(config.max_gap_s * 1e9))
        self.smoother = Smoother(config.smoothing, config.smoothing_alpha, config.smoothing_span)
        self.machine = EventStateMachine(model.labels, model.kinds, config.events)
        self.sides: list[str] = []
        self.facing: list[int] = []  # performer_left_sign of the window's frames
        self.rest = RestTracker(config.rest)
        self.prev: KeypointFrame | None = None  # the last real frame
        self.clock = Resampler(1e9 / model.meta.fps)
        self.last_tick: KeypointFrame | None = None  # the last frame on the model's clock
        self.shown: KeypointFrame | None = None  # the tick the window ends with
        self.since_run = 0
        self.seen_s = 0.0  # steady-clock time of the last frame received
        self.present_ns: int | None = None  # stamp of the last frame with a person (its parts) in it


class GestureDecider:
    """Decide gestures for any number of sources with one model."""

    def __init__(self, model: GestureModel, config: DeciderConfig | None = None) -> None:
        self.model = model
        self.config = config or DeciderConfig()
        self.infer_stats = LatencyStats(2000)
        self.event_count = 0
        self._sources: dict[str, _Source] = {}
        self._sequence: dict[str, int] = {}  # survives model swaps
        self._presence_cols = [i for i, n in enumerate(model.spec.names()) if n.endswith(".present")]
        self._reject = self._reject_vector(model)

    @staticmethod
    def _reject_vector(model: GestureModel) -> np.ndarray:
        none = [i for i, lab in enumerate(model.labels) if model.kinds[lab] is GestureKind.NONE]
        vec = np.zeros(len(model.labels), dtype=np.float32)
        vec[none] = 1.0 / max(len(none), 1)
        return vec

    def window(self, source_id: str, person_id: int = 0) -> SlidingWindow | None:
        """Return a source's (person's) window (None before its first frame)."""
        src = self._sources.get(state_key(source_id, person_id))
        return src.window if src else None

    def window_fill(self) -> dict[str, float]:
        """Return each source's (person's, key ``source#id``) window fill (0..1)."""
        return {sid: s.window.fill / s.window.length for sid, s in self._sources.items()}

    def figures(self) -> dict[str, object]:
        """Return the model and inference figures for diagnostics."""
        fills = self.window_fill()
        meta = self.model.meta
        return {"model": f"{meta.model_id} {meta.version}", "model path": str(self.model.path),
                "provider": self.model.providers[0], "inference p50 ms": self.infer_stats.percentile_ms(50),
                "inference p99 ms": self.infer_stats.percentile_ms(99), "windows": len(self.infer_stats),
                "window fill": min(fills.values()) if fills else 0.0, "sources": len(fills)}

    def push(self, source_id: str, frame: KeypointFrame, received_s: float | None = None) -> Decision:
        """Add one frame of a source; run the model on each tick of its clock the frame completes;
        return events and scores (those of the last tick), stamped with this frame (never a tick's
        own stamp: a result carries the time of a real frame).

        ``received_s``: when the frame arrived on the steady clock (default now), for ``expire``.
        A frame of a new source beyond ``max_sources``, or one slightly older than the source's
        previous frame (out of order), is refused with a note and changes nothing.
        """
        decision = Decision()
        src = self._admit(source_id, frame, decision)
        if src is None:
            return decision
        src.seen_s = time.monotonic() if received_s is None else received_s
        frame = self._without_nan(source_id, frame, decision)
        result = self._step_result(src, frame)
        if result is PushResult.DUPLICATE:
            return decision
        if result in (PushResult.GAP, PushResult.BACKWARDS):
            self._reset_after_gap(src, frame, result, decision)
        src.prev = frame
        ticks = [(tick, *self._features(src, tick)) for tick in (src.clock.push(frame) if self.config.resample else [frame])]
        if any(present for _, _, present in ticks) or src.present_ns is None or result is not PushResult.ADDED:
            src.present_ns = frame.stamp_ns
        decision.events += self._watch_presence(src, frame) + self._end_departed(src, frame)
        for tick, features, present in ticks:
            self._push_tick(src, tick, features, present)
            if self._run_due(src):
                decision.scores, events = self._decide(source_id, src, FrameRef(frame.stamp_ns, frame.frame_id), decision)
                decision.events += self._publish(src, events)
        return decision

    @staticmethod
    def _step_result(src: _Source, frame: KeypointFrame) -> PushResult:
        """Return how the frame follows the source's previous one: a duplicate, a gap, a step back, or added."""
        if src.prev is None:
            return PushResult.ADDED
        step = frame.stamp_ns - src.prev.stamp_ns
        if step == 0:
            return PushResult.DUPLICATE
        if step < 0:
            return PushResult.BACKWARDS
        return PushResult.GAP if step > src.window.max_gap_ns else PushResult.ADDED

    def _admit(self, source_id: str, frame: KeypointFrame, decision: Decision) -> _Source | None:
        """Return the frame's source state (made for a new source or person), or None with a note:
        too many sources or people, or a frame out of order."""
        person_id = int(frame.person_id)
        key = state_key(source_id, person_id)
        src = self._sources.get(key)
        if src is None:
            sources = {s.source_id for s in self._sources.values()}
            if source_id not in sources and len(sources) >= self.config.max_sources:
                decision.notes.append(Note("sources", f"keypoints of a new source '{source_id}' refused: "
                                                      f"{len(sources)} sources already (max_sources)"))
                return None
            if sum(s.source_id == source_id for s in self._sources.values()) >= MAX_PEOPLE_PER_SOURCE:
                decision.notes.append(Note("sources", f"keypoints of person {person_id} of '{source_id}' refused: "
                                                      f"{MAX_PEOPLE_PER_SOURCE} people held already"))
                return None
            src = self._sources[key] = _Source(self.model, self.config, source_id, person_id)
        last_ns = src.prev.stamp_ns if src.prev is not None else None
        if last_ns is not None and 0 < last_ns - frame.stamp_ns <= src.window.max_gap_ns:
            decision.notes.append(Note("order", f"{source_id}: a frame {(last_ns - frame.stamp_ns) / 1e9:.3f} s "
                                                "older than the previous one refused (out of order)"))
            return None
        return src

    @staticmethod
    def _without_nan(source_id: str, frame: KeypointFrame, decision: Decision) -> KeypointFrame:
        """Return the frame, or an empty one (a missing frame) with a note when a part has NaN coordinates."""
        bad = bad_parts(frame)
        if not bad:
            return frame
        decision.notes.append(Note("nan", f"keypoints of {source_id} at {frame.stamp_ns} ns have NaN "
                                       f"coordinates in {', '.join(bad)}: frame treated as missing"))
        return KeypointFrame(stamp_ns=frame.stamp_ns, frame_id=frame.frame_id,
                             image_width=frame.image_width, image_height=frame.image_height)

    def _reset_after_gap(self, src: _Source, frame: KeypointFrame, result: PushResult, decision: Decision) -> None:
        """A gap in time or a step back: end what is held, start the smoothing and rest afresh."""
        last = src.prev.stamp_ns if src.prev else 0
        decision.notes.append(Note("gap", f"{src.source_id}: {(frame.stamp_ns - last) / 1e9:+.3f} s since the "
                                       f"previous frame ({result.value}): window reset"))
        decision.events += self._publish(src, src.machine.end_all())
        src.window.clear()
        src.clock.reset()
        src.last_tick = src.shown = None
        src.sides.clear()
        src.facing.clear()
        src.smoother.reset()
        src.rest.reset()
        if result is PushResult.BACKWARDS:
            src.machine.forget_history()

    def _run_due(self, src: _Source) -> bool:
        """Count the frame; True when the window is full enough and ``stride`` frames came since the last run."""
        src.since_run += 1
        min_frames = max(1, int(np.ceil(self.config.min_fill * src.window.length)))
        if src.window.fill < min_frames or src.since_run < self.config.stride:
            return False
        src.since_run = 0
        return True

    def _features(self, src: _Source, tick: KeypointFrame) -> tuple[np.ndarray, bool]:
        """Return a tick's features and whether it had its parts."""
        features = self.model.spec.frame_features(tick, src.last_tick)
        src.last_tick = tick
        return features, bool(np.any(features[self._presence_cols] > 0)) if self._presence_cols else True

    @staticmethod
    def _push_tick(src: _Source, tick: KeypointFrame, features: np.ndarray, present: bool) -> None:
        """Add a tick to the window, its hand and facing to theirs, its wrists to the rest tracker."""
        src.shown = tick
        src.window.push(tick.stamp_ns, features, present)
        src.sides = (src.sides + [dominant_side(tick)])[-src.window.length:]
        src.facing = (src.facing + [performer_left_sign(tick)])[-src.window.length:]
        src.rest.push(tick)

    def _watch_presence(self, src: _Source, frame: KeypointFrame) -> list[GestureEventData]:
        """End the held gesture at this frame when no person was in the frames for keypoint_timeout_s."""
        timeout_ns = int(self.config.keypoint_timeout_s * 1e9)
        if not timeout_ns or src.machine.active is None or frame.stamp_ns - src.present_ns < timeout_ns:
            return []
        return self._publish(src, self._end_at(src, FrameRef(frame.stamp_ns, frame.frame_id)))

    def _end_departed(self, current: _Source, frame: KeypointFrame) -> list[GestureEventData]:
        """End held gestures of this source's other people whose frames stopped keypoint_timeout_s ago."""
        timeout_ns = int(self.config.keypoint_timeout_s * 1e9)
        events: list[GestureEventData] = []
        if not timeout_ns:
            return events
        for src in self._sources.values():
            if (src is not current and src.source_id == current.source_id and src.machine.active is not None
                    and src.prev is not None and frame.stamp_ns - src.prev.stamp_ns >= timeout_ns):
                events += self._publish(src, self._end_at(src, FrameRef(frame.stamp_ns, frame.frame_id)))
        return events

    @staticmethod
    def _end_at(src: _Source, ref: FrameRef) -> list[Event]:
        """End the source's held gesture with ``ref`` as the END's header; end_stamp stays its last frame."""
        return [dataclasses.replace(ev, frame=ref) for ev in src.machine.end_all()]

    def expire(self, now_s: float, clock_ns: int) -> list[GestureEventData]:
        """Apply the watchdog on the steady clock: end held gestures of sources silent for keypoint_timeout_s.

        Each END is stamped ``clock_ns`` (the node clock when the watchdog fired), never before the
        source's last frame; a source silent for longer than the timeout and ``max_gap_s`` is forgotten.
        """
        timeout = self.config.keypoint_timeout_s
        events: list[GestureEventData] = []
        for key, src in list(self._sources.items()):
            silent = now_s - src.seen_s
            if timeout > 0 and silent >= timeout and src.machine.active is not None and src.prev is not None:
                ref = FrameRef(max(clock_ns, src.prev.stamp_ns), src.prev.frame_id)
                events += self._publish(src, self._end_at(src, ref))
            if silent >= max(timeout, self.config.max_gap_s) and src.machine.active is None:
                del self._sources[key]
        return events

    def _decide(self, source_id: str, src: _Source, ref: FrameRef, decision: Decision):
        view = src.window.view()
        ran = view.presence >= self.config.min_presence
        raw = self._reject
        if ran:
            start = time.perf_counter()
            out = self.model.predict(self._padded(view.features))
            self.infer_stats.add(time.perf_counter() - start)
            if np.all(np.isfinite(out)):
                raw = out
            else:
                decision.notes.append(Note("model", f"model {self.model.path} gave non-finite probabilities "
                                                    f"for {source_id}: the reject class was assumed"))
        exchanged = exchange_needed(self.config.swipe_frame, src.facing)
        if exchanged:
            raw = swap_swipes(raw, self.model.labels)
        smoothed = src.smoother.update(raw)
        scores = Scores(source_id, ref, raw, smoothed, src.window.fill, src.window.length, ran, src.person_id)
        forearm = self.config.forearm_gestures
        unseen = failed_shapes(hand_xy(src.shown), self.config.open_hand_gestures, self.config.closed_hand_gestures)
        if forearm and not forearms_crossable(src.shown, self.model.spec.min_visibility):
            unseen |= forearm
        return scores, src.machine.step(ref, smoothed, view.start_ns, self._handedness(src), src.rest, unseen,
                                        stroke_signs(exchanged))

    def _padded(self, features: np.ndarray) -> np.ndarray:
        """Left-pad a partly filled window with zero rows (no parts present), as training does."""
        missing = self.model.window - features.shape[0]
        if missing <= 0:
            return features
        return np.concatenate([np.zeros((missing, features.shape[1]), np.float32), features])

    def _handedness(self, src: _Source) -> str:
        sides = [s for s in src.sides if s]
        if not sides:
            return ""
        return max(("right", "left"), key=sides.count)

    def _publish(self, src: _Source, events: list[Event]) -> list[GestureEventData]:
        """Give each event its identity: a UUID, the source's next sequence number, the person, the model."""
        out = []
        source_id = src.source_id
        for ev in events:
            handedness = "both" if ev.gesture in self.config.both_hands and ev.handedness else ev.handedness
            seq = self._sequence[source_id] = self._sequence.get(source_id, 0) + 1
            out.append(GestureEventData(
                event_id=str(uuid.uuid4()), gesture=ev.gesture, event_type=ev.event_type,
                stamp_ns=ev.frame.stamp_ns, confidence=ev.confidence, sequence=seq, source_id=source_id,
                frame_id=ev.frame.frame_id, start_ns=ev.start_ns, end_ns=ev.end_ns, handedness=handedness,
                model_id=self.model.meta.model_id, model_version=self.model.meta.version, person_id=src.person_id))
        self.event_count += len(out)
        return out

    def set_config(self, config: DeciderConfig) -> list[GestureEventData]:
        """Apply new settings; a changed window gap, smoothing or resampling restarts the sources (ENDs returned)."""
        old, self.config = self.config, config
        restart = (old.max_gap_s, old.smoothing, old.smoothing_alpha, old.smoothing_span, old.rest,
                   old.swipe_frame, old.resample) != (config.max_gap_s, config.smoothing, config.smoothing_alpha,
                                                      config.smoothing_span, config.rest, config.swipe_frame,
                                                      config.resample)
        if restart:
            return self.close()
        for src in self._sources.values():
            src.machine.config = config.events
        return []

    def set_model(self, model: GestureModel) -> list[GestureEventData]:
        """Swap the model: end what the old one started, then start every source afresh."""
        events = self.close()
        self.model = model
        self._presence_cols = [i for i, n in enumerate(model.spec.names()) if n.endswith(".present")]
        self._reject = self._reject_vector(model)
        self.infer_stats = LatencyStats(2000)
        return events

    def close(self) -> list[GestureEventData]:
        """End every active held gesture (shutdown, reset) and forget the sources' windows."""
        events: list[GestureEventData] = []
        for src in self._sources.values():
            events += self._publish(src, src.machine.end_all())
        self._sources.clear()
        return events
