"""Data-dependent selections and ordered search against CPU PyTorch, with the CPU fallback forbidden (so
every op ran on the device), in exact numerics: nonzero, masked_select, boolean-mask indexing and
index_put_ with a mask (what detection post-processing uses), isin (generate()'s stopping tokens),
searchsorted and bucketize."""

from __future__ import annotations

import pytest
import torch

import ttnn_device  # noqa: F401  (registers the device)


pytestmark = pytest.mark.usefixtures("exact_no_fallback")


def on_device(args):
    return [a.to("ttnn") if isinstance(a, torch.Tensor) else a for a in args]


def assert_same_as_cpu(fn, *args):
    expected = fn(*args)
    actual = fn(*on_device(args)).cpu()
    assert actual.dtype == expected.dtype and torch.equal(actual, expected)


def sparse_values(shape=(5, 7, 3), seed=0):
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(seed))
    x[x.abs() < 0.5] = 0
    return x


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.int32, torch.int64, torch.bool])
def test_nonzero(dtype):
    x = sparse_values().to(dtype)
    assert_same_as_cpu(torch.nonzero, x)
    assert_same_as_cpu(torch.nonzero, x.flatten())
    assert_same_as_cpu(lambda t: torch.nonzero(t, as_tuple=True)[1], x)


def test_nonzero_of_nothing_and_of_a_permuted_tensor():
    assert_same_as_cpu(torch.nonzero, torch.zeros(4, 5))
    assert_same_as_cpu(lambda t: torch.nonzero(t.transpose(0, 2)), sparse_values())


def test_masked_select_broadcasts_as_the_cpu():
    x = sparse_values()
    assert_same_as_cpu(torch.masked_select, x, x > 0.3)
    assert_same_as_cpu(torch.masked_select, x, (x > 0.3)[0])
    assert_same_as_cpu(torch.masked_select, x[0, 0], x > 0.3)


@pytest.mark.parametrize("select", [lambda t, m: t[m], lambda t, m: t[m[:, 0, 0]], lambda t, m: t[:, m[0, :, 0]],
                                    lambda t, m: t[m[:, :, 0]], lambda t, m: t[m[:, 0, 0], 1:]],
                         ids=["whole", "leading", "middle", "two-dims", "with-slice"])
def test_boolean_mask_indexing(select):
    x = sparse_values()
    assert_same_as_cpu(select, x, x > 0.3)


def test_boolean_mask_that_picks_nothing():
    assert_same_as_cpu(lambda t, m: t[m], sparse_values(), torch.zeros(5, dtype=torch.bool))


def test_mask_of_the_wrong_shape_raises_the_cpus_index_error():
    with pytest.raises(IndexError, match="shape of the mask"):
        sparse_values().to("ttnn")[torch.ones(4, dtype=torch.bool, device="ttnn")]


def put(t, mask, values, accumulate=False):
    return t.clone().index_put_((mask,), values, accumulate=accumulate)


def test_index_put_with_a_mask():
    x = sparse_values()
    m = x > 0.3
    assert_same_as_cpu(put, x, m, torch.arange(int(m.sum()), dtype=torch.float32))
    assert_same_as_cpu(put, x, m[:, 0, 0], torch.ones(7, 3))
    assert_same_as_cpu(put, x, m[:, :, 1], torch.tensor([2.0, 3.0, 4.0]))
    assert_same_as_cpu(lambda t, k, v: put(t, k, v, accumulate=True), x, m[:, 0, 0], torch.ones(7, 3))
    assert_same_as_cpu(put, x, torch.zeros(5, dtype=torch.bool), torch.ones(7, 3))


@pytest.mark.parametrize("dtype", [torch.int64, torch.int32, torch.float32])
@pytest.mark.parametrize("invert", [False, True])
def test_isin(dtype, invert):
    elements = torch.randint(0, 12, (4, 6), generator=torch.Generator().manual_seed(1)).to(dtype)
    tests = torch.tensor([1, 5, 9, 100, -3]).to(dtype)
    assert_same_as_cpu(lambda e, t: torch.isin(e, t, invert=invert), elements, tests)
    assert_same_as_cpu(lambda e: torch.isin(e, 5, invert=invert), elements)


BOUNDARIES = torch.tensor([0.0, 1.0, 1.0, 2.5, 4.0])
VALUES = torch.tensor([[-1.0, 0.0, 1.0, 1.5], [2.5, 3.0, 4.0, 9.0]])  # below, on and above the boundaries


@pytest.mark.parametrize("right", [False, True])
@pytest.mark.parametrize("out_int32", [False, True])
def test_searchsorted_and_bucketize(right, out_int32):
    assert_same_as_cpu(lambda b, v: torch.searchsorted(b, v, right=right, out_int32=out_int32), BOUNDARIES, VALUES)
    assert_same_as_cpu(lambda v, b: torch.bucketize(v, b, right=right, out_int32=out_int32), VALUES, BOUNDARIES)
    assert_same_as_cpu(lambda b, v: torch.searchsorted(b, v, side="right" if right else "left"), BOUNDARIES, VALUES)


def test_searchsorted_with_batched_boundaries_and_a_sorter():
    g = torch.Generator().manual_seed(2)
    assert_same_as_cpu(torch.searchsorted, torch.sort(torch.randn(2, 6, generator=g))[0], torch.randn(2, 3, generator=g))
    shuffled = BOUNDARIES[torch.randperm(5, generator=g)]
    assert_same_as_cpu(lambda b, v, s: torch.searchsorted(b, v, sorter=s), shuffled, VALUES, torch.argsort(shuffled))
    assert_same_as_cpu(torch.searchsorted, BOUNDARIES.int(), VALUES.int())


def test_index_tensors_on_dims_that_are_not_adjacent_put_the_picked_dims_first():
    x = sparse_values((4, 5, 6))
    rows, cols = torch.tensor([0, 3, -1]), torch.tensor([5, 0, 2])
    assert_same_as_cpu(lambda t, r, c: t[r, :, c], x, rows, cols)
    assert_same_as_cpu(lambda t, r, c: t[r.reshape(3, 1), :, c], x, rows, cols)


def test_take_nonzero_static_and_masked_scatter():
    x = sparse_values()
    assert_same_as_cpu(torch.take, x, torch.tensor([[0, -1], [17, 40]]))
    for size in (3, 200):  # fewer rows than found, and more (padded)
        assert_same_as_cpu(lambda t: torch.nonzero_static(t, size=size, fill_value=-7), x)
    source = torch.arange(200, dtype=torch.float32)
    assert_same_as_cpu(lambda t, m, s: t.clone().masked_scatter_(m, s), x, x > 0.3, source)
    assert_same_as_cpu(lambda t, m, s: t.clone().masked_scatter_(m, s), x, (x > 0.3)[0], source)


@pytest.mark.parametrize("dtype", [torch.int64, torch.int32])
def test_index_put_of_integers(dtype):
    x = torch.randint(-(2**40) if dtype == torch.int64 else -1000, 2**40 if dtype == torch.int64 else 1000, (6, 4),
                      generator=torch.Generator().manual_seed(3)).to(dtype)
    index = torch.tensor([4, 0, 4])
    values = torch.tensor([2**35 + 7 if dtype == torch.int64 else 77, -5, 9], dtype=dtype).unsqueeze(1)
    assert_same_as_cpu(lambda t, i, v: t.clone().index_put_((i,), v), x, index, values)
    assert_same_as_cpu(lambda t, m, v: t.clone().index_put_((m,), v), x, x[:, 0] > 0, values[0])
    if dtype == torch.int32:
        assert_same_as_cpu(lambda t, i, v: t.clone().index_put_((i,), v, accumulate=True), x, index, values)


def test_searchsorted_of_a_scalar_a_0d_tensor_and_empty_inputs():
    assert_same_as_cpu(lambda b: torch.searchsorted(b, 1.0), BOUNDARIES)
    assert_same_as_cpu(lambda b: torch.searchsorted(b, 3, right=True), BOUNDARIES)
    assert_same_as_cpu(torch.searchsorted, BOUNDARIES, torch.tensor(2.0))
    assert_same_as_cpu(torch.searchsorted, BOUNDARIES, torch.empty(0, 3))
    assert_same_as_cpu(torch.searchsorted, torch.empty(0), VALUES)


def test_nonzero_of_a_0d_tensor():
    assert_same_as_cpu(torch.nonzero, torch.tensor(3.0))
    assert_same_as_cpu(torch.nonzero, torch.tensor(0.0))


INT64_EDGES = torch.tensor([0, 1, -1, 5, -7, 2**31 - 1, -(2**31), 2**31, 2**32 - 1, 2**32, 2**40 + 3, -(2**40) - 5, 2**62,
                            -(2**63), 2**63 - 1, 5, -1, 2**32])


@pytest.mark.parametrize("descending", [False, True])
def test_sorting_int64_and_bool_values(descending):
    g = torch.Generator().manual_seed(5)
    x = torch.cat([INT64_EDGES, torch.randint(-(2**62), 2**62, (100,), generator=g), torch.randint(-5, 5, (82,), generator=g)])
    assert_same_as_cpu(lambda t: torch.sort(t, stable=True, descending=descending)[0], x)
    assert_same_as_cpu(lambda t: torch.sort(t, stable=True, descending=descending)[1], x)  # stable: ties in order
    assert_same_as_cpu(lambda t: torch.sort(t, dim=0, stable=True, descending=descending)[1], x.reshape(20, 10))
    flags = torch.rand(40, generator=g) > 0.5
    assert_same_as_cpu(lambda t: torch.sort(t, stable=True, descending=descending)[1], flags)


@pytest.mark.parametrize("dtype", [torch.int64, torch.int32, torch.float32])
def test_unique_with_inverse_and_counts(dtype):
    values = torch.randint(-4, 6, (5, 7), generator=torch.Generator().manual_seed(6)).to(dtype)
    for i in range(3):
        assert_same_as_cpu(lambda t: torch.unique(t, return_inverse=True, return_counts=True)[i], values)
    assert_same_as_cpu(torch.unique, torch.cat([INT64_EDGES, INT64_EDGES]).to(dtype) if dtype == torch.int64 else values)


@pytest.mark.filterwarnings("ignore:The reduce argument of torch.scatter")
@pytest.mark.parametrize("dtype", [torch.float32, torch.int32])
def test_scatter_add_sums_repeated_indices(dtype):
    g = torch.Generator().manual_seed(7)
    index = torch.randint(0, 4, (6, 5), generator=g)
    src = torch.randint(-9, 9, (6, 5), generator=g).to(dtype)
    base = torch.ones(4, 5, dtype=dtype)
    assert_same_as_cpu(lambda b, i, s: b.scatter_add(0, i, s), base, index, src)
    assert_same_as_cpu(lambda b, i, s: b.clone().scatter_add_(0, i, s), base, index, src)
    assert_same_as_cpu(lambda b, i, s: b.scatter(0, i, s, reduce="add"), base, index, src)


@pytest.mark.parametrize("accumulate", [False, True])
def test_index_put_with_several_index_tensors(accumulate):
    """Adjacent and separated index tensors (negative ones counted from the end), as x[rows, cols] = v and
    x[rows, :, cols] = v write them; with accumulate, a repeated position sums its values."""
    x = sparse_values((4, 5, 6))
    rows = torch.tensor([0, 3, -1, 0 if accumulate else 1])
    mids, cols = torch.tensor([1, 2, 4, 1]), torch.tensor([5, 0, 2, 5])
    cases = [
        lambda t, r, m, c: t.clone().index_put_((r, m), torch.arange(24.0, device=t.device).reshape(4, 6), accumulate=accumulate),
        lambda t, r, m, c: t.clone().index_put_((r, m, c), torch.arange(4.0, device=t.device), accumulate=accumulate),
        lambda t, r, m, c: torch.ops.aten.index_put(t, [r, None, c], torch.arange(20.0, device=t.device).reshape(4, 5), accumulate),
    ]
    for fn in cases:
        assert_same_as_cpu(fn, x, rows, mids, cols)
