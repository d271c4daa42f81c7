"""The conformance runner itself, on the CPU (CPU vs CPU must agree; crashes and hangs are contained).

Uses the runner's fault hook (TTNN_CONFORMANCE_FAULTS) to make one case abort and one hang, so
crash isolation and the timeout are checked without a broken device.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent


def test_runner_contains_crash_and_hang_and_gates(tmp_path):
    known = tmp_path / "known.json"
    known.write_text(json.dumps({"failures": [{"op": "sub", "reason": "listed to check 'now passing'"}]}))
    out = tmp_path / "report.json"
    env = dict(os.environ, TTNN_CONFORMANCE_FAULTS="crash:add,hang:mul")
    cmd = [sys.executable, "-m", "ttnn_device.conformance", "--device", "cpu", "--dtypes", "float32",
           "--ops", "add,mul,sub", "--timeout", "5", "--out", str(out), "--known-failures", str(known)]
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1, proc.stdout + proc.stderr  # the gate fails: a crash

    rep = json.loads(out.read_text())
    status = {op: r["float32"]["status"] for op, r in rep["ops"].items()}
    assert status == {"add": "crash", "mul": "timeout", "sub": "pass"}, status
    assert "SIGABRT on sample 0: SampleInput(" in rep["ops"]["add"]["float32"]["reason"]
    gate = rep["gate"]
    assert len(gate["crashes"]) == 1 and gate["now_passing_remove_from_list"] == ["sub [float32]"]
    assert out.with_suffix(".md").exists()
