"""Memory statistics of the ttnn caching allocator, with torch.cuda's names and meanings. Bytes are
device DRAM bytes (physical: tile padding and block-float packing included)."""

from .. import _C
from ._index import device_index


def _index(device):
    return device_index(device, optional=True, default=_C._get_device())


def memory_stats(device=None):
    """Flat dict as torch.cuda.memory_stats: "allocated_bytes.all.current", "num_ooms", ..."""
    return dict(sorted(_C._memory_stats(_index(device)).items()))


def memory_allocated(device=None):
    return memory_stats(device)["allocated_bytes.all.current"]


def max_memory_allocated(device=None):
    return memory_stats(device)["allocated_bytes.all.peak"]


def memory_reserved(device=None):
    return memory_stats(device)["reserved_bytes.all.current"]


def max_memory_reserved(device=None):
    return memory_stats(device)["reserved_bytes.all.peak"]


def reset_peak_memory_stats(device=None):
    _C._reset_peak_memory_stats(_index(device))


def reset_max_memory_allocated(device=None):
    reset_peak_memory_stats(device)


def reset_accumulated_memory_stats(device=None):
    _C._reset_accumulated_memory_stats(_index(device))


def empty_cache():
    """Returns cached, unused device memory to the device."""
    _C._empty_cache()


def mem_get_info(device=None):
    """(free bytes, total bytes) of the device's DRAM."""
    return tuple(_C._mem_get_info(_index(device)))
