"""Measures ONE model in the current process: the CPU float32 reference, then at each dtype ttnn against it
(and CPU eager throughput at that dtype), and for specs with train=True one training step.

    python -m benchmarks.measure NAME [--specs MODULE|FILE.py] [--dtypes float32,bfloat16] [--runs 3]
                                      [--budget 5] [--threads 2] [--no-train] [--out records.jsonl]

Records are JSON lines, appended and flushed one by one: {"kind": "phase"} before each step (so that a
parent that kills a hanging run can say where it hung), {"kind": "model"} (the spec, CPU float32 figures),
one {"kind": "row"} per dtype, {"kind": "train"}. `benchmarks.run_zoo` runs this once per model, each in
its own subprocess. A failure at one dtype is recorded (status ❌ with the error) and the next dtype runs.
The device's numerics are whatever TTNN_DEVICE_NUMERICS says (`run_zoo --numerics` sets it; unset: "tt");
each row records the mode it ran in, since PCC and max abs err depend on it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback

import torch

import ttnn_device
from benchmarks.harness import catalog, inference, timing, training, trees
from benchmarks.harness.results import sanitize


def measure_model(spec, dtypes=("float32", "bfloat16"), runs=3, budget_s=5.0, train=True, emit=print):
    """Measures `spec` and passes each record (a dict) to `emit`."""
    def phase(name):
        emit({"kind": "phase", "phase": name})

    info = {"kind": "model", "name": spec.name, "family": spec.family, "source": spec.source,
            "constructor": spec.constructor, "batch": spec.batch, "task": spec.task, "tags": list(spec.tags),
            "train": spec.train, "real_weights": spec.real_weights, "device": torch.ttnn.get_device_name()}
    try:
        phase("build")
        torch.manual_seed(0)
        pristine = spec.build().eval()
        inputs = spec.inputs(spec.batch)
        info["params_m"] = sum(p.numel() for p in pristine.parameters()) / 1e6
        phase("CPU float32 reference")
        torch.manual_seed(0)
        with torch.no_grad():
            output, seconds = timing.once(lambda: trees.call(spec, pristine, trees.clone(inputs)))
        reference = [t.detach().clone() for t in trees.leaves(output)]
        info["cpu_first_ms"] = seconds * 1e3
    except Exception as error:  # noqa: BLE001 (any failure of the model is a result, not a crash)
        info.update(_error("CPU reference failed: ", error))
        emit(info)
        for dtype in dtypes:
            emit({"kind": "row", "dtype": dtype, "batch": spec.batch, "status": "❌", "error": info["error"]})
        if train and spec.train:
            emit({"kind": "train", "status": "❌", "error": info["error"]})
        return
    emit(info)

    for dtype in dtypes:
        emit(_dtype_row(spec, pristine, inputs, reference, dtype, runs, budget_s, phase))

    if train and spec.train:
        phase("training step")
        start = time.perf_counter()
        try:
            row = training.compare(pristine, inputs)
            if spec.train_autocast:
                row["autocast_bf16"] = training.compare(pristine, inputs, autocast=torch.bfloat16)
        except Exception as error:  # noqa: BLE001
            row = {"status": "❌", **_error("", error)}
        emit({"kind": "train", **row, "wall_s": time.perf_counter() - start})


def _dtype_row(spec, pristine, inputs, reference, dtype, runs, budget_s, phase):
    row = {"kind": "row", "dtype": dtype, "batch": spec.batch, "numerics": ttnn_device.get_numerics()}
    start = time.perf_counter()
    try:
        with torch.no_grad():
            torch.manual_seed(0)
            inference.measure(spec, pristine, trees.clone(inputs), reference, dtype, runs, budget_s, row,
                              phase=lambda name: phase(f"{dtype}: ttnn {name}"))
    except Exception as error:  # noqa: BLE001
        row.update(status="❌", **_error("", error))
    if row.get("cpu_times_s") and row.get("ttnn_times_s"):
        # ttnn/CPU speed: the median of the per-round ratios (one CPU and one ttnn call per round).
        row["ratio"] = timing.paired_ratio(row["cpu_times_s"], row["ttnn_times_s"])
    row["wall_s"] = time.perf_counter() - start
    return row


def _error(prefix, error):
    text = f"{prefix}{type(error).__name__}: {error}".strip()
    return {"error": text[:2000], "traceback": traceback.format_exc()[-4000:]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name")
    parser.add_argument("--specs", default=None, help="module or .py file with SPECS (default: the zoo)")
    parser.add_argument("--dtypes", default="float32,bfloat16")
    parser.add_argument("--runs", type=int, default=3, help="timed rounds (one CPU and one ttnn call each)")
    parser.add_argument("--budget", type=float, default=5.0, help="seconds of timed rounds, at most (one always runs)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-train", action="store_true")
    parser.add_argument("--out", default=None, help="append JSON lines here (default: stdout)")
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    ttnn_device.set_fallback_mode("allow")  # coverage is measured, not enforced: every op must run
    stream = open(args.out, "a", encoding="utf-8") if args.out else sys.stdout

    def emit(record):
        stream.write(json.dumps(sanitize(record), ensure_ascii=False) + "\n")
        stream.flush()  # a killed process must leave every finished record behind

    dtypes = [d for d in args.dtypes.split(",") if d]
    unknown = set(dtypes) - set(inference.DTYPES)
    if unknown:
        parser.error(f"unknown dtypes {sorted(unknown)}; choose from {sorted(inference.DTYPES)}")
    spec = catalog.find(args.name, args.specs)
    measure_model(spec, dtypes, args.runs, args.budget, not args.no_train, emit)


if __name__ == "__main__":
    main()
