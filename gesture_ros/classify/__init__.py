"""From keypoints to gesture events without ROS: features, window, model, smoothing, event machine."""
