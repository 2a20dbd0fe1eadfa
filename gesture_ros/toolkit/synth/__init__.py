"""Synthetic keypoint sequences from a kinematic hand and body model (see generator.py)."""
