"""Worker process: runs the cases the parent asks for, one JSON line per message.

Protocol (one JSON object per line):
  worker -> parent  {"type": "ready", "ops": [[full_name, name, [cpu dtype names]], ...], "fallbacks": bool}
  parent -> worker  {"op": full_name, "dtype": "float32"}
  worker -> parent  {"type": "sample", "i": 3, "desc": "..."}        before each sample
  worker -> parent  {"type": "result", "op": ..., "dtype": ..., "result": {...}}
The worker exits when its stdin closes. A crash or hang is the parent's to notice: that is why
cases run here and not in the parent.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings


def _protocol_stream():
    """Keep the real stdout for the protocol and send fd 1 to stderr: ops, warnings and C++
    code may print, and a stray line must not corrupt the protocol."""
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return proto


def _trim_overheads(torch):
    """Remove two per-sample costs of PyTorch's test machinery that do nothing outside unittest
    on a machine without CUDA (measured: ~30% of a CPU-vs-CPU sweep's time).

    - Every sample_inputs() call crawls the stack with inspect.stack() (~15 ms) looking for a
      unittest test method to key the seed on; we have none, so it always finds None.
    - Every torch.manual_seed() (the sample iterator seeds before each sample) queues lazy seeds
      for CUDA, XPU and MTIA, each with a formatted stack trace, for devices that do not exist.
    """
    from torch.testing._internal import common_utils

    common_utils.extract_test_fn = lambda: None
    for name in ("cuda", "xpu", "mtia"):
        mod = getattr(torch, name, None)
        if mod is not None and hasattr(mod, "manual_seed_all") and not mod.is_available():
            mod.manual_seed_all = lambda seed: None


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="ttnn")
    parser.add_argument("--reference", action="store_true")
    args = parser.parse_args(argv)
    proto = _protocol_stream()

    def send(msg):
        proto.write(json.dumps(msg) + "\n")

    fallbacks = None
    if args.device.split(":")[0] != "cpu":
        # The device registers itself (rename, device module) at import. PyTorch's test modules
        # read the registered backends when *they* are imported, so this comes first.
        import ttnn_device

        if hasattr(ttnn_device, "fallback_counts"):
            fallbacks = ttnn_device.fallback_counts
    import torch
    from torch.testing._internal.common_methods_invocations import op_db

    from . import execute

    _trim_overheads(torch)
    warnings.simplefilter("ignore")  # thousands of samples warn; results carry what matters
    device = torch.device(args.device)
    ops = {op.full_name: op for op in op_db}
    inventory = [[full_name, op.name, sorted(str(d).replace("torch.", "") for d in op.supported_dtypes("cpu"))]
                 for full_name, op in ops.items()]
    send({"type": "ready", "ops": inventory, "fallbacks": fallbacks is not None})

    # Self-test hook for the runner's own tests: "crash:add,hang:mul" makes the first sample of
    # those ops abort or hang, so crash and timeout handling can be checked without a broken device.
    faults = dict(item.split(":", 1)[::-1] for item in os.environ.get("TTNN_CONFORMANCE_FAULTS", "").split(",")
                  if ":" in item)
    for line in sys.stdin:
        req = json.loads(line)
        op, dtype = ops[req["op"]], getattr(torch, req["dtype"])
        fault = faults.get(req["op"])

        def on_sample(i, desc):
            send({"type": "sample", "i": i, "desc": desc})
            if fault == "crash":  # after the report, so the parent can pin the crash on sample i
                os.abort()
            if fault == "hang":
                time.sleep(1e6)

        try:
            result = execute.run_case(op, dtype, device, reference=args.reference,
                                      on_sample=on_sample, fallbacks=fallbacks)
        except Exception as exc:  # a harness bug must cost one case, not the run
            result = {"status": "error", "reason": f"runner: {type(exc).__name__}: {exc}"[:400]}
        send({"type": "result", "op": req["op"], "dtype": req["dtype"], "result": result})


if __name__ == "__main__":
    main()
