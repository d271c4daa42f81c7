"""What to run for an OpInfo, and how strictly to compare it (skips, modes, tolerances).

Upstream already encodes, per OpInfo, which comparisons between a device and the CPU are
meaningful: the DecorateInfos aimed at ("TestCommon", "test_compare_cpu"), or at every test.
We honour those first and keep the project's own additions small and commented below.
"""

from __future__ import annotations

import dataclasses

import torch

# The upstream test whose decorators describe "device result vs CPU result".
UPSTREAM_TEST = ("TestCommon", "test_compare_cpu")

# Base (atol, rtol) per dtype. test_compare_cpu compares with 1e-3/1e-3 for 32-bit and wider.
# Half-precision results on two backends legitimately differ by an ulp or two of rounding, and
# bf16 has only 8 bits of mantissa (eps = 2**-7), so bf16 gets ~2 eps relative and 1e-2
# absolute (values near zero after cancellation). Integer and bool outputs are compared
# exactly whatever the dtype of the sample: indices and counts have no tolerance.
BASE_TOL = {
    torch.bfloat16: (1e-2, 1.6e-2),
    torch.float16: (1e-3, 1e-3),
}
DEFAULT_TOL = (1e-3, 1e-3)

# empty* return uninitialised memory: the values are arbitrary on any backend, but shape,
# dtype and device are still the op's contract, so we check those instead of skipping.
UNINITIALISED_OPS = frozenset(
    {"empty", "empty_like", "new_empty", "new_empty_strided", "empty_strided", "empty_permuted"}
)

# Ops whose values depend on the random generator. The device has its own generator, so
# values cannot match the CPU's; shape, dtype and device can. Upstream marks most of them
# "output is non-deterministic" (also handled below); these are the ones it does not mark
# because CUDA never runs them in test_compare_cpu (factory functions, "Skipped!" entries).
# alpha_dropout draws its mask with bernoulli_, which runs on the device's own stream.
RANDOM_OPS = frozenset({"randn", "randint", "normal.number_mean", "nn.functional.alpha_dropout"})
UPSTREAM_RANDOM_REASON = "output is non-deterministic"

# Ops that are random only for some samples; the callable says whether this sample is.
# SDPA is deterministic without dropout, and it is too important to check only metadata.
RANDOM_WHEN = {
    "nn.functional.scaled_dot_product_attention": lambda s: s.kwargs.get("dropout_p", 0.0) > 0,
}

# Positional args that the op requires on the CPU (it reads them on the host). Moving them
# to the device would test the harness, not the op.
CPU_ARGS = {
    "tensor_split": (0,),  # tensor_indices_or_sections must be a CPU tensor
}

# Upstream skips we override because their reason is about CUDA, not about comparability,
# and the op matters too much to this device to leave untested.
UNSKIP = {
    "nn.functional.conv3d": "upstream skips it only to keep its slow CUDA job fast",
    "nn.functional.embedding": "upstream skip is a CUDA CI flake (pytorch#85377)",
}

# Project-level skips, each with the reason. Keep this empty unless a comparison is
# meaningless for us; device bugs belong in tests/opinfo_known_failures.json instead.
PROJECT_SKIPS: dict[str, str] = {}


@dataclasses.dataclass
class OpPolicy:
    skip: str | None = None  # reason not to run at all
    xfail: str | None = None  # upstream expects the comparison to fail
    meta_only: str | None = None  # reason to compare metadata only (whole op)
    atol: float = DEFAULT_TOL[0]
    rtol: float = DEFAULT_TOL[1]
    cpu_args: tuple = ()

    def meta_only_for(self, op_name: str, sample) -> str | None:
        """Reason to compare only metadata for this sample, or None to compare values."""
        if self.meta_only:
            return self.meta_only
        pred = RANDOM_WHEN.get(op_name)
        if pred is not None and pred(sample):
            return "random for this sample"
        return None


def _marks(decorator):
    """Apply one decorator to a fresh probe and return the resulting function.

    unittest.skip/expectedFailure and toleranceOverride/precisionOverride all record
    themselves as attributes, which is exactly what we need to read. Decorators that do
    something else (device gating like skipCUDAIf, skipCPUIfNoLapack, with_tf32_off) gate
    other backends or other tests and are deliberately ignored.
    """

    def fresh():
        pass

    try:
        out = decorator(fresh)
    except Exception:  # a decorator that cannot wrap a plain function carries no mark we use
        return fresh
    return out if callable(out) else fresh


def for_op(op, dtype: torch.dtype, device_type: str) -> OpPolicy:
    """The policy for one OpInfo at one dtype on device_type."""
    from torch.testing._internal import common_device_type as cdt

    pol = OpPolicy(cpu_args=CPU_ARGS.get(op.full_name, ()))
    pol.atol, pol.rtol = BASE_TOL.get(dtype, DEFAULT_TOL)
    if op.full_name in PROJECT_SKIPS:
        pol.skip = PROJECT_SKIPS[op.full_name]
        return pol

    cls_name, test_name = UPSTREAM_TEST
    decorators = op.get_decorators(cls_name, test_name, device_type, dtype, {"dtype": dtype})
    for dec in decorators:
        if dec is cdt.onlyCUDA:
            pol.skip = "upstream: CUDA-only op"
            continue
        fn = _marks(dec)
        if getattr(fn, "__unittest_skip__", False):
            reason = getattr(fn, "__unittest_skip_why__", "") or "skipped"
            if reason.startswith(UPSTREAM_RANDOM_REASON):
                pol.meta_only = f"upstream: {reason}"
            elif op.full_name not in UNSKIP:
                pol.skip = f"upstream: {reason}"
        if getattr(fn, "__unittest_expecting_failure__", False):
            pol.xfail = "upstream expects test_compare_cpu to fail"
        # Overrides (toleranceOverride: atol and rtol; precisionOverride: atol) only loosen the
        # base tolerance: upstream also takes the max of explicit and overridden tolerances.
        tol = getattr(fn, "tolerance_overrides", {}).get(dtype)
        if tol is not None:
            pol.atol, pol.rtol = max(pol.atol, tol.atol), max(pol.rtol, tol.rtol)
        prec = getattr(fn, "precision_overrides", {}).get(dtype)
        if prec is not None and tol is None:
            pol.atol = max(pol.atol, prec)

    if op.full_name in UNINITIALISED_OPS:
        pol.skip, pol.meta_only = None, "uninitialised output"
    elif op.full_name in RANDOM_OPS:
        pol.skip, pol.meta_only = None, "random output"
    elif pol.meta_only and pol.skip is None and op.full_name in RANDOM_WHEN:
        pol.meta_only = None  # decided per sample instead
    return pol
