"""Pass/fail verdict of a run against a committed known-failures list.

The list (JSON) holds the device's known bugs, each with a reason:
  {"failures": [{"op": "add", "dtypes": ["bfloat16"], "reason": "..."}]}
("dtypes" omitted = every dtype). A failing case that is not on the list is a regression. A
listed case that now passes is reported so the entry gets removed, but does not fail the gate:
fixing a bug must never turn CI red.
"""

from __future__ import annotations

import json
from pathlib import Path

from .report import BAD


def load_known(path: Path):
    """{(op, dtype or None): reason}; entries without a reason are refused."""
    data = json.loads(Path(path).read_text())
    known = {}
    for entry in data.get("failures", []):
        reason = (entry.get("reason") or "").strip()
        if not reason:
            raise ValueError(f"known failure without a reason: {entry}")
        for dtype in entry.get("dtypes") or [None]:
            known[(entry["op"], dtype)] = reason
    return known


def _is_known(known, op, dtype):
    return (op, dtype) in known or (op, None) in known


def evaluate(report, known, min_pass_rate):
    """Gate dict: ok, and the reasons it is not."""
    regressions, crashes, now_passing, low = [], [], [], []
    for op, per_dtype in sorted(report["ops"].items()):
        for dtype, res in per_dtype.items():
            status = res["status"]
            if status == "crash":
                crashes.append(f"{op} [{dtype}]: {res.get('reason')}")
            elif status in BAD and not _is_known(known, op, dtype):
                regressions.append(f"{op} [{dtype}] {status}: {res.get('reason')}")
            elif status == "pass" and _is_known(known, op, dtype):
                now_passing.append(f"{op} [{dtype}]")
    for dtype, s in report["summary"].items():
        if s["pass_rate"] is None or s["pass_rate"] < min_pass_rate:
            low.append(f"{dtype}: comparable-sample pass rate {s['pass_rate']}% < {min_pass_rate}%")
    return {"ok": not (regressions or crashes or low), "min_pass_rate": min_pass_rate,
            "low_pass_rate": low, "crashes": crashes, "regressions": regressions,
            "now_passing_remove_from_list": now_passing}
