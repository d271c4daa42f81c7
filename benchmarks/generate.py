"""Text generation on the device: GPT-2, Llama and Qwen2 (the zoo's `*_generate` models, random weights)
run `generate()` greedily and with sampling from a fixed seed, on the CPU and on ttnn in each numerics
mode, with the KV cache.

Per run: the new tokens' agreement with the CPU's, the ops that ran on the CPU (fallback calls), the
device->host reads per new token, and whether a second run from the same seed repeats the tokens.
Sampling draws its noise from the CPU generator's engine run on the device, so with the same seed the
sampled tokens can be the CPU's; each sampled token is also checked on its own: it must be one the CPU's
logits processors (temperature, top-k, top-p) allow after the same prefix, computed by the CPU model on
the device's sequence.

    python -m benchmarks.generate [--models a,b] [--new-tokens N] [--out DIR] [--no-docs]

Writes benchmarks/results/generate.{json,md} and (unless --no-docs) docs/generation.md.
"""

from __future__ import annotations

import argparse
import sys
import time

import torch

import ttnn_device

from .accuracy_common import DOCS_DIR, environment, markdown_table, write_results
from .harness import catalog, trees

MODELS = ("gpt2_generate", "llama_2layer_generate", "qwen2_2layer_generate")
SAMPLING = dict(temperature=0.8, top_k=50, top_p=0.95)
SEED = 1234


def generate(model, inputs, new_tokens: int, sampling: bool) -> torch.Tensor:
    torch.manual_seed(SEED)
    options = dict(do_sample=True, **SAMPLING) if sampling else dict(do_sample=False)
    return model.generate(**inputs, **options, num_beams=1, max_new_tokens=new_tokens, min_new_tokens=new_tokens,
                          use_cache=True)


def allowed_by_cpu(cpu_model, sequences: torch.Tensor, prompt: int) -> torch.Tensor:
    """For each new token of `sequences` (CPU), whether the CPU's sampling processors give it a nonzero
    probability after its prefix (one CPU forward over the whole sequence, no cache)."""
    from transformers import LogitsProcessorList, TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper

    warpers = LogitsProcessorList([TemperatureLogitsWarper(SAMPLING["temperature"]), TopKLogitsWarper(SAMPLING["top_k"]),
                                   TopPLogitsWarper(SAMPLING["top_p"])])
    with torch.no_grad():
        logits = cpu_model(input_ids=sequences, use_cache=False).logits
    verdicts = []
    for position in range(prompt, sequences.shape[1]):
        scores = warpers(sequences[:, :position], logits[:, position - 1].float())
        verdicts.append(torch.isfinite(scores.gather(1, sequences[:, position:position + 1])).squeeze(1))
    return torch.stack(verdicts, 1)


def measure(spec, new_tokens: int) -> list[dict]:
    cpu_model = spec.build()
    inputs = spec.inputs(spec.batch)
    prompt = inputs["input_ids"].shape[1]
    reference = {sampling: generate(cpu_model, inputs, new_tokens, sampling) for sampling in (False, True)}
    device_model = spec.build().to("ttnn")
    device_inputs = trees.to_device(inputs, "ttnn")
    rows = []
    previous = ttnn_device.get_numerics()
    try:
        for mode in ("exact", "tt"):
            ttnn_device.set_numerics(mode)
            for sampling in (False, True):
                ttnn_device.reset_fallback_counts()
                reads_before = ttnn_device.transfer_counts()["device_to_host"]["count"]
                start = time.perf_counter()
                tokens = generate(device_model, device_inputs, new_tokens, sampling)
                seconds = time.perf_counter() - start
                reads = ttnn_device.transfer_counts()["device_to_host"]["count"] - reads_before
                fallbacks = dict(ttnn_device.fallback_counts())
                tokens = tokens.cpu()
                again = generate(device_model, device_inputs, new_tokens, sampling).cpu()
                new, expected = tokens[:, prompt:], reference[sampling][:, prompt:]
                row = dict(model=spec.name, numerics=mode, decoding="sampling" if sampling else "greedy",
                           cpu_match=float((new == expected).float().mean()), ops_on_cpu=sum(fallbacks.values()),
                           fallbacks=fallbacks, reads_per_token=reads / new_tokens, repeats=torch.equal(tokens, again),
                           seconds=seconds, tokens=new.tolist(), cpu_tokens=expected.tolist())
                if sampling:
                    row["allowed_by_cpu"] = float(allowed_by_cpu(cpu_model, tokens, prompt).float().mean())
                rows.append(row)
                print(f"{spec.name} {mode} {row['decoding']}: tokens {100 * row['cpu_match']:.0f}% the CPU's, "
                      f"{row['ops_on_cpu']} ops on the CPU, {row['reads_per_token']:.2f} reads/token, "
                      f"repeats {row['repeats']}"
                      + (f", {100 * row['allowed_by_cpu']:.0f}% allowed by the CPU's processors" if sampling else ""),
                      flush=True)
    finally:
        ttnn_device.set_numerics(previous)
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--new-tokens", type=int, default=16)
    parser.add_argument("--out", default=None, help="directory for the JSON and markdown (default benchmarks/results)")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/generation.md")
    args = parser.parse_args(argv)

    rows = []
    for name in args.models.split(","):
        rows.extend(measure(catalog.find(name), args.new_tokens))
    ok = all(r["ops_on_cpu"] == 0 and r["repeats"] for r in rows)
    ok &= all(r["cpu_match"] == 1.0 for r in rows if r["decoding"] == "greedy" and r["numerics"] == "exact")
    ok &= all(r["allowed_by_cpu"] == 1.0 for r in rows if r["decoding"] == "sampling" and r["numerics"] == "exact")
    table = [[r["model"], r["numerics"], r["decoding"], f"{100 * r['cpu_match']:.0f}%",
              f"{100 * r['allowed_by_cpu']:.0f}%" if "allowed_by_cpu" in r else "",
              "yes" if r["repeats"] else "NO", r["ops_on_cpu"], f"{r['reads_per_token']:.2f}", f"{r['seconds']:.2f}"]
             for r in rows]
    markdown = (
        "# Generation on the device\n\n"
        f"`python -m benchmarks.generate` ({environment()['time']}). `generate()` of the zoo's GPT-2, Llama and "
        f"Qwen2 models (random weights, {args.new_tokens} new tokens, KV cache, batch 1), greedy and sampling "
        f"({', '.join(f'{k}={v}' for k, v in SAMPLING.items())}) after `torch.manual_seed({SEED})`, on the CPU and on "
        "ttnn in each numerics mode.\n\n"
        "*tokens = CPU's*: the fraction of new tokens equal to the CPU run's. Sampling draws its noise from "
        "the CPU generator's engine (the Mersenne Twister) computed on the device, so a seed gives the CPU's "
        "draws (exponential draws within 1 ulp of the CPU's float32 values); *allowed by the CPU* "
        "is the fraction of sampled tokens the CPU's own processors give a nonzero probability after the same "
        "prefix (the CPU model run on the device's sequence). *repeats*: a second run from the same seed gave "
        "the same tokens. *ops on the CPU*: fallback calls in the run. *reads / token*: device->host reads "
        "(`item()`-style syncs of the stopping criteria) per new token.\n\n"
        + markdown_table(["model", "numerics", "decoding", "tokens = CPU's", "allowed by the CPU", "repeats",
                          "ops on the CPU", "reads / token", "seconds"], table)
    )
    data = {"meta": {**environment(), "new_tokens": args.new_tokens, "sampling": SAMPLING, "seed": SEED}, "rows": rows}
    written = write_results("generate", data, markdown, args.out, None if args.no_docs else DOCS_DIR / "generation.md")
    print("wrote " + ", ".join(str(p) for p in written))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
