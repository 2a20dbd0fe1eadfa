"""camera_node: publish frames of a camera, GStreamer pipeline, video file or image folder.

Publishes ``image_raw`` (bgr8) and ``camera_info`` with sensor-data QoS, stamped at capture.
Frames are read in a thread of their own. A recorded source ends the node at its end
unless ``loop`` is set. With ``pace: as_fast_as_consumed`` a recorded source sends the next
frame once the consumer has answered on ``consumer_topic`` (a message of ``consumer_type``,
by default keypoints, whose header carries the frame's stamp), keeping at most ``max_in_flight`` frames unanswered: no frame is lost to a slow
consumer and none waits for the wall clock. With ``publish_clock`` a recorded source also
publishes ``/clock``, the replay's time (perception/replay_clock.py), for nodes run with
``use_sim_time``: stale-event checks and latency figures then mean the same at any pace.
"""

from __future__ import annotations

import threading
from collections import deque

from rcl_interfaces.msg import SetParametersResult
from rclpy.clock import Clock, ClockType
from rclpy.exceptions import ParameterException
from rclpy.node import Node
from rclpy.qos import QoSProfile, ReliabilityPolicy
from rosgraph_msgs.msg import Clock as ClockMsg
from sensor_msgs.msg import CameraInfo, Image

from gesture_ros.common.log_throttle import LogThrottle
from gesture_ros.common.stats import RateMeter, StageTimer
from gesture_ros.perception.camera_info import (
    CalibrationError,
    CameraIntrinsics,
    load_calibration,
    pinhole,
)
from gesture_ros.perception.replay_clock import ReplayClock
from gesture_ros.perception.sources import (
    Frame,
    Pace,
    SourceError,
    SourceOptions,
    open_source,
)
from gesture_ros.perception.sources.recorded import RecordedSource
from gesture_ros.ros import diagnostics
from gesture_ros.ros.conversions import bgr_to_image, ns_to_stamp, stamp_to_ns
from gesture_ros.ros.message_types import message_class
from gesture_ros.ros.node_main import run_node
from gesture_ros.ros.params import declare
from gesture_ros.ros.qos import SENSOR_QOS

PACES = [p.value for p in Pace]
CLOCK_QOS = QoSProfile(depth=1, reliability=ReliabilityPolicy.BEST_EFFORT)  # as rclpy's TimeSource subscribes


class CameraNode(Node):
    """Read a frame source in a thread and publish image_raw + camera_info."""

    def __init__(self, **kwargs) -> None:
        super().__init__("camera_node", **kwargs)
        self.finished = threading.Event()  # set at the end of a recorded source
        self._acked = threading.Condition()
        self._in_flight: deque[int] = deque()
        self._thread: threading.Thread | None = None
        self.source = None
        source = declare(self, "source", "0", "Device index or /dev/videoN, GStreamer pipeline (contains '!'), "
                         "video file (mp4/avi/mkv/gif) or folder of images", read_only=True)
        self.frame_id = declare(self, "frame_id", "camera_optical_frame", "frame_id of image_raw and camera_info")
        opts = SourceOptions(
            width=declare(self, "width", 0, "Output width in pixels (0: the source's)", (0, 7680), read_only=True),
            height=declare(self, "height", 0, "Output height in pixels (0: the source's)", (0, 4320), read_only=True),
            fps=declare(self, "fps", 0.0, "Device: requested rate; file/folder: replay rate (0: the file's)",
                        (0.0, 240.0), read_only=True),
            loop=declare(self, "loop", False, "Restart a file or folder at its end instead of exiting"),
            pace=declare(self, "pace", "realtime", f"Recorded sources: {' or '.join(PACES)}"),
            reconnect_initial_s=declare(self, "reconnect_initial_s", 0.5, "First wait before reopening a lost "
                                        "device (doubles per attempt)", (0.05, 60.0), read_only=True),
            reconnect_max_s=declare(self, "reconnect_max_s", 8.0, "Longest wait between reopen attempts",
                                    (0.1, 600.0), read_only=True),
        )
        self.max_in_flight = declare(self, "max_in_flight", 2, "as_fast_as_consumed: frames sent but not yet "
                                     "answered on consumer_topic", (1, 16))
        self.consumer_timeout_s = declare(self, "consumer_timeout_s", 2.0, "as_fast_as_consumed: send the next "
                                          "frame anyway after this long without an answer", (0.01, 60.0))
        consumer_topic = declare(self, "consumer_topic", "keypoints", "as_fast_as_consumed: topic whose header "
                                 "stamps acknowledge frames", read_only=True)
        # The consumer's type is a parameter: the camera knows only that its answers carry a header.
        consumer_type = message_class(declare(self, "consumer_type", "gesture_ros/msg/Keypoints", "as_fast_as_"
                                              "consumed: type of consumer_topic (any message with a header)",
                                              read_only=True))
        self.wait_for_subscribers = declare(self, "wait_for_subscribers", 1, "Recorded sources: start once "
                                            "image_raw has this many subscribers (0: at once)", (0, 64))
        self.linger_s = declare(self, "linger_s", 0.5, "Recorded sources: keep the node up this long after "
                                "the last frame so it is delivered", (0.0, 30.0))
        publish_clock = declare(self, "publish_clock", False, "Recorded sources: publish /clock, the replay's "
                                "time, for nodes run with use_sim_time (as ros2 bag play --clock)", read_only=True)
        clock_rate_hz = declare(self, "clock_rate_hz", 20.0, "publish_clock: /clock messages per second between "
                                "frames (each frame also sends one)", (1.0, 1000.0), read_only=True)
        calibration_url = declare(self, "camera_info_url", "", "camera_calibration YAML (file:// or path); "
                                  "empty: a pinhole model from hfov_deg/fx/fy/cx/cy", read_only=True)
        self._pinhole = {k: declare(self, k, d, desc, r, read_only=True) for k, d, desc, r in (
            ("hfov_deg", 60.0, "Horizontal field of view for the pinhole model", (1.0, 179.0)),
            ("fx", 0.0, "Focal length x in pixels (0: from hfov_deg)", (0.0, 1e5)),
            ("fy", 0.0, "Focal length y in pixels (0: = fx)", (0.0, 1e5)),
            ("cx", 0.0, "Principal point x in pixels (0: image centre)", (0.0, 1e5)),
            ("cy", 0.0, "Principal point y in pixels (0: image centre)", (0.0, 1e5)))}
        if opts.pace not in PACES:
            raise ValueError(f"parameter pace is '{opts.pace}', expected {' or '.join(PACES)}")
        self._calibration: CameraIntrinsics | None = load_calibration(calibration_url) if calibration_url else None
        self._intrinsics: CameraIntrinsics | None = None
        self._warn = LogThrottle(self.get_logger().warning)
        # The replay clock's origin is the wall clock: a real-time replay's stamps are then wall times too.
        stamp_clock = Clock(clock_type=ClockType.SYSTEM_TIME) if publish_clock else self.get_clock()
        self.source = open_source(source, opts, clock_ns=lambda: stamp_clock.now().nanoseconds,
                                  report=self.get_logger().warning)
        self.recorded = isinstance(self.source, RecordedSource)
        self.replay_clock: ReplayClock | None = None
        self._clock_lock = threading.Lock()
        self._clock_sent = 0
        if publish_clock and not self.recorded:
            self.get_logger().warning(f"publish_clock ignored: {self.source.description} is live, its stamps are "
                                      "the clock (do not run the other nodes with use_sim_time)")
        elif publish_clock:
            self.replay_clock = ReplayClock()
            self.clock_pub = self.create_publisher(ClockMsg, "/clock", CLOCK_QOS)
            self.create_timer(1.0 / clock_rate_hz, self._tick_clock, clock=Clock(clock_type=ClockType.STEADY_TIME))
        self.image_pub = self.create_publisher(Image, "image_raw", SENSOR_QOS)
        self.info_pub = self.create_publisher(CameraInfo, "camera_info", SENSOR_QOS)
        self.create_subscription(consumer_type, consumer_topic, self._on_consumed, SENSOR_QOS)
        self.add_on_set_parameters_callback(self._on_set_parameters)
        self.timer = StageTimer()
        self.rate = RateMeter()
        self.published = 0
        self.unanswered = 0
        self.diagnostics = diagnostics.DiagnosticsPublisher(self, self._report, hardware_id=source)
        self._thread = threading.Thread(target=self._capture, name="camera_capture", daemon=True)
        self._thread.start()
        self.get_logger().info(f"publishing {self.source.description} on {self.image_pub.topic_name} "
                               f"(pace {opts.pace.value}, loop {opts.loop})")

    def _on_set_parameters(self, params) -> SetParametersResult:
        for p in params:
            if p.name == "pace" and p.value not in PACES:
                return SetParametersResult(successful=False, reason=f"pace must be {' or '.join(PACES)}")
        for p in params:
            if p.name == "pace":
                self.source.options.pace = Pace(p.value)
            elif p.name == "loop":
                self.source.options.loop = bool(p.value)
            elif p.name in ("frame_id", "max_in_flight", "consumer_timeout_s", "wait_for_subscribers"):
                setattr(self, p.name, p.value)
        return SetParametersResult(successful=True)

    def _on_consumed(self, msg) -> None:
        stamp = stamp_to_ns(msg.header.stamp)
        with self._acked:
            while self._in_flight and self._in_flight[0] <= stamp:
                self._in_flight.popleft()
            self._acked.notify_all()

    def _wait_for_consumer(self) -> None:
        """Block while max_in_flight frames are unanswered (as_fast_as_consumed, recorded only)."""
        with self._acked:
            if not self._acked.wait_for(lambda: len(self._in_flight) < self.max_in_flight or self.finished.is_set(),
                                        timeout=self.consumer_timeout_s):
                self.unanswered += len(self._in_flight)
                self._warn(f"no keypoints answered frame {self._in_flight[0]} within {self.consumer_timeout_s} s "
                           "(is keypoint_node running?); sending the next frame anyway", key="unanswered")
                self._in_flight.clear()

    def _capture(self) -> None:
        try:
            while self.recorded and self.image_pub.get_subscription_count() < self.wait_for_subscribers:
                if self.finished.wait(0.05):
                    return
            while not self.finished.is_set():
                with self.timer.stage("read"):
                    frame = self.source.read()
                if frame is None:
                    break
                if self.recorded and self.source.options.pace == Pace.AS_FAST_AS_CONSUMED:
                    self._wait_for_consumer()
                    with self._acked:
                        self._in_flight.append(frame.stamp_ns)
                self._publish(frame)
            if not self.source.closed:
                self._drain()
                self.get_logger().info(f"end of {self.source.description} after {self.published} frames")
        except Exception as exc:  # noqa: BLE001 (report, never die silently in the thread)
            if self.context.ok():  # else Ctrl-C shut rclpy down under a publish: nothing went wrong
                self.get_logger().error(f"capture from {self.source.description} failed: {exc!r}")
        finally:
            self.finished.set()

    def _drain(self) -> None:
        """At the end of a file, give consumers time to answer and DDS time to deliver."""
        with self._acked:
            self._acked.wait_for(lambda: not self._in_flight or self.source.closed, timeout=self.consumer_timeout_s)
        self.source.sleep(self.linger_s)

    def _tick_clock(self) -> None:
        now = self.replay_clock.now_ns()
        if now is not None:
            self._send_clock(now)

    def _send_clock(self, stamp_ns: int) -> None:
        with self._clock_lock:  # the capture thread and the timer both send: keep /clock in order
            if stamp_ns > self._clock_sent:
                self.clock_pub.publish(ClockMsg(clock=ns_to_stamp(stamp_ns)))
                self._clock_sent = stamp_ns

    def _publish(self, frame: Frame) -> None:
        if self.replay_clock is not None:  # the clock reaches the frame's stamp before the frame goes out
            self._send_clock(self.replay_clock.frame_out(frame.stamp_ns, self.source.next_stamp_ns))
        with self.timer.stage("convert"):
            image = bgr_to_image(frame.image)
            image.header.stamp = ns_to_stamp(frame.stamp_ns)
            image.header.frame_id = self.frame_id
        with self.timer.stage("publish"):
            self.image_pub.publish(image)
            self.info_pub.publish(self._camera_info(image))
        self.published += 1
        self.rate.tick()

    def _camera_info(self, image: Image) -> CameraInfo:
        size = (image.width, image.height)
        if self._intrinsics is None or (self._intrinsics.width, self._intrinsics.height) != size:
            self._intrinsics = self._calibration.scaled(*size) if self._calibration else pinhole(*size, **{
                k: v for k, v in self._pinhole.items()})
        i = self._intrinsics
        return CameraInfo(header=image.header, width=i.width, height=i.height, distortion_model=i.distortion_model,
                          d=i.d, k=i.k, r=i.r, p=i.p)

    def _report(self):
        figures = {"source": self.source.description, "frames published": self.published,
                   "replay clock": "published on /clock" if self.replay_clock else "off",
                   "rate hz": self.rate.rate(), "frames unanswered": self.unanswered,
                   "reconnects": getattr(self.source, "reconnects", 0), **self.timer.summary()}
        if self.finished.is_set():
            return diagnostics.OK, "source ended", figures
        if self.published and self.rate.rate() == 0.0:
            return diagnostics.WARN, "no frames in the last seconds", figures
        return diagnostics.OK, "publishing", figures

    def destroy_node(self) -> None:
        self.finished.set()
        with self._acked:
            self._acked.notify_all()
        if self.source is not None:
            self.source.close()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
        super().destroy_node()


def main(args=None) -> None:
    run_node(CameraNode, args, startup_errors=(SourceError, CalibrationError, ParameterException, ValueError),
             large_frames=True, until=lambda node: node.finished.is_set())


if __name__ == "__main__":
    main()
