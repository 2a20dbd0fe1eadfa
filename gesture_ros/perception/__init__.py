"""Perception: from camera images to keypoints."""
