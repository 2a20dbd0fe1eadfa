"""train-default's synthetic jobs: the moving hands that are no gesture get seeds of their own (torch: CORE_SKIP)."""

from gesture_ros.common.gestures import default_labels
from gesture_ros.toolkit.default_model import moving_jobs
from gesture_ros.toolkit.synth.generator import plan
from gesture_ros.toolkit.synth.moving import MOVING


def test_training_seeds_of_the_moving_hands_collide_with_no_other_scene():
    for seed in (0, 1, 7):
        counts = {lab: 600 for lab in default_labels()}
        seeds = {s for _l, s in plan(counts, seed)}
        moving = moving_jobs(300, seed)
        assert {lab for lab, _s in moving} == {MOVING}
        assert len({s for _l, s in moving}) == 300 and not seeds & {s for _l, s in moving}
