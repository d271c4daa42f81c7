"""The TT-NN physical format behind a ttnn tensor's storage (layout TILE / ROW_MAJOR, data type)."""

import torch

from . import _C


def _check(tensor):
    if not isinstance(tensor, torch.Tensor) or tensor.device.type != "ttnn":
        raise TypeError(f"expected a ttnn tensor, got {type(tensor).__name__} on "
                        f"{getattr(tensor, 'device', None)}")


def physical_format(tensor):
    """``{"layout", "data_type", "shape", "padded_shape", "physical_bytes", "logical_bytes"}`` of the
    storage behind ``tensor``."""
    _check(tensor)
    return _C._physical_format(tensor)


def set_physical_format(tensor, layout="TILE", data_type=None):
    """Re-lays the whole storage of ``tensor`` out in ``layout`` and ``data_type`` (default: the natural
    TT-NN type of its dtype). Every view of the storage sees the change. Block floats (BFLOAT8_B,
    BFLOAT4_B) round the values as TT-NN does. Returns ``tensor``."""
    _check(tensor)
    if data_type is None:
        data_type = {torch.float32: "FLOAT32", torch.bfloat16: "BFLOAT16", torch.int32: "INT32",
                     torch.uint8: "UINT8", torch.bool: "UINT8", torch.int16: "UINT16",
                     torch.uint16: "UINT16", torch.uint32: "UINT32"}.get(tensor.dtype, "RAW")
    _C._set_physical_format(tensor, layout.upper(), data_type.upper())
    return tensor
