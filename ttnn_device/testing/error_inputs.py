"""PyTorch's OpInfo ``error_inputs`` on the device: each invalid call that raises on the CPU must raise the
same exception type on ``ttnn``. Arguments keep their aliasing (an ``out=`` that is the input stays the input
on the device), since many of these inputs are about overlapping memory.

    python -m ttnn_device.testing.error_inputs        # prints the figure and each mismatch as JSON
"""

import json
import sys

import torch

from ..conformance.execute import Mover, _to_cpu


class _AliasingMover(Mover):
    """The conformance runner's Mover (device and "cpu" arguments rewritten too), moving tensors one
    storage at a time, so views of one CPU storage stay views of one device storage."""

    def __init__(self):
        super().__init__(torch.device("ttnn"))
        self.storages = {}

    def leaf(self, x):
        if not (isinstance(x, torch.Tensor) and x.device.type == "cpu"):
            return super().leaf(x)
        storage = x.untyped_storage()
        key = (storage.data_ptr(), x.dtype)
        if key not in self.storages or storage.nbytes() == 0:
            whole = torch.empty(0, dtype=x.dtype).set_(storage, 0, (storage.nbytes() // x.element_size(),), (1,))
            self.storages[key] = whole.to(self.device)
        return self.storages[key].as_strided(x.shape, x.stride(), x.storage_offset())


class _Stay:
    """Leaves a sample on the CPU (the reference run)."""

    @staticmethod
    def tree(x):
        return x


def _raised(op, sample, mover):
    try:
        _to_cpu(op(mover.tree(sample.input), *mover.tree(list(sample.args)), **mover.tree(dict(sample.kwargs))))
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
            cpu = _raised(op, sample, _Stay)
            if cpu is None:
                continue
            checked += 1
            device = _raised(op, sample, _AliasingMover())
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
