"""The packaging (pyproject.toml): what `pip install .` installs, and that its extras keep the pins that
scripts/setup.sh installs from the requirements files."""

from __future__ import annotations

import pathlib
import re
import sys

import pytest

tomllib = pytest.importorskip("tomllib") if sys.version_info >= (3, 11) else pytest.importorskip("tomli")

REPO = pathlib.Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
TOOL = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]


def _requirements(path):
    lines = (line.split("#", 1)[0].strip() for line in (REPO / path).read_text().splitlines())
    return {line for line in lines if line}


def _name(requirement):
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_run_time_needs_only_torch_and_numpy():
    assert sorted(_name(r) for r in PROJECT["dependencies"]) == ["numpy", "torch"]
    torch_pin = next(r for r in _requirements("requirements.txt") if _name(r) == "torch")
    assert torch_pin in PROJECT["dependencies"]  # the torch the extension is compiled against


def test_build_needs_the_pinned_torch():
    build = tomllib.loads((REPO / "pyproject.toml").read_text())["build-system"]["requires"]
    assert "torch==2.14.1" in build and "torch==2.14.1" in PROJECT["dependencies"]


def test_zoo_extra_is_the_zoo_requirements():
    zoo = set(PROJECT["optional-dependencies"]["zoo"])
    assert zoo == _requirements("benchmarks/requirements.txt") | {"torchvision==0.29.1"}


def test_test_extra_is_pinned_as_in_requirements():
    pins = _requirements("requirements.txt")
    assert set(PROJECT["optional-dependencies"]["test"]) <= pins


def test_only_ttnn_device_is_installed():
    assert TOOL["packages"]["find"]["include"] == ["ttnn_device", "ttnn_device.*"]
    assert PROJECT["entry-points"]["torch.backends"] == {"ttnn_device": "ttnn_device:_autoload"}
    assert PROJECT["entry-points"]["torch_dynamo_backends"] == {"ttnn": "ttnn_device.compile:ttnn_backend"}
    for target in PROJECT.get("scripts", {}).values():
        assert target.startswith("ttnn_device.")
