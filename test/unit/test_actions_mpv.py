"""mpv actions drive a real headless mpv; its state is read back over IPC."""

from textwrap import dedent

import pytest
from support.action_peers import MpvPlayer, wait_until, write_wav

from gesture_ros.actions.action_map import parse_action_map
from gesture_ros.actions.dispatcher import Dispatcher
from gesture_ros.actions.result import Outcome
from gesture_ros.actions.safety import SafetySettings
from gesture_ros.common.gesture_event import EventType, GestureEventData

S = 1_000_000_000


def _event(gesture, sequence, event_type=EventType.START):
    return GestureEventData(event_id=f"e{sequence}", gesture=gesture, event_type=event_type, stamp_ns=100 * S,
                            sequence=sequence)


@pytest.fixture
def player(tmp_path):
    mpv = MpvPlayer(tmp_path / "mpv.sock")
    yield mpv
    mpv.stop()


def _dispatcher(tmp_path, socket_path, results):
    media = write_wav(tmp_path / "clip.wav")
    dispatcher = Dispatcher(report=results.append, clock_ns=lambda: 100 * S,
                            settings=SafetySettings(max_event_age_s=0, rate_limit_count=0))
    source = tmp_path / "media.yaml"
    source.write_text(dedent(f"""\
        targets:
          player: {{type: mpv, socket: {socket_path}, retry: {{attempts: 4, backoff_s: 0.2}}}}
        actions:
          x_cross:
            TRIGGER: [{{target: player, command: loadfile, file: {media.name}}}]
          open_palm:
            START: [{{target: player, command: pause}}]
          pointing:
            START: [{{target: player, command: play}}]
          fist:
            START: [{{target: player, command: toggle}}]
          thumbs_up:
            START: [{{target: player, command: volume_up, step: 10}}]
          thumbs_down:
            START: [{{target: player, command: volume_down, step: 25}}]
          swipe_right:
            TRIGGER: [{{target: player, command: seek, seconds: 30, mode: absolute}}]
        """))
    dispatcher.load(parse_action_map(source.read_text(), str(source)))
    return dispatcher, media


def _step(dispatcher, results, event):
    count = len(results)
    dispatcher.handle(event)
    assert wait_until(lambda: len(results) > count)
    assert results[-1].outcome == Outcome.DONE, results[-1].detail


def test_mapped_commands_take_effect(tmp_path, player):
    results = []
    dispatcher, media = _dispatcher(tmp_path, player.socket_path, results)
    try:
        _step(dispatcher, results, _event("x_cross", 1, EventType.TRIGGER))
        assert wait_until(lambda: player.get("path") == str(media))
        assert player.get("pause") is False
        _step(dispatcher, results, _event("open_palm", 2))
        assert player.get("pause") is True
        _step(dispatcher, results, _event("fist", 3))
        assert player.get("pause") is False
        _step(dispatcher, results, _event("open_palm", 4))
        _step(dispatcher, results, _event("pointing", 5))
        assert player.get("pause") is False
        _step(dispatcher, results, _event("thumbs_up", 6))
        assert player.get("volume") == 110
        _step(dispatcher, results, _event("thumbs_down", 7))
        assert player.get("volume") == 85
        _step(dispatcher, results, _event("swipe_right", 8, EventType.TRIGGER))
        assert player.get("time-pos") >= 30.0
    finally:
        dispatcher.close()


def test_reconnects_after_mpv_restarts(tmp_path, player):
    results = []
    dispatcher, _ = _dispatcher(tmp_path, player.socket_path, results)
    try:
        _step(dispatcher, results, _event("open_palm", 1))
        player.stop()
        dispatcher.handle(_event("thumbs_up", 2))
        assert wait_until(lambda: len(results) == 2)
        assert results[1].outcome == Outcome.FAILED and results[1].attempts == 4
        assert "is not reachable" in results[1].detail
        restarted = MpvPlayer(player.socket_path)
        try:
            _step(dispatcher, results, _event("thumbs_up", 3))
            assert restarted.get("volume") == 110
        finally:
            restarted.stop()
    finally:
        dispatcher.close()


def test_missing_media_file_fails_clearly(tmp_path, player):
    results = []
    dispatcher, media = _dispatcher(tmp_path, player.socket_path, results)
    media.unlink()
    try:
        dispatcher.handle(_event("x_cross", 1, EventType.TRIGGER))
        assert wait_until(lambda: len(results) == 1)
        assert results[0].outcome == Outcome.FAILED
        assert results[0].detail == f"media file {media} does not exist"
        assert results[0].attempts == 1  # not worth a retry
    finally:
        dispatcher.close()
