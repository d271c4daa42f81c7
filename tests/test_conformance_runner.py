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


def test_strict_mode_counts_declines_apart_and_reports_per_op(tmp_path):
    """--fallback error: an op with no kernel (fmax) is a decline with its reason, not an error; an op
    with a kernel (add) passes; the per-op table lists both."""
    out = tmp_path / "strict.json"
    cmd = [sys.executable, "-m", "ttnn_device.conformance", "--dtypes", "float32", "--ops", "add,fmax",
           "--fallback", "error", "--numerics", "exact", "--per-op", "--jobs", "1", "--out", str(out)]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rep = json.loads(out.read_text())
    add, fmax = rep["ops"]["add"]["float32"], rep["ops"]["fmax"]["float32"]
    assert add["status"] == "pass" and add["samples"]["decline"] == 0
    assert fmax["status"] == "decline" and fmax["samples"]["decline"] == fmax["samples"]["total"] > 0
    assert "aten::fmax" in fmax["reason"]
    assert rep["summary"]["float32"]["samples"]["decline"] == fmax["samples"]["decline"]
    assert rep["meta"]["fallback"] == "error" and rep["meta"]["numerics"] == "exact"
    md = out.with_suffix(".md").read_text()
    assert "## Per op" in md and "| fmax | float32 | decline |" in md


def test_pcc_is_pearson_and_requires_matching_specials():
    import torch

    from ttnn_device.conformance.compare import compare, pcc

    e = torch.tensor([1.0, 2.0, 3.0, 4.0])
    assert abs(pcc(e * 2 + 1, e) - 1.0) < 1e-12  # affine images correlate perfectly
    assert abs(pcc(torch.tensor([1.0, 3.0, 2.0, 4.0]), e) - 0.8) < 1e-12  # hand-computed
    assert pcc(torch.tensor([1.0, float("nan"), 3.0, 4.0]), e) == float("-inf")
    assert compare(e + 0.01, e, meta_only=False, atol=1e-3, rtol=1e-3) is not None
    assert compare(e + 0.01, e, meta_only=False, atol=1e-3, rtol=1e-3, min_pcc=0.999) is None


def test_low_precision_mismatch_passes_only_when_nearer_the_float64_result():
    import torch

    from ttnn_device.conformance.compare import as_accurate_as_cpu

    exact = torch.tensor([4.2846, 30.2233, 1.0], dtype=torch.float64)
    cpu = torch.tensor([4.1875, 30.125, 1.0], dtype=torch.bfloat16)       # off by 0.097 and 0.098
    nearer = torch.tensor([4.28125, 30.25, 1.0], dtype=torch.bfloat16)    # off by 0.003 and 0.027
    further = torch.tensor([4.40625, 30.25, 1.0], dtype=torch.bfloat16)   # first: off by 0.12, 0.22 from the CPU
    tol = dict(atol=1e-2, rtol=1.6e-2)
    assert as_accurate_as_cpu(nearer, cpu, exact, **tol)
    assert not as_accurate_as_cpu(further, cpu, exact, **tol)
    # Specials must sit where the CPU has them, and float32 outputs get no such allowance.
    assert not as_accurate_as_cpu(torch.tensor([4.28125, float("nan"), 1.0], dtype=torch.bfloat16), cpu, exact, **tol)
    assert not as_accurate_as_cpu(nearer.float(), cpu.float(), exact, **tol)
    # Every output of a tuple counts: an exact one must still match.
    assert not as_accurate_as_cpu((nearer, torch.tensor([1, 2])), (cpu, torch.tensor([1, 3])), (exact, torch.tensor([1, 3])), **tol)
    assert as_accurate_as_cpu((nearer, torch.tensor([1, 3])), (cpu, torch.tensor([1, 3])), (exact, torch.tensor([1, 3])), **tol)
