"""Reductions of a channels-last convolution output (stored as [1, 1, N*H*W, C] tiles) over dims that
group into its stored dims (H and W of one image: the H*W rows) reduce the stored tiles directly, with no
layout conversion; other dims still give the CPU's values. References: the CPU's reduction of the device
tensor's own values."""

import pytest
import torch

import ttnn_device


def conv_output(n, c, h, w):
    torch.manual_seed(n * 1000 + c + h + w)
    conv = torch.nn.Conv2d(c, c, 1).to("ttnn")
    with torch.no_grad():
        return conv(torch.randn(n, c, h, w).to("ttnn"))


def conversions():
    return ttnn_device.conversion_counts()["count"]


@pytest.mark.parametrize("shape", [(1, 72, 28, 28), (1, 960, 7, 7), (1, 16, 56, 56), (1, 40, 14, 14)])
@pytest.mark.parametrize("op", ["mean", "sum", "amax", "var", "std"])
@pytest.mark.parametrize("keepdim", [True, False])
def test_spatial_reductions_read_the_stored_tiles(shape, op, keepdim):
    y = conv_output(*shape)
    assert ttnn_device.physical_format(y)["layout"] == "TILE"
    values = y.cpu().double()
    before = conversions()
    got = getattr(torch, op)(y, (2, 3), keepdim=keepdim)
    assert conversions() == before  # no re-tiling of the [1, C, H, W] view
    want = getattr(torch, op)(values, (2, 3), keepdim=keepdim)
    assert got.shape == want.shape
    torch.testing.assert_close(got.cpu().double(), want, rtol=2e-5, atol=2e-5)


@pytest.mark.parametrize("dims", [(1,), (1, 2, 3), (0, 2, 3), (2,), (1, 3)])
def test_other_dims_keep_the_cpu_values(dims):
    y = conv_output(1, 24, 14, 9)
    got = torch.mean(y, dims, keepdim=True)
    torch.testing.assert_close(got.cpu().double(), torch.mean(y.cpu().double(), dims, keepdim=True), rtol=2e-5, atol=2e-5)


def test_batches_reduce_each_image_alone():
    y = conv_output(2, 40, 14, 14)  # N*H*W rows: H and W of one image are not a stored dim of their own
    got = torch.mean(y, (2, 3))
    torch.testing.assert_close(got.cpu().double(), torch.mean(y.cpu().double(), (2, 3)), rtol=2e-5, atol=2e-5)
