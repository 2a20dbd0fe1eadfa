"""The venue's view of the crowd: deduplicated events, counted per gesture, per device and per person.

Delivery is at-least-once, so the tally drops repeated event ids, and checks each source's
``sequence``: a jump forward is a gap (events still missing), a missing number arriving later
is late, and a source starting again at 1 is a restart (its classifier was restarted).
"""

from __future__ import annotations

import time
from collections import Counter, OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from gesture_ros.common.gesture_event import EventType, GestureEventData

_MAX_TRACKED_GAP = 100_000  # a larger jump is counted, not remembered number by number


@dataclass
class SourceTrack:
    """What arrived from one source (one camera of one device)."""

    events: int = 0
    last_sequence: int = 0
    missing: set[int] = field(default_factory=set)
    late: int = 0
    out_of_order: int = 0
    restarts: int = 0
    last_gesture: str = ""
    last_seen: float = 0.0
    status: str = ""


@dataclass
class CrowdTally:
    """Count unique events; remember the last ``remember`` event ids for deduplication."""

    remember: int = 1_000_000
    recent_s: float = 10.0
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        self.unique = 0
        self.duplicates = 0
        self.invalid = 0
        self.gestures: Counter = Counter()
        self.sources: dict[str, SourceTrack] = {}
        self.people: Counter = Counter()  # (source_id, person_id) -> gestures, for person ids > 0
        self.people_gestures: dict[tuple, str] = {}  # (source_id, person_id) -> last gesture
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._recent: deque[tuple] = deque()

    def add(self, record: GestureEventData) -> bool:
        """Count an event; return False if it is a duplicate."""
        if record.event_id in self._seen:
            self.duplicates += 1
            return False
        self._seen[record.event_id] = None
        if len(self._seen) > self.remember:
            self._seen.popitem(last=False)
        self.unique += 1
        now = self.clock()
        track = self.sources.setdefault(record.source_id, SourceTrack())
        self._check_sequence(track, record.sequence)
        track.events += 1
        track.last_gesture = record.gesture
        track.last_seen = now
        if record.event_type is not EventType.END:  # an END closes a START already counted
            self.gestures[record.gesture] += 1
            if record.person_id:
                self.people[(record.source_id, record.person_id)] += 1
                self.people_gestures[(record.source_id, record.person_id)] = record.gesture
            self._recent.append((now, record.gesture))
        return True

    def _check_sequence(self, track: SourceTrack, seq: int) -> None:
        last = track.last_sequence
        if last == 0 or seq == last + 1:
            track.last_sequence = seq
        elif seq > last + 1:
            if seq - last - 1 <= _MAX_TRACKED_GAP:
                track.missing.update(range(last + 1, seq))
            track.last_sequence = seq
        elif seq in track.missing:
            track.missing.discard(seq)
            track.late += 1
        elif seq == 1:
            track.restarts += 1
            track.missing.clear()
            track.last_sequence = seq
        else:
            track.out_of_order += 1

    def set_status(self, device: str, status: str) -> None:
        self.sources.setdefault(device, SourceTrack()).status = status

    def recent(self) -> Counter:
        """Return gesture counts over the last ``recent_s`` seconds."""
        cutoff = self.clock() - self.recent_s
        while self._recent and self._recent[0][0] < cutoff:
            self._recent.popleft()
        return Counter(g for _, g in self._recent)

    @property
    def missing(self) -> int:
        return sum(len(t.missing) for t in self.sources.values())

    def summary(self) -> dict:
        return {
            "unique": self.unique, "duplicates": self.duplicates, "invalid": self.invalid,
            "missing": self.missing, "late": sum(t.late for t in self.sources.values()),
            "out_of_order": sum(t.out_of_order for t in self.sources.values()),
            "restarts": sum(t.restarts for t in self.sources.values()),
            "gestures": dict(self.gestures),
            "sources": {s: t.events for s, t in self.sources.items() if t.events},
            "people": {f"{s}#{p}": n for (s, p), n in sorted(self.people.items())},
        }

    def table(self, title: str | None = None) -> str:
        """Return the artists' view: gestures and devices, as a plain-text table."""
        recent = self.recent()
        lines = [title or f"venue monitor: {self.unique} events ({self.duplicates} duplicates dropped, "
                 f"{self.missing} missing)", "", f"{'gesture':<24}{'total':>8}{f'last {self.recent_s:g} s':>12}"]
        for gesture, total in self.gestures.most_common():
            lines.append(f"{gesture[:23]:<24}{total:>8}{recent.get(gesture, 0):>12}")
        lines += ["", f"{'device / source':<24}{'events':>8}{'seq':>8}{'missing':>8}{'late':>6}  "
                  f"{'last gesture':<16}{'status'}"]
        now = self.clock()
        for name, t in sorted(self.sources.items()):
            age = f" ({now - t.last_seen:.0f} s ago)" if t.last_seen else ""
            lines.append(f"{name[:23]:<24}{t.events:>8}{t.last_sequence:>8}{len(t.missing):>8}{t.late:>6}  "
                         f"{(t.last_gesture + age)[:30]:<16}{t.status}")
        if self.people:
            lines += ["", f"{'person (source#id)':<32}{'gestures':>8}  last gesture"]
            for (source, pid), n in sorted(self.people.items()):
                lines.append(f"{f'{source[:23]}#{pid}':<32}{n:>8}  {self.people_gestures[(source, pid)]}")
        return "\n".join(lines)
