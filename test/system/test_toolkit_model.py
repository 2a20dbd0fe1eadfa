"""The shipped default model: loads with onnxruntime, metadata fits the code, right on real clips."""

import numpy as np
import onnxruntime as ort
from support.data import shared_data

from gesture_ros.classify.features import FeatureSpec
from gesture_ros.common.gestures import DEFAULT_GESTURES
from gesture_ros.common.model_meta import INPUT_NAME, OUTPUT_NAME, GestureKind, ModelMetadata
from gesture_ros.common.paths import resolve_shipped

MODEL = resolve_shipped("models/gesture_default.onnx")


def _session():
    assert MODEL.exists(), f"shipped model {MODEL} is missing (run 'gesture train-default')"
    return ort.InferenceSession(str(MODEL), providers=["CPUExecutionProvider"])


def test_shipped_model_metadata_matches_the_feature_code():
    sess = _session()
    meta = ModelMetadata.from_props(sess.get_modelmeta().custom_metadata_map)
    spec = FeatureSpec.from_dict(meta.feature_spec)
    assert spec.to_dict() == meta.feature_spec  # the classifier compares the dicts whole
    (inp,), (out,) = sess.get_inputs(), sess.get_outputs()
    assert inp.name == INPUT_NAME and out.name == OUTPUT_NAME
    assert inp.shape[1:] == [meta.window, spec.dim] and not isinstance(inp.shape[0], int)
    assert out.shape[1] == meta.n_classes
    for g in DEFAULT_GESTURES:
        assert meta.kinds[g.name] == g.kind
    assert meta.kinds["none"] == GestureKind.NONE and meta.data_hash


def test_shipped_model_outputs_probabilities_for_any_batch():
    sess = _session()
    meta = ModelMetadata.from_props(sess.get_modelmeta().custom_metadata_map)
    dim = FeatureSpec.from_dict(meta.feature_spec).dim
    for batch in (1, 4):
        x = np.zeros((batch, meta.window, dim), np.float32)
        probs = sess.run(None, {INPUT_NAME: x})[0]
        assert probs.shape == (batch, meta.n_classes)
        np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    # no hand and no body for a whole window: nothing but 'none'
    assert meta.labels[int(probs[0].argmax())] == "none"


def test_open_hand_clip_gives_no_gesture_but_open_palm():
    from gesture_ros.toolkit.clip_eval import score_frames
    from gesture_ros.toolkit.real_default import FORBIDDEN_ON_OPEN_HAND, OPEN_HAND_CLIP
    from gesture_ros.toolkit.video import extract

    clip = shared_data(OPEN_HAND_CLIP)
    frames = extract(clip, "hands")
    assert sum(f.has_hand for f in frames) > 0.9 * len(frames)
    scores = score_frames(MODEL, frames)
    assert len(scores.top) > 0.8 * len(frames)
    wrong = {lab: n for lab, n in scores.counts().items() if lab in FORBIDDEN_ON_OPEN_HAND}
    assert not wrong, f"open-hand clip classified as {wrong} in some of {len(scores.top)} windows"
