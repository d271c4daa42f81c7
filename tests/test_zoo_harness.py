"""The zoo harness apart from the zoo: accuracy figures, output walking, and isolation of models that raise,
crash or hang (the run records them as ❌ and goes on)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import ttnn_device
from benchmarks import measure, run_zoo
from benchmarks.harness import accuracy, catalog, isolate, markdown, summary, timing, training, trees

REPO = Path(__file__).resolve().parent.parent


def test_timed_rounds_alternate_which_side_runs_first():
    calls = []
    fns = {"cpu": (lambda: calls.append("cpu"), None), "ttnn": (lambda: calls.append("ttnn"), None)}
    times = timing.interleaved(fns, rounds=4, budget_s=60)
    assert calls == ["cpu", "ttnn", "ttnn", "cpu", "cpu", "ttnn", "ttnn", "cpu"]
    assert len(times["cpu"]) == len(times["ttnn"]) == 4


def test_speed_ratio_is_the_median_of_per_round_ratios():
    # Rounds 2 and 3 ran under more load than round 1, on both sides alike: the ratio of the medians
    # (2 / 5 = 0.4) mixes rounds, the per-round ratios (0.25, 0.8, 0.8) do not.
    cpu, ttnn = [1.0, 8.0, 2.0], [4.0, 10.0, 2.5]
    assert timing.paired_ratio(cpu, ttnn) == pytest.approx(0.8)
    assert timing.paired_ratio([1.0, 3.0], [2.0, 2.0]) == pytest.approx(1.0)
    assert timing.paired_ratio([], []) is None


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
    # The environment says tt; --numerics exact must reach the children (the loss check assumes exact math).
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p),
               TTNN_DEVICE_NUMERICS="tt")
    cmd = [sys.executable, "-m", "benchmarks.run_zoo", "harness-failure", "tiny_mlp", "--specs",
           str(REPO / "tests" / "zoo_test_specs.py"), "--dtypes", "float32", "--timeout", "30", "--runs", "1",
           "--out", str(out), "--markdown", str(md), "--numerics", "exact"]
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
    train = models["tiny_mlp"]["train"]
    assert train["loss_abs_diff"] < 1e-4
    # forward, backward and the SGD step all on the device, measured in both numerics modes
    assert train["status"] == "✅", train["fallback_ops"]
    assert set(train["modes"]) == {"exact", "tt"} and train["modes"]["exact"]["min_grad_pcc"] > 0.99999
    row = models["tiny_mlp"]["rows"]["float32"]
    assert row["numerics"] == "exact"
    assert row["vocabulary_calls"] == sum(row["vocabulary_ops"].values()) > 0
    assert set(row["conversions"]) == {"count", "mb"}
    table = md.read_text()
    assert "| crashes_on_build | float32 | ❌ |" in table and "## Training" in table and "min grad PCC tt" in table
    assert "\nNumerics: exact (IEEE math, rounded only to the output's data type)\n" in table
    assert "❌ 3" in proc.stdout  # the summary line
    native = 1 - row["fallback_calls"] / row["aten_calls"]  # the one row with counts
    assert f"float32 ✅ {int(row['status'] == '✅')} 🚧 {int(row['status'] == '🚧')} ❌ 3 native {native * 100:.1f}%" \
        in proc.stdout


def test_backends_side_by_side(tmp_path, real_ttnn):
    """--backends sim,ttnn measures each model on the reference device and on the hardware backend (the
    emulated device here), each in its own process, and the report shows both."""
    out, md = tmp_path / "zoo.json", tmp_path / "models.md"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p),
               TTNN_DEVICE_EMULATE="1")
    cmd = [sys.executable, "-m", "benchmarks.run_zoo", "tiny_mlp", "--specs", str(REPO / "tests" / "zoo_test_specs.py"),
           "--dtypes", "float32", "--timeout", "120", "--runs", "2", "--no-train", "--backends", "sim,ttnn",
           "--out", str(out), "--markdown", str(md)]
    proc = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    model = json.loads(out.read_text())["models"][0]
    assert set(model["backends"]) == {"sim", "ttnn"}
    assert "sim backend" in model["backends"]["sim"]["device"] and "ttnn backend" in model["backends"]["ttnn"]["device"]
    for backend in ("sim", "ttnn"):
        row = model["backends"][backend]["rows"]["float32"]
        assert row["status"] in ("✅", "🚧") and row["pcc"] > 0.999 and row["ratio"] > 0
    table = md.read_text()
    assert "## Backends side by side" in table and "| tiny_mlp | float32 |" in table.split("## Backends side by side")[1]


def _row(status, aten=None, fallback=None, conversions=None, numerics="tt"):
    row = {"status": status, "numerics": numerics, "batch": 1}
    if aten is not None:
        row.update(aten_calls=aten, aten_unique=1, fallback_calls=fallback, fallback_unique=int(bool(fallback)))
    if conversions is not None:
        row["conversions"] = {"count": conversions[0], "mb": conversions[1]}
    return row


def _document(float32_rows, bfloat16_rows, meta=None):
    models = [{"name": f"m{i}", "rows": {"float32": dict(a, dtype="float32"), "bfloat16": dict(b, dtype="bfloat16")},
               "train": None} for i, (a, b) in enumerate(zip(float32_rows, bfloat16_rows))]
    return {"meta": {"command": "python -m benchmarks.run_zoo test", **(meta or {})}, "models": models}


# Three models: float32 has 30 of 400 counted calls on the CPU (92.5% native), bfloat16 68 of 100 (32.0%);
# the failed rows have no counts and must not dilute the shares.
KNOWN = _document([_row("🚧", 100, 30, (7, 1.5)), _row("✅", 300, 0, (0, 0.0)), _row("❌", numerics=None)],
                  [_row("🚧", 90, 68, (12, 0.25)), _row("✅", 10, 0), _row("❌", numerics=None)])


def test_native_share_sums_calls_over_the_counted_rows_of_each_dtype():
    shares = summary.native_share(KNOWN)
    assert shares["float32"] == {"aten_calls": 400, "fallback_calls": 30, "share": pytest.approx(1 - 30 / 400)}
    assert shares["bfloat16"] == {"aten_calls": 100, "fallback_calls": 68, "share": pytest.approx(1 - 68 / 100)}
    failed_only = _document([_row("❌")], [_row("❌")])
    assert summary.native_share(failed_only)["float32"]["share"] is None
    assert summary.percent(None) == "—" and summary.percent(1 - 30 / 400) == "92.5%"


def test_markdown_states_native_share_passing_models_numerics_and_conversions():
    text = markdown.render(KNOWN)
    lines = text.splitlines()
    assert lines[4] == "Numerics: tt (TT-NN's default fidelity)"  # the header, right below "Generated by"
    native = next(line for line in lines if line.startswith("* Ran natively"))
    assert "float32 92.5% of 400 aten calls, ✅ 1 of 3 models" in native
    assert "bfloat16 32.0% of 100 aten calls, ✅ 1 of 3 models" in native
    header = next(line for line in lines if line.startswith("| model | dtype |"))
    columns = [c.strip() for c in header.strip("|").split("|")]
    assert columns.index("conversions per inference n / MB") == columns.index("D→H per inference n / MB") + 1
    rows = {tuple(c.strip() for c in line.strip("|").split("|")[:2]): [c.strip() for c in line.strip("|").split("|")]
            for line in lines if line.startswith("| m")}
    assert all(len(cells) == len(columns) for cells in rows.values())
    at = columns.index("conversions per inference n / MB")
    assert rows["m0", "float32"][at] == "7 / 1.50" and rows["m0", "bfloat16"][at] == "12 / 0.25"
    assert rows["m1", "bfloat16"][at] == "—"  # not counted (an older results file)


def test_numerics_header_when_rows_differ_or_none_recorded_it():
    mixed = _document([_row("✅", 1, 0, numerics="exact")], [_row("✅", 1, 0, numerics="tt")])
    assert markdown._numerics(mixed) == ("mixed: exact (IEEE math, rounded only to the output's data type) in 1 rows, "
                                         "tt (TT-NN's default fidelity) in 1 rows")
    early = _document([_row("❌", numerics=None)], [_row("❌", numerics=None)], meta={"numerics": "exact"})
    assert markdown._numerics(early) == "exact (requested; no row recorded it)"


def test_closing_line_has_the_native_share_and_the_passing_count_per_dtype():
    line = run_zoo.closing_line(dict(KNOWN, meta={"elapsed_s": 1.0}), ["zoo.json"])
    assert "float32 ✅ 1 🚧 1 ❌ 1 native 92.5%" in line
    assert "bfloat16 ✅ 1 🚧 1 ❌ 1 native 32.0%" in line


def test_child_env_sets_numerics_only_when_asked():
    base = {"TTNN_DEVICE_NUMERICS": "exact", "PATH": "/bin"}
    assert isolate.child_env(2, "tt", base)["TTNN_DEVICE_NUMERICS"] == "tt"
    assert isolate.child_env(2, None, base)["TTNN_DEVICE_NUMERICS"] == "exact"  # left as the environment says
    assert "TTNN_DEVICE_NUMERICS" not in isolate.child_env(2, None, {"PATH": "/bin"})
    assert base == {"TTNN_DEVICE_NUMERICS": "exact", "PATH": "/bin"}  # the caller's mapping is not changed


def test_counting_pass_records_vocabulary_ops_conversions_and_numerics(counters):
    """The row's figures equal a recount of one steady-state inference (after the same two warm-up calls)
    read straight from the device's counters. tiny_cnn converts a tensor on the device every inference."""
    spec = catalog.find("tiny_cnn", str(REPO / "tests" / "zoo_test_specs.py"))
    previous = ttnn_device.get_numerics()
    ttnn_device.set_numerics("tt" if previous == "exact" else "exact")  # not the suite's default
    try:
        records = []
        measure.measure_model(spec, ("float32",), runs=1, budget_s=0.1, train=False, emit=records.append)
        row = next(r for r in records if r["kind"] == "row")
        assert row["numerics"] == ttnn_device.get_numerics() != previous
        with torch.no_grad():
            model = spec.build().to("ttnn")
            inputs = trees.to_device(spec.inputs(spec.batch), "ttnn", None)
            for _ in range(2):  # first run and warm-up
                trees.call(spec, model, inputs)
            torch.ttnn.synchronize()
            ttnn_device.reset_fallback_counts()
            trees.call(spec, model, inputs)
            torch.ttnn.synchronize()
        ops = {name: n for name, n in ttnn_device.op_counts().items() if n}
        conversions = ttnn_device.conversion_counts()
    finally:
        ttnn_device.set_numerics(previous)
    assert row["vocabulary_ops"] == ops and row["vocabulary_calls"] == sum(ops.values()) > 0
    assert row["conversions"] == {"count": conversions["count"], "mb": pytest.approx(conversions["bytes"] / 1e6)}
    assert row["conversions"]["count"] > 0


def test_eager_and_compiled_side_by_side(tmp_path):
    """--compile measures each model eagerly and under torch.compile(backend="ttnn"), each in its own
    process, and the report shows both with their CPU ops and PCC against the CPU."""
    out, md = tmp_path / "zoo.json", tmp_path / "models.md"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p))
    cmd = [sys.executable, "-m", "benchmarks.run_zoo", "tiny_mlp", "--specs", str(REPO / "tests" / "zoo_test_specs.py"),
           "--dtypes", "float32", "--timeout", "240", "--runs", "2", "--no-train", "--compile",
           "--out", str(out), "--markdown", str(md)]
    proc = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=400)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    model = json.loads(out.read_text())["models"][0]
    assert set(model["backends"]) == {"eager", "compiled"}
    for variant in ("eager", "compiled"):
        row = model["backends"][variant]["rows"]["float32"]
        assert row["status"] == "✅" and row["fallback_calls"] == 0 and row["pcc"] > 0.999 and row["ratio"] > 0
    table = md.read_text()
    assert "## Eager and compiled side by side" in table
    assert "| tiny_mlp | float32 | ✅ | 0 |" in table.split("## Eager and compiled side by side")[1]
