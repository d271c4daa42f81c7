"""ttnn_device.profile() on the demo's ResNet-18 (one forward, batch 2, 224x224) and on GPT-2 (the zoo's
gpt2_generate: `generate()` of 8 greedy tokens with the KV cache): the report a user would read.

    python -m benchmarks.profile_report [--models resnet18,gpt2] [--out DIR] [--no-docs]

Prints each model's table; writes benchmarks/results/profile_<model>.{json,trace.json} (the report as JSON,
and a Chrome trace for chrome://tracing or ui.perfetto.dev), benchmarks/results/profile.{json,md} and
(unless --no-docs) docs/profile.md.
"""

from __future__ import annotations

import argparse
import pathlib
import sys

import torch

import ttnn_device
from ttnn_device import demo

from .accuracy_common import DOCS_DIR, environment, write_results
from .harness import catalog, trees

RESULTS = pathlib.Path(__file__).resolve().parent / "results"


def resnet18():
    model, shape = demo.build("resnet18")
    x = torch.randn(2, *shape)
    model.to("ttnn")
    xd = x.to("ttnn")
    with torch.no_grad():
        model(xd)  # first call: weights take their device formats once; profile the steady state
        with ttnn_device.profile() as prof:
            model(xd).cpu()
    return prof


def gpt2():
    spec = catalog.find("gpt2_generate")
    model = spec.build().to("ttnn")
    inputs = trees.to_device(spec.inputs(spec.batch), "ttnn")
    options = dict(do_sample=False, num_beams=1, max_new_tokens=8, min_new_tokens=8, use_cache=True)
    model.generate(**inputs, **options)
    with ttnn_device.profile() as prof:
        model.generate(**inputs, **options).cpu()
    return prof


MODELS = {"resnet18": resnet18, "gpt2": gpt2}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--out", default=None, help="directory for the results (default benchmarks/results)")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/profile.md")
    parser.add_argument("--rows", type=int, default=15, help="aten ops shown per table")
    args = parser.parse_args(argv)
    out = pathlib.Path(args.out) if args.out else RESULTS
    out.mkdir(parents=True, exist_ok=True)
    sections, summaries = [], {}
    for name in args.models.split(","):
        torch.manual_seed(0)
        prof = MODELS[name]()
        table = prof.table(row_limit=args.rows)
        print(f"== {name}\n{table}\n", flush=True)
        prof.export_json(out / f"profile_{name}.json")
        prof.export_chrome_trace(out / f"profile_{name}.trace.json")
        summaries[name] = prof.summary()
        sections.append(f"## {name}\n\n```\n{table}\n```\n")
    markdown = (
        "# ttnn_device.profile() on real models\n\n"
        f"`python -m benchmarks.profile_report` ({environment()['time']}, {torch.ttnn.get_device_name()}). "
        "ResNet-18: one forward of the demo's model (batch 2, 224x224, random weights) after a warm-up call. "
        "GPT-2: `generate()` of 8 greedy tokens of the zoo's gpt2_generate (random weights, KV cache) after a "
        "warm-up call. Times are host wall-clock and include the profiler's own cost per aten op.\n\n"
        + "\n".join(sections))
    data = {"meta": environment(), "summaries": summaries}
    written = write_results("profile", data, markdown, out, None if args.no_docs else DOCS_DIR / "profile.md")
    print("wrote " + ", ".join(str(p) for p in written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
