"""Tell the performer what to do: an OpenCV window when a display exists, else the terminal."""

from __future__ import annotations

import os
import sys
import time

import numpy as np


class Prompter:
    """Show a countdown and the gesture to perform; draw live frames while recording."""

    def __init__(self, window: str = "gesture record", use_display: bool | None = None) -> None:
        self.window = window
        self.display = bool(os.environ.get("DISPLAY")) if use_display is None else use_display
        if self.display:
            try:
                import cv2

                cv2.namedWindow(self.window)
            except Exception as exc:  # headless OpenCV build: no GUI backend
                print(f"gesture record: no on-screen prompt ({exc}); prompting in the terminal", file=sys.stderr)
                self.display = False

    def _show(self, bgr: np.ndarray, text: str, colour=(0, 200, 255)) -> None:
        import cv2

        img = bgr.copy()
        cv2.putText(img, text, (20, 50), cv2.FONT_HERSHEY_SIMPLEX, 1.1, (0, 0, 0), 5, cv2.LINE_AA)
        cv2.putText(img, text, (20, 50), cv2.FONT_HERSHEY_SIMPLEX, 1.1, colour, 2, cv2.LINE_AA)
        cv2.imshow(self.window, img)
        cv2.waitKey(1)

    def countdown(self, label: str, take: int, total: int, seconds: int, frame: np.ndarray | None = None) -> None:
        for left in range(seconds, 0, -1):
            text = f"take {take}/{total}: {label} in {left}"
            if self.display and frame is not None:
                self._show(frame, text)
            else:
                print(text, flush=True)
            time.sleep(1.0)

    def recording(self, label: str, frame: np.ndarray) -> None:
        if self.display:
            self._show(frame, f"RECORDING {label}", (0, 0, 255))

    def close(self) -> None:
        if self.display:
            import cv2

            cv2.destroyWindow(self.window)
