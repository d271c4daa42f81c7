"""Runs `benchmarks.measure` for one model in its own process and turns whatever it left into a result.

A model that raises is recorded by the child itself. A model that crashes the interpreter, or hangs past the
timeout (then its process group is killed), leaves the records it had flushed; every dtype or training
row it did not reach becomes ❌ with the reason and the phase it was in. Either way the run goes on.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
COMPILE_ENV = "TTNN_ZOO_COMPILE"  # the torch.compile backend a model's process wraps the model in


def run(spec, source, dtypes, log_dir, timeout, runs=3, budget_s=5.0, threads=2, train=True, numerics=None,
        backend=None, compile_backend=None):
    """{"name", ..., "rows": {dtype: row}, "train": row or None, "wall_s"} for `spec`, measured in a child
    whose device runs in `numerics` ("tt" or "exact"; None: as this process's environment says) on
    `backend` (TTNN_DEVICE_BACKEND: "sim" or "ttnn"; None: as the environment says), the model wrapped in
    torch.compile(backend=compile_backend) when one is named."""
    log_dir = Path(log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", spec.name) + (f".{backend}" if backend else "")  # a name is no file name
    stem += ".compiled" if compile_backend else ""
    records_path, log_path = log_dir / f"{stem}.jsonl", log_dir / f"{stem}.log"
    records_path.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "benchmarks.measure", spec.name, "--out", str(records_path),
           "--dtypes", ",".join(dtypes), "--runs", str(runs), "--budget", str(budget_s), "--threads", str(threads)]
    cmd += ["--specs", source] if source else []
    cmd += [] if train else ["--no-train"]
    start = time.monotonic()
    with open(log_path, "wb") as log:
        # A session of its own, so that a timeout kills the model's process group and nothing else.
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=child_env(threads, numerics, backend=backend, compile_backend=compile_backend),
                                cwd=os.getcwd(),
                                start_new_session=True)
        try:
            returncode, timed_out = proc.wait(timeout=timeout), False
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            returncode, timed_out = proc.wait(), True
        except BaseException:
            # Interrupted (Ctrl-C never reaches the child's own session): take the child down too.
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
    wall_s = time.monotonic() - start
    return assemble(spec, _read_records(records_path), dtypes, train, wall_s, returncode, timed_out, timeout,
                    _tail(log_path))


def child_env(threads, numerics=None, base=None, backend=None, compile_backend=None):
    """The child's environment: `base` (default: this process's) with the repo importable, BLAS held to
    `threads`, and the numerics mode, backend and torch.compile backend set when asked for (the device and
    inference.measure read them when they start)."""
    env = dict(os.environ if base is None else base)
    env.pop(COMPILE_ENV, None)
    if compile_backend is not None:
        env[COMPILE_ENV] = compile_backend
    if backend is not None:
        env["TTNN_DEVICE_BACKEND"] = backend
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    env["OMP_NUM_THREADS"] = str(threads)  # the child's torch.set_num_threads is the same; this covers BLAS too
    if numerics is not None:
        env["TTNN_DEVICE_NUMERICS"] = numerics
    return env


def assemble(spec, records, dtypes, train, wall_s, returncode, timed_out, timeout, log_tail=""):
    """The model's result from its records; rows the child never wrote are ❌ with why."""
    result = {"name": spec.name, "family": spec.family, "source": spec.source, "constructor": spec.constructor,
              "batch": spec.batch, "task": spec.task, "tags": list(spec.tags), "notes": spec.notes,
              "rows": {}, "train": None}
    phase = None
    for record in records:
        kind = record.pop("kind", None)
        if kind == "phase":
            phase = record["phase"]
        elif kind == "model":
            record.pop("train", None)  # the spec's flag; result["train"] is the training step's row
            result.update(record)
        elif kind == "row":
            result["rows"][record["dtype"]] = record
        elif kind == "train":
            result["train"] = record
    result["wall_s"] = wall_s
    if timed_out:
        reason = f"timeout: killed after {timeout:.0f} s during {phase or 'start-up'}"
    elif returncode != 0:
        died = f"killed by {signal.Signals(-returncode).name}" if returncode < 0 else f"exited with code {returncode}"
        reason = f"process {died} during {phase or 'start-up'}" + (f": {log_tail}" if log_tail else "")
    else:
        reason = "no result recorded"
    if timed_out or returncode != 0:
        result["process_error"] = reason
    for dtype in dtypes:
        result["rows"].setdefault(dtype, {"dtype": dtype, "batch": spec.batch, "status": "❌", "error": reason})
    if train and spec.train and result["train"] is None:
        result["train"] = {"status": "❌", "error": reason}
    return result


def _read_records(path):
    records = []
    try:
        lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return records
    for line in lines:
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            pass  # the line being written when the process died
    return records


def _tail(log_path, lines=3, chars=400):
    """The last few lines of the child's output: for a crash, usually the fatal error."""
    try:
        text = Path(log_path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    kept = [line.strip() for line in text.splitlines() if line.strip()][-lines:]
    return " / ".join(kept)[-chars:]
