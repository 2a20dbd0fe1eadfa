"""Rewrite the build-machine include paths that the PyPI ROS 2 wheels hard-code.

Their exported CMake targets name /opt/python/cp311-cp311/include/python3.11 and the
numpy include dir of the machine that built them; CMake's generate step fails on both.
Run after every install or numpy change (the Makefile does).
"""

from __future__ import annotations

import re
import sys
import sysconfig
from pathlib import Path

import numpy

PY_INCLUDE = re.compile(r"[^;\"]*/include/python3\.\d+")
NUMPY_INCLUDE = re.compile(r"[^;\"]*/numpy/_?core/include")


def fix(prefix: Path) -> int:
    """Rewrite the exported targets under prefix/share; return how many files changed."""
    py_inc = sysconfig.get_paths()["include"]
    np_inc = numpy.get_include()
    changed = 0
    for path in prefix.glob("share/*/cmake/export_*__rosidl_generator_pyExport.cmake"):
        text = path.read_text()
        new = NUMPY_INCLUDE.sub(np_inc, PY_INCLUDE.sub(py_inc, text))
        if new != text:
            path.write_text(new)
            changed += 1
    return changed


if __name__ == "__main__":
    root = Path(sys.argv[1] if len(sys.argv) > 1 else sys.prefix)
    print(f"fix_ros_wheels: rewrote include paths in {fix(root)} CMake export files under {root}")
