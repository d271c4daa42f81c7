"""Walking model inputs and outputs: moving inputs to a device, and listing every tensor an output holds.

Outputs are whatever a model or `ModelSpec.run` returns: tensors nested in tuples, lists, dicts,
transformers' ModelOutput (a dict) and Cache objects (plain objects holding lists of tensors), dataclasses.
The CPU and the ttnn output are walked the same way, so their leaves line up index by index.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import torch

# Objects deeper than this are not searched for tensors: outputs are shallow, and a bound protects
# against walking into some large object graph a library attached to its output.
_MAX_DEPTH = 8


def to_device(obj, device, float_dtype=None):
    """`obj` with every tensor moved to `device`; floating tensors then cast to `float_dtype`.

    The cast comes after the move, so it runs on the device (what a user of `model.to("ttnn")` then
    `.to(torch.bfloat16)` does)."""
    if isinstance(obj, torch.Tensor):
        moved = obj.to(device)
        if float_dtype is not None and moved.is_floating_point():
            moved = moved.to(float_dtype)
        return moved
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):  # namedtuple
        return type(obj)(*(to_device(v, device, float_dtype) for v in obj))
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_device(v, device, float_dtype) for v in obj)
    if isinstance(obj, Mapping):
        return type(obj)({k: to_device(v, device, float_dtype) for k, v in obj.items()})
    return obj


def clone(obj):
    """A deep copy of the tensors in `obj` (so one call of a model cannot change the next call's inputs)."""
    if isinstance(obj, torch.Tensor):
        return obj.clone()
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*(clone(v) for v in obj))
    if isinstance(obj, (list, tuple)):
        return type(obj)(clone(v) for v in obj)
    if isinstance(obj, Mapping):
        return type(obj)({k: clone(v) for k, v in obj.items()})
    return obj


def leaves(obj):
    """Every tensor in `obj`, in a deterministic order (container order, then attribute order)."""
    found, seen = [], set()
    _walk(obj, found, seen, 0)
    return found


def _walk(obj, found, seen, depth):
    if isinstance(obj, torch.Tensor):
        found.append(obj)
        return
    if depth > _MAX_DEPTH or obj is None or isinstance(obj, (str, bytes, int, float, bool, type)):
        return
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, Mapping):
        children = obj.values()
    elif isinstance(obj, (list, tuple)):
        children = obj
    elif dataclasses.is_dataclass(obj):
        children = [getattr(obj, f.name, None) for f in dataclasses.fields(obj)]
    elif isinstance(obj, torch.nn.Module):
        return  # never the model itself: its parameters are not outputs
    elif hasattr(obj, "__dict__"):
        children = list(vars(obj).values())  # e.g. a KV cache: layers holding key/value tensors
    else:
        return
    for child in children:
        _walk(child, found, seen, depth + 1)


def call(spec, model, inputs):
    """One inference as the spec defines it: `spec.run(model, inputs)`, else model(*inputs) / model(**inputs)."""
    if spec.run is not None:
        return spec.run(model, inputs)
    return plain_call(model, inputs)


def plain_call(model, inputs):
    if isinstance(inputs, Mapping):
        return model(**inputs)
    if isinstance(inputs, (tuple, list)):
        return model(*inputs)
    return model(inputs)
