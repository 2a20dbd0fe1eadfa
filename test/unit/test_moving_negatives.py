"""Synthetic hands that move without a gesture: labelled none, never held, seeded apart from the rest."""

import numpy as np
import pytest

from gesture_ros.toolkit.synth.body import Person
from gesture_ros.toolkit.synth.generator import generate_one
from gesture_ros.toolkit.synth.moving import KINDS, MAX_PAUSE_S, MOVING
from gesture_ros.toolkit.synth.render import render


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_moves_a_hand_without_holding_it_and_every_frame_is_none(kind):
    for seed in range(4):
        rng = np.random.default_rng([seed, 11])
        person = Person.random(np.random.default_rng(seed))
        scene = KINDS[kind](rng, person)
        assert scene.segments == []
        track = scene.tracks[scene.focus]
        moving = track.keys[1:]  # the first key is the hand at rest before it rises
        for a, b in zip(moving, moving[1:], strict=False):
            held = np.allclose(a.pos, b.pos) and np.allclose(a.pose.fingers, b.pose.fingers)
            assert not held or b.t - a.t <= MAX_PAUSE_S, (kind, seed, a.t, b.t)
        path = np.array([track.at(t)[0] for t in np.linspace(0, scene.duration, 50)])
        assert np.ptp(path, axis=0).max() > 0.05, (kind, seed)  # metres
        r = render(scene, person, rng, "body", "holistic")
        assert set(r.frame_labels.tolist()) == {"none"} and len(r.frame_labels) > 10


def test_the_moving_scenes_are_generated_by_name_and_labelled_none():
    s = generate_one(MOVING, 123)
    assert set(s.rendered.frame_labels.tolist()) == {"none"}


@pytest.mark.parametrize("kind", ["pinch_drag", "enter_leave"])
def test_no_one_hand_negative_is_a_level_stroke_and_its_return(kind):
    """A level stroke out and back is a swipe and its return: as a negative it taught 1.5.0 to miss swipes."""
    for seed in range(40):
        scene = KINDS[kind](np.random.default_rng([seed, 12]), Person.random(np.random.default_rng(seed)))
        keys = scene.tracks[scene.focus].keys[1:]
        for a, b in zip(keys, keys[1:], strict=False):
            dx, dy = abs(b.pos[0] - a.pos[0]), abs(b.pos[1] - a.pos[1])
            raised = min(a.pos[1], b.pos[1]) > -0.35  # metres below the shoulders: where swipes are made
            if raised and np.hypot(dx, dy) > 0.1:  # a stroke, not a wobble
                assert np.degrees(np.arctan2(dy, dx)) >= 25.0, (kind, seed, a.pos, b.pos)
