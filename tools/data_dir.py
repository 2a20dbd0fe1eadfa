"""Where the real recordings are: $GESTURE_DATA_DIR, else ../shared/data beside this checkout."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]  # the checkout (the symlink install resolves into it)


def data_dir() -> Path:
    """Return the folder of the real data (it may be absent: callers say so)."""
    return Path(os.environ.get("GESTURE_DATA_DIR", REPO.parent / "shared" / "data"))
