"""Pick the keypoint backend: ``mediapipe`` (the Solutions API, the reference) or ``onnx`` (this engine)."""

from __future__ import annotations

from gesture_ros.perception.extraction.options import ExtractorOptions
from gesture_ros.perception.extractor import KeypointExtractor
from gesture_ros.perception.people_extractor import PeopleExtractor, open_extractor

BACKENDS = ("mediapipe", "onnx")


def open_backend(options: ExtractorOptions, backend: str = "mediapipe") -> KeypointExtractor | PeopleExtractor:
    """Return the extractor of ``backend``; raise ValueError naming the choices for an unknown one."""
    if backend == "mediapipe":
        return open_extractor(options)
    if backend != "onnx":
        raise ValueError(f"backend '{backend}' is unknown; choose one of {', '.join(BACKENDS)}")
    if options.people.enabled:
        from gesture_ros.perception.engine.people import EnginePeopleExtractor

        return EnginePeopleExtractor(options)
    from gesture_ros.perception.engine.extractor import EngineExtractor

    return EngineExtractor(options)
