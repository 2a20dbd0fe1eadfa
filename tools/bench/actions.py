"""Benchmark the dispatcher: event in, OSC datagram out, against a bare python-osc send.

``python -m tools.bench.actions [--events N]``: both paths send to the same
python-osc UDP receiver on 127.0.0.1, side by side in one run; the figure to read is
the ratio (dispatcher overhead over a bare send), not the absolute milliseconds.
"""

from __future__ import annotations

import argparse
import threading
import time

from pythonosc.dispatcher import Dispatcher as OscDispatcher
from pythonosc.osc_server import ThreadingOSCUDPServer
from pythonosc.udp_client import SimpleUDPClient

from gesture_ros.actions.action_map import parse_action_map
from gesture_ros.actions.dispatcher import Dispatcher
from gesture_ros.actions.safety import SafetySettings
from gesture_ros.common.gesture_event import EventType, GestureEventData
from gesture_ros.common.stats import LatencyStats


class _Receiver:
    """Record the arrival time of each datagram by its first argument (a sequence number)."""

    def __init__(self) -> None:
        self.arrived: dict[int, float] = {}
        osc = OscDispatcher()
        osc.set_default_handler(lambda _address, seq, *rest: self.arrived.__setitem__(seq, time.perf_counter()))
        self.server = ThreadingOSCUDPServer(("127.0.0.1", 0), osc)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def wait(self, seq: int, timeout_s: float = 2.0) -> float:
        deadline = time.perf_counter() + timeout_s
        while seq not in self.arrived and time.perf_counter() < deadline:
            time.sleep(0.0002)
        return self.arrived.get(seq, float("nan"))


def run(events: int) -> dict[str, LatencyStats]:
    """Alternate bare sends and dispatched events; return latency stats of each path."""
    receiver = _Receiver()
    amap = parse_action_map(
        f"targets:\n  desk: {{type: osc, host: 127.0.0.1, port: {receiver.port}, allow: ['/go']}}\n"
        "actions:\n  swipe_right:\n    TRIGGER: [{target: desk, address: /go, args: ['{sequence}']}]\n", "bench.yaml")
    dispatcher = Dispatcher(report=lambda result: None, clock_ns=time.time_ns,
                            settings=SafetySettings(max_event_age_s=0, rate_limit_count=0))
    dispatcher.load(amap)
    bare = SimpleUDPClient("127.0.0.1", receiver.port)
    stats = {"bare python-osc send": LatencyStats(events), "dispatcher": LatencyStats(events)}
    try:
        for i in range(events):
            seq = 2 * i + 1
            start = time.perf_counter()
            bare.send_message("/go", seq)
            stats["bare python-osc send"].add(receiver.wait(seq) - start)
            seq += 1
            event = GestureEventData(event_id=str(seq), gesture="swipe_right", event_type=EventType.TRIGGER,
                                     stamp_ns=time.time_ns(), sequence=seq)
            start = time.perf_counter()
            dispatcher.handle(event)
            stats["dispatcher"].add(receiver.wait(seq) - start)
    finally:
        dispatcher.close()
        receiver.server.shutdown()
        receiver.server.server_close()
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=500)
    args, _ = parser.parse_known_args(argv)
    stats = run(args.events)
    base = stats["bare python-osc send"]
    for name, s in stats.items():
        print(f"{name:22s} p50 {s.percentile_ms(50):7.3f} ms  p95 {s.percentile_ms(95):7.3f} ms  "
              f"ratio p50 {s.percentile_ms(50) / base.percentile_ms(50):5.2f}x  (n={len(s)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
