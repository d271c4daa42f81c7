"""One model at one dtype on ttnn: first run, accuracy, op and transfer counts, throughput, peak memory.

Order of the passes, and why:
1. first run: the clock covers moving a fresh copy of the model and the inputs to the device (and, for
   bfloat16, casting both there) plus one inference, as a user's first call would.
2. counting pass: counters reset, then one inference under the aten-counting mode. Fallbacks, transfers,
   vocabulary ops and device conversions are read from this pass alone, so they are "per inference" and
   exclude moving the model (and converting its weights once).
3. timed runs: ttnn inferences with model and inputs resident (outputs stay on the device), in turns with
   CPU eager inferences at the same dtype; the medians give samples/s.
Peak device memory covers all three (model, inputs, activations).
"""

from __future__ import annotations

import copy
import gc
import os
import statistics

import torch

from . import accuracy, counting, timing, trees

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16}


def measure(spec, pristine, inputs, reference, dtype_name, runs, budget_s, row, phase=lambda name: None,
            device="ttnn"):
    """Fills `row` for `dtype_name` in place, so that what was measured before a failure is kept; raises on
    failure (the caller records the error). `phase(name)` is told each pass before it starts."""
    dtype = DTYPES[dtype_name]
    cast = None if dtype == torch.float32 else dtype
    sync = torch.ttnn.synchronize
    model = copy.deepcopy(pristine)
    try:
        torch.ttnn.reset_peak_memory_stats()
        counting.reset()

        def first_run():
            on_device = model.to(device)
            if cast is not None:
                on_device = on_device.to(cast)
            if os.environ.get("TTNN_ZOO_COMPILE"):  # the compiled variant: the first call compiles
                on_device = torch.compile(on_device, backend=os.environ["TTNN_ZOO_COMPILE"])
            device_inputs = trees.to_device(inputs, device, cast)
            return on_device, device_inputs, trees.call(spec, on_device, device_inputs)

        phase("first run")
        (on_device, device_inputs, output), seconds = timing.once(first_run, sync)
        row["first_run_ms"] = seconds * 1e3
        fallbacks = counting.fallbacks_since_reset()
        row.update(_accuracy(spec, reference, trees.leaves(output)))
        del output

        # One more inference before counting: storages the CPU fallback reads unchanged (parameters) get
        # their host mirrors on their second read, so the counting pass shows the steady state.
        phase("warm-up")
        trees.call(spec, on_device, device_inputs)
        sync()

        phase("counting pass")
        counting.reset()
        with counting.AtenCounter() as aten:
            trees.call(spec, on_device, device_inputs)
            sync()
        per_inference = counting.fallbacks_since_reset()
        row["aten_calls"] = sum(aten.counts.values())
        row["aten_unique"] = len(aten.counts)
        row["aten_ops"] = dict(aten.counts.most_common())
        row["fallback_calls"] = sum(per_inference.values())
        row["fallback_unique"] = len(per_inference)
        row["fallback_ops"] = dict(sorted(per_inference.items(), key=lambda kv: -kv[1]))
        row["fallback_reasons"] = counting.fallback_reasons_for(per_inference)
        row["transfers"] = counting.transfers_since_reset()
        row["conversions"] = counting.conversions_since_reset()
        vocabulary = counting.vocabulary_ops_since_reset()
        row["vocabulary_calls"] = sum(vocabulary.values())
        row["vocabulary_ops"] = vocabulary
        # Status counts every fallback of the phase, the first run's included (moving the model may fall back).
        row["status"] = "🚧" if (fallbacks or per_inference) else "✅"
        if fallbacks.keys() - per_inference.keys():
            row["first_run_only_fallbacks"] = sorted(fallbacks.keys() - per_inference.keys())

        phase("timed runs")
        fns = {"ttnn": (lambda: trees.call(spec, on_device, device_inputs), sync)}
        if dtype == torch.float32 or spec.supports_bfloat16:
            cpu_model = pristine if cast is None else copy.deepcopy(pristine).to(cast)
            cpu_inputs = trees.to_device(inputs, "cpu", cast)
            trees.call(spec, cpu_model, cpu_inputs)  # warm-up (at float32 the reference run was one already)
            fns["cpu"] = (lambda: trees.call(spec, cpu_model, cpu_inputs), None)
        else:
            row["cpu_note"] = "the library cannot run bfloat16 on the CPU"
        times = timing.interleaved(fns, runs, budget_s)
        for side, seconds in times.items():
            row[f"{side}_samples_per_s"] = spec.batch / statistics.median(seconds)
            row[f"{side}_times_s"] = seconds
        row["peak_device_mb"] = torch.ttnn.max_memory_allocated() / 1e6
    finally:
        del model
        gc.collect()  # the device copy must be gone before the next dtype measures its peak memory
        torch.ttnn.empty_cache()


def _accuracy(spec, reference, got):
    result = accuracy.compare_floats(reference, got)
    if spec.task == "classification":
        result["top1"] = accuracy.top1(reference, got)
    if spec.task == "generate":
        result["token_match"] = accuracy.token_match(reference, got)
    return result
