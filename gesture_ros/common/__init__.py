"""Plain Python every room shares: gestures, keypoint frames, events, model metadata, logging helpers."""
