"""torch.compile on the ttnn device.

``torch.compile(model, backend="ttnn")`` captures the graph with Dynamo and AOTAutograd, decomposes the
ops that have no ttnn kernel into the aten ops their PyTorch decompositions use (so more of the graph
runs natively than in eager mode, where those ops go to the CPU), and runs the result through the
device's kernels, forward and backward. ``backend="eager"`` and ``"aot_eager"`` work unchanged.

Inductor, torch.compile's default, generates Triton or C++ code that the device cannot run; for a graph
on ttnn tensors it fails at once with a message naming the backends that work (``refusing_codegen``,
reached through ``torch.ttnn``'s attributes that Inductor looks up for a custom device).
"""

from __future__ import annotations

import functools

import torch

INDUCTOR_MESSAGE = (
    "torch.compile's default backend (inductor) generates code the ttnn device cannot run. Use "
    "torch.compile(model, backend=\"ttnn\") to run the captured graph through the device's kernels (ops "
    "without a ttnn kernel are decomposed into ops that have one), or backend=\"aot_eager\" / \"eager\"."
)


class InductorUnsupported(RuntimeError):
    """Raised when Inductor is asked to generate code for ttnn tensors."""


class _Refusing(type):
    def __getattr__(cls, name):  # any question Inductor asks the generator class (supports_caching, ...)
        raise InductorUnsupported(INDUCTOR_MESSAGE)


class _RefusingCodegen(metaclass=_Refusing):
    # Stands in for Inductor's Scheduling and wrapper code generators of the ttnn device: whatever
    # Inductor asks of them first for a ttnn graph raises the message.
    def __init__(self, *args, **kwargs):
        raise InductorUnsupported(INDUCTOR_MESSAGE)

    @classmethod
    def create(cls, *args, **kwargs):
        raise InductorUnsupported(INDUCTOR_MESSAGE)


def refusing_codegen():
    """What torch.ttnn gives Inductor for its code generators. Inductor asks only while compiling, so
    its module is loaded by then; the device's op overrides are registered so that Inductor reaches the
    generators (and the message) instead of failing on a missing table entry."""
    from torch._inductor.codegen.common import DeviceOpOverrides, device_op_overrides_dict, register_device_op_overrides

    if "ttnn" not in device_op_overrides_dict:
        register_device_op_overrides("ttnn", DeviceOpOverrides())
    return _RefusingCodegen


def _has_ttnn_kernel(op) -> bool:
    return torch._C._dispatch_has_kernel_for_dispatch_key(op.name(), "PrivateUse1")


@functools.cache
def decompositions() -> dict:
    """PyTorch's decompositions of the aten ops that have no ttnn kernel (they would run on the CPU)."""
    from torch._decomp import decomposition_table

    return {op: fn for op, fn in decomposition_table.items()
            if isinstance(op, torch._ops.OpOverload) and not _has_ttnn_kernel(op)}


def _run_eagerly(gm: torch.fx.GraphModule, example_inputs):
    from torch._functorch.aot_autograd import make_boxed_func

    # The graph's views were traced on tensors with the strides PyTorch's meta functions give; a ttnn
    # kernel may return another memory order for the same values (elementwise results follow their
    # operands' order, convolutions keep their own). The graph is functional, so a view of an intermediate
    # is as good as a reshape, which copies only when the strides do not allow a view.
    for node in gm.graph.nodes:
        if node.op == "call_function" and node.target is torch.ops.aten.view.default:
            node.target = torch.ops.aten.reshape.default
    gm.recompile()
    return make_boxed_func(gm.forward)


def ttnn_backend(gm: torch.fx.GraphModule, example_inputs):
    """The ``"ttnn"`` torch.compile backend (registered through the ``torch_dynamo_backends`` entry
    point)."""
    from torch._dynamo.backends.common import aot_autograd

    compiler = aot_autograd(fw_compiler=_run_eagerly, bw_compiler=_run_eagerly, decompositions=decompositions())
    return compiler(gm, example_inputs)
