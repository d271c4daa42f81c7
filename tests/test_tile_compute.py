"""Elementwise ops on TILE storages: the reference device computes them on the stored tiles in place
(padding included, broadcasting rows, columns and scalars inside the tile grid) and chains of them keep
the shape a convolution stored its output in. Checked against CPU PyTorch in exact numerics, bit for
bit where IEEE math is deterministic, with no layout conversion counted; and in tt numerics, denormal
results flushed to +0 as the card's packer does."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

import ttnn_device

from conftest import bits


pytestmark = pytest.mark.usefixtures("exact_no_fallback")


def tiled(t: torch.Tensor) -> torch.Tensor:
    d = t.to("ttnn")
    ttnn_device.set_physical_format(d, "TILE")
    assert ttnn_device.physical_format(d)["layout"] == "TILE"
    return d


def no_layout_change():
    """No layout conversion ran (where's predicate may still be typecast to the values' type)."""
    return "to_layout" not in ttnn_device.op_counts()


SHAPES = [
    ([3, 37, 45], [3, 37, 45]),  # padded tiles on both dims
    ([2, 64, 96], [96]),         # a row broadcast over every row
    ([2, 64, 96], [64, 1]),      # a column broadcast over every column
    ([5, 33], [1, 33]),
    ([4, 1, 40], [4, 30, 1]),    # both broadcast
    ([2, 3, 40, 50], [3, 1, 1]),  # a per-channel vector
]

BINARY = {
    "add": torch.add,
    "sub": lambda a, b: torch.sub(a, b, alpha=2),
    "mul": torch.mul,
    "div": torch.div,
    "maximum": torch.maximum,
    "where": lambda a, b: torch.where(a > 0, a, b),
    "gt": torch.gt,
}


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("shapes", SHAPES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_on_tiles_matches_cpu(name, shapes, dtype):
    g = torch.Generator().manual_seed(1)
    a = torch.randn(shapes[0], generator=g).to(dtype)
    b = torch.randn(shapes[1], generator=g).to(dtype)
    ttnn_device.reset_fallback_counts()
    got = BINARY[name](tiled(a), tiled(b))
    want = BINARY[name](a, b)
    assert got.shape == want.shape and got.dtype == want.dtype
    assert torch.equal(bits(got.cpu()), bits(want)), (name, shapes, dtype)
    assert no_layout_change()


UNARY = {
    "relu": torch.relu,
    "exp": torch.exp,
    "hardtanh": lambda x: F.hardtanh(x, 0.0, 6.0),
    "neg": torch.neg,
    "clamp": lambda x: torch.clamp(x, -0.5, 0.25),
    "add_scalar": lambda x: x + 1.5,
}


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("shape", [[7], [3, 37, 45], [64, 96]], ids=str)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_on_tiles_matches_cpu(name, shape, dtype):
    x = torch.randn(shape, generator=torch.Generator().manual_seed(2)).to(dtype)
    ttnn_device.reset_fallback_counts()
    got = UNARY[name](tiled(x))
    want = UNARY[name](x)
    torch.testing.assert_close(got.cpu(), want, rtol=1e-6 if dtype == torch.float32 else 0, atol=0)
    assert ttnn_device.physical_format(got)["layout"] == "TILE"
    assert no_layout_change()


def test_tile_and_row_major_operands_mix():
    """A row-major operand whose rows fill whole tiles (or that broadcasts) is read in place beside a TILE one."""
    a = torch.randn(64, 96)
    for b in (torch.randn(96), torch.randn(64, 96), torch.randn(64, 1)):
        got = tiled(a) * b.to("ttnn")
        assert torch.equal(got.cpu(), a * b)
    b = torch.randn(45)  # a row that does not fill its tiles: read through the decoder instead
    a = torch.randn(3, 45)
    assert torch.equal((tiled(a) + b.to("ttnn")).cpu(), a + b)


def test_tt_numerics_flush_denormal_results_on_tiles():
    ttnn_device.set_numerics("tt")
    a = torch.full((40, 50), 1e-20)
    a[0, 0] = -1e-20
    a[5, 7] = 3.0
    b = torch.full_like(a, 1e-19)
    got = (tiled(a) * tiled(b)).cpu()  # 1e-39 and -1e-39 are float32 denormals
    want = a * b
    assert want[1, 1] != 0 and want[1, 1].abs() < torch.finfo(torch.float32).tiny
    want = torch.where(want.abs() < torch.finfo(torch.float32).tiny, torch.zeros(()), want)
    assert torch.equal(bits(got), bits(want))  # +0, the sign dropped, as the packer stores it
    ttnn_device.set_numerics("exact")
    assert torch.equal(bits((tiled(a) * tiled(b)).cpu()), bits(a * b))


def test_conv_bn_relu_chain_keeps_the_convolution_shape():
    """Batch norm, ReLU and a residual add after a convolution work on its [1, 1, N*H*W, C] output as
    stored, and the next convolution takes it as is: no reshape, no conversion."""
    torch.manual_seed(0)
    conv1 = torch.nn.Conv2d(8, 16, 3, padding=1).eval()
    bn = torch.nn.BatchNorm2d(16).eval()
    bn.running_mean.uniform_(-1, 1)
    bn.running_var.uniform_(0.5, 2)
    conv2 = torch.nn.Conv2d(16, 16, 3, padding=1, groups=4).eval()

    def block(x):
        y = F.relu(bn(conv1(x)))
        return conv2(y) + y

    x = torch.randn(2, 8, 20, 20)
    with torch.no_grad():
        want = block(x)
        dev = [m.to("ttnn") for m in (conv1, bn, conv2)]
        assert dev
        xd = x.to("ttnn")
        block(xd)  # first call: parameters become resident
        ttnn_device.reset_fallback_counts()
        got = block(xd)
    torch.testing.assert_close(got.cpu(), want, rtol=1e-4, atol=1e-4)
    assert got.is_contiguous(memory_format=torch.channels_last)
    ops = ttnn_device.op_counts()
    assert ops.get("conv2d") == 2 and "to_layout" not in ops
    assert ops.get("mac") == 1 and "multiply" not in ops  # the batch norm: one multiply-add pass
    assert ttnn_device.conversion_counts()["count"] == 0
    # Only the model's contiguous input is permuted to channels-last (one permute, taken straight from its
    # storage) and the batch norm's per-channel vectors shaped (two reshapes); the activations never are.
    assert ops.get("permute", 0) == 1 and ops.get("reshape", 0) == 2


@pytest.mark.parametrize("layout", ["ROW_MAJOR", "TILE"])
def test_same_arrangement_operands_pair_stored_elements(layout):
    """Operands stored as their output will be (same shape, layout, FLOAT32) are computed element for
    element over the stored buffers; free reshapes of the outer dims keep that arrangement, while a view
    that re-factors the tiled dims is not paired that way and still gives torch's result."""
    g = torch.Generator().manual_seed(3)
    a, b = torch.randn(2, 3, 40, 50, generator=g), torch.randn(2, 3, 40, 50, generator=g)
    a[0, 0, 0, :4] = torch.tensor([-0.0, float("nan"), -float("inf"), 0.0])
    place = tiled if layout == "TILE" else (lambda t: t.to("ttnn"))
    da, db = place(a), place(b)
    for name, fn in {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "rsub": lambda x, y: y - 2 * x}.items():
        assert torch.equal(bits(fn(da, db).cpu()), bits(fn(a, b))), name
        assert torch.equal(bits(fn(da.view(6, 40, 50), db.reshape(6, 40, 50)).cpu()), bits(fn(a, b).view(6, 40, 50)))
    assert torch.equal(bits(torch.relu(da).cpu()), bits(torch.relu(a)))  # -0 and NaN pass through
    flat_view = da.view(6, 2000) + db.view(6, 2000)
    assert torch.equal(bits(flat_view.cpu()), bits((a + b).view(6, 2000)))
    assert ttnn_device.physical_format(torch.relu(da))["layout"] == layout


def test_tt_numerics_flush_denormal_results_of_row_major_operands():
    ttnn_device.set_numerics("tt")
    a = torch.full((3, 70), 1e-20)
    a[0, 0] = -1e-20
    b = torch.full_like(a, 1e-19)
    got = (a.to("ttnn") * b.to("ttnn")).cpu()
    assert torch.equal(bits(got), bits(torch.zeros_like(a)))
    ttnn_device.set_numerics("exact")
    assert torch.equal(bits((a.to("ttnn") * b.to("ttnn")).cpu()), bits(a * b))


@pytest.mark.parametrize("layout", ["ROW_MAJOR", "TILE"])
@pytest.mark.parametrize("width", [64, 50])
def test_row_vectors_and_numbers_pair_with_stored_elements(layout, width):
    """A per-column vector (a batch norm's scale on a conv output, a bias) and a number operand are paired
    with the first operand's stored elements directly, including padded tile columns; bit for bit the
    CPU's result, -0, NaN and inf included."""
    g = torch.Generator().manual_seed(5)
    a = torch.randn(3, 40, width, generator=g)
    a[0, 0, :4] = torch.tensor([-0.0, float("nan"), -float("inf"), 0.0])
    v = torch.randn(width, generator=g)
    v[1] = -0.0
    place = tiled if layout == "TILE" else (lambda t: t.to("ttnn"))
    da = place(a)
    for shape in ([width], [1, width], [1, 1, width]):
        dv = v.reshape(shape).to("ttnn")
        for name, fn in {"add": torch.add, "sub": torch.sub, "mul": torch.mul}.items():
            assert torch.equal(bits(fn(da, dv).cpu()), bits(fn(a, v.reshape(shape)))), (name, shape)
    for number in (0.5, -3.0, 1e-30):
        assert torch.equal(bits((da * number).cpu()), bits(a * number))
        assert torch.equal(bits((da + number).cpu()), bits(a + number))
        assert torch.equal(bits((da - number).cpu()), bits(a - number))


def test_tt_numerics_flush_denormals_of_row_vector_and_number_products():
    ttnn_device.set_numerics("tt")
    a = torch.full((4, 64), 1e-20)
    a[0, 0] = -1e-20
    got_vector = (tiled(a) * torch.full((64,), 1e-19).to("ttnn")).cpu()
    got_number = (tiled(a) * 1e-19).cpu()
    assert torch.equal(bits(got_vector), bits(torch.zeros_like(a)))
    assert torch.equal(bits(got_number), bits(torch.zeros_like(a)))


def test_head_split_of_a_tile_storage_moves_row_major():
    """A view through shapes TILE holds badly ([.., 3, 64]: 192 values padded to 2048 per row) moves as
    ROW_MAJOR: one counted to_layout and one permute, instead of re-tiling the padded whole at each step."""
    x = torch.randn(394, 192, generator=torch.Generator().manual_seed(9))
    dx = tiled(x)
    ttnn_device.reset_fallback_counts()
    heads = dx.view(2, 197, 3, 64).permute(0, 2, 1, 3).contiguous()
    assert torch.equal(heads.cpu(), x.view(2, 197, 3, 64).permute(0, 2, 1, 3).contiguous())
    ops = ttnn_device.op_counts()
    assert ops.get("to_layout") == 1 and ops.get("permute") == 1
    assert ttnn_device.physical_format(dx)["layout"] == "TILE"  # the storage itself is not converted
