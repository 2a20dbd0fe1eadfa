"""Plain pip install of the ROS-free part: core, toolkit (record/train/eval/export), venue monitor.

On a training workstation without ROS: ``pip install .[train]`` gives the ``gesture`` and
``venue-monitor`` commands. The ROS nodes and messages are built by colcon from
CMakeLists.txt (package.xml says ament_cmake); colcon does not read this file.
"""

from setuptools import find_packages, setup

setup(
    name="gesture_ros",
    version="0.1.0",
    description="Camera to live gesture events: keypoints, sequence models, actions, venue bridge",
    license="Apache-2.0",
    python_requires=">=3.10",
    packages=find_packages(include=["gesture_ros", "gesture_ros.*"], exclude=["gesture_ros.nodes*", "gesture_ros.ros*", "tools*"]),
    package_data={"gesture_ros.venue.web": ["static/*"]},  # the live page's HTML, JS and CSS
    install_requires=[
        "numpy>=1.24,<2",
        "PyYAML>=6",
        "opencv-contrib-python-headless>=4.8,<4.12",
        "protobuf>=4.25,<5",
        "onnxruntime-gpu==1.23.2",
        "python-osc>=1.9",
        "httpx>=0.27",
        "paho-mqtt>=2.1,<3",
        "tqdm>=4.66",
    ],
    extras_require={
        # mediapipe 0.10.21 must be installed with --no-deps (README): its jax pins are not needed.
        # the venue server's page and PostgreSQL store (requirements/venue.txt)
        "venue": ["starlette==1.7.0", "uvicorn==0.54.0", "psycopg[binary]==3.3.9"],
        "train": ["torch>=2.1", "onnx==1.17.0", "matplotlib", "mcap>=1.2", "mcap-ros2-support>=0.5"],
    },
    entry_points={
        "console_scripts": [
            "gesture = gesture_ros.toolkit.cli:main",
            "venue-monitor = gesture_ros.venue.monitor:main",
            "venue-server = gesture_ros.venue.cli:main",
        ]
    },
)
