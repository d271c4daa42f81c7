"""Views alias their base on ttnn exactly as on the CPU (docs/design.md, invariant 1): view ops keep storage,
offset and strides; writes through a view reach the base and writes to the base show in the view;
in-place ops (native and fallback) through views; views of TILE-format storages; resize_, every set_
overload, storage_offset."""

from __future__ import annotations

import warnings

import pytest
import torch

import ttnn_device
from conftest import assert_bit_equal


def test_issue_example_strided_view_mul_():
    torch.manual_seed(0)
    cpu = torch.randn(4, 6)
    x = cpu.to("ttnn")
    y = x[1:, ::2]
    y.mul_(2)
    want = cpu.clone()
    want[1:, ::2].mul_(2)
    assert_bit_equal(x.cpu(), want)
    assert_bit_equal(y.cpu(), want[1:, ::2])
    assert y.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()


# --------------------------------------------------------------------------------------------------
# A matrix of view ops: (base maker, view fn, whether writes through the view are legal)


def _real(shape=(4, 6)):
    return torch.arange(1, 1 + torch.Size(shape).numel(), dtype=torch.float32).reshape(shape) * 0.5


def _complex():
    return torch.complex(_real(), -_real())


VIEW_OPS = {
    "slice": (_real, lambda t: t[1:3], True),
    "slice_step": (_real, lambda t: t[1:, ::2], True),
    "select": (_real, lambda t: t[2], True),
    "select_col": (_real, lambda t: t.select(1, 4), True),
    "transpose": (_real, lambda t: t.transpose(0, 1), True),
    "t": (_real, lambda t: t.t(), True),
    "mT": (lambda: _real((2, 3, 4)), lambda t: t.mT, True),
    "permute": (lambda: _real((2, 3, 4)), lambda t: t.permute(2, 0, 1), True),
    "movedim": (lambda: _real((2, 3, 4)), lambda t: t.movedim(0, 2), True),
    "expand": (lambda: _real((1, 6)), lambda t: t.expand(3, 6), False),
    "expand_as": (lambda: _real((4, 1)), lambda t: t.expand_as(torch.empty(4, 5)), False),
    "unsqueeze": (_real, lambda t: t.unsqueeze(1), True),
    "squeeze": (lambda: _real((4, 1, 6)), lambda t: t.squeeze(1), True),
    "view": (_real, lambda t: t.view(3, 8), True),
    "view_infer": (_real, lambda t: t.view(-1), True),
    "reshape_contiguous": (_real, lambda t: t.reshape(2, 12), True),
    "flatten": (lambda: _real((2, 3, 4)), lambda t: t.flatten(1), True),
    "unflatten": (_real, lambda t: t.unflatten(1, (2, 3)), True),
    "view_as": (_real, lambda t: t.view_as(torch.empty(6, 4)), True),
    "view_dtype": (_real, lambda t: t.view(torch.int32), True),
    "narrow": (_real, lambda t: t.narrow(1, 2, 3), True),
    "unfold": (_real, lambda t: t.unfold(1, 2, 2), True),
    "unfold_overlapping": (_real, lambda t: t.unfold(1, 3, 1), False),
    "diagonal": (_real, lambda t: t.diagonal(), True),
    "diagonal_offset": (_real, lambda t: t.diagonal(offset=1), True),
    "as_strided": (_real, lambda t: t.as_strided((2, 3), (5, 2), 3), True),
    "view_as_real": (_complex, lambda t: torch.view_as_real(t), True),
    "real": (_complex, lambda t: t.real, True),
    "imag": (_complex, lambda t: t.imag, True),
    "view_as_complex": (lambda: _real((4, 3, 2)), lambda t: torch.view_as_complex(t), True),
    "detach": (_real, lambda t: t.detach(), True),
    "alias": (_real, lambda t: torch.ops.aten.alias(t), True),
    "chained": (lambda: _real((4, 6, 2)), lambda t: t[1:].transpose(0, 2)[:, ::2, 1:], True),
}

LIST_VIEW_OPS = {
    "split": (_real, lambda t: t.split(2, dim=1)),
    "split_sizes": (_real, lambda t: t.split([1, 3], dim=0)),
    "chunk": (_real, lambda t: t.chunk(3, dim=1)),
    "unbind": (_real, lambda t: t.unbind(0)),
    "tensor_split": (_real, lambda t: t.tensor_split([1, 4], dim=1)),
}


def _check_view(v_dev, v_cpu, base_dev):
    assert v_dev.device.type == "ttnn"
    assert v_dev.shape == v_cpu.shape
    assert v_dev.stride() == v_cpu.stride()
    assert v_dev.storage_offset() == v_cpu.storage_offset()
    assert v_dev.dtype == v_cpu.dtype
    assert v_dev.untyped_storage().data_ptr() == base_dev.untyped_storage().data_ptr()
    assert v_dev.data_ptr() - base_dev.untyped_storage().data_ptr() == v_dev.storage_offset() * v_dev.element_size()
    assert v_dev._is_view() == v_cpu._is_view()
    assert_bit_equal(v_dev.cpu(), v_cpu)


def _resolved(t):
    return t.resolve_conj().resolve_neg()


@pytest.mark.parametrize("name", list(VIEW_OPS))
def test_view_op_aliases_base(name, counters):
    make, fn, writable = VIEW_OPS[name]
    base_cpu = make()
    base_dev = base_cpu.to("ttnn")
    v_cpu, v_dev = fn(base_cpu), fn(base_dev)
    _check_view(v_dev, v_cpu, base_dev)
    # view ops are metadata only: nothing fell back, nothing crossed
    assert counters.fallback_counts() == {}, counters.fallback_counts()

    # a write to the base shows in the view
    base_cpu.add_(100)
    base_dev.add_(100)
    assert_bit_equal(v_dev.cpu(), v_cpu)

    if not writable:
        return
    # writes through the view reach the base: a fallback in-place op, then native fill_ and copy_
    v_cpu.mul_(3)
    v_dev.mul_(3)
    assert_bit_equal(base_dev.cpu(), base_cpu)
    v_cpu.fill_(-7)
    v_dev.fill_(-7)
    assert_bit_equal(base_dev.cpu(), base_cpu)
    values = torch.arange(v_cpu.numel(), dtype=torch.float64).reshape(v_cpu.shape).to(v_cpu.dtype)
    v_cpu.copy_(values)
    v_dev.copy_(values)
    assert_bit_equal(base_dev.cpu(), base_cpu)
    v_dev.copy_(values.to("ttnn") + 1)
    v_cpu.copy_(values + 1)
    assert_bit_equal(base_dev.cpu(), base_cpu)
    assert_bit_equal(v_dev.cpu(), v_cpu)


@pytest.mark.parametrize("name", list(LIST_VIEW_OPS))
def test_list_view_ops_alias_base(name):
    make, fn = LIST_VIEW_OPS[name]
    base_cpu = make()
    base_dev = base_cpu.to("ttnn")
    views_cpu, views_dev = fn(base_cpu), fn(base_dev)
    assert len(views_cpu) == len(views_dev)
    for i, (v_cpu, v_dev) in enumerate(zip(views_cpu, views_dev)):
        _check_view(v_dev, v_cpu, base_dev)
        v_cpu.add_(10 * (i + 1))
        v_dev.add_(10 * (i + 1))
    assert_bit_equal(base_dev.cpu(), base_cpu)
    base_cpu.neg_()
    base_dev.neg_()
    for v_cpu, v_dev in zip(views_cpu, views_dev):
        assert_bit_equal(v_dev.cpu(), v_cpu)


def test_reshape_of_non_contiguous_copies_as_cpu():
    base_cpu = _real()
    base_dev = base_cpu.to("ttnn")
    r_cpu, r_dev = base_cpu.t().reshape(-1), base_dev.t().reshape(-1)
    assert r_cpu._base is None or r_cpu.untyped_storage().data_ptr() != base_cpu.untyped_storage().data_ptr()
    assert r_dev.untyped_storage().data_ptr() != base_dev.untyped_storage().data_ptr()
    assert_bit_equal(r_dev.cpu(), r_cpu)
    r_dev.fill_(0)
    assert_bit_equal(base_dev.cpu(), base_cpu)  # a copy: the base is untouched


def test_view_of_wrong_shape_raises():
    x = torch.zeros(4, 6, device="ttnn")
    with pytest.raises(RuntimeError):
        x.view(5, 5)
    with pytest.raises(RuntimeError):
        x.t().view(-1)  # not viewable: non-contiguous
    with pytest.raises(RuntimeError):
        x.as_strided((10, 10), (10, 1))  # beyond the storage


def test_views_keep_base_alive():
    x = torch.arange(12.0).to("ttnn")
    v = x[4:8]
    del x
    import gc
    gc.collect()
    assert torch.equal(v.cpu(), torch.arange(4.0, 8.0))
    v.add_(1)
    assert torch.equal(v._base.cpu()[4:8], torch.arange(5.0, 9.0))


# --------------------------------------------------------------------------------------------------
# In-place ops through views


INPLACE_THROUGH_VIEWS = {
    "add_tensor_col": lambda t, o: t[:, 1].add_(o[:, 0]),
    "iadd_slice": lambda t, o: t[::2].__iadd__(1.5),
    "zero_rows": lambda t, o: t[1:3].zero_(),
    "fill_t_row": lambda t, o: t.t()[0].fill_(5),
    "setitem_slice": lambda t, o: t.__setitem__((slice(None), slice(1, None, 2)), -2.0),
    "setitem_tensor_value": lambda t, o: t.__setitem__((1, slice(None)), o[2]),
    "setitem_mask": lambda t, o: t[:, ::2].__setitem__(t[:, ::2] > 5, 0.0),
    "index_put_": lambda t, o: t[1:].index_put_((torch.tensor([0, 2]).to(t.device),), o[0][:6]),
    "relu_": lambda t, o: torch.relu_(t[1:].sub_(6)),
    "clamp_": lambda t, o: t[0].clamp_(min=2, max=4),
    "diagonal_copy_": lambda t, o: t.diagonal().copy_(o[3][:4]),
    "masked_fill_": lambda t, o: t.t().masked_fill_((o > 0).t(), 9.0),
    "addcmul_": lambda t, o: t[:, :3].addcmul_(o[0][:3], o[1][:3], value=0.5),
    "mul_scalar_tensor": lambda t, o: t[2:].mul_(torch.tensor(3.0)),
    "div_noncontig_other": lambda t, o: t[:, ::3].div_(o.t()[::3].t()),
    "exp_": lambda t, o: t[3].exp_(),
    "transpose_inplace_t_": lambda t, o: t[1:3, :2].t_(),
    "unsqueeze_": lambda t, o: t[1].unsqueeze_(0),
}


@pytest.mark.parametrize("name", list(INPLACE_THROUGH_VIEWS))
def test_inplace_through_views(name):
    torch.manual_seed(1)
    base_cpu = torch.randn(4, 6) * 4
    other_cpu = torch.randn(4, 6)
    base_dev, other_dev = base_cpu.to("ttnn"), other_cpu.to("ttnn")
    op = INPLACE_THROUGH_VIEWS[name]
    r_cpu = op(base_cpu, other_cpu)
    r_dev = op(base_dev, other_dev)
    assert_bit_equal(base_dev.cpu(), base_cpu)
    if isinstance(r_cpu, torch.Tensor):
        assert isinstance(r_dev, torch.Tensor)
        assert r_dev.shape == r_cpu.shape and r_dev.stride() == r_cpu.stride()
        assert r_dev.storage_offset() == r_cpu.storage_offset()
        assert_bit_equal(r_dev.cpu(), r_cpu)


def test_inplace_op_returns_self():
    x = torch.ones(4, 6, device="ttnn")
    v = x[1:, ::2]
    assert v.mul_(2) is v
    assert v.fill_(1) is v
    assert v.zero_() is v
    assert v.copy_(torch.ones(3, 3)) is v


def test_overlapping_inplace_write_is_refused_as_on_cpu():
    x = torch.zeros(1, 6, device="ttnn").expand(3, 6)
    with pytest.raises(RuntimeError):
        x.add_(1)
    with pytest.raises(RuntimeError):
        torch.zeros(1, 6).expand(3, 6).add_(1)  # the reference behaviour


def test_copy_with_internal_overlap_raises_as_on_cpu():
    """copy_ from an overlapping view of itself is refused by torch (TensorIterator's overlap check)."""
    cpu = torch.randn(4, 4)
    with pytest.raises(RuntimeError, match="single memory location"):
        _self_transpose_copy(cpu.clone())
    dev = cpu.to("ttnn")
    with pytest.raises(RuntimeError, match="single memory location"):
        _self_transpose_copy(dev)
    assert_bit_equal(dev.cpu(), cpu)


def _self_transpose_copy(t):
    return t.copy_(t.t())


# --------------------------------------------------------------------------------------------------
# Views of storages in a TT-NN physical format


@pytest.mark.parametrize("data_type,dtype", [("FLOAT32", torch.float32), ("BFLOAT16", torch.bfloat16),
                                             ("INT32", torch.int32)])
def test_views_of_tile_storage(data_type, dtype):
    base_cpu = (torch.arange(2 * 33 * 40) % 97 - 40).reshape(2, 33, 40).to(dtype)
    base_dev = base_cpu.to("ttnn")
    ttnn_device.set_physical_format(base_dev, "TILE", data_type)
    views = [lambda t: t[1, 1:, ::2], lambda t: t.transpose(1, 2)[:, 3:7], lambda t: t.view(-1)[100:1700:3],
             lambda t: t[:, 32], lambda t: t.unfold(2, 4, 4), lambda t: t.diagonal(dim1=1, dim2=2)]
    for k, fn in enumerate(views):
        v_cpu, v_dev = fn(base_cpu), fn(base_dev)
        _check_view(v_dev, v_cpu, base_dev)
        v_cpu.add_(k + 1)
        v_dev.add_(k + 1)
        assert_bit_equal(base_dev.cpu(), base_cpu)
        v_dev.fill_(k)
        v_cpu.fill_(k)
        assert_bit_equal(base_dev.cpu(), base_cpu)
        assert_bit_equal(v_dev.cpu(), v_cpu)
    fmt = ttnn_device.physical_format(base_dev)
    assert fmt["layout"] == "TILE" and fmt["data_type"] == data_type  # writes keep the storage's format


@pytest.mark.parametrize("data_type,dtype", [("FLOAT32", torch.float32), ("BFLOAT16", torch.bfloat16)])
def test_tile_aligned_slices_of_tile_storage_convert_only_what_they_take(data_type, dtype):
    """q, k and v cut from a fused qkv projection: a slice of a TILE storage on tile boundaries moves those
    tiles first, so the view's conversion to ROW_MAJOR covers its third of the storage, not all of it."""
    base_cpu = torch.randn(2, 70, 3 * 96).to(dtype)
    base_dev = base_cpu.to("ttnn")
    ttnn_device.set_physical_format(base_dev, "TILE", data_type)
    heads = [lambda t, i=i: t.view(2, 70, 3, 3, 32).permute(2, 0, 3, 1, 4)[i] for i in range(3)]
    others = [lambda t: t[:, 32:, 64:160], lambda t: t[1, :64, 96:], lambda t: t[:, :, 5:37]]  # last: unaligned
    for fn in heads + others:
        before = ttnn_device.conversion_counts()["bytes"]
        got = fn(base_dev).contiguous()
        converted = ttnn_device.conversion_counts()["bytes"] - before
        assert_bit_equal(got.cpu(), fn(base_cpu).contiguous())
        if fn in heads:
            assert 0 < converted <= base_cpu.numel() * base_cpu.element_size() // 3 + 32 * 32 * 4 * 2 * 3
    assert_bit_equal(base_dev.cpu(), base_cpu)


@pytest.mark.usefixtures("exact_no_fallback")
@pytest.mark.parametrize("data_type,dtype", [("FLOAT32", torch.float32), ("BFLOAT16", torch.bfloat16),
                                             ("INT32", torch.int32), ("UINT8", torch.bool)])
def test_strided_writes_into_tile_storage_run_on_the_device(data_type, dtype):
    """Assignments to strided views of a TILE storage (top-p sampling's `mask[..., -1:] = 0`) are written
    on the device, with the fallback forbidden, and the storage stays TILE."""
    base_cpu = (torch.arange(3 * 70) % 11 - 5).reshape(3, 70).to(dtype)
    base_dev = base_cpu.to("ttnn")
    ttnn_device.set_physical_format(base_dev, "TILE", data_type)
    writes = [(lambda t: t[..., -5:], 0), (lambda t: t[1:, 3:9], 1), (lambda t: t[:, ::7], 1), (lambda t: t.t()[40:45], 0)]
    for view, value in writes:
        view(base_dev)[...] = value
        view(base_cpu)[...] = value
        assert_bit_equal(base_dev.cpu(), base_cpu)
    assert ttnn_device.physical_format(base_dev)["layout"] == "TILE"


def test_relayout_through_a_view_changes_the_whole_storage():
    base_cpu = torch.randn(40, 50)
    base_dev = base_cpu.to("ttnn")
    view = base_dev[3:, 1::2]
    ttnn_device.set_physical_format(view, "TILE", "FLOAT32")
    assert ttnn_device.physical_format(base_dev)["layout"] == "TILE"
    assert_bit_equal(view.cpu(), base_cpu[3:, 1::2])
    assert_bit_equal(base_dev.cpu(), base_cpu)
    view.mul_(-1)
    base_cpu[3:, 1::2].mul_(-1)
    assert_bit_equal(base_dev.cpu(), base_cpu)


def test_issue_example_on_tile_storage():
    torch.manual_seed(0)
    cpu = torch.randn(4, 6)
    x = cpu.to("ttnn")
    ttnn_device.set_physical_format(x, "TILE", "FLOAT32")
    x[1:, ::2].mul_(2)
    cpu[1:, ::2].mul_(2)
    assert_bit_equal(x.cpu(), cpu)


# --------------------------------------------------------------------------------------------------
# resize_


def test_resize_grow_keeps_data():
    x_cpu, x_dev = torch.arange(6.0), torch.arange(6.0).to("ttnn")
    x_cpu.resize_(10)
    x_dev.resize_(10)
    assert x_dev.shape == (10,) and x_dev.stride() == (1,)
    assert x_dev.untyped_storage().nbytes() >= 40
    assert_bit_equal(x_dev.cpu()[:6], torch.arange(6.0))
    x_dev[6:] = 1.0
    x_cpu[6:] = 1.0
    assert_bit_equal(x_dev.cpu(), x_cpu)


def test_resize_within_storage_keeps_storage():
    x = torch.arange(12.0).to("ttnn")
    ptr = x.untyped_storage().data_ptr()
    x.resize_(3, 4)
    assert x.untyped_storage().data_ptr() == ptr
    assert_bit_equal(x.cpu(), torch.arange(12.0).reshape(3, 4))
    x.resize_(2)
    x.resize_(12)
    assert_bit_equal(x.cpu(), torch.arange(12.0))
    x.resize_(0)
    assert x.numel() == 0
    x.resize_(2, 6)
    assert_bit_equal(x.cpu(), torch.arange(12.0).reshape(2, 6))


def test_resize_with_memory_format():
    x_cpu = torch.empty(0)
    x_dev = torch.empty(0, device="ttnn")
    x_cpu.resize_(2, 3, 4, 5, memory_format=torch.channels_last)
    x_dev.resize_(2, 3, 4, 5, memory_format=torch.channels_last)
    assert x_dev.stride() == x_cpu.stride()
    assert x_dev.is_contiguous(memory_format=torch.channels_last)


def test_resize_view_with_offset_grows_shared_storage():
    base_cpu, base_dev = torch.arange(6.0), torch.arange(6.0).to("ttnn")
    v_cpu, v_dev = base_cpu[2:], base_dev[2:]
    v_cpu.resize_(8)
    v_dev.resize_(8)
    assert v_dev.storage_offset() == 2
    assert v_dev.untyped_storage().nbytes() >= 40
    assert v_dev.untyped_storage().data_ptr() == base_dev.untyped_storage().data_ptr()
    assert_bit_equal(v_dev.cpu()[:4], v_cpu[:4])
    assert_bit_equal(base_dev.cpu(), base_cpu)
    v_dev[4:] = 9.0
    v_cpu[4:] = 9.0
    assert_bit_equal(v_dev.cpu(), v_cpu)
    base_dev.add_(1)
    base_cpu.add_(1)
    assert_bit_equal(v_dev.cpu(), v_cpu)


def test_resize_tile_storage_keeps_data():
    cpu = torch.randn(33, 40)
    dev = cpu.to("ttnn")
    ttnn_device.set_physical_format(dev, "TILE", "FLOAT32")
    dev.resize_(50, 40)
    assert_bit_equal(dev.cpu()[:33], cpu)


def test_resize_rejects_negative():
    with pytest.raises(RuntimeError):
        torch.empty(3, device="ttnn").resize_(-1)


def test_resize_as_():
    x = torch.arange(4.0).to("ttnn")
    x.resize_as_(torch.empty(2, 5))
    assert x.shape == (2, 5)
    assert_bit_equal(x.cpu().view(-1)[:4], torch.arange(4.0))


# --------------------------------------------------------------------------------------------------
# set_ (every overload) and storage_offset


def test_set_storage_overload():
    src_cpu = torch.randn(3, 4)
    src_dev = src_cpu.to("ttnn")
    t = torch.empty(0, device="ttnn")
    t.set_(src_dev.untyped_storage())
    assert t.shape == (12,) and t.storage_offset() == 0
    assert t.untyped_storage().data_ptr() == src_dev.untyped_storage().data_ptr()
    assert_bit_equal(t.cpu(), src_cpu.reshape(-1))
    t[5] = 42.0
    assert src_dev[1, 1].item() == 42.0


def test_set_storage_offset_size_stride_overload():
    src_cpu = torch.randn(20)
    src_dev = src_cpu.to("ttnn")
    t_cpu, t_dev = torch.empty(0), torch.empty(0, device="ttnn")
    t_cpu.set_(src_cpu.untyped_storage(), 3, (4, 2), (3, 5))
    t_dev.set_(src_dev.untyped_storage(), 3, (4, 2), (3, 5))
    assert t_dev.shape == (4, 2) and t_dev.stride() == (3, 5) and t_dev.storage_offset() == 3
    assert_bit_equal(t_dev.cpu(), t_cpu)
    t_dev.mul_(2)
    t_cpu.mul_(2)
    assert_bit_equal(src_dev.cpu(), src_cpu)
    # without strides: contiguous
    t_dev.set_(src_dev.untyped_storage(), 4, (2, 3))
    assert t_dev.stride() == (3, 1)
    assert_bit_equal(t_dev.cpu(), src_cpu[4:10].reshape(2, 3))


def test_set_tensor_overload():
    src_cpu = torch.randn(5, 6)
    src_dev = src_cpu.to("ttnn")
    view = src_dev[1:, ::2]
    t = torch.empty(0, device="ttnn")
    t.set_(view)
    assert t.shape == view.shape and t.stride() == view.stride() and t.storage_offset() == view.storage_offset()
    assert t.untyped_storage().data_ptr() == src_dev.untyped_storage().data_ptr()
    assert_bit_equal(t.cpu(), src_cpu[1:, ::2])
    t.fill_(3.0)
    src_cpu[1:, ::2] = 3.0
    assert_bit_equal(src_dev.cpu(), src_cpu)
    assert t.set_(t) is t


def test_set_empty_overload():
    t = torch.randn(3, 4).to("ttnn")
    t.set_()
    assert t.shape == (0,) and t.numel() == 0
    assert t.device.type == "ttnn"
    assert t.untyped_storage().nbytes() == 0
    t.resize_(3)
    t.fill_(1.0)
    assert torch.equal(t.cpu(), torch.ones(3))


def test_set_storage_of_another_dtype_reinterprets_bits():
    ints_cpu = torch.tensor([0x3F800000, -0x40000000, 0x7FC00001], dtype=torch.int32)
    ints_dev = ints_cpu.to("ttnn")
    f_cpu, f_dev = torch.empty(0), torch.empty(0, device="ttnn")
    f_cpu.set_(ints_cpu.untyped_storage())
    f_dev.set_(ints_dev.untyped_storage())
    assert_bit_equal(f_dev.cpu(), f_cpu)


def test_set_typed_storage():
    src = torch.arange(6.0).to("ttnn")
    t = torch.empty(0, device="ttnn")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # TypedStorage is deprecated
        storage = src.storage()
    t.set_(storage, 1, (2, 2), (2, 1))
    assert_bit_equal(t.cpu(), torch.tensor([[1.0, 2.0], [3.0, 4.0]]))


def test_set_rejects_cpu_storage_and_out_of_bounds():
    t = torch.empty(0, device="ttnn")
    with pytest.raises(RuntimeError):
        t.set_(torch.randn(4).untyped_storage())
    src = torch.zeros(4, device="ttnn")
    with pytest.raises(RuntimeError):
        t.set_(src.untyped_storage(), 2, (4,), (1,))
    assert t.numel() == 0 or t.untyped_storage().device.type == "ttnn"


def test_storage_offset_and_data_ptr():
    x = torch.arange(24.0).to("ttnn").reshape(4, 6)
    assert x.storage_offset() == 0
    v = x[2:, 3:]
    assert v.storage_offset() == 15
    assert v.data_ptr() == x.data_ptr() + 15 * 4
    w = x.view(-1)[5:].as_strided((2, 2), (6, 1), 7)
    assert w.storage_offset() == 7
    assert_bit_equal(w.cpu(), torch.tensor([[7.0, 8.0], [13.0, 14.0]]))
    assert x.untyped_storage().nbytes() == 96
    assert v.untyped_storage().nbytes() == 96
    assert v.untyped_storage().device == torch.device("ttnn:0")
    # a copy (clone) of a view starts at offset 0 in its own storage
    c = v.clone()
    assert c.storage_offset() == 0 and c.untyped_storage().data_ptr() != x.untyped_storage().data_ptr()
    assert_bit_equal(c.cpu(), torch.arange(24.0).reshape(4, 6)[2:, 3:])


def test_untyped_storage_slices_and_copy():
    x = torch.arange(8, dtype=torch.int32).to("ttnn")
    s = x.untyped_storage()
    assert s.device.type == "ttnn" and s.nbytes() == 32
    assert bytes(s.cpu()) == bytes(torch.arange(8, dtype=torch.int32).untyped_storage())
    other = torch.zeros(8, dtype=torch.int32, device="ttnn")
    other.untyped_storage().copy_(s)
    assert torch.equal(other.cpu(), torch.arange(8, dtype=torch.int32))


def test_copy_between_disjoint_views_of_one_storage():
    cpu = torch.randn(4, 6)
    dev = cpu.to("ttnn")
    dev[:, :2].copy_(dev[:, 3:5])
    cpu[:, :2].copy_(cpu[:, 3:5])
    assert_bit_equal(dev.cpu(), cpu)
    dev[:2].copy_(dev[2:])
    cpu[:2].copy_(cpu[2:])
    assert_bit_equal(dev.cpu(), cpu)
    dev.view(-1)[::2].copy_(dev.view(-1)[1::2])
    cpu.view(-1)[::2].copy_(cpu.view(-1)[1::2])
    assert_bit_equal(dev.cpu(), cpu)
