"""Non-blocking copies to the device. On the hardware backend (here its emulated device) a copy from pinned
memory with ``non_blocking=True`` is queued on the device's transfer queue and returns at once; whatever
uses the destination next, ``synchronize()`` and event records wait for it, and a stream's ``query()``
says whether it is still in flight. The reference device copies at once. Whether a copy is in flight is
made visible without timing: ``_C._pause_transfers`` holds the queue back."""

from __future__ import annotations

import pytest
import torch

import ttnn_device
from ttnn_device import _C

from conftest import run_python

EMULATED = {"TTNN_DEVICE_BACKEND": "ttnn", "TTNN_DEVICE_EMULATE": "1"}

# Runs in the child: `started_thread(fn)` runs fn in a thread and says after a pause whether it is
# still blocked (it must be, while the transfer it needs is held back).
HELPERS = """
import threading, time
import ttnn_device
from ttnn_device import _C

def started_thread(fn):
    out = {}
    def body():
        out["value"] = fn()
    thread = threading.Thread(target=body)
    thread.start()
    thread.join(0.3)
    return thread, out
"""


def test_queued_copy_is_in_flight_until_the_queue_runs_it(real_ttnn, run_py):
    run_py(HELPERS + """
x = torch.randn(64, 96)
want = (x * 2 + 1).relu()
stream = torch.ttnn.current_stream()
_C._pause_transfers(0, True)
d = x.pin_memory().to("ttnn", non_blocking=True)  # the pinned temporary is only kept alive by the copy
assert not stream.query(), "a held-back copy must be in flight"
# Pinned memory reused while the copy waits must not change what it uploads.
for _ in range(4):
    torch.full((64, 96), float("nan")).pin_memory()
thread, out = started_thread(lambda: (d * 2 + 1).relu().cpu())
assert thread.is_alive(), "a use of the destination must wait for the copy"
_C._pause_transfers(0, False)
thread.join(30)
assert not thread.is_alive()
torch.testing.assert_close(out["value"], want, rtol=0, atol=0)
assert stream.query()
print("ok")
""", env=EMULATED)


def test_synchronize_and_events_wait_for_queued_copies(real_ttnn, run_py):
    run_py(HELPERS + """
x = torch.arange(4096, dtype=torch.float32).reshape(64, 64).pin_memory()
_C._pause_transfers(0, True)
d = x.to("ttnn", non_blocking=True)
for wait in (torch.ttnn.synchronize, torch.ttnn.current_stream().synchronize,
             lambda: torch.ttnn.Event().record()):
    thread, _ = started_thread(wait)
    assert thread.is_alive(), f"{wait} returned while a copy was in flight"
    _C._pause_transfers(0, False)
    thread.join(30)
    assert not thread.is_alive()
    _C._pause_transfers(0, True)
    d = x.to("ttnn", non_blocking=True)
_C._pause_transfers(0, False)
assert torch.equal(d.cpu(), x)
print("ok")
""", env=EMULATED)


def test_only_whole_pinned_copies_are_queued(real_ttnn, run_py):
    run_py("""
import ttnn_device
from ttnn_device import _C
stream = torch.ttnn.current_stream()
_C._pause_transfers(0, True)
pageable = torch.randn(32, 32)
blocking = pageable.pin_memory().to("ttnn")            # non_blocking=False: copied at once
from_pageable = pageable.to("ttnn", non_blocking=True)  # pageable memory: copied at once, as CUDA does
part = torch.zeros(64, 32, device="ttnn")
part[:32].copy_(pageable.pin_memory(), non_blocking=True)  # part of a buffer: copied at once
assert stream.query(), "nothing may be queued"
for t in (blocking, from_pageable):
    assert torch.equal(t.cpu(), pageable)
assert torch.equal(part.cpu()[:32], pageable) and not part.cpu()[32:].any()
_C._pause_transfers(0, False)
print("ok")
""", env=EMULATED)


def test_a_loader_loop_of_queued_copies_gives_the_cpu_results(real_ttnn, run_py):
    # The pattern users write: pinned batches copied with non_blocking=True, then the model; every batch's
    # output must equal the CPU's whatever the queue's timing.
    run_py("""
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(48, 64), torch.nn.ReLU(), torch.nn.Linear(64, 8))
batches = [torch.randn(16, 48) for _ in range(20)]
want = [model(b) for b in batches]
device_model = model.to("ttnn")
got = [device_model(b.pin_memory().to("ttnn", non_blocking=True)) for b in batches]
for g, w in zip(got, want):
    torch.testing.assert_close(g.cpu(), w, rtol=1e-5, atol=1e-5)
print("ok")
""", env=EMULATED)


def test_reference_device_copies_at_once(counters):
    if ttnn_device.backend_info()["backend"] != "sim":
        pytest.skip("this run is the hardware backend")
    x = torch.randn(32, 32).pin_memory()
    d = x.to("ttnn", non_blocking=True)
    assert torch.ttnn.current_stream().query()
    assert torch.equal(d.cpu(), x)
    with pytest.raises(ValueError, match="only the hardware backend"):
        _C._pause_transfers(0, True)
