"""Op-table entries the larger suites reach rarely, each through the aten op that uses it, against CPU
PyTorch, with the vocabulary op it must go through (on either backend)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import ttnn_device

g = torch.Generator().manual_seed(7)
INTS = (torch.randint(-1000, 1000, (4, 33), generator=g, dtype=torch.int32),
        torch.randint(-1000, 1000, (4, 33), generator=g, dtype=torch.int32))
X = torch.randn(2, 8, 6, 5, generator=g) * 3

CASES = {
    "bitwise_or": (lambda a, b: a | b, INTS),
    "bitwise_xor": (lambda a, b: a ^ b, INTS),
    "bitwise_not": (lambda a, b: ~a, INTS),
    "round": (torch.round, (X,)),
    "conv_transpose2d": (nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1), (X,)),
}


@pytest.mark.parametrize("op", list(CASES))
def test_table_op_through_aten_matches_cpu(op):
    fn, inputs = CASES[op]
    if isinstance(fn, nn.Module) and hasattr(fn, "weight"):
        with torch.no_grad():
            fn.weight.copy_(torch.randn(fn.weight.shape, generator=torch.Generator().manual_seed(1)))
    expected = fn(*inputs)
    device_fn = fn.to("ttnn") if isinstance(fn, nn.Module) else fn
    ttnn_device._C._reset_op_counts()
    with torch.no_grad():
        actual = device_fn(*[t.to("ttnn") for t in inputs])
    assert op in ttnn_device.op_counts(), ttnn_device.op_counts()
    assert actual.device.type == "ttnn" and actual.dtype == expected.dtype
    torch.testing.assert_close(actual.cpu(), expected.detach(), atol=1e-4, rtol=1e-4)


# Table ops the aten kernels do not use (they compose other ops), called as vocabulary ops.
def test_batch_norm_and_clone_as_vocabulary_ops():
    c = X.shape[1]
    stats = torch.Generator().manual_seed(3)
    mean, var = torch.randn(c, generator=stats), torch.rand(c, generator=stats) + 0.5
    weight, bias = torch.randn(c, generator=stats), torch.randn(c, generator=stats)
    four_d = [v.reshape(1, c, 1, 1).to("ttnn") for v in (mean, var, weight, bias)]
    x = ttnn_device.set_physical_format(X.to("ttnn"), "TILE")
    [out] = ttnn_device._C._call_op("batch_norm", dict(input=x, running_mean=four_d[0], running_var=four_d[1],
                                                       training=False, eps=1e-5, weight=four_d[2], bias=four_d[3]))
    expected = nn.functional.batch_norm(X, mean, var, weight, bias, training=False, eps=1e-5)
    torch.testing.assert_close(out.cpu(), expected, atol=1e-4, rtol=1e-4)
    [copy] = ttnn_device._C._call_op("clone", dict(input=X.to("ttnn")))
    assert torch.equal(copy.cpu(), X)
    n, c, h, w = X.shape
    nhwc = X.permute(0, 2, 3, 1).reshape(1, 1, n * h * w, c).contiguous()
    [pooled] = ttnn_device._C._call_op("adaptive_max_pool2d", dict(input_tensor=nhwc.to("ttnn"), batch_size=n,
                                                                   input_h=h, input_w=w, channels=c, output_size=[2, 3]))
    expected = nn.functional.adaptive_max_pool2d(X, (2, 3)).permute(0, 2, 3, 1).reshape(1, 1, n * 6, c)
    assert torch.equal(pooled.cpu().reshape(expected.shape), expected)


def test_group_norm_as_a_vocabulary_op():
    # TT-NN's convention: channels-last input [N, 1, HxW, C], weight and bias per channel.
    n, c, h, w = X.shape
    stats = torch.Generator().manual_seed(4)
    weight, bias = torch.randn(c, generator=stats), torch.randn(c, generator=stats)
    nhwc = X.permute(0, 2, 3, 1).reshape(n, 1, h * w, c).contiguous()
    [out] = ttnn_device._C._call_op("group_norm", dict(input_tensor=nhwc.to("ttnn"), num_groups=4, epsilon=1e-5,
                                                       weight=weight.to("ttnn"), bias=bias.to("ttnn")))
    expected = nn.functional.group_norm(X, 4, weight, bias, eps=1e-5).permute(0, 2, 3, 1).reshape(n, 1, h * w, c)
    torch.testing.assert_close(out.cpu(), expected, atol=1e-4, rtol=1e-4)
