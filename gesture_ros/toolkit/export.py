"""Export a checkpoint to ONNX with metadata, and check it against PyTorch."""

from __future__ import annotations

import argparse
import io
import sys
import warnings
from pathlib import Path

import numpy as np
import torch

from gesture_ros.common.model_meta import INPUT_NAME, OUTPUT_NAME, ModelMetadata
from gesture_ros.toolkit.checkpoint import Checkpoint
from gesture_ros.toolkit.nets import WithSoftmax


def export_onnx(net: torch.nn.Module, meta: ModelMetadata, path: Path, check_inputs: np.ndarray) -> float:
    """Write ``path`` (dynamic batch, softmax in graph, metadata); return max |onnx - torch|."""
    import onnx

    dim = int(check_inputs.shape[-1])
    wrapped = WithSoftmax(net).eval()
    example = torch.zeros(2, meta.window, dim)
    buf = io.BytesIO()
    with torch.no_grad(), warnings.catch_warnings():
        # the tracer warns about RNN batch sizes; the dynamic batch is checked after export
        warnings.simplefilter("ignore")
        torch.onnx.export(
            wrapped, (example,), buf, input_names=[INPUT_NAME], output_names=[OUTPUT_NAME],
            dynamic_axes={INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}},
            opset_version=17, dynamo=False,
        )
    model = onnx.load_from_string(buf.getvalue())
    del model.metadata_props[:]
    for key, value in meta.to_props().items():
        model.metadata_props.add(key=key, value=value)
    model.producer_name = "gesture_ros.toolkit"
    onnx.checker.check_model(model)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    return max_abs_diff(wrapped, path, check_inputs)


def max_abs_diff(wrapped: torch.nn.Module, path: Path, inputs: np.ndarray) -> float:
    """Run the same inputs through PyTorch and onnxruntime (CPU); return the max abs difference."""
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = np.ascontiguousarray(inputs, dtype=np.float32)
    got = sess.run([OUTPUT_NAME], {INPUT_NAME: x})[0]
    with torch.no_grad():
        want = wrapped(torch.from_numpy(x)).numpy()
    return float(np.max(np.abs(got - want))) if got.size else 0.0


def read_metadata(path: Path) -> ModelMetadata:
    """Return the ModelMetadata stored in an ONNX file (via onnxruntime)."""
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return ModelMetadata.from_props(sess.get_modelmeta().custom_metadata_map)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="gesture export", description=__doc__)
    ap.add_argument("checkpoint", type=Path, help="checkpoint written by 'gesture train'")
    ap.add_argument("--out", type=Path, required=True, help="ONNX file to write")
    ap.add_argument("--data", type=Path, help="dataset whose windows check the export (default: random)")
    args = ap.parse_args(argv)
    ckpt = Checkpoint.load(args.checkpoint)
    if args.data:
        from gesture_ros.toolkit.training_windows import load_windows

        inputs = load_windows(args.data, ckpt.spec, ckpt.window, ckpt.labels, limit=256).x
    else:
        inputs = np.random.default_rng(0).normal(size=(8, ckpt.window, ckpt.spec.dim)).astype(np.float32)
    diff = export_onnx(ckpt.build(), ckpt.metadata(), args.out, inputs)
    print(f"wrote {args.out}: {len(ckpt.labels)} labels, window {ckpt.window}, dim {ckpt.spec.dim}; "
          f"max |onnxruntime - torch| = {diff:.2e} on {len(inputs)} windows")
    return 0 if diff < 1e-4 else 1


if __name__ == "__main__":
    sys.exit(main())
