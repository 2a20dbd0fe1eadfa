"""A tiny train -> export -> onnxruntime round trip on generated data (seconds)."""

import numpy as np
import onnxruntime as ort

from gesture_ros.classify.features import FeatureSpec
from gesture_ros.common.gestures import kinds_for
from gesture_ros.common.model_meta import INPUT_NAME, ModelMetadata
from gesture_ros.toolkit.checkpoint import Checkpoint
from gesture_ros.toolkit.export import export_onnx, read_metadata
from gesture_ros.toolkit.nets import NetConfig
from gesture_ros.toolkit.synth.generator import generate_one
from gesture_ros.toolkit.trainer import TrainConfig, predict, train, windows_of

LABELS = ["none", "swipe_left", "swipe_right"]


def _items(n, offset):
    out = []
    for i in range(n):
        s = generate_one(LABELS[i % 3], offset + i)
        out.append((f"{s.label}-{i}", s.person, s.rendered.arrays, s.rendered.frame_labels))
    return out


def test_train_export_and_run_with_onnxruntime(tmp_path):
    spec = FeatureSpec(parts=("pose", "right_hand", "left_hand"))
    kinds = kinds_for(LABELS)
    train_items, val_items = _items(24, 0), _items(9, 1000)
    val = windows_of(val_items, spec, LABELS, kinds, 12, 2)
    for arch in ("gru", "lstm", "tcn"):
        cfg = TrainConfig(net=NetConfig(arch=arch, hidden=16), window=12, stride=3, epochs=2, seed=1)
        net, history = train(train_items, val, spec, LABELS, kinds, cfg, progress=False)
        assert len(history) == 2 and np.isfinite(history[-1]["train_loss"])
        ckpt = Checkpoint(net=cfg.net, spec=spec, labels=LABELS, kinds=kinds, window=12, fps=25.0,
                          state_dict=net.state_dict(), data_hash="abc", metrics={"val_accuracy": 0.5})
        path = tmp_path / f"{arch}.onnx"
        diff = export_onnx(ckpt.build(), ckpt.metadata(), path, val.x[:32])
        assert diff < 1e-4
        meta = read_metadata(path)
        assert meta == ckpt.metadata()
        assert FeatureSpec.from_dict(meta.feature_spec) == spec
        sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        for batch in (1, 5):
            probs = sess.run(None, {INPUT_NAME: val.x[:batch]})[0]
            assert probs.shape == (batch, 3)
            np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
        np.testing.assert_allclose(sess.run(None, {INPUT_NAME: val.x[:7]})[0], predict(net, val.subset(np.arange(len(val)) < 7)), atol=1e-4)
        # the checkpoint file round-trips too
        ckpt.save(tmp_path / f"{arch}.pt")
        back = Checkpoint.load(tmp_path / f"{arch}.pt")
        assert back.metadata() == ckpt.metadata()
        assert isinstance(ModelMetadata.from_props(meta.to_props()), ModelMetadata)
