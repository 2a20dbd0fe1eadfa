"""Tell when a file was replaced or rewritten (modification time and size), without threads."""

from __future__ import annotations

from pathlib import Path


class FileWatch:
    """Remember a file's (mtime, size); ``changed()`` is True once per new version."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._seen = self._stat()

    def _stat(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def changed(self) -> bool:
        """Return True when the file differs from the last version seen (a missing file is no change)."""
        now = self._stat()
        if now is None or now == self._seen:
            return False
        self._seen = now
        return True
