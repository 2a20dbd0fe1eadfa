"""keypoint_node: MediaPipe keypoints of the newest camera image.

Subscribes ``image_raw`` (sensor QoS); a worker thread always takes the newest image, so a
backlog is dropped and counted, never queued. Publishes ``keypoints`` with the image's
header, and ``keypoints/markers`` (rviz skeleton) and ``keypoints/image`` (annotated image)
only while someone subscribes to them. Bad images (unsupported encoding, size/step
mismatch, empty or huge) are rejected with one throttled log line; the node keeps running.
"""

from __future__ import annotations

import threading
import time

from rcl_interfaces.msg import SetParametersResult
from rclpy.exceptions import ParameterException
from rclpy.node import Node
from sensor_msgs.msg import Image
from visualization_msgs.msg import MarkerArray

from gesture_ros.core.bad_input import BadInputLog
from gesture_ros.core.extractor import (
    ExtractorError,
    ExtractorOptions,
    KeypointExtractor,
    ModelKind,
)
from gesture_ros.core.image_codec import DEFAULT_MAX_PIXELS, ImageFormatError
from gesture_ros.core.log_throttle import LogThrottle
from gesture_ros.core.safe_text import bounded
from gesture_ros.core.skeleton import ImagePlane, draw_skeleton
from gesture_ros.core.stats import LatencyStats, RateMeter, StageTimer
from gesture_ros.msg import Keypoints
from gesture_ros.ros import conversions, diagnostics
from gesture_ros.ros.markers import skeleton_markers
from gesture_ros.ros.node_main import run_node
from gesture_ros.ros.param_util import declare
from gesture_ros.ros.qos import SENSOR_QOS

MODELS = [k.value for k in ModelKind]
EXTRACTOR_PARAMS = ("model", "max_num_hands", "model_complexity", "min_detection_confidence",
                    "min_tracking_confidence", "mirrored_input", "enable_face")


class KeypointNode(Node):
    """Run the KeypointExtractor on the newest image in a worker thread."""

    def __init__(self, **kwargs) -> None:
        super().__init__("keypoint_node", **kwargs)
        self._cond = threading.Condition()
        self._pending: tuple[Image, float] | None = None  # the newest image and when it arrived (monotonic s)
        self._pending_options: ExtractorOptions | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.extractor: KeypointExtractor | None = None
        self.options = ExtractorOptions(
            model=declare(self, "model", "hands", f"MediaPipe solution: {', '.join(MODELS)}"),
            max_num_hands=declare(self, "max_num_hands", 2, "Most hands to track (hands, hands_pose)", (1, 4)),
            model_complexity=declare(self, "model_complexity", 1, "0 fastest .. 2 most accurate (hands: 0..1)",
                                     (0, 2)),
            min_detection_confidence=declare(self, "min_detection_confidence", 0.5, "Detector threshold",
                                             (0.0, 1.0)),
            min_tracking_confidence=declare(self, "min_tracking_confidence", 0.5, "Tracker threshold; below it "
                                            "the detector runs again", (0.0, 1.0)),
            mirrored_input=declare(self, "mirrored_input", False, "True when images are mirrored (selfie view); "
                                   "left_hand/right_hand stay the performer's anatomical hands either way"),
            enable_face=declare(self, "enable_face", False, "Publish face landmarks (holistic only)"),
        )
        self.max_pixels = declare(self, "max_pixels", DEFAULT_MAX_PIXELS, "Reject larger images",
                                  (1, 2**31 - 1))
        self.plane = ImagePlane(
            depth_m=declare(self, "marker_depth_m", 1.0, "Distance of the marker plane from the camera",
                            (0.05, 100.0)),
            hfov_deg=declare(self, "marker_hfov_deg", 60.0, "Horizontal field of view the marker plane spans",
                             (1.0, 179.0)))
        self.extractor = KeypointExtractor(self.options)  # raises at start-up: ExtractorError/ValueError
        self.timer = StageTimer()
        self.rate_in, self.rate_out = RateMeter(), RateMeter()
        self.age, self.in_node = LatencyStats(), LatencyStats()
        self.stamps_ahead = 0  # images stamped after their own publish: a file replayed faster than real time
        self.received = self.processed = self.dropped = self.rejected = 0
        self._rejected_reported = 0
        self._warn = LogThrottle(self.get_logger().warning)
        self._bad = BadInputLog(self.get_logger().warning)  # one sentence per kind of bad image
        self.keypoints_pub = self.create_publisher(Keypoints, "keypoints", SENSOR_QOS)
        self.markers_pub = self.create_publisher(MarkerArray, "keypoints/markers", SENSOR_QOS)
        self.image_pub = self.create_publisher(Image, "keypoints/image", SENSOR_QOS)
        self.add_on_set_parameters_callback(self._on_set_parameters)
        self.diagnostics = diagnostics.DiagnosticsPublisher(self, self._report)
        self._thread = threading.Thread(target=self._work, name="keypoint_worker", daemon=True)
        self._thread.start()
        # Subscribe last: a subscriber count on image_raw then means "ready for frames".
        self.image_sub = self.create_subscription(Image, "image_raw", self._on_image, SENSOR_QOS)
        self.get_logger().info(f"{self.extractor.model_name} on {self.image_sub.topic_name}; image conversion "
                               f"by {conversions.BACKEND}")

    def _on_set_parameters(self, params) -> SetParametersResult:
        changes = {p.name: p.value for p in params if p.name in EXTRACTOR_PARAMS}
        if changes:
            options = ExtractorOptions(**{**vars(self._pending_options or self.options), **changes})
            try:
                options.validate()
            except ValueError as exc:
                return SetParametersResult(successful=False, reason=str(exc))
            with self._cond:
                self._pending_options = options
        for p in params:
            if p.name == "max_pixels":
                self.max_pixels = p.value
            elif p.name == "marker_depth_m":
                self.plane.depth_m = p.value
            elif p.name == "marker_hfov_deg":
                self.plane.hfov_deg = p.value
        return SetParametersResult(successful=True)

    def _on_image(self, msg: Image) -> None:
        with self._cond:
            if self._pending is not None:
                self.dropped += 1
            self._pending = (msg, time.monotonic())
            self.received += 1
            self._cond.notify()
        self.rate_in.tick()

    def _work(self) -> None:
        while not self._stop.is_set():
            with self._cond:
                self._cond.wait_for(lambda: self._pending is not None or self._stop.is_set(), timeout=0.5)
                pending, self._pending = self._pending, None
                options, self._pending_options = self._pending_options, None
            if options is not None:
                self._switch(options)
            if pending is not None and not self._stop.is_set():
                msg, received = pending
                try:
                    self._process(msg, received)
                except Exception as exc:  # noqa: BLE001 (one bad frame must not end the worker)
                    self.rejected += 1
                    self._bad(type(exc).__name__, f"processing the image stamped {msg.header.stamp.sec}."
                                                  f"{msg.header.stamp.nanosec:09d} failed: {bounded(repr(exc), 300)}")

    def _switch(self, options: ExtractorOptions) -> None:
        old, self.extractor = self.extractor, KeypointExtractor(options)
        self.options = options
        if old is not None:
            old.close()
        self.get_logger().info(f"switched to {self.extractor.model_name} ({options})")

    def _process(self, msg: Image, received: float) -> None:
        stamp_ns = conversions.stamp_to_ns(msg.header.stamp)
        try:
            with self.timer.stage("decode"):
                bgr = conversions.image_to_bgr(msg, self.max_pixels)
        except ImageFormatError as exc:
            self.rejected += 1
            self._bad(exc.kind, f"rejected an image on {self.image_sub.topic_name} "
                                f"(frame_id '{bounded(msg.header.frame_id, 60)}'): {exc}")
            return
        with self.timer.stage("extract"):
            frame = self.extractor.process(bgr, stamp_ns, msg.header.frame_id)
        with self.timer.stage("publish"):
            self.keypoints_pub.publish(conversions.keypoints_to_msg(frame, msg.header))
        self.processed += 1
        self.rate_out.tick()
        self.in_node.add(time.monotonic() - received)
        age_ns = self.get_clock().now().nanoseconds - stamp_ns
        if age_ns >= 0:
            self.age.add(age_ns / 1e9)
        else:
            self.stamps_ahead += 1
        if self.markers_pub.get_subscription_count():
            with self.timer.stage("markers"):
                self.markers_pub.publish(skeleton_markers(frame, msg.header, self.plane))
        if self.image_pub.get_subscription_count():
            with self.timer.stage("annotate"):
                self.image_pub.publish(conversions.bgr_to_image(draw_skeleton(bgr, frame), msg.header))

    def _report(self):
        extractor = self.extractor
        figures = {"model": extractor.model_name if extractor else "", "input rate hz": self.rate_in.rate(),
                   "output rate hz": self.rate_out.rate(), "images received": self.received,
                   "images processed": self.processed, "images dropped (backlog)": self.dropped,
                   "images rejected": self.rejected, **self._bad.figures("rejected:"),
                   "receipt to publish p50 ms": self.in_node.percentile_ms(50),
                   "receipt to publish p95 ms": self.in_node.percentile_ms(95),
                   **self._age_figures(), **self.timer.summary(),
                   **(extractor.timer.summary() if extractor else {})}
        new, self._rejected_reported = self.rejected - self._rejected_reported, self.rejected
        if new:
            return diagnostics.WARN, f"{new} images rejected since the last report (see log)", figures
        return diagnostics.OK, "running", figures

    def _age_figures(self) -> dict:
        """Return stamp-to-publish age, or the count of images stamped ahead of the clock.

        A file replayed as fast as consumed is stamped on its own timeline, ahead of the
        clock: its ages would be negative or a biased subset, so none are reported.
        """
        if self.stamps_ahead:
            return {"images stamped ahead of the clock": self.stamps_ahead}
        return {"age at publish p50 ms": self.age.percentile_ms(50),
                "age at publish p95 ms": self.age.percentile_ms(95)}

    def destroy_node(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
        if self.extractor is not None:
            self.extractor.close()
        super().destroy_node()


def main(args=None) -> None:
    run_node(KeypointNode, args, startup_errors=(ExtractorError, ParameterException, ValueError), large_frames=True)


if __name__ == "__main__":
    main()
