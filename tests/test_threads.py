"""Four Python threads drive the two devices of an n300 at once: native kernels, the CPU fallback, copies
between the devices, allocation and empty_cache, a model's forward and backward. Every result equals the
CPU's, nothing deadlocks (each run is bounded by a timeout), and the allocator is back to its baseline.
Once on the reference device and once through the hardware backend on the emulated device (where the
backend's calls into ttnn hand the GIL back and forth)."""

import os

import pytest

from conftest import DEFAULT_CLUSTER_DESC

THREADS, ITERATIONS = 4, 25

WORKLOAD = f"""
import threading, copy
THREADS, ITERATIONS = {THREADS}, {ITERATIONS}
assert torch.ttnn.device_count() == 2
torch.manual_seed(0)
models = [torch.nn.Sequential(torch.nn.Linear(16, 32), torch.nn.GELU(), torch.nn.Linear(32, 8)) for _ in range(THREADS)]
baseline = [torch.ttnn.memory_allocated(d) for d in range(2)]
errors, done = [], []

def close(got, want, what):
    if not torch.allclose(got.cpu(), want, atol=1e-5, rtol=1e-5):
        raise AssertionError(f"{{what}}: max error {{(got.cpu() - want).abs().max().item()}}")

def worker(k):
    try:
        here, there = k % 2, 1 - k % 2
        torch.ttnn.set_device(here)  # per thread, as on CUDA
        cpu_model = models[k]
        dev_model = copy.deepcopy(cpu_model).to(f"ttnn:{{here}}")
        g = torch.Generator().manual_seed(100 + k)
        for it in range(ITERATIONS):
            x = torch.randn(6, 16, generator=g)
            # forward and backward, native kernels
            dev_model.zero_grad(); cpu_model.zero_grad()
            dev_out = dev_model(x.to(f"ttnn:{{here}}"))
            cpu_out = cpu_model(x)
            dev_out.square().sum().backward(); cpu_out.square().sum().backward()
            close(dev_out.detach(), cpu_out.detach(), "forward")
            for p, q in zip(dev_model.parameters(), cpu_model.parameters()):
                close(p.grad, q.grad, "gradient")
            # the CPU fallback (glu has no ttnn kernel), then a copy to the other device and math there
            y = torch.nn.functional.glu(dev_out.detach(), dim=-1).to(f"ttnn:{{there}}")
            assert y.device.index == there
            close(y * 3 + 1, torch.nn.functional.glu(cpu_out.detach(), dim=-1) * 3 + 1, "fallback + cross-device")
            # allocation churn and empty_cache while the other threads compute
            blocks = [torch.empty(1000 * (j + 1), device=f"ttnn:{{j % 2}}").fill_(j) for j in range(4)]
            assert all(b.sum().item() == j * 1000 * (j + 1) for j, b in enumerate(blocks))
            del blocks
            if it % 3 == k % 3:
                torch.ttnn.empty_cache()
        done.append(k)
    except BaseException as e:
        errors.append((k, repr(e)))

threads = [threading.Thread(target=worker, args=(k,)) for k in range(THREADS)]
for t in threads: t.start()
for t in threads: t.join(timeout=240)
assert not any(t.is_alive() for t in threads), "a thread is stuck (deadlock?)"
assert not errors, errors
assert sorted(done) == list(range(THREADS))
import gc; gc.collect()
torch.ttnn.synchronize()
after = [torch.ttnn.memory_allocated(d) for d in range(2)]
assert after == baseline, (after, baseline)
print(torch.ttnn.get_device_name(0))
print(f"{{THREADS}} threads x 2 devices x {{ITERATIONS}} iterations: all equal to the CPU")
"""


def test_threads_on_two_devices(run_py):
    proc = run_py(WORKLOAD, env={"TTNN_DEVICE_BOARD": "n300"}, timeout=300)
    assert "all equal to the CPU" in proc.stdout and "sim backend" in proc.stdout


def test_threads_on_two_emulated_hardware_devices(run_py, real_ttnn):
    env = {"TTNN_DEVICE_BOARD": "n300", "TTNN_DEVICE_BACKEND": "ttnn", "TTNN_DEVICE_EMULATE": "1",
           "TT_METAL_MOCK_CLUSTER_DESC_PATH": os.environ.get("TT_METAL_MOCK_CLUSTER_DESC_PATH", str(DEFAULT_CLUSTER_DESC)),
           "TT_METAL_LOGGER_LEVEL": "ERROR"}
    proc = run_py(WORKLOAD, env=env, timeout=600)
    assert "all equal to the CPU" in proc.stdout and "ttnn backend" in proc.stdout


def test_the_extensions_own_loops_run_on_torchs_intra_op_threads():
    """The device's loops (conversions, flat elementwise ops, flushes) split work with at::parallel_for,
    which torch's OpenMP build inlines from a header: compiled without OpenMP it silently runs on one
    thread. Each thread torch.set_num_threads allows must be reached, and no more."""
    import torch
    import ttnn_device

    before = torch.get_num_threads()
    try:
        for threads in (1, 2):
            torch.set_num_threads(threads)
            assert ttnn_device._C._parallel_threads_reached(64) == threads
    finally:
        torch.set_num_threads(before)
