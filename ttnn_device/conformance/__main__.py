"""python -m ttnn_device.conformance --dtypes float32,bfloat16 [--ops add,mul] [--device ttnn]

Runs every OpInfo sample on the device and on the CPU, compares them, and writes a JSON report
plus a markdown table beside it. Exit status: 0 run complete (and gate passed, if asked),
1 gate failed, 2 the run could not happen (e.g. the device does not import).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time
from pathlib import Path

from . import gate, report
from .runner import Runner, WorkerStartupError


def _args(argv):
    p = argparse.ArgumentParser(prog="python -m ttnn_device.conformance", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dtypes", default="float32", help="comma-separated torch dtype names")
    p.add_argument("--ops", default="", help="comma-separated OpInfo names or full names (default: all)")
    p.add_argument("--device", default="ttnn", help="device under test; 'cpu' compares the CPU with itself")
    p.add_argument("--reference", action="store_true", help="use reference_inputs (more samples)")
    p.add_argument("--out", default="reports/conformance.json", type=Path,
                   help="JSON report; the markdown table and worker logs go beside it")
    p.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="worker processes")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds per (op, dtype) case")
    p.add_argument("--progress-every", type=int, default=50, help="progress line every N cases (no TTY)")
    p.add_argument("--known-failures", type=Path, help="JSON list of known failures: enables the gate")
    p.add_argument("--fallback", choices=("allow", "warn", "error"),
                   help="TTNN_DEVICE_FALLBACK for the workers; with error, ops the device would run on the CPU "
                        "are counted as declines")
    p.add_argument("--numerics", choices=("tt", "exact"), help="TTNN_DEVICE_NUMERICS for the workers")
    p.add_argument("--min-pcc", type=float,
                   help="float outputs outside the tolerances pass at this PCC (TT-NN's criterion; for tt numerics)")
    p.add_argument("--grad", action="store_true",
                   help="also compare gradients: each sample's inputs require grad, the same random output "
                        "gradients are back-propagated on both devices and the input gradients compared")
    p.add_argument("--per-op", action="store_true", help="add a per-op table to the markdown report")
    p.add_argument("--ops-file", type=Path, help="file of OpInfo names, one per line (# comments)")
    p.add_argument("--min-pass-rate", type=float, default=99.5, help="gate: comparable-sample pass rate, %%")
    return p.parse_args(argv)


class Progress:
    """A rewriting status line on a TTY, else a line every N cases (CI logs stay short)."""

    def __init__(self, every):
        self.tty, self.every = sys.stderr.isatty(), max(1, every)
        self.total, self.done, self.counts, self.dtype, self.t0 = 0, 0, {}, "", time.monotonic()

    def start(self, dtype, total):
        self.dtype, self.total, self.done, self.counts = dtype, total, 0, {}
        self.t0 = time.monotonic()

    def __call__(self, op, dtype, result):
        self.done += 1
        self.counts[result["status"]] = self.counts.get(result["status"], 0) + 1
        line = (f"[{self.dtype}] {self.done}/{self.total} ops, {time.monotonic() - self.t0:.0f} s: "
                + " ".join(f"{k} {v}" for k, v in sorted(self.counts.items())) + f" (last: {op})")
        if self.tty:
            print("\r" + line[:160].ljust(160), end="", file=sys.stderr, flush=True)
            if self.done == self.total:
                print(file=sys.stderr)
        elif self.done % self.every == 0 or self.done == self.total:
            print(line, file=sys.stderr, flush=True)


def _select(inventory, wanted):
    """OpInfos whose full name or name (all its variants) is in wanted; all when wanted is empty."""
    if not wanted:
        return list(inventory)
    chosen = [full for full, info in inventory.items() if full in wanted or info["name"] in wanted]
    known = set(inventory) | {info["name"] for info in inventory.values()}
    if wanted - known:
        print(f"warning: no OpInfo named {', '.join(sorted(wanted - known))}", file=sys.stderr)
    return chosen


def main(argv=None):
    args = _args(argv)
    dtypes = [d.strip() for d in args.dtypes.split(",") if d.strip()]
    # Workers inherit the environment: this is how the device under test gets its modes.
    for flag, var in ((args.fallback, "TTNN_DEVICE_FALLBACK"), (args.numerics, "TTNN_DEVICE_NUMERICS")):
        if flag:
            os.environ[var] = flag
    if args.min_pcc is not None:
        os.environ["TTNN_CONFORMANCE_MIN_PCC"] = str(args.min_pcc)
    if args.grad:
        os.environ["TTNN_CONFORMANCE_GRAD"] = "1"
    wanted = {o.strip() for o in args.ops.split(",") if o.strip()}
    if args.ops_file:
        wanted |= {ln.split("#")[0].strip() for ln in args.ops_file.read_text().splitlines()} - {""}
    if args.device.split(":")[0] != "cpu":
        try:  # fail fast with the real import error rather than a worker log tail
            import ttnn_device  # noqa: F401
        except Exception as exc:
            print(f"error: device package does not import: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 2
    progress = Progress(args.progress_every)
    t0 = time.monotonic()
    started = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    runner = Runner(device=args.device, reference=args.reference, jobs=args.jobs, timeout=args.timeout,
                    log_dir=args.out.with_suffix(".logs"), on_result=progress)
    results, walls = {}, {}
    try:
        inventory = runner.wait_ready()
        ops = _select(inventory, wanted)
        for dtype in dtypes:
            runnable = [op for op in ops if dtype in inventory[op]["dtypes"]]
            for op in ops:
                if dtype not in inventory[op]["dtypes"]:
                    results.setdefault(op, {})[dtype] = {"status": "skip", "seconds": 0.0,
                                                         "reason": f"{dtype} not supported on cpu"}
            progress.start(dtype, len(runnable))
            walls[dtype] = runner.run_dtype(dtype, runnable, results)
    except WorkerStartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        runner.close()

    import torch  # only for the version: the parent never touches a device

    rep = {
        "meta": {"device": args.device, "dtypes": dtypes,
                 "inputs": "reference_inputs" if args.reference else "sample_inputs", "grad": args.grad,
                 "torch": torch.__version__, "python": platform.python_version(), "jobs": args.jobs,
                 "timeout_s": args.timeout, "started": started, "wall_s": round(time.monotonic() - t0, 1),
                 "fallback_counts": runner.fallbacks,
                 "fallback": os.environ.get("TTNN_DEVICE_FALLBACK", "allow"),
                 "numerics": os.environ.get("TTNN_DEVICE_NUMERICS", "tt"), "per_op": args.per_op,
                 "min_pcc": args.min_pcc,
                 "argv": sys.argv[1:] if argv is None else argv},
        "summary": report.summarise(results, dtypes, walls),
        "ops": {op: results[op] for op in sorted(results)},
    }
    if args.known_failures:
        rep["gate"] = gate.evaluate(rep, gate.load_known(args.known_failures), args.min_pass_rate)
    md = report.write(rep, args.out)
    print(report.table(rep))
    rows = report.non_passing(rep["ops"])
    for op, dtype, status, why in rows[:40]:
        print(f"  {status:7} {op} [{dtype}]: {why[:200]}")
    if len(rows) > 40:
        print(f"  ... {len(rows) - 40} more")
    print(f"report: {args.out}  table: {md}  wall: {rep['meta']['wall_s']} s")
    if "gate" in rep:
        print("gate:", json.dumps(rep["gate"], indent=1))
        return 0 if rep["gate"]["ok"] else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
