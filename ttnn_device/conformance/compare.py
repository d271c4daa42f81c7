"""Compare a device result (already brought back to the CPU) with the CPU reference.

Returns None when they agree, else a one-line summary of the first disagreement: reports
hold thousands of these, so they must be short and say where (which output leaf) and how.
"""

from __future__ import annotations

import math

import torch
from torch.utils import _pytree as pytree

MAX_REASON = 400


def one_line(text: str) -> str:
    """assert_close's multi-line message, squeezed onto one line."""
    text = " ".join(part.strip() for part in str(text).splitlines() if part.strip())
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 3] + "..."


def same_specials(a: torch.Tensor, e: torch.Tensor) -> bool:
    """The non-finite values of `a` sit where `e` has them, with the same values (any NaN matches a NaN)."""
    finite = torch.isfinite(e)
    return torch.equal(torch.isfinite(a), finite) and torch.equal(
        torch.nan_to_num(a[~finite], nan=0.0), torch.nan_to_num(e[~finite], nan=0.0))


def pcc(a: torch.Tensor, e: torch.Tensor) -> float:
    """Pearson correlation of two float tensors, TT-NN's own test metric (its tests pass at 0.99-0.9999).
    Non-finite values must sit at the same places with the same values; they are left out of the sum."""
    a, e = a.detach().double().flatten(), e.detach().double().flatten()
    if not same_specials(a, e):
        return float("-inf")
    finite = torch.isfinite(e)
    a, e = a[finite], e[finite]
    if a.numel() == 0 or torch.equal(a, e):
        return 1.0
    da, de = a - a.mean(), e - e.mean()
    denom = (da.norm() * de.norm()).item()
    return (da @ de).item() / denom if denom > 0 else float("-inf")


def _tensor_mismatch(a: torch.Tensor, e: torch.Tensor, meta_only, atol, rtol, min_pcc=None):
    if a.dtype != e.dtype:
        return f"dtype {a.dtype} != expected {e.dtype}"
    if a.shape != e.shape:
        return f"shape {tuple(a.shape)} != expected {tuple(e.shape)}"
    if a.layout != e.layout:
        return f"layout {a.layout} != expected {e.layout}"
    if meta_only:
        return None
    if not (e.is_floating_point() or e.is_complex()):
        atol = rtol = 0.0  # indices, counts, masks: an off-by-one is a wrong answer
    try:
        torch.testing.assert_close(
            a, e, atol=atol, rtol=rtol, equal_nan=True,
            check_device=False, check_dtype=True, check_stride=False,
        )
    except AssertionError as exc:
        if min_pcc is not None and e.is_floating_point():
            r = pcc(a, e)
            if r >= min_pcc:
                return None
            return one_line(f"PCC {r:.6f} < {min_pcc}; {exc}")
        return one_line(exc)
    return None


def _scalar_mismatch(a, e, meta_only, atol, rtol):
    if type(a) is not type(e):
        return f"type {type(a).__name__} != expected {type(e).__name__}"
    if meta_only:
        return None
    if isinstance(e, float):
        if math.isnan(e) and math.isnan(a):
            return None
        if math.isclose(a, e, rel_tol=rtol, abs_tol=atol):
            return None
        return f"{a!r} != expected {e!r}"
    if isinstance(e, complex):
        if abs(a - e) <= atol + rtol * abs(e):
            return None
        return f"{a!r} != expected {e!r}"
    return None if a == e else f"{a!r} != expected {e!r}"


def compare(actual, expected, *, meta_only: bool, atol: float, rtol: float, min_pcc=None):
    """None if actual matches expected, else a short reason. With min_pcc, a float output outside the
    tolerances still passes when its PCC against the expected one reaches min_pcc (TT-NN's criterion)."""
    a_leaves, a_spec = pytree.tree_flatten(actual)
    e_leaves, e_spec = pytree.tree_flatten(expected)
    if a_spec != e_spec:
        return one_line(f"output structure {a_spec} != expected {e_spec}")
    for idx, (a, e) in enumerate(zip(a_leaves, e_leaves)):
        where = f"output[{idx}]: " if len(e_leaves) > 1 else ""
        if isinstance(e, torch.Tensor) or isinstance(a, torch.Tensor):
            if not (isinstance(a, torch.Tensor) and isinstance(e, torch.Tensor)):
                return f"{where}type {type(a).__name__} != expected {type(e).__name__}"
            why = _tensor_mismatch(a, e, meta_only, atol, rtol, min_pcc)
        else:
            why = _scalar_mismatch(a, e, meta_only, atol, rtol)
        if why:
            return where + why
    return None


LOW_PRECISION = (torch.bfloat16, torch.float16)


def as_accurate_as_cpu(actual, expected, exact, *, atol: float, rtol: float) -> bool:
    """True when every element of the device's low-precision float outputs either matches the CPU's within
    the tolerances or is no further from the float64 result (`exact`, the op on the same inputs in float64)
    than the CPU's own element is. The CPU's bfloat16/float16 kernels differ by build and by processor (some
    accumulate in the low precision); a device result that is closer to the true value than the CPU's is
    not a failure, one further from it still is. Other outputs must match exactly as `compare` says."""
    a_leaves, a_spec = pytree.tree_flatten(actual)
    e_leaves, e_spec = pytree.tree_flatten(expected)
    x_leaves, x_spec = pytree.tree_flatten(exact)
    if not (a_spec == e_spec == x_spec):
        return False
    low = False
    for a, e, x in zip(a_leaves, e_leaves, x_leaves):
        if not (isinstance(e, torch.Tensor) and e.dtype in LOW_PRECISION):
            if compare(a, e, meta_only=False, atol=atol, rtol=rtol) is not None:
                return False
            continue
        if not (isinstance(a, torch.Tensor) and isinstance(x, torch.Tensor)) or a.dtype != e.dtype \
                or a.shape != e.shape or x.shape != e.shape:
            return False
        low = True
        a64, e64, x64 = a.double(), e.double(), x.double()
        if not same_specials(a64, e64):
            return False
        finite = torch.isfinite(e64) & torch.isfinite(x64)
        within_tolerance = (a64 - e64).abs() <= atol + rtol * e64.abs()
        no_further = (a64 - x64).abs() <= (e64 - x64).abs()
        if not bool((within_tolerance | no_further)[finite].all()):
            return False
    return low


def device_mismatch(output, device_type: str):
    """Reason if some output tensor is not on device_type (a silent CPU result is a bug)."""
    for leaf in pytree.tree_leaves(output):
        if isinstance(leaf, torch.Tensor) and leaf.device.type != device_type:
            return f"output tensor on {leaf.device.type}, expected {device_type}"
    return None
