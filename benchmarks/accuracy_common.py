"""Shared by the accuracy cases (digits CNN, MiniLM) and the microbenchmarks: agreement metrics, block-float
weight quantisation on the device, and writing results (JSON + markdown) under ``benchmarks/results/``."""

from __future__ import annotations

import copy
import json
import pathlib
import platform
import time

import torch

import ttnn_device

REPO = pathlib.Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO / "benchmarks" / "results"
DOCS_DIR = REPO / "docs"

BLOCK_FLOATS = ("BFLOAT8_B", "BFLOAT4_B")


# ---------------------------------------------------------------------------------------------- metrics

def pcc(a: torch.Tensor, b: torch.Tensor) -> float:
    """Pearson correlation of two tensors' values (flattened, in float64). 1.0 for identical constants."""
    a = a.detach().cpu().double().flatten()
    b = b.detach().cpu().double().flatten()
    if torch.equal(a, b):
        return 1.0
    a = a - a.mean()
    b = b - b.mean()
    denom = a.norm() * b.norm()
    if denom == 0:
        return float("nan")
    return float((a @ b) / denom)


def top1_agreement(logits: torch.Tensor, reference: torch.Tensor) -> float:
    """Share of rows whose argmax equals the reference's argmax."""
    return float((logits.argmax(-1) == reference.argmax(-1)).double().mean())


def max_abs_error(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a.detach().cpu().double() - b.detach().cpu().double()).abs().max())


# ---------------------------------------------------------------------------- block-float weight storage

def weight_parameters(model: torch.nn.Module):
    """(qualified name, module, parameter) of every weight matrix and convolution weight: the ``weight`` of
    each Linear and ConvNd. Biases, norms and embedding tables are left alone (TT-NN keeps those in
    bfloat16/float32 row-major or tile; block floats are for matmul and conv operands)."""
    for name, module in model.named_modules():
        if isinstance(module, (torch.nn.Linear, torch.nn.Conv1d, torch.nn.Conv2d, torch.nn.Conv3d)):
            yield f"{name}.weight" if name else "weight", module, module.weight


def store_weights_as(model: torch.nn.Module, data_type: str) -> int:
    """Re-lays every weight matrix / conv weight of a model that is already on ttnn out as TILE ``data_type``
    (its storage, exactly as TT-NN packs it: for block floats, one shared exponent per 16 values of a tile
    face row, along the parameter's last dimension). Returns the number of parameters converted."""
    count = 0
    for _, _, weight in weight_parameters(model):
        assert weight.device.type == "ttnn", "move the model to ttnn first"
        ttnn_device.set_physical_format(weight.data, "TILE", data_type)
        count += 1
    return count


def _as_ttnn_operand(module: torch.nn.Module, weight: torch.Tensor) -> torch.Tensor:
    """The weight rearranged into the matrix TT-NN's kernels consume: ``ttnn.linear`` takes ``[in, out]``
    (the transpose of torch's ``[out, in]``); ``ttnn.conv2d``'s prepared weight is
    ``[kh * kw * in, out]`` (rows ordered kernel row, kernel column, input channel)."""
    if isinstance(module, torch.nn.Linear):
        return weight.t().contiguous()
    o = weight.shape[0]
    return weight.permute(*range(2, weight.dim()), 1, 0).reshape(-1, o).contiguous()


def _from_ttnn_operand(module: torch.nn.Module, matrix: torch.Tensor, shape: torch.Size) -> torch.Tensor:
    if isinstance(module, torch.nn.Linear):
        return matrix.t().contiguous()
    o, i, *kernel = shape
    return matrix.reshape(*kernel, i, o).permute(len(kernel) + 1, len(kernel), *range(len(kernel))).contiguous()


def quantise_weights_as_ttnn_consumes(model: torch.nn.Module, data_type: str) -> int:
    """Rounds every weight matrix / conv weight of a CPU model to ``data_type`` in the layout TT-NN's
    kernels actually hold it in (see :func:`_as_ttnn_operand`), so that the 16 values sharing a block-float
    exponent are those TT-NN groups (16 consecutive output features / channels). The rounding itself is
    the device's (``set_physical_format`` on a ttnn copy of the rearranged matrix, read back); the
    parameter keeps its float32 storage. Returns the number of parameters converted."""
    count = 0
    with torch.no_grad():
        for _, module, weight in weight_parameters(model):
            assert weight.device.type == "cpu", "quantise the CPU model, then move it"
            operand = _as_ttnn_operand(module, weight).to("ttnn")
            ttnn_device.set_physical_format(operand, "TILE", data_type)
            weight.copy_(_from_ttnn_operand(module, operand.cpu(), weight.shape))
            count += 1
    return count


# ---------------------------------------------------------------------------------------------- output

def stored_weights_build(model: torch.nn.Module, data_type: str):
    """build() -> (model, device, dtype): a ttnn copy of `model` whose weights are stored in `data_type`,
    packed in torch's layout (store_weights_as)."""

    def build():
        m = copy.deepcopy(model).to("ttnn")
        store_weights_as(m, data_type)
        return m, "ttnn", torch.float32

    return build


def operand_weights_build(model: torch.nn.Module, data_type: str):
    """build() -> (model, device, dtype): a ttnn copy of `model` whose weights carry `data_type`'s rounding
    in the operand layout TT-NN's kernels hold (quantise_weights_as_ttnn_consumes)."""

    def build():
        m = copy.deepcopy(model)
        quantise_weights_as_ttnn_consumes(m, data_type)
        return m.to("ttnn"), "ttnn", torch.float32

    return build


def environment() -> dict:
    import numpy
    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": numpy.__version__,
        "machine": platform.machine(),
        "cpus": __import__("os").cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "device": torch.ttnn.get_device_name() if hasattr(torch.ttnn, "get_device_name") else "ttnn",
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def write_results(name: str, data: dict, markdown: str, out_dir: pathlib.Path | None = None,
                  docs_path: pathlib.Path | None = None) -> list[pathlib.Path]:
    """Writes ``<out_dir>/<name>.json`` and ``<out_dir>/<name>.md`` (default ``benchmarks/results/``) and,
    if given, the markdown to ``docs_path`` as well. Returns the paths written."""
    out_dir = pathlib.Path(out_dir) if out_dir is not None else RESULTS_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    json_path = out_dir / f"{name}.json"
    json_path.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")
    written.append(json_path)
    md_path = out_dir / f"{name}.md"
    md_path.write_text(markdown)
    written.append(md_path)
    if docs_path is not None:
        docs_path = pathlib.Path(docs_path)
        docs_path.parent.mkdir(parents=True, exist_ok=True)
        docs_path.write_text(markdown)
        written.append(docs_path)
    return written


def markdown_table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"
