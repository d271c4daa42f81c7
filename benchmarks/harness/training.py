"""One training step (forward, loss, backward, SGD step) on the CPU and on ttnn from the same init.

The model stays in eval() mode: dropout draws from each device's own random stream, so in train() mode
the two steps would differ by design and the comparison would measure nothing. The loss is the MSE of
every differentiable floating output against a fixed random target, summed. Gradients and parameters at
float32 noise level on both sides are left out of the PCC minimum (see NOISE_FLOOR).

The device step runs once in each numerics mode (exact, then tt: TT-NN's fidelity and flushing), each from
the same init, and the row reports both; its top-level figures are the process's own mode's. With
`autocast`, both sides run the forward under torch.autocast at that dtype (float32 master weights).
"""

from __future__ import annotations

import contextlib
import copy
import time

import torch
import ttnn_device

from . import counting, trees
from .accuracy import pcc

LEARNING_RATE = 0.01
TARGET_SEED = 1234


NUMERICS_MODES = ("exact", "tt")


def step(model, inputs, device, autocast=None):
    """Runs one step of `model` (already on `device`); returns loss, {name: grad}, {name: updated param} on the CPU."""
    model.eval()
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    optimizer.zero_grad(set_to_none=True)
    context = torch.autocast(torch.device(device).type, dtype=autocast) if autocast else contextlib.nullcontext()
    with context:
        outputs = [t.float() for t in trees.leaves(trees.plain_call(model, inputs))
                   if t.is_floating_point() and t.requires_grad]
    if not outputs:
        raise RuntimeError("no differentiable floating output to take a loss of")
    generator = torch.Generator().manual_seed(TARGET_SEED)
    loss = sum(torch.nn.functional.mse_loss(out, torch.randn(out.shape, generator=generator).to(device=device, dtype=out.dtype))
               for out in outputs)
    loss.backward()
    optimizer.step()
    grads = {n: p.grad.detach().cpu() for n, p in model.named_parameters() if p.grad is not None}
    params = {n: p.detach().cpu() for n, p in model.named_parameters()}
    return float(loss.detach().cpu()), grads, params


def compare(pristine, inputs, device="ttnn", autocast=None):
    """Measures one step on the CPU and on `device` (in each numerics mode) from copies of `pristine`;
    returns the training row."""
    model = copy.deepcopy(pristine)
    start = time.perf_counter()
    cpu = step(model, trees.clone(inputs), "cpu", autocast)
    cpu_ms = (time.perf_counter() - start) * 1e3

    current = ttnn_device.get_numerics()
    modes = {}
    try:
        for mode in NUMERICS_MODES:
            ttnn_device.set_numerics(mode)
            model = copy.deepcopy(pristine)
            counting.reset()
            start = time.perf_counter()
            device_step = step(model.to(device), trees.to_device(inputs, device), device, autocast)
            elapsed = (time.perf_counter() - start) * 1e3  # includes moving model and inputs
            modes[mode] = _agreement(cpu, device_step, counting.fallbacks_since_reset())
            modes[mode]["ttnn_step_ms"] = elapsed
    finally:
        ttnn_device.set_numerics(current)
    row = {**modes[current], "cpu_step_ms": cpu_ms, "numerics": current, "autocast": str(autocast) if autocast else None,
           "modes": modes}
    if any(m["fallback_calls"] for m in modes.values()):
        row["status"] = "🚧"
    return row


def _agreement(cpu, dev, fallbacks):
    """How one device step agrees with the CPU's: losses, gradient and parameter PCCs, fallbacks."""
    (cpu_loss, cpu_grads, cpu_params), (dev_loss, dev_grads, dev_params) = cpu, dev
    row = {}
    missing = sorted(set(cpu_grads) ^ set(dev_grads))
    shared = [n for n in cpu_grads if n in dev_grads]
    grad_pccs, zero_grads = _pccs({n: cpu_grads[n] for n in shared}, {n: dev_grads[n] for n in shared})
    param_pccs, _ = _pccs(cpu_params, dev_params)
    worst_grad = min(grad_pccs, key=grad_pccs.get) if grad_pccs else None
    row.update(
        status="🚧" if fallbacks else "✅",
        loss_cpu=cpu_loss,
        loss_ttnn=dev_loss,
        loss_abs_diff=abs(cpu_loss - dev_loss),
        params=len(cpu_params),
        min_grad_pcc=grad_pccs[worst_grad] if worst_grad else None,
        worst_grad=worst_grad,
        max_grad_abs_err=max((float((cpu_grads[n] - dev_grads[n]).abs().max()) for n in grad_pccs), default=None),
        min_param_pcc=min(param_pccs.values(), default=None),
        grads_missing_on_one_side=missing,
        grads_at_noise_level=zero_grads,
        fallback_calls=sum(fallbacks.values()),
        fallback_ops=fallbacks,
    )
    return row


# Tensors whose values stay below this fraction of the largest value of their kind (all gradients, all
# parameters) on both sides are float32 rounding noise, not signal: e.g. an attention key bias, whose
# gradient is exactly zero in exact arithmetic (softmax ignores a constant shift) and comes out as
# ~1e-12 on both devices in unrelated patterns. Their PCC is meaningless, so they are counted instead.
NOISE_FLOOR = 1e-5


def _pccs(expected, actual):
    """({name: PCC} over tensors above the noise floor, [names of tensors at noise level on both sides])."""
    scale = max((float(t.abs().max()) for t in expected.values() if t.numel()), default=0.0)
    floor = NOISE_FLOOR * scale
    pccs, noise = {}, []
    for name, e in expected.items():
        a = actual[name]
        if e.numel() and float(e.abs().max()) <= floor and float(a.abs().max()) <= floor:
            noise.append(name)
        else:
            pccs[name] = pcc(e, a)
    return pccs, noise
