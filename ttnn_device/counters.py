"""What left the device: per-op CPU fallback counts and host <-> device transfer counts."""

from . import _C


def fallback_counts():
    """``{op name: number of calls}`` for every op that ran on the CPU since the last reset."""
    return dict(_C._fallback_counts())


def fallback_reasons():
    """``{op name: {reason: number of calls}}``: why each op ran on the CPU. ``"no ttnn kernel"`` counts
    ops that have none; any other reason is a native kernel declining those arguments."""
    return {op: dict(reasons) for op, reasons in _C._fallback_reasons().items()}


def op_counts():
    """``{vocabulary op: number of calls}``: the TT-NN ops the native kernels ran since the last reset."""
    return dict(_C._op_counts())


def conversion_counts():
    """Layout and data type conversions on the device (``to_layout``, ``typecast``) since the last reset:
    ``{"count", "bytes"}``. A resident weight is converted once, not per call."""
    return dict(_C._conversion_counts())


def transfer_counts():
    """Host <-> device crossings since the last reset:
    ``{"host_to_device": {"count", "bytes"}, "device_to_host": {"count", "bytes"}}``."""
    return _C._transfer_counts()


def reset_transfer_counts():
    _C._reset_transfer_counts()


def reset_fallback_counts():
    """Clears the fallback, transfer, op and conversion counts, so that all measure from here on."""
    _C._reset_fallback_counts()
    _C._reset_transfer_counts()
    _C._reset_op_counts()
