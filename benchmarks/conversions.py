"""Format conversion throughput: every TT-NN physical format, both directions, against a host memcpy of the
same bytes and against the real ``ttnn`` package's own host conversion of the same tensor, in one run.

    python -m benchmarks.conversions [--quick] [--out DIR] [--no-docs]

For each size (1 MiB and 64 MiB of float32; 64 KiB and 1 MiB with --quick) and each format:

- ``ttnn_device``: H2D is ``dev.copy_(host)`` into a storage set to the format (``set_physical_format``),
  D2H is ``host.copy_(dev)``: the device path a user's tensors take, conversion included.
- ``memcpy``: libc ``memmove`` of the float32 bytes between two host tensors (through ctypes, whose call
  costs about a microsecond), single thread.
- ``ttnn``: ``ttnn.from_torch(host, dtype, layout)`` (no device: the host conversion a card's uploads pay)
  and ``ttnn.to_torch(tensor)`` back to float32; skipped when ``ttnn`` does not import.

Everything runs on one torch thread (conversions use torch's intra-op pool, so this is single-threaded on
both sides). Cases are timed interleaved, repeat by repeat, and ratios are medians of per-repeat ratios.
Targets (issue 8): throughput >= 0.7x memcpy and >= 5x ttnn's. Writes benchmarks/results/conversions.json,
.md and (full runs) docs/conversions.md with the plot docs/conversions.png.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import sys
from pathlib import Path

import torch

import ttnn_device

from .accuracy_common import DOCS_DIR, environment, markdown_table, write_results
from .micro import FORMATS, MiB, bench, fmt_size, fmt_time, no_sync, ratio_line, size_params

MEMCPY_TARGET = 0.7
TTNN_TARGET = 5.0
MOCK_CLUSTER = Path(ttnn_device.__file__).parent / "testing" / "mock_clusters" / "n150.yaml"


def load_ttnn():
    """The real ttnn for host conversions, or (None, reason). Host conversions need a cluster descriptor
    but no card: without one, the mocked n150 shipped with the package is used."""
    os.environ.setdefault("TT_METAL_MOCK_CLUSTER_DESC_PATH", str(MOCK_CLUSTER))
    os.environ.setdefault("TT_METAL_LOGGER_LEVEL", "ERROR")
    try:
        import ttnn
        ttnn.from_torch(torch.ones(2, 2), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT)
        return ttnn, ""
    except Exception as e:  # not installed, or unusable on this host
        return None, f"{type(e).__name__}: {e}"


def ttnn_cases(ttnn, layout: str, data_type: str, src: torch.Tensor) -> dict:
    dtype = getattr(ttnn, data_type.lower())
    tt_layout = ttnn.TILE_LAYOUT if layout == "TILE" else ttnn.ROW_MAJOR_LAYOUT
    held = ttnn.from_torch(src, dtype=dtype, layout=tt_layout)
    return {"ttnn_h2d": (lambda: ttnn.from_torch(src, dtype=dtype, layout=tt_layout), no_sync),
            "ttnn_d2h": (lambda: ttnn.to_torch(held, dtype=torch.float32), no_sync)}


def measure(quick: bool, ttnn) -> list[dict]:
    rows = []
    sizes = [64 * 1024, MiB] if quick else [MiB, 64 * MiB]
    warmup = 1 if quick else 2
    for nbytes in sizes:
        number, repeat = size_params(nbytes, type("S", (), {"quick": quick})())
        shape = (nbytes // 4 // 1024, 1024)
        src, dst = torch.randn(shape), torch.empty(shape)
        memcpy = (lambda: ctypes.memmove(dst.data_ptr(), src.data_ptr(), nbytes), no_sync)
        for layout, data_type in FORMATS:
            dev = torch.empty(shape, device="ttnn")
            ttnn_device.set_physical_format(dev, layout, data_type)
            cases = {"memcpy": memcpy, "h2d": lambda: dev.copy_(src), "d2h": lambda: dst.copy_(dev)}
            if ttnn is not None:
                cases.update(ttnn_cases(ttnn, layout, data_type, src))
            t = bench(cases, number, repeat, warmup)
            row = {"bytes": nbytes, "layout": layout, "data_type": data_type,
                   "physical_bytes": ttnn_device.physical_format(dev)["physical_bytes"],
                   "memcpy_GBps": nbytes / t["memcpy"] / 1e9}
            for d in ("h2d", "d2h"):
                row[f"{d}_GBps"] = nbytes / t[d] / 1e9
                # throughput ratio = memcpy time / our time, paired per repeat
                row[f"{d}_vs_memcpy"] = 1.0 / t.ratio(d, "memcpy")
                if ttnn is not None:
                    row[f"ttnn_{d}_GBps"] = nbytes / t[f"ttnn_{d}"] / 1e9
                    row[f"{d}_vs_ttnn"] = t.ratio(f"ttnn_{d}", d)
            rows.append(row)
            del dev
    return rows


PARTIAL_TARGET = 100.0


def partial_access(quick: bool) -> list[dict]:
    """One element and one row of a TILE BFLOAT8_B storage, read and written, against converting the whole
    storage (``host.copy_(dev)`` / ``dev.copy_(host)``): a partial access converts only the tiles it touches."""
    nbytes = MiB if quick else 64 * MiB
    shape = (nbytes // 4 // 1024, 1024)
    src, dst = torch.randn(shape), torch.empty(shape)
    dev = torch.empty(shape, device="ttnn")
    ttnn_device.set_physical_format(dev, "TILE", "BFLOAT8_B")
    dev.copy_(src)
    row_host = torch.randn(shape[1])
    i, j = shape[0] // 2 + 5, 517
    number, repeat = size_params(nbytes, type("S", (), {"quick": quick})())
    # A partial access is timed over `calls` calls in a row: the first call after a whole conversion pays
    # for refilling the caches that the conversion's stream evicted (any op does, a bare view as much),
    # which is the conversion's cost, not the access's.
    calls = 20

    def repeated(fn):
        return lambda: [fn() for _ in range(calls)]

    partial = {"item": lambda: dev[i, j].item(), "set_item": lambda: dev[i, j].fill_(0.5),
               "row_read": lambda: dev[i].cpu(), "row_write": lambda: dev[i].copy_(row_host)}
    t = bench({"whole_d2h": lambda: dst.copy_(dev), "whole_h2d": lambda: dev.copy_(src),
               **{case: repeated(fn) for case, fn in partial.items()}},
              number, repeat, 1)
    for case in partial:
        t.times[case] = [seconds / calls for seconds in t.times[case]]
    rows = []
    for case, whole, what in (("item", "whole_d2h", "read one element (.item())"),
                              ("set_item", "whole_h2d", "write one element (fill_ of a 1-element view)"),
                              ("row_read", "whole_d2h", "read one row of 1024 (.cpu())"),
                              ("row_write", "whole_h2d", "write one row of 1024 (copy_), a KV-cache update")):
        rows.append({"case": what, "bytes": nbytes, "time_s": t[case], "whole_s": t[whole],
                     "fraction": t.ratio(case, whole)})
    return rows


def verdict(value, target) -> str:
    return "ok" if value >= target else "BELOW"


def report(rows: list[dict], have_ttnn: bool) -> list[str]:
    lines = []
    for r in rows:
        label = f"{fmt_size(r['bytes'])} {r['layout']} {r['data_type']}"
        for d in ("h2d", "d2h"):
            note = f"target >= {MEMCPY_TARGET}x: {verdict(r[f'{d}_vs_memcpy'], MEMCPY_TARGET)}"
            lines.append(ratio_line(f"conversion {d.upper()} {label}: throughput vs memcpy", r[f"{d}_vs_memcpy"], note))
            if have_ttnn:
                note = f"target >= {TTNN_TARGET}x: {verdict(r[f'{d}_vs_ttnn'], TTNN_TARGET)}"
                lines.append(ratio_line(f"conversion {d.upper()} {label}: speed vs ttnn", r[f"{d}_vs_ttnn"], note))
    return lines


def to_markdown(data: dict, plot_name: str | None) -> str:
    env, have_ttnn = data["environment"], data["ttnn"] is not None
    header = ["size", "format", "physical", "memcpy GB/s", "H2D GB/s", "H2D vs memcpy", "D2H GB/s", "D2H vs memcpy"]
    if have_ttnn:
        header += ["ttnn H2D GB/s", "H2D vs ttnn", "ttnn D2H GB/s", "D2H vs ttnn"]
    table = []
    for r in data["rows"]:
        row = [fmt_size(r["bytes"]), f"{r['layout']} {r['data_type']}", fmt_size(r["physical_bytes"]),
               f"{r['memcpy_GBps']:.1f}", f"{r['h2d_GBps']:.1f}", f"{r['h2d_vs_memcpy']:.2f}x",
               f"{r['d2h_GBps']:.1f}", f"{r['d2h_vs_memcpy']:.2f}x"]
        if have_ttnn:
            row += [f"{r['ttnn_h2d_GBps']:.2f}", f"{r['h2d_vs_ttnn']:.1f}x", f"{r['ttnn_d2h_GBps']:.2f}",
                    f"{r['d2h_vs_ttnn']:.1f}x"]
        table.append(row)
    md = ["# Format conversion throughput\n\n",
          f"`python -m benchmarks.conversions{' --quick' if data['quick'] else ''}` on the reference device "
          f"({env['device']}; torch {env['torch']}; {env['cpus']} CPUs shared with other jobs; "
          f"{env['torch_threads']} torch thread; {env['time']}; kernels: {data['kernels']}). "
          "GB/s of logical float32 host bytes. H2D is `dev.copy_(host)` into a storage of the format, D2H "
          "`host.copy_(dev)`; memcpy is libc `memmove` of the same bytes; ttnn is the real package's host "
          "conversion of the same tensor (`ttnn.from_torch(t, dtype, layout)` / `ttnn.to_torch`). "
          "\"vs memcpy\" is throughput relative to memcpy (target >= 0.7x), \"vs ttnn\" how many times "
          "faster than ttnn (target >= 5x); both are medians of per-repeat ratios of interleaved timings.\n\n",
          markdown_table(header, table)]
    if not have_ttnn:
        md.append(f"\nttnn was not measured: {data['ttnn_reason']}\n")
    md.append("\n## Partial access\n\nOne element or one row of a TILE BFLOAT8_B storage against converting the "
              "whole storage in the same direction (target: one element at most 1/100). An access's time is the mean "
              "of 20 calls in a row, timed right after a whole conversion: the first of them refills the caches "
              "that conversion evicted (about 50 us on these machines, as much for a bare view as for a read).\n\n")
    md.append(markdown_table(["storage", "access", "time", "whole conversion", "fraction"],
                             [[fmt_size(p["bytes"]), p["case"], fmt_time(p["time_s"]), fmt_time(p["whole_s"]),
                               f"1/{1 / p['fraction']:.0f}"] for p in data["partial"]]))
    if plot_name:
        md.append(f"\n![conversion throughput]({plot_name})\n")
    md.append("\n```\n" + "\n".join(data["ratio_lines"]) + "\n```\n\n" + data["summary"] + "\n")
    return "".join(md)


def plot(data: dict, path: Path) -> Path | None:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    sizes = sorted({r["bytes"] for r in data["rows"]})
    fig, axes = plt.subplots(1, len(sizes), figsize=(6 * len(sizes), 4.5), squeeze=False)
    for ax, size in zip(axes[0], sizes):
        rows = [r for r in data["rows"] if r["bytes"] == size]
        labels = [f"{r['layout'][:4]}\n{r['data_type']}" for r in rows]
        series = [("ttnn_device H2D", "h2d_GBps"), ("ttnn_device D2H", "d2h_GBps")]
        if data["ttnn"] is not None:
            series += [("ttnn H2D", "ttnn_h2d_GBps"), ("ttnn D2H", "ttnn_d2h_GBps")]
        width = 0.8 / len(series)
        for i, (name, key) in enumerate(series):
            ax.bar([x + (i - (len(series) - 1) / 2) * width for x in range(len(rows))], [r[key] for r in rows],
                   width, label=name)
        memcpy = sorted(r["memcpy_GBps"] for r in rows)[len(rows) // 2]
        ax.axhline(memcpy, color="black", linestyle="--", linewidth=1, label=f"memcpy (median {memcpy:.1f})")
        ax.axhline(memcpy * MEMCPY_TARGET, color="grey", linestyle=":", linewidth=1, label="0.7x memcpy")
        ax.set_xticks(range(len(rows)), labels, fontsize=8)
        ax.set_ylabel("GB/s (logical float32 bytes)")
        ax.set_title(f"{fmt_size(size)}, one thread")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def run(quick: bool) -> dict:
    torch.set_num_threads(1)
    ttnn, reason = load_ttnn()
    env = environment()
    kernels = ttnn_device._C._conversion_kernels() if hasattr(ttnn_device._C, "_conversion_kernels") else "?"
    print(f"format conversions ({'quick' if quick else 'full'}): {env['device']}, kernels {kernels}, "
          f"ttnn {'measured' if ttnn else 'not measured (' + reason + ')'}")
    rows = measure(quick, ttnn)
    lines = report(rows, ttnn is not None)
    partial = partial_access(quick)
    for p in partial:
        lines.append(ratio_line(f"partial {fmt_size(p['bytes'])} TILE BFLOAT8_B: {p['case']} / whole conversion",
                                p["fraction"], f"target <= 1/{PARTIAL_TARGET:.0f}: "
                                + ("ok" if p["fraction"] <= 1 / PARTIAL_TARGET else "ABOVE")))
    for line in lines:
        print(line)
    below_memcpy = sum(1 for r in rows for d in ("h2d", "d2h") if r[f"{d}_vs_memcpy"] < MEMCPY_TARGET)
    summary = (f"SUMMARY conversions ({'quick' if quick else 'full'}): {2 * len(rows)} conversions; "
               f"{2 * len(rows) - below_memcpy} at >= {MEMCPY_TARGET}x memcpy (min "
               f"{min(r[f'{d}_vs_memcpy'] for r in rows for d in ('h2d', 'd2h')):.2f}x)")
    if ttnn is not None:
        slow = sum(1 for r in rows for d in ("h2d", "d2h") if r[f"{d}_vs_ttnn"] < TTNN_TARGET)
        summary += (f"; {2 * len(rows) - slow} at >= {TTNN_TARGET}x ttnn's speed (min "
                    f"{min(r[f'{d}_vs_ttnn'] for r in rows for d in ('h2d', 'd2h')):.1f}x)")
    summary += "; one element of a TILE BFLOAT8_B storage costs 1/" + f"{1 / partial[0]['fraction']:.0f} of converting it"
    print(summary)
    return {"quick": quick, "partial": partial, "environment": env, "kernels": kernels, "ttnn": getattr(ttnn, "__version__", "?") if ttnn else None,
            "ttnn_reason": reason, "rows": rows, "ratio_lines": lines, "summary": summary}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="64 KiB and 1 MiB, few repeats")
    parser.add_argument("--out", default=None, help="results folder (default benchmarks/results)")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/conversions.md and its plot")
    args = parser.parse_args(argv)
    data = run(args.quick)
    name = "conversions_quick" if args.quick else "conversions"
    docs = None if (args.quick or args.no_docs) else DOCS_DIR / "conversions.md"
    plot_path = plot(data, DOCS_DIR / "conversions.png") if docs else None
    paths = write_results(name, data, to_markdown(data, plot_path.name if plot_path else None), args.out, docs)
    if plot_path:
        paths.append(plot_path)
    print("wrote " + ", ".join(str(p) for p in paths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
