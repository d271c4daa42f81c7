"""Summaries, the JSON report and its short markdown table."""

from __future__ import annotations

import json
from pathlib import Path

OP_STATUSES = ("pass", "fail", "error", "crash", "timeout", "xfail", "decline", "skip")
SAMPLE_KEYS = ("total", "comparable", "pass", "fail", "error", "crash", "xfail", "decline", "skip")
BAD = ("fail", "error", "crash", "timeout")  # statuses that are somebody's bug


def summarise(results, dtypes, walls):
    """Per-dtype counts. A crashed or timed-out case counts as one comparable, failed sample:
    it must weigh on the pass rate, and we cannot know how many samples it would have run."""
    summary = {}
    for dtype in dtypes:
        ops = dict.fromkeys(OP_STATUSES, 0)
        samples = dict.fromkeys(SAMPLE_KEYS, 0)
        seconds, fell_back = 0.0, 0
        for per_dtype in results.values():
            res = per_dtype.get(dtype)
            if res is None:
                continue
            ops[res["status"]] += 1
            seconds += res.get("seconds", 0.0)
            fell_back += bool(res.get("fallbacks"))
            if res["status"] in ("crash", "timeout"):
                samples["crash"] += 1
                samples["comparable"] += 1
                samples["total"] += 1
            for key, n in res.get("samples", {}).items():
                samples[key] = samples.get(key, 0) + n
        rate = 100.0 * samples["pass"] / samples["comparable"] if samples["comparable"] else None
        summary[dtype] = {"ops": ops, "samples": samples,
                          "pass_rate": None if rate is None else round(rate, 3),
                          "wall_s": round(walls.get(dtype, 0.0), 1), "op_seconds": round(seconds, 1),
                          # ops during which something ran on the CPU (needs fallback_counts())
                          "ops_with_cpu_fallback": fell_back}
    return summary


def non_passing(results, statuses=BAD):
    """[(op, dtype, status, reason)] for every case whose status is in statuses."""
    rows = []
    for op in sorted(results):
        for dtype, res in results[op].items():
            if res["status"] in statuses:
                rows.append((op, dtype, res["status"], res.get("reason") or ""))
    return rows


def table(report) -> str:
    """Markdown: one summary row per dtype."""
    head = ("| dtype | ops | pass | fail | error | crash | timeout | xfail | decline | skip "
            "| samples comparable | pass | fail | error+crash | declined | pass rate | ops with CPU fallback "
            "| wall |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for dtype, s in report["summary"].items():
        o, n = s["ops"], s["samples"]
        rate = "n/a" if s["pass_rate"] is None else f"{s['pass_rate']:.2f}%"
        lines.append(
            f"| {dtype} | {sum(o.values())} | {o['pass']} | {o['fail']} | {o['error']} | {o['crash']} "
            f"| {o['timeout']} | {o['xfail']} | {o.get('decline', 0)} | {o['skip']} | {n['comparable']} "
            f"| {n['pass']} | {n['fail']} | {n['error'] + n['crash']} | {n.get('decline', 0)} | {rate} "
            f"| {s['ops_with_cpu_fallback']} | {s['wall_s']:.1f} s |")
    return "\n".join(lines)


def per_op_table(report) -> str:
    """Markdown: one row per (op, dtype) with its sample counts and the first decline or failure."""
    lines = ["| op | dtype | status | samples | pass | fail | error | declined | first decline / failure |",
             "|---|---|---|---|---|---|---|---|---|"]
    for op in sorted(report["ops"]):
        for dtype, res in report["ops"][op].items():
            if res["status"] == "skip" and not res.get("samples", {}).get("total"):
                continue
            n = res.get("samples", {})
            first = next((x["reason"] for x in res.get("non_pass", []) if x["status"] in ("decline", "fail", "error")),
                         res.get("reason") if res["status"] != "pass" else "")
            lines.append(f"| {op} | {dtype} | {res['status']} | {n.get('total', 0)} | {n.get('pass', 0)} "
                         f"| {n.get('fail', 0)} | {n.get('error', 0)} | {n.get('decline', 0)} | {_cell(first or '', 160)} |")
    return "\n".join(lines)


def _cell(text, width=300):
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= width else text[: width - 3] + "..."


def markdown(report, limit=None) -> str:
    meta = report["meta"]
    modes = ", ".join(f"{k.replace('_', ' ')} {meta[k]}" for k in ("numerics", "fallback", "min_pcc") if meta.get(k))
    out = [f"# OpInfo conformance: device `{meta['device']}`, {meta['inputs']}",
           "", f"torch {meta['torch']}, {meta['jobs']} worker(s), total wall {meta['wall_s']:.1f} s"
           + (f"; {modes}" if modes else ""), "", table(report), ""]
    if report.get("gate"):
        out += ["## Gate", "", "```", json.dumps(report["gate"], indent=1), "```", ""]
    if meta.get("per_op"):
        out += ["## Per op", "", per_op_table(report), ""]
    rows = non_passing(report["ops"])
    out += [f"## Non-passing ops ({len(rows)})", ""]
    if rows:
        out += ["| op | dtype | status | reason |", "|---|---|---|---|"]
        shown = rows if limit is None else rows[:limit]
        out += [f"| {op} | {dt} | {st} | {_cell(why)} |" for op, dt, st, why in shown]
        if len(shown) < len(rows):
            out.append(f"| ... {len(rows) - len(shown)} more | | | |")
    return "\n".join(out) + "\n"


def write(report, out: Path):
    """Write the JSON and the markdown beside it; returns the markdown path."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, sort_keys=False) + "\n")
    md = out.with_suffix(".md")
    md.write_text(markdown(report))
    return md
