"""gesture_ros: camera to live gesture events for shows, robots and venues.

The ROS-free rooms (common/, perception/, classify/, actions/, bridge/, toolkit/) install with
plain pip; the node layer (ros/, nodes/, launching/) and the generated messages (msg/) need a ROS 2
build (colcon). colcon installs no toolkit: on a workstation, a checkout of this repository later on
``PYTHONPATH`` than the colcon install adds it (and the repository's tools/) to the installed package.
"""

import pkgutil

__path__ = pkgutil.extend_path(__path__, __name__)

__version__ = "0.1.0"
