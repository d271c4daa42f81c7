"""Where no gradient is recorded, layer_norm computes the normalised values alone (no mean and rstd) and
max_pool2d the maxima alone (no indices), for a backward that will not run; where one is recorded,
backward or forward mode, PyTorch's composites (native_layer_norm, max_pool2d_with_indices) still serve.
Each result against CPU PyTorch."""

from __future__ import annotations

import pytest
import torch
import torch.autograd.forward_ad as fwAD
import torch.nn.functional as F

import ttnn_device


pytestmark = pytest.mark.usefixtures("exact_no_fallback")


def inputs(shape=(4, 10, 64), normalized=(64,)):
    g = torch.Generator().manual_seed(0)
    return (torch.randn(shape, generator=g), torch.randn(normalized, generator=g), torch.randn(normalized, generator=g))


def vocab_ops(prof):
    """The ops computed, less reshapes and the input's conversion to TILE."""
    return sorted({v.op for c in prof.calls for v in c.vocab} - {"reshape", "to_layout"})


@pytest.mark.parametrize("context", [torch.no_grad, torch.inference_mode], ids=["no_grad", "inference_mode"])
@pytest.mark.parametrize("normalized", [(64,), (10, 64)], ids=["last_dim", "two_dims"])
def test_values_alone_without_a_recorded_gradient(context, normalized):
    x, w, b = inputs(normalized=normalized)
    expected = F.layer_norm(x, normalized, w, b)
    with context(), ttnn_device.profile() as prof:
        actual = F.layer_norm(x.to("ttnn"), normalized, w.to("ttnn"), b.to("ttnn"))
    assert vocab_ops(prof) == ["layer_norm"]
    torch.testing.assert_close(actual.cpu(), expected, rtol=1e-5, atol=1e-5)


def test_statistics_still_computed_when_a_gradient_is_recorded():
    x, w, b = inputs()
    xc, wc = x.clone().requires_grad_(), w.clone().requires_grad_()
    F.layer_norm(xc, (64,), wc, b).square().sum().backward()
    xd, wd = x.to("ttnn").requires_grad_(), w.to("ttnn").requires_grad_()
    with ttnn_device.profile() as prof:
        out = F.layer_norm(xd, (64,), wd, b.to("ttnn"))
    assert "mean" in vocab_ops(prof) and out.grad_fn is not None
    out.square().sum().backward()
    torch.testing.assert_close(xd.grad.cpu(), xc.grad, rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(wd.grad.cpu(), wc.grad, rtol=1e-4, atol=1e-4)


def test_forward_mode_gradient_under_no_grad():
    # Forward mode gives the parameters zero tangents through aten::_efficientzerotensor, which has no
    # kernel here: the fallback runs it.
    ttnn_device.set_fallback_mode("allow")
    x, w, b = inputs()
    tangent = torch.randn_like(x)
    with fwAD.dual_level(), torch.no_grad():
        expected = fwAD.unpack_dual(F.layer_norm(fwAD.make_dual(x, tangent), (64,), w, b)).tangent
        dual = fwAD.make_dual(x.to("ttnn"), tangent.to("ttnn"))
        actual = fwAD.unpack_dual(F.layer_norm(dual, (64,), w.to("ttnn"), b.to("ttnn"))).tangent
    torch.testing.assert_close(actual.cpu(), expected, rtol=1e-4, atol=1e-4)


POOLS = [dict(kernel_size=3, stride=2, padding=1), dict(kernel_size=2), dict(kernel_size=3, stride=2, ceil_mode=True),
         dict(kernel_size=2, dilation=2)]


@pytest.mark.parametrize("kwargs", POOLS, ids=["k3s2p1", "k2", "ceil", "dilated"])
@pytest.mark.parametrize("shape", [(2, 5, 13, 11), (5, 13, 11)], ids=["batched", "unbatched"])
def test_max_pool_values_alone_without_a_recorded_gradient(shape, kwargs):
    x = torch.randn(shape, generator=torch.Generator().manual_seed(2))
    with torch.no_grad(), ttnn_device.profile() as prof:
        actual = F.max_pool2d(x.to("ttnn"), **kwargs)
    assert [c.op for c in prof.calls if c.vocab] == ["aten::max_pool2d"]
    assert torch.equal(actual.cpu(), F.max_pool2d(x, **kwargs))


def test_max_pool_indices_kept_when_a_gradient_is_recorded():
    x = torch.randn(2, 5, 13, 11, generator=torch.Generator().manual_seed(3))
    on_device = x.to("ttnn").requires_grad_()
    out = F.max_pool2d(on_device, 3, 2, 1)
    out.square().sum().backward()
    on_cpu = x.clone().requires_grad_()
    F.max_pool2d(on_cpu, 3, 2, 1).square().sum().backward()
    assert type(out.grad_fn).__name__ == "MaxPool2DWithIndicesBackward0"
    assert torch.equal(on_device.grad.cpu(), on_cpu.grad)
