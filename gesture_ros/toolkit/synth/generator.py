"""Generate labelled synthetic sequences: seeded, reproducible, varied people and views."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from gesture_ros.toolkit.synth.body import Person
from gesture_ros.toolkit.synth.moving import MOVING
from gesture_ros.toolkit.synth.render import Rendered, render
from gesture_ros.toolkit.synth.scenes import SCENES

SYNTH_VERSION = "5"


@dataclass
class SynthSequence:
    label: str
    person: str
    rendered: Rendered
    seed: int


def generate_one(label: str, seed: int, n_people: int = 200) -> SynthSequence:
    """Return one performance of ``label``, fully determined by ``seed``."""
    if label not in SCENES:
        raise ValueError(f"no synthetic scene for label {label!r}; known: {sorted(SCENES)}")
    rng = np.random.default_rng(seed)
    person_id = int(rng.integers(n_people))
    person = Person.random(np.random.default_rng([person_id, 7919]))
    scene = SCENES[label](rng, person)
    view = "close" if (not scene.needs_pose and rng.random() < 0.35) else "body"
    if view == "close":
        model = "hands"
    elif scene.needs_pose:
        model = "holistic"
    else:  # pose-only is kept for the gestures it can show: swipes and negatives
        pose_ok = label in ("none", MOVING, "swipe_left", "swipe_right")
        model = str(rng.choice(["holistic", "hands", "pose"], p=[0.6, 0.25, 0.15] if pose_ok else [0.7, 0.3, 0.0]))
    return SynthSequence(label, f"synth-{person_id:04d}", render(scene, person, rng, view, model), seed)


def plan(counts: dict[str, int], seed: int) -> list[tuple]:
    """Return (label, seed) pairs: the same counts and seed always give the same list."""
    out = []
    for li, label in enumerate(sorted(counts)):
        out += [(label, int(seed) * 1_000_003 + li * 100_000 + i) for i in range(counts[label])]
    return out


def generate(counts: dict[str, int], seed: int, progress: str | None = None) -> Iterator[SynthSequence]:
    """Yield ``counts[label]`` performances per label (tqdm bar when ``progress`` is a title)."""
    jobs = plan(counts, seed)
    if progress:
        from tqdm import tqdm

        jobs = tqdm(jobs, desc=progress, unit="seq")
    for label, s in jobs:
        yield generate_one(label, s)
