"""Elementwise ops whose second operand broadcasts over the first's leading dims only (a relative position
bias [1, H, N, N] added to attention scores [B, H, N, N]) pair the stored elements block by block: the
results equal the CPU's bit for bit (IEEE add, subtract and multiply), in TILE and ROW_MAJOR, with
partial tiles, and tt numerics flush denormal results as elsewhere."""

import pytest
import torch

import ttnn_device


def tiled(t):
    return ttnn_device.set_physical_format(t.to("ttnn"))


@pytest.mark.parametrize("op", [torch.add, torch.sub, torch.mul])
@pytest.mark.parametrize("shapes", [((6, 3, 49, 49), (1, 3, 49, 49)), ((6, 3, 49, 49), (3, 49, 49)),
                                    ((2, 4, 64, 32), (1, 1, 64, 32)), ((5, 33, 70), (33, 70))])
@pytest.mark.parametrize("layout", ["TILE", "ROW_MAJOR"])
def test_leading_broadcast_matches_the_cpu(op, shapes, layout):
    torch.manual_seed(len(shapes[0]) + shapes[0][-1])
    a, b = torch.randn(shapes[0]), torch.randn(shapes[1])
    da, db = a.to("ttnn"), b.to("ttnn")
    if layout == "TILE":
        da, db = tiled(a), tiled(b)
    got = op(da, db)
    assert torch.equal(got.cpu(), op(a, b))


def test_denormal_results_flush_in_tt_numerics():
    before = ttnn_device.get_numerics()
    try:
        ttnn_device.set_numerics("tt")
        a = torch.full((4, 2, 40, 40), 2.0 ** -70)
        b = torch.full((1, 2, 40, 40), 2.0 ** -70)
        b[0, 1] = 1.0
        got = torch.mul(tiled(a), tiled(b)).cpu()
        want = a * b
        assert bool((want[:, 0] != 0).all())  # 2^-140: a denormal
        assert bool((got[:, 0] == 0).all()) and torch.equal(got[:, 1], want[:, 1])
    finally:
        ttnn_device.set_numerics(before)
