"""The gesture command end to end on a tiny synthetic dataset: synth, train, eval, export."""

import json

import numpy as np

from gesture_ros.toolkit.cli import main
from gesture_ros.toolkit.dataset import Dataset
from gesture_ros.toolkit.export import read_metadata


def test_synth_train_with_finger_geometry_eval_export(tmp_path):
    ds = tmp_path / "ds"
    assert main(["synth", "--out", str(ds), "--per-class", "4", "--labels", "none,fist,swipe_left"]) == 0
    assert main(["synth", "--out", str(ds), "--per-class", "1", "--labels", "x_cross", "--seed", "1"]) == 0
    recs = Dataset(ds).records()
    assert len(recs) == 13 and {r.source for r in recs} == {"synth"}
    model = tmp_path / "m.onnx"
    assert main(["train", "--data", str(ds), "--out", str(model), "--epochs", "1", "--window", "10",
                 "--hidden", "8", "--arch", "tcn", "--finger-geometry"]) == 0
    meta = read_metadata(model)
    assert meta.feature_spec["finger_geometry"] is True
    # a swipe_left performance may swipe back (its return stroke is labelled swipe_right)
    assert meta.labels[0] == "none" and {"none", "fist", "swipe_left", "x_cross"} <= set(meta.labels) <= {
        "none", "fist", "swipe_left", "swipe_right", "x_cross"}
    assert meta.data_hash == Dataset(ds).content_hash() and meta.window == 10
    out = tmp_path / "ev"
    assert main(["eval", str(model), "--data", str(ds), "--group-by", "sequence", "--out", str(out)]) == 0
    report = json.loads((out / "report.json").read_text())
    cm = np.asarray(report["confusion"])
    assert cm.sum() == report["n"] > 0 and report["latency"]["p99_ms"] > 0
    assert (out / "confusion.png").stat().st_size > 1000 and "true" in (out / "confusion.txt").read_text()
    assert main(["export", str(model.with_suffix(".pt")), "--out", str(tmp_path / "again.onnx"), "--data", str(ds)]) == 0
    assert read_metadata(tmp_path / "again.onnx") == meta


def test_bad_dataset_is_one_clear_error(tmp_path, capsys):
    assert main(["train", "--data", str(tmp_path / "missing"), "--out", str(tmp_path / "m.onnx")]) == 2
    assert "not a dataset folder" in capsys.readouterr().err
