"""The classifier's model on a node: loaded from the settings, switched on a classifier/model request
(only inside ``model_dirs``), reloaded when its file changes on disk."""

from __future__ import annotations

from collections.abc import Callable

from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.node import Node
from rclpy.parameter import Parameter
from std_msgs.msg import String

from gesture_ros.classify.model_allow import model_refusal
from gesture_ros.classify.onnx_model import GestureModel, ModelLoadError, load_model
from gesture_ros.classify.params import MODEL_PARAMS, ClassifierSettings
from gesture_ros.common.file_watch import FileWatch
from gesture_ros.common.paths import resolve_shipped
from gesture_ros.common.safe_text import bounded


class ModelSource:
    """Load models for a node and say why a request was refused; the node swaps them into its decider.

    ``start`` subscribes to classifier/model and checks the model's file every second: a changed
    file is loaded with ``settings()`` and handed to ``swap``.
    """

    def __init__(self, node: Node, bad: Callable[[str, str], None]) -> None:
        self._node, self._bad = node, bad
        self._watch: FileWatch | None = None
        self._entities: tuple = ()  # the subscription and timer of start (destroyed by stop)
        self.refused = ""  # why the last classifier/model request was refused (diagnostics)

    def start(self, settings: Callable[[], ClassifierSettings], swap: Callable[[GestureModel], None]) -> None:
        """Take classifier/model requests and reload the model when its file changes (watch_model_file)."""
        def on_request(msg: String) -> None:
            self.request(msg.data, settings().model_dirs)

        def on_timer() -> None:
            if self.file_changed(settings().watch_model_file):
                try:
                    swap(self.load(settings()))
                except ModelLoadError as exc:
                    self._node.get_logger().error(f"{exc}; keeping the model loaded before the change")

        self._entities = (self._node.create_subscription(String, "classifier/model", on_request, 10),
                          self._node.create_timer(1.0, on_timer, callback_group=MutuallyExclusiveCallbackGroup()))

    def stop(self) -> None:
        """Stop what ``start`` started (the node is deactivated)."""
        sub, timer = self._entities or (None, None)
        self._entities = ()
        if sub is not None:
            self._node.destroy_subscription(sub)
            self._node.destroy_timer(timer)

    def load(self, settings: ClassifierSettings) -> GestureModel:
        """Load the settings' model (ModelLoadError if bad), logging the providers it could not use."""
        model = load_model(resolve_shipped(settings.model_path), settings.runtime)
        for provider, reason in model.skipped.items():
            self._node.get_logger().info(f"execution provider {provider} not used: {reason}")
        self._node.get_logger().info(f"loaded {model.describe()}")
        return model

    def load_changed(self, settings: ClassifierSettings, params: list[Parameter]) -> GestureModel | None:
        """Load the model of ``settings`` when ``params`` change a parameter of the model (ModelLoadError if
        bad), else return None."""
        return self.load(settings) if any(p.name in MODEL_PARAMS for p in params) else None

    def in_use(self, model: GestureModel, settings: ClassifierSettings) -> None:
        """Watch the file of the model now in use; say which gestures the parameters name that it lacks."""
        self._watch = FileWatch(model.path)
        for label in settings.decider.events.unknown_labels(model.labels):
            self._node.get_logger().warning(f"parameters name gesture '{label}', which model {model.path} "
                                            "does not have")

    def file_changed(self, enabled: bool) -> bool:
        """Return True (and say so) when watching is enabled and the model's file changed on disk."""
        if not enabled or self._watch is None or not self._watch.changed():
            return False
        self._node.get_logger().info(f"model file {self._watch.path} changed on disk: reloading")
        return True

    def request(self, path: str, model_dirs) -> None:
        """Switch to ``path`` (a classifier/model request) through the model_path parameter, if allowed."""
        try:
            refusal = model_refusal(path, model_dirs)
            if refusal is not None:
                self.refused = refusal
                self._bad("model request", f"classifier/model request refused: {refusal}")
                return
            self._node.get_logger().info(f"model switch to '{path}' requested on classifier/model")
            (result,) = self._node.set_parameters([Parameter("model_path", value=path)])
            self.refused = "" if result.successful else bounded(result.reason, 300)
        except Exception as exc:  # noqa: BLE001 (a bad request must not end the node)
            self._bad("model request", f"classifier/model request failed: {type(exc).__name__}: {bounded(exc)}")
