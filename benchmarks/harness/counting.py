"""What one inference does: the aten calls it makes, the ops it leaves on the CPU, what crosses host<->device,
the TT-NN vocabulary ops the native kernels run and the layout / data type conversions they need on the device.

The aten count comes from a TorchDispatchMode: it sees calls at the Python dispatch key, below autograd,
which is where the ttnn backend sees them (composite ops such as `linear` arrive already decomposed).
Calls a kernel makes internally, including the CPU kernels a fallback runs, happen with the mode
popped and are not counted, so the figure is what the device was asked to do.
"""

from __future__ import annotations

import collections

import ttnn_device
from torch.utils._python_dispatch import TorchDispatchMode


class AtenCounter(TorchDispatchMode):
    """Counts calls per aten op name, without overload ("aten::addmm")."""

    def __init__(self):
        super().__init__()
        self.counts = collections.Counter()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.counts[func._schema.name] += 1
        return func(*args, **(kwargs or {}))


def fallbacks_since_reset():
    """{op name with overload: calls} that ran on the CPU since the last counter reset."""
    return {name: int(n) for name, n in ttnn_device.fallback_counts().items() if n}


def fallback_reasons_for(ops):
    """{op: {reason: calls}} for the given fallback ops: why each one left the device."""
    reasons = ttnn_device.fallback_reasons()
    return {op: reasons.get(op, {}) for op in ops}


def transfers_since_reset():
    """Host<->device crossings since the last reset, as {direction: {"count", "mb"}}."""
    return {direction: {"count": int(v["count"]), "mb": v["bytes"] / 1e6}
            for direction, v in ttnn_device.transfer_counts().items()}


def conversions_since_reset():
    """Layout and data type conversions on the device (to_layout, typecast) since the last reset, as
    {"count", "mb"}: work a card does besides the model's own ops, invisible in the transfer counts."""
    figures = ttnn_device.conversion_counts()
    return {"count": int(figures["count"]), "mb": figures["bytes"] / 1e6}


def vocabulary_ops_since_reset():
    """{vocabulary op: calls} the native kernels ran since the last reset, most called first: what the
    device computed through TT-NN, where the fallback counts say what it did not."""
    counts = {name: int(n) for name, n in ttnn_device.op_counts().items() if n}
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def reset():
    """Clears the fallback, transfer, vocabulary op and conversion counters (one call clears all four)."""
    ttnn_device.reset_fallback_counts()
