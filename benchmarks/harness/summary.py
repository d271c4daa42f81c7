"""Figures over a whole results document, shared by the markdown report and the run's closing line."""

from __future__ import annotations

STATUSES = ("✅", "🚧", "❌")
# Rows at float32 that run but agree less than this with the CPU are listed in the report's notes.
PCC_THRESHOLD = 0.999


def status_counts(document):
    """{dtype: {status: n}} over every model row, plus "training" for the training rows."""
    counts = {}
    for model in document["models"]:
        for dtype, row in model["rows"].items():
            bucket = counts.setdefault(dtype, dict.fromkeys(STATUSES, 0))
            bucket[row.get("status", "❌")] += 1
        if model.get("train"):
            bucket = counts.setdefault("training", dict.fromkeys(STATUSES, 0))
            bucket[model["train"].get("status", "❌")] += 1
    return counts


def native_share(document):
    """{dtype: {"aten_calls", "fallback_calls", "share"}}: the fraction of the aten calls that ran on the
    device, 1 - fallback calls / aten calls, with both summed over every counted row of the dtype (so that a
    model weighs by its calls, not one vote each). Rows without counts (failed before the counting pass)
    add nothing; "share" is None when no row of the dtype was counted."""
    shares = {}
    for model in document["models"]:
        for dtype, row in model["rows"].items():
            totals = shares.setdefault(dtype, {"aten_calls": 0, "fallback_calls": 0})
            if row.get("aten_calls") is not None and row.get("fallback_calls") is not None:
                totals["aten_calls"] += row["aten_calls"]
                totals["fallback_calls"] += row["fallback_calls"]
    for totals in shares.values():
        calls = totals["aten_calls"]
        totals["share"] = 1 - totals["fallback_calls"] / calls if calls else None
    return shares


def percent(share):
    """"93.8%" (one decimal: the share moves by less than a point when one op of a big model goes native)."""
    return "—" if share is None else f"{share * 100:.1f}%"


def flagged(document, dtype="float32"):
    """(model, row) for every running row at `dtype` whose PCC is below the threshold or missing."""
    out = []
    for model in document["models"]:
        row = model["rows"].get(dtype)
        if row and row.get("status") in ("✅", "🚧"):
            if row.get("pcc") is None or row["pcc"] < PCC_THRESHOLD:
                out.append((model, row))
    return out


def model_line(model):
    """"float32 🚧 pcc 1.000000, bfloat16 ✅ pcc 0.99987, train 🚧": one model's outcome, for progress lines."""
    parts = []
    for dtype, row in model["rows"].items():
        pcc = row.get("pcc")
        parts.append(f"{dtype} {row.get('status', '❌')}" + (f" pcc {pcc:.6f}" if pcc is not None else ""))
    if model.get("train"):
        parts.append(f"train {model['train'].get('status', '❌')}")
    error = model.get("process_error") or next((r["error"] for r in model["rows"].values() if r.get("error")), None)
    return ", ".join(parts) + (f" [{error[:100]}]" if error else "")
