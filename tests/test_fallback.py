"""The counted CPU fallback: per-op counts with exact op names, reset, warn / error modes (and the
TTNN_DEVICE_FALLBACK variable), out= variants (resize, views as out), in-place ops, ops with several
results, mixed CPU-scalar / Python-scalar arguments, factory ops, convolution forward and backward through
convolution_overrideable, and the host <-> device transfers one fallback costs.

Counting tests use float64 / int64 tensors where the op must keep falling back: TT-NN has no float64 or
int64 format, so a future native kernel declines them (docs/design.md, invariant 3)."""

from __future__ import annotations

import warnings

import pytest
import torch
import torch.nn.functional as F

import ttnn_device
from conftest import assert_bit_equal

F64 = torch.float64


def _pair(n=8, dtype=F64, seed=0):
    g = torch.Generator().manual_seed(seed)
    a, b = torch.randn(n, generator=g, dtype=F64).to(dtype), torch.randn(n, generator=g, dtype=F64).to(dtype)
    return a, b, a.to("ttnn"), b.to("ttnn")


# --------------------------------------------------------------------------------------------------
# Counting


def test_counts_per_op_with_exact_names(counters):
    a, b, da, db = _pair()
    assert counters.fallback_counts() == {}
    r = da + db
    assert counters.fallback_counts() == {"aten::add.Tensor": 1}
    da + db
    torch.mul(da, db)
    assert counters.fallback_counts() == {"aten::add.Tensor": 2, "aten::mul.Tensor": 1}
    assert r.device == torch.device("ttnn:0")
    assert_bit_equal(r.cpu(), a + b)


def test_reset_clears_counts_and_transfers(counters):
    _, _, da, db = _pair()
    torch.sin(da)
    assert counters.fallback_counts()
    counters.reset_fallback_counts()
    assert counters.fallback_counts() == {}
    t = counters.transfer_counts()
    assert t == {"host_to_device": {"count": 0, "bytes": 0}, "device_to_host": {"count": 0, "bytes": 0}}
    torch.sin(da)
    assert counters.fallback_counts() == {"aten::sin": 1}


def test_counts_are_a_snapshot(counters):
    _, _, da, _ = _pair()
    torch.cos(da)
    snapshot = counters.fallback_counts()
    snapshot["aten::cos"] = 100
    assert counters.fallback_counts() == {"aten::cos": 1}


@pytest.mark.parametrize("n", [1, 1000])
def test_transfers_of_one_add_fallback(counters, n):
    """One fallback of add on two [n] tensors: each input crosses to the host once (2 D2H of 8n bytes),
    the result comes back once (1 H2D of 8n bytes). The fresh, uninitialised output need not cross."""
    a, b, da, db = _pair(n)
    counters.reset_fallback_counts()
    r = torch.add(da, db)
    assert counters.fallback_counts() == {"aten::add.Tensor": 1}
    assert counters.transfer_counts() == {
        "device_to_host": {"count": 2, "bytes": 2 * 8 * n},
        "host_to_device": {"count": 1, "bytes": 8 * n},
    }
    assert_bit_equal(r.cpu(), a + b)


def test_transfers_of_one_inplace_fallback(counters):
    """a.add_(b): a and b are read once each, a is written back once."""
    n = 100
    a, b, da, db = _pair(n)
    counters.reset_fallback_counts()
    da.add_(db)
    assert counters.transfer_counts() == {
        "device_to_host": {"count": 2, "bytes": 2 * 8 * n},
        "host_to_device": {"count": 1, "bytes": 8 * n},
    }
    assert_bit_equal(da.cpu(), a + b)


def test_transfers_of_unary_fallback_with_scalar(counters):
    n = 64
    a, _, da, _ = _pair(n)
    counters.reset_fallback_counts()
    r = da * 3  # the Python scalar never crosses as a tensor
    t = counters.transfer_counts()
    assert t["device_to_host"] == {"count": 1, "bytes": 8 * n}
    assert t["host_to_device"] == {"count": 1, "bytes": 8 * n}
    assert_bit_equal(r.cpu(), a * 3)


def test_transfers_are_counted_for_item(counters):
    _, _, da, _ = _pair()
    counters.reset_transfer_counts()
    da[0].item()
    assert counters.transfer_counts()["device_to_host"] == {"count": 1, "bytes": 8}


# --------------------------------------------------------------------------------------------------
# Modes


def test_mode_api(counters):
    assert ttnn_device.get_fallback_mode() == "allow"
    for mode in ["warn", "error", "allow"]:
        ttnn_device.set_fallback_mode(mode)
        assert ttnn_device.get_fallback_mode() == mode
    with pytest.raises(ValueError, match="allow"):
        ttnn_device.set_fallback_mode("sometimes")
    assert ttnn_device.get_fallback_mode() == "allow"


def test_warn_mode_warns_once_per_op(counters):
    a, _, da, _ = _pair()
    ttnn_device.set_fallback_mode("warn")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r1 = torch.sin(da)
        torch.sin(da)
        torch.cos(da)
        torch.sin(da)
    messages = [str(w.message) for w in caught if "ttnn" in str(w.message)]
    assert len(messages) == 2, messages
    assert sum("aten::sin'" in m for m in messages) == 1
    assert sum("aten::cos'" in m for m in messages) == 1
    assert counters.fallback_counts() == {"aten::sin": 3, "aten::cos": 1}
    assert_bit_equal(r1.cpu(), torch.sin(a))


def test_error_mode_raises_and_counts_nothing(counters):
    a, _, da, _ = _pair()
    ttnn_device.set_fallback_mode("error")
    with pytest.raises(NotImplementedError, match=r"aten::sin'"):
        torch.sin(da)
    with pytest.raises(NotImplementedError, match="aten::"):
        da.mul_(2)
    assert counters.fallback_counts() == {}
    ttnn_device.set_fallback_mode("allow")
    assert_bit_equal(da.cpu(), a)  # the refused in-place op changed nothing


def test_error_mode_leaves_native_ops_working(counters):
    ttnn_device.set_fallback_mode("error")
    x = torch.zeros(3, 4, device="ttnn")
    x.fill_(2.0)
    x[1:, ::2].zero_()
    y = x.t().clone()
    y.copy_(torch.ones(4, 3))
    z = torch.empty(5, device="ttnn").resize_(2, 2)
    assert z.shape == (2, 2)
    assert torch.equal(x.cpu(), torch.tensor([[2.0] * 4, [0, 2, 0, 2], [0, 2, 0, 2]]))
    assert x[0, 0].item() == 2.0
    assert torch.equal(y.cpu(), torch.ones(4, 3))
    assert torch.equal(x.to(torch.bfloat16).cpu(), x.cpu().to(torch.bfloat16))
    assert counters.fallback_counts() == {}
    # TT-NN has no float64: converting to it is not device work, so error mode refuses it.
    with pytest.raises(NotImplementedError, match="aten::copy_"):
        x.to(F64)


@pytest.mark.parametrize("mode", ["error", "warn", "allow"])
def test_env_var_sets_mode(run_py, mode):
    out = run_py(
        """
        import warnings
        print(ttnn_device.get_fallback_mode())
        x = torch.arange(4.0, dtype=torch.float64).to("ttnn")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                y = torch.sin(x)
                print("ran", torch.equal(y.cpu(), torch.sin(torch.arange(4.0, dtype=torch.float64))))
            except NotImplementedError as e:
                print("raised", "aten::sin'" in str(e))
        print("warned", sum("aten::sin'" in str(w.message) for w in caught))
        print(ttnn_device.fallback_counts())
        """,
        env={"TTNN_DEVICE_FALLBACK": mode},
    )
    lines = out.stdout.strip().splitlines()
    assert lines[0] == mode
    if mode == "error":
        assert lines[1:] == ["raised True", "warned 0", "{}"]
    elif mode == "warn":
        assert lines[1:] == ["ran True", "warned 1", "{'aten::sin': 1}"]
    else:
        assert lines[1:] == ["ran True", "warned 0", "{'aten::sin': 1}"]


def test_env_var_invalid_value_is_a_python_error(run_py):
    out = run_py(
        """
        try:
            import torch, ttnn_device
            ttnn_device.get_fallback_mode()
            x = torch.arange(4.0).to("ttnn")
            torch.sin(x)
        except Exception as e:
            print(type(e).__name__, "TTNN_DEVICE_FALLBACK" in str(e))
        else:
            print("accepted")
        """,
        env={"TTNN_DEVICE_FALLBACK": "sometimes"},
        import_device=False,
    )
    assert out.stdout.split() == ["ValueError", "True"]


# --------------------------------------------------------------------------------------------------
# out= variants


def test_out_right_size_is_returned_and_filled(counters):
    a, b, da, db = _pair()
    out = torch.empty(8, dtype=F64, device="ttnn")
    ptr = out.data_ptr()
    r = torch.add(da, db, out=out)
    assert r is out
    assert out.data_ptr() == ptr  # filled in place
    assert_bit_equal(out.cpu(), a + b)


def test_out_wrong_size_is_resized_as_on_cpu(counters):
    a, b, da, db = _pair()
    out_cpu = torch.empty(3, dtype=F64)
    out_dev = torch.empty(3, dtype=F64, device="ttnn")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.add(a, b, out=out_cpu)
        r = torch.add(da, db, out=out_dev)
    assert r is out_dev
    assert out_dev.shape == out_cpu.shape == (8,)
    assert_bit_equal(out_dev.cpu(), out_cpu)
    # zero-element out: resized silently
    empty = torch.empty(0, dtype=F64, device="ttnn")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        torch.mul(da, db, out=empty)
    assert_bit_equal(empty.cpu(), a * b)


def test_out_is_a_view(counters):
    g = torch.Generator().manual_seed(3)
    base_cpu = torch.randn(5, 6, generator=g, dtype=F64)
    x_cpu = torch.randn(4, 3, generator=g, dtype=F64)
    base_dev, x_dev = base_cpu.to("ttnn"), x_cpu.to("ttnn")
    view_dev = base_dev[1:, ::2]
    torch.mul(x_dev, 2, out=view_dev)
    torch.mul(x_cpu, 2, out=base_cpu[1:, ::2])
    assert_bit_equal(base_dev.cpu(), base_cpu)
    assert view_dev.untyped_storage().data_ptr() == base_dev.untyped_storage().data_ptr()
    # a transposed view as out
    torch.sin(x_dev.t(), out=base_dev[:3, :4].t().t())
    torch.sin(x_cpu.t(), out=base_cpu[:3, :4].t().t())
    assert_bit_equal(base_dev.cpu(), base_cpu)
    torch.sin(x_dev, out=base_dev[:3, 1:5].t())
    torch.sin(x_cpu, out=base_cpu[:3, 1:5].t())
    assert_bit_equal(base_dev.cpu(), base_cpu)


def test_out_with_wrong_dtype_raises_as_on_cpu(counters):
    _, _, da, db = _pair()
    out = torch.empty(8, dtype=torch.int64, device="ttnn")
    with pytest.raises(RuntimeError, match="can't be cast"):
        torch.add(da, db, out=out)


def test_out_multiple_results_resized(counters):
    g = torch.Generator().manual_seed(4)
    x_cpu = torch.randn(4, 7, generator=g, dtype=F64)
    x_dev = x_cpu.to("ttnn")
    vals, idx = torch.empty(0, dtype=F64, device="ttnn"), torch.empty(0, dtype=torch.int64, device="ttnn")
    r = torch.max(x_dev, 1, out=(vals, idx))
    assert r[0] is vals and r[1] is idx
    want = torch.max(x_cpu, 1)
    assert_bit_equal(vals.cpu(), want.values)
    assert_bit_equal(idx.cpu(), want.indices)
    sv, si = torch.empty(2, dtype=F64, device="ttnn"), torch.empty(2, dtype=torch.int64, device="ttnn")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.sort(x_dev, dim=1, out=(sv, si))
    want = torch.sort(x_cpu, dim=1)
    assert_bit_equal(sv.cpu(), want.values)
    assert_bit_equal(si.cpu(), want.indices)


# --------------------------------------------------------------------------------------------------
# In-place ops


@pytest.mark.parametrize(
    "op",
    [
        lambda t, o: t.add_(o, alpha=2),
        lambda t, o: t.mul_(o),
        lambda t, o: t.clamp_(min=-0.5, max=0.5),
        lambda t, o: t.sin_(),
        lambda t, o: t.pow_(2),
        lambda t, o: t.index_add_(0, torch.tensor([0, 2, 2]).to(t.device), o[:3]),
        lambda t, o: t.scatter_reduce_(0, torch.tensor([1, 0, 3]).to(t.device), o[:3], "amax"),
        lambda t, o: t.masked_fill_(o > 0, -1.0),
        lambda t, o: t.lerp_(o, 0.25),
        lambda t, o: t.copysign_(o),
    ],
    ids=["add_alpha", "mul_", "clamp_", "sin_", "pow_", "index_add_", "scatter_reduce_", "masked_fill_", "lerp_",
         "copysign_"],
)
def test_inplace_ops_match_cpu_and_return_self(op, counters):
    a, b, da, db = _pair()
    storage = da.untyped_storage().data_ptr()
    r_cpu = op(a, b)
    r_dev = op(da, db)
    assert r_dev is da
    assert da.untyped_storage().data_ptr() == storage
    assert_bit_equal(da.cpu(), r_cpu)
    assert counters.fallback_counts(), "expected the op to run through the fallback"


# --------------------------------------------------------------------------------------------------
# Ops returning several tensors


@pytest.mark.parametrize(
    "op",
    [
        lambda t: torch.topk(t, 3, dim=1),
        lambda t: torch.topk(t, 2, dim=0, largest=False),
        lambda t: torch.sort(t, dim=1, descending=True),
        lambda t: torch.max(t, dim=1),
        lambda t: torch.min(t, dim=0, keepdim=True),
        lambda t: torch.kthvalue(t, 2, dim=1),
        lambda t: torch.var_mean(t, dim=1),
        lambda t: torch.aminmax(t, dim=0),
        lambda t: torch.unique(t.round(), return_inverse=True, return_counts=True),
        lambda t: torch.linalg.qr(t[:, :4]),
        lambda t: torch.split(t.exp(), 2, dim=1),
    ],
    ids=["topk", "topk_smallest", "sort", "max_dim", "min_dim", "kthvalue", "var_mean", "aminmax", "unique",
         "qr", "split_of_result"],
)
def test_multiple_results_match_cpu(op, counters):
    g = torch.Generator().manual_seed(5)
    x_cpu = torch.randn(5, 6, generator=g, dtype=F64) * 3
    got = op(x_cpu.to("ttnn"))
    want = op(x_cpu)
    assert len(got) == len(want)
    assert type(got) is type(want)
    for gt, wt in zip(got, want):
        assert gt.device.type == "ttnn"
        assert gt.dtype == wt.dtype and gt.shape == wt.shape
        torch.testing.assert_close(gt.cpu(), wt, rtol=0, atol=0)


# --------------------------------------------------------------------------------------------------
# Mixed arguments: CPU 0-dim tensors and Python scalars beside ttnn tensors


@pytest.mark.parametrize(
    "op",
    [
        lambda t: t * torch.tensor(2.5, dtype=torch.float64),
        lambda t: torch.tensor(3.0) - t,
        lambda t: t + 1,
        lambda t: 2 ** t,
        lambda t: t / 3,
        lambda t: t > 0.5,
        lambda t: t.int() + torch.tensor(7),
        lambda t: t.int() * 1.5,
        lambda t: t.int() + torch.tensor(7.5, dtype=torch.float64),
        lambda t: t.float() * torch.tensor(2, dtype=torch.int64),
        lambda t: t.float() + torch.tensor(1.0, dtype=torch.float64),
        lambda t: t * (1 + 2j),
        lambda t: torch.where(t > 0, t, torch.tensor(0.0, dtype=torch.float64)),
        lambda t: torch.clamp(t, min=-0.5, max=torch.tensor(0.5).item()),
        lambda t: t.bool() & True,
        lambda t: torch.addcmul(t, t, t, value=torch.tensor(0.5).item()),
    ],
    ids=["mul_cpu0d", "cpu0d_sub", "add_int", "rpow", "div_int", "gt_float", "int_add_cpu0d_int",
         "int_mul_float", "int_add_cpu0d_float", "float_mul_cpu0d_int", "float32_add_cpu0d_f64", "mul_complex",
         "where_cpu0d", "clamp_scalars", "bool_and", "addcmul_value"],
)
def test_mixed_arguments_match_cpu(op, counters):
    g = torch.Generator().manual_seed(6)
    x_cpu = torch.randn(3, 4, generator=g, dtype=F64) * 4
    got = op(x_cpu.to("ttnn"))
    want = op(x_cpu)
    assert got.device == torch.device("ttnn:0"), got.device
    assert got.dtype == want.dtype  # type promotion exactly as on the CPU
    assert_bit_equal(got.cpu(), want)


def test_cpu_tensor_with_dims_beside_ttnn_tensor_is_rejected():
    """As for CUDA: only 0-dim CPU tensors may be mixed with device tensors, and only where the op allows
    CPU scalars (binary ops, not clamp's bounds)."""
    x = torch.ones(3, device="ttnn", dtype=F64)
    with pytest.raises(RuntimeError, match="device"):
        x + torch.ones(3, dtype=F64)
    with pytest.raises(RuntimeError, match="device"):
        torch.clamp(x, min=torch.tensor(-0.5, dtype=F64))


def test_tensor_list_with_cpu_tensor_is_rejected():
    """torch.cat of a ttnn and a CPU tensor raises on CUDA ("Expected all tensors to be on the same
    device"); it must not silently compute on the CPU."""
    x = torch.ones(2, 3, device="ttnn", dtype=F64)
    with pytest.raises(RuntimeError, match="device"):
        torch.cat([x, torch.ones(2, 3, dtype=F64)])


def test_out_partially_overlapping_input_raises_as_on_cpu():
    cpu = torch.arange(6.0, dtype=F64)
    with pytest.raises(RuntimeError, match="single memory location"):
        torch.mul(cpu[1:], 2, out=cpu[:-1])
    dev = torch.arange(6.0, dtype=F64).to("ttnn")
    with pytest.raises(RuntimeError, match="single memory location"):
        torch.mul(dev[1:], 2, out=dev[:-1])


def test_tensor_list_ops(counters):
    g = torch.Generator().manual_seed(11)
    a, b = torch.randn(2, 3, generator=g, dtype=F64), torch.randn(2, 3, generator=g, dtype=F64)
    da, db = a.to("ttnn"), b.to("ttnn")
    assert_bit_equal(torch.cat([da, db], 1).cpu(), torch.cat([a, b], 1))
    assert_bit_equal(torch.stack([da, db.t().contiguous().t()]).cpu(), torch.stack([a, b]))
    out = torch.empty(0, dtype=F64, device="ttnn")
    torch.cat([da[:, ::2], db[:, ::2]], out=out)
    assert_bit_equal(out.cpu(), torch.cat([a[:, ::2], b[:, ::2]]))
    for got, want in zip(torch._foreach_add([da, db], 1.5), torch._foreach_add([a, b], 1.5)):
        assert got.device.type == "ttnn"
        assert_bit_equal(got.cpu(), want)
    torch._foreach_mul_([da, db], 2.0)
    assert_bit_equal(da.cpu(), a * 2)
    assert_bit_equal(db.cpu(), b * 2)


def test_indexing_with_cpu_and_device_indices():
    g = torch.Generator().manual_seed(12)
    x_cpu = torch.randn(5, 4, generator=g, dtype=F64)
    x = x_cpu.to("ttnn")
    idx = torch.tensor([4, 0, 2])
    assert_bit_equal(x[idx].cpu(), x_cpu[idx])  # a CPU index tensor is allowed, as for CUDA
    assert_bit_equal(x[idx.to("ttnn")].cpu(), x_cpu[idx])
    assert_bit_equal(x[x > 0].cpu(), x_cpu[x_cpu > 0])
    assert_bit_equal(x[:, [1, 3]].cpu(), x_cpu[:, [1, 3]])
    x[idx.to("ttnn"), 1] = -1.0
    x_cpu[idx, 1] = -1.0
    assert_bit_equal(x.cpu(), x_cpu)


# --------------------------------------------------------------------------------------------------
# Factory ops on the device


@pytest.mark.parametrize(
    "make",
    [
        lambda d: torch.zeros(2, 3, device=d),
        lambda d: torch.ones(4, dtype=torch.int64, device=d),
        lambda d: torch.full((2, 2), 7.5, device=d),
        lambda d: torch.full((3,), True, device=d),
        lambda d: torch.full((2,), 3, dtype=torch.int16, device=d),
        lambda d: torch.arange(5, device=d),
        lambda d: torch.arange(1.0, 4.0, 0.5, device=d),
        lambda d: torch.arange(10, 0, -3, dtype=torch.int32, device=d),
        lambda d: torch.linspace(-1, 1, 7, device=d),
        lambda d: torch.logspace(0, 2, 5, device=d),
        lambda d: torch.eye(3, device=d),
        lambda d: torch.eye(2, 4, dtype=torch.int64, device=d),
        lambda d: torch.tril_indices(4, 3, device=d),
        lambda d: torch.triu_indices(3, 3, offset=1, device=d),
        lambda d: torch.tensor([[1, 2], [3, 4]], dtype=torch.uint8, device=d),
        lambda d: torch.scalar_tensor(2.5, device=d),
        lambda d: torch.empty(3, 0, device=d),
        lambda d: torch.zeros(2, 3, device=d).new_full((2,), 4.0),
        lambda d: torch.ones(2, dtype=F64, device=d).new_zeros(3),
        lambda d: torch.full_like(torch.zeros(2, 2, device=d), 9),
        lambda d: torch.ones_like(torch.zeros(2, 3, device=d).t()),
        lambda d: torch.empty(2, 3, 4, 5, device=d, memory_format=torch.channels_last).fill_(1.5),
    ],
    ids=["zeros", "ones_int64", "full", "full_bool", "full_int16", "arange", "arange_float_step",
         "arange_negative", "linspace", "logspace", "eye", "eye_rect", "tril_indices", "triu_indices",
         "tensor_literal", "scalar_tensor", "empty_zero_size", "new_full", "new_zeros", "full_like",
         "ones_like_transposed", "empty_channels_last_fill"],
)
def test_factories_on_device_match_cpu(make):
    got, want = make("ttnn"), make("cpu")
    assert got.device == torch.device("ttnn:0")
    assert got.dtype == want.dtype and got.shape == want.shape and got.stride() == want.stride()
    assert_bit_equal(got.cpu(), want)


def test_random_factories(counters):
    torch.manual_seed(0)
    n = torch.randn(2000, device="ttnn")
    u = torch.rand(2000, device="ttnn", dtype=F64)
    i = torch.randint(3, 9, (2000,), device="ttnn")
    p = torch.randperm(50, device="ttnn")
    b = torch.bernoulli(torch.full((2000,), 0.25, device="ttnn"))
    e = torch.empty(2000, device="ttnn").uniform_(-2, -1)
    for t, dtype in [(n, torch.float32), (u, F64), (i, torch.int64), (p, torch.int64), (b, torch.float32)]:
        assert t.device == torch.device("ttnn:0") and t.dtype == dtype
    n, u, i, p, b, e = (t.cpu() for t in (n, u, i, p, b, e))
    assert abs(n.mean()) < 0.1 and abs(n.std() - 1) < 0.1
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.05
    assert i.min() >= 3 and i.max() <= 8 and set(i.tolist()) == set(range(3, 9))
    assert sorted(p.tolist()) == list(range(50))
    assert set(b.unique().tolist()) == {0.0, 1.0} and abs(b.mean() - 0.25) < 0.05
    assert e.min() >= -2 and e.max() < -1


# --------------------------------------------------------------------------------------------------
# Convolution: the default path ends in convolution_overrideable


CONV_CASES = {
    "conv2d": lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1),
    "conv2d_dilated_groups": lambda x, w, b: F.conv2d(x, w[:, :2], b, padding=2, dilation=2, groups=2),
    "conv2d_no_bias": lambda x, w, b: F.conv2d(x, w, None, padding="same"),
    "conv_transpose2d": lambda x, w, b: F.conv_transpose2d(x, w.transpose(0, 1), None, stride=2, padding=1,
                                                           output_padding=1),
    "conv1d": lambda x, w, b: F.conv1d(x.flatten(2), w[..., 1], b, padding=1),
}


@pytest.mark.parametrize("name", list(CONV_CASES))
def test_convolution_forward_and_backward_match_cpu(name, counters):
    g = torch.Generator().manual_seed(7)
    # float64: declined by the native convolution (no TT-NN math in it), so this covers the CPU path.
    x_cpu = torch.randn(2, 4, 9, 9, generator=g, dtype=torch.float64)
    w_cpu = torch.randn(6, 4, 3, 3, generator=g, dtype=torch.float64)
    b_cpu = torch.randn(6, generator=g, dtype=torch.float64)
    leaves_cpu = [t.clone().requires_grad_() for t in (x_cpu, w_cpu, b_cpu)]
    leaves_dev = [t.to("ttnn").requires_grad_() for t in (x_cpu, w_cpu, b_cpu)]
    y_cpu = CONV_CASES[name](*leaves_cpu)
    y_dev = CONV_CASES[name](*leaves_dev)
    assert y_dev.device == torch.device("ttnn:0") and y_dev.shape == y_cpu.shape
    torch.testing.assert_close(y_dev.cpu(), y_cpu, rtol=1e-5, atol=1e-5)
    assert counters.fallback_counts().get("aten::convolution_overrideable") == 1
    grad = torch.randn(y_cpu.shape, generator=g)
    y_cpu.backward(grad)
    y_dev.backward(grad.to("ttnn"))
    assert counters.fallback_counts().get("aten::convolution_backward_overrideable") == 1
    for leaf_dev, leaf_cpu in zip(leaves_dev, leaves_cpu):
        if leaf_cpu.grad is None:
            assert leaf_dev.grad is None
            continue
        assert leaf_dev.grad.device == torch.device("ttnn:0")
        torch.testing.assert_close(leaf_dev.grad.cpu(), leaf_cpu.grad, rtol=1e-5, atol=1e-5)


def test_conv_module_on_device(counters):
    torch.manual_seed(8)
    conv = torch.nn.Conv2d(3, 5, 3, padding=1)
    x = torch.randn(1, 3, 8, 8)
    want = conv(x)
    conv.to("ttnn")
    got = conv(x.to("ttnn"))
    torch.testing.assert_close(got.cpu(), want, rtol=1e-5, atol=1e-5)


# --------------------------------------------------------------------------------------------------
# Fallback results are ordinary device tensors


def test_fallback_results_live_on_the_op_device(counters):
    _, _, da, db = _pair()
    r = torch.atan2(da, db)
    assert r.device == torch.device("ttnn:0")
    assert ttnn_device.physical_format(r)["logical_bytes"] == 64
    assert r.untyped_storage().data_ptr() != da.untyped_storage().data_ptr()


def test_fallback_on_tile_storage(counters):
    g = torch.Generator().manual_seed(9)
    x_cpu = torch.randn(33, 40, generator=g)
    x_dev = x_cpu.to("ttnn")
    ttnn_device.set_physical_format(x_dev, "TILE", "FLOAT32")
    assert_bit_equal(torch.sin(x_dev).cpu(), torch.sin(x_cpu))
    x_dev.mul_(3)
    x_cpu.mul_(3)
    assert_bit_equal(x_dev.cpu(), x_cpu)
    assert ttnn_device.physical_format(x_dev)["layout"] == "TILE"


def test_non_aten_op_falls_back(counters):
    torchvision = pytest.importorskip("torchvision")
    boxes = torch.tensor([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]], dtype=torch.float32)
    scores = torch.tensor([0.9, 0.8, 0.7])
    want = torchvision.ops.nms(boxes, scores, 0.5)
    got = torchvision.ops.nms(boxes.to("ttnn"), scores.to("ttnn"), 0.5)
    assert got.device.type == "ttnn"
    assert torch.equal(got.cpu(), want)
    assert counters.fallback_counts().get("torchvision::nms") == 1


def test_ops_across_two_devices_n300(run_py):
    """On two chips: fallback results stay on their operands' device, and mixing ttnn:0 with ttnn:1 in
    one op raises as CUDA does (copy_ between devices is the one op that may mix them)."""
    out = run_py(
        """
        a_cpu = torch.arange(6.0, dtype=torch.float64)
        a0, a1 = a_cpu.to("ttnn:0"), a_cpu.to("ttnn:1")
        r = torch.sin(a1)
        assert r.device == torch.device("ttnn:1") and torch.equal(r.cpu(), torch.sin(a_cpu))
        assert torch.ttnn.current_device() == 0
        s = torch.topk(a1, 2)
        assert s.values.device == s.indices.device == torch.device("ttnn:1")
        assert ttnn_device.fallback_counts()["aten::sin"] == 1
        results = []
        for name, op in [("add", lambda: a0 + a1), ("cat", lambda: torch.cat([a0, a1])),
                         ("stack", lambda: torch.stack([a0, a1]))]:
            try:
                op()
                results.append(name + ":accepted")
            except RuntimeError as e:
                results.append(name + (":raised" if "device" in str(e) else ":other"))
        a0.copy_(a1 * 2)
        assert torch.equal(a0.cpu(), a_cpu * 2)
        torch.ttnn.manual_seed_all(3)
        x0, x1 = torch.randn(5, device="ttnn:0").cpu(), torch.randn(5, device="ttnn:1").cpu()
        torch.ttnn.manual_seed_all(3)
        y1, y0 = torch.randn(5, device="ttnn:1").cpu(), torch.randn(5, device="ttnn:0").cpu()
        assert torch.equal(x0, y0) and torch.equal(x1, y1)  # one generator per device
        state = torch.ttnn.get_rng_state(1)
        z = torch.randn(5, device="ttnn:1").cpu()
        torch.ttnn.set_rng_state(state, 1)
        assert torch.equal(torch.randn(5, device="ttnn:1").cpu(), z)
        print(" ".join(results))
        """,
        env={"TTNN_DEVICE_BOARD": "n300"},
    )
    assert out.stdout.split() == ["add:raised", "cat:raised", "stack:raised"]


def test_detection_ops_tt_nn_lacks_run_on_the_cpu_with_their_reason(counters):
    torchvision = pytest.importorskip("torchvision")
    boxes = torch.tensor([[0.0, 0.0, 10.0, 10.0], [1.0, 1.0, 11.0, 11.0], [50.0, 50.0, 60.0, 60.0], [0.0, 0.0, 9.0, 10.0]])
    scores = torch.tensor([0.9, 0.8, 0.7, 0.95])
    kept = torchvision.ops.nms(boxes.to("ttnn"), scores.to("ttnn"), 0.5)
    assert kept.device.type == "ttnn" and torch.equal(kept.cpu(), torchvision.ops.nms(boxes, scores, 0.5))
    features = torch.randn(1, 3, 16, 16, generator=torch.Generator().manual_seed(0))
    rois = torch.tensor([[0.0, 1.0, 1.0, 9.0, 12.0]])
    pooled = torchvision.ops.roi_align(features.to("ttnn"), rois.to("ttnn"), (4, 4))
    torch.testing.assert_close(pooled.cpu(), torchvision.ops.roi_align(features, rois, (4, 4)))
    reasons = ttnn_device.fallback_reasons()
    assert "non-maximum suppression" in next(iter(reasons["torchvision::nms"]))
    assert "RoI Align" in next(iter(reasons["torchvision::roi_align"]))
