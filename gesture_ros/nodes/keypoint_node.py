"""keypoint_node: MediaPipe keypoints of the newest camera image.

Subscribes ``image_raw`` or, with ``image_transport: compressed``, ``image_raw/compressed`` (JPEG or
PNG, decoded once in the worker), with sensor QoS; a worker thread always takes the newest image, so a
backlog is dropped and counted, never queued, and the extractor is told how many images it
missed (it may re-detect hands after a gap). Publishes ``keypoints`` with the image's
header: one message per frame, or with ``max_people`` > 1 one per tracked person per frame
(``person_id``; one empty message with person_id 0 when nobody is tracked), and ``keypoints/markers``
(rviz skeleton) and ``keypoints/image`` (annotated image; JPEG on ``keypoints/image/compressed``)
only while someone subscribes to them. Bad images (unsupported encoding, size/step mismatch, empty
or huge, bytes that are not a whole JPEG or PNG) are rejected with one throttled log line; the node
keeps running.
Diagnostics WARN when it drops more than ``drop_warn_fraction`` of the images or gets none
for ``no_image_warn_s``.
"""

from __future__ import annotations

import time

from rcl_interfaces.msg import SetParametersResult
from rclpy.exceptions import ParameterException
from sensor_msgs.msg import CompressedImage, Image
from visualization_msgs.msg import MarkerArray

from gesture_ros.common.bad_input import BadInputLog
from gesture_ros.common.log_throttle import LogThrottle
from gesture_ros.common.node_params import MANAGED_PARAMS
from gesture_ros.common.safe_text import bounded
from gesture_ros.common.skeleton import ImagePlane, draw_people
from gesture_ros.common.stats import LatencyStats, StageTimer
from gesture_ros.msg import Keypoints
from gesture_ros.perception.compressed_codec import TRANSPORTS, check_transport
from gesture_ros.perception.engine.backend import open_backend
from gesture_ros.perception.extractor import ExtractorError, ExtractorOptions, KeypointExtractor
from gesture_ros.perception.image_codec import ImageFormatError
from gesture_ros.perception.keeping_up import FlowLimits, FrameFlow
from gesture_ros.perception.keypoint_params import KEYPOINT_PARAMS, changed_options, extractor_options
from gesture_ros.perception.people_extractor import PeopleExtractor, extract
from gesture_ros.perception.stamp_age import StampAges
from gesture_ros.ros import conversions, diagnostics
from gesture_ros.ros.image_transport import ImageOut, subscribe_image
from gesture_ros.ros.lifecycle import ManagedNode
from gesture_ros.ros.markers import people_markers
from gesture_ros.ros.newest_image import NewestImage, Taken
from gesture_ros.ros.node_main import run_node
from gesture_ros.ros.params import declare_table
from gesture_ros.ros.qos import SENSOR_QOS

ImageMsg = Image | CompressedImage  # as image_transport gives it


def _described(extractor) -> str:
    """The extractor's model name; the engine's also names its ONNX Runtime providers."""
    describe = getattr(extractor, "describe", None)
    return describe() if describe is not None else extractor.model_name


class KeypointNode(ManagedNode):
    """Run the KeypointExtractor on the newest image in a worker thread (a managed node: configure opens
    the engine, activate subscribes and starts the worker, cleanup closes the engine)."""

    def __init__(self, **kwargs) -> None:
        super().__init__("keypoint_node", **kwargs)
        self.extractor: KeypointExtractor | PeopleExtractor | None = None
        v = declare_table(self, KEYPOINT_PARAMS)
        self.options = extractor_options(v)
        self.max_pixels = v["max_pixels"]
        self.plane = ImagePlane(depth_m=v["marker_depth_m"], hfov_deg=v["marker_hfov_deg"])
        self.flow = FrameFlow(FlowLimits(max_drop_fraction=v["drop_warn_fraction"], no_image_s=v["no_image_warn_s"]))
        self.images = NewestImage(self.flow)  # the worker always takes the newest image
        self.backend = v["backend"]
        self.transport = v["image_transport"]
        self.image_sub = None
        self.timer = StageTimer()
        self.ages, self.in_node = StampAges(), LatencyStats()
        self.processed = self.rejected = 0
        self.published_span: list[tuple[float, float]] = []  # (monotonic s, process CPU s) at the first and last
        self._rejected_reported = 0
        self._warn = LogThrottle(self.get_logger().warning)
        self._bad = BadInputLog(self.get_logger().warning)  # one sentence per kind of bad image
        self.keypoints_pub = self.create_publisher(Keypoints, "keypoints", SENSOR_QOS)
        self.markers_pub = self.create_publisher(MarkerArray, "keypoints/markers", SENSOR_QOS)
        self.annotated = ImageOut(self, "keypoints/image", "both", SENSOR_QOS, lazy=True)
        self.add_on_set_parameters_callback(self._on_set_parameters)
        self.diagnostics = diagnostics.DiagnosticsPublisher(self, self._report)
        self.start_if(declare_table(self, MANAGED_PARAMS)["autostart"])

    def configure(self) -> None:
        self.transport = check_transport("image_transport", self.transport, TRANSPORTS)  # before the model
        self.options = self.images.take_options() or self.options  # options set while unconfigured
        self.extractor = open_backend(self.options, self.backend)  # ExtractorError/ValueError: the reason

    def activate(self) -> None:
        self.images.start(self._process, self._switch, self._failed)
        # Subscribe last: a subscriber count on image_raw then means "ready for frames".
        self.image_sub, self._decode = subscribe_image(self, "image_raw", self.transport, self.images.put,
                                                       SENSOR_QOS)
        decoder = "image_codec (once)" if self.transport == "raw" else "compressed_codec (cv2.imdecode, once)"
        self.get_logger().info(f"{_described(self.extractor)} on {self.image_sub.topic_name}; images decoded by {decoder}")

    def deactivate(self) -> None:
        if self.image_sub is not None:
            self.destroy_subscription(self.image_sub)
        self.images.stop()

    def cleanup(self) -> None:
        extractor, self.extractor = self.extractor, None
        if extractor is not None:
            extractor.close()

    def _on_set_parameters(self, params) -> SetParametersResult:
        options = changed_options(self.images.pending_options(self.options), {p.name: p.value for p in params})
        if options is not None:
            try:
                options.validate()
            except ValueError as exc:
                return SetParametersResult(successful=False, reason=str(exc))
            self.images.set_options(options)
        setters = {"max_pixels": (self, "max_pixels"), "marker_depth_m": (self.plane, "depth_m"),
                   "marker_hfov_deg": (self.plane, "hfov_deg"),
                   "drop_warn_fraction": (self.flow.limits, "max_drop_fraction"),
                   "no_image_warn_s": (self.flow.limits, "no_image_s")}
        for p in params:
            if p.name in setters:
                setattr(*setters[p.name], p.value)
        return SetParametersResult(successful=True)

    def _failed(self, msg: ImageMsg, exc: Exception) -> None:
        self.rejected += 1
        self._bad(type(exc).__name__, f"processing the image stamped {msg.header.stamp.sec}."
                                      f"{msg.header.stamp.nanosec:09d} failed: {bounded(repr(exc), 300)}")

    def _switch(self, options: ExtractorOptions) -> None:
        old, self.extractor = self.extractor, open_backend(options, self.backend)
        self.options = options
        if old is not None:
            old.close()
        self.get_logger().info(f"switched to {_described(self.extractor)} ({options})")

    def _process(self, msg: ImageMsg, received: float, skipped: int) -> Taken:
        """Extract and publish one image's keypoints; return the next image, taken before publishing."""
        stamp_ns = conversions.stamp_to_ns(msg.header.stamp)
        try:
            with self.timer.stage("decode"):
                bgr = self._decode(msg, self.max_pixels)
        except ImageFormatError as exc:
            self.rejected += 1
            self._bad(exc.kind, f"rejected an image on {self.image_sub.topic_name} "
                                f"(frame_id '{bounded(msg.header.frame_id, 60)}'): {exc}")
            return None, 0
        with self.timer.stage("extract"):
            frames = extract(self.extractor, bgr, stamp_ns, msg.header.frame_id, skipped=skipped)
        keypoints = [conversions.keypoints_to_msg(frame, msg.header) for frame in frames]
        # Take the next image before answering: a camera paced by our answers (as_fast_as_consumed)
        # sends its next frame on this message, and that frame must not replace the one waiting.
        taken = self.images.take()
        with self.timer.stage("publish"):
            for one in keypoints:
                self.keypoints_pub.publish(one)
        self.processed += 1
        self.flow.processed()
        now = (time.monotonic(), time.process_time())
        self.published_span = [self.published_span[0] if self.published_span else now, now]
        self.in_node.add(time.monotonic() - received)
        clock = self.get_clock()
        self.ages.add(clock.now().nanoseconds - stamp_ns, clock.ros_time_is_active)
        if self.markers_pub.get_subscription_count():
            with self.timer.stage("markers"):
                self.markers_pub.publish(people_markers(frames, msg.header, self.plane))
        if self.annotated.subscribers():
            with self.timer.stage("annotate"):
                self.annotated.publish(draw_people(bgr, frames), msg.header)
        return taken

    def _report(self):
        extractor = self.extractor
        figures = {"model": extractor.model_name if extractor else "", **self.flow.figures(),
                   "images received": self.images.received, "images processed": self.processed,
                   "images dropped (backlog)": self.images.dropped, "images rejected": self.rejected, **self._bad.figures("rejected:"),
                   "receipt to publish p50 ms": self.in_node.percentile_ms(50),
                   "receipt to publish p95 ms": self.in_node.percentile_ms(95),
                   **self.ages.figures(self.get_clock().ros_time_is_active), **self.timer.summary(),
                   **({f"extractor {k}": v for k, v in extractor.timer.summary().items()} if extractor else {}),
                   **(extractor.figures() if extractor else {})}
        problems = self.flow.problems()
        new, self._rejected_reported = self.rejected - self._rejected_reported, self.rejected
        if new:
            problems.append(f"{new} images rejected since the last report (see log)")
        if problems:
            return diagnostics.WARN, "; ".join(problems), figures
        return diagnostics.OK, "running", figures

def main(args=None) -> None:
    run_node(KeypointNode, args, startup_errors=(ExtractorError, ParameterException, ValueError), large_frames=True)


if __name__ == "__main__":
    main()
