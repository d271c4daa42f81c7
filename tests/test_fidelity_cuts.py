"""tt numerics of the matrix engine, checked by hand: matmul, linear and convolution (each of the host
kernels the reference device picks for a shape) give what the CPU gives on operands cut to the bits
TT-NN's math fidelity keeps (activations through SrcB, weights through SrcA), with activations stored
TILE (padded tiles, untilized and cut in one pass) or ROW_MAJOR, and weights reused across calls."""

from __future__ import annotations

import copy

import pytest
import torch
import torch.nn.functional as F

import ttnn_device

# (float32 matmul precision, activation mask, weight mask): HiFi4, HiFi2, LoFi for FLOAT32 operands.
FIDELITIES = [("highest", 0xFFFFE000, 0xFFFFC000), ("high", 0xFFFE0000, 0xFFFFC000), ("medium", 0xFFFE0000, 0xFFF80000)]


def cut(t: torch.Tensor, mask: int) -> torch.Tensor:
    return (t.contiguous().view(torch.int32) & torch.tensor(mask - (1 << 32), dtype=torch.int32)).view(torch.float32)


@pytest.fixture(params=FIDELITIES, ids=[f[0] for f in FIDELITIES])
def fidelity(request, counters):
    precision, act, weight = request.param
    previous = torch.get_float32_matmul_precision()
    ttnn_device.set_numerics("tt")
    ttnn_device.set_fallback_mode("error")
    torch.set_float32_matmul_precision(precision)
    yield act, weight
    torch.set_float32_matmul_precision(previous)
    ttnn_device.set_fallback_mode("allow")
    ttnn_device.set_numerics("exact")


def place(t: torch.Tensor, layout: str) -> torch.Tensor:
    d = t.to("ttnn")
    ttnn_device.set_physical_format(d, layout)
    return d


@pytest.mark.parametrize("layout", ["TILE", "ROW_MAJOR"])
@pytest.mark.parametrize("rows", [37, 64])
def test_linear_cuts_activations_and_weights(fidelity, layout, rows):
    act, weight = fidelity
    g = torch.Generator().manual_seed(1)
    x, w, b = torch.randn(rows, 45, generator=g), torch.randn(20, 45, generator=g), torch.randn(20, generator=g)
    want = F.linear(cut(x, act), cut(w, weight), b)
    wd, bd = w.to("ttnn"), b.to("ttnn")
    for _ in range(3):  # the weight's cut is kept from its second read
        got = F.linear(place(x, layout), wd, bd).cpu()
        torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)


# (in channels, out channels, image size, kernel, groups, stride): a 1x1 as a matmul, a strided 1x1, a
# small image (NCHW on the host), a large one and a depthwise one (channels-last).
CONVS = [(16, 24, 24, 1, 1, 1), (16, 24, 24, 1, 1, 2), (8, 12, 9, 3, 1, 1), (8, 12, 24, 3, 1, 1), (8, 8, 24, 3, 8, 1)]


@pytest.mark.parametrize("shape", CONVS, ids=lambda s: "x".join(map(str, s)))
def test_convolution_cuts_activations_and_weights(fidelity, shape):
    act, weight = fidelity
    cin, cout, size, k, groups, stride = shape
    torch.manual_seed(2)
    first = torch.nn.Conv2d(3, cin, 1).eval()  # its output is stored as the card stores activations
    conv = torch.nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2, groups=groups).eval()
    x = torch.randn(2, 3, size, size)
    dev_first, dev_conv = copy.deepcopy(first).to("ttnn"), copy.deepcopy(conv).to("ttnn")
    with torch.no_grad():
        stored = dev_first(x.to("ttnn"))
        activations = stored.cpu()
        want = F.conv2d(cut(activations, act), cut(conv.weight, weight), conv.bias, stride, k // 2, 1, groups)
        for _ in range(3):
            got = dev_conv(stored).cpu()
            torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)
