"""The reference device keeps a weight's decoded, fidelity-cut values between calls while the weight is
unchanged. Every way a weight can change must be seen by the next call: in-place math, a copy into it,
an optimizer step, an out= result handed to its storage, a TILE re-layout. Checked against CPU PyTorch in
both numerics (tt numerics compared with the CPU at matmul tolerances)."""

from __future__ import annotations

import copy

import pytest
import torch
import torch.nn.functional as F

import ttnn_device


@pytest.fixture(params=["exact", "tt"])
def numerics(request, counters):
    ttnn_device.set_numerics(request.param)
    ttnn_device.set_fallback_mode("error")
    yield request.param
    ttnn_device.set_fallback_mode("allow")
    ttnn_device.set_numerics("exact")


def close(actual, expected, numerics):
    tol = dict(atol=1e-5, rtol=1e-5) if numerics == "exact" else dict(atol=2e-2, rtol=2e-2)
    torch.testing.assert_close(actual.cpu(), expected, **tol)


CHANGES = {
    "mul_": lambda w, cpu: (w.mul_(-2.0), cpu.mul_(-2.0)),
    "copy_": lambda w, cpu: (w.copy_(torch.full_like(cpu, 0.25).to("ttnn")), cpu.copy_(torch.full_like(cpu, 0.25))),
    "slice": lambda w, cpu: (w[:3].zero_(), cpu[:3].zero_()),
    "out=": lambda w, cpu: (torch.add(w, 1.0, out=w), torch.add(cpu, 1.0, out=cpu)),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_linear_sees_every_change_of_its_weight(numerics, change):
    torch.manual_seed(0)
    w_cpu, b_cpu, x = torch.randn(16, 40), torch.randn(16), torch.randn(5, 40)
    w, b, xd = w_cpu.to("ttnn"), b_cpu.to("ttnn"), x.to("ttnn")
    with torch.no_grad():
        for _ in range(3):  # the second read of unchanged contents keeps the weight's values
            close(F.linear(xd, w, b), F.linear(x, w_cpu, b_cpu), numerics)
        CHANGES[change](w, w_cpu)
        close(F.linear(xd, w, b), F.linear(x, w_cpu, b_cpu), numerics)
        close(F.linear(xd, w, b), F.linear(x, w_cpu, b_cpu), numerics)


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_convolution_sees_every_change_of_its_weight(numerics, change):
    torch.manual_seed(0)
    w_cpu, x = torch.randn(6, 3, 3, 3), torch.randn(2, 3, 9, 9)
    w, xd = w_cpu.to("ttnn"), x.to("ttnn")
    with torch.no_grad():
        for _ in range(3):
            close(F.conv2d(xd, w, padding=1), F.conv2d(x, w_cpu, padding=1), numerics)
        CHANGES[change](w, w_cpu)
        close(F.conv2d(xd, w, padding=1), F.conv2d(x, w_cpu, padding=1), numerics)


def test_training_steps_reach_the_next_forward(numerics):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(12, 20), torch.nn.ReLU(), torch.nn.Linear(20, 3))
    ttnn_device.set_fallback_mode("allow")  # backward ops may fall back; the forward is what is checked
    on_device = copy.deepcopy(model).to("ttnn")
    opt_cpu = torch.optim.SGD(model.parameters(), lr=0.05)
    opt_dev = torch.optim.SGD(on_device.parameters(), lr=0.05)
    x = torch.randn(8, 12)
    for _ in range(4):
        for m, opt, inp in ((model, opt_cpu, x), (on_device, opt_dev, x.to("ttnn"))):
            opt.zero_grad()
            m(inp).square().sum().backward()
            opt.step()
        with torch.no_grad():
            got = on_device(x.to("ttnn"))
            # Bit for bit what a fresh copy of the stepped weights gives (nothing derived is reused)...
            fresh = copy.deepcopy(on_device)
            assert torch.equal(got.cpu(), fresh(x.to("ttnn")).cpu())
            # ... and the CPU's numbers.
            close(got, model(x), numerics)


def test_a_weight_read_as_another_shape_is_not_confused(numerics):
    """Two TT tensors over one storage with different shapes (a weight and its reshaped alias)."""
    torch.manual_seed(0)
    w_cpu = torch.randn(8, 8)
    w = w_cpu.to("ttnn")
    x = torch.randn(3, 8)
    with torch.no_grad():
        for _ in range(3):
            close(x.to("ttnn") @ w, x @ w_cpu, numerics)
            close(x.reshape(6, 4).to("ttnn") @ w.reshape(4, 16), x.reshape(6, 4) @ w_cpu.reshape(4, 16), numerics)
