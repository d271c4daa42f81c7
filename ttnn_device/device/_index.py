"""Turning what users pass as a device (int, str, torch.device, None) into a ttnn device index."""

import torch


def device_index(device, optional=False, default=None):
    if device is None:
        if optional:
            return default
        raise ValueError("expected a ttnn device, got None")
    if isinstance(device, int):
        return device
    if isinstance(device, str):
        device = torch.device(device)
    if isinstance(device, torch.device):
        if device.type != "ttnn":
            raise ValueError(f"expected a ttnn device, got {device}")
        if device.index is None:
            return default if optional else torch.ttnn.current_device()
        return device.index
    raise TypeError(f"expected a ttnn device as int, str or torch.device, got {type(device).__name__}")
