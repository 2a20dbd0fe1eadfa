"""CI's strict mode counts every skip as a failure, a module skipped at collection included."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TEST_DIR = Path(__file__).resolve().parents[1]  # test/: support.strict lies there


def _inner_pytest(folder: Path, strict: bool) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(TEST_DIR), "GESTURE_ROS_STRICT": "1" if strict else "0"}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "support.strict", "-p", "no:cacheprovider",
                           "--rootdir", str(folder), str(folder)], env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def suite(tmp_path):
    (tmp_path / "test_gone.py").write_text(
        "import pytest\npytest.importorskip('no_such_module_here')\n\n\ndef test_needs_it():\n    pass\n")
    (tmp_path / "test_skips.py").write_text(
        "import pytest\n\n\ndef test_runs():\n    pass\n\n\ndef test_skips():\n    pytest.skip('no peer')\n")
    return tmp_path


def test_skips_pass_outside_ci(suite):
    result = _inner_pytest(suite, strict=False)
    assert result.returncode == 0, result.stdout
    assert "1 passed, 2 skipped" in result.stdout


def test_skips_at_run_time_and_at_collection_fail_in_ci(suite):
    result = _inner_pytest(suite, strict=True)
    assert result.returncode != 0, result.stdout
    assert "test_gone.py was skipped while collected under GESTURE_ROS_STRICT=1" in result.stdout
    assert "no_such_module_here" in result.stdout
