"""The reference device's ops against TT-NN's own golden functions (`ttnn.get_golden_function`): the same
random inputs (several shapes, each float dtype, parameter variants) through our vocabulary op and
through TT-NN's torch reference. Exact numerics must agree within TT-NN's comparison PCC (0.9999) and one
rounding of the output dtype; tt numerics within the budgets of TT-NN's fidelity and flushing."""

from __future__ import annotations

import math

import pytest
import torch

import ttnn_device

SHAPES = [(7,), (3, 5), (2, 33, 40), (2, 3, 32, 64)]
DTYPES = [torch.float32, torch.bfloat16]
TT = {torch.float32: "FLOAT32", torch.bfloat16: "BFLOAT16"}


def rand(shape, dtype, seed, positive=False, nonzero=False):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(shape, generator=g)
    if positive:
        x = x.abs() + 0.1
    if nonzero:
        x = torch.where(x.abs() < 0.1, torch.full_like(x, 0.5), x)
    return x.to(dtype)


def pcc(a, b):
    a, b = a.double().flatten(), b.double().flatten()
    if a.numel() < 2 or torch.equal(a, b):
        return 1.0
    a, b = a - a.mean(), b - b.mean()
    denominator = a.norm() * b.norm()
    return 1.0 if denominator == 0 else float((a @ b) / denominator)


TILE_ONLY = {row["op"] for row in ttnn_device.op_table() if row["layouts"] == ["TILE"]}


def ours(op, **kwargs):
    # Inputs in a layout the op accepts (the table's): TILE for the ops TT-NN runs only on tiles.
    def on_device(v):
        if isinstance(v, torch.Tensor):
            t = v.to("ttnn")
            return ttnn_device.set_physical_format(t, "TILE") if op in TILE_ONLY and t.dim() >= 1 else t
        if isinstance(v, list) and v and isinstance(v[0], torch.Tensor):
            return [on_device(t) for t in v]
        return v

    args = {k: on_device(v) for k, v in kwargs.items()}
    return [t.cpu() for t in ttnn_device._C._call_op(op, args)]


BINARY = ["add", "subtract", "multiply", "divide", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge",
          "logical_and", "logical_or", "logical_xor"]
UNARY = {"relu": {}, "silu": {}, "sigmoid": {}, "tanh": {}, "exp": {}, "log": {"positive": True},
         "log2": {"positive": True}, "log1p": {"positive": True}, "sqrt": {"positive": True},
         "rsqrt": {"positive": True}, "reciprocal": {"nonzero": True}, "neg": {}, "abs": {}, "sign": {},
         "square": {}, "erf": {}, "floor": {}, "ceil": {}, "trunc": {}, "sin": {}, "cos": {},
         "hardswish": {}, "hardsigmoid": {}, "mish": {}, "gelu": {}, "isnan": {}, "isinf": {},
         "isfinite": {}, "logical_not": {}}


def cases():
    seed = 0
    for dtype in DTYPES:
        for shape in SHAPES:
            seed += 1
            for op in BINARY:
                a = rand(shape, dtype, seed)
                b = rand(shape[-1:], dtype, seed + 1, nonzero=op == "divide")
                yield op, dtype, shape, dict(input_tensor_a=a, input_tensor_b=b), (a, b), {}
            for op, kind in UNARY.items():
                x = rand(shape, dtype, seed, **kind)
                yield op, dtype, shape, dict(input_tensor=x), (x,), {}
            x = rand(shape, dtype, seed)
            yield "softmax", dtype, shape, dict(input_tensor=x, dim=-1), (x,), dict(dim=-1)
            yield "scale_mask_softmax", dtype, shape, dict(input_tensor=x, scale=0.125), (x, 0.125), {}
            if len(shape) >= 2:  # a mask broadcast over the rows, as attention's padding masks are
                mask = (rand(shape[-1:], torch.bfloat16, seed + 10) > 0.5).to(torch.bfloat16) * -1e4
                yield ("scale_mask_softmax", dtype, shape, dict(input_tensor=x, scale=0.3, mask=mask),
                       (x, 0.3, mask), {})
            for dim in (0, len(shape) - 1):
                yield "moreh_logsoftmax", dtype, shape, dict(input_tensor=x, dim=dim), (x, dim), {}
            for dim in (0, -1):
                for keepdim in (False, True):
                    for op in ("sum", "mean", "max", "min"):
                        yield op, dtype, shape, dict(input_tensor=x, dim=[dim], keepdim=keepdim), (x,), dict(dim=dim, keepdim=keepdim)
            w, b = rand(shape[-1:], dtype, seed + 2), rand(shape[-1:], dtype, seed + 3)
            yield "layer_norm", dtype, shape, dict(input_tensor=x, weight=w, bias=b, epsilon=1e-5), (x,), dict(weight=w, bias=b, epsilon=1e-5)
            yield "rms_norm", dtype, shape, dict(input_tensor=x, weight=w, epsilon=1e-5), (x,), dict(weight=w, epsilon=1e-5)
            k = shape[-1]
            m = rand((k, 24), dtype, seed + 4)
            bias = rand((24,), dtype, seed + 5)
            yield "matmul", dtype, shape, dict(input_tensor_a=x, input_tensor_b=m), (x, m), {}
            yield "linear", dtype, shape, dict(input_tensor_a=x, input_tensor_b=m, bias=bias), (x, m), dict(bias=bias)
            yield "matmul", dtype, shape, dict(input_tensor_a=x, input_tensor_b=m.t().contiguous(), transpose_b=True), (x, m.t().contiguous()), dict(transpose_b=True)
            perm = list(reversed(range(len(shape))))
            yield "permute", dtype, shape, dict(input_tensor=x, dims=perm), (x, perm), {}
            yield "concat", dtype, shape, dict(tensors=[x, x], dim=len(shape) - 1), ([x, x],), dict(dim=len(shape) - 1)
            if len(shape) == 4:  # [B, H, S, D] with D a multiple of 32
                yield "transformer.concatenate_heads", dtype, shape, dict(input_tensor=x), (x,), {}
                ragged = rand((2, 3, 45, 32), dtype, seed + 8)  # S not a multiple of a tile
                yield "transformer.concatenate_heads", dtype, ragged.shape, dict(input_tensor=ragged), (ragged,), {}
                rows = rand((2, 45, 3 * 64), dtype, seed + 9)  # a fused q, k, v projection of 2 heads of 32
                split = dict(num_heads=2, transpose_key=False)
                yield ("transformer.split_query_key_value_and_split_heads", dtype, rows.shape,
                       dict(input_tensor=rows, **split), (rows,), split)
            yield "clamp", dtype, shape, dict(input_tensor=x, min=-0.5, max=0.7), (x,), dict(min=-0.5, max=0.7)
            p = rand(shape, dtype, seed + 6) > 0
            y = rand(shape, dtype, seed + 7)
            yield "where", dtype, shape, dict(predicate=p.to(dtype), true_value=x, false_value=y), (p.to(dtype), x, y), {}
            if len(shape) >= 2:
                yield "tril", dtype, shape, dict(input_tensor=x, diagonal=1), (x,), dict(diagonal=1)
                yield "triu", dtype, shape, dict(input_tensor=x, diagonal=-1), (x,), dict(diagonal=-1)


def more_cases():
    """Reductions, parametrised elementwise ops and data movement the kernels use, each with the
    argument spelling its golden function takes."""
    seed = 100
    for dtype in DTYPES:
        for shape in SHAPES[1:]:
            seed += 1
            x = rand(shape, dtype, seed)
            y = rand(shape, dtype, seed + 1)
            z = rand(shape, dtype, seed + 2, nonzero=True)
            w = rand(shape, dtype, seed + 3, positive=True)
            last = len(shape) - 1
            for op in ("var", "std"):
                for correction in (0, 1):
                    yield op, dtype, shape, dict(input_tensor=x, dim=[last], keepdim=True, correction=correction), (x,), dict(dim=last, keepdim=True, correction=correction)
            small = (x.float() * 0.2 + 1).to(dtype)
            yield "prod", dtype, shape, dict(input_tensor=small, dim=0, keepdim=True), (small,), dict(dim=0, keepdim=True)
            yield "argmax", dtype, shape, dict(input_tensor=x, dim=last, keepdim=False), (x,), dict(dim=last)
            yield "cumsum", dtype, shape, dict(input=x, dim=last), (x, last), {}
            yield "cumprod", dtype, shape, dict(input_tensor=small, dim=last), (small, last), {}
            yield "topk", dtype, shape, dict(input_tensor=x, k=2, dim=last, largest=True, sorted=True), (x, 2), dict(dim=last)
            yield "sort", dtype, shape, dict(input_tensor=x, dim=last, descending=True, stable=True), (x,), dict(dim=last, descending=True, stable=True)
            yield "fmod", dtype, shape, dict(input_tensor_a=x, input_tensor_b=z), (x, z), {}
            yield "hardtanh", dtype, shape, dict(input_tensor=x, min_val=-0.5, max_val=0.5), (x,), dict(min_val=-0.5, max_val=0.5)
            yield "leaky_relu", dtype, shape, dict(input_tensor=x, negative_slope=0.2), (x, 0.2), {}
            yield "elu", dtype, shape, dict(input_tensor=x, alpha=0.7), (x,), dict(alpha=0.7)
            yield "softplus", dtype, shape, dict(input_tensor=x, beta=2.0, threshold=10.0), (x,), dict(beta=2.0, threshold=10.0)
            yield "lerp", dtype, shape, dict(input=x, end=y, weight=0.3), (x, y, 0.3), {}
            yield "addcmul", dtype, shape, dict(input_a=x, input_b=y, input_c=z, value=0.5), (x, y, z), dict(value=0.5)
            yield "addcdiv", dtype, shape, dict(input_a=x, input_b=y, input_c=z, value=0.5), (x, y, z), dict(value=0.5)
            yield "mac", dtype, shape, dict(input_tensor_a=x, input_tensor_b=y, input_tensor_c=z), (x, y, z), {}
            if shape[-1] >= 2:  # a per-column scale and shift (a batch norm on a channels-last activation)
                row_b, row_c = w.reshape(-1)[: shape[-1]].clone(), y.reshape(-1)[: shape[-1]].clone()
                yield "mac", dtype, shape, dict(input_tensor_a=x, input_tensor_b=row_b, input_tensor_c=row_c), (x, row_b, row_c), {}
            yield "mac", dtype, shape, dict(input_tensor_a=x, input_tensor_b=0.75, input_tensor_c=-1.5), (x, 0.75, -1.5), {}
            reps = [2] + [1] * (len(shape) - 1)
            yield "repeat", dtype, shape, dict(input_tensor=x, repeat_dims=reps), (x, reps), {}
            flat_pad = [0, 0] * (len(shape) - 1) + [1, 2]
            pairs = [(0, 0)] * (len(shape) - 1) + [(1, 2)]
            yield "pad", dtype, shape, dict(input_tensor=x, padding=flat_pad, value=0.5), (x, pairs), dict(value=0.5)
            index = torch.randint(0, shape[-1], shape, generator=torch.Generator().manual_seed(seed))
            yield "gather", dtype, shape, dict(input=x, dim=last, index=index.int()), (x, last, index), {}
            # repeated indices: several src values summed into one element
            unique = torch.stack([torch.randperm(shape[-1], generator=torch.Generator().manual_seed(seed + i))
                                  for i in range(x.numel() // shape[-1])]).reshape(shape)  # one src per element
            yield "scatter", dtype, shape, dict(input=x, dim=last, index=unique.int(), src=y), (x, last, unique, y), {}
            yield "scatter_add", dtype, shape, dict(input=x, dim=last, index=index.int(), src=y), (x, last, index, y), {}
            yield "gelu_bw", dtype, shape, dict(grad_tensor=y, input_tensor=x), (y, x), {}
            one = x.narrow(0, 0, 1)
            target = [3] + list(shape[1:])
            yield "expand", dtype, shape, dict(input_tensor=one, output_shape=target), (one, target), {}
            yield "reshape", dtype, shape, dict(input_tensor=x, shape=[x.numel()]), (x, (x.numel(),)), {}
            yield "sqrt", dtype, shape, dict(input_tensor=w), (w,), {}


CASES = list(cases()) + list(more_cases())


def _id(case):
    op, dtype, shape = case[:3]
    return f"{op}-{str(dtype).split('.')[-1]}-{'x'.join(map(str, shape))}"


def _golden(real_ttnn, op, args, kwargs):
    obj = real_ttnn
    for part in op.split("."):
        obj = getattr(obj, part)
    return real_ttnn.get_golden_function(obj)(*args, **kwargs)


def _compare(mine, golden, dtype, pcc_min, ulps):
    golden = golden if isinstance(golden, torch.Tensor) else golden[0]
    assert tuple(mine.shape) == tuple(golden.shape), (mine.shape, golden.shape)
    a, b = mine.double(), golden.double()
    assert torch.equal(torch.isnan(a), torch.isnan(b))
    finite = torch.isfinite(b) & torch.isfinite(a)
    assert torch.equal(a[~finite].nan_to_num(), b[~finite].nan_to_num())
    eps = torch.finfo(dtype).eps
    tolerance = ulps * eps * b[finite].abs() + ulps * eps
    assert bool(((a[finite] - b[finite]).abs() <= tolerance).all()), float((a[finite] - b[finite]).abs().max())
    assert pcc(a[finite], b[finite]) >= pcc_min


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_exact_numerics_match_the_golden_function(real_ttnn, case):
    op, dtype, shape, our_kwargs, golden_args, golden_kwargs = case
    ttnn_device.set_numerics("exact")
    mine = ours(op, **our_kwargs)[0]
    golden = _golden(real_ttnn, op, golden_args, golden_kwargs)
    golden = golden[0] if isinstance(golden, (list, tuple)) else golden  # backward ops return a list
    # Reductions and normalisations accumulate in another order than the golden: a few roundings.
    exact_ops = ("permute", "concat", "transformer.concatenate_heads", "transformer.split_query_key_value_and_split_heads",
                 "clamp", "where", "tril", "triu", "fmod", "hardtanh", "leaky_relu", "elu",
                 "softplus", "lerp", "addcmul", "addcdiv", "mac", "repeat", "pad", "gather", "expand", "reshape", "argmax",
                 "scatter", "topk", "sort")
    ulps = 1 if op in BINARY or op in UNARY or op in exact_ops else 16 * math.ceil(math.log2(shape[-1] + 1))
    if dtype == torch.bfloat16 and op not in BINARY and op not in UNARY:
        ulps = max(ulps, 2)
    _compare(mine.to(golden.dtype) if golden.dtype != torch.bool else mine.bool(), golden, dtype, 0.9999, ulps)


TT_CASES = [c for c in CASES if c[0] in ("matmul", "linear") ]


@pytest.mark.parametrize("case", TT_CASES, ids=[_id(c) for c in TT_CASES])
def test_tt_numerics_matmul_within_fidelity_budget(real_ttnn, case):
    """tt numerics: FLOAT32 x FLOAT32 at HiFi4 reads operands as TF32 (10 and 9 mantissa bits); BFLOAT16 at
    HiFi2 reads activations with 6 bits: each product is within 2^-6 relative of the exact one."""
    op, dtype, shape, our_kwargs, golden_args, golden_kwargs = case
    ttnn_device.set_numerics("tt")
    try:
        mine = ours(op, **our_kwargs)[0].double()
    finally:
        ttnn_device.set_numerics("exact")
    golden = _golden(real_ttnn, op, tuple(t.double() for t in golden_args),
                     {k: (v.double() if isinstance(v, torch.Tensor) else v) for k, v in golden_kwargs.items()})
    a, b = golden_args
    k = a.shape[-1]
    bits = 9 if dtype == torch.float32 else 6
    # |error| <= sum_k |a||b| * 2^-bits (operand truncation) + output rounding.
    bound = (a.double().abs() @ (b.double().abs().t() if our_kwargs.get("transpose_b") else b.double().abs())) * 2.0 ** -bits
    bound = bound + torch.finfo(dtype).eps * golden.abs() + 1e-30
    assert bool(((mine - golden).abs() <= bound * 1.01).all())
    assert pcc(mine, golden) >= (0.9999 if dtype == torch.float32 else 0.999)
    if dtype == torch.float32:
        assert not torch.equal(mine, golden.float().double()) or k < 2  # the cut is visible, not a no-op
