"""Keypoints of the real stills (../shared/data/stills), each seen as a held pose through the extractor.

Every still is fed ``HELD_FRAMES`` times to a fresh ``KeypointExtractor`` (video mode: the
first frame detects, the next ones track on the same image), exactly what keypoint_node
does while a person holds still. The frames are cached outside the repository
(``~/.cache/gesture_ros/stills``, or ``$GESTURE_CACHE_DIR/stills``) under a key made of the
image bytes, the MediaPipe version, the extractor options and this module's version, so a
missing cache is recreated bit for bit on the same software (coordinates are rounded to
1e-5 so that the key, not float noise, decides what is reused).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from gesture_ros.classify.features import SequenceArrays
from gesture_ros.common.landmarks import HAND_LENGTH, N_FIELDS, POSE_LENGTH

CACHE_VERSION = "2"  # 2: the far-body search (perception/extraction/far_body.py) finds small bodies
HELD_FRAMES = 6
EXTRACTOR = "hands_pose"
STILL_FOLDERS: dict[str, str] = {  # folder -> label of the default vocabulary
    "body_video_pause": "x_cross",
    "hand_up_thumbs_up": "thumbs_up",
    "hand_down_thumbs_down": "thumbs_down",
    "hand_palm_open_palm": "open_palm",
    "hand_emergency_fist": "fist",
}
ROUND = 5


@dataclass
class Still:
    """One still: where it came from, its label and its extractor frames (K held frames)."""

    folder: str
    name: str
    label: str
    pose: np.ndarray  # (K, 33, 5), NaN where not detected
    left_hand: np.ndarray  # (K, 21, 5)
    right_hand: np.ndarray  # (K, 21, 5)
    image_size: tuple

    @property
    def key(self) -> str:
        return f"{self.folder}/{self.name}"

    def held(self, n_frames: int, fps: float = 15.0, start_ns: int = 0) -> SequenceArrays:
        """Return ``n_frames`` of the still held: the extractor's frames, then its tracked ones again."""
        k = self.pose.shape[0]
        idx = np.array([i if i < k else 1 + (i - 1) % max(k - 1, 1) for i in range(n_frames)]).clip(0, k - 1)
        stamps = start_ns + (np.arange(n_frames) * 1e9 / fps).astype(np.int64)
        return SequenceArrays(stamps, self.pose[idx], self.left_hand[idx], self.right_hand[idx], self.image_size)


def cache_root() -> Path:
    """Return the stills' keypoint cache folder."""
    base = os.environ.get("GESTURE_CACHE_DIR") or Path.home() / ".cache" / "gesture_ros"
    return Path(base) / "stills"


def still_files(data: Path, folder: str) -> list[Path]:
    """Return the folder's JPEG files in name order."""
    return sorted((Path(data) / "stills" / folder).glob("*.jpg"))


def _cache_key(files: Sequence[Path], model: str, frames: int) -> str:
    from gesture_ros.toolkit.backend import version

    h = hashlib.sha256(f"stills-v{CACHE_VERSION}|{model}|{frames}|{version()}".encode())
    for f in files:
        h.update(f.name.encode())
        h.update(hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()[:20]


def extract_still(path: Path, model: str = EXTRACTOR, frames: int = HELD_FRAMES, label: str = "") -> Still:
    """Feed one image ``frames`` times to a fresh extractor (a still held in front of the camera)."""
    import cv2

    from gesture_ros.perception.extractor import ExtractorOptions
    from gesture_ros.toolkit.backend import open_extractor

    path = Path(path)
    bgr = cv2.imread(str(path))
    if bgr is None:
        raise OSError(f"cannot read image {path}")
    out = [np.full((frames, n, N_FIELDS), np.nan, np.float32) for n in (POSE_LENGTH, HAND_LENGTH, HAND_LENGTH)]
    with open_extractor(ExtractorOptions(model=model)) as ex:
        for k in range(frames):
            fr = ex.process(bgr, k * 66_666_667)
            for arr, part in zip(out, (fr.pose, fr.left_hand, fr.right_hand), strict=True):
                if part is not None:
                    arr[k] = np.round(part, ROUND)
    folder = path.parent.name
    return Still(folder, path.name, label or STILL_FOLDERS.get(folder, folder), out[0], out[1], out[2],
                 (bgr.shape[1], bgr.shape[0]))


def _extract_one(job) -> tuple:
    path, model, frames = job
    s = extract_still(path, model, frames)
    return s.pose, s.left_hand, s.right_hand, s.image_size


def extract_folder(data: Path, folder: str, model: str = EXTRACTOR, frames: int = HELD_FRAMES,
                   workers: int = 2, progress: bool = True) -> list[Still]:
    """Return the stills of one folder, extracting (and caching) them when the cache lacks them."""
    files = still_files(data, folder)
    if not files:
        raise FileNotFoundError(f"no stills in {Path(data) / 'stills' / folder}")
    path = cache_root() / f"{folder}-{model}-{_cache_key(files, model, frames)}.npz"
    if not path.exists():
        jobs = [(f, model, frames) for f in files]
        if progress:
            from tqdm import tqdm
        if workers > 1:
            with get_context("spawn").Pool(workers) as pool:
                it = pool.imap(_extract_one, jobs, chunksize=4)
                res = list(tqdm(it, total=len(jobs), desc=f"keypoints {folder}", unit="still") if progress else it)
        else:
            res = [_extract_one(j) for j in (tqdm(jobs, desc=f"keypoints {folder}") if progress else jobs)]
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez_compressed(tmp, names=np.array([f.name for f in files]), pose=np.stack([r[0] for r in res]),
                            left_hand=np.stack([r[1] for r in res]), right_hand=np.stack([r[2] for r in res]),
                            sizes=np.array([r[3] for r in res], np.int64))
        tmp.replace(path)
    z = np.load(path)
    label = STILL_FOLDERS.get(folder, folder)
    return [Still(folder, str(n), label, z["pose"][i], z["left_hand"][i], z["right_hand"][i],
                  tuple(int(v) for v in z["sizes"][i])) for i, n in enumerate(z["names"])]


def load_stills(data: Path, folders: Sequence[str] | None = None, workers: int = 2,
                progress: bool = True) -> list[Still]:
    """Return every still of ``folders`` (default: all labelled folders), extracted through the cache."""
    out: list[Still] = []
    for folder in folders or list(STILL_FOLDERS):
        out += extract_folder(data, folder, workers=workers, progress=progress)
    return out
