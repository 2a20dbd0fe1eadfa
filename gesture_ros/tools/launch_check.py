"""Check the package's XML launch files against what is installed, without launch_ros.

``python -m gesture_ros.tools.launch_check [LAUNCH_FILE ...]`` evaluates each launch file with
its defaults and with every shipped profile, and reports: node executables that are not
installed, parameter files that do not exist or do not parse, arguments used but not
declared (or given but not declared), YAML parameters no node declares, file sections that
reach no node, remappings of topics the node does not use, duplicate node names.
Exit status 1 when anything is wrong.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from gesture_ros.tools.launch_xml import LaunchError, LaunchModel, NodeSpec, load_launch
from gesture_ros.tools.node_scan import NodeInterface, module_of_script, scan_module
from gesture_ros.tools.param_yaml import (
    ParamFileError,
    fully_qualified,
    load_param_file,
    pattern_matches,
)

PACKAGE = "gesture_ros"
# Parameters every rclpy node has without declaring them.
BUILTIN_PARAMETERS = {"use_sim_time", "start_type_description_service"}
_NAME = re.compile(r"^(~/)?/?[A-Za-z_][\w/]*$")


@dataclass(frozen=True)
class Problem:
    level: str  # "error" or "warning"
    message: str

    def __str__(self) -> str:
        return f"{self.level}: {self.message}"


class Prefixes:
    """Find installed packages under ament prefixes (AMENT_PREFIX_PATH or given)."""

    def __init__(self, prefixes: Iterable[Path]) -> None:
        self.prefixes = [Path(p) for p in prefixes]

    @classmethod
    def from_env(cls) -> Prefixes:
        return cls(Path(p) for p in os.environ.get("AMENT_PREFIX_PATH", "").split(os.pathsep) if p)

    def share(self, pkg: str) -> Path | None:
        for prefix in self.prefixes:
            if (prefix / "share" / "ament_index" / "resource_index" / "packages" / pkg).exists():
                return prefix / "share" / pkg
        return None

    def executable(self, pkg: str, exe: str) -> Path | None:
        for prefix in self.prefixes:
            path = prefix / "lib" / pkg / exe
            if path.is_file() and os.access(path, os.X_OK):
                return path
        return None


def _find_module(name: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    origin = getattr(spec, "origin", None) if spec else None
    return Path(origin) if origin and origin.endswith(".py") else None


def profiles(prefixes: Prefixes) -> list[str]:
    """Return the shipped profile names (config/profiles/*.yaml in the share dir)."""
    share = prefixes.share(PACKAGE)
    return sorted(p.stem for p in (share / "config" / "profiles").glob("*.yaml")) if share else []


class LaunchChecker:
    def __init__(self, prefixes: Prefixes) -> None:
        self.prefixes = prefixes
        self.problems: list[Problem] = []
        self._interfaces: dict[str, NodeInterface | None] = {}

    def error(self, message: str) -> None:
        if Problem("error", message) not in self.problems:
            self.problems.append(Problem("error", message))

    def warn(self, message: str) -> None:
        if Problem("warning", message) not in self.problems:
            self.problems.append(Problem("warning", message))

    def check_file(self, launch: Path) -> None:
        variants: list[dict[str, str]] = [{}]
        try:
            model = load_launch(launch, self.prefixes.share)
        except LaunchError as exc:
            self.error(str(exc))
            return
        if "profile" in model.args:
            variants += [{"profile": name} for name in profiles(self.prefixes)]
        for args in variants:
            try:
                model = load_launch(launch, self.prefixes.share, args)
            except LaunchError as exc:
                self.error(f"{exc} (with {args or 'default arguments'})")
                continue
            self._check_model(model, args)
        for name, decl in model.args.items():
            if name not in model.used_vars:
                self.warn(f"{decl.file}:{decl.line}: argument '{name}' is declared but never used")

    def _check_model(self, model: LaunchModel, args: dict[str, str]) -> None:
        with_args = f" (with {args})" if args else ""
        seen: dict[str, NodeSpec] = {}
        fqns = [fully_qualified(n.namespace, n.name or n.exec) for n in model.nodes]
        for node, fqn in zip(model.nodes, fqns, strict=True):
            where = f"{node.file}:{node.line}"
            if node.enabled:
                if fqn in seen:
                    self.error(f"{where}: node name {fqn} is used twice (also line {seen[fqn].line}){with_args}")
                seen[fqn] = node
            iface = self._check_executable(node, where)
            for source in node.params:
                self._check_params(node, fqn, source, iface, where, fqns, with_args)
            for old, new in node.remaps:
                if not _NAME.match(new):
                    self.error(f"{where}: remapping target '{new}' is not a valid ROS name")
                if iface is not None and old.lstrip("/") not in iface.topics:
                    unsure = f"; names not read statically at {iface.unresolved_topics}" \
                        if iface.unresolved_topics else ""
                    self.error(f"{where}: remapping '{old}' names no topic that {node.exec} uses "
                               f"(it uses {sorted(iface.topics)}{unsure})")

    def _check_executable(self, node: NodeSpec, where: str) -> NodeInterface | None:
        exe = self.prefixes.executable(node.pkg, node.exec)
        if exe is None:
            if node.pkg == PACKAGE or self.prefixes.share(node.pkg) is not None:
                self.error(f"{where}: executable '{node.exec}' of package '{node.pkg}' is not installed")
            else:
                self.warn(f"{where}: package '{node.pkg}' is not installed here; {node.exec} not checked")
            return None
        if node.pkg != PACKAGE:
            return None
        if exe not in self._interfaces:
            module = module_of_script(exe)
            self._interfaces[exe] = scan_module(module, _find_module) if module and _find_module(module) else None
            if self._interfaces[exe] is None:
                self.error(f"{where}: {exe} does not run a module whose source can be read")
            else:
                for item in self._interfaces[exe].unresolved:
                    self.warn(f"{item} is not a literal: it cannot be checked statically")
        return self._interfaces[exe]

    def _check_params(self, node: NodeSpec, fqn: str, source, iface: NodeInterface | None, where: str,
                      fqns: list[str], with_args: str) -> None:
        if isinstance(source, dict):
            sections = {"<launch>": source}
            origin = where
        else:
            if not source.is_file():
                self.error(f"{where}: parameter file {source} does not exist{with_args}")
                return
            try:
                sections = load_param_file(source)
            except ParamFileError as exc:
                self.error(str(exc))
                return
            origin = str(source)
            for pattern in sections:
                if not any(pattern_matches(pattern, f) for f in fqns):
                    self.error(f"{source}: section '{pattern}' reaches no node of the launch file{with_args}")
        for pattern, params in sections.items():
            if pattern != "<launch>" and not pattern_matches(pattern, fqn):
                continue
            if iface is None:
                continue
            unknown = sorted(set(params) - iface.parameters - BUILTIN_PARAMETERS)
            for name in unknown:
                self.error(f"{origin}: '{name}' (section '{pattern}') is not a parameter of {node.exec}; "
                           f"it declares {sorted(iface.parameters)}")


def check(launch_files: Iterable[Path], prefixes: Prefixes | None = None) -> list[Problem]:
    """Check launch files; return every problem found."""
    checker = LaunchChecker(prefixes or Prefixes.from_env())
    for path in launch_files:
        checker.check_file(Path(path))
    return checker.problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="launch_check", description=__doc__.splitlines()[0])
    parser.add_argument("launch", nargs="*", type=Path, help="launch files (default: every installed one)")
    parser.add_argument("--prefix", action="append", type=Path,
                        help="install prefix to check against (default: AMENT_PREFIX_PATH)")
    opts = parser.parse_args(argv)
    prefixes = Prefixes(opts.prefix) if opts.prefix else Prefixes.from_env()
    share = prefixes.share(PACKAGE)
    if share is None:
        print(f"launch_check: package {PACKAGE} is not installed under {prefixes.prefixes}; run 'make build'",
              file=sys.stderr)
        return 2
    files = opts.launch or sorted((share / "launch").rglob("*.launch.xml"))
    problems = check(files, prefixes)
    for problem in problems:
        print(problem)
    errors = sum(p.level == "error" for p in problems)
    print(f"launch_check: {len(files)} launch file(s), {errors} error(s), {len(problems) - errors} warning(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
