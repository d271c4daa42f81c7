"""Results stored in tiles by the host's math (matmul, linear, softmax) get tt numerics' denormal flush as
they are encoded, as the card's packer writes them: a denormal result is +0 in tt numerics and kept in
exact numerics, whole tiles and edge tiles alike, FLOAT32 and BFLOAT16. The expected values come from
the CPU's product of the same tensors, with the denormal rule applied to it here."""

import pytest
import torch

import ttnn_device

TINY = 2.0 ** -64  # TINY * TINY = 2^-128: a denormal in float32 and in bfloat16


def operands(rows, inner, cols, dtype):
    # Row i of the product: sign * TINY^2 (a denormal), plus 0.5 on even rows (a normal value).
    x = torch.zeros(rows, inner)
    x[:, 0] = TINY * torch.where(torch.arange(rows) % 3 == 0, -1.0, 1.0)
    x[::2, 1] = 1.0
    w = torch.zeros(inner, cols)
    w[0, :] = TINY
    w[1, :] = 0.5
    return x.to(dtype), w.to(dtype)


def flushed(t):
    info = torch.finfo(t.dtype)
    denormal = (t != 0) & (t.abs() < info.tiny)
    return torch.where(denormal, torch.zeros_like(t), t)


@pytest.fixture
def numerics():
    before = ttnn_device.get_numerics()
    yield ttnn_device.set_numerics
    ttnn_device.set_numerics(before)


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("shape", [(64, 32, 96), (33, 40, 35), (300, 40, 70)])
@pytest.mark.parametrize("mode", ["tt", "exact"])
def test_matmul_results_flush_denormals_in_tt_numerics(numerics, dtype, shape, mode):
    numerics(mode)
    x, w = operands(*shape, dtype)
    want = x.float() @ w.float()  # exact here: one nonzero term per sum, or 0.5 + a denormal
    want = want.to(dtype)
    assert bool(((want != 0) & (want.abs() < torch.finfo(dtype).tiny)).any())  # denormals to flush
    out = x.to("ttnn") @ w.to("ttnn")
    assert ttnn_device.physical_format(out)["layout"] == "TILE"
    got = out.cpu()
    expected = flushed(want) if mode == "tt" else want
    assert torch.equal(got, expected)
    if mode == "tt":
        flushed_ones = (want != 0) & (got == 0)
        assert bool(flushed_ones.any())
        assert not bool(torch.signbit(got[flushed_ones]).any())  # +0, negative denormals too


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_linear_with_bias_flushes_denormal_results(numerics, dtype):
    numerics("tt")
    x, w = operands(45, 40, 50, dtype)
    bias = torch.zeros(50, dtype=dtype)
    bias[::7] = 0.25
    want = torch.nn.functional.linear(x.float(), w.t().float(), bias.float()).to(dtype)
    got = torch.nn.functional.linear(x.to("ttnn"), w.t().contiguous().to("ttnn"), bias.to("ttnn")).cpu()
    assert torch.equal(got, flushed(want))


def test_softmax_of_large_gaps_flushes_denormal_probabilities(numerics):
    # exp(-100) / (1 + ...) is about 3.7e-44: a float32 denormal.
    x = torch.zeros(40, 70)
    x[:, 1::2] = -100.0
    want = torch.softmax(x, -1)
    assert bool(((want != 0) & (want < torch.finfo(torch.float32).tiny)).any())
    xd = ttnn_device.set_physical_format(x.to("ttnn"))
    numerics("tt")
    got_tt = torch.softmax(xd, -1).cpu()
    numerics("exact")
    got_exact = torch.softmax(xd, -1).cpu()
    assert torch.equal(got_exact, want)
    assert torch.equal(got_tt, flushed(want))


@pytest.mark.parametrize("layout", ["TILE", "ROW_MAJOR"])
@pytest.mark.parametrize("mode", ["tt", "exact"])
def test_pow_of_a_number_exponent_flushes_denormal_results_in_tt_numerics(numerics, mode, layout):
    # pow with a number exponent computes on the stored elements: the same rule as every other result.
    numerics(mode)
    x = torch.tensor([1e-20, 2.0, -3.0, 1e-13, -1e-13, 0.5])  # cubes: 0 (underflow), 8, -27, +-1e-39 (denormal), 0.125
    got = torch.pow(ttnn_device.set_physical_format(x.to("ttnn"), layout), 3.0).cpu()
    expected = torch.pow(x, 3.0)
    assert torch.equal(got, flushed(expected) if mode == "tt" else expected)
