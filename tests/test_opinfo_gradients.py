"""PyTorch's OpInfo samples with gradients: for the op families the device has backward kernels for, each
sample's inputs require grad, the same seeded output gradients are back-propagated on the CPU and on the
device, and forward outputs and input gradients are compared (the backward half of test_compare_cpu),
with TTNN_DEVICE_FALLBACK=error so that nothing of it runs on the CPU. Runs in a subprocess like
test_opinfo_conformance (the runner starts its own workers)."""

from __future__ import annotations

import json
import subprocess
import sys

from test_opinfo_conformance import KNOWN, REPO, _env

OPS = REPO / "tests" / "opinfo_gradient_ops.txt"
REPORT = REPO / "reports" / "opinfo_gradients_pytest.json"


def test_opinfo_forward_and_gradients_match_the_cpu_with_no_fallback():
    REPORT.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "ttnn_device.conformance", "--device", "ttnn", "--dtypes", "float32,bfloat16",
           "--ops-file", str(OPS), "--grad", "--fallback", "error", "--out", str(REPORT),
           "--known-failures", str(KNOWN), "--min-pass-rate", "100"]
    proc = subprocess.run(cmd, cwd=REPO, env=_env(), capture_output=True, text=True, timeout=900)
    assert REPORT.exists(), f"the runner produced no report (exit {proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    print(proc.stdout)
    report = json.loads(REPORT.read_text())
    gate = report["gate"]
    problems = gate["low_pass_rate"] + gate["crashes"] + gate["regressions"]
    assert not problems, "\n".join(problems)
    for dtype, row in report["summary"].items():
        assert row["samples"]["comparable"] > 500, (dtype, row)  # the samples really ran
