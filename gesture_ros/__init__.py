"""gesture_ros: camera to live gesture events for shows, robots and venues.

The ROS-free core (core/, toolkit/, actions/, bridge/) installs with plain pip; the node
layer (nodes/, ros/) and the generated messages (msg/) need a ROS 2 build (colcon).
"""

__version__ = "0.1.0"
