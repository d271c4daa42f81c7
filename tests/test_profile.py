"""ttnn_device.profile(): every aten op with where it ran and why, the ttnn ops it became, the transfers and
conversions it caused, checked against the device's own independent counters and against CPU results; the
torch.profiler view of the vocabulary ops; the fallback warning."""

import json
import warnings

import pytest
import torch

import ttnn_device


def _counters():
    return (ttnn_device.fallback_reasons(), ttnn_device.transfer_counts(), ttnn_device.op_counts(),
            ttnn_device.conversion_counts())


def _run_model():
    torch.manual_seed(0)
    linear = torch.nn.Linear(16, 32)
    x = torch.randn(4, 16)
    expected = torch.nn.functional.glu(linear(x)).sum(0)
    linear.to("ttnn")
    return linear, x, expected


def _profiled():
    linear, x, expected = _run_model()
    ttnn_device.reset_fallback_counts()
    with ttnn_device.profile(record_shapes=True) as prof:
        xd = x.to("ttnn")
        y = torch.nn.functional.glu(linear(xd)).sum(0)  # glu has no ttnn kernel: it falls back
        out = y.cpu()
        host = torch.ones(3) * 2  # host tensors only
    return prof, out, expected, host


def test_profile_attributes_ops_against_the_device_counters():
    prof, out, expected, _ = _profiled()
    reasons, transfers, ops, conversions = _counters()
    torch.testing.assert_close(out, expected, atol=1e-5, rtol=1e-5)

    calls = {c.op: c for c in prof.calls}
    assert calls["aten::glu"].where == "cpu (fallback)"
    # glu's kernel calls glu.out, which has none: the fallback names the op that ran on the CPU.
    assert calls["aten::glu"].fallbacks == [("aten::glu.out", "no ttnn kernel")]
    assert reasons["aten::glu.out"] == {"no ttnn kernel": 1}
    assert calls["aten::addmm"].where == "ttnn"
    assert "ttnn.matmul" in {v.ttnn for v in calls["aten::addmm"].vocab} or \
        "ttnn.linear" in {v.ttnn for v in calls["aten::addmm"].vocab}
    assert calls["aten::mul.Tensor"].where == "host"
    assert calls["aten::addmm"].shapes  # record_shapes

    # Totals equal the device's own counters over the same span.
    s = prof.summary()
    assert s["fallback"] == sum(sum(r.values()) for r in reasons.values())
    for direction in ("host_to_device", "device_to_host"):
        assert s["transfers"][direction] == transfers[direction]
    assert s["vocab_ops"] == sum(ops.values())
    assert s["conversions"] == {"count": conversions["count"], "bytes": conversions["bytes"]}

    # Which op caused which transfer: the input's upload, and the result's download.
    upload = [t for c in prof.calls for t in c.transfers if t.direction == "host_to_device"]
    assert any(t.bytes == 4 * 16 * 4 for t in upload)
    download = [(c.op, t) for c in prof.calls for t in c.transfers if t.direction == "device_to_host"]
    assert any(t.bytes == 16 * 4 for _, t in download)
    # The fallback's own crossings are attributed to it.
    glu = calls["aten::glu"]
    assert {t.direction for t in glu.transfers} == {"host_to_device", "device_to_host"}

    # Every ttnn name is a vocabulary op's TT-NN function.
    table_names = {row["ttnn"] for row in ttnn_device.op_table()}
    assert {v.ttnn for c in prof.calls for v in c.vocab} <= table_names


def test_profile_table_is_sorted_by_time_and_names_the_fallback():
    prof, *_ = _profiled()
    rows = prof.by_op()
    times = [r["time_ms"] for r in rows]
    assert times == sorted(times, reverse=True)
    text = prof.table()
    assert "aten::glu" in text and "no ttnn kernel" in text
    assert "ttnn op" in text
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("aten op"))
    assert lines[first + 2].split()[0] == rows[0]["op"]


def test_profile_exports_json_and_chrome_trace(tmp_path):
    prof, *_ = _profiled()
    prof.export_json(tmp_path / "p.json")
    data = json.loads((tmp_path / "p.json").read_text())
    assert data["summary"] == json.loads(json.dumps(prof.summary()))
    assert [a["op"] for a in data["aten_ops"]] == [c.op for c in prof.calls]

    prof.export_chrome_trace(tmp_path / "t.json")
    events = json.loads((tmp_path / "t.json").read_text())["traceEvents"]
    aten = [e for e in events if e.get("cat") == "aten"]
    ttnn = [e for e in events if e.get("cat") == "ttnn"]
    assert len(aten) == len(prof.calls)
    assert len(ttnn) == prof.summary()["vocab_ops"]
    assert all(e["dur"] >= 0 and e["ph"] == "X" for e in aten + ttnn)
    # Each ttnn op lies inside the aten op that ran it.
    spans = {(e["name"], e["ts"]): e for e in aten}
    for e in ttnn:
        parent = [a for a in spans.values() if a["name"] == e["args"]["aten"]
                  and a["ts"] <= e["ts"] + 1e-3 and e["ts"] + e["dur"] <= a["ts"] + a["dur"] + 1e-3]
        assert parent, e


def test_profile_sees_backward_and_does_not_nest():
    torch.manual_seed(0)
    w = torch.randn(8, 8, requires_grad=True)
    x = torch.randn(2, 8)
    (x @ w).square().sum().backward()
    expected = w.grad.clone()
    wd = w.detach().to("ttnn").requires_grad_()
    with ttnn_device.profile() as prof:
        (x.to("ttnn") @ wd).square().sum().backward()
        with pytest.raises(RuntimeError, match="does not nest"):
            with ttnn_device.profile():
                pass
    torch.testing.assert_close(wd.grad.cpu(), expected, atol=1e-4, rtol=1e-4)
    ops = {c.op for c in prof.calls}
    assert "aten::mm" in ops and "aten::mul.Tensor" in ops  # forward and backward


def test_torch_profiler_shows_ttnn_names():
    a = torch.randn(32, 32).to("ttnn")
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        (a @ a).relu()
    keys = {e.key for e in prof.key_averages()}
    assert "ttnn.matmul" in keys and "ttnn.relu" in keys


def test_fallback_warning_names_op_reason_and_how_to_report():
    x = torch.randn(4, 6).to("ttnn")
    ttnn_device.reset_fallback_counts()
    previous = ttnn_device.get_fallback_mode()
    ttnn_device.set_fallback_mode("warn")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            torch.nn.functional.glu(x)
    finally:
        ttnn_device.set_fallback_mode(previous)
    text = " ".join(str(w.message) for w in caught)
    assert "aten::glu.out" in text and "no ttnn kernel" in text and "report" in text
