"""Convert MediaPipe's own networks (.tflite in the mediapipe wheel) to ONNX for the keypoint engine.

Build-time only; the results are never committed. Run with any Python that can find the
mediapipe wheel (the project venv):

    python tools/convert_mediapipe.py            # convert what is missing, write the manifest
    python tools/convert_mediapipe.py --compare  # ONNX Runtime against TFLite on random inputs
    python tools/convert_mediapipe.py --wheel mediapipe-0.10.18-...aarch64.whl  # the .tflite from a wheel file

``--wheel`` reads the networks straight out of a downloaded wheel (a zip) without installing it: the
aarch64 0.10.18 wheel (``pip download --no-deps --only-binary=:all: --platform manylinux2014_aarch64
--python-version 3.10 mediapipe==0.10.18``) holds byte-identical files (same sha256, so the same cache).

The conversion itself runs in a build-only venv (tensorflow-cpu + tf2onnx, pinned in
requirements/convert.txt), made on first use. Results are cached by the .tflite's sha256:
``<cache>/<sha256>.onnx``; ``<cache>/manifest.json`` names them for the engine
(gesture_ros/perception/engine/models.py). Cache: $GESTURE_ROS_ENGINE_DIR, default
~/.cache/gesture_ros/engine. pose_detection.tflite stores sparse fp16 weights behind DENSIFY ops
that tf2onnx cannot read: they are replaced by the dense tensors TFLite itself computes.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "requirements" / "convert.txt"
OPSET = 17
RECIPE = 3  # bump when the conversion changes: cached results of another recipe are converted again
# name -> (path under mediapipe/modules, names given to the outputs in the tflite's order)
NETWORKS = {
    "palm_detection_full": ("palm_detection/palm_detection_full.tflite", ("boxes", "scores")),
    "hand_landmark_full": ("hand_landmark/hand_landmark_full.tflite",
                           ("landmarks", "presence", "handedness", "world_landmarks")),
    "pose_detection": ("pose_detection/pose_detection.tflite", ("boxes", "scores")),
    "pose_landmark_full": ("pose_landmark/pose_landmark_full.tflite",
                           ("landmarks", "presence", "segmentation", "heatmap", "world_landmarks")),
}
# ONNX Runtime against TFLite on random inputs: max |difference| per output, relative to the output's
# own scale (max |value|, at least 1); landmarks are in crop pixels (0..256). Measured: <= 5e-4.
TOLERANCE = 2e-3
# Heads the engine does not use, cut off the converted graph: the pose mask's decoder costs half of
# the pose network's time (16 -> 8 ms a call on this CPU) and its fixed reshape kept the batch at one.
UNUSED_OUTPUTS = {"segmentation"}


def agrees(difference: dict) -> bool:
    """Return whether one output's {max_abs, scale} is within TOLERANCE."""
    return difference["max_abs"] <= TOLERANCE * max(1.0, difference["scale"])


def cache_dir() -> Path:
    return Path(os.environ.get("GESTURE_ROS_ENGINE_DIR") or Path.home() / ".cache" / "gesture_ros" / "engine")


def convert_venv() -> Path:
    return Path(os.environ.get("GESTURE_ROS_CONVERT_VENV")
                or Path.home() / ".cache" / "gesture_ros" / "venv-convert")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def modules_dir(given: str = "") -> Path:
    """Return mediapipe/modules of the wheel installed for this Python (its package is not imported)."""
    if given:
        return Path(given)
    spec = importlib.util.find_spec("mediapipe")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("convert_mediapipe: mediapipe is not installed for this Python; "
                 "install mediapipe==0.10.21 (--no-deps) or pass --modules DIR")
    return Path(list(spec.submodule_search_locations)[0]) / "modules"


def unpack_wheel(wheel: Path, into: Path) -> Path:
    """Extract the networks' .tflite files of a mediapipe wheel into ``into``; return its mediapipe/modules."""
    import zipfile

    try:
        with zipfile.ZipFile(wheel) as archive:
            for relative, _ in NETWORKS.values():
                archive.extract(f"mediapipe/modules/{relative}", into)
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        sys.exit(f"convert_mediapipe: {wheel} is not a mediapipe wheel with the networks ({exc})")
    return into / "mediapipe" / "modules"


# ---------------------------------------------------------------- driver (project venv, stdlib only)

def ensure_convert_venv() -> Path:
    """Make the build-only venv with the pinned converter packages; return its python."""
    venv = convert_venv()
    python = venv / "bin" / "python"
    stamp = venv / ".gesture_ros-convert"
    wanted = REQUIREMENTS.read_text()
    if stamp.exists() and stamp.read_text() == wanted:
        return python
    if not python.exists():
        subprocess.run([os.environ.get("PY_SYS", "python3"), "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(REQUIREMENTS)], check=True)
    stamp.write_text(wanted)
    return python


def worker(python: Path, *args: str) -> str:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONWARNINGS="ignore")
    done = subprocess.run([str(python), str(Path(__file__).resolve()), "--worker", *args],
                          env=env, stdout=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit(f"convert_mediapipe: the converter failed on {args[:2]} (exit {done.returncode})")
    return done.stdout.strip().splitlines()[-1]  # the JSON line; libraries may print before it


def build(modules: Path, force: bool = False) -> dict:
    """Convert every network whose cached ONNX is missing; write and return the manifest."""
    out = cache_dir()
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / "manifest.json"
    old = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    manifest = {}
    python = None
    for name, (relative, outputs) in NETWORKS.items():
        source = modules / relative
        if not source.exists():
            sys.exit(f"convert_mediapipe: {source} is missing (is this mediapipe 0.10.21 or 0.10.18?)")
        digest = sha256(source)
        target = out / f"{digest}.onnx"
        entry = old.get(name, {})
        if force or not target.exists() or entry.get("sha256") != digest or entry.get("recipe") != RECIPE:
            python = python or ensure_convert_venv()
            print(f"converting {relative} -> {target}", flush=True)
            entry = json.loads(worker(python, "convert", str(source), str(target), ",".join(outputs)))
        manifest[name] = dict(entry, onnx=target.name, sha256=digest, recipe=RECIPE,
                              source=f"mediapipe/modules/{relative}")
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return manifest


def compare(modules: Path) -> dict:
    """Return {network: {output: max |ONNX - TFLite|}} on seeded random inputs."""
    manifest = build(modules)
    python = ensure_convert_venv()
    found = {}
    for name, entry in manifest.items():
        found[name] = json.loads(worker(python, "compare", str(modules.parent.parent / entry["source"]),
                                        str(cache_dir() / entry["onnx"]), ",".join(NETWORKS[name][1])))
    return found


# ---------------------------------------------------------------- worker (convert venv: tensorflow, tf2onnx)

def _densified(source: str, tmp: str) -> str:
    """Return a copy of ``source`` whose DENSIFY outputs are plain constants (or ``source`` itself)."""
    import numpy as np
    import tensorflow as tf
    from tensorflow.lite.python import schema_py_generated as schema
    from tensorflow.lite.tools import flatbuffer_utils

    model = flatbuffer_utils.read_model(source)
    densify = {i for i, code in enumerate(model.operatorCodes)
               if max(code.builtinCode, code.deprecatedBuiltinCode) == schema.BuiltinOperator.DENSIFY}
    graph = model.subgraphs[0]
    ops = [op for op in graph.operators if op.opcodeIndex in densify]
    if not ops:
        return source
    # Without XNNPACK: it takes the DENSIFY ops over and never writes their outputs.
    interpreter = tf.lite.Interpreter(
        source, experimental_preserve_all_tensors=True,
        experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    interpreter.allocate_tensors()
    for detail in interpreter.get_input_details():
        interpreter.set_tensor(detail["index"], np.zeros(detail["shape"], detail["dtype"]))
    interpreter.invoke()
    for op in ops:
        sparse, dense = op.inputs[0], op.outputs[0]
        buffer = schema.BufferT()
        buffer.data = np.frombuffer(interpreter.get_tensor(dense).tobytes(), np.uint8)
        model.buffers.append(buffer)
        graph.tensors[dense].buffer = len(model.buffers) - 1
        graph.tensors[sparse].buffer = 0  # the sparse constant is no longer read by anything
        graph.tensors[sparse].sparsity = None
    graph.operators = [op for op in graph.operators if op.opcodeIndex not in densify]
    path = str(Path(tmp) / "densified.tflite")
    flatbuffer_utils.write_model(model, path)
    return path


def _rename_outputs(model, names: list[str]) -> None:
    mapping = {}
    for output, name in zip(model.graph.output, names, strict=True):
        mapping[output.name] = name
        output.name = name
    for node in model.graph.node:
        node.output[:] = [mapping.get(n, n) for n in node.output]
        node.input[:] = [mapping.get(n, n) for n in node.input]


def _try_dynamic_batch(model) -> bool:
    """Make the batch dimension symbolic when ONNX Runtime then gives each image its batch-of-one result."""
    import numpy as np
    import onnxruntime as ort

    candidate = type(model)()
    candidate.CopyFrom(model)
    del candidate.graph.value_info[:]
    for value in list(candidate.graph.input) + list(candidate.graph.output):
        value.type.tensor_type.shape.dim[0].dim_param = "batch"
    quiet = ort.SessionOptions()
    quiet.log_severity_level = 4  # a failed try is expected for networks with a fixed reshape
    fixed = ort.InferenceSession(model.SerializeToString(), quiet, providers=["CPUExecutionProvider"])
    try:
        dynamic = ort.InferenceSession(candidate.SerializeToString(), quiet, providers=["CPUExecutionProvider"])
        shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
        x = np.random.default_rng(1).random([3] + shape[1:], dtype=np.float32)
        name = model.graph.input[0].name
        batched = dynamic.run(None, {name: x})
        for i in range(3):
            single = fixed.run(None, {name: x[i:i + 1]})
            if any(np.abs(b[i:i + 1] - s).max() > 1e-4 for b, s in zip(batched, single, strict=True)):
                return False
    except Exception:  # noqa: BLE001 (a fixed reshape somewhere: keep batch 1)
        return False
    model.CopyFrom(candidate)
    return True


def work_convert(source: str, target: str, outputs: str) -> dict:
    import onnx
    import onnx.utils
    import tf2onnx

    with tempfile.TemporaryDirectory() as tmp:
        densified = _densified(source, tmp)
        model, _ = tf2onnx.convert.from_tflite(densified, opset=OPSET)
    names = outputs.split(",")
    _rename_outputs(model, names)
    kept = [n for n in names if n not in UNUSED_OUTPUTS]
    if kept != names:
        with tempfile.TemporaryDirectory() as tmp:
            onnx.save(model, f"{tmp}/full.onnx")
            onnx.utils.extract_model(f"{tmp}/full.onnx", f"{tmp}/kept.onnx", [model.graph.input[0].name], kept)
            model = onnx.load(f"{tmp}/kept.onnx")
    dynamic = _try_dynamic_batch(model)
    partial = target + ".part"
    onnx.save(model, partial)
    os.replace(partial, target)
    shape = [d.dim_value or d.dim_param for d in model.graph.input[0].type.tensor_type.shape.dim]
    return {"input": model.graph.input[0].name, "input_shape": shape, "outputs": kept,
            "dynamic_batch": dynamic, "densified": densified != source, "opset": OPSET,
            "converter": f"tf2onnx {tf2onnx.__version__}"}


def work_compare(source: str, target: str, outputs: str) -> dict:
    import numpy as np
    import onnxruntime as ort
    import tensorflow as tf

    interpreter = tf.lite.Interpreter(source)
    interpreter.allocate_tensors()
    detail = interpreter.get_input_details()[0]
    session = ort.InferenceSession(target, providers=["CPUExecutionProvider"])
    names = outputs.split(",")  # all of the tflite's outputs, in its order
    kept = {o.name for o in session.get_outputs()}
    found = {name: {"max_abs": 0.0, "scale": 0.0} for name in names if name in kept}
    rng = np.random.default_rng(0)
    for _ in range(3):
        x = rng.random(detail["shape"], dtype=np.float32)
        interpreter.set_tensor(detail["index"], x)
        interpreter.invoke()
        expected = [interpreter.get_tensor(d["index"]).astype(np.float32) for d in interpreter.get_output_details()]
        got = dict(zip(found, session.run(list(found), {session.get_inputs()[0].name: x}), strict=True))
        for name, e in zip(names, expected, strict=True):
            if name not in found:
                continue
            g = got[name]
            found[name]["max_abs"] = max(found[name]["max_abs"], float(np.abs(e - g).max()))
            found[name]["scale"] = max(found[name]["scale"], float(np.abs(e).max()))
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", default="", help="mediapipe/modules folder (default: the installed wheel's)")
    parser.add_argument("--wheel", default="", help="take the .tflite files from this mediapipe wheel file "
                        "(not installed; e.g. the aarch64 0.10.18 wheel)")
    parser.add_argument("--force", action="store_true", help="convert again even when cached")
    parser.add_argument("--compare", action="store_true", help="compare ONNX Runtime with TFLite, print JSON")
    parser.add_argument("--worker", nargs=4, metavar=("TASK", "SOURCE", "TARGET", "OUTPUTS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        task, source, target, outputs = args.worker
        run = work_convert if task == "convert" else work_compare
        print(json.dumps(run(source, target, outputs)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        modules = unpack_wheel(Path(args.wheel), Path(tmp)) if args.wheel else modules_dir(args.modules)
        run_driver(modules, args)


def run_driver(modules: Path, args: argparse.Namespace) -> None:
    if args.compare:
        print(json.dumps(compare(modules), indent=1))
        return
    manifest = build(modules, force=args.force)
    print(f"engine networks in {cache_dir()}: " + ", ".join(
        f"{name}{' (batch dynamic)' if e.get('dynamic_batch') else ''}" for name, e in manifest.items()))


if __name__ == "__main__":
    main()
