"""PyTorch's OpInfo samples on the ttnn device vs the CPU, as a regression gate.

Runs ``python -m ttnn_device.conformance`` in a subprocess (the runner starts its own workers, and
the PrivateUse1 rename is process-global, so nothing of it runs in the pytest process) for float32
and bfloat16 sample_inputs. Fails when the comparable-sample pass rate of a dtype is below 99.5%,
when any sample crashes its worker, or when an op fails or errors without an entry in
tests/opinfo_known_failures.json. The full report stays in reports/ for reading.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent
KNOWN = REPO / "tests" / "opinfo_known_failures.json"
REPORT = REPO / "reports" / "opinfo_conformance_pytest.json"
MIN_PASS_RATE = 99.5


def _env():
    # The default board and fallback mode: a developer's TTNN_DEVICE_* settings must not change
    # what the gate measures.
    env = {k: v for k, v in os.environ.items() if not k.startswith("TTNN_DEVICE_")}
    # The translation is what OpInfo checks: exact numerics (TT-NN's own numerics are benchmarked apart).
    env["TTNN_DEVICE_NUMERICS"] = "exact"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return env


def test_opinfo_conformance_float32_bfloat16():
    # No skip when the device is missing: a device that does not import is the worst regression.
    probe = subprocess.run(
        [sys.executable, "-c", "import ttnn_device, torch; torch.zeros(2, device='ttnn')"],
        cwd=REPO, env=_env(), capture_output=True, text=True, timeout=300)
    assert probe.returncode == 0, f"the ttnn device is not usable:\n{probe.stderr[-3000:]}"

    REPORT.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "ttnn_device.conformance", "--device", "ttnn",
           "--dtypes", "float32,bfloat16", "--out", str(REPORT),
           "--known-failures", str(KNOWN), "--min-pass-rate", str(MIN_PASS_RATE)]
    proc = subprocess.run(cmd, cwd=REPO, env=_env(), capture_output=True, text=True, timeout=1800)
    assert REPORT.exists(), (f"the runner produced no report (exit {proc.returncode}):\n"
                             f"{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    print(proc.stdout)

    gate = json.loads(REPORT.read_text())["gate"]
    for case in gate["now_passing_remove_from_list"]:
        print(f"now passing, remove from {KNOWN.name}: {case}")
    problems = gate["low_pass_rate"] + gate["crashes"] + gate["regressions"]
    assert not problems, (f"{len(problems)} conformance problem(s); report: {REPORT} "
                          f"(markdown beside it)\n" + "\n".join(problems))
