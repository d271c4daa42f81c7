"""torch.compile with ttnn tensors: the eager and aot_eager backends, the "ttnn" backend (the captured
graph through the device's kernels, ops without a kernel decomposed), and Inductor refusing at once with a
message that names what to use. Results are compared with CPU PyTorch."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

import ttnn_device


@pytest.fixture(autouse=True)
def fresh_dynamo():
    torch._dynamo.reset()
    yield
    torch._dynamo.reset()


def mlp():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(16, 32), torch.nn.GELU(), torch.nn.Linear(32, 4))


@pytest.mark.parametrize("backend", ["eager", "aot_eager", "ttnn"])
def test_compiled_model_matches_the_cpu(backend):
    model, x = mlp(), torch.randn(8, 16)
    expected = model(x)
    device_model = mlp().to("ttnn")
    got = torch.compile(device_model, backend=backend)(x.to("ttnn"))
    assert got.device.type == "ttnn"
    torch.testing.assert_close(got.cpu(), expected, atol=1e-5, rtol=1e-5)


def test_ttnn_backend_trains():
    model, x, target = mlp(), torch.randn(8, 16), torch.randn(8, 4)
    F.mse_loss(model(x), target).backward()
    device_model = mlp().to("ttnn")
    compiled = torch.compile(device_model, backend="ttnn")
    ttnn_device.reset_fallback_counts()
    F.mse_loss(compiled(x.to("ttnn")), target.to("ttnn")).backward()
    assert ttnn_device.fallback_counts() == {}
    for cpu_p, dev_p in zip(model.parameters(), device_model.parameters()):
        torch.testing.assert_close(dev_p.grad.cpu(), cpu_p.grad, atol=1e-5, rtol=1e-4)


def with_ops_lacking_kernels(x, y):
    # glu, softshrink, hardshrink and logaddexp have no ttnn kernel: eager runs them on the CPU.
    return F.softshrink(x, 0.5) + torch.logaddexp(x, y) + F.glu(torch.cat([x, y], -1)) + F.hardshrink(y)


def test_ttnn_backend_sends_fewer_ops_to_the_cpu_than_eager():
    x, y = torch.randn(8, 16), torch.randn(8, 16)
    expected = with_ops_lacking_kernels(x, y)
    xd, yd = x.to("ttnn"), y.to("ttnn")
    ttnn_device.reset_fallback_counts()
    eager = with_ops_lacking_kernels(xd, yd)
    eager_calls = sum(ttnn_device.fallback_counts().values())
    compiled_fn = torch.compile(with_ops_lacking_kernels, backend="ttnn")
    compiled_fn(xd, yd)  # compiles
    ttnn_device.reset_fallback_counts()
    compiled = compiled_fn(xd, yd)
    compiled_calls = sum(ttnn_device.fallback_counts().values())
    assert eager_calls == 4 and compiled_calls == 0
    torch.testing.assert_close(eager.cpu(), expected)
    torch.testing.assert_close(compiled.cpu(), expected, atol=1e-5, rtol=1e-5)


def test_inductor_refuses_ttnn_at_once_naming_what_to_use():
    model = mlp().to("ttnn")
    with pytest.raises(Exception, match='backend="ttnn"') as raised:
        torch.compile(model)(torch.randn(8, 16).to("ttnn"))
    assert "inductor" in str(raised.value)
    # Inductor still compiles CPU graphs in the same process.
    torch._dynamo.reset()
    cpu_model = mlp()
    x = torch.randn(8, 16)
    torch.testing.assert_close(torch.compile(cpu_model)(x), cpu_model(x))
