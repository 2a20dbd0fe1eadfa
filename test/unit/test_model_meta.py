import pytest

from gesture_ros.common.model_meta import PREFIX, GestureKind, ModelMetadata, ModelMetadataError


def _meta(**kw):
    base = dict(model_id="m", version="1", labels=["none", "swipe_left"],
                kinds={"none": GestureKind.NONE, "swipe_left": GestureKind.TRIGGER},
                window=16, feature_spec={"parts": ["right_hand"]})
    base.update(kw)
    return ModelMetadata(**base)


def test_round_trip_through_onnx_props():
    meta = _meta(metrics={"accuracy": 0.9})
    back = ModelMetadata.from_props(meta.to_props())
    assert back == meta


def test_missing_key_is_named():
    props = _meta().to_props()
    del props[PREFIX + "window"]
    with pytest.raises(ModelMetadataError, match="'gesture_ros.window' is missing"):
        ModelMetadata.from_props(props)


def test_kinds_must_cover_labels():
    with pytest.raises(ModelMetadataError, match="kinds must name every label"):
        _meta(kinds={"none": GestureKind.NONE}).validate()


def test_bad_json_is_named():
    props = _meta().to_props()
    props[PREFIX + "labels"] = "[oops"
    with pytest.raises(ModelMetadataError, match="labels' is not valid JSON"):
        ModelMetadata.from_props(props)
