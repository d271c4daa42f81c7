"""A real accuracy case with data that ships offline: a small CNN trained on scikit-learn's bundled digits
(1,797 8x8 images), then evaluated on the held-out digits on the CPU and on ttnn.

    python -m benchmarks.accuracy_digits [--epochs N] [--out DIR] [--no-docs]

Variants (all from the same trained weights):

* ``cpu float32``: the reference.
* ``ttnn float32``: model and inputs moved to ttnn; float32 stays FLOAT32 on the device (exact).
* ``ttnn bfloat16``: model and inputs cast to bfloat16 on ttnn (what TT-NN's default data type gives).
* ``ttnn BFLOAT8_B`` / ``BFLOAT4_B weights``: the float32 model on ttnn, then every weight matrix and conv
  weight re-laid out with ``set_physical_format(w, "TILE", ...)``: the values are rounded exactly as TT-NN
  packs block floats (one shared exponent per 16 values of a tile-face row, along the parameter's last
  dimension as torch stores it).
* ``... (TT-NN operand layout)``: the same block-float rounding applied to each weight in the layout TT-NN's
  kernels hold it in (``ttnn.linear``: ``[in, out]``; ``ttnn.conv2d``: ``[kh*kw*in, out]``), so that the 16
  values sharing an exponent are the ones TT-NN groups. This is the realistic case: in torch's
  ``[out, in, 3, 3]`` layout a face row of a conv weight holds only 3 values (the rest is tile padding),
  and a linear weight's groups run along its inputs instead of its outputs. Either can come out ahead.

Reported per variant: test accuracy, its difference from the CPU's, top-1 agreement with the CPU, PCC and
max abs error of the logits, and the ops that ran on the CPU through the fallback.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time

import torch
import torch.nn as nn

import ttnn_device

from .accuracy_common import (DOCS_DIR, environment, markdown_table, max_abs_error, operand_weights_build, pcc,
                              stored_weights_build, top1_agreement, write_results)

SEED = 0
TEST_SIZE = 0.25


def load_digits_split(seed: int = SEED):
    """(x_train, y_train, x_test, y_test): images as float32 [N, 1, 8, 8] scaled to [0, 1], labels int64.
    Stratified split of scikit-learn's bundled digits (no download)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    x, y = load_digits(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=TEST_SIZE, random_state=seed, stratify=y)

    def images(a):
        return torch.tensor(a, dtype=torch.float32).reshape(-1, 1, 8, 8) / 16.0

    return images(x_train), torch.tensor(y_train), images(x_test), torch.tensor(y_test)


def make_model() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
        nn.MaxPool2d(2),                                   # 32 x 4 x 4
        nn.Flatten(),
        nn.Linear(32 * 4 * 4, 64), nn.ReLU(),
        nn.Linear(64, 10),
    )


def train(epochs: int = 12, seed: int = SEED, batch_size: int = 64, data=None) -> nn.Module:
    """Trains the CNN on the CPU (seeded, one thread: deterministic, and about a second even on a busy
    2-core machine, where more threads only contend) and returns it in eval mode."""
    x_train, y_train, _, _ = data if data is not None else load_digits_split(seed)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _train(x_train, y_train, epochs, seed, batch_size)
    finally:
        torch.set_num_threads(threads)


def _train(x_train, y_train, epochs, seed, batch_size):
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = make_model()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(x_train), generator=gen)
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            opt.zero_grad()
            loss_fn(model(x_train[idx]), y_train[idx]).backward()
            opt.step()
    return model.eval()


def logits_of(model: nn.Module, x: torch.Tensor, device: str, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Runs ``model`` (already on ``device`` in ``dtype``) on ``x``; returns float32 CPU logits."""
    with torch.no_grad():
        out = model(x.to(device=device, dtype=dtype))
        if device != "cpu":
            torch.ttnn.synchronize()
        return out.float().cpu()


def variant_models(model: nn.Module):
    """(name, description, build() -> (model on its device, device, dtype)) of every variant."""

    def cpu():
        return copy.deepcopy(model), "cpu", torch.float32

    def ttnn_f32():
        return copy.deepcopy(model).to("ttnn"), "ttnn", torch.float32

    def ttnn_bf16():
        return copy.deepcopy(model).to("ttnn", torch.bfloat16), "ttnn", torch.bfloat16

    def stored(data_type):
        return stored_weights_build(model, data_type)

    def operand(data_type):
        return operand_weights_build(model, data_type)

    return [
        ("cpu float32", "reference", cpu),
        ("ttnn float32", "FLOAT32 storage", ttnn_f32),
        ("ttnn bfloat16", "model + inputs bfloat16", ttnn_bf16),
        ("ttnn BFLOAT8_B weights", "set_physical_format(w, TILE, BFLOAT8_B)", stored("BFLOAT8_B")),
        ("ttnn BFLOAT4_B weights", "set_physical_format(w, TILE, BFLOAT4_B)", stored("BFLOAT4_B")),
        ("ttnn BFLOAT8_B weights (TT-NN operand layout)", "BFLOAT8_B in linear [in,out] / conv [kh*kw*in,out]",
         operand("BFLOAT8_B")),
        ("ttnn BFLOAT4_B weights (TT-NN operand layout)", "BFLOAT4_B in linear [in,out] / conv [kh*kw*in,out]",
         operand("BFLOAT4_B")),
    ]


def evaluate(model: nn.Module, x_test: torch.Tensor, y_test: torch.Tensor, names=None) -> dict:
    """{variant name: metrics} for the variants (all, or those named)."""
    results = {}
    reference = None
    for name, description, build in variant_models(model):
        if names is not None and name not in names and name != "cpu float32":
            continue
        m, device, dtype = build()
        ttnn_device.reset_fallback_counts()
        start = time.perf_counter()
        logits = logits_of(m, x_test, device, dtype)
        seconds = time.perf_counter() - start
        fallbacks = ttnn_device.fallback_counts() if device != "cpu" else {}
        if reference is None:
            reference = logits
        predictions = logits.argmax(-1)
        results[name] = {
            "description": description,
            "accuracy": float((predictions == y_test).double().mean()),
            "correct": int((predictions == y_test).sum()),
            "logits": logits,
            "top1_agreement": top1_agreement(logits, reference),
            "pcc": pcc(logits, reference),
            "max_abs_error": max_abs_error(logits, reference),
            "identical_predictions": bool(torch.equal(predictions, reference.argmax(-1))),
            "seconds": seconds,
            "fallback_calls": sum(fallbacks.values()),
            "fallback_ops": sorted(fallbacks),
        }
    cpu_accuracy = results["cpu float32"]["accuracy"]
    for r in results.values():
        r["accuracy_delta_pp"] = 100.0 * (r["accuracy"] - cpu_accuracy)
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--out", default=None, help="results folder (default benchmarks/results)")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/accuracy_digits.md")
    args = parser.parse_args(argv)

    data = load_digits_split()
    x_train, _, x_test, y_test = data
    start = time.perf_counter()
    model = train(args.epochs, data=data)
    train_seconds = time.perf_counter() - start
    print(f"digits CNN: {sum(p.numel() for p in model.parameters())} parameters, trained on {len(x_train)} "
          f"images for {args.epochs} epochs on the CPU in {train_seconds:.1f} s; test set {len(x_test)} images")

    results = evaluate(model, x_test, y_test)
    n = len(y_test)
    header = ["variant", "test accuracy", "Δ vs CPU (pp)", "top-1 agreement", "logit PCC", "max abs err",
              "fallback calls"]
    rows = []
    print()
    print(f"{'variant':<48} {'accuracy':>15} {'Δ pp':>6} {'top-1 agr':>9} {'logit PCC':>10} {'max abs err':>11}")
    for name, r in results.items():
        acc = f"{100 * r['accuracy']:.2f}% ({r['correct']}/{n})"
        print(f"{name:<48} {acc:>15} {r['accuracy_delta_pp']:>+6.2f} {100 * r['top1_agreement']:>8.2f}% "
              f"{r['pcc']:>10.6f} {r['max_abs_error']:>11.3g}")
        rows.append([name, acc, f"{r['accuracy_delta_pp']:+.2f}", f"{100 * r['top1_agreement']:.2f}%",
                     f"{r['pcc']:.6f}", f"{r['max_abs_error']:.3g}", r["fallback_calls"]])

    cpu = results["cpu float32"]
    f32 = results["ttnn float32"]
    summary = (f"SUMMARY digits: CPU {100 * cpu['accuracy']:.2f}%, ttnn float32 {100 * f32['accuracy']:.2f}% "
               f"(predictions {'identical' if f32['identical_predictions'] else 'DIFFER'}), "
               + ", ".join(f"{k.replace('ttnn ', '')} {100 * r['accuracy']:.2f}%"
                           for k, r in results.items() if k not in ("cpu float32", "ttnn float32")))

    markdown = (
        "# Accuracy: digits CNN on ttnn\n\n"
        f"`python -m benchmarks.accuracy_digits`. A {sum(p.numel() for p in model.parameters())}-parameter CNN "
        f"(2 conv, 2 linear) trained on the CPU on scikit-learn's bundled digits ({len(x_train)} train / {n} "
        f"test images, seed {SEED}, {args.epochs} epochs), then evaluated from the same weights on the CPU and "
        "on ttnn. Block-float rows round every Linear/Conv weight as TT-NN packs it: either in torch's layout "
        "(`set_physical_format(w, \"TILE\", ...)`) or in the operand layout TT-NN's kernels hold "
        "(linear `[in, out]`, conv `[kh*kw*in, out]`). Biases stay float32. PCC and top-1 agreement are "
        "against the CPU's float32 logits. "
        "Ops without a ttnn kernel run on the CPU through the counted fallback (see the fallback column), so "
        "these figures measure the rounding of the storage formats and of bfloat16 activations; the effect "
        "of TT-NN's matmul fidelity and SFPU approximations shows here as those ops become native.\n\n"
        + markdown_table(header, rows)
        + f"\n{summary}\n\nEnvironment: torch {torch.__version__}, {environment()['device']}.\n"
    )
    data_out = {
        "case": "digits_cnn",
        "environment": environment(),
        "train": {"epochs": args.epochs, "seed": SEED, "train_images": len(x_train), "seconds": train_seconds},
        "test_images": n,
        "results": {k: {kk: vv for kk, vv in r.items() if kk != "logits"} for k, r in results.items()},
        "summary": summary,
    }
    paths = write_results("accuracy_digits", data_out, markdown, args.out,
                          None if args.no_docs else DOCS_DIR / "accuracy_digits.md")
    print()
    print("wrote " + ", ".join(str(p) for p in paths))
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
