"""The ``gesture`` command: one entry point for the toolkit's subcommands."""

from __future__ import annotations

import importlib
import sys

# subcommand -> (module with main(argv) -> int, one-line help)
COMMANDS = {
    "synth": ("gesture_ros.toolkit.synth_cli", "generate synthetic keypoint sequences (kinematic hand/body model)"),
    "record": ("gesture_ros.toolkit.record", "record labelled sequences from a camera, video files or a ROS topic"),
    "import-csv": ("gesture_ros.toolkit.import_csv", "convert the kinivi/Kazuhito00 keypoint CSVs into a dataset"),
    "train": ("gesture_ros.toolkit.train", "train a sequence model (lstm, gru, tcn) on a dataset"),
    "eval": ("gesture_ros.toolkit.evaluate", "evaluate a model on a held-out split: report, confusion matrix"),
    "export": ("gesture_ros.toolkit.export", "export a trained model to ONNX with metadata, checked against PyTorch"),
    "train-default": ("gesture_ros.toolkit.default_model", "rebuild models/gesture_default.onnx from synthetic data"),
    "eval-real": ("gesture_ros.toolkit.real_eval", "evaluate the toolkit and the default model on ../shared/data"),
    "people": ("gesture_ros.toolkit.people", "group the real stills by person (and write contact sheets to check)"),
    "from-mcap": ("gesture_ros.toolkit.from_mcap", "turn an MCAP recording plus labels into training sequences"),
    "venue-export": ("gesture_ros.venue.export", "the venue server's stored events of a time range as JSON lines"),
}


def usage() -> str:
    width = max(map(len, COMMANDS))
    lines = ["usage: gesture <command> [options]", "", "commands:"]
    lines += [f"  {name:<{width}}  {help_}" for name, (_, help_) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in COMMANDS:
        print(usage(), file=sys.stderr if argv and argv[0] not in ("-h", "--help") else sys.stdout)
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    module = importlib.import_module(COMMANDS[argv[0]][0])
    return int(module.main(argv[1:]) or 0)


if __name__ == "__main__":
    sys.exit(main())
