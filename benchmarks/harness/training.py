"""One training step (forward, loss, backward, SGD step) on the CPU and on ttnn from the same init.

The model stays in eval() mode: dropout draws from each device's own random stream, so in train() mode
the two steps would differ by design and the comparison would measure nothing. The loss is the MSE of
every differentiable floating output against a fixed random target, summed.
"""

from __future__ import annotations

import copy
import time

import torch

from . import counting, trees
from .accuracy import pcc

LEARNING_RATE = 0.01
TARGET_SEED = 1234


def step(model, inputs, device):
    """Runs one step of `model` (already on `device`); returns loss, {name: grad}, {name: updated param} on the CPU."""
    model.eval()
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    optimizer.zero_grad(set_to_none=True)
    outputs = [t for t in trees.leaves(trees.plain_call(model, inputs)) if t.is_floating_point() and t.requires_grad]
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


def compare(pristine, inputs, device="ttnn"):
    """Measures one step on the CPU and on `device` from copies of `pristine`; returns the training row."""
    row = {}
    model = copy.deepcopy(pristine)
    start = time.perf_counter()
    cpu_loss, cpu_grads, cpu_params = step(model, trees.clone(inputs), "cpu")
    row["cpu_step_ms"] = (time.perf_counter() - start) * 1e3

    model = copy.deepcopy(pristine)
    counting.reset()
    start = time.perf_counter()
    dev_loss, dev_grads, dev_params = step(model.to(device), trees.to_device(inputs, device), device)
    row["ttnn_step_ms"] = (time.perf_counter() - start) * 1e3  # includes moving model and inputs
    fallbacks = counting.fallbacks_since_reset()

    missing = sorted(set(cpu_grads) ^ set(dev_grads))
    grad_pccs = {n: pcc(cpu_grads[n], dev_grads[n]) for n in cpu_grads if n in dev_grads}
    param_pccs = {n: pcc(cpu_params[n], dev_params[n]) for n in cpu_params}
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
        fallback_calls=sum(fallbacks.values()),
        fallback_ops=fallbacks,
    )
    return row
