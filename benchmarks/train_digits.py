"""End-to-end training on the device: the digits CNN (benchmarks.accuracy_digits: 2 conv, max pool, 2 linear,
scikit-learn's bundled 8x8 digits, no download) trained from the same init with the same batches on the CPU
and on ttnn, in each numerics mode; the per-step losses of all runs in one plot and the test accuracies
side by side (target: ttnn within one point of the CPU).

    python -m benchmarks.train_digits [--epochs N] [--out DIR] [--no-docs]

Writes benchmarks/results/train_digits.{json,md} and (unless --no-docs) docs/training.md and
docs/training.png.
"""

from __future__ import annotations

import argparse
import sys
import time

import torch
import torch.nn as nn

import ttnn_device

from .accuracy_common import DOCS_DIR, environment, markdown_table, write_results
from .accuracy_digits import SEED, load_digits_split, make_model

TARGET_POINTS = 1.0
BATCH = 64
LEARNING_RATE = 3e-3


def train_on(device: str, data, epochs: int, seed: int = SEED) -> dict:
    """Trains a fresh seeded CNN on `device` (Adam, cross-entropy, shuffled batches drawn on the CPU so every
    run sees the same ones); returns per-step losses, per-epoch test accuracy, fallbacks and time."""
    x_train, y_train, x_test, y_test = data
    torch.manual_seed(seed)
    model = make_model().to(device)
    opt = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    loss_fn = nn.CrossEntropyLoss()
    order_gen = torch.Generator().manual_seed(seed)
    x_train_dev, y_train_dev = x_train.to(device), y_train.to(device)
    x_test_dev = x_test.to(device)
    losses, accuracies = [], []
    ttnn_device.reset_fallback_counts()
    start = time.perf_counter()
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(x_train), generator=order_gen)
        for first in range(0, len(order), BATCH):
            idx = order[first:first + BATCH].to(device)
            opt.zero_grad()
            loss = loss_fn(model(x_train_dev[idx]), y_train_dev[idx])
            loss.backward()
            opt.step()
            losses.append(float(loss.detach().cpu()))
        model.eval()
        with torch.no_grad():
            predicted = model(x_test_dev).argmax(1).cpu()
        accuracies.append(100.0 * float((predicted == y_test).float().mean()))
    seconds = time.perf_counter() - start
    fallbacks = dict(ttnn_device.fallback_counts()) if device != "cpu" else {}
    return {"device": device, "losses": losses, "test_accuracy": accuracies, "seconds": seconds,
            "fallbacks": fallbacks}


def plot(runs: dict, path) -> bool:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for name, run in runs.items():
        ax.plot(range(1, len(run["losses"]) + 1), run["losses"], label=name, linewidth=1.2,
                linestyle="-" if name == "cpu" else "--")
    ax.set_xlabel("training step (batch of 64)")
    ax.set_ylabel("cross-entropy loss")
    ax.set_yscale("log")
    ax.set_title("digits CNN: training loss on the CPU and on ttnn, same init and batches")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--out", default=None, help="directory for the JSON and markdown (default benchmarks/results)")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/training.md and docs/training.png")
    args = parser.parse_args(argv)

    data = load_digits_split(SEED)
    runs = {}
    previous = ttnn_device.get_numerics()
    try:
        runs["cpu"] = train_on("cpu", data, args.epochs)
        print(f"cpu: {runs['cpu']['seconds']:.1f} s, test accuracy {runs['cpu']['test_accuracy'][-1]:.2f}%", flush=True)
        for mode in ("exact", "tt"):
            ttnn_device.set_numerics(mode)
            runs[f"ttnn ({mode} numerics)"] = run = train_on("ttnn", data, args.epochs)
            print(f"ttnn {mode}: {run['seconds']:.1f} s, test accuracy {run['test_accuracy'][-1]:.2f}%, "
                  f"{sum(run['fallbacks'].values())} ops on the CPU", flush=True)
    finally:
        ttnn_device.set_numerics(previous)

    cpu_accuracy = runs["cpu"]["test_accuracy"][-1]
    rows, ok = [], True
    for name, run in runs.items():
        gap = run["test_accuracy"][-1] - cpu_accuracy
        within = abs(gap) <= TARGET_POINTS
        ok &= within or name == "cpu"
        rows.append([name, f"{run['test_accuracy'][-1]:.2f}%", f"{gap:+.2f}", f"{run['losses'][-1]:.3g}",
                     f"{max(abs(a - b) for a, b in zip(run['losses'], runs['cpu']['losses'])):.3g}",
                     sum(run["fallbacks"].values()), f"{run['seconds']:.1f}"])
        if name != "cpu":
            print(f"RATIO digits training {name}: test accuracy {gap:+.2f} points vs the CPU "
                  f"(target within {TARGET_POINTS}): {'ok' if within else 'BELOW'}")
    x_train, _, x_test, _ = data
    docs_png = DOCS_DIR / "training.png"
    plotted = not args.no_docs and plot(runs, docs_png)
    markdown = (
        "# Training on the device\n\n"
        f"`python -m benchmarks.train_digits` ({environment()['time']}). The digits CNN of "
        "`benchmarks.accuracy_digits` (2 conv, max pool, 2 linear; scikit-learn's bundled 8x8 digits, "
        f"{len(x_train)} train / {len(x_test)} test images) trained for {args.epochs} epochs with Adam "
        f"(lr {LEARNING_RATE}) and cross-entropy, batches of {BATCH}, from the same seeded init and the same "
        "batch order on the CPU and on ttnn, once in each numerics mode. Forward, backward and the optimizer "
        "step run on the device; *ops on the CPU* counts the fallback calls of the whole run.\n\n"
        + markdown_table(["run", "test accuracy", "vs CPU (points)", "last loss", "largest per-step loss gap vs CPU",
                          "ops on the CPU", "seconds"], rows)
        + (f"\n![training loss]({docs_png.name})\n" if plotted else "")
    )
    data_out = {"meta": {**environment(), "epochs": args.epochs, "batch": BATCH, "lr": LEARNING_RATE}, "runs": runs}
    written = write_results("train_digits", data_out, markdown, args.out, None if args.no_docs else DOCS_DIR / "training.md")
    print("wrote " + ", ".join(str(p) for p in written) + (f", {docs_png}" if plotted else ""))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
