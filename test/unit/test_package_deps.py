"""A Jetson install gets every module the runtime imports: package.xml (rosdep) plus the pip lines."""

from __future__ import annotations

import ast
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# What the nodes, launch files and their core run (the toolkit and tools/ are for a workstation, the
# venue server for the venue: requirements/venue.txt).
RUNTIME = [p for p in (REPO / "gesture_ros").rglob("*.py")
           if not {"toolkit", "venue"} & set(p.relative_to(REPO / "gesture_ros").parts)]
RUNTIME += list((REPO / "launch").glob("*.py"))
# import name -> where a Jetson gets it: a rosdep key of package.xml, or "pip:<requirement name>"
SOURCES = {
    "rclpy": "rclpy", "rcl_interfaces": "rcl_interfaces", "ament_index_python": "ament_index_python",
    "std_msgs": "std_msgs", "builtin_interfaces": "builtin_interfaces", "sensor_msgs": "sensor_msgs",
    "geometry_msgs": "geometry_msgs", "std_srvs": "std_srvs", "visualization_msgs": "visualization_msgs",
    "diagnostic_msgs": "diagnostic_msgs", "rosgraph_msgs": "rosgraph_msgs", "cv_bridge": "cv_bridge", "launch": "launch", "launch_ros": "launch_ros",
    "numpy": "python3-numpy", "cv2": "python3-opencv", "yaml": "python3-yaml", "PIL": "python3-pil",
    "paho": "pip:paho-mqtt", "httpx": "pip:httpx", "pythonosc": "pip:python-osc", "mcap": "pip:mcap",
    "mcap_ros2": "pip:mcap-ros2-support",
    "mediapipe": "pip --no-deps mediapipe==0.10.18 (optional: backend mediapipe; aarch64 has no 0.10.21)", "onnxruntime": "NVIDIA's onnxruntime-gpu wheel",
}


def _imported_modules() -> set[str]:
    found: set[str] = set()
    for path in RUNTIME:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"gesture_ros", "__future__"}


def test_every_runtime_import_has_a_source_on_the_jetson():
    missing = sorted(_imported_modules() - set(SOURCES))
    assert not missing, f"imported by the runtime, installed by nothing on a Jetson: {missing}"


def test_the_sources_are_in_package_xml_and_requirements_jetson():
    root = ET.parse(REPO / "package.xml").getroot()
    keys = {e.text for e in root if e.tag in ("depend", "exec_depend")}
    jetson = (REPO / "requirements" / "jetson.txt").read_text()
    pip = {line.split("#")[0].strip().split(">")[0].split("<")[0].split("=")[0].strip()
           for line in jetson.splitlines()} - {""}
    for module in sorted(_imported_modules()):
        source = SOURCES[module]
        if source.startswith("pip:"):
            assert source[4:] in pip, f"{module}: {source[4:]} is not in requirements/jetson.txt"
        elif not source.startswith(("pip ", "NVIDIA")):
            assert source in keys, f"{module}: rosdep key {source} is not in package.xml"
    assert "paho-mqtt" in pip and "python3-paho-mqtt" not in keys  # paho 2: Ubuntu 22.04's apt package is 1.6
    # the engine needs neither mediapipe nor protobuf; the optional reference backend's imports are a file apart
    assert "protobuf" not in pip
    reference = {line.split("#")[0].strip().split(">")[0].split("<")[0].strip()
                 for line in (REPO / "requirements" / "mediapipe.txt").read_text().splitlines()} - {""}
    assert {"absl-py", "attrs", "flatbuffers", "matplotlib", "protobuf"} <= reference
    assert "pip3 install --no-deps mediapipe==0.10.18" in jetson and "requirements/mediapipe.txt" in jetson
