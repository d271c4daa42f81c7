"""``torch.ttnn``: the ttnn device module, mirroring ``torch.cuda``."""

import torch

from .. import _C
from .memory import (
    empty_cache,
    max_memory_allocated,
    max_memory_reserved,
    mem_get_info,
    memory_allocated,
    memory_reserved,
    memory_snapshot,
    memory_stats,
    memory_summary,
    reset_accumulated_memory_stats,
    reset_max_memory_allocated,
    reset_peak_memory_stats,
)
from .random import (
    get_rng_state,
    get_rng_state_all,
    initial_seed,
    manual_seed,
    manual_seed_all,
    seed,
    seed_all,
    set_rng_state,
    set_rng_state_all,
)
from .streams import Event, Stream, StreamContext, current_stream, default_stream, set_stream, stream
from ._index import device_index as _device_index


def is_available():
    """True when at least one ttnn device is present (the reference device always is, unless the
    environment names an unknown board)."""
    return _C._device_count() > 0


def device_count():
    return _C._device_count()


def is_initialized():
    return True


def init():
    """Devices are ready on import; kept for torch.cuda parity."""


def _lazy_init():
    pass


def _is_in_bad_fork():
    return False


def current_device():
    return _C._get_device()


def set_device(device):
    index = _device_index(device, optional=True)
    if index is not None and index >= 0:
        _C._set_device(index)


def synchronize(device=None):
    """Waits for all work queued on ``device`` (default: current)."""
    _C._synchronize(_device_index(device, optional=True, default=current_device()))


def get_device_name(device=None):
    board = _C._board()
    return f"Tenstorrent {board['name']} ({board['arch']}, {_C._backend_name(current_device() if device is None else _device_index(device))} backend)"


class DeviceProperties:
    """What ``get_device_properties`` returns, as torch.cuda's ``_CudaDeviceProperties`` does: attributes
    ``name`` (the board), ``arch``, ``total_memory`` (DRAM bytes), ``chips``, ``dram_banks``,
    ``dram_alignment`` and ``backend`` ("sim" or "ttnn"). Indexing by name (``props["total_memory"]``)
    works too."""

    def __init__(self, facts: dict):
        self._facts = dict(facts)
        for key, value in self._facts.items():
            setattr(self, key, value)

    def __getitem__(self, key):
        return self._facts[key]

    def __repr__(self):
        return (f"_TtnnDeviceProperties(name='{self.name}', arch='{self.arch}', "
                f"total_memory={self.total_memory // (1 << 20)}MB, chips={self.chips}, backend='{self.backend}')")


def get_device_properties(device=None):
    """Board facts of ``device`` (default: the current one) as a DeviceProperties."""
    index = _device_index(device, optional=True, default=current_device())
    facts = dict(_C._board())
    facts["backend"] = _C._backend_name(index)
    facts["total_memory"] = facts["dram_bytes"]
    return DeviceProperties(facts)


def get_amp_supported_dtype():
    return [torch.bfloat16, torch.float32]


class device:
    """Context manager that changes the current ttnn device (``with torch.ttnn.device(1): ...``)."""

    def __init__(self, device):
        self.index = _device_index(device, optional=True)
        self.previous = -1

    def __enter__(self):
        if self.index is None or self.index < 0:
            return
        self.previous = current_device()
        if self.index != self.previous:
            _C._set_device(self.index)

    def __exit__(self, *exc):
        if self.previous >= 0 and self.previous != self.index:
            _C._set_device(self.previous)
        return False


class device_of(device):
    """Context manager that makes the device of tensor ``obj`` current (no-op for a CPU tensor)."""

    def __init__(self, obj):
        super().__init__(obj.get_device() if obj.device.type == "ttnn" else -1)


default_generators = tuple(_C._default_generator(i) for i in range(device_count()))


# Inductor looks these up on a custom device's module to generate code for it; the device has none, so
# it gets generators that refuse with a message naming the torch.compile backends that work.
_INDUCTOR_CODEGEN = {"Scheduling", "PythonWrapperCodegen", "CppWrapperCodegen", "WrapperFxCodegen"}


def __getattr__(name):
    if name in _INDUCTOR_CODEGEN:
        from ..compile import refusing_codegen

        return refusing_codegen()
    raise AttributeError(f"module 'torch.ttnn' has no attribute '{name}'")
