"""Files named by someone else are read safely: regular files only, never more than a limit
(issue 26 item 6: a parameter or topic pointing at /dev/zero, a FIFO or gigabytes)."""

import os
from pathlib import Path

import pytest

from gesture_ros.actions.vocabulary import load_vocabulary
from gesture_ros.classify.onnx_model import ModelLoadError, load_model
from gesture_ros.common.file_limits import FileRefused, check_file, read_limited


@pytest.fixture
def odd_files(tmp_path):
    fifo = tmp_path / "pipe.onnx"
    os.mkfifo(fifo)  # nobody writes: opening it for reading the usual way would wait forever
    huge = tmp_path / "huge.onnx"
    with open(huge, "wb") as f:
        f.truncate(3 << 30)  # sparse: 3 GiB on no disk
    return {"/dev/zero": "is not a regular file (a device, FIFO or socket)",
            str(fifo): "is not a regular file (a device, FIFO or socket)",
            str(tmp_path): "is not a regular file (a folder)",
            str(huge): "is 3072.0 MiB, more than the 256.0 MiB allowed"}


def test_read_limited_refuses_devices_fifos_folders_and_big_files(odd_files, tmp_path):
    for path, reason in odd_files.items():
        with pytest.raises(FileRefused) as info:
            read_limited(Path(path), 256 << 20, "model file")
        assert str(info.value) == f"model file {path} {reason}"
    small = tmp_path / "small.yaml"
    small.write_bytes(b"x" * 100)
    assert read_limited(small, 100, "map") == b"x" * 100
    with pytest.raises(FileRefused, match=r"map \S+small.yaml is 100 bytes, more than the 99 bytes allowed"):
        read_limited(small, 99, "map")
    with pytest.raises(FileRefused, match="cannot be read: No such file"):
        check_file(tmp_path / "absent", 10, "map")


def test_the_model_loaders_refuse_them_in_one_sentence(odd_files):
    for path, reason in odd_files.items():
        with pytest.raises(ModelLoadError) as info:
            load_model(path)
        assert str(info.value) == f"model file {path} {reason}"
        vocabulary, note = load_vocabulary(Path(path))
        assert note == f"model {path} {reason}: using the default vocabulary"
