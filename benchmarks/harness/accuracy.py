"""Agreement of a ttnn output with the CPU float32 reference: PCC, max abs error, top-1, generated tokens.

Everything is computed in float64 on the CPU, so a bfloat16 result is judged against float32 without the
comparison itself rounding.
"""

from __future__ import annotations

import torch


def pcc(expected, actual):
    """Pearson correlation of two same-sized tensors, flattened.

    PCC is undefined when either side is constant (a one-element bias gradient, an all-zero mask);
    there it is 1.0 when the values agree to float32-level tolerance and 0.0 otherwise, so a
    minimum over many tensors still means something.
    """
    a = expected.detach().reshape(-1).to(torch.float64)
    b = actual.detach().reshape(-1).to(torch.float64)
    if a.numel() == 0 or torch.equal(a, b):
        return 1.0
    if a.numel() < 2 or a.std() == 0 or b.std() == 0:
        return 1.0 if torch.allclose(a, b, rtol=1e-5, atol=1e-6) else 0.0
    a, b = a - a.mean(), b - b.mean()
    value = (a @ b) / (a.norm() * b.norm())
    return float(value.clamp(-1.0, 1.0))


def compare_floats(expected_leaves, actual_leaves):
    """PCC and max abs error over every floating output, all flattened into one vector per side.

    Positions where either side is inf/nan are left out of both figures and counted instead: random-weight
    models can overflow, and one inf would otherwise make PCC nan."""
    exp = [t for t in expected_leaves if t.is_floating_point()]
    act = [t for t in actual_leaves if t.is_floating_point()]
    result = {"outputs": len(exp), "pcc": None, "max_abs_err": None, "nonfinite_mismatch": 0,
              "accuracy_note": None}
    if not exp:
        result["accuracy_note"] = "no floating outputs"
        return result
    shapes_exp, shapes_act = [tuple(t.shape) for t in exp], [tuple(t.shape) for t in act]
    if shapes_exp != shapes_act:
        result["accuracy_note"] = f"outputs differ in shape: CPU {_short(shapes_exp)}, ttnn {_short(shapes_act)}"
        return result
    a = torch.cat([t.detach().reshape(-1).to(torch.float64) for t in exp])
    b = torch.cat([t.detach().cpu().reshape(-1).to(torch.float64) for t in act])
    finite_a, finite_b = torch.isfinite(a), torch.isfinite(b)
    both = finite_a & finite_b
    # Non-finite positions that agree (inf == inf, nan with nan) are not errors.
    same_nonfinite = ~finite_a & ~finite_b & ((a == b) | (a.isnan() & b.isnan()))
    result["nonfinite_mismatch"] = int((~both & ~same_nonfinite).sum())
    if both.any():
        result["pcc"] = pcc(a[both], b[both])
        result["max_abs_err"] = float((a[both] - b[both]).abs().max())
    if result["nonfinite_mismatch"]:
        result["accuracy_note"] = f"{result['nonfinite_mismatch']} positions non-finite on one side only"
    return result


def top1(expected_leaves, actual_leaves):
    """Fraction of samples whose argmax class agrees, from the first floating output of rank >= 2 ([B, C])."""
    exp = next((t for t in expected_leaves if t.is_floating_point() and t.dim() >= 2), None)
    act = next((t for t in actual_leaves if t.is_floating_point() and t.dim() >= 2), None)
    if exp is None or act is None or exp.shape != act.shape:
        return None
    return float((exp.argmax(-1) == act.cpu().float().argmax(-1)).float().mean())


def token_match(expected_leaves, actual_leaves):
    """Exact-match fraction of generated token ids (every integer output), position by position.

    Sequences of different lengths count every position past the shorter one as a mismatch."""
    exp = [t for t in expected_leaves if not t.is_floating_point() and t.dtype != torch.bool]
    act = [t for t in actual_leaves if not t.is_floating_point() and t.dtype != torch.bool]
    if not exp or len(exp) != len(act):
        return None
    matched = total = 0
    for e, a in zip(exp, act):
        a = a.cpu()
        if e.dim() == 0 or e.shape[:-1] != a.shape[:-1]:
            e, a = e.reshape(-1), a.reshape(-1)
        n = min(e.shape[-1], a.shape[-1])
        matched += int((e[..., :n] == a[..., :n]).sum())
        total += e[..., :1].numel() * max(e.shape[-1], a.shape[-1])
    return matched / total if total else None


def _short(shapes, limit=3):
    text = ", ".join(str(s) for s in shapes[:limit])
    return f"[{text}{', ...' if len(shapes) > limit else ''}] ({len(shapes)} tensors)"
