"""Managed (lifecycle) nodes: the transitions of rclpy.lifecycle mapped onto four plain methods.

A node that owns a model, an engine or a device subclasses ManagedNode and fills in
``configure`` (load it; raise with the reason: the node stays unconfigured), ``activate``
(subscriptions, timers, worker threads), ``deactivate`` (stop processing, end what is held) and
``cleanup`` (free what configure loaded). Publishers exist from construction and carry nothing
until the node is active (nothing feeds them before).

``autostart`` (read-only, default true) configures and activates at the end of the constructor,
so ``ros2 run`` and the launch files need no supervisor; a configure that fails then ends the
start with ConfigureError (``run_node`` logs it in one sentence and exits 1). With autostart
false the node waits, unconfigured, for ``ros2 lifecycle set <node> configure``. rclpy adds the
services RCLPY_LIFECYCLE names and publishes ``~/transition_event``. Humble's rclpy API only.
"""

from __future__ import annotations

from rclpy.lifecycle import LifecycleNode, LifecycleState, TransitionCallbackReturn

from gesture_ros.common.safe_text import bounded

# What rclpy.lifecycle adds to every managed node (listed in the nodes' interface tables).
RCLPY_LIFECYCLE = ("~/change_state", "~/get_state", "~/get_available_states", "~/get_available_transitions",
                   "~/get_transition_graph", "~/transition_event")


class ConfigureError(ValueError):
    """configure failed at autostart; the message is the reason in one sentence."""


def reason(exc: BaseException) -> str:
    """Return an exception as the one sentence a log line or a supervisor reads."""
    text = bounded(str(exc), 400)
    return text if text else type(exc).__name__


class ManagedNode(LifecycleNode):
    """A LifecycleNode whose transitions call configure/activate/deactivate/cleanup."""

    def __init__(self, node_name: str, **kwargs) -> None:
        super().__init__(node_name, **kwargs)
        self.configured = False
        self.active = False
        self.failure = ""  # why the last configure failed ("" after a good one)
        self._quiet_failure = False  # autostart reports the failure itself, once

    # ---- the node's parts (overridden) ----------------------------------------------
    def configure(self) -> None:
        """Load what the node owns; raise with the reason when it cannot."""

    def activate(self) -> None:
        """Start subscriptions, timers and workers."""

    def deactivate(self) -> None:
        """Stop processing; end what is held."""

    def cleanup(self) -> None:
        """Free what configure loaded."""

    # ---- rclpy's transition callbacks -------------------------------------------------
    def on_configure(self, state: LifecycleState) -> TransitionCallbackReturn:
        try:
            self.configure()
        except Exception as exc:  # noqa: BLE001 (any failure is a reason to stay unconfigured)
            self.failure = reason(exc)
            self._safely(self.cleanup)
            if not self._quiet_failure:
                self.get_logger().error(f"configure failed, still unconfigured: {self.failure}")
            return TransitionCallbackReturn.FAILURE
        self.configured, self.failure = True, ""
        return super().on_configure(state)

    def on_activate(self, state: LifecycleState) -> TransitionCallbackReturn:
        try:
            self.activate()
        except Exception as exc:  # noqa: BLE001
            self.get_logger().error(f"activate failed, still inactive: {reason(exc)}")
            self._safely(self.deactivate)
            return TransitionCallbackReturn.FAILURE
        self.active = True
        return super().on_activate(state)

    def on_deactivate(self, state: LifecycleState) -> TransitionCallbackReturn:
        self.active = False
        self._safely(self.deactivate)
        return super().on_deactivate(state)

    def on_cleanup(self, state: LifecycleState) -> TransitionCallbackReturn:
        self._safely(self.cleanup)
        self.configured = False
        return super().on_cleanup(state)

    def on_shutdown(self, state: LifecycleState) -> TransitionCallbackReturn:
        self.wind_down()
        return TransitionCallbackReturn.SUCCESS

    def on_error(self, state: LifecycleState) -> TransitionCallbackReturn:
        self.wind_down()
        return TransitionCallbackReturn.SUCCESS

    # ---- helpers ----------------------------------------------------------------------
    def wind_down(self) -> None:
        """Deactivate and clean up without a transition (shutdown, error, destroy_node)."""
        if self.active:
            self.active = False
            self._safely(self.deactivate)
        if self.configured:
            self.configured = False
            self._safely(self.cleanup)

    def _safely(self, step) -> None:
        try:
            step()
        except Exception as exc:  # noqa: BLE001 (one line; the transition still completes)
            self.get_logger().error(f"{step.__name__} failed: {reason(exc)}")

    def bring_up(self) -> None:
        """Configure and activate (autostart, the one-process pipeline); ConfigureError with the reason."""
        self._quiet_failure = True
        try:
            self.trigger_configure()
        finally:
            self._quiet_failure = False
        if not self.configured:
            raise ConfigureError(self.failure or "configure failed")
        self.trigger_activate()
        if not self.active:
            raise ConfigureError("activate failed (see the log)")

    def start_if(self, autostart: bool) -> None:
        """The constructor's last step: bring the node up when ``autostart``; else wait for a supervisor."""
        if not autostart:
            self.get_logger().info("unconfigured, waiting for a supervisor (autostart false): "
                                   f"ros2 lifecycle set {self.get_fully_qualified_name()} configure")
            return
        try:
            self.bring_up()
        except ConfigureError:
            LifecycleNode.destroy_node(self)
            raise

    def destroy_node(self) -> None:
        """Deactivate (a held gesture ends) and clean up, then destroy."""
        self.wind_down()
        super().destroy_node()
