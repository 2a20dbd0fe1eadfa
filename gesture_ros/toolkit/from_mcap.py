"""``gesture from-mcap``: a recording plus labelled time ranges -> training sequences.

    gesture from-mcap run.mcap --labels run.candidates.csv --out datasets/venue --person ana

The recording is an MCAP file with gesture_ros/msg/Keypoints messages (recorder_node, or
``ros2 bag record -s mcap``). The labels file gives time ranges and their label:
- CSV with a header row and columns ``start_ns,end_ns,label`` (header stamps, as the
  recorder's ``*.candidates.csv`` writes them) or ``start_s,end_s,label`` (seconds from the
  first keypoints message); other columns are ignored, rows with an empty label skipped;
- YAML: a list of ``{start_s, end_s, label}`` or ``{start_ns, end_ns, label}`` mappings.
Each labelled range becomes one sequence of the toolkit's dataset (toolkit/dataset.py); with
``--none-gaps`` the unlabelled stretches between ranges become ``none`` sequences too.
A recording cut short (recorder killed, power lost: no summary at the end) is read up to its
last whole chunk, and the command says how many messages it recovered.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from gesture_ros.classify.features import SequenceArrays
from gesture_ros.common.landmarks import HAND_LENGTH, N_FIELDS, POSE_LENGTH
from gesture_ros.toolkit.dataset import Dataset, SequenceRecord, new_id

KEYPOINTS_TYPE = "gesture_ros/msg/Keypoints"


class FromMcapError(ValueError):
    """A recording or labels file that cannot be used; the message names it and the problem."""


@dataclass
class LabelRange:
    start_ns: int
    end_ns: int
    label: str


@dataclass
class Recording:
    arrays: SequenceArrays
    model: str
    topic: str
    truncated: str = ""  # why reading stopped early ("" = a complete file)


def _decoded(handle, truncation: list[str]):
    """Yield (schema, channel, msg) of a whole file, or of a truncated one up to its last whole chunk.

    A complete file is read through its summary; one without (the writer never finished) is read
    front to back, and whatever stops the reading at the cut is noted in ``truncation``.
    """
    from mcap.reader import NonSeekingReader, make_reader
    from mcap_ros2.decoder import DecoderFactory

    try:
        reader = make_reader(handle, decoder_factories=[DecoderFactory()])
        summary = reader.get_summary()
    except Exception:  # noqa: BLE001 - no usable summary: read it as a stream below
        summary = None
    if summary is not None:
        for schema, channel, _, msg in reader.iter_decoded_messages():
            yield schema, channel, msg
        return
    handle.seek(0)
    reader = NonSeekingReader(handle, decoder_factories=[DecoderFactory()])
    try:  # in file order: sorting by log time would read the whole file before yielding anything
        for schema, channel, _, msg in reader.iter_decoded_messages(log_time_order=False):
            yield schema, channel, msg
    except Exception as exc:  # mcap raises several unrelated types at a cut  # noqa: BLE001
        truncation.append(f"{type(exc).__name__}: {exc}"[:200])


def _part(landmarks, length: int) -> np.ndarray:
    if len(landmarks) != length:
        return np.full((length, N_FIELDS), np.nan, dtype=np.float32)
    return np.array([(lm.x, lm.y, lm.z, lm.visibility, lm.presence) for lm in landmarks], dtype=np.float32)


def read_keypoints(path: Path, topic: str | None = None) -> Recording:
    """Read every Keypoints message of one topic, in header-stamp order."""
    try:
        handle = open(path, "rb")  # noqa: SIM115
    except OSError as exc:
        raise FromMcapError(f"{path}: cannot open the recording ({exc.strerror})") from None
    rows, topics, model, size, truncation = [], set(), "", (0, 0), []
    with handle:
        try:
            for schema, channel, msg in _decoded(handle, truncation):
                if schema is None or schema.name.replace("/msg/", "/") != KEYPOINTS_TYPE.replace("/msg/", "/"):
                    continue
                if topic and channel.topic != topic:
                    continue
                topics.add(channel.topic)
                stamp = msg.header.stamp.sec * 1_000_000_000 + msg.header.stamp.nanosec
                rows.append((stamp, _part(msg.pose, POSE_LENGTH), _part(msg.left_hand, HAND_LENGTH),
                             _part(msg.right_hand, HAND_LENGTH)))
                model, size = msg.model or model, (msg.image_width, msg.image_height)
        except Exception as exc:  # mcap raises several unrelated types for a damaged file  # noqa: BLE001
            raise FromMcapError(f"{path}: not a readable MCAP recording ({exc})") from None
    if truncation and not rows:
        raise FromMcapError(f"{path}: not a readable MCAP recording ({truncation[0]})")
    if not rows:
        raise FromMcapError(f"{path}: no {KEYPOINTS_TYPE} messages" + (f" on {topic}" if topic else ""))
    if len(topics) > 1:
        raise FromMcapError(f"{path}: keypoints on several topics {sorted(topics)}: choose one with --topic")
    rows.sort(key=lambda r: r[0])
    arrays = SequenceArrays(
        stamps_ns=np.array([r[0] for r in rows], dtype=np.int64), pose=np.stack([r[1] for r in rows]),
        left_hand=np.stack([r[2] for r in rows]), right_hand=np.stack([r[3] for r in rows]), image_size=size)
    return Recording(arrays, model, topics.pop(), truncation[0] if truncation else "")


def read_labels(path: Path, first_stamp_ns: int) -> list[LabelRange]:
    """Read a labels CSV or YAML file (see the module docstring)."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise FromMcapError(f"{path}: cannot read the labels file ({exc.strerror})") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            rows = yaml.safe_load(text) or []
        except yaml.YAMLError as exc:
            raise FromMcapError(f"{path}: not valid YAML ({exc})") from None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise FromMcapError(f"{path}: expected a list of {{start_s, end_s, label}} mappings")
        numbered = list(enumerate(rows, 1))
    else:
        numbered = list(enumerate(csv.DictReader(text.splitlines()), 2))
    ranges = []
    for line, row in numbered:
        label = str(row.get("label") or "").strip()
        if not label:
            continue
        try:
            if row.get("start_ns") not in (None, ""):
                start, end = int(row["start_ns"]), int(row["end_ns"])
            else:
                start = first_stamp_ns + round(float(row["start_s"]) * 1e9)
                end = first_stamp_ns + round(float(row["end_s"]) * 1e9)
        except (KeyError, TypeError, ValueError):
            raise FromMcapError(f"{path}:{line}: needs start_ns/end_ns or start_s/end_s numbers") from None
        if end <= start:
            raise FromMcapError(f"{path}:{line}: range ends ({end}) before it starts ({start})")
        ranges.append(LabelRange(start, end, label))
    return sorted(ranges, key=lambda r: r.start_ns)


def _slice(arrays: SequenceArrays, keep: np.ndarray) -> SequenceArrays:
    return SequenceArrays(stamps_ns=arrays.stamps_ns[keep], pose=arrays.pose[keep],
                          left_hand=arrays.left_hand[keep], right_hand=arrays.right_hand[keep],
                          image_size=arrays.image_size)


def _fps(stamps: np.ndarray) -> float:
    steps = np.diff(stamps)
    return float(1e9 / np.median(steps)) if len(steps) and np.median(steps) > 0 else 0.0


def convert(recording: Recording, ranges: Sequence[LabelRange], out: Path, *, source: str, person: str,
            session: str, none_gaps: bool = False, min_frames: int = 2) -> list[SequenceRecord]:
    """Append one sequence per labelled range (and per gap with ``none_gaps``) to ``out``."""
    stamps = recording.arrays.stamps_ns
    spans = [(r.start_ns, r.end_ns, r.label) for r in ranges]
    if none_gaps:
        edges = [stamps[0] - 1] + [e for r in ranges for e in (r.start_ns, r.end_ns)] + [stamps[-1] + 1]
        spans += [(edges[i] + 1, edges[i + 1] - 1, "none") for i in range(0, len(edges), 2)]
    dataset, written = Dataset(out), []
    for start, end, label in sorted(spans):
        keep = (stamps >= start) & (stamps <= end)
        if keep.sum() < min_frames:
            continue
        part = _slice(recording.arrays, keep)
        record = SequenceRecord(id=new_id("mcap"), label=label, person=person, session=session, source=source,
                                fps=_fps(part.stamps_ns), model=recording.model,
                                extra={"start_ns": int(start), "end_ns": int(end)})
        dataset.append(record, part)
        written.append(record)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gesture from-mcap", description=__doc__.splitlines()[0])
    parser.add_argument("recording", type=Path, help="MCAP file with gesture_ros/msg/Keypoints")
    parser.add_argument("--labels", type=Path, required=True, help="CSV or YAML of labelled time ranges")
    parser.add_argument("--out", type=Path, required=True, help="dataset folder (created or appended to)")
    parser.add_argument("--topic", help="keypoints topic when the recording has several")
    parser.add_argument("--person", default="unknown", help="who performed (for person-wise splits)")
    parser.add_argument("--session", help="recording session (default: the file name)")
    parser.add_argument("--none-gaps", action="store_true", help="also write unlabelled stretches as 'none'")
    parser.add_argument("--min-frames", type=int, default=2, help="skip ranges with fewer frames")
    opts = parser.parse_args(argv)
    try:
        recording = read_keypoints(opts.recording, opts.topic)
        if recording.truncated:
            print(f"gesture from-mcap: {opts.recording} is cut short (no summary: the recorder was stopped "
                  f"hard); read {len(recording.arrays)} keypoints messages up to its last whole chunk "
                  f"({recording.truncated})", file=sys.stderr)
        ranges = read_labels(opts.labels, int(recording.arrays.stamps_ns[0]))
        written = convert(recording, ranges, opts.out, source=f"mcap:{opts.recording.name}:{recording.topic}",
                          person=opts.person, session=opts.session or opts.recording.stem,
                          none_gaps=opts.none_gaps, min_frames=opts.min_frames)
    except FromMcapError as exc:
        print(f"gesture from-mcap: {exc}", file=sys.stderr)
        return 1
    counts: dict = {}
    for rec in written:
        counts[rec.label] = counts.get(rec.label, 0) + 1
    print(f"{len(written)} sequences from {len(recording.arrays)} frames appended to {opts.out}: "
          + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
