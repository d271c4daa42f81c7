"""ttnn_device: a PyTorch device for Tenstorrent accelerators.

``import ttnn_device`` (or just ``import torch``, through the ``torch.backends`` autoload entry point)
gives PyTorch a device called ``ttnn``::

    model.to("ttnn"); y = model(x.to("ttnn"))

Ops with a ttnn kernel run on the device; every other op runs on the CPU through a counted fallback,
reported by :func:`fallback_counts`. Data crossing host <-> device is reported by :func:`transfer_counts`.
"""


def _autoload():
    """Entry point of the ``torch.backends`` group: importing this package is all it takes. Defined
    before ``import torch`` because that import may itself autoload this (partially imported) package."""


import torch  # noqa: E402

from . import _C  # noqa: F401  (loads the hooks, guard, allocator, kernels and fallback)
from . import backend as _backend

_backend.select()  # before anything touches a device

from .backend import backend_info  # noqa: E402
from . import device as _device_module
from .counters import (conversion_counts, fallback_counts, fallback_reasons, op_counts, reset_fallback_counts,
                       reset_transfer_counts, transfer_counts)
from .fallback_mode import get_fallback_mode, set_fallback_mode
from .ops import get_numerics, op_table, set_numerics
from .physical import physical_format, set_physical_format
from .profiling import profile

__all__ = [
    "backend_info",
    "fallback_counts",
    "fallback_reasons",
    "op_counts",
    "conversion_counts",
    "op_table",
    "get_numerics",
    "set_numerics",
    "reset_fallback_counts",
    "transfer_counts",
    "reset_transfer_counts",
    "get_fallback_mode",
    "set_fallback_mode",
    "physical_format",
    "set_physical_format",
    "profile",
]


def _register():
    if torch._C._get_privateuse1_backend_name() != "ttnn":
        torch.utils.rename_privateuse1_backend("ttnn")
        torch._register_device_module("ttnn", _device_module)
        torch.utils.generate_methods_for_privateuse1_backend(for_storage=True)


_register()
