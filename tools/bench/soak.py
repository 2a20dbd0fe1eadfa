"""Bridge soak: every accepted event reaches the venue exactly once through kills and broker restarts.

    python -m tools.bench soak [--events 10000] [--kills 10] [--broker-restarts 3] [--venue-kills 5]

Not in the default ``make bench`` run (it takes minutes): ``make bench ARGS=soak``.

A real mosquitto on 127.0.0.1 (persistent state, stopped with SIGTERM as an operator would),
the real ``venue_monitor`` on a persistent session, and ``bridge_node`` processes sharing one
outbox, each SIGKILLed right after the bridge committed everything sent to it (sends still in
flight); the broker is restarted while events keep coming. An event counts as accepted once the
bridge process that received it reports it committed (its /diagnostics 'accepted'): an event
published to a process being killed is lost in ROS, before the bridge, and is not what this
measures. Prints accepted, delivered (unique at the venue), duplicates (dropped by the venue's
dedup, until the last unique one arrived), lost (accepted, never delivered: must be 0),
out-of-order, the drain after each broker restart and the time to drain at the end.

The venue end is killed too: two ``venue_server`` processes (one on SQLite, one on a PostgreSQL
started from Debian's packages) and ``venue_monitor`` are SIGKILLed ``--venue-kills`` times while
the devices send, and restarted on their persistent sessions; every accepted event must be in
both databases and in the monitor's JSONL exactly once (0 lost, 0 double-counted).
"""

from __future__ import annotations

import argparse
import json
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from tools.child_process import BENCH_DOMAINS, DomainLease, node_command, stop_process
from tools.mosquitto import Mosquitto
from tools.postgres import Postgres
from tools.venue_procs import VenueProcesses


class Publisher:
    """An rclpy node publishing GestureEvents and reading the bridges' /diagnostics by pid."""

    def __init__(self, domain: int) -> None:
        import rclpy
        from diagnostic_msgs.msg import DiagnosticArray
        from gesture_ros.msg import GestureEvent
        from rclpy.executors import SingleThreadedExecutor

        from gesture_ros.ros.qos import EVENT_QOS

        self._rclpy = rclpy
        self.context = rclpy.context.Context()
        rclpy.init(context=self.context, domain_id=domain)
        self.node = rclpy.create_node("soak_publisher", context=self.context)
        self.pub = self.node.create_publisher(GestureEvent, "gesture/events", EVENT_QOS)
        self.node.create_subscription(DiagnosticArray, "/diagnostics", self._on_diag, 50)
        self.executor = SingleThreadedExecutor(context=self.context)
        self.executor.add_node(self.node)
        self.msg_type = GestureEvent
        self.accepted: dict[str, int] = {}  # bridge pid -> events it committed
        self.max_depth = 0  # deepest outbox any bridge reported
        self.depth: dict[str, int] = {}  # bridge pid -> its outbox depth
        self.sequence: dict[str, int] = {}
        self.sent: list[str] = []
        self._gids: set = set()

    def _on_diag(self, msg) -> None:
        for status in msg.status:
            values = {kv.key: kv.value for kv in status.values}
            if "outbox depth" in values and "pid" in values:
                self.accepted[values["pid"]] = int(values.get("accepted", "0"))
                self.depth[values["pid"]] = int(values["outbox depth"])
                self.max_depth = max(self.max_depth, self.depth[values["pid"]])

    def spin_until(self, done, timeout: float) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if done():
                return True
            self.executor.spin_once(timeout_sec=0.05)
        return done()

    def wait_for_bridge(self, pid: int, timeout: float = 60.0) -> None:
        def matched() -> bool:
            gids = {bytes(i.endpoint_gid) for i in self.node.get_subscriptions_info_by_topic("/gesture/events")}
            return bool(gids - self._gids) and str(pid) in self.accepted
        if not self.spin_until(matched, timeout):
            raise RuntimeError(f"bridge_node (pid {pid}) did not come up within {timeout:g} s")
        self._gids = {bytes(i.endpoint_gid) for i in self.node.get_subscriptions_info_by_topic("/gesture/events")}
        self.spin_until(lambda: False, 0.3)  # let the new reader settle into the writer's match

    def publish(self, n: int, pid: int, chunk: int = 50) -> None:
        """Publish ``n`` events, at most ``chunk`` ahead of what bridge ``pid`` has committed.

        ``chunk`` stays below the reliable QoS depth (100): a writer overwrites what a slow reader
        has not yet acknowledged beyond it.
        """
        base = self.accepted.get(str(pid), 0)
        for i in range(n):
            source = f"cam{i % 2 + 1}"
            self.sequence[source] = self.sequence.get(source, 0) + 1
            msg = self.msg_type(event_id=str(uuid.uuid4()), source_id=source, sequence=self.sequence[source],
                                gesture="swipe_left", confidence=0.9, event_type=self.msg_type.TRIGGER,
                                model_id="soak", model_version="1")
            now = time.time_ns()
            msg.header.stamp.sec, msg.header.stamp.nanosec = divmod(now, 1_000_000_000)
            msg.start_stamp = msg.end_stamp = msg.header.stamp
            self.pub.publish(msg)
            self.sent.append(msg.event_id)
            if (i + 1) % chunk == 0 or i == n - 1:
                target = base + i + 1
                if not self.spin_until(lambda t=target: self.accepted.get(str(pid), 0) >= t, 60):
                    raise RuntimeError(f"bridge {pid} committed {self.accepted.get(str(pid))} of {target} events")

    def close(self) -> None:
        self.executor.shutdown()
        self.node.destroy_node()
        self._rclpy.try_shutdown(context=self.context)


def _delivered(path: Path) -> list[str]:
    if not path.exists():
        return []
    complete = path.read_text().rpartition("\n")[0]  # the monitor may be writing the last line
    return [json.loads(line)["event"]["event_id"] for line in complete.splitlines() if line.strip()]


def soak(events: int, kills: int, broker_restarts: int, venue_kills: int, workdir: Path, postgres_url: str) -> int:
    lease = DomainLease(BENCH_DOMAINS)
    env = lease.env()
    broker = Mosquitto(workdir / "mosquitto", persistence=True).start()
    received = workdir / "received.jsonl"
    venue = VenueProcesses(workdir, broker.port, received, {"sqlite": str(workdir / "venue.sqlite3"),
                                                          "postgresql": postgres_url}, env)
    outbox = workdir / "outbox.sqlite3"
    params = {"broker_port": broker.port, "outbox_path": str(outbox), "venue": "soak", "device_id": "soak1",
              "reconnect_min_s": 0.1, "reconnect_max_s": 0.5, "diagnostics_period_s": 0.1, "heartbeat_s": 1.0,
              "inflight": 4}  # a small send window: more sends in flight when a kill comes
    publisher = Publisher(lease.domain_id)
    per_bridge = events // kills
    restart_at = {round((k + 1) * kills / (broker_restarts + 1)) - 1 for k in range(broker_restarts)}
    free = [k for k in range(kills) if k not in restart_at]  # one fault per bridge process
    venue_kill_at = {free[round(i * len(free) / venue_kills)] for i in range(venue_kills)} if venue_kills else set()
    bridge: subprocess.Popen | None = None
    killed = restarted = 0
    drains: list[tuple] = []  # (events waiting while the broker was down, s from its restart to all delivered)
    started = time.monotonic()
    try:
        for k in range(kills):
            with open(workdir / f"bridge{k}.log", "wb") as log:
                bridge = subprocess.Popen(node_command("bridge_node", params), stdout=log, stderr=subprocess.STDOUT,
                                          env=env, start_new_session=True)
            publisher.wait_for_bridge(bridge.pid)
            n = per_bridge if k < kills - 1 else events - per_bridge * (kills - 1)
            if k in restart_at:  # the broker goes down mid-stream: events wait in the outbox
                publisher.publish(n // 2, bridge.pid)
                broker.stop(20)
                publisher.publish(n - n // 2, bridge.pid)
                backlog = len(set(publisher.sent) - set(_delivered(received)))
                broker.start()
                back = time.monotonic()
                target = set(publisher.sent)
                publisher.spin_until(lambda t=target: t <= set(_delivered(received)), 300)
                drains.append((backlog, time.monotonic() - back))
                restarted += 1
            elif k in venue_kill_at:  # the venue end dies mid-stream and comes back on its sessions
                publisher.publish(n // 2, bridge.pid)
                venue.kill_all()
                publisher.publish(n - n // 2, bridge.pid)
                venue.start_all()
            else:
                publisher.publish(n, bridge.pid)
            bridge.send_signal(signal.SIGKILL)  # right after the last commit: sends still in flight
            bridge.wait()
            killed += 1
        published = time.monotonic()
        with open(workdir / "bridge_final.log", "wb") as log:
            bridge = subprocess.Popen(node_command("bridge_node", params), stdout=log, stderr=subprocess.STDOUT,
                                      env=env, start_new_session=True)
        accepted = set(publisher.sent)
        final = str(bridge.pid)
        publisher.spin_until(lambda: accepted <= set(_delivered(received)) and publisher.depth.get(final) == 0
                             and venue.stored_at_least(len(accepted)), 600)
        drained = time.monotonic()
        stop_process(bridge, signal.SIGINT, 20)
    finally:
        if bridge is not None and bridge.poll() is None:
            stop_process(bridge, signal.SIGINT, 20)
        venue.stop_all()
        broker.stop(20)
        publisher.close()
        lease.release()
    stored = venue.stored_ids()
    out = venue.monitor_log.read_text(errors="replace").rpartition("venue_monitor: connected")[2]
    summary = json.loads(out.rsplit("summary ", 1)[1]) if "summary " in out else {}
    if not summary:
        print(f"  venue_monitor gave no summary; its output ends:\n{out[-1500:]}")
    lines = _delivered(received)
    delivered = set(lines) & accepted
    lost = len(accepted - delivered)
    depth = sqlite3.connect(outbox).execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
    figures = {"events accepted": len(accepted), "delivered (unique at the venue)": len(delivered),
               "duplicates (dropped by the venue)": summary.get("duplicates", "?"), "lost": lost,
               "double-counted (monitor JSONL)": len(lines) - len(set(lines)),
               **{f"venue_server {name}: stored, lost, extra": f"{len(ids)}, {len(accepted - set(ids))}, "
                  f"{len(set(ids) - accepted) + len(ids) - len(set(ids))}" for name, ids in stored.items()},
               "venue_server and venue_monitor SIGKILLs": venue.kills,
               "out of order": summary.get("out_of_order", "?"), "missing (sequence gaps)": summary.get("missing", "?"),
               "bridge SIGKILLs": killed, "broker restarts": restarted, "deepest outbox": publisher.max_depth,
               "outbox left": depth,
               "publish phase s": round(published - started, 1),
               "drain after each broker restart (backlog events: s)":
                   ", ".join(f"{n}: {s:.1f}" for n, s in drains) or "-",
               "time to drain s (last kill -> all delivered)": round(drained - published, 1)}
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"  {key:<{width}}  {value}")
    ok = (lost == 0 and depth == 0 and len(lines) == len(set(lines))
          and all(sorted(ids) == sorted(accepted) for ids in stored.values()))
    print(f"  result: {'PASS' if ok else 'FAIL'} (0 lost, 0 double-counted at the monitor and in both "
          "databases, outbox empty)")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench soak", description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--kills", type=int, default=10, help="bridge_node SIGKILLs (one process per share)")
    parser.add_argument("--broker-restarts", type=int, default=3)
    parser.add_argument("--venue-kills", type=int, default=5, help="SIGKILLs of the venue servers and monitor")
    opts = parser.parse_args(argv)
    if opts.kills < 1 or opts.broker_restarts >= opts.kills or opts.events < opts.kills \
            or opts.venue_kills + opts.broker_restarts > opts.kills:
        parser.error("need kills >= 1, broker-restarts < kills, venue-kills + broker-restarts <= kills "
                     "and events >= kills")
    print(f"soak: {opts.events} events, bridge_node SIGKILLed {opts.kills} times, broker restarted "
          f"{opts.broker_restarts} times, venue servers and monitor SIGKILLed {opts.venue_kills} times (real "
          "mosquitto, PostgreSQL, venue_server, venue_monitor, bridge_node processes)", flush=True)
    with tempfile.TemporaryDirectory(prefix="gesture_soak_") as workdir, Postgres() as postgres:
        return soak(opts.events, opts.kills, opts.broker_restarts, opts.venue_kills, Path(workdir), postgres.url)


if __name__ == "__main__":
    sys.exit(main())
