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


def memory_snapshot(device=None):
    """The device's blocks as torch.cuda.memory_snapshot gives segments: one dict per block (blocks are
    never split, so a segment holds one block), live ones with the storage's address and the bytes torch
    asked for, cached ones free. Default: every device."""
    indices = range(_C._device_count()) if device is None else [_index(device)]
    segments = []
    for index in indices:
        for block in _C._memory_snapshot(index):
            state = "active_allocated" if block["active"] else "inactive"
            segments.append({
                "device": index,
                "address": block["address"],
                "total_size": block["size"],
                "allocated_size": block["size"] if block["active"] else 0,
                "active_size": block["size"] if block["active"] else 0,
                "requested_size": block["requested_size"],
                "stream": 0,
                "segment_type": "large" if block["size"] >= (1 << 20) else "small",
                "blocks": [{"address": block["address"], "size": block["size"],
                            "requested_size": block["requested_size"], "state": state}],
            })
    return segments


def _format_bytes(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.2f} {unit}"
        n /= 1024


def memory_summary(device=None, abbreviated=False):
    """A printable table of the caching allocator's statistics for ``device``, as torch.cuda.memory_summary
    gives: current, peak, allocated and freed amounts of memory and block counts; ``abbreviated`` keeps
    the memory rows only."""
    index = _index(device)
    stats = memory_stats(index)
    rows = [("Allocated memory", "allocated_bytes", True), ("Active memory", "active_bytes", True),
            ("Requested memory", "requested_bytes", True), ("Reserved memory", "reserved_bytes", True)]
    if not abbreviated:
        rows += [("Allocations", "allocation", False), ("Active allocs", "active", False),
                 ("Device reserved segments", "segment", False)]
    head = f"{'Metric':<26}| {'Cur Usage':>12} | {'Peak Usage':>12} | {'Tot Alloc':>12} | {'Tot Freed':>12}"
    lines = ["=" * len(head), f"ttnn memory summary, device ttnn:{index}", "=" * len(head), head, "-" * len(head)]
    for label, key, is_bytes in rows:
        values = [stats.get(f"{key}.all.{field}", 0) for field in ("current", "peak", "allocated", "freed")]
        shown = [_format_bytes(v) if is_bytes else str(v) for v in values]
        lines.append(f"{label:<26}| " + " | ".join(f"{v:>12}" for v in shown))
    lines.append("-" * len(head))
    lines.append(f"{'OOMs':<26}| {stats.get('num_ooms', 0):>12} | allocation retries: {stats.get('num_alloc_retries', 0)}")
    free, total = mem_get_info(index)
    lines.append(f"{'Device DRAM':<26}| {_format_bytes(total - free)} used of {_format_bytes(total)}")
    lines.append("=" * len(head))
    return "\n".join(lines) + "\n"
