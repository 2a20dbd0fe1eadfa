"""The send window: which outbox rows the broker has not acknowledged yet, and what comes next.

Rows go out in outbox order; the cursor is the id of the last row handed to the client.
PUBACKs arrive on the network thread and are settled on the sender thread, so a row is
deleted from the outbox only after its acknowledgement. After a disconnect or a refusal the
window rewinds: every row still in the outbox is sent again from the oldest (at-least-once).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from gesture_ros.bridge.outbox import Row


@dataclass(frozen=True)
class Ack:
    mid: int
    code: int  # MQTT reason code; >= 0x80 means refused
    reason: str

    @property
    def refused(self) -> bool:
        return self.code >= 0x80


@dataclass
class Settled:
    delivered: list[Row] = field(default_factory=list)
    refused: list[tuple[Row, Ack]] = field(default_factory=list)
    other: list[Ack] = field(default_factory=list)  # acks of messages that are not events (status)


class InflightWindow:
    """Rows published and waiting for their PUBACK, bounded by ``size``."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.cursor = 0
        self._rows: dict[int, Row] = {}
        self._acks: deque[Ack] = deque()  # appended by the network thread

    def __len__(self) -> int:
        return len(self._rows)

    def room(self) -> int:
        return max(0, self.size - len(self._rows))

    def sent(self, mid: int, row: Row) -> None:
        self._rows[mid] = row
        self.cursor = max(self.cursor, row.row_id)

    def skip(self, row: Row) -> None:
        """Move the cursor past a row that was not published (refused locally)."""
        self.cursor = max(self.cursor, row.row_id)

    def ack(self, mid: int, code: int, reason: str) -> None:
        """Record a PUBACK (thread-safe: deque.append is atomic)."""
        self._acks.append(Ack(mid, code, reason))

    def settle(self) -> Settled:
        """Match the PUBACKs received so far to their rows."""
        out = Settled()
        while self._acks:
            ack = self._acks.popleft()
            row = self._rows.pop(ack.mid, None)
            if row is None:
                out.other.append(ack)
            elif ack.refused:
                out.refused.append((row, ack))
            else:
                out.delivered.append(row)
        return out

    def rewind(self) -> None:
        """Forget what is in flight; the next read starts again at the oldest row."""
        self._rows.clear()
        self._acks.clear()
        self.cursor = 0
