"""Bad input never crashes the process: PyTorch's OpInfo error_inputs, run on the device (in a child process,
so that a crash fails this test instead of ending the run), raise the CPU's exception type, apart from the
documented mismatches of error_inputs_known.json."""

import json
import pathlib

KNOWN = json.loads((pathlib.Path(__file__).parent / "error_inputs_known.json").read_text())


def test_error_inputs_raise_the_cpus_exception_type(run_py):
    proc = run_py("""
        import json, warnings
        warnings.simplefilter("ignore")
        from ttnn_device.testing import error_inputs
        print("RESULT" + json.dumps(error_inputs.run()))
        """, timeout=600)
    result = json.loads(proc.stdout.split("RESULT", 1)[1])
    print(f"{result['same_type']} of {result['checked']} error inputs raise the CPU's exception type")
    assert result["checked"] > 600  # every OpInfo with error inputs was run
    by_op = {}
    for m in result["mismatches"]:
        by_op[m["op"]] = by_op.get(m["op"], 0) + 1
    unexpected = {op: n for op, n in by_op.items() if op not in KNOWN or n > KNOWN[op]["count"]}
    assert not unexpected, f"new mismatches: {unexpected}; all: {result['mismatches']}"
    fixed = {op for op, entry in KNOWN.items() if not op.startswith("_") and by_op.get(op, 0) < entry["count"]}
    assert not fixed, f"now matching the CPU, lower or remove their entries in error_inputs_known.json: {fixed}"
    assert result["same_type"] == result["checked"] - sum(by_op.values())
