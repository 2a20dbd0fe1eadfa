"""The venue's intake: every malformed or forged payload is a Refusal of its kind, never an exception."""

import json
import logging
import random

import pytest
from support.venue_fuzz import KINDS, bad_payloads, good_event

from gesture_ros.bridge.payload import PayloadError, decode, encode
from gesture_ros.venue.intake import Intake, Refusal
from gesture_ros.venue.refusals import RefusalLog

TOPIC = "venues/hall/devices/{}/gestures"


def test_a_good_event_is_accepted_with_the_topic_as_its_identity():
    record = good_event("jetson-07/cam0", 1)
    assert Intake().event(TOPIC.format("jetson-07_cam0"), encode(record)) == record


@pytest.mark.parametrize("payload", [b"[" * 100_000 + b"]" * 100_000, b'{"n": ' + b"9" * 5000 + b"}",
                                     b"\xff\xfe", b"[1]"])
def test_the_bridge_decoder_raises_only_payload_errors(payload):
    with pytest.raises(PayloadError):
        decode(payload)


def test_each_kind_of_bad_payload_is_refused_as_that_kind():
    rng = random.Random(29)
    seen = {}
    for kind, source, payload in bad_payloads(rng, 400, "cam1"):
        with pytest.raises(Refusal) as refusal:
            Intake().event(TOPIC.format(source), payload)
        seen.setdefault(kind, set()).add(refusal.value.kind)
    assert seen == {kind: {kind} for kind in KINDS}


def test_a_status_cannot_claim_another_device():
    intake = Intake()
    body = {"device": "cam2", "state": "online", "outbox_depth": 3}
    with pytest.raises(Refusal, match="claims device"):
        intake.status_report("venues/hall/devices/cam1/status", json.dumps(body).encode())
    report = intake.status_report("venues/hall/devices/cam2/status", json.dumps(body).encode())
    assert (report.device, report.state, report.outbox_depth) == ("cam2", "online", 3)


def test_refusals_are_counted_and_said_once_per_kind_escaped(caplog, monkeypatch):
    logger = logging.getLogger("test.venue")
    # Once `launch` is imported (test/system/test_launch.py, same session) new loggers are LaunchLoggers,
    # which do not propagate: caplog would see nothing.
    monkeypatch.setattr(logger, "propagate", True)
    log = RefusalLog(logger)
    with caplog.at_level(logging.WARNING, logger="test.venue"):
        for _ in range(5):
            log.refuse("forged", "event x claims source '\x1b[2Jcam2'")
        log.refuse("too_deep", "deep")
    assert log.snapshot() == {"forged": 5, "too_deep": 1}
    assert [r.getMessage().split(":")[0] for r in caplog.records] == ["refused (forged)", "refused (too_deep)"]
    assert "\x1b" not in caplog.text and "\\x1b[2J" in caplog.text
