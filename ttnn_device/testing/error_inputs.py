"""PyTorch's OpInfo ``error_inputs`` on the device: each invalid call that raises on the CPU must raise the
same exception type on ``ttnn``. Arguments keep their aliasing (an ``out=`` that is the input stays the input
on the device), since many of these inputs are about overlapping memory.

    python -m ttnn_device.testing.error_inputs        # prints the figure and each mismatch as JSON
"""

import json
import sys

import torch
from torch.utils._pytree import tree_map


class _ToDevice:
    """Moves CPU tensors to ttnn one storage at a time, so views of one CPU storage stay views of one
    device storage."""

    def __init__(self):
        self.storages = {}

    def __call__(self, x):
        if not (isinstance(x, torch.Tensor) and x.device.type == "cpu"):
            return x
        storage = x.untyped_storage()
        key = (storage.data_ptr(), x.dtype)
        if key not in self.storages or storage.nbytes() == 0:
            whole = torch.empty(0, dtype=x.dtype).set_(storage, 0, (storage.nbytes() // x.element_size(),), (1,))
            self.storages[key] = whole.to("ttnn")
        return self.storages[key].as_strided(x.shape, x.stride(), x.storage_offset())


def _call(op, sample, move):
    out = op(move(sample.input), *tree_map(move, sample.args), **tree_map(move, sample.kwargs))
    tree_map(lambda t: t.cpu() if isinstance(t, torch.Tensor) and t.device.type == "ttnn" else t, out)


def _raised(op, sample, move):
    try:
        _call(op, sample, move)
    except Exception as e:  # noqa: BLE001  (what is raised is the result)
        return type(e)
    return None


def run():
    """{"checked": n, "same_type": n, "mismatches": [{"op", "index", "cpu", "ttnn"}]} over every OpInfo
    with error inputs; inputs the CPU accepts are not counted."""
    from torch.testing._internal.common_methods_invocations import op_db

    checked = same = 0
    mismatches = []
    for op in op_db:
        if op.error_inputs_func is None:
            continue
        for index, error_input in enumerate(op.error_inputs("cpu")):
            sample = error_input.sample_input
            cpu = _raised(op, sample, lambda x: x)
            if cpu is None:
                continue
            checked += 1
            device = _raised(op, sample, _ToDevice())
            if device is not None and issubclass(device, cpu):
                same += 1
            else:
                mismatches.append({"op": op.name + (f".{op.variant_test_name}" if op.variant_test_name else ""),
                                   "index": index, "cpu": cpu.__name__, "ttnn": device.__name__ if device else None})
    return {"checked": checked, "same_type": same, "mismatches": mismatches}


if __name__ == "__main__":
    import warnings

    import ttnn_device  # noqa: F401

    warnings.simplefilter("ignore")
    json.dump(run(), sys.stdout, indent=1)
    print()
