"""camera_node: publish frames of a camera, GStreamer pipeline, video file or image folder.

Publishes ``image_raw`` (bgr8), ``image_raw/compressed`` (JPEG) or both (``transport``) and
``camera_info`` with sensor-data QoS, every message of a frame with the same header, stamped at capture.
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

from rclpy.clock import Clock, ClockType
from rclpy.exceptions import ParameterException
from std_msgs.msg import Header

from gesture_ros.common.log_throttle import LogThrottle
from gesture_ros.common.node_params import MANAGED_PARAMS
from gesture_ros.perception.camera_info import CalibrationError, load_calibration
from gesture_ros.perception.camera_params import CAMERA_PARAMS, PACES, PINHOLE
from gesture_ros.perception.consumer_window import ConsumerWindow
from gesture_ros.perception.replay_clock import ReplayClock
from gesture_ros.perception.sources import Frame, Pace, SourceError, SourceOptions, open_source
from gesture_ros.perception.sources.recorded import RecordedSource
from gesture_ros.ros import camera_reconfigure, diagnostics
from gesture_ros.ros.camera_health import CameraHealth
from gesture_ros.ros.camera_info_output import CameraInfoOutput
from gesture_ros.ros.clock_output import ClockOutput
from gesture_ros.ros.conversions import ns_to_stamp, stamp_to_ns
from gesture_ros.ros.image_transport import ImageOut
from gesture_ros.ros.lifecycle import ManagedNode
from gesture_ros.ros.message_types import message_class
from gesture_ros.ros.node_main import run_node
from gesture_ros.ros.params import declare_table
from gesture_ros.ros.qos import SENSOR_QOS


class CameraNode(ManagedNode):
    """Read a frame source in a thread and publish image_raw + camera_info (a managed node: configure opens
    the source, activate starts capturing, deactivate pauses it, cleanup closes the source)."""

    def __init__(self, **kwargs) -> None:
        super().__init__("camera_node", **kwargs)
        self.finished = threading.Event()  # set at the end of a recorded source
        self._halt = threading.Event()  # set by deactivate: the capture thread stops, the source stays open
        self.window = ConsumerWindow()  # frames sent and not yet answered by the consumer
        self._thread: threading.Thread | None = None
        self._consumer_sub = None  # while active
        self.source = None
        v = declare_table(self, CAMERA_PARAMS)
        self._source_name, self.frame_id = v["source"], v["frame_id"]
        self.opts = SourceOptions(**{k: v[k] for k in ("width", "height", "fps", "loop", "pace",
                                                       "reconnect_initial_s", "reconnect_max_s")})
        self.max_in_flight, self.consumer_timeout_s = v["max_in_flight"], v["consumer_timeout_s"]
        self._consumer = (v["consumer_topic"], v["consumer_type"])
        self.wait_for_subscribers, self.linger_s = v["wait_for_subscribers"], v["linger_s"]
        self._publish_clock, self._clock_rate_hz, self._calibration_url = (v["publish_clock"], v["clock_rate_hz"],
                                                                           v["camera_info_url"])
        self.images = ImageOut(self, "image_raw", v["transport"], SENSOR_QOS, jpeg_quality=v["jpeg_quality"])
        self._warn = LogThrottle(self.get_logger().warning)
        self.recorded = False
        self.replay_clock: ReplayClock | None = None
        self.clock_out = ClockOutput(self) if self._publish_clock else None
        self.info_out = CameraInfoOutput(self, {k: v[k] for k in PINHOLE})
        self.add_on_set_parameters_callback(lambda params: camera_reconfigure.apply_changes(self, params))
        self.health = CameraHealth()
        self.diagnostics = diagnostics.DiagnosticsPublisher(self, self._report, hardware_id=self._source_name)
        self.start_if(declare_table(self, MANAGED_PARAMS)["autostart"])

    @property
    def published(self) -> int:
        """Return how many frames went out (the one-process runner's summary)."""
        return self.health.published

    def configure(self) -> None:
        if self.opts.pace not in PACES:
            raise ValueError(f"parameter pace is '{self.opts.pace}', expected {' or '.join(PACES)}")
        self.info_out.calibration = load_calibration(self._calibration_url) if self._calibration_url else None
        # The replay clock's origin is the wall clock: a real-time replay's stamps are then wall times too.
        stamp_clock = Clock(clock_type=ClockType.SYSTEM_TIME) if self._publish_clock else self.get_clock()
        self.source = open_source(self._source_name, self.opts, clock_ns=lambda: stamp_clock.now().nanoseconds,
                                  report=self.get_logger().warning)
        self.recorded = isinstance(self.source, RecordedSource)
        if self._publish_clock and not self.recorded:
            self.get_logger().warning(f"publish_clock ignored: {self.source.description} is live, its stamps are "
                                      "the clock (do not run the other nodes with use_sim_time)")
        self.replay_clock = ReplayClock() if self._publish_clock and self.recorded else None
        self.finished.clear()

    def activate(self) -> None:
        self._halt.clear()
        consumer_topic, consumer_type = self._consumer[0], message_class(self._consumer[1])
        self._consumer_sub = self.create_subscription(consumer_type, consumer_topic, self._on_consumed, SENSOR_QOS)
        if self.replay_clock:
            self.clock_out.start(self.replay_clock, self._clock_rate_hz)
        self._thread = threading.Thread(target=self._capture, name="camera_capture", daemon=True)
        self._thread.start()
        self.get_logger().info(f"publishing {self.source.description} on {self.images.topic_names} "
                               f"(pace {self.opts.pace.value}, loop {self.opts.loop})")

    def deactivate(self) -> None:
        self._halt.set()
        self.window.wake()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
        self._thread = None
        sub, self._consumer_sub = self._consumer_sub, None
        if sub is not None:
            self.destroy_subscription(sub)
        if self.clock_out is not None:
            self.clock_out.stop()
        self.window.clear()

    def cleanup(self) -> None:
        source, self.source = self.source, None
        if source is not None:
            source.close()

    def _on_consumed(self, msg) -> None:
        self.window.answered(stamp_to_ns(msg.header.stamp))

    def _wait_for_consumer(self) -> None:
        """Block while max_in_flight frames are unanswered (as_fast_as_consumed, recorded only)."""
        given_up = self.window.wait_for_room(self.max_in_flight, self.consumer_timeout_s, self._running)
        if given_up:
            self.health.unanswered += len(given_up)
            self._warn(f"no keypoints answered frame {given_up[0]} within {self.consumer_timeout_s} s "
                       "(is keypoint_node running?); sending the next frame anyway", key="unanswered")

    def _running(self) -> bool:
        return not self.finished.is_set() and not self._halt.is_set()

    def _capture(self) -> None:
        ended = False  # the source ended or failed (not paused by deactivate)
        try:
            while self.recorded and self.images.subscribers() < self.wait_for_subscribers:
                if not self._running() or self.finished.wait(0.05):
                    return
            while self._running():
                with self.health.timer.stage("read"):
                    frame = self.source.read()
                if frame is None:
                    ended = True
                    break
                if self.recorded and self.opts.pace == Pace.AS_FAST_AS_CONSUMED:
                    self._wait_for_consumer()
                    self.window.sent(frame.stamp_ns)
                if self._halt.is_set():
                    break
                self._publish(frame)
            if ended and not self.source.closed:  # give consumers time to answer and DDS time to deliver
                self.window.drain(self.consumer_timeout_s, lambda: self.source.closed)
                self.source.sleep(self.linger_s)
                self.get_logger().info(f"end of {self.source.description} after {self.health.published} frames")
        except Exception as exc:  # noqa: BLE001 (report, never die silently in the thread)
            ended = True
            if self.context.ok():  # else Ctrl-C shut rclpy down under a publish: nothing went wrong
                self.get_logger().error(f"capture from {self.source.description} failed: {exc!r}")
        finally:
            if ended:
                self.finished.set()

    def _publish(self, frame: Frame) -> None:
        if self.replay_clock is not None:  # the clock reaches the frame's stamp before the frame goes out
            self.clock_out.send(self.replay_clock.frame_out(frame.stamp_ns, self.source.next_stamp_ns))
        header = Header(stamp=ns_to_stamp(frame.stamp_ns), frame_id=self.frame_id)
        self.images.publish(frame.image, header, self.health.timer)
        with self.health.timer.stage("publish"):
            self.info_out.publish(header, (frame.image.shape[1], frame.image.shape[0]))
        self.health.frame_published()

    def _report(self):
        if self.source is None:
            return diagnostics.WARN, f"unconfigured: {self.failure or 'waiting for configure'}", {}
        return self.health.report(self.source, self.finished.is_set(), self.replay_clock is not None)

    def destroy_node(self) -> None:
        self.finished.set()
        self.window.wake()
        if self.source is not None:
            self.source.close()  # unblocks a read in the capture thread
        super().destroy_node()  # deactivate (joins the thread), cleanup


def main(args=None) -> None:
    run_node(CameraNode, args, startup_errors=(SourceError, CalibrationError, ParameterException, ValueError),
             large_frames=True, until=lambda node: node.finished.is_set())


if __name__ == "__main__":
    main()
