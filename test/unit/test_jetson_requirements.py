"""A Jetson install works as written: every pip line of it exists as an aarch64 / Python 3.10 wheel.

Each line of requirements/jetson.txt (and of mediapipe.txt, the optional reference backend), and each package docs/bringup.md's Jetson steps name on a
``pip3 install`` line from PyPI, is downloaded (``--no-deps --only-binary=:all:``) for that platform;
pure-Python packages resolve as py3-none-any wheels. Needs PyPI (reachable here and in CI).
"""

from __future__ import annotations

import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PLATFORM = ["--platform", "manylinux2014_aarch64", "--platform", "manylinux_2_28_aarch64",
            "--python-version", "3.10"]


def requirement_lines(text: str) -> list[str]:
    """Return the requirement specifiers of a requirements file (comments and blank lines dropped)."""
    return [line.split("#")[0].strip() for line in text.splitlines() if line.split("#")[0].strip()]


def jetson_section() -> str:
    text = (REPO / "docs" / "bringup.md").read_text()
    found = re.search(r"^## Jetson install.*?(?=^## )", text, re.S | re.M)
    assert found, "docs/bringup.md has no '## Jetson install' section"
    return found.group(0)


def doc_packages(section: str) -> list[str]:
    """Return the packages the Jetson steps pip3-install from PyPI (not -r files, not NVIDIA's index)."""
    packages = []
    for line in section.splitlines():
        words = line.split("#")[0].split()
        if words[:2] != ["pip3", "install"] or "--index-url" in words or "--extra-index-url" in words:
            continue
        args = words[2:]
        skip = {i + 1 for i, w in enumerate(args) if w in ("-r", "--requirement")}
        packages += [w for i, w in enumerate(args) if not w.startswith("-") and i not in skip]
    return packages


def download(requirement: str, into: Path) -> str:
    """Return '' when pip finds a wheel of ``requirement`` for the Jetson, else pip's last error line."""
    done = subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check", "--no-deps",
                           "--only-binary=:all:", *PLATFORM, "-d", str(into), requirement],
                          capture_output=True, text=True, timeout=600)
    if done.returncode == 0:
        return ""
    errors = [line for line in done.stderr.splitlines() if line.startswith("ERROR")]
    return (errors or done.stderr.splitlines() or ["pip failed"])[-1]


def test_the_jetson_steps_name_no_package_without_an_aarch64_wheel(tmp_path):
    lines = [line for name in ("jetson.txt", "mediapipe.txt")  # mediapipe.txt: the optional reference backend
             for line in requirement_lines((REPO / "requirements" / name).read_text())]
    section = jetson_section()
    assert "pip3 install -r src/gesture_ros/requirements/jetson.txt" in section
    assert "pip3 install -r src/gesture_ros/requirements/mediapipe.txt" in section
    assert "mediapipe==0.10.21" not in section, "mediapipe 0.10.21 has no aarch64 wheel"
    wanted = lines + doc_packages(section)
    assert len(wanted) >= len(lines) > 5
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = dict(zip(wanted, pool.map(lambda r: download(r, tmp_path), wanted), strict=True))
    missing = {r: why for r, why in results.items() if why}
    assert not missing, f"no aarch64 / Python 3.10 wheel for: {missing}"
    assert len(list(tmp_path.glob("*.whl"))) == len(set(wanted))


def test_a_package_without_an_aarch64_wheel_is_named(tmp_path):
    # The line the README used to carry: PyPI has aarch64 wheels of mediapipe 0.10.5-0.10.18 only.
    assert "0.10.21" in download("mediapipe==0.10.21", tmp_path)
    assert doc_packages("pip3 install --no-deps mediapipe==0.10.18  # reference\n"
                        "pip3 install -r a.txt\npip3 install onnxruntime-gpu --index-url https://x\n") == \
        ["mediapipe==0.10.18"]
