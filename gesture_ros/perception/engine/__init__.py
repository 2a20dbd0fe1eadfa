"""The keypoint engine: MediaPipe's own networks on ONNX Runtime, with the graph's processing in numpy.

ROS-free. The networks are converted at build time (tools/convert_mediapipe.py, docs/engine.md);
every pre/post-processing step is a small function in its own module, with its constants from
MediaPipe's graphs (../shared/design/mediapipe-graph-facts.md, cited by section as "facts §N").
"""
