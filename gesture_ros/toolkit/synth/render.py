"""Render a scene through a camera and a simulated detector into SequenceArrays.

The detector model: per-landmark jitter, hands missed when small, blurred (fast), outside
the image or at random (also in bursts), occasional left/right handedness swaps, pose
visibility falling off outside the image, frame rates 15-30 fps with stamp jitter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gesture_ros.classify.features import SequenceArrays
from gesture_ros.common.landmarks import HAND_LENGTH, N_FIELDS, POSE_LENGTH, Field
from gesture_ros.common.landmarks import HandLandmark as H
from gesture_ros.toolkit.synth.body import Person, body_points
from gesture_ros.toolkit.synth.camera import Camera
from gesture_ros.toolkit.synth.hand import HandBones, hand_points
from gesture_ros.toolkit.synth.scenes import SIDES, Scene


@dataclass
class Rendered:
    arrays: SequenceArrays
    frame_labels: np.ndarray  # (T,) str: the segment label or 'none'
    fps: float
    view: str  # 'body' or 'close'
    model: str  # which parts the simulated keypoint model reports


def _stamps(rng, duration: float, fps: float) -> np.ndarray:
    dt = (1.0 / fps) * (1.0 + rng.normal(0, 0.04, int(duration * fps) + 2))
    dt[rng.random(dt.size) < 0.02] *= 2.0  # a dropped camera frame
    t = np.cumsum(dt) - dt[0]
    return t[t <= duration]


def _pole(side: str) -> np.ndarray:
    return np.array([1.0 if side == "left" else -1.0, -1.0, -0.3])


def render(scene: Scene, person: Person, rng: np.random.Generator, view: str, model: str) -> Rendered:
    fps = float(rng.uniform(15, 30))
    times = _stamps(rng, scene.duration, fps)
    bones = {s: HandBones.random(rng, person.hand_size) for s in SIDES}
    t_n = len(times)
    hands_body = {s: np.zeros((t_n, HAND_LENGTH, 3)) for s in SIDES}
    pose_body = np.zeros((t_n, POSE_LENGTH, 3))
    tremor = {s: rng.normal(0, 0.004, (t_n, 3)).cumsum(axis=0) * 0.3 for s in SIDES}
    for i, t in enumerate(times):
        for s in SIDES:
            pos, pose, rot = scene.tracks[s].at(float(t))
            hands_body[s][i] = hand_points(pose, bones[s], s == "left") @ rot.T + pos + tremor[s][i]
        pose_body[i] = body_points(person, hands_body["left"][i, H.WRIST], hands_body["right"][i, H.WRIST],
                                   hands_body["left"][i], hands_body["right"][i], _pole("left"), _pole("right"))
    sway = rng.normal(0, 0.003, (t_n, 3)).cumsum(axis=0) * 0.5
    if view == "close":
        active = np.zeros(t_n, bool)
        for t0, t1, _ in scene.segments:
            active |= (times >= t0) & (times <= t1)
        wrists = hands_body[scene.focus][active if active.any() else slice(None), H.WRIST]
        cam = Camera.random_close(rng, wrists.mean(axis=0))
    else:
        cam = Camera.random_body(rng)
    arrays = _detect(rng, cam, times, hands_body, pose_body, sway, view, model)
    labels = np.full(t_n, "none", dtype=object)
    for t0, t1, lab in scene.segments:
        labels[(times >= t0) & (times <= t1)] = lab
    return Rendered(arrays, labels.astype(str), fps, view, model)


def _detect(rng, cam: Camera, times, hands_body, pose_body, sway, view: str, model: str) -> SequenceArrays:
    t_n = len(times)
    out = {s: np.full((t_n, HAND_LENGTH, N_FIELDS), np.nan, np.float32) for s in SIDES}
    pose = np.full((t_n, POSE_LENGTH, N_FIELDS), np.nan, np.float32)
    miss_rate = rng.uniform(0.0, 0.12)
    hand_sigma = rng.uniform(0.01, 0.05)  # of the palm size
    pixel_sigma = rng.uniform(0.0, 4.0)  # whole-hand jitter in pixels: large against a small, distant palm
    swapped = rng.random() < 0.03
    prev_px = {s: None for s in SIDES}
    burst = {s: 0 for s in SIDES}
    for i in range(t_n):
        for s in SIDES:
            if model == "pose":
                break
            p = cam.project(hands_body[s][i] + sway[i])
            px = p[:, :2] * (cam.width, cam.height)
            palm = np.linalg.norm(px[H.MIDDLE_FINGER_MCP] - px[H.WRIST])
            speed = 0.0 if prev_px[s] is None else np.linalg.norm(px[H.WRIST] - prev_px[s]) / max(palm, 1.0)
            prev_px[s] = px[H.WRIST]
            inside = np.mean((p[:, 0] > 0) & (p[:, 0] < 1) & (p[:, 1] > 0) & (p[:, 1] < 1))
            if burst[s] > 0:
                burst[s] -= 1
                continue
            if rng.random() < 0.015:
                burst[s] = int(rng.integers(2, 7))
            p_miss = miss_rate + (0.5 if palm < 14 else 0.0) + min(0.5, max(0.0, speed - 0.6) * 0.4)  # motion blur
            if inside < 0.8 or rng.random() < p_miss:
                continue
            p[:, :2] += rng.normal(0, hand_sigma * palm, (HAND_LENGTH, 2)) / (cam.width, cam.height)
            p[:, :2] += rng.normal(0, 0.01 * palm + pixel_sigma, 2) / (cam.width, cam.height)
            p[:, 2] = p[:, 2] - p[0, 2] + rng.normal(0, 0.005, HAND_LENGTH)
            out[s][i, :, :3] = p
        if view == "body" and model != "hands" and rng.random() < 0.98:
            p = cam.project(pose_body[i] + sway[i])
            sw = np.linalg.norm((p[11, :2] - p[12, :2]) * (cam.width, cam.height))
            p[:, :2] += rng.normal(0, 0.03 * max(sw, 5.0), (POSE_LENGTH, 2)) / (cam.width, cam.height)
            off = np.maximum.reduce([-p[:, 0], p[:, 0] - 1, -p[:, 1], p[:, 1] - 1, np.zeros(POSE_LENGTH)])
            vis = np.clip(rng.uniform(0.85, 1.0, POSE_LENGTH) - 4.0 * off, 0.02, 1.0)
            p[:, 2] -= (p[23, 2] + p[24, 2]) / 2  # MediaPipe pose z: relative to the hip midpoint
            pose[i, :, :3] = p
            pose[i, :, Field.VISIBILITY] = vis
            pose[i, :, Field.PRESENCE] = vis
        if rng.random() < 0.01 or swapped:
            out["left"][i], out["right"][i] = out["right"][i].copy(), out["left"][i].copy()
    repeat = rng.random()
    if repeat < 0.3:  # a camera that repeats frames now and then: same keypoints, new stamp
        _repeat(np.flatnonzero(rng.random(t_n) < 0.15), (out["left"], out["right"], pose))
    elif repeat < 0.5:  # a GIF or a low-rate source shown twice: every second frame repeats
        _repeat(np.arange(int(rng.integers(1, 3)), t_n, 2), (out["left"], out["right"], pose))
    return SequenceArrays(
        stamps_ns=(times * 1e9).astype(np.int64) + int(rng.integers(0, 10**12)),
        pose=pose, left_hand=out["left"], right_hand=out["right"], image_size=(cam.width, cam.height),
    )


def _repeat(rows: np.ndarray, arrays) -> None:
    """Give ``rows`` the keypoints of the frame before them (the stamps stay new)."""
    for i in rows:
        if i > 0:
            for arr in arrays:
                arr[i] = arr[i - 1]

