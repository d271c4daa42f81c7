"""Shared fixtures for the ttnn_device pytest suite.

* ``counters``: fallback and transfer counters reset before the test (and the fallback mode put back to
  ``allow`` afterwards), so that a test measures only its own work.
* ``run_py``: runs a Python snippet in a fresh interpreter. The PrivateUse1 rename is process-global and
  ``TTNN_DEVICE_BOARD`` / ``TTNN_DEVICE_DRAM_MB`` / ``TTNN_DEVICE_FALLBACK`` are read when the extension
  loads, so anything that needs another board or environment runs in its own process.
* ``real_ttnn``: the real ``ttnn`` package (host conversions, mock cluster; see ttnn_oracle.py). Skips the
  test when ttnn is not usable, except with ``CI=true``, where that fails the test: CI always installs
  ttnn, so a skip there would hide a broken install.
"""

from __future__ import annotations

import gc
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest
import torch

# The suite checks the translation of torch semantics onto TT-NN's ops against CPU PyTorch, so it runs
# the reference device in exact numerics (IEEE math, rounding only to the storage dtype); tests of TT-NN's
# own numerics switch to "tt" themselves. Set before the extension loads, so subprocesses inherit it.
os.environ.setdefault("TTNN_DEVICE_NUMERICS", "exact")
# Host mirrors (host copies of device storages that CPU kernels only read) are mapped read-only, so a
# kernel that writes one faults in the test that does it instead of silently corrupting later reads.
os.environ.setdefault("TTNN_DEVICE_CHECK_HOST_MIRRORS", "1")

from ttnn_oracle import DEFAULT_CLUSTER_DESC, load_ttnn  # noqa: E402

# TTNN_DEVICE_BACKEND=ttnn TTNN_DEVICE_EMULATE=1 runs the suite through the hardware backend on the emulated
# device; the real ttnn's host conversions then need the mock cluster descriptor before ttnn is imported.
if os.environ.get("TTNN_DEVICE_EMULATE") == "1":
    os.environ.setdefault("TT_METAL_MOCK_CLUSTER_DESC_PATH", str(DEFAULT_CLUSTER_DESC))
    os.environ.setdefault("TT_METAL_LOGGER_LEVEL", "ERROR")

import ttnn_device  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parent.parent

# Environment variables of the device that must not leak from the calling shell into the tests.
_DEVICE_ENV = ("TTNN_DEVICE_BOARD", "TTNN_DEVICE_DRAM_MB", "TTNN_DEVICE_FALLBACK", "TTNN_DEVICE_LAYOUT",
               "TTNN_DEVICE_HOST_MIRROR_MB")


def run_python(code: str, env: dict | None = None, timeout: float = 120, check: bool = True,
               import_device: bool = True) -> subprocess.CompletedProcess:
    """Runs ``code`` (dedented) in a fresh ``python``; ``env`` adds/overrides environment variables.

    With ``import_device`` the snippet starts with ``import torch, ttnn_device``. With ``check`` a non-zero
    exit fails the calling test with the child's output.
    """
    full_env = {k: v for k, v in os.environ.items() if k not in _DEVICE_ENV}
    full_env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO)] + ([full_env["PYTHONPATH"]] if full_env.get("PYTHONPATH") else []))
    full_env.update({k: str(v) for k, v in (env or {}).items()})
    body = textwrap.dedent(code)
    if import_device:
        body = "import torch, ttnn_device\n" + body
    proc = subprocess.run([sys.executable, "-c", body], env=full_env, cwd=str(REPO), capture_output=True,
                          text=True, timeout=timeout)
    if check and proc.returncode != 0:
        pytest.fail(f"subprocess exited with {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}")
    return proc


@pytest.fixture
def run_py():
    return run_python


@pytest.fixture(scope="session")
def real_ttnn():
    """The real ``ttnn`` module, imported once per session by ttnn_oracle.load_ttnn()."""
    module, reason = load_ttnn()
    if module is None:
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(f"CI=true but the real ttnn is not usable: {reason}", pytrace=False)
        pytest.skip(f"real ttnn not usable: {reason}")
    return module


@pytest.fixture
def counters():
    """Fallback and transfer counters start from zero; the fallback mode is ``allow`` during the test and
    restored afterwards."""
    previous = ttnn_device.get_fallback_mode()
    ttnn_device.set_fallback_mode("allow")
    ttnn_device.reset_fallback_counts()
    ttnn_device.reset_transfer_counts()
    yield ttnn_device
    ttnn_device.set_fallback_mode(previous)


@pytest.fixture
def exact_no_fallback(counters):
    """Exact numerics, and the CPU fallback forbidden: every op must run on the device (modules opt in with
    ``pytestmark = pytest.mark.usefixtures("exact_no_fallback")``)."""
    previous = ttnn_device.get_numerics()
    ttnn_device.set_numerics("exact")
    ttnn_device.set_fallback_mode("error")
    yield
    ttnn_device.set_fallback_mode("allow")
    ttnn_device.set_numerics(previous)


@pytest.fixture(autouse=True)
def _restore_device_state():
    """Every test starts on ttnn:0 in fallback mode ``allow``, whatever the previous test did."""
    torch.ttnn.set_device(0)
    mode = ttnn_device.get_fallback_mode()
    yield
    torch.ttnn.set_device(0)
    if ttnn_device.get_fallback_mode() != mode:
        ttnn_device.set_fallback_mode(mode)


def collect():
    """Drops unreachable tensors (reference cycles included) so that memory figures are exact."""
    gc.collect()
    gc.collect()


def bits(t: torch.Tensor) -> torch.Tensor:
    """The tensor's raw bit patterns as an integer tensor of the same element size (for bit-exact checks
    that see NaN payloads and the sign of zero)."""
    t = t.detach().cpu().contiguous()
    if t.is_complex():
        t = torch.view_as_real(t)
    if t.dtype == torch.bool:
        return t.view(torch.uint8)
    size = t.element_size()
    return t.view({1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}[size])


def assert_bit_equal(got: torch.Tensor, want: torch.Tensor):
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape, (got.shape, want.shape)
    assert torch.equal(bits(got), bits(want)), f"not bit-equal:\n got={got}\nwant={want}"


_OPS_CALLED: set = set()


@pytest.fixture(autouse=True)
def _record_ops_called():
    """With TTNN_DEVICE_OP_COUNTS_FILE set, the vocabulary ops each test called are gathered (tests reset the
    counts) and written there at the end (JSON), so a parent run can see which op-table entries the suite
    exercised."""
    yield
    if os.environ.get("TTNN_DEVICE_OP_COUNTS_FILE"):
        _OPS_CALLED.update(ttnn_device.op_counts())


def pytest_sessionfinish(session, exitstatus):
    path = os.environ.get("TTNN_DEVICE_OP_COUNTS_FILE")
    if path:
        import json

        _OPS_CALLED.update(ttnn_device.op_counts())
        pathlib.Path(path).write_text(json.dumps(sorted(_OPS_CALLED)))


def pytest_addoption(parser):
    parser.addoption("--sample", type=int, default=1, metavar="K",
                     help="run every K-th test of each file (at least one per file), e.g. under the "
                          "sanitizers (scripts/sanitize.sh), where the whole suite would take too long")


def pytest_collection_modifyitems(config, items):
    k = config.getoption("--sample")
    if k <= 1:
        return
    kept, deselected, index_in_file = [], [], {}
    for item in items:
        index = index_in_file.get(item.path, 0)
        index_in_file[item.path] = index + 1
        # The offset varies per file, so that sampling does not always pick each file's first cases.
        offset = sum(item.path.name.encode()) % k
        (kept if index % k == offset % k or index == 0 else deselected).append(item)
    config.hook.pytest_deselected(items=deselected)
    items[:] = kept
