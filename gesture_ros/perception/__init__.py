"""From camera to keypoints without ROS: frame sources, MediaPipe extraction, image codec, clocks."""
