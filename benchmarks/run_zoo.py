"""Runs the model zoo (or part of it) on ttnn, one subprocess per model, and writes the report.

    python -m benchmarks.run_zoo [names/tags/families...] [--dtypes float32,bfloat16] [--timeout S]
                                 [--numerics tt|exact] [--backends sim,ttnn] [--compile]
                                 [--out benchmarks/results/zoo.json] [--markdown docs/models.md]

Writes the JSON after every model (a killed run keeps what it has), then the markdown table, a PNG plot
beside it, and prints one summary line. `--report-only` re-renders markdown and plot from an existing JSON.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sys
import time
from pathlib import Path

from benchmarks.harness import catalog, isolate, markdown, plot, progress, results, summary

REPO = Path(__file__).resolve().parents[1]


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run_zoo", description=__doc__.splitlines()[0])
    parser.add_argument("selectors", nargs="*", help="model names, tags or families (default: the whole zoo)")
    parser.add_argument("--dtypes", default="float32,bfloat16")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per model before it is killed")
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "zoo.json"))
    parser.add_argument("--markdown", default=str(REPO / "docs" / "models.md"))
    parser.add_argument("--plot", default=None, help="PNG path (default: beside --markdown, same stem)")
    parser.add_argument("--specs", default=None, help="take models from this module or .py file's SPECS, not the zoo")
    parser.add_argument("--runs", type=int, default=3, help="timed rounds per dtype (one CPU and one ttnn call each)")
    parser.add_argument("--budget", type=float, default=5.0, help="seconds of timed rounds per dtype, at most")
    parser.add_argument("--threads", type=int, default=2, help="torch threads in each model's process")
    parser.add_argument("--numerics", choices=("tt", "exact"), default=None,
                        help="the device's numerics in each model's process (TTNN_DEVICE_NUMERICS; default: "
                             "as the environment says, unset meaning tt)")
    parser.add_argument("--no-train", action="store_true", help="skip the training step of train=True models")
    parser.add_argument("--backends", default=None,
                        help="comma-separated backends to run each model on, side by side (e.g. sim,ttnn; with "
                             "TTNN_DEVICE_EMULATE=1 the ttnn backend runs on the emulated device); the first "
                             "one fills the main table (default: the environment's backend only)")
    parser.add_argument("--compile", action="store_true",
                        help="run each model eagerly and compiled (torch.compile(model, backend=\"ttnn\")), side by "
                             "side; eager fills the main table")
    parser.add_argument("--report-only", action="store_true", help="re-render markdown and plot from --out")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    plot_path = Path(args.plot) if args.plot else Path(args.markdown).with_suffix(".png")
    if args.report_only:
        document = results.read(args.out)
    else:
        document = run(args, argv)
    Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
    Path(args.markdown).write_text(markdown.render(document), encoding="utf-8")
    written = plot.render(document, plot_path)
    print(closing_line(document, [args.out, args.markdown] + ([str(written)] if written else [])))
    return 0


def _stop_on_sigterm(signum, frame):
    raise KeyboardInterrupt  # a terminated run ends like an interrupted one: child killed, results written


def run(args, argv):
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    dtypes = [d for d in args.dtypes.split(",") if d]
    backends = [b for b in (args.backends or "").split(",") if b] or [None]
    # Each variant is measured in a process of its own: (name in the side-by-side table, backend, compiled).
    if args.compile:
        variants = [("eager", backends[0], False), ("compiled", backends[0], True)]
    else:
        variants = [(b, b, False) for b in backends]
    specs = catalog.select(args.selectors, args.specs)
    meta = results.context(REPO)
    meta.update(command="python -m benchmarks.run_zoo " + shlex.join(sys.argv[1:] if argv is None else argv),
                selectors=args.selectors, dtypes=dtypes, timeout_s=args.timeout, runs=args.runs,
                budget_s=args.budget, threads=args.threads, numerics=_requested_numerics(args),
                backends=[name for name, _, _ in variants if name], side_by_side="compile" if args.compile else "backend",
                elapsed_s=0.0,
                finished=False)
    document = {"meta": meta, "models": []}
    log_dir = Path(args.out).parent / "logs"
    bar = progress.Progress(len(specs))
    start = time.monotonic()
    try:
        for spec in specs:
            bar.begin(spec.name)
            model = None
            for name, backend, compiled in variants:
                measured = isolate.run(spec, catalog.origin(spec, args.specs), dtypes, log_dir, args.timeout,
                                       args.runs, args.budget, args.threads, not args.no_train and model is None,
                                       args.numerics, backend, compile_backend="ttnn" if compiled else None)
                if model is None:
                    model = measured
                if len(variants) > 1:
                    model.setdefault("backends", {})[name] = {"device": measured.get("device"),
                                                              "rows": measured["rows"]}
            document["models"].append(model)
            meta["elapsed_s"] = time.monotonic() - start
            results.write(args.out, document)
            bar.finish(spec.name, summary.model_line(model), model["wall_s"])
        meta["finished"] = True
    except KeyboardInterrupt:
        meta["interrupted"] = True  # keep and report what was measured
    finally:
        bar.close()
        meta["elapsed_s"] = time.monotonic() - start
        meta["load_average_end"] = results.load_average()
        results.write(args.out, document)
    return document


def _requested_numerics(args):
    """The mode the children are asked for (None: nobody asked, the device default applies); the rows
    record the mode each child actually ran in."""
    return args.numerics or os.environ.get("TTNN_DEVICE_NUMERICS") or None


def closing_line(document, paths):
    counts = summary.status_counts(document)
    shares = summary.native_share(document)
    parts = [f"{key} " + " ".join(f"{s} {bucket[s]}" for s in summary.STATUSES)
             + (f" native {summary.percent(shares[key]['share'])}" if key in shares else "")
             for key, bucket in counts.items()]
    parts = parts or ["no model measured"]
    low = len(summary.flagged(document))
    return (f"ttnn zoo: {len(document['models'])} models in {progress.fmt_duration(document['meta'].get('elapsed_s', 0))}"
            f" | " + " | ".join(parts) + f" | float32 PCC < {summary.PCC_THRESHOLD}: {low} | " + ", ".join(map(str, paths)))


if __name__ == "__main__":
    sys.exit(main())
