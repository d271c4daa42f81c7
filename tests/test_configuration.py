"""Configuration: every TTNN_DEVICE_* variable is read through one function with one policy (unset or
empty: the default; anything else must be a value the setting accepts). A bad value is a Python exception
naming the variable, the value, what it accepts and the default, at the first call that needs the
setting; never an abort, never a silent default."""

import pytest

# Touches every setting: the board and its DRAM, a TILE conversion (the SIMD kernels), ops (numerics),
# the fallback, and repeated CPU reads of one storage (host mirrors).
WORKLOAD = """
x = torch.ones(4, 4, dtype=torch.float64).to("ttnn")
for _ in range(3):
    (x @ x).cpu()
t = torch.ones(40, 40).to("ttnn")
ttnn_device.set_physical_format(t, "TILE", "BFLOAT16")
torch.nn.functional.glu(torch.ones(2, 4).to("ttnn"))
print("ran", (torch.ones(3).to("ttnn") + 1).cpu().tolist())
"""

BAD = {
    "TTNN_DEVICE_BOARD": ("n999", "n150, n300, p100, p150"),
    "TTNN_DEVICE_DRAM_MB": ("-5", "positive whole number of megabytes"),
    "TTNN_DEVICE_LAYOUT": ("tile", "ROW_MAJOR, TILE"),
    "TTNN_DEVICE_FALLBACK": ("loud", "allow, warn, error"),
    "TTNN_DEVICE_NUMERICS": ("fast", "tt, exact"),
    "TTNN_DEVICE_HOST_MIRROR_MB": ("lots", "whole number of megabytes"),
    "TTNN_DEVICE_CHECK_HOST_MIRRORS": ("yes", "0, 1"),
    "TTNN_DEVICE_SIMD": ("sse", "auto, portable, avx2, avx512"),
    "TTNN_DEVICE_BACKEND": ("cuda", "auto, sim, ttnn"),
    "TTNN_DEVICE_EMULATE": ("yes", "0, 1"),
}


@pytest.mark.parametrize("variable", sorted(BAD))
def test_a_bad_value_is_a_python_exception_naming_it(run_py, variable):
    value, accepted = BAD[variable]
    proc = run_py(WORKLOAD, env={variable: value}, check=False)
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-2000:])  # an exception, not a signal
    assert f"{variable}='{value}' is not valid" in proc.stderr and accepted in proc.stderr, proc.stderr[-2000:]


@pytest.mark.parametrize("variable, value", [("TTNN_DEVICE_LAYOUT", "TILE"), ("TTNN_DEVICE_SIMD", "portable"),
                                             ("TTNN_DEVICE_FALLBACK", "warn"), ("TTNN_DEVICE_DRAM_MB", "512"),
                                             ("TTNN_DEVICE_HOST_MIRROR_MB", "0"), ("TTNN_DEVICE_BOARD", "")])
def test_accepted_values_and_empty_run(run_py, variable, value):
    proc = run_py(WORKLOAD, env={variable: value})
    assert "ran [2.0, 2.0, 2.0]" in proc.stdout
