"""Locate ../shared/data (real recordings); skip with a reason when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.data_dir import data_dir

REPO = Path(__file__).resolve().parents[2]
DATA_DIR = data_dir()


def shared_data(relative: str) -> Path:
    """Return the path of a shared data file, or skip the test saying what is missing."""
    path = DATA_DIR / relative
    if not path.exists():
        pytest.skip(f"real data {path} is absent (set GESTURE_DATA_DIR or place ../shared/data)")
    return path
