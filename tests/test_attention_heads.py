"""Attention's head views on the device, against the CPU: the context merged back ([B, H, S, D] seen as
[B, S, H, D] and made contiguous) through TT-NN's concatenate_heads, and products with a key seen as k^T
(its rows transposed), which are materialised as k and multiplied with transpose_b."""

import pytest
import torch

import ttnn_device

MERGE_SHAPES = [(1, 12, 128, 64), (2, 3, 197, 64), (2, 4, 50, 32), (1, 2, 1000, 96)]


def tiled(t):
    return ttnn_device.set_physical_format(t.to("ttnn"), "TILE")


def merged(context):
    b, h, s, d = context.shape
    return context.transpose(1, 2).reshape(b, s, h * d)


def vocab_ops(fn):
    with ttnn_device.profile() as p:
        fn()
    return [v.op for c in p.calls for v in c.vocab]


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("shape", MERGE_SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_merged_heads_equal_the_cpu_and_take_one_concatenate_heads(shape, dtype):
    context = torch.randn(shape, generator=torch.Generator().manual_seed(sum(shape))).to(dtype)
    on_device = tiled(context)
    ops = vocab_ops(lambda: merged(on_device))
    assert ops == ["transformer.concatenate_heads"]
    out = merged(on_device)
    assert torch.equal(out.cpu(), merged(context))
    # The result's buffer is [B, S, H * D] in TILE: the next linear reads it as stored.
    assert ttnn_device.physical_format(out)["shape"] == [shape[0], shape[2], shape[1] * shape[3]]
    assert ttnn_device.physical_format(out)["layout"] == "TILE"


def test_merged_heads_of_a_batched_matmul_result_equal_the_cpu():
    # Context as attention computes it: a [B * H, S, D] product viewed as [B, H, S, D].
    g = torch.Generator().manual_seed(3)
    probs, v = torch.rand(2 * 3, 40, 40, generator=g), torch.randn(2 * 3, 40, 64, generator=g)
    context = (tiled(probs) @ tiled(v)).view(2, 3, 40, 64)  # exact numerics (the tests' default)
    # The [6, 40, 64] buffer seen as [2, 3, 40, 64] (a free reshape: the same tiles), then merged.
    assert vocab_ops(lambda: merged(context)) == ["reshape", "transformer.concatenate_heads"]
    torch.testing.assert_close(merged(context).cpu(), merged((probs @ v).view(2, 3, 40, 64)), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("shape", [(1, 4, 40, 48), (1, 4, 40, 16)], ids=["d48", "d16"])
def test_heads_of_other_sizes_merge_without_concatenate_heads(shape):
    # TT-NN's concatenate_heads needs the head size a multiple of 32; other sizes move as before.
    context = torch.randn(shape)
    on_device = tiled(context)
    assert "transformer.concatenate_heads" not in vocab_ops(lambda: merged(on_device))
    assert torch.equal(merged(on_device).cpu(), merged(context))


def test_a_merge_into_a_strided_destination_equals_the_cpu():
    context = torch.randn(2, 4, 64, 32)
    dst = torch.zeros(2, 64, 4, 64)[..., :32]  # not a whole storage: written back through its view
    dst_device = torch.zeros(2, 64, 4, 64, device="ttnn")[..., :32]
    dst.copy_(context.transpose(1, 2))
    dst_device.copy_(tiled(context).transpose(1, 2))
    assert torch.equal(dst_device.cpu(), dst)


@pytest.mark.parametrize("numerics", ["exact", "tt"])
def test_products_with_a_transposed_key_view_equal_the_cpu(numerics):
    g = torch.Generator().manual_seed(7)
    b, s, h, d = 2, 70, 3, 64
    x = torch.randn(b, s, h * d, generator=g)
    y = torch.randn(b, s, h * d, generator=g)
    heads = lambda t: t.view(b, s, h, d).transpose(1, 2)
    expected = heads(x) @ heads(y).transpose(-1, -2)
    previous = ttnn_device.get_numerics()
    ttnn_device.set_numerics(numerics)
    try:
        got = (heads(tiled(x)) @ heads(tiled(y)).transpose(-1, -2)).cpu()
    finally:
        ttnn_device.set_numerics(previous)
    if numerics == "exact":
        torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-4)
    else:  # TF32 operands: within 2^-9 of each product's magnitude summed
        bound = (heads(x).abs() @ heads(y).abs().transpose(-1, -2)) * 2.0 ** -9 + 1e-6
        assert bool(((got - expected).abs() <= bound).all())


SDPA = torch.nn.functional.scaled_dot_product_attention


def split_qkv_fused(x, b, s, heads, kv_heads, d):
    """timm's q, k, v (and torchvision's MultiheadAttention's): head views of one fused projection's rows."""
    q = x[..., : heads * d].view(b, s, heads, d).transpose(1, 2)
    k = x[..., heads * d: (heads + kv_heads) * d].view(b, s, kv_heads, d).transpose(1, 2)
    v = x[..., (heads + kv_heads) * d:].view(b, s, kv_heads, d).transpose(1, 2)
    return q, k, v


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("b,s,heads,d", [(2, 197, 3, 64), (1, 128, 12, 64), (2, 40, 4, 32)])
def test_attention_over_a_fused_projection_splits_heads_in_one_op(b, s, heads, d, dtype):
    g = torch.Generator().manual_seed(s + heads)
    x = torch.randn(b, s, 3 * heads * d, generator=g).to(dtype)
    expected = SDPA(*split_qkv_fused(x, b, s, heads, heads, d))
    on_device = tiled(x)
    ops = vocab_ops(lambda: SDPA(*split_qkv_fused(on_device, b, s, heads, heads, d)))
    assert ops.count("transformer.split_query_key_value_and_split_heads") == 1
    assert "permute" not in ops and "to_layout" not in ops
    got = SDPA(*split_qkv_fused(on_device, b, s, heads, heads, d)).cpu()
    tolerance = dict(rtol=1e-4, atol=1e-5) if dtype == torch.float32 else dict(rtol=2e-2, atol=2e-2)
    torch.testing.assert_close(got, expected, **tolerance)


@pytest.mark.parametrize("heads,kv_heads", [(4, 4), (4, 2)], ids=["mha", "gqa"])
def test_attention_over_separate_projections_splits_heads_in_one_op(heads, kv_heads):
    b, s, d = 2, 50, 32
    g = torch.Generator().manual_seed(heads * 10 + kv_heads)
    xq = torch.randn(b, s, heads * d, generator=g)
    xk, xv = torch.randn(b, s, kv_heads * d, generator=g), torch.randn(b, s, kv_heads * d, generator=g)
    as_heads = lambda t, n: t.view(b, s, n, d).transpose(1, 2)
    run = lambda q, k, v: SDPA(as_heads(q, heads), as_heads(k, kv_heads), as_heads(v, kv_heads),
                               enable_gqa=kv_heads != heads)
    expected = run(xq, xk, xv)
    dq, dk, dv = tiled(xq), tiled(xk), tiled(xv)
    ops = vocab_ops(lambda: run(dq, dk, dv))
    assert ops.count("transformer.split_query_key_value_and_split_heads") == 1 and ops.count("concat") == 1
    assert "permute" not in ops
    torch.testing.assert_close(run(dq, dk, dv).cpu(), expected, rtol=1e-4, atol=1e-5)


def test_attention_over_heads_of_other_sizes_equals_the_cpu_without_the_split():
    b, s, heads, d = 2, 30, 4, 48  # TT-NN's split needs the head size a multiple of 32
    x = torch.randn(b, s, 3 * heads * d)
    on_device = tiled(x)
    ops = vocab_ops(lambda: SDPA(*split_qkv_fused(on_device, b, s, heads, heads, d)))
    assert "transformer.split_query_key_value_and_split_heads" not in ops
    torch.testing.assert_close(SDPA(*split_qkv_fused(on_device, b, s, heads, heads, d)).cpu(),
                               SDPA(*split_qkv_fused(x, b, s, heads, heads, d)), rtol=1e-4, atol=1e-5)


SPLIT = "transformer.split_query_key_value_and_split_heads"


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("transpose_key", [False, True])
@pytest.mark.parametrize("form", ["fused", "kv_input", "gqa"])
def test_split_heads_op_equals_ttnn_golden_function(real_ttnn, form, transpose_key, dtype):
    g = torch.Generator().manual_seed(11)
    b, s, d = 2, 45, 32
    heads, kv_heads = (4, 2) if form == "gqa" else (3, 3)
    x = torch.randn(b, s, (heads + 2 * kv_heads) * d, generator=g).to(dtype)
    kwargs = dict(num_heads=heads, num_kv_heads=kv_heads, transpose_key=transpose_key)
    if form == "kv_input":
        q_rows, kv_rows = x[..., : heads * d].contiguous(), x[..., heads * d:].contiguous()
        mine = ttnn_device._C._call_op(SPLIT, dict(input_tensor=tiled(q_rows), kv_input_tensor=tiled(kv_rows), **kwargs))
        golden = real_ttnn.get_golden_function(real_ttnn.transformer.split_query_key_value_and_split_heads)(
            q_rows, kv_rows, **kwargs)
    else:
        mine = ttnn_device._C._call_op(SPLIT, dict(input_tensor=tiled(x), **kwargs))
        golden = real_ttnn.get_golden_function(real_ttnn.transformer.split_query_key_value_and_split_heads)(x, **kwargs)
    assert len(mine) == 3
    for ours_, theirs in zip(mine, golden):
        assert ttnn_device.physical_format(ours_)["layout"] == "TILE"
        assert torch.equal(ours_.cpu(), theirs)


@pytest.mark.parametrize("move", ["concatenate_heads", "split", "slice"])
def test_tile_moves_keep_every_bit_in_tt_numerics(move):
    # Data movement computes nothing (the card's reader and writer kernels move the bytes), so tt numerics'
    # denormal flush, which models the packer after math, leaves the moved values as they are: denormals,
    # -0.0 and NaN payloads come out bit for bit as the CPU's own view of the same data.
    g = torch.Generator().manual_seed(5)
    x = torch.randn(2, 64, 4 * 32, generator=g)
    x[0, :5, :7] = 1e-40
    x[1, 3, :9] = -1e-41
    x[1, 4, 0] = -0.0
    x.view(torch.int32)[0, 7, 3] = 0x7FC01234  # a NaN with a payload
    assert bool(((x != 0) & (x.abs() < torch.finfo(torch.float32).tiny)).any())
    before = ttnn_device.get_numerics()
    ttnn_device.set_numerics("tt")
    try:
        if move == "concatenate_heads":
            heads = x.view(2, 64, 4, 32).transpose(1, 2).contiguous()
            ops = vocab_ops(lambda: merged(tiled(heads)).cpu())
            got, want = merged(tiled(heads)).cpu(), merged(heads)
        elif move == "split":
            got = ttnn_device._C._call_op(SPLIT, dict(input_tensor=tiled(x[..., :96].contiguous()), num_heads=1,
                                                      num_kv_heads=1, transpose_key=False))
            ops = [SPLIT]
            got, want = torch.cat([t.cpu() for t in got], 1), x[..., :96].view(2, 64, 3, 32).transpose(1, 2)
        else:
            ops = vocab_ops(lambda: tiled(x)[:, 32:, 64:].contiguous())
            got, want = tiled(x)[:, 32:, 64:].contiguous().cpu(), x[:, 32:, 64:]
    finally:
        ttnn_device.set_numerics(before)
    assert any(op in ("transformer.concatenate_heads", SPLIT, "slice") for op in ops), ops
    assert torch.equal(got.view(torch.int32), want.contiguous().view(torch.int32))
