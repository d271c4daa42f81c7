"""The PNG beside docs/models.md: per model, ttnn speed relative to the CPU, and the share of aten calls that
fell back to the CPU. matplotlib is optional: without it the report is written and the plot is skipped."""

from __future__ import annotations

from pathlib import Path


def render(document, path):
    """Writes the plot to `path`; returns the path, or None (no model measured, or no matplotlib)."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display here, and none needed
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    models = [m for m in document["models"] if m["rows"]]
    if not models:
        return None
    dtypes = list(dict.fromkeys(d for m in models for d in m["rows"]))
    names = [m["name"] for m in models]
    height = 0.8 / max(1, len(dtypes))
    fig, (speed, share) = plt.subplots(1, 2, sharey=True, figsize=(12, 1.5 + 0.3 * len(models) * max(1, len(dtypes)) / 1.5))
    for i, dtype in enumerate(dtypes):
        ys = [y + (i - (len(dtypes) - 1) / 2) * height for y in range(len(models))]
        rows = [m["rows"].get(dtype, {}) for m in models]
        speed.barh(ys, [r.get("ratio") or 0 for r in rows], height, label=dtype)
        share.barh(ys, [_fallback_share(r) for r in rows], height, label=dtype)
    speed.set_xscale("log")
    speed.axvline(1.0, color="black", linewidth=0.8)
    speed.set_xlabel("ttnn / CPU samples per second (log; 1 = as fast as the CPU)")
    share.set_xlabel("aten calls run on the CPU by fallback, share of one inference")
    share.set_xlim(0, 1.05)
    speed.set_yticks(range(len(models)), names, fontsize=8)
    speed.invert_yaxis()  # zoo order top to bottom, as in the table
    for axis in (speed, share):
        axis.grid(axis="x", alpha=0.3)
    speed.legend(loc="best", fontsize=8)
    fig.suptitle("Model zoo on ttnn: speed and CPU-fallback share (missing bar: failed or not measured)")
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _fallback_share(row):
    if not row.get("aten_calls") or row.get("fallback_calls") is None:
        return 0
    return min(1.0, row["fallback_calls"] / row["aten_calls"])
