"""The zoo harness apart from the zoo: accuracy figures, output walking, and isolation of models that raise,
crash or hang (the run records them as ❌ and goes on)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from benchmarks.harness import accuracy, training, trees

REPO = Path(__file__).resolve().parent.parent


def test_pcc_identical_constant_and_opposite():
    x = torch.randn(100)
    assert accuracy.pcc(x, x.clone()) == 1.0
    assert accuracy.pcc(torch.ones(3), torch.ones(3)) == 1.0  # constant: undefined PCC, values agree
    assert accuracy.pcc(torch.ones(3), torch.zeros(3)) == 0.0
    assert accuracy.pcc(x, -x) == pytest.approx(-1.0)


def test_compare_floats_flattens_every_output_and_skips_shared_infinities():
    expected = [torch.tensor([1.0, 2.0, float("inf")]), torch.tensor([[3.0, 4.0]]), torch.tensor([7])]
    actual = [torch.tensor([1.0, 2.0, float("inf")]), torch.tensor([[3.0, 4.5]]), torch.tensor([8])]
    result = accuracy.compare_floats(expected, actual)
    assert result["outputs"] == 2 and result["nonfinite_mismatch"] == 0
    assert result["max_abs_err"] == pytest.approx(0.5) and 0.9 < result["pcc"] < 1.0


def test_compare_floats_reports_shape_mismatch_without_pcc():
    result = accuracy.compare_floats([torch.zeros(3, 4)], [torch.zeros(2, 4)])
    assert result["pcc"] is None and "shape" in result["accuracy_note"]


def test_top1_and_token_match():
    logits = torch.tensor([[0.1, 0.9], [0.8, 0.2]])
    assert accuracy.top1([logits], [torch.tensor([[0.2, 0.7], [0.1, 0.3]])]) == 0.5
    ids = torch.tensor([[1, 2, 3, 4]])
    assert accuracy.token_match([ids], [torch.tensor([[1, 2, 9, 4]])]) == 0.75
    assert accuracy.token_match([ids], [torch.tensor([[1, 2]])]) == 0.5  # missing positions are mismatches


def test_training_pcc_leaves_out_gradients_at_noise_level():
    expected = {"w": torch.randn(10), "key_bias": torch.full((4,), 3e-12)}
    actual = {"w": expected["w"].clone(), "key_bias": torch.tensor([-1e-12, 2e-12, 5e-12, 0.0])}
    pccs, noise = training._pccs(expected, actual)
    assert pccs == {"w": 1.0} and noise == ["key_bias"]
    actual["key_bias"] = torch.ones(4)  # a real value where the CPU has none is not noise
    assert "key_bias" in training._pccs(expected, actual)[0]


def test_leaves_walks_containers_dataclasses_and_cache_objects():
    class Layer:
        def __init__(self):
            self.keys, self.values = torch.zeros(1), torch.ones(1)

    class Cache:
        def __init__(self):
            self.layers = [Layer(), Layer()]

    output = {"logits": torch.full((1,), 5.0), "past": Cache(), "extra": (torch.tensor(2), None, "text")}
    found = trees.leaves(output)
    assert [t.item() for t in found] == [5.0, 0.0, 1.0, 0.0, 1.0, 2]


def test_failing_crashing_and_hanging_models_are_recorded_and_the_run_goes_on(tmp_path):
    out, md = tmp_path / "zoo.json", tmp_path / "models.md"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p))
    cmd = [sys.executable, "-m", "benchmarks.run_zoo", "harness-failure", "tiny_mlp", "--specs",
           str(REPO / "tests" / "zoo_test_specs.py"), "--dtypes", "float32", "--timeout", "30", "--runs", "1",
           "--out", str(out), "--markdown", str(md)]
    proc = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    models = {m["name"]: m for m in json.loads(out.read_text())["models"]}
    assert list(models) == ["fails_on_build", "hangs_on_inputs", "crashes_on_build", "tiny_mlp"]
    assert "this model fails on purpose" in models["fails_on_build"]["rows"]["float32"]["error"]
    assert models["hangs_on_inputs"]["rows"]["float32"]["error"].startswith("timeout: killed after 30 s during build")
    assert "SIGABRT" in models["crashes_on_build"]["rows"]["float32"]["error"]
    for name in ("fails_on_build", "hangs_on_inputs", "crashes_on_build"):
        assert models[name]["rows"]["float32"]["status"] == "❌"
    assert models["tiny_mlp"]["rows"]["float32"]["status"] in ("✅", "🚧")
    assert models["tiny_mlp"]["train"]["loss_abs_diff"] < 1e-4
    table = md.read_text()
    assert "| crashes_on_build | float32 | ❌ |" in table and "## Training" in table
    assert "❌ 3" in proc.stdout  # the summary line
