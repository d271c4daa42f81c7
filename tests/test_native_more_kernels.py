"""Reductions (var/std, prod, arg and indexed max/min, norms, any/all, cumsum), rearrangements
(repeat, padding modes, flip, roll, gather), log_softmax / weight norm, ternary pointwise ops (lerp,
addcmul, addcdiv, clamp with tensor bounds) and unbatched pools against CPU PyTorch, with the
CPU fallback forbidden, in exact numerics, on contiguous and channels-last inputs."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

import ttnn_device


pytestmark = pytest.mark.usefixtures("exact_no_fallback")


def index_like(t):
    g = torch.Generator().manual_seed(3)
    return torch.randint(0, t.shape[-1], t.shape[:-1] + (3,), generator=g).to(t.device)


CASES = {
    "var": lambda t: t.var(1),
    "std_kept": lambda t: t.std((0, 2), correction=0, keepdim=True),
    "var_mean": lambda t: torch.var_mean(t, 2),
    "std_mean": lambda t: torch.std_mean(t, -1, correction=2),
    "prod": lambda t: t.prod(),
    "prod_dim": lambda t: t.prod(1, keepdim=True),
    "argmax": lambda t: t.argmax(),
    "argmax_dim": lambda t: t.argmax(1),
    "argmin_kept": lambda t: t.argmin(2, keepdim=True),
    "max_dim": lambda t: t.max(1),
    "min_dim": lambda t: tuple(t.min(0)),
    "max_all": lambda t: t.max(),
    "min_all": lambda t: t.min(),
    "norm2": lambda t: t.norm(dim=1),
    "norm1": lambda t: torch.linalg.vector_norm(t, 1),
    "norm_inf": lambda t: torch.linalg.vector_norm(t, float("inf"), dim=2),
    "norm3": lambda t: torch.linalg.vector_norm(t, 3, dim=(0, 1), keepdim=True),
    "any": lambda t: (t > 1).any(),
    "all_dim": lambda t: (t > -1).all(1),
    "any_dims": lambda t: t.any(dim=(0, 2)),
    "cumsum": lambda t: t.cumsum(1),
    "cumprod": lambda t: (t * 0.2 + 1).cumprod(2),
    "topk": lambda t: torch.topk(t, 3, dim=3),
    "topk_smallest": lambda t: torch.topk(t, 2, dim=1, largest=False),
    "sort": lambda t: torch.sort(t, dim=2, descending=True, stable=True),
    "argsort": lambda t: torch.argsort(t, dim=-1, stable=True),
    "repeat": lambda t: t.repeat(2, 1, 1, 3),
    "pad_constant": lambda t: F.pad(t, (1, 2, 0, 1), value=0.5),
    "pad_reflect1d": lambda t: F.pad(t[0], (2, 3), mode="reflect"),
    "pad_reflect2d": lambda t: F.pad(t, (2, 3, 1, 2), mode="reflect"),
    "pad_replicate2d": lambda t: F.pad(t, (2, 3, 1, 1), mode="replicate"),
    "flip": lambda t: t.flip(0, 2),
    "roll": lambda t: t.roll(2, 1),
    "roll_dims": lambda t: t.roll((1, -3), (0, 2)),
    "roll_flat": lambda t: t.roll(4),
    "gather": lambda t: t.gather(-1, index_like(t)),
    # several index tensors on adjacent dims (negative indices count from the end; shapes broadcast)
    "index_two": lambda t: t[torch.tensor([0, 1, 1], device=t.device), torch.tensor([2, -1, 0], device=t.device)],
    "index_broadcast": lambda t: t[:, torch.tensor([[0], [2]], device=t.device), torch.tensor([1, -2, 4], device=t.device)],
    "log_softmax": lambda t: F.log_softmax(t, 1),
    # three operands, broadcast against each other (t is [2, 3, 5, 7])
    "lerp_scalar": lambda t: torch.lerp(t, t.flip(0), 0.3),
    "lerp_tensor": lambda t: torch.lerp(t, t[:1] * 2, torch.sigmoid(t[..., :1])),
    "addcmul": lambda t: torch.addcmul(t, t[0], t[:, :, :1], value=-0.5),
    "addcdiv": lambda t: torch.addcdiv(t, t.flip(3), t.abs() + 1, value=2.0),
    "clamp_tensor": lambda t: torch.clamp(t, t[0] * 0.5, t[:, :1].abs() + 0.2),
    "clamp_min_tensor": lambda t: torch.clamp_min(t, t.mean(0, keepdim=True)),
    "clamp_max_tensor": lambda t: torch.clamp_max(t, t[..., :1]),
    "rsub": lambda t: torch.rsub(t, t[0], alpha=2),
    "floor_divide": lambda t: torch.floor_divide(t, t.flip(1).abs() + 0.5),
    "nan_to_num": lambda t: torch.nan_to_num(torch.where(t.abs() > 1, t / 0, t.log())),
    "nan_to_num_values": lambda t: torch.nan_to_num(torch.where(t.abs() > 1, t / 0, t.log()), 0.5, 7.0, -3.0),
    # unbatched [C, H, W] pools
    "max_pool2d_chw": lambda t: F.max_pool2d(t[0], 2, return_indices=True),
    "avg_pool2d_chw": lambda t: F.avg_pool2d(t[1], 2, stride=1),
    "adaptive_avg_pool2d_chw": lambda t: F.adaptive_avg_pool2d(t[0], (2, 3)),
}


def on_cpu_and_device(fn, x):
    expected = fn(x)
    actual = fn(x.to("ttnn"))
    expected = expected if isinstance(expected, tuple) else (expected,)
    actual = actual if isinstance(actual, tuple) else (actual,)
    return actual, expected


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("layout", ["contiguous", "channels_last"])
def test_matches_cpu(name, dtype, layout):
    torch.manual_seed(0)
    x = torch.randn(2, 3, 5, 7).to(dtype)
    if layout == "channels_last":
        x = x.to(memory_format=torch.channels_last)
    if name == "prod" or name == "prod_dim":
        x = (x.float() * 0.3 + 1).to(dtype)  # keep products well inside the range
    actual, expected = on_cpu_and_device(CASES[name], x)
    for a, e in zip(actual, expected):
        assert a.device.type == "ttnn"
        assert a.dtype == e.dtype and a.shape == e.shape
        tol = dict(atol=2e-2, rtol=2e-2) if dtype == torch.bfloat16 and e.is_floating_point() else dict(atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(a.cpu(), e, **tol)


def test_arg_reductions_pick_the_first_of_ties_and_nan():
    x = torch.tensor([[1.0, 3.0, 3.0, 0.0], [2.0, float("nan"), 5.0, float("nan")]])
    for fn in (lambda t: t.argmax(1), lambda t: t.argmin(1), lambda t: t.max(1).indices, lambda t: t.argmax()):
        assert torch.equal(fn(x.to("ttnn")).cpu(), fn(x))


def test_int64_results_hold_large_indices():
    x = torch.zeros(70000)
    x[69999] = 1.0
    out = x.to("ttnn").argmax()
    assert out.dtype == torch.int64 and int(out.cpu()) == 69999


def test_weight_norm_interface():
    v = torch.randn(4, 3, 5)
    g = torch.rand(4, 1, 1) + 0.5
    for dim in (0, 2):
        gd = g if dim == 0 else torch.rand(1, 1, 5) + 0.5
        w, norm = torch._weight_norm_interface(v.to("ttnn"), gd.to("ttnn"), dim)
        w_cpu, norm_cpu = torch._weight_norm_interface(v, gd, dim)
        torch.testing.assert_close(w.cpu(), w_cpu)
        torch.testing.assert_close(norm.cpu(), norm_cpu)


def test_integer_argmin_declines_with_its_reason():
    ttnn_device.set_fallback_mode("allow")
    x = torch.arange(12, dtype=torch.int32).reshape(3, 4)
    assert torch.equal(x.to("ttnn").argmin(1).cpu(), x.argmin(1))
    reasons = ttnn_device.fallback_reasons()
    assert any("argmin" in r for r in reasons.get("aten::argmin", {})), reasons


@pytest.mark.parametrize("dtype", [torch.int64, torch.int32, torch.uint8, torch.bool])
def test_integer_sums_into_int64_are_exact(dtype):
    """torch sums integers into int64; the device does so by the int64 running sum of the reduced dims."""
    g = torch.Generator().manual_seed(9)
    if dtype == torch.int64:
        x = torch.randint(-(2**62), 2**62, (6, 50, 7), generator=g)
    elif dtype == torch.int32:
        x = torch.randint(-(2**31), 2**31 - 1, (6, 50, 7), dtype=torch.int32, generator=g)
    else:
        x = torch.randint(0, 255, (6, 50, 7), generator=g).to(dtype)
    for fn in (torch.sum, lambda t: t.sum(1), lambda t: t.sum((0, 2), keepdim=True), lambda t: t.sum(-1)):
        actual, expected = fn(x.to("ttnn")).cpu(), fn(x)
        assert actual.dtype == expected.dtype == torch.int64 and torch.equal(actual, expected)
    assert torch.equal(torch.tensor(-(2**40)).to("ttnn").sum().cpu(), torch.tensor(-(2**40)))


UPSAMPLE = [dict(scale_factor=2, mode="nearest"), dict(size=(8, 11), mode="nearest"),
            dict(scale_factor=2.5, mode="nearest"), dict(size=(3, 4), mode="nearest"),
            dict(size=(8, 11), mode="bilinear"), dict(size=(8, 11), mode="bilinear", align_corners=True),
            dict(scale_factor=2, mode="bilinear"), dict(size=(3, 4), mode="bilinear"),
            dict(size=(8, 11), mode="bicubic"), dict(size=(10, 14), mode="bicubic", align_corners=True),
            dict(size=(3, 4), mode="bicubic")]


@pytest.mark.parametrize("kwargs", UPSAMPLE, ids=lambda k: "-".join(f"{a}={b}" for a, b in k.items()))
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("layout", ["contiguous", "channels_last"])
def test_upsampling_any_size_and_mode(kwargs, dtype, layout):
    torch.manual_seed(1)
    x = torch.randn(2, 3, 5, 7).to(dtype)
    if layout == "channels_last":
        x = x.to(memory_format=torch.channels_last)
    expected = F.interpolate(x, **kwargs)
    actual = F.interpolate(x.to("ttnn"), **kwargs)
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    # bfloat16: torch rounds bicubic's intermediate sums differently; one bfloat16 step at most.
    tol = dict(atol=0, rtol=0) if kwargs["mode"] == "nearest" else dict(atol=1e-5, rtol=1e-5)
    if dtype == torch.bfloat16 and kwargs["mode"] != "nearest":
        tol = dict(atol=1e-2, rtol=1e-2)
    torch.testing.assert_close(actual.cpu(), expected, **tol)


def _aten_calls(fn):
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        out = fn()
    return out, {e.key for e in prof.key_averages()}


@pytest.mark.parametrize("need_weights", [False, True])
def test_fused_multi_head_attention(need_weights):
    torch.manual_seed(0)
    mha = torch.nn.MultiheadAttention(32, 4, batch_first=True).eval()
    x = torch.randn(2, 9, 32)
    with torch.no_grad():
        expected = mha(x, x, x, need_weights=need_weights)
        mha.to("ttnn")
        xd = x.to("ttnn")
        actual, calls = _aten_calls(lambda: mha(xd, xd, xd, need_weights=need_weights))
    assert "aten::_native_multi_head_attention" in calls  # the fused path, on the device
    torch.testing.assert_close(actual[0].cpu(), expected[0], atol=1e-5, rtol=1e-5)
    if need_weights:
        torch.testing.assert_close(actual[1].cpu(), expected[1], atol=1e-6, rtol=1e-5)


SDPA_CASES = {
    # name: (q shape, k/v shape, mask maker, kwargs, path the device takes)
    "plain": ((2, 3, 33, 16), (2, 3, 33, 16), None, {}, "fused"),
    "cross_scaled": ((2, 3, 10, 8), (2, 3, 12, 8), None, {"scale": 0.3}, "fused"),
    "bool_mask": ((2, 3, 10, 8), (2, 3, 12, 8), lambda g: torch.rand(10, 12, generator=g) > 0.3, {}, "fused"),
    # batch 0's row 3 masks every key: the math path gives that row zeros, and so must the fused one
    "fully_masked_row": ((2, 3, 10, 8), (2, 3, 12, 8), "fully_masked", {}, "fused"),
    "float_mask": ((2, 3, 10, 8), (2, 3, 12, 8), lambda g: torch.randn(2, 3, 10, 12, generator=g), {}, "fused"),
    "three_dims": ((5, 10, 8), (5, 12, 8), None, {}, "fused"),
    # a score matrix over 8 MiB runs in blocks of queries (448 rows here: 448, 448, 204), the mask with them
    "long_blocked": ((1, 2, 1100, 16), (1, 2, 1100, 16), lambda g: torch.rand(1100, 1100, generator=g) > 0.2, {},
                     "fused"),
    "causal": ((2, 3, 10, 8), (2, 3, 10, 8), None, {"is_causal": True}, "fused"),
    "causal_fewer_queries": ((2, 3, 6, 8), (2, 3, 10, 8), None, {"is_causal": True}, "fused"),  # top-left aligned
    "causal_more_queries": ((2, 3, 12, 8), (2, 3, 7, 8), None, {"is_causal": True}, "fused"),
    "grouped_query": ((2, 4, 10, 8), (2, 2, 12, 8), None, {"enable_gqa": True}, "fused"),
    "grouped_query_causal": ((1, 6, 9, 8), (1, 2, 9, 8), None, {"enable_gqa": True, "is_causal": True}, "fused"),
    "heads_differ_without_gqa": ((2, 4, 10, 8), (2, 2, 12, 8), None, {}, "error"),
    "dropout": ((2, 3, 10, 8), (2, 3, 10, 8), None, {"dropout_p": 0.0}, "fused"),
}


def _sdpa_mask(maker, g):
    if maker == "fully_masked":
        mask = torch.rand(2, 1, 10, 12, generator=g) > 0.5
        mask[0, 0, 3] = False
        return mask
    return maker(g) if maker else None


@pytest.mark.parametrize("case", list(SDPA_CASES), ids=list(SDPA_CASES))
def test_scaled_dot_product_attention(case):
    """Inference SDPA takes the device's fused kernel (the overrideable backend); causal and grouped-query
    calls take the math path; both match the CPU."""
    q_shape, kv_shape, maker, kwargs, path = SDPA_CASES[case]
    g = torch.Generator().manual_seed(5)
    q, k, v = (torch.randn(s, generator=g) for s in (q_shape, kv_shape, kv_shape))
    mask = _sdpa_mask(maker, g)
    if path == "error":  # the CPU refuses it, and so does the device
        with pytest.raises(RuntimeError):
            F.scaled_dot_product_attention(q, k, v, attn_mask=mask, **kwargs)
        with pytest.raises(RuntimeError):
            F.scaled_dot_product_attention(q.to("ttnn"), k.to("ttnn"), v.to("ttnn"), **kwargs)
        return
    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, **kwargs)
    dev_mask = None if mask is None else mask.to("ttnn")
    ttnn_device.reset_fallback_counts()  # and the op counts
    actual, calls = _aten_calls(
        lambda: F.scaled_dot_product_attention(q.to("ttnn"), k.to("ttnn"), v.to("ttnn"), attn_mask=dev_mask, **kwargs))
    fused = "aten::_scaled_dot_product_fused_attention_overrideable" in calls
    assert fused == (path == "fused"), calls
    if fused:  # one softmax per block of queries; with no mask in between, the scale goes into it
        counts = ttnn_device.op_counts()
        masked = mask is not None or kwargs.get("is_causal", False)
        assert counts.get("softmax" if masked else "scale_mask_softmax", 0) == (3 if case == "long_blocked" else 1)
        if not masked:  # no pass of its own scales q
            assert counts.get("multiply", 0) == 0 and counts.get("softmax", 0) == 0, counts
    assert not actual.cpu().isnan().any()
    torch.testing.assert_close(actual.cpu(), expected, atol=2e-6, rtol=1e-5)


def test_scaled_dot_product_attention_with_gradients_takes_the_math_path():
    g = torch.Generator().manual_seed(6)
    q, k, v = (torch.randn(2, 3, 10, 8, generator=g) for _ in range(3))
    q.requires_grad_()
    dq = q.detach().to("ttnn").requires_grad_()
    out, calls = _aten_calls(lambda: F.scaled_dot_product_attention(dq, k.to("ttnn"), v.to("ttnn")))
    assert "aten::_scaled_dot_product_fused_attention_overrideable" not in calls
    ttnn_device.set_fallback_mode("allow")  # backward kernels are not all native yet; the forward was
    out.sum().backward()
    F.scaled_dot_product_attention(q, k, v).sum().backward()
    torch.testing.assert_close(dq.grad.cpu(), q.grad, atol=2e-6, rtol=1e-5)
    # bfloat16 computes in float32 and rounds once, as the math path does
    qb, kb, vb = (t.detach().to(torch.bfloat16) for t in (q, k, v))
    expected = F.scaled_dot_product_attention(qb.float(), kb.float(), vb.float()).to(torch.bfloat16)
    with torch.no_grad():
        actual = F.scaled_dot_product_attention(qb.to("ttnn"), kb.to("ttnn"), vb.to("ttnn"))
    assert actual.dtype == torch.bfloat16
    torch.testing.assert_close(actual.cpu(), expected, atol=1e-2, rtol=1e-2)


def test_scaled_dot_product_attention_respects_a_math_only_context():
    g = torch.Generator().manual_seed(7)
    q, k, v = (torch.randn(2, 3, 10, 8, generator=g) for _ in range(3))
    with torch.nn.attention.sdpa_kernel(torch.nn.attention.SDPBackend.MATH):
        out, calls = _aten_calls(lambda: F.scaled_dot_product_attention(q.to("ttnn"), k.to("ttnn"), v.to("ttnn")))
    assert "aten::_scaled_dot_product_fused_attention_overrideable" not in calls
    torch.testing.assert_close(out.cpu(), F.scaled_dot_product_attention(q, k, v), atol=2e-6, rtol=1e-5)


@pytest.mark.parametrize("need_weights", [False, True])
def test_fused_cross_attention_op(need_weights):
    """nn.MultiheadAttention takes the fused path for self-attention only; the op itself takes distinct
    query, key and value."""
    torch.manual_seed(0)
    e, heads = 32, 4
    q, kv = torch.randn(2, 9, e), torch.randn(2, 9, e)
    params = [torch.randn(3 * e, e) * 0.2, torch.randn(3 * e), torch.randn(e, e) * 0.2, torch.randn(e)]
    expected = torch._native_multi_head_attention(q, kv, kv * 0.5, e, heads, *params, None, need_weights)
    dev = [t.to("ttnn") for t in (q, kv, kv * 0.5, *params)]
    actual = torch._native_multi_head_attention(*dev[:3], e, heads, *dev[3:], None, need_weights)
    torch.testing.assert_close(actual[0].cpu(), expected[0], atol=1e-5, rtol=1e-5)
    if need_weights:
        torch.testing.assert_close(actual[1].cpu(), expected[1], atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_fused_transformer_encoder_layer(norm_first, activation):
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(32, 4, 64, batch_first=True, norm_first=norm_first,
                                             activation=activation).eval()
    x = torch.randn(2, 9, 32)
    with torch.no_grad():
        expected = layer(x)
        layer.to("ttnn")
        actual, calls = _aten_calls(lambda: layer(x.to("ttnn")))
    assert "aten::_transformer_encoder_layer_fwd" in calls
    torch.testing.assert_close(actual.cpu(), expected, atol=1e-5, rtol=1e-5)


INT64_VALUES = [0, 1, -1, 5, -7, 2**31 - 1, -2**31, 2**40 + 3, -(2**40) - 5, 2**62]


@pytest.mark.parametrize("to", [torch.int32, torch.bool, torch.float32, torch.bfloat16])
def test_int64_conversions_by_their_words(to):
    values = torch.tensor(INT64_VALUES, dtype=torch.int64)
    strided = torch.tensor(INT64_VALUES * 2, dtype=torch.int64).reshape(2, -1).t()  # a transposed view
    for v in (values, strided):
        assert torch.equal(v.to("ttnn").to(to).cpu(), v.to(to))


@pytest.mark.parametrize("src", [torch.tensor([True, False, True]), torch.tensor([3, -4, 2**31 - 1], dtype=torch.int32),
                                 torch.tensor([0, 200, 255], dtype=torch.uint8)], ids=["bool", "int32", "uint8"])
def test_conversions_into_int64(src):
    out = src.to("ttnn").long()
    assert out.dtype == torch.int64 and torch.equal(out.cpu(), src.long())


def test_conversion_to_bool_is_not_zero():
    x = torch.tensor([0.0, -0.0, 0.25, float("nan"), -3.0])
    assert torch.equal(x.to("ttnn").bool().cpu(), x.bool())


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_float_to_int64_truncates_exactly_over_the_whole_range(dtype):
    """Toward zero, as torch converts, for values whose words both matter (near and beyond 2^31, 2^32,
    negative ones whose low word reads as unsigned) up to 2^62."""
    magnitudes = torch.logspace(0, 62, 400, base=2.0)
    x = torch.cat([magnitudes, -magnitudes, torch.tensor([0.0, -0.0, 0.5, -0.5, -1.0, 1.99, -1.99, 2.0**31, -(2.0**31),
                                                          2.0**32 - 256, -(2.0**32) + 256, 2.0**63 * -1])]).to(dtype)
    assert torch.equal(x.to("ttnn").long().cpu(), x.long())
    assert torch.equal(x[7].to("ttnn").long().cpu(), x[7].long())  # 0-d


EDGE_INT64 = [0, 1, -1, 5, -7, 2**31 - 1, -2**31, 2**31, 2**32 - 1, 2**32, 2**40 + 3, -(2**40) - 5, 2**62,
              -(2**63), 2**63 - 1]
INT64_OPS = {"add": lambda x, y: x + y, "sub": lambda x, y: x - y, "mul": lambda x, y: x * y, "eq": torch.eq,
             "ne": torch.ne, "lt": torch.lt, "le": torch.le, "gt": torch.gt, "ge": torch.ge, "minimum": torch.minimum,
             "maximum": torch.maximum, "where": lambda x, y: torch.where(x > y, x, y)}


@pytest.mark.parametrize("name", list(INT64_OPS))
def test_int64_math_by_words_is_exact(name):
    """Carries, borrows, wrap-around and orderings across the word boundary, against the CPU."""
    fn = INT64_OPS[name]
    a = torch.tensor(EDGE_INT64)
    b = a.roll(3)
    for x, y in [(a, b), (a, a), (a[:, None], b[None, :]), (a[:-1:2], b[1::2])]:
        assert torch.equal(fn(x.to("ttnn"), y.to("ttnn")).cpu(), fn(x, y))
    if name not in ("minimum", "maximum"):  # these take no number
        for s in [0, 1, -1, 2**31, -(2**33) + 7]:
            assert torch.equal(fn(a.to("ttnn"), s).cpu(), fn(a, s))
    narrow = torch.tensor([3, -4, 7] * 5, dtype=torch.int32)
    assert torch.equal(fn(a.to("ttnn"), narrow.to("ttnn")).cpu(), fn(a, narrow))


def test_int64_products_wrap_as_int64_does():
    g = torch.Generator().manual_seed(0)
    a, b = torch.randint(-(2**62), 2**62, (500,), generator=g), torch.randint(-(2**62), 2**62, (500,), generator=g)
    assert torch.equal((a.to("ttnn") * b.to("ttnn")).cpu(), a * b)
    positions = torch.randint(0, 2048, (4, 64), generator=g)
    assert torch.equal((positions.to("ttnn") * 3).cpu(), positions * 3)


@pytest.mark.parametrize("fn", [torch.neg, torch.abs, lambda t: t.clone().neg_(), lambda t: torch.neg(t, out=torch.empty_like(t))],
                         ids=["neg", "abs", "neg_", "neg_out"])
def test_int64_neg_and_abs_by_words(fn):
    a = torch.tensor(EDGE_INT64)
    assert torch.equal(fn(a.to("ttnn")).cpu(), fn(a))


def test_where_of_bool_values_and_a_number_base_power():
    g = torch.Generator().manual_seed(1)
    a, b, c = (torch.rand(30, generator=g) > 0.5 for _ in range(3))
    assert torch.equal(torch.where(c.to("ttnn"), a.to("ttnn"), b.to("ttnn")).cpu(), torch.where(c, a, b))
    x = torch.randn(200, generator=g) * 3
    for base in (10000.0, 2.0, 0.5):  # TT-NN's pow of a one-element tensor of the base
        torch.testing.assert_close(torch.pow(base, x.to("ttnn")).cpu(), torch.pow(base, x), rtol=1e-6, atol=0)


@pytest.mark.parametrize("fn", [lambda t: t.clamp_min(0.1), lambda t: t.clone().clamp_min_(0.1), lambda t: t.clone().clamp_max_(0.2),
                                lambda t: t.clone().clamp_(-0.5, 0.5), lambda t: torch.clamp_max(t, 0.2, out=torch.empty_like(t)),
                                lambda t: torch.clamp(t, -0.1, out=torch.empty_like(t))],
                         ids=["clamp_min", "clamp_min_", "clamp_max_", "clamp_", "clamp_max_out", "clamp_out"])
def test_clamp_with_numbers_in_every_form(fn):
    x = torch.randn(40, generator=torch.Generator().manual_seed(2))
    assert torch.equal(fn(x.to("ttnn")).cpu(), fn(x))


@pytest.mark.parametrize("fn", [torch.floor_divide, torch.remainder, torch.fmod,
                                lambda x, y: torch.div(x, y, rounding_mode="trunc"), lambda x, y: x / y],
                         ids=["floor_divide", "remainder", "fmod", "div_trunc", "true_divide"])
def test_int64_division_by_words_is_exact(fn):
    """Quotients up to 2^62 and both signs of dividend, divisor and remainder (a FLOAT32 estimate refined by
    exact products), against the CPU; also with a number divisor and int64 / float mixes."""
    g = torch.Generator().manual_seed(4)
    a = torch.cat([torch.tensor(EDGE_INT64), torch.randint(-(2**62), 2**62, (200,), generator=g),
                   torch.randint(-1000, 1000, (200,), generator=g)])
    b = torch.cat([torch.tensor([1, -1, 3, -3, 7, 2**20, -(2**33), 5, 91, 2**31, -1, 13, 3, 2, -2]),
                   torch.randint(1, 2**40, (200,), generator=g), -torch.randint(1, 100, (200,), generator=g)])
    # Float results take int64 -> float32 conversions, which round twice for some values beyond 2^31 (the
    # words' sum): those compare on values below 2^24, where the conversion is exact.
    integral = fn(a[:2], b[:2]).dtype == torch.int64
    if not integral:
        a, b = a[-200:], b[-200:]
    assert torch.equal(fn(a.to("ttnn"), b.to("ttnn")).cpu(), fn(a, b))
    for divisor in (91, -7) if integral else (91, -7, 2.5):
        assert torch.equal(fn(a.to("ttnn"), divisor).cpu(), fn(a, divisor))
    if integral:
        small = a[-200:]
        assert torch.equal(fn(small.to("ttnn"), 2.5).cpu(), fn(small, 2.5))


def test_int64_in_place_add():
    x = torch.tensor([2**33, -4, 1])
    d = x.to("ttnn")
    d += 1
    x += 1
    assert torch.equal(d.cpu(), x)


def test_integer_floor_divide_rounds_down():
    a = torch.tensor([[7, -7, 9, -9]], dtype=torch.int32)
    b = torch.tensor([[2, 2, -4, -4]], dtype=torch.int32)
    out = torch.floor_divide(a.to("ttnn"), b.to("ttnn"))
    assert out.dtype == torch.int32 and torch.equal(out.cpu(), torch.floor_divide(a, b))


@pytest.mark.parametrize("dtype", [torch.int64, torch.float64])
def test_cat_of_64_bit_elements_moves_their_words(dtype):
    """No TT-NN data type holds int64 or float64, but concat moves their 32-bit words bit for bit."""
    a = torch.tensor([[1, 2**40], [-3, 5]]).to(dtype)
    b = torch.tensor([[7, -(2**35)]]).to(dtype)
    assert torch.equal(torch.cat([a.to("ttnn"), b.to("ttnn")]).cpu(), torch.cat([a, b]))
    assert torch.equal(torch.cat([a.to("ttnn"), a.to("ttnn").t()], 1).cpu(), torch.cat([a, a.t()], 1))


@pytest.mark.parametrize("dtype", [torch.int64, torch.float64])
def test_indexing_64_bit_elements_picks_their_words(dtype):
    x = ((torch.arange(24, dtype=torch.int64) * 2**33 - 5).reshape(4, 6)).to(dtype)
    idx, pos = torch.tensor([3, 0, -1, 2]), torch.tensor([3, 0, 5, 2])
    cases = [(lambda t, i: t[i], idx), (lambda t, i: t[:, i], idx), (lambda t, i: t.index_select(1, i), pos),
             (lambda t, i: t[i.reshape(2, 2)], idx)]
    for fn, i in cases:
        actual, expected = fn(x.to("ttnn"), i.to("ttnn")), fn(x, i)
        assert actual.dtype == expected.dtype and actual.shape == expected.shape
        assert torch.equal(actual.cpu(), expected)


def test_counts_of_bool_and_uint8_sum_exactly_into_int64():
    """torch sums bool/uint8 into int64; TT-NN's INT32 sum is exact for them (no partial sum reaches 2^31)."""
    mask = torch.rand(3, 70000, generator=torch.Generator().manual_seed(1)) > 0.5
    small = (torch.rand(2, 5, 7, generator=torch.Generator().manual_seed(2)) * 255).to(torch.uint8)
    cases = [(lambda t: t.sum(), mask), (lambda t: t.sum(1), mask), (lambda t: t.cumsum(1), mask),
             (lambda t: t.sum((0, 2), keepdim=True), small), (lambda t: t.cumsum(-1), small),
             (lambda t: t.sum(dtype=torch.int64), small), (lambda t: t.permute(2, 0, 1).cumsum(0), small)]
    for fn, x in cases:
        actual, expected = fn(x.to("ttnn")), fn(x)
        assert actual.dtype == expected.dtype == torch.int64 and actual.shape == expected.shape
        assert torch.equal(actual.cpu(), expected)


@pytest.mark.parametrize("dtype", [torch.int64, torch.float64])
def test_repeat_and_gather_of_64_bit_elements_move_their_words(dtype):
    x = ((torch.arange(24, dtype=torch.int64) * 2**33 - 5).reshape(4, 6)).to(dtype)
    index = torch.tensor([[0, 5, 2], [1, 1, 0], [3, 2, 4], [1, 0, 0]])
    cases = [lambda t: t.repeat(2, 1, 3), lambda t: t[0].repeat(3), lambda t: t.gather(1, index.to(t.device)),
             lambda t: t.gather(0, index[:, :2].remainder(4).to(t.device))]
    for fn in cases:
        actual, expected = fn(x.to("ttnn")), fn(x)
        assert actual.dtype == expected.dtype and actual.shape == expected.shape
        assert torch.equal(actual.cpu(), expected)


@pytest.mark.parametrize("fmt", [("ROW_MAJOR", "FLOAT32"), ("TILE", "FLOAT32"), ("TILE", "BFLOAT16"), ("TILE", "BFLOAT8_B")])
def test_embedding_picks_rows_of_a_table_in_any_stored_format(fmt):
    """A table held TILE (an output projection shares it) or as block floats gives the rows its stored
    values decode to, exactly; on the reference device an index out of range raises as the CPU's does."""
    torch.manual_seed(0)
    table = torch.randn(70, 48)
    ids = torch.tensor([[3, 69, 0, 3], [41, 7, 64, 33]])
    on_device = table.to("ttnn")
    ttnn_device.set_physical_format(on_device, *fmt)
    stored = on_device.cpu()  # what the stored format holds (rounded for bfloat16 and block floats)
    got = torch.nn.functional.embedding(ids.to("ttnn"), on_device)
    assert got.device.type == "ttnn"
    assert torch.equal(got.cpu(), torch.nn.functional.embedding(ids, stored))
    if ttnn_device.backend_info()["backend"] == "sim":  # a card does not check indices
        with pytest.raises(IndexError):
            torch.nn.functional.embedding(torch.tensor([70]).to("ttnn"), on_device).cpu()


def test_generation_integer_ops_run_on_the_device_exactly():
    """What generate() does with token ids, masks and stopping flags: int64 / bool bitwise ops, max/min of
    int64, int64 cumsum (exact across the 32-bit words, also where it wraps) and masked_fill of int64."""
    g = torch.Generator().manual_seed(5)
    flags, flags2 = torch.tensor([True, False, True, False]), torch.tensor([True, True, False, False])
    ones = torch.tensor([1, 1, 0, 1])
    big, big2 = torch.randint(-2**62, 2**62, (3, 40), generator=g), torch.randint(-2**62, 2**62, (3, 40), generator=g)
    wraps = torch.full((6,), 2**63 - 2)
    cases = [
        lambda f, f2, o, b, b2, w: (f & ~f2, o & ~f, f | f2, f ^ f2),
        lambda f, f2, o, b, b2, w: (b & b2, b | 7, b ^ -1, ~b, b2 & f2[:1]),
        lambda f, f2, o, b, b2, w: (b.max(), b.min(), o.max(), o[2:3].max(), b[:, :1].min()),
        lambda f, f2, o, b, b2, w: (b.cumsum(1), b.cumsum(0), o.cumsum(0), f.cumsum(0), o.int().cumsum(0), w.cumsum(0)),
        lambda f, f2, o, b, b2, w: b.clone().masked_fill_(b > 0, -2**40),
    ]
    args = (flags, flags2, ones, big, big2, wraps)
    for fn in cases:
        expected = fn(*args)
        actual = fn(*(a.to("ttnn") for a in args))
        expected = expected if isinstance(expected, tuple) else (expected,)
        actual = actual if isinstance(actual, tuple) else (actual,)
        for a, e in zip(actual, expected):
            assert a.dtype == e.dtype and torch.equal(a.cpu(), e)


@pytest.mark.parametrize("fn", [torch.sum, torch.mean, torch.amax, lambda t: torch.argmax(t), lambda t: t.any(),
                                lambda t: torch.sum(t, dim=0, keepdim=True), lambda t: torch.amax(t, dim=-1),
                                lambda t: torch.argmax(t, dim=0, keepdim=True)],
                         ids=["sum", "mean", "amax", "argmax", "any", "sum_dim_keepdim", "amax_dim", "argmax_dim_keepdim"])
def test_reductions_of_a_0d_tensor_stay_0d(fn):
    x = torch.tensor(-2.5)
    actual = fn(x.to("ttnn")).cpu()
    expected = fn(x)
    assert actual.shape == expected.shape == () and actual.dtype == expected.dtype and torch.equal(actual, expected)


def test_index_add_and_the_gradient_of_index_select():
    x, source = torch.zeros(5, 3), torch.arange(12.0).reshape(4, 3)
    index = torch.tensor([4, 0, 4, 2])
    assert torch.equal(x.to("ttnn").index_add(0, index.to("ttnn"), source.to("ttnn"), alpha=2).cpu(),
                       x.index_add(0, index, source, alpha=2))
    table = torch.randn(5, 3, generator=torch.Generator().manual_seed(8))
    leaves = [table.clone().requires_grad_(), table.clone().to("ttnn").requires_grad_()]
    for t in leaves:
        (t.index_select(0, index.to(t.device)) * source.to(t.device)).sum().backward()
    torch.testing.assert_close(leaves[1].grad.cpu(), leaves[0].grad)
