"""Native kernels against CPU PyTorch: results, dtypes, views, in-place and out= forms, with the CPU
fallback forbidden (so a pass means the op ran through the vocabulary on the device), in exact numerics."""

from __future__ import annotations

import pytest
import torch

import ttnn_device


pytestmark = pytest.mark.usefixtures("exact_no_fallback")


def dev(t):
    return t.to("ttnn")


def check(actual, expected, atol=1e-6, rtol=1e-5):
    assert actual.device.type == "ttnn"
    assert actual.dtype == expected.dtype
    assert actual.shape == expected.shape
    torch.testing.assert_close(actual.cpu(), expected, atol=atol, rtol=rtol)


BINARY = [
    ("add", lambda a, b: a + b), ("add_alpha", lambda a, b: torch.add(a, b, alpha=-0.5)),
    ("sub", lambda a, b: a - b), ("mul", lambda a, b: a * b), ("div", lambda a, b: a / b),
    ("div_floor", lambda a, b: torch.div(a, b, rounding_mode="floor")),
    ("div_trunc", lambda a, b: torch.div(a, b, rounding_mode="trunc")),
    ("maximum", torch.maximum), ("minimum", torch.minimum), ("gt", torch.gt), ("le", torch.le),
    ("eq", torch.eq), ("ne", torch.ne), ("remainder", torch.remainder), ("fmod", torch.fmod),
    ("scalar", lambda a, b: a * 3 - 1.5), ("rsub_scalar", lambda a, b: 2 - a), ("pow", lambda a, b: a.abs() ** 1.7),
]


@pytest.mark.parametrize("name,fn", BINARY, ids=[n for n, _ in BINARY])
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_binary_broadcasting(name, fn, dtype):
    a = torch.randn(4, 1, 5).to(dtype)
    b = (torch.rand(3, 1) + 0.5).to(dtype)
    check(fn(dev(a), dev(b)), fn(a, b), atol=1e-2 if dtype == torch.bfloat16 else 1e-6, rtol=1e-2 if dtype == torch.bfloat16 else 1e-5)


def test_promotion_int_and_float():
    a = torch.arange(6, dtype=torch.int32).reshape(2, 3)
    b = torch.randn(3)
    check(dev(a) + dev(b), a + b)
    check(dev(a) / 2, a / 2)
    check(dev(a) * 3, a * 3)
    check(dev(a) > 2.5, a > 2.5)


def test_in_place_through_a_strided_view_reaches_the_base():
    x = torch.randn(4, 6)
    d = dev(x)
    d[1:, ::2].mul_(2).add_(1)
    x[1:, ::2].mul_(2).add_(1)
    check(d, x)


def test_out_and_transposed_operands():
    a, b = torch.randn(5, 3), torch.randn(3, 5)
    out = dev(torch.empty(0))
    torch.add(dev(a).t(), dev(b), out=out)
    check(out, a.t() + b)


UNARY = [torch.relu, torch.nn.functional.gelu, lambda x: torch.nn.functional.gelu(x, approximate="tanh"),
         torch.nn.functional.silu, torch.sigmoid, torch.tanh, torch.exp, torch.neg, torch.abs, torch.erf, torch.sin,
         torch.floor, torch.nn.functional.hardswish, lambda x: torch.nn.functional.leaky_relu(x, 0.2),
         lambda x: torch.nn.functional.hardtanh(x, -0.5, 0.5), torch.nn.functional.elu, torch.nn.functional.softplus,
         lambda x: torch.sqrt(x.abs()), lambda x: torch.log(x.abs() + 0.1), torch.isnan]


@pytest.mark.parametrize("fn", UNARY)
def test_unary(fn):
    x = torch.randn(3, 7)
    check(fn(dev(x)), fn(x))


def test_unary_in_place_and_channels_last_strides():
    x = torch.randn(2, 3, 4, 5).to(memory_format=torch.channels_last)
    d = dev(x)
    y = torch.relu(d)
    assert y.stride() == torch.relu(x).stride()
    d.relu_()
    check(d, x.relu())


def test_matmul_family():
    a, b, bias = torch.randn(4, 6), torch.randn(6, 5), torch.randn(5)
    check(dev(a) @ dev(b), a @ b, atol=1e-5)
    check(torch.addmm(dev(bias), dev(a), dev(b), beta=0.5, alpha=2.0), torch.addmm(bias, a, b, beta=0.5, alpha=2.0), atol=1e-5)
    lin = torch.nn.Linear(6, 5)
    check(lin.to("ttnn")(dev(a)), lin.cpu()(a), atol=1e-5)
    q, k = torch.randn(2, 3, 4, 8), torch.randn(2, 3, 4, 8)
    check(dev(q) @ dev(k).transpose(-1, -2), q @ k.transpose(-1, -2), atol=1e-5)


def test_linear_weight_is_converted_once():
    lin = torch.nn.Linear(16, 8).to("ttnn")
    x = dev(torch.randn(4, 16))
    lin(x)
    ttnn_device.reset_fallback_counts()
    for _ in range(3):
        lin(x)
    assert ttnn_device.conversion_counts()["count"] == 0
    assert ttnn_device.physical_format(lin.weight)["layout"] == "TILE"


def test_normalisation():
    x = torch.randn(2, 5, 16)
    check(torch.softmax(dev(x), -1), torch.softmax(x, -1))
    check(torch.softmax(dev(x), 1), torch.softmax(x, 1))
    ln = torch.nn.LayerNorm(16)
    check(ln.to("ttnn")(dev(x)), ln.cpu()(x), atol=1e-5)
    bn = torch.nn.BatchNorm2d(3).eval()
    bn.running_mean.uniform_(-1, 1)
    bn.running_var.uniform_(0.5, 2)
    img = torch.randn(2, 3, 5, 5)
    check(bn.to("ttnn")(dev(img)), bn.cpu()(img), atol=1e-5)


def test_batch_norm_fold_is_kept_until_a_parameter_changes():
    """Inference batch norm folds running statistics, weight, bias and eps into a per-channel scale and
    shift once; the fold is reused while all four stay unchanged and made anew when any of them changes."""
    torch.manual_seed(0)
    bn = torch.nn.BatchNorm2d(4).eval()
    bn.running_mean.uniform_(-1, 1)
    bn.running_var.uniform_(0.5, 2)
    img = torch.randn(2, 4, 6, 6)
    dbn = torch.nn.BatchNorm2d(4).eval()
    dbn.load_state_dict(bn.state_dict())
    dbn.to("ttnn")
    x = dev(img)

    def forward_rsqrt_calls():
        ttnn_device.reset_fallback_counts()  # and the op counts
        with torch.no_grad():
            check(dbn(x), bn(img), atol=1e-5)
        return ttnn_device.op_counts().get("rsqrt", 0)

    forward_rsqrt_calls()
    assert forward_rsqrt_calls() == 0  # the kept fold
    changes = [lambda m: m.weight.mul_(-2), lambda m: m.bias.add_(0.5), lambda m: m.running_mean.mul_(0.5),
               lambda m: m.running_var.add_(1.0)]
    for change in changes:
        with torch.no_grad():
            change(bn)
            change(dbn)
        assert forward_rsqrt_calls() == 1  # folded anew, and the result matches the CPU's
        assert forward_rsqrt_calls() == 0
    bn.eps = dbn.eps = 1e-2
    assert forward_rsqrt_calls() == 1


def test_reductions():
    x = torch.randn(3, 4, 5)
    check(dev(x).sum(), x.sum(), atol=1e-5)
    check(dev(x).mean((0, 2)), x.mean((0, 2)))
    check(dev(x).amax(-1, keepdim=True), x.amax(-1, keepdim=True))


@pytest.mark.parametrize("kwargs", [dict(stride=1, padding=1), dict(stride=2, padding=0, dilation=2), dict(groups=2, padding=(1, 2))])
def test_conv2d_and_pools(kwargs):
    conv = torch.nn.Conv2d(4, 6, 3, **kwargs)
    x = torch.randn(2, 4, 9, 9)
    y = conv.to("ttnn")(dev(x))
    expected = conv.cpu()(x)
    check(y.contiguous(), expected, atol=1e-5)
    check(torch.nn.functional.max_pool2d(y, 2), torch.nn.functional.max_pool2d(expected, 2), atol=1e-5)
    check(torch.nn.functional.adaptive_avg_pool2d(y, 1), torch.nn.functional.adaptive_avg_pool2d(expected, 1), atol=1e-5)
    values, indices = torch.nn.functional.max_pool2d(y, 2, return_indices=True)
    assert indices.dtype == torch.int64
    assert torch.equal(indices.cpu(), torch.nn.functional.max_pool2d(expected, 2, return_indices=True)[1])


def test_conv1d():
    conv = torch.nn.Conv1d(3, 4, 5, padding=2)
    x = torch.randn(2, 3, 20)
    check(conv.to("ttnn")(dev(x)).contiguous(), conv.cpu()(x), atol=1e-5)


def test_declines_are_counted_with_their_reason():
    ttnn_device.set_fallback_mode("allow")
    x = dev(torch.randn(3, dtype=torch.float64))
    y = (x + x).cpu()
    assert torch.equal(y, (x.cpu() * 2))
    reasons = ttnn_device.fallback_reasons()["aten::add.Tensor"]
    assert any("Double" in r for r in reasons), reasons


def test_resnet18_runs_with_no_op_on_the_cpu():
    torchvision = pytest.importorskip("torchvision")
    torch.manual_seed(0)
    m = torchvision.models.resnet18().eval()
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        expected = m(x)
        md = m.to("ttnn")
        xd = dev(x)
        md(xd)
        ttnn_device.reset_fallback_counts()
        y = md(xd)
        assert ttnn_device.fallback_counts() == {}
        assert ttnn_device.transfer_counts()["host_to_device"]["count"] == 0
        torch.testing.assert_close(y.cpu(), expected, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("exponent", [3.0, 2.0, 0.5, -1.0, 1.7])
@pytest.mark.parametrize("layout", ["TILE", "ROW_MAJOR"])
def test_pow_of_a_number_exponent_equals_the_cpu(exponent, layout):
    # A number exponent computes on the stored elements (a partial edge tile included): the same values.
    x = torch.rand(3, 45, 70) + 0.25
    d = ttnn_device.set_physical_format(x.to("ttnn"), layout)
    check(torch.pow(d, exponent), torch.pow(x, exponent), atol=0, rtol=1e-6)
    check(d ** exponent * 2, x ** exponent * 2, atol=0, rtol=1e-6)
