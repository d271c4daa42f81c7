"""Run every sample of one OpInfo at one dtype on the device and on the CPU, and compare.

Sample statuses: pass, fail (values differ), error (the device side raised), skip (not
comparable: the CPU reference raised, or the sample cannot be moved), xfail (upstream expects
this op's comparison to fail and it did), decline (under TTNN_DEVICE_FALLBACK=error, an op the
device has no kernel for, or declines for these arguments, refused to run on the CPU: counted,
with its reason, apart from errors). Only the CPU reference is trusted; the device side
is everything else: transfer in, the op, transfer out.
"""

from __future__ import annotations

import os
import time

import torch
from torch.utils import _pytree as pytree

from . import compare, policy

MAX_REASON = compare.MAX_REASON
OP_STATUS_ORDER = ("error", "fail", "xfail", "pass", "decline", "skip")  # worst first
SAMPLE_STATUSES = ("total", "comparable", "pass", "fail", "error", "decline", "skip", "xfail")
# What the device's fallback says when TTNN_DEVICE_FALLBACK=error refuses to run an op on the CPU.
DECLINE_MARK = "TTNN_DEVICE_FALLBACK=error forbids"
# --min-pcc (tt numerics runs): float outputs outside the tolerances pass at this PCC, as TT-NN's tests.
MIN_PCC = float(os.environ["TTNN_CONFORMANCE_MIN_PCC"]) if os.environ.get("TTNN_CONFORMANCE_MIN_PCC") else None
# --grad: samples whose inputs require grad also compare input gradients (test_compare_cpu's backward half).
GRAD = os.environ.get("TTNN_CONFORMANCE_GRAD") == "1"


def _short(exc: BaseException) -> str:
    return compare.one_line(f"{type(exc).__name__}: {exc}")


def _leaves(sample):
    return pytree.tree_leaves([sample.input, sample.args, sample.kwargs])


def _not_movable(sample):
    """Why the sample cannot be sent to the device as strided tensors, or None."""
    for leaf in _leaves(sample):
        if isinstance(leaf, torch.Tensor):
            if leaf.layout != torch.strided:
                return f"non-strided input ({leaf.layout})"
            if leaf.is_quantized:
                return "quantized input"
    return None


class Mover:
    """Copies a CPU sample onto the device (also rewriting device arguments of factories)."""

    def __init__(self, device: torch.device):
        self.device = device
        self.touched = False  # whether the last sample moved anything to the device
        # On the CPU, .to() would hand back the same tensor and let the reference run mutate the
        # "device" copy; clone() gives the same independence a real transfer gives.
        self.same = device.type == "cpu"

    def leaf(self, x):
        if isinstance(x, torch.Tensor):
            self.touched = True
            moved = x.detach().clone() if self.same else x.detach().to(self.device)
            return moved.requires_grad_() if x.requires_grad else moved  # a leaf of its own graph
        if isinstance(x, torch.device) and x.type == "cpu":
            self.touched = True
            return self.device
        if isinstance(x, str) and x == "cpu":
            self.touched = True
            return str(self.device)
        return x

    def tree(self, x):
        if isinstance(x, torch.Size):
            return x
        if isinstance(x, tuple):
            return tuple(self.tree(y) for y in x)
        if isinstance(x, list):
            return [self.tree(y) for y in x]
        if isinstance(x, dict):
            return {k: self.tree(v) for k, v in x.items()}
        return self.leaf(x)

    def sample(self, s, cpu_args):
        self.touched = False
        args = [
            (a.detach().clone() if isinstance(a, torch.Tensor) else a) if i in cpu_args else self.tree(a)
            for i, a in enumerate(s.args)
        ]
        return self.tree(s.input), args, self.tree(s.kwargs)


def _to_cpu(out):
    leaves, spec = pytree.tree_flatten(out)
    if not any(isinstance(t, torch.Tensor) for t in leaves):
        return out  # untouched: rebuilding would turn a torch.Size into a plain tuple
    return pytree.tree_unflatten([t.cpu() if isinstance(t, torch.Tensor) else t for t in leaves], spec)


def _run_sample(op, sample, pol, mover, device_type):
    """(status, reason) of one sample."""
    why = _not_movable(sample)
    if why:
        return "skip", why
    meta = pol.meta_only_for(op.full_name, sample)
    try:
        dev_in, dev_args, dev_kwargs = mover.sample(sample, pol.cpu_args)
    except Exception as exc:
        return "error", "transfer to device: " + _short(exc)
    if not mover.touched:
        # e.g. arange(2): no tensor and no device argument, so both runs are the CPU's
        return "skip", "sample never reaches the device (no tensor, no device argument)"

    # No reseeding between the two runs: random ops are compared on metadata only, and the
    # device's generator could not reproduce the CPU's numbers anyway.
    try:
        expected = op(sample.input, *sample.args, **sample.kwargs)
    except Exception as exc:
        return "skip", "cpu reference raised: " + _short(exc)

    try:
        actual = op(dev_in, *dev_args, **dev_kwargs)
    except NotImplementedError as exc:
        return ("decline" if DECLINE_MARK in str(exc) else "error"), _short(exc)
    except Exception as exc:
        return "error", _short(exc)
    why = compare.device_mismatch(actual, device_type)
    if why:
        return "fail", why
    actual_out = actual
    try:
        actual = _to_cpu(actual)
    except Exception as exc:
        return "error", "transfer to cpu: " + _short(exc)

    # output_process_fn_grad canonicalises outputs that are not unique (e.g. SVD signs); it
    # runs on the CPU copies so that only the op under test runs on the device.
    try:
        actual = sample.output_process_fn_grad(actual)
        expected = sample.output_process_fn_grad(expected)
    except Exception as exc:
        return "error", "output_process_fn_grad: " + _short(exc)
    why = compare.compare(actual, expected, meta_only=bool(meta), atol=pol.atol, rtol=pol.rtol, min_pcc=MIN_PCC)
    if why and not meta and _closer_than_cpu(op, sample, actual, expected, pol):
        why = None
    if why or meta or not GRAD:
        return ("fail", why) if why else ("pass", None)
    return _compare_gradients(op, sample, (dev_in, dev_args, dev_kwargs), actual_out, expected, pol)


def _needing_grad(tree):
    return [t for t in pytree.tree_leaves(tree) if isinstance(t, torch.Tensor) and t.requires_grad]


def _compare_gradients(op, sample, device_sample, actual_out, expected, pol):
    """The backward half: the same seeded output gradients through both graphs, input gradients compared."""
    cpu_inputs = _needing_grad([sample.input, sample.args, sample.kwargs])
    dev_inputs = _needing_grad(list(device_sample))
    outs_cpu = [t for t in pytree.tree_leaves(expected) if isinstance(t, torch.Tensor) and t.requires_grad]
    try:
        actual_out = sample.output_process_fn_grad(actual_out)
    except Exception as exc:
        return "error", "gradient: output_process_fn_grad: " + _short(exc)
    outs_dev = [t for t in pytree.tree_leaves(actual_out) if isinstance(t, torch.Tensor) and t.requires_grad]
    if not cpu_inputs or not outs_cpu:
        return "pass", None
    if len(outs_dev) != len(outs_cpu) or len(dev_inputs) != len(cpu_inputs):
        return "fail", "gradient: the device's outputs or inputs do not require grad as the CPU's do"
    generator = torch.Generator().manual_seed(0)
    upstream = [torch.randn(o.shape, generator=generator, dtype=torch.float64).to(o.dtype) for o in outs_cpu]
    try:
        want = torch.autograd.grad(outs_cpu, cpu_inputs, upstream, allow_unused=True)
    except Exception:
        return "pass", None  # the CPU has no gradient for this sample: nothing to compare
    try:
        got = torch.autograd.grad(outs_dev, dev_inputs, [u.to(o.device) for u, o in zip(upstream, outs_dev)],
                                  allow_unused=True)
        got = [g.cpu() if g is not None else None for g in got]
    except NotImplementedError as exc:
        return ("decline" if DECLINE_MARK in str(exc) else "error"), "gradient: " + _short(exc)
    except Exception as exc:
        return "error", "gradient: " + _short(exc)
    if [g is None for g in got] != [w is None for w in want]:
        return "fail", "gradient: defined for other inputs than on the CPU"
    pairs = [(g, w) for g, w in zip(got, want) if w is not None]
    why = compare.compare([g for g, _ in pairs], [w for _, w in pairs], meta_only=False, atol=pol.atol,
                          rtol=pol.rtol, min_pcc=MIN_PCC)
    if why and _gradient_closer_than_cpu(op, sample, upstream, got, want, pol):
        why = None
    return ("fail", "gradient: " + why) if why else ("pass", None)


def _gradient_closer_than_cpu(op, sample, upstream, got, want, pol) -> bool:
    """The float64 rule of _closer_than_cpu for gradients: the same backward on float64 copies of the inputs
    says whether a low-precision mismatch is the CPU's rounding rather than the device's."""
    if not any(isinstance(w, torch.Tensor) and w.dtype in compare.LOW_PRECISION for w in want):
        return False

    def wide(x):
        if isinstance(x, torch.Tensor) and x.dtype in compare.LOW_PRECISION:
            return x.detach().double().requires_grad_(x.requires_grad)
        return x

    try:
        inp = wide(sample.input)
        args = pytree.tree_map(wide, list(sample.args))
        kwargs = pytree.tree_map(wide, dict(sample.kwargs))
        out = sample.output_process_fn_grad(op(inp, *args, **kwargs))
        outs = [t for t in pytree.tree_leaves(out) if isinstance(t, torch.Tensor) and t.requires_grad]
        exact = torch.autograd.grad(outs, _needing_grad([inp, args, kwargs]),
                                    [u.double() if u.dtype in compare.LOW_PRECISION else u for u in upstream],
                                    allow_unused=True)
    except Exception:
        return False
    exact = [e for e, w in zip(exact, want) if w is not None]
    kept = [w for w in want if w is not None]
    got = [g for g, w in zip(got, want) if w is not None]
    return len(exact) == len(kept) and compare.as_accurate_as_cpu(got, kept, exact, atol=pol.atol, rtol=pol.rtol)


def _closer_than_cpu(op, sample, actual, expected, pol) -> bool:
    """A bfloat16/float16 mismatch that is the CPU's rounding, not the device's: the op rerun on the CPU
    in float64 (same values) says which result is nearer the true one (compare.as_accurate_as_cpu)."""
    if not any(isinstance(t, torch.Tensor) and t.dtype in compare.LOW_PRECISION for t in pytree.tree_leaves(expected)):
        return False

    def wide(x):
        return x.detach().double() if isinstance(x, torch.Tensor) and x.dtype in compare.LOW_PRECISION else x

    try:
        exact = op(pytree.tree_map(wide, sample.input), *pytree.tree_map(wide, list(sample.args)),
                   **pytree.tree_map(wide, dict(sample.kwargs)))
        exact = sample.output_process_fn_grad(exact)
    except Exception:
        return False
    return compare.as_accurate_as_cpu(actual, expected, exact, atol=pol.atol, rtol=pol.rtol)


def _samples(op, dtype, reference):
    make = op.reference_inputs if reference else op.sample_inputs
    grad = GRAD and op.supports_autograd and dtype.is_floating_point
    return make("cpu", dtype, requires_grad=grad)


def _describe(sample) -> str:
    try:
        text = sample.summary()
    except Exception:
        text = repr(sample)
    return compare.one_line(text)


def run_case(op, dtype, device: torch.device, *, reference=False, on_sample=None, fallbacks=None):
    """Result dict for one OpInfo at one dtype. on_sample(i, desc) is called before each
    sample so that a crash can be pinned on it; fallbacks() returns per-op CPU fallback
    counts of the device (or None)."""
    t0 = time.perf_counter()
    pol = policy.for_op(op, dtype, device.type)
    result = {"status": "skip", "reason": pol.skip, "seconds": 0.0,
              "samples": dict.fromkeys(SAMPLE_STATUSES, 0),
              "non_pass": []}
    if pol.meta_only:
        result["compare"] = "metadata only: " + pol.meta_only
    if pol.skip:
        return result
    before = fallbacks() if fallbacks else None

    mover = Mover(device)
    counts = result["samples"]
    gen_error = None
    it = iter(_samples(op, dtype, reference))
    i = 0
    while True:
        try:
            sample = next(it)
        except StopIteration:
            break
        except Exception as exc:  # the OpInfo's own sample generator failed: not a sample result
            gen_error = "sample generation: " + _short(exc)
            break
        desc = _describe(sample)
        if on_sample:
            on_sample(i, desc)
        status, reason = _run_sample(op, sample, pol, mover, device.type)
        if pol.xfail and status in ("fail", "error"):
            status, reason = "xfail", f"{pol.xfail}: {reason}"
        counts["total"] += 1
        counts[status] += 1
        if status != "pass":
            result["non_pass"].append({"i": i, "status": status, "reason": reason, "sample": desc})
        i += 1
    # Comparable = the CPU reference ran and the comparison is meant to hold (xfail excluded).
    counts["comparable"] = counts["pass"] + counts["fail"] + counts["error"]

    worst = next((s for s in OP_STATUS_ORDER if counts[s]), "skip")
    if gen_error:
        result["status"], result["reason"] = "error", gen_error
    elif worst == "skip":
        result["status"], result["reason"] = "skip", "no comparable samples"
        if result["non_pass"]:
            result["reason"] += f" (e.g. {result['non_pass'][0]['reason']})"
    else:
        result["status"] = worst
        first = next((n for n in result["non_pass"] if n["status"] == worst), None)
        result["reason"] = first["reason"] if first else None

    if before is not None:
        after = fallbacks()
        result["fallbacks"] = _diff_counts(before, after)
    result["seconds"] = round(time.perf_counter() - t0, 3)
    return result


def _diff_counts(before, after):
    """Fallback calls made during this case. The device's counts are cumulative per process."""
    if isinstance(before, dict) and isinstance(after, dict):
        return {k: v - before.get(k, 0) for k, v in after.items()
                if isinstance(v, (int, float)) and v - before.get(k, 0)}
    return {"raw": repr(after)[:MAX_REASON]}
