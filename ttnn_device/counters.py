"""What left the device: per-op CPU fallback counts and host <-> device transfer counts."""

from . import _C


def fallback_counts():
    """``{op name: number of calls}`` for every op that ran on the CPU since the last reset."""
    return dict(_C._fallback_counts())


def transfer_counts():
    """Host <-> device crossings since the last reset:
    ``{"host_to_device": {"count", "bytes"}, "device_to_host": {"count", "bytes"}}``."""
    return _C._transfer_counts()


def reset_transfer_counts():
    _C._reset_transfer_counts()


def reset_fallback_counts():
    """Clears the fallback counts and the transfer counts, so that both measure from here on."""
    _C._reset_fallback_counts()
    _C._reset_transfer_counts()
