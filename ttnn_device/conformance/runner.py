"""Parent side: hands (op, dtype) cases to worker processes and survives their deaths.

A case that kills its worker (segfault, abort) is recorded as 'crash' with the signal and the
sample it was on; a case that runs past the timeout is killed and recorded as 'timeout'. Either
way a fresh worker takes the slot and the run goes on with the next case.
"""

from __future__ import annotations

import collections
import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

# Where the ttnn_device package lives, so workers import the same tree as the parent.
_PKG_ROOT = str(Path(__file__).resolve().parents[2])
STARTUP_TIMEOUT = 600.0  # importing torch, op_db and the device on a loaded 2-core machine


class WorkerStartupError(RuntimeError):
    pass


class Worker:
    def __init__(self, slot, device, reference, log_path: Path, threads=1):
        self.slot = slot
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log_path = log_path
        with open(log_path, "ab") as log:
            self.log_offset = log.tell()
            env = dict(os.environ)
            env["PYTHONPATH"] = os.pathsep.join(p for p in (_PKG_ROOT, env.get("PYTHONPATH")) if p)
            # Workers run side by side: intra-op threads beyond our share of the cores make
            # OpenMP spin against the other workers (measured: max_pool2d 5x slower).
            env.setdefault("OMP_NUM_THREADS", str(threads))
            cmd = [sys.executable, "-m", "ttnn_device.conformance.worker", "--device", device]
            self.proc = subprocess.Popen(cmd + (["--reference"] if reference else []),
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=log, env=env)
        self.buf = b""
        self.ready = None  # the ready message, once received
        self.started = time.monotonic()
        self.case = None  # (op, dtype) in progress
        self.case_started = 0.0
        self.last_sample = None

    def fileno(self):
        return self.proc.stdout.fileno()

    def send(self, op, dtype):
        self.case, self.case_started, self.last_sample = (op, dtype), time.monotonic(), None
        self.proc.stdin.write((json.dumps({"op": op, "dtype": dtype}) + "\n").encode())
        self.proc.stdin.flush()

    def read_messages(self):
        """Messages available now; None when the worker has died (EOF)."""
        data = os.read(self.fileno(), 1 << 16)
        if not data:
            return None
        self.buf += data
        *lines, self.buf = self.buf.split(b"\n")
        return [json.loads(line) for line in lines if line.strip()]

    def death(self) -> str:
        """How the worker ended: the signal or exit code."""
        rc = self.proc.wait()
        return f"killed by {signal.Signals(-rc).name}" if rc < 0 else f"exited with code {rc}"

    def log_tail(self, n=600):
        try:
            with open(self.log_path, "rb") as log:
                log.seek(self.log_offset)
                text = log.read().decode(errors="replace")
        except OSError:
            return ""
        lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
        return " | ".join(lines[-5:])[-n:]

    def stop(self, kill=False):
        if self.proc.poll() is None:
            if kill:
                self.proc.kill()
            else:
                try:
                    self.proc.stdin.close()
                except OSError:
                    pass
                try:
                    self.proc.wait(timeout=10)
                    return
                except subprocess.TimeoutExpired:
                    self.proc.kill()
        self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            try:
                pipe.close()
            except OSError:
                pass


class Runner:
    """Runs cases dtype by dtype (so each dtype gets its own wall time) over a worker pool."""

    def __init__(self, *, device, reference, jobs, timeout, log_dir: Path, on_result=None):
        self.device, self.reference, self.timeout = device, reference, timeout
        self.log_dir, self.on_result = log_dir, on_result
        self.jobs = max(1, jobs)
        self.workers = [self._spawn(slot) for slot in range(self.jobs)]
        self.inventory = None
        self.fallbacks = False  # whether the device reports per-op CPU fallbacks

    def _spawn(self, slot):
        threads = max(1, (os.cpu_count() or 1) // self.jobs)
        return Worker(slot, self.device, self.reference, self.log_dir / f"worker-{slot}.log", threads)

    def wait_ready(self):
        """Block until every worker is ready; returns {full_name: {"name", "dtypes" (cpu)}}."""
        while any(w.ready is None for w in self.workers):
            self._pump(time.monotonic() + 1.0, results=None)
        return self.inventory

    # -- the event loop -------------------------------------------------------------------------
    def run_dtype(self, dtype, ops, results):
        """Run ops at dtype; fills results[op][dtype]. Returns the wall time in seconds."""
        t0 = time.monotonic()
        queue = collections.deque(ops)
        while queue or any(w.case for w in self.workers):
            for w in self.workers:
                if w.ready and w.case is None and queue:
                    op = queue.popleft()
                    try:
                        w.send(op, dtype)
                    except OSError:  # died between cases; the EOF path records it
                        pass
            self._pump(self._next_deadline(), results)
        return time.monotonic() - t0

    def _next_deadline(self):
        busy = [w.case_started + self.timeout for w in self.workers if w.case]
        return min(busy + [time.monotonic() + 1.0])

    def _pump(self, deadline, results):
        live = [w for w in self.workers if not w.proc.stdout.closed]
        wait = max(0.0, deadline - time.monotonic())
        readable, _, _ = select.select(live, [], [], wait)
        for w in readable:
            msgs = w.read_messages()
            if msgs is None:
                why = w.death()
                w.stop()
                self._replace(w, "crash", why, results)
                continue
            for msg in msgs:
                self._handle(w, msg, results)
        now = time.monotonic()
        for w in list(self.workers):
            if w.case and now - w.case_started > self.timeout:
                w.stop(kill=True)
                self._replace(w, "timeout", f"no result after {self.timeout:.0f} s", results)
            elif w.ready is None and now - w.started > STARTUP_TIMEOUT:
                w.stop(kill=True)
                raise WorkerStartupError(f"worker did not start in {STARTUP_TIMEOUT:.0f} s: {w.log_tail()}")

    def _handle(self, w, msg, results):
        kind = msg.get("type")
        if kind == "ready":
            w.ready = msg
            if self.inventory is None:
                self.inventory = {full: {"name": name, "dtypes": dts} for full, name, dts in msg["ops"]}
                self.fallbacks = msg.get("fallbacks", False)
        elif kind == "sample":
            w.last_sample = msg
        elif kind == "result":
            results.setdefault(msg["op"], {})[msg["dtype"]] = msg["result"]
            w.case = None
            if self.on_result:
                self.on_result(msg["op"], msg["dtype"], msg["result"])

    def _replace(self, w, status, why, results):
        """Record the case w was on (if any) as status, and put a fresh worker in its slot."""
        # The worker's stderr tail says why (abort messages, C++ exception text land there).
        tail = f"; stderr tail: {w.log_tail()}"
        if w.ready is None:
            raise WorkerStartupError(f"worker failed to start ({why}{tail})")
        if w.case:
            op, dtype = w.case
            where = ""
            if w.last_sample:
                where = f" on sample {w.last_sample['i']}: {w.last_sample['desc']}"
            result = {"status": status, "reason": f"{why}{where}{tail}"[:1200],
                      "seconds": round(time.monotonic() - w.case_started, 3)}
            results.setdefault(op, {})[dtype] = result
            if self.on_result:
                self.on_result(op, dtype, result)
        self.workers[self.workers.index(w)] = self._spawn(w.slot)

    def close(self):
        for w in self.workers:
            w.stop()
