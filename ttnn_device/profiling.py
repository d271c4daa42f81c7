"""``ttnn_device.profile()``: why a model is slow on the device, in one place.

Inside the context, every aten op is recorded with its time and where it ran: natively on ``ttnn``, on the
CPU through the fallback (and the reason), or on host tensors that never touched the device. Each op also
lists the vocabulary ops it became (by their ``ttnn`` names, each timed), the host <-> device transfers it
caused (count, bytes, direction) and the layout / data type conversions (``ttnn.to_layout``,
``ttnn.typecast``) it ran::

    with ttnn_device.profile() as prof:
        model(x)
    print(prof.table())                  # aten ops, sorted by time; then the ttnn ops
    prof.export_json("profile.json")
    prof.export_chrome_trace("trace.json")  # chrome://tracing or https://ui.perfetto.dev

Aten ops are seen through a ``TorchDispatchMode``, i.e. after autograd and after PyTorch's composite ops
have decomposed: exactly the calls that reach the device. The mode costs some microseconds per op, which
the times include. Times are host wall-clock; the reference device computes synchronously, so an op's
time is its compute.
"""

from __future__ import annotations

import collections
import dataclasses
import json
import time

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

from . import _C

CONVERSIONS = ("to_layout", "typecast")
NATIVE, FALLBACK, HOST = "ttnn", "cpu (fallback)", "host"
_active = None  # the profile recording now (profiles do not nest: the event log is one per process)


@dataclasses.dataclass
class VocabCall:
    op: str  # vocabulary op, e.g. "matmul"
    ttnn: str  # the TT-NN function, e.g. "ttnn.matmul"
    start_ns: int
    end_ns: int
    bytes: int  # converted bytes (to_layout / typecast), else 0


@dataclasses.dataclass
class Transfer:
    direction: str  # "host_to_device" or "device_to_host"
    bytes: int
    time_ns: int


@dataclasses.dataclass
class AtenCall:
    op: str  # "aten::addmm"
    start_ns: int
    end_ns: int
    where: str  # NATIVE, FALLBACK or HOST
    fallbacks: list = dataclasses.field(default_factory=list)  # [(aten op that ran on the CPU, reason)]
    vocab: list = dataclasses.field(default_factory=list)  # [VocabCall]
    transfers: list = dataclasses.field(default_factory=list)  # [Transfer]
    shapes: list | None = None  # input shapes and dtypes, with record_shapes=True

    @property
    def time_ns(self):
        return self.end_ns - self.start_ns


def _touches_device(flat):
    for x in flat:
        if isinstance(x, torch.Tensor) and x.device.type == "ttnn":
            return True
        if isinstance(x, torch.device) and x.type == "ttnn":
            return True
    return False


def _shapes(flat):
    return [f"{x.dtype}{list(x.shape)}".replace("torch.", "") for x in flat if isinstance(x, torch.Tensor)]


class _Recorder(TorchDispatchMode):
    """Brackets each aten op by the event log's length, to attribute the log's events to it later."""

    def __init__(self, record_shapes):
        super().__init__()
        self.record_shapes = record_shapes
        self.calls = []  # (op, start_ns, end_ns, first event, end event, touches device, shapes)

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        first = _C._profile_size()
        start = time.perf_counter_ns()
        out = None
        try:
            out = func(*args, **kwargs)
            return out
        finally:
            end = time.perf_counter_ns()
            flat_in, _ = tree_flatten((args, kwargs))
            flat_out, _ = tree_flatten(out)
            name = func._schema.name + (f".{func._overloadname}" if func._overloadname != "default" else "")
            shapes = _shapes(flat_in) if self.record_shapes else None
            self.calls.append((name, start, end, first, _C._profile_size(), _touches_device(flat_in + flat_out),
                               shapes))


def _mb(n):
    return f"{n / 1e6:.2f} MB" if n >= 1e5 else f"{n / 1e3:.1f} kB"


class profile:
    """Context manager recording what every aten op inside it did on the device (see the module doc).

    ``record_shapes=True`` also keeps each op's input shapes and dtypes (in the JSON and the trace)."""

    def __init__(self, record_shapes: bool = False):
        self.record_shapes = record_shapes
        self.calls: list[AtenCall] = []
        self.unattributed: list = []  # events outside every aten op (e.g. a kernel's own host reads)
        self.start_ns = self.end_ns = 0
        self._recorder = None

    def __enter__(self):
        global _active
        if _active is not None:
            raise RuntimeError("ttnn_device.profile() does not nest: one is already recording")
        _active = self
        self._recorder = _Recorder(self.record_shapes)
        _C._profile_start()
        self.start_ns = time.perf_counter_ns()
        self._recorder.__enter__()
        return self

    def __exit__(self, *exc):
        self._recorder.__exit__(*exc)
        self.end_ns = time.perf_counter_ns()
        events = _C._profile_stop()
        global _active
        _active = None
        self._attribute(self._recorder.calls, events)
        self._recorder = None
        return False

    def _attribute(self, raw_calls, events):
        covered = [False] * len(events)
        for name, start, end, first, last, on_device, shapes in raw_calls:
            call = AtenCall(name, start, end, HOST, shapes=shapes)
            for i in range(first, last):
                covered[i] = True
                kind, ev_name, detail, nbytes, t0, t1 = events[i]
                if kind == "vocab":
                    call.vocab.append(VocabCall(ev_name, detail, t0, t1, nbytes))
                elif kind == "fallback":
                    call.fallbacks.append((ev_name, detail))
                else:
                    call.transfers.append(Transfer(kind, nbytes, t0))
            if call.fallbacks:
                call.where = FALLBACK
            elif on_device:
                call.where = NATIVE
            self.calls.append(call)
        self.unattributed = [events[i] for i in range(len(events)) if not covered[i]]

    # ----- summaries -----------------------------------------------------------------------------------

    def summary(self) -> dict:
        """Totals: aten ops by where they ran, vocabulary ops, conversions and transfers (count, bytes)."""
        where = collections.Counter(c.where for c in self.calls)
        transfers = {d: {"count": 0, "bytes": 0} for d in ("host_to_device", "device_to_host")}
        vocab = conversions = conversion_bytes = 0
        for c in self.calls:
            for t in c.transfers:
                transfers[t.direction]["count"] += 1
                transfers[t.direction]["bytes"] += t.bytes
            for v in c.vocab:
                vocab += 1
                if v.op in CONVERSIONS:
                    conversions += 1
                    conversion_bytes += v.bytes
        return {
            "wall_ms": (self.end_ns - self.start_ns) / 1e6,
            "aten_ops": len(self.calls),
            "native": where[NATIVE],
            "fallback": where[FALLBACK],
            "host": where[HOST],
            "vocab_ops": vocab,
            "conversions": {"count": conversions, "bytes": conversion_bytes},
            "transfers": transfers,
        }

    def by_op(self) -> list[dict]:
        """One row per aten op name (sorted by total time, longest first)."""
        rows = {}
        for c in self.calls:
            row = rows.setdefault(c.op, {"op": c.op, "calls": 0, NATIVE: 0, FALLBACK: 0, HOST: 0, "time_ms": 0.0,
                                         "ttnn_ops": collections.Counter(), "reasons": collections.Counter(),
                                         "h2d": [0, 0], "d2h": [0, 0]})
            row["calls"] += 1
            row[c.where] += 1
            row["time_ms"] += c.time_ns / 1e6
            row["ttnn_ops"].update(v.ttnn for v in c.vocab)
            row["reasons"].update(f"{op}: {why}" if op != c.op else why for op, why in c.fallbacks)
            for t in c.transfers:
                pair = row["h2d" if t.direction == "host_to_device" else "d2h"]
                pair[0] += 1
                pair[1] += t.bytes
        out = sorted(rows.values(), key=lambda r: -r["time_ms"])
        for r in out:
            r["ttnn_ops"] = dict(r["ttnn_ops"].most_common())
            r["reasons"] = dict(r["reasons"])
        return out

    def by_ttnn_op(self) -> list[dict]:
        """One row per TT-NN function the kernels called (sorted by total time)."""
        rows = {}
        for c in self.calls:
            for v in c.vocab:
                row = rows.setdefault(v.ttnn, {"ttnn": v.ttnn, "calls": 0, "time_ms": 0.0, "bytes": 0})
                row["calls"] += 1
                row["time_ms"] += (v.end_ns - v.start_ns) / 1e6
                row["bytes"] += v.bytes
        return sorted(rows.values(), key=lambda r: -r["time_ms"])

    def table(self, row_limit: int | None = 30) -> str:
        """The report: totals, then aten ops sorted by time, then the TT-NN ops they became."""
        s = self.summary()
        total_ms = sum(c.time_ns for c in self.calls) / 1e6 or 1e-9
        t = s["transfers"]
        lines = [
            f"ttnn_device.profile: {s['aten_ops']} aten ops in {s['wall_ms']:.1f} ms: {s['native']} on ttnn, "
            f"{s['fallback']} on the CPU (fallback), {s['host']} on host tensors; {s['vocab_ops']} ttnn ops",
            f"transfers: host->device {t['host_to_device']['count']} ({_mb(t['host_to_device']['bytes'])}), "
            f"device->host {t['device_to_host']['count']} ({_mb(t['device_to_host']['bytes'])}); "
            f"conversions (to_layout/typecast): {s['conversions']['count']} ({_mb(s['conversions']['bytes'])})",
            "",
        ]
        rows = self.by_op()
        shown = rows if row_limit is None else rows[:row_limit]
        header = ("aten op", "calls", "ttnn", "cpu", "host", "time ms", "%", "h2d", "d2h", "ttnn ops (calls) / why on the CPU")
        table = [header]
        for r in shown:
            what = ", ".join(f"{k} ({v})" for k, v in list(r["ttnn_ops"].items())[:4])
            if len(r["ttnn_ops"]) > 4:
                what += ", ..."
            if r["reasons"]:
                what = "; ".join(f"{k} ({v})" for k, v in r["reasons"].items()) + (f" | {what}" if what else "")
            table.append((r["op"], str(r["calls"]), str(r[NATIVE]), str(r[FALLBACK]), str(r[HOST]),
                          f"{r['time_ms']:.2f}", f"{100 * r['time_ms'] / total_ms:.1f}",
                          str(r["h2d"][0]) if r["h2d"][0] else "", str(r["d2h"][0]) if r["d2h"][0] else "",
                          what))
        lines += _format(table)
        if len(rows) > len(shown):
            lines.append(f"... {len(rows) - len(shown)} more aten ops (row_limit=None shows all)")
        ttnn_rows = self.by_ttnn_op()
        if ttnn_rows:
            lines.append("")
            table = [("ttnn op", "calls", "time ms", "converted")]
            for r in ttnn_rows if row_limit is None else ttnn_rows[:row_limit]:
                table.append((r["ttnn"], str(r["calls"]), f"{r['time_ms']:.2f}", _mb(r["bytes"]) if r["bytes"] else ""))
            lines += _format(table)
        return "\n".join(lines)

    def __str__(self):
        return self.table()

    # ----- exports -------------------------------------------------------------------------------------

    def to_dict(self) -> dict:
        return {
            "summary": self.summary(),
            "aten_ops": [{"op": c.op, "where": c.where, "start_ns": c.start_ns, "time_ns": c.time_ns,
                          "fallbacks": [{"op": op, "reason": why} for op, why in c.fallbacks],
                          "ttnn_ops": [{"op": v.op, "ttnn": v.ttnn, "time_ns": v.end_ns - v.start_ns,
                                        "converted_bytes": v.bytes} for v in c.vocab],
                          "transfers": [{"direction": t.direction, "bytes": t.bytes} for t in c.transfers],
                          **({"shapes": c.shapes} if c.shapes is not None else {})}
                         for c in self.calls],
            "by_op": self.by_op(),
            "by_ttnn_op": self.by_ttnn_op(),
        }

    def export_json(self, path: str) -> None:
        with open(path, "w") as f:
            json.dump(self.to_dict(), f, indent=1)

    def export_chrome_trace(self, path: str) -> None:
        """Chrome trace event format: aten ops on one track, ttnn ops on a second, transfers on a third."""
        origin = self.start_ns

        def us(ns):
            return (ns - origin) / 1e3

        events = [{"name": "thread_name", "ph": "M", "pid": 0, "tid": tid, "args": {"name": label}}
                  for tid, label in ((0, "aten ops"), (1, "ttnn ops"), (2, "host <-> device"))]
        for c in self.calls:
            args = {"where": c.where}
            if c.fallbacks:
                args["fallbacks"] = [f"{op}: {why}" for op, why in c.fallbacks]
            if c.shapes is not None:
                args["shapes"] = c.shapes
            events.append({"name": c.op, "cat": "aten", "ph": "X", "pid": 0, "tid": 0, "ts": us(c.start_ns),
                           "dur": c.time_ns / 1e3, "args": args})
            for v in c.vocab:
                events.append({"name": v.ttnn, "cat": "ttnn", "ph": "X", "pid": 0, "tid": 1, "ts": us(v.start_ns),
                               "dur": (v.end_ns - v.start_ns) / 1e3, "args": {"aten": c.op, "bytes": v.bytes}})
            for t in c.transfers:
                events.append({"name": t.direction, "cat": "transfer", "ph": "i", "s": "t", "pid": 0, "tid": 2,
                               "ts": us(t.time_ns), "args": {"aten": c.op, "bytes": t.bytes}})
        with open(path, "w") as f:
            json.dump({"traceEvents": events, "displayTimeUnit": "ms"}, f)


def _format(rows):
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    out = []
    for n, r in enumerate(rows):
        cells = [r[0].ljust(widths[0])] + [r[i].rjust(widths[i]) for i in range(1, len(widths))] + [r[-1]]
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths) + "  " + "-" * max(len(r[-1]) for r in rows))
    return out
