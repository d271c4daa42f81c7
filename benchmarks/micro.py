"""Microbenchmarks of the ttnn device, printed as ratios measured in one run (never absolute targets).

    python -m benchmarks.micro [--quick] [--out DIR] [--no-docs]

1. Per-op overhead: a tiny op on ttnn against the same op on the CPU (add of 1 element; add, mul, relu of
   32x32, native; hypot of 32x32, which has no ttnn kernel and runs through the CPU fallback; fill_, a view
   and an allocation). Each row's path (native or fallback) is read from the device's fallback counts.
2. Host <-> device throughput with format conversion, per TT-NN physical format (ROW_MAJOR FLOAT32 /
   BFLOAT16, TILE FLOAT32 / BFLOAT16 / BFLOAT8_B / BFLOAT4_B), from and to a float32 host tensor, against a
   host memcpy of the same bytes (``cpu_dst.copy_(cpu_src)``); plus ``.to("ttnn")`` / ``.cpu()`` (with
   allocation) against ``clone()``.
3. One fallback round trip: an op that runs through the CPU fallback (hypot) against the same op on CPU tensors,
   broken into the device->host copies, the CPU op, the host->device copies (a hand replay of the
   fallback's steps, each timed), and the rest (dispatcher, boxing, bookkeeping).

Timing: ``time.perf_counter``, warm-up calls, then the median over repeats of the mean of ``number``
calls, with ``torch.ttnn.synchronize()`` before the clock stops. Each ratio line starts with ``RATIO``.
Both sides run with the same number of torch threads, 1 by default (``--threads``): on a small machine
shared with other jobs, a parallel CPU op waits for its descheduled second OpenMP thread and takes 100x
longer at random, which would make every ratio noise.
Results go to ``benchmarks/results/micro.json`` and ``micro.md`` and (full runs) ``docs/microbenchmarks.md``
with the plot ``docs/microbenchmarks.png``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

import ttnn_device

from .accuracy_common import DOCS_DIR, environment, markdown_table, write_results

MiB = 1 << 20

FORMATS = [
    ("ROW_MAJOR", "FLOAT32"),
    ("ROW_MAJOR", "BFLOAT16"),
    ("TILE", "FLOAT32"),
    ("TILE", "BFLOAT16"),
    ("TILE", "BFLOAT8_B"),
    ("TILE", "BFLOAT4_B"),
]


class Settings:
    def __init__(self, quick: bool):
        self.quick = quick
        self.sizes = [64 * 1024, 1 * MiB] if quick else [1 * MiB, 64 * MiB]
        self.op_number = 50 if quick else 200       # calls per timed repeat, tiny ops
        self.op_repeat = 3 if quick else 15
        self.warmup = 1 if quick else 3


# The op the fallback measurements use: one TT-NN has no kernel for (the device counts its fallback, and
# path_of checks it at run time).
FALLBACK_OP = ("hypot", torch.hypot)


def sync_ttnn():
    torch.ttnn.synchronize()


def no_sync():
    pass


class Timings:
    """Per-repeat mean times (seconds per call) of several cases measured interleaved: every repeat times
    each case once, in turn, so that a burst of load from other jobs on the machine hits all of them alike.
    Ratios are medians of the per-repeat ratios (paired), times are medians over repeats."""

    def __init__(self, times: dict[str, list[float]]):
        self.times = times

    def __getitem__(self, name: str) -> float:
        return statistics.median(self.times[name])

    def ratio(self, a: str, b: str) -> float:
        return statistics.median(x / y for x, y in zip(self.times[a], self.times[b]))


def bench(cases: dict, number: int, repeat: int, warmup: int) -> Timings:
    """``cases``: {name: fn} or {name: (fn, sync)}; ``sync`` (default ``torch.ttnn.synchronize``) runs
    once before each clock stop. Returns the interleaved :class:`Timings`."""
    cases = {k: (v if isinstance(v, tuple) else (v, sync_ttnn)) for k, v in cases.items()}
    for fn, sync in cases.values():
        for _ in range(warmup):
            fn()
        sync()
    times = {name: [] for name in cases}
    for _ in range(repeat):
        for name, (fn, sync) in cases.items():
            start = time.perf_counter()
            for _ in range(number):
                fn()
            sync()
            times[name].append((time.perf_counter() - start) / number)
    return Timings(times)


def size_params(nbytes: int, s: Settings):
    """(number, repeat) for one transfer of ``nbytes``: enough calls that a repeat takes a few ms."""
    if nbytes >= 16 * MiB:
        return 1, (3 if s.quick else 9)
    if nbytes >= MiB:
        return (2 if s.quick else 3), (3 if s.quick else 15)
    return (10 if s.quick else 20), (3 if s.quick else 15)


def fmt_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def fmt_size(nbytes: int) -> str:
    return f"{nbytes // MiB} MiB" if nbytes >= MiB else f"{nbytes // 1024} KiB"


def fmt_ratio(value: float) -> str:
    return f"{value:.2f}x" if value >= 0.1 else f"{value:.3g}x"


def ratio_line(label: str, value: float, note: str = "") -> str:
    line = f"RATIO {label:<66} {fmt_ratio(value):>9}"
    return line + (f"   {note}" if note else "")


# ------------------------------------------------------------------------------------- 1. op overhead

def path_of(fn) -> str:
    """"fallback" when one call of ``fn`` runs an op on the CPU (counted by the device), else "native"."""
    fn()
    torch.ttnn.synchronize()
    ttnn_device.reset_fallback_counts()
    fn()
    torch.ttnn.synchronize()
    return "fallback" if ttnn_device.fallback_counts() else "native"


# Tiny ops the targets name (issue 8: a native add, mul, relu of 32x32 float32 at most 1.3x the CPU's, a
# fallback op at most 2x), then the framework's own cheapest paths (a view, an allocation).
NATIVE_TARGET = 1.3
FALLBACK_TARGET = 2.0


def op_overhead(s: Settings) -> list[dict]:
    rows = []

    def case(name, cpu_fn, ttnn_fn):
        kind = path_of(ttnn_fn)
        t = bench({"cpu": (cpu_fn, no_sync), "ttnn": ttnn_fn}, s.op_number, s.op_repeat, s.warmup)
        rows.append({"op": name, "kind": kind, "cpu_s": t["cpu"], "ttnn_s": t["ttnn"], "ratio": t.ratio("ttnn", "cpu"),
                     "ttnn_times_s": t.times["ttnn"]})

    a_c, b_c = torch.randn(32, 32), torch.randn(32, 32)
    a_d, b_d = a_c.to("ttnn"), b_c.to("ttnn")
    one_c, one_d = torch.randn(1), torch.randn(1).to("ttnn")
    case("add 1 element", lambda: torch.add(one_c, one_c), lambda: torch.add(one_d, one_d))
    case("add 32x32", lambda: torch.add(a_c, b_c), lambda: torch.add(a_d, b_d))
    case("mul 32x32", lambda: torch.mul(a_c, b_c), lambda: torch.mul(a_d, b_d))
    case("relu 32x32", lambda: torch.relu(a_c), lambda: torch.relu(a_d))
    # An op without a ttnn kernel, so it always takes the CPU fallback's round trip.
    case(f"{FALLBACK_OP[0]} 32x32", lambda: FALLBACK_OP[1](a_c, b_c), lambda: FALLBACK_OP[1](a_d, b_d))
    x_c = torch.empty(32, 32)
    x_d = x_c.to("ttnn")
    case("fill_ 32x32", lambda: x_c.fill_(1.5), lambda: x_d.fill_(1.5))
    case("view 32x32 -> 1024", lambda: x_c.view(-1), lambda: x_d.view(-1))
    case("transpose 32x32 (view)", lambda: x_c.t(), lambda: x_d.t())
    case("empty 32x32 (allocation)", lambda: torch.empty(32, 32), lambda: torch.empty(32, 32, device="ttnn"))
    return rows


# ------------------------------------------------------------------------------------- 2. transfers

def transfers(s: Settings) -> list[dict]:
    rows = []

    def row(case, nbytes, t, h2d, d2h, baseline, baseline_name, **extra):
        rows.append({"case": case, "bytes": nbytes, **extra, "h2d_s": t[h2d], "d2h_s": t[d2h],
                     "baseline_s": t[baseline], "baseline": baseline_name,
                     "h2d_vs_baseline": t.ratio(h2d, baseline), "d2h_vs_baseline": t.ratio(d2h, baseline)})

    for nbytes in s.sizes:
        number, repeat = size_params(nbytes, s)
        shape = (nbytes // 4 // 1024, 1024)           # float32, width a multiple of the 32-wide tile
        src = torch.randn(shape)
        dst = torch.empty(shape)
        memcpy = (lambda: dst.copy_(src), no_sync)

        # Allocating transfers in the default format, against an allocating host copy.
        dev = src.to("ttnn")
        t = bench({"memcpy": memcpy, "clone": (lambda: src.clone(), no_sync), "to": lambda: src.to("ttnn"),
                   "cpu": lambda: dev.cpu()}, number, repeat, s.warmup)
        rows.append({"case": "host memcpy (copy_)", "bytes": nbytes, "h2d_s": t["memcpy"], "d2h_s": t["memcpy"],
                     "baseline_s": t["memcpy"], "baseline": "memcpy", "h2d_vs_baseline": 1.0, "d2h_vs_baseline": 1.0})
        row(".to('ttnn') / .cpu() (allocating; ROW_MAJOR FLOAT32)", nbytes, t, "to", "cpu", "clone", "clone")
        del dev

        for layout, data_type in FORMATS:
            dev = torch.empty(shape, device="ttnn")
            ttnn_device.set_physical_format(dev, layout, data_type)
            physical = ttnn_device.physical_format(dev)["physical_bytes"]
            t = bench({"memcpy": memcpy, "h2d": lambda: dev.copy_(src), "d2h": lambda: dst.copy_(dev)},
                      number, repeat, s.warmup)
            row(f"float32 <-> {layout} {data_type}", nbytes, t, "h2d", "d2h", "memcpy", "memcpy",
                layout=layout, data_type=data_type, physical_bytes=physical)
            del dev

        # bfloat16 tensors in their natural format: no conversion, half the bytes.
        src16, dst16 = src.bfloat16(), torch.empty(shape, dtype=torch.bfloat16)
        dev = torch.empty(shape, device="ttnn", dtype=torch.bfloat16)
        t = bench({"memcpy": (lambda: dst16.copy_(src16), no_sync), "h2d": lambda: dev.copy_(src16),
                   "d2h": lambda: dst16.copy_(dev)}, number, repeat, s.warmup)
        row("bfloat16 <-> ROW_MAJOR BFLOAT16 (no conversion)", nbytes // 2, t, "h2d", "d2h", "memcpy", "memcpy",
            layout="ROW_MAJOR", data_type="BFLOAT16", physical_bytes=nbytes // 2)
        del dev
    for r in rows:
        r["h2d_GBps"] = r["bytes"] / r["h2d_s"] / 1e9
        r["d2h_GBps"] = r["bytes"] / r["d2h_s"] / 1e9
    return rows


# ------------------------------------------------------------------------------- 3. fallback round trip

class StagedReplica:
    """Replays what the fallback does for ``op(a_d, b_d)`` by hand, timing each stage: the device->host
    copies of the arguments (``a``, ``b`` and, where the fallback moves it too, the ``out=`` tensor, all kept
    alive together as in the fallback), the CPU op into the host ``out``, and the host->device copy of the
    result. Used as a case of :func:`bench`; ``stages`` collects each repeat's per-call stage means."""

    def __init__(self, op, a_d, b_d, out_d, n_d2h: int, number: int):
        self.op, self.out_d, self.number = op, out_d, number
        self.sources = [a_d, b_d] + [out_d] * max(0, n_d2h - 2)
        self.sums = [0.0, 0.0, 0.0]
        self.calls = 0
        self.stages = {"d2h": [], "cpu_op": [], "h2d": []}

    def __call__(self):
        t0 = time.perf_counter()
        host = [t.cpu() for t in self.sources]
        t1 = time.perf_counter()
        out_h = host[2] if len(host) > 2 else torch.empty_like(host[0])
        self.op(host[0], host[1], out=out_h)
        t2 = time.perf_counter()
        self.out_d.copy_(out_h)
        torch.ttnn.synchronize()
        t3 = time.perf_counter()
        for i, dt in enumerate((t1 - t0, t2 - t1, t3 - t2)):
            self.sums[i] += dt
        self.calls += 1
        if self.calls == self.number:                   # one repeat done (warm-up calls are reset below)
            for key, total in zip(self.stages, self.sums):
                self.stages[key].append(total / self.number)
            self.sums, self.calls = [0.0, 0.0, 0.0], 0

    def reset(self):
        self.sums, self.calls = [0.0, 0.0, 0.0], 0
        self.stages = {key: [] for key in self.stages}

    def medians(self) -> dict:
        return {key: statistics.median(values) for key, values in self.stages.items()}


def fallback_round_trip(s: Settings) -> list[dict]:
    rows = []
    name, fn = FALLBACK_OP
    cases = [(f"{name} 32x32", (32, 32), lambda a, b, out=None: fn(a, b, out=out)),
             (f"{name} 1 MiB (256x1024)", (256, 1024), lambda a, b, out=None: fn(a, b, out=out))]
    for name, shape, op in cases:
        nbytes = shape[0] * shape[1] * 4
        number, repeat = (s.op_number, s.op_repeat) if nbytes < 64 * 1024 else size_params(nbytes, s)
        number = max(number, 3)
        a_c, b_c = torch.randn(shape), torch.randn(shape)
        a_d, b_d = a_c.to("ttnn"), b_c.to("ttnn")
        out_d = op(a_c, b_c).to("ttnn")

        # What one fallback call moves, counted by the device.
        op(a_d, b_d)
        ttnn_device.reset_fallback_counts()
        op(a_d, b_d)
        torch.ttnn.synchronize()
        transfers = ttnn_device.transfer_counts()
        fallbacks = ttnn_device.fallback_counts()
        n_d2h = transfers["device_to_host"]["count"]
        n_h2d = transfers["host_to_device"]["count"]

        replica = StagedReplica(op, a_d, b_d, out_d, n_d2h, number)
        for _ in range(max(1, s.warmup)):
            replica()
        replica.reset()
        t = bench({"cpu": (lambda: op(a_c, b_c), no_sync), "ttnn": lambda: op(a_d, b_d),
                   "replica": (replica, no_sync)}, number, repeat, 0)
        stages = replica.medians()
        # Paired per repeat, like the ratios: the replica ran right after the fallback in every repeat.
        stages["rest"] = statistics.median(
            total - sum(parts) for total, *parts in zip(t.times["ttnn"], *replica.stages.values()))
        rows.append({
            "op": name, "fallback_ops": fallbacks, "bytes_per_tensor": nbytes,
            "d2h_count": n_d2h, "d2h_bytes": transfers["device_to_host"]["bytes"],
            "h2d_count": n_h2d, "h2d_bytes": transfers["host_to_device"]["bytes"],
            "cpu_s": t["cpu"], "ttnn_s": t["ttnn"], "ratio": t.ratio("ttnn", "cpu"), "breakdown_s": stages,
        })
    return rows


# ----------------------------------------------------------------------------------------------- main

def run(s: Settings) -> dict:
    env = environment()
    print(f"ttnn microbenchmarks ({'quick' if s.quick else 'full'}): torch {env['torch']}, {env['device']}, "
          f"{env['cpus']} CPUs, {env['torch_threads']} torch threads. Ratios are ttnn time / CPU time "
          "measured in this run (>1: ttnn slower).")
    lines = []

    print("\n1. per-op overhead (time per call)")
    ops = op_overhead(s)
    for r in ops:
        print(f"   {r['op']:<28} [{r['kind']:<8}] cpu {fmt_time(r['cpu_s']):>10}   ttnn {fmt_time(r['ttnn_s']):>10}")
    for r in ops:
        target = NATIVE_TARGET if r["kind"] == "native" else FALLBACK_TARGET
        named = r["op"].split()[0] in ("add", "mul", "relu", FALLBACK_OP[0]) and "32x32" in r["op"]
        note = f"target <= {target}x: {'ok' if r['ratio'] <= target else 'ABOVE'}" if named else ""
        lines.append(ratio_line(f"op overhead: {r['op']} ({r['kind']}), ttnn/cpu", r["ratio"], note))
    add = next(r for r in ops if r["op"] == "add 32x32")
    fallback = next(r for r in ops if r["op"].startswith(FALLBACK_OP[0]))
    for line in lines:
        print(line)

    print("\n2. host <-> device transfers (logical host bytes; GB/s; time vs host memcpy of the same bytes)")
    xfers = transfers(s)
    for r in xfers:
        print(f"   {fmt_size(r['bytes']):>7} {r['case']:<52} H2D {r['h2d_GBps']:7.2f} GB/s "
              f"({r['h2d_vs_baseline']:6.2f}x {r['baseline']})   D2H {r['d2h_GBps']:7.2f} GB/s "
              f"({r['d2h_vs_baseline']:6.2f}x {r['baseline']})")
    xfer_lines = []
    for r in xfers:
        if r["case"].startswith("host memcpy"):
            continue
        xfer_lines.append(ratio_line(f"H2D {fmt_size(r['bytes'])} {r['case']}", r["h2d_vs_baseline"],
                                     f"vs {r['baseline']}"))
        xfer_lines.append(ratio_line(f"D2H {fmt_size(r['bytes'])} {r['case']}", r["d2h_vs_baseline"],
                                     f"vs {r['baseline']}"))
    for line in xfer_lines:
        print(line)
    lines += xfer_lines

    print("\n3. one fallback round trip (op on ttnn through the CPU fallback vs the same op on CPU tensors)")
    rts = fallback_round_trip(s)
    rt_lines = []
    for r in rts:
        b = r["breakdown_s"]
        print(f"   {r['op']:<22} via {', '.join(r['fallback_ops'])}: cpu {fmt_time(r['cpu_s'])}, ttnn "
              f"{fmt_time(r['ttnn_s'])} = D2H x{r['d2h_count']} {fmt_time(b['d2h'])} + CPU op "
              f"{fmt_time(b['cpu_op'])} + H2D x{r['h2d_count']} {fmt_time(b['h2d'])} + rest {fmt_time(b['rest'])}")
        rt_lines.append(ratio_line(f"fallback round trip: {r['op']}, ttnn/cpu", r["ratio"],
                                   f"D2H {100 * b['d2h'] / r['ttnn_s']:.0f}%, CPU op "
                                   f"{100 * b['cpu_op'] / r['ttnn_s']:.0f}%, H2D "
                                   f"{100 * b['h2d'] / r['ttnn_s']:.0f}%, rest {100 * b['rest'] / r['ttnn_s']:.0f}%"))
    for line in rt_lines:
        print(line)
    lines += rt_lines

    big = max(s.sizes)
    tile_bf8 = next(r for r in xfers if r["bytes"] == big and r["case"].endswith("TILE BFLOAT8_B"))
    summary = (f"SUMMARY micro ({'quick' if s.quick else 'full'}): tiny add on ttnn {add['ratio']:.1f}x the CPU "
               f"({add['kind']}), {fallback['op']} {fallback['ratio']:.1f}x ({fallback['kind']}); {fmt_size(big)} H2D/D2H TILE BFLOAT8_B "
               f"{tile_bf8['h2d_vs_baseline']:.1f}x/{tile_bf8['d2h_vs_baseline']:.1f}x memcpy; fallback round trip "
               + ", ".join(f"{r['op']} {r['ratio']:.1f}x" for r in rts) + f"; {len(lines)} ratios")
    return {"settings": {"quick": s.quick, "sizes": s.sizes, "op_number": s.op_number, "op_repeat": s.op_repeat},
            "environment": env, "op_overhead": ops, "transfers": xfers, "fallback_round_trip": rts,
            "ratio_lines": lines, "summary": summary}


def to_markdown(data: dict) -> str:
    s = data["settings"]
    env = data["environment"]
    md = ["# Microbenchmarks\n\n",
          f"`python -m benchmarks.micro{' --quick' if s['quick'] else ''}` on the reference device "
          f"({env['device']}; torch {env['torch']}; {env['cpus']} CPUs shared with other jobs; {env['time']}). "
          "Every figure is a ratio of two timings taken in the same run (median of repeats after warm-up); "
          "absolute times are indicative only.\n",
          "\n## 1. Per-op overhead\n\n",
          markdown_table(["op", "ttnn path", "CPU / call", "ttnn / call", "ttnn / CPU"],
                         [[r["op"], r["kind"], fmt_time(r["cpu_s"]), fmt_time(r["ttnn_s"]), fmt_ratio(r['ratio'])]
                          for r in data["op_overhead"]]),
          "\n## 2. Host <-> device throughput with format conversion\n\n"
          "From/to a float32 host tensor (bfloat16 for the last row of each size) and a ttnn tensor whose "
          "storage was set to the format with `set_physical_format`; H2D is `dev.copy_(host)`, D2H "
          "`host.copy_(dev)`. GB/s of logical host bytes; time relative to a host memcpy of the same bytes "
          "(`host_dst.copy_(host_src)`). The `.to`/`.cpu` rows allocate and are relative to `clone()`, which "
          "for large sizes pays the first touch of fresh host pages, while `.to(\"ttnn\")` reuses blocks "
          "the device's caching allocator already holds.\n\n",
          markdown_table(["size", "case", "physical bytes", "H2D GB/s", "H2D vs memcpy", "D2H GB/s", "D2H vs memcpy"],
                         [[fmt_size(r["bytes"]), r["case"], fmt_size(r["physical_bytes"]) if r.get("physical_bytes") else "",
                           f"{r['h2d_GBps']:.2f}", fmt_ratio(r['h2d_vs_baseline']), f"{r['d2h_GBps']:.2f}",
                           fmt_ratio(r['d2h_vs_baseline'])] for r in data["transfers"]]),
          "\n## 3. One fallback round trip\n\n"
          "An op on ttnn tensors that runs through the CPU fallback, against the same op on CPU tensors; the "
          "ttnn time split by replaying the fallback's steps by hand, each timed: the device->host copies it "
          "makes (count from `transfer_counts()`; for `out=` ops the output tensor is copied down too), the CPU "
          "op (`out=` variant, as the fallback runs it), the host->device copy of the result; the rest is the "
          "dispatcher, boxing and bookkeeping of the fallback itself, measured against a Python replay whose "
          "own overhead (list building, clock reads: about half a microsecond) it absorbs, so a slightly "
          "negative rest means the C++ fallback's own cost is below that.\n\n",
          markdown_table(["op", "fallback op", "CPU", "ttnn", "ttnn / CPU", "D2H", "CPU op", "H2D", "rest"],
                         [[r["op"], ", ".join(r["fallback_ops"]), fmt_time(r["cpu_s"]), fmt_time(r["ttnn_s"]),
                           fmt_ratio(r['ratio']),
                           f"x{r['d2h_count']} {fmt_time(r['breakdown_s']['d2h'])}",
                           fmt_time(r["breakdown_s"]["cpu_op"]),
                           f"x{r['h2d_count']} {fmt_time(r['breakdown_s']['h2d'])}",
                           fmt_time(r["breakdown_s"]["rest"])] for r in data["fallback_round_trip"]]),
          f"\n{data['summary']}\n"]
    return "".join(md)


def plot(data: dict, path) -> object:
    """Per-op overhead as a bar chart (ttnn time / CPU time per op, with the targets drawn), written to
    ``path``; returns the path, or None without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    rows = data["op_overhead"]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(rows) + 1.5))
    colors = ["tab:blue" if r["kind"] == "native" else "tab:orange" for r in rows]
    ax.barh(range(len(rows)), [r["ratio"] for r in rows], color=colors)
    ax.set_yticks(range(len(rows)), [f"{r['op']} ({r['kind']})" for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.axvline(NATIVE_TARGET, color="tab:blue", linestyle="--", linewidth=0.8, label=f"native target {NATIVE_TARGET}x")
    ax.axvline(FALLBACK_TARGET, color="tab:orange", linestyle="--", linewidth=0.8,
               label=f"fallback target {FALLBACK_TARGET}x")
    ax.set_xlabel("ttnn time / CPU time per call (1 = as fast as the CPU)")
    ax.set_title("Per-op overhead on the reference device (one run, paired repeats)")
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and few repeats (seconds); for tests")
    parser.add_argument("--out", default=None, help="results folder (default benchmarks/results)")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/microbenchmarks.md")
    parser.add_argument("--threads", type=int, default=1, help="torch threads, for the CPU and the fallback (1)")
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    data = run(Settings(args.quick))
    name = "micro_quick" if args.quick else "micro"
    docs = None if (args.quick or args.no_docs) else DOCS_DIR / "microbenchmarks.md"
    markdown = to_markdown(data)
    if docs is not None:
        markdown += "\n![per-op overhead](microbenchmarks.png)\n"
    paths = write_results(name, data, markdown, args.out, docs)
    if docs is not None and (written := plot(data, docs.with_suffix(".png"))):
        paths.append(written)
    print("\nwrote " + ", ".join(str(p) for p in paths))
    print(data["summary"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
