"""cat of tensors stored in one format joins their stored pages (tiles or rows) without converting them:
results are compared with CPU PyTorch element for element, over every dim, whole and partial tiles, both
layouts and float dtypes; inputs of mixed layouts convert the fewest elements."""

from __future__ import annotations

import pytest
import torch

import ttnn_device


pytestmark = pytest.mark.usefixtures("exact_no_fallback")

BASES = ([2, 3, 64, 64], [2, 3, 40, 33], [5, 32, 96], [4, 70], [1, 1, 32, 32])
SIZES = ([32, 64], [32, 5], [5, 32], [64, 32, 32], [7, 9])


def parts(base, dim, sizes, tiled, seed):
    g = torch.Generator().manual_seed(seed)
    out = []
    for s in sizes:
        shape = list(base)
        shape[dim] = s
        x = torch.randn(shape, generator=g).to("ttnn")
        out.append(torch.softmax(x, -1) if tiled else x)  # softmax's output is stored in TILE
    return out


@pytest.mark.parametrize("tiled", [True, False], ids=["tile", "row_major"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("base", BASES, ids=lambda b: "x".join(map(str, b)))
def test_cat_matches_cpu_on_every_dim(base, dtype, tiled):
    for dim in range(len(base)):
        for i, sizes in enumerate(SIZES):
            on_device = [p.to(dtype) for p in parts(base, dim, sizes, tiled, seed=10 * dim + i)]
            expected = torch.cat([p.cpu() for p in on_device], dim)
            with ttnn_device.profile() as prof:
                actual = torch.cat(on_device, dim)
            assert actual.dtype == expected.dtype and torch.equal(actual.cpu(), expected), (dim, sizes)
            assert prof.summary()["conversions"]["count"] == 0  # one format: nothing re-laid out


def test_cat_of_mixed_layouts_converts_the_smaller_part():
    """One ROW_MAJOR input beside TILE inputs holding more elements (a DenseNet block): only the
    ROW_MAJOR one is converted."""
    g = torch.Generator().manual_seed(0)
    row_major = torch.randn(1, 1, 49, 64, generator=g).to("ttnn")
    tiled = [torch.softmax(torch.randn(1, 1, 49, 32, generator=g).to("ttnn"), -1) for _ in range(3)]
    with ttnn_device.profile() as prof:
        actual = torch.cat([row_major] + tiled, -1)
    assert torch.equal(actual.cpu(), torch.cat([row_major.cpu()] + [t.cpu() for t in tiled], -1))
    conversions = [v for c in prof.calls for v in c.vocab if v.op == "to_layout"]
    assert len(conversions) == 1 and conversions[0].bytes == row_major.numel() * 4


def test_cat_of_channels_last_convolutions_matches_cpu():
    conv = torch.nn.Conv2d(8, 32, 3, padding=1)
    x = torch.randn(2, 8, 14, 14, generator=torch.Generator().manual_seed(1))
    on_device = conv.to("ttnn")
    with torch.no_grad():
        a, b = on_device(x.to("ttnn")), on_device(x.to("ttnn") * 2)
        actual = torch.cat([a, b, a], 1)
    expected = torch.cat([a.cpu(), b.cpu(), a.cpu()], 1)
    assert torch.equal(actual.cpu(), expected)
