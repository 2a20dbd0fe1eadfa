"""Where the real data lies: ../shared/data beside the checkout, or $GESTURE_DATA_DIR."""

from __future__ import annotations

import os
from pathlib import Path


def default_data() -> Path:
    """Return $GESTURE_DATA_DIR, else ../shared/data of the current directory."""
    return Path(os.environ.get("GESTURE_DATA_DIR", Path.cwd().parent / "shared" / "data"))
