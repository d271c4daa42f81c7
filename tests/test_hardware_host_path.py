"""The hardware backend's host side (tensor creation from torch data, tilize, block-float packing,
readback), run where the hardware backend is active (under the emulated device in CI, through
test_hardware_backend.py): the pages TT-NN holds for a storage are the bytes the reference device stores
for the same format (its encoder, proven against ttnn in test_formats_ttnn), and reading back gives the
reference device's decode of them."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import ttnn_device

pytestmark = pytest.mark.skipif(ttnn_device.backend_info()["backend"] != "ttnn",
                                reason="runs on the hardware backend (TTNN_DEVICE_BACKEND=ttnn)")

HOST = {"FLOAT32": torch.float32, "BFLOAT16": torch.bfloat16, "INT32": torch.int32, "UINT8": torch.uint8}
# (host type, layout, data type): every format the device stores, from the host types that reach it.
FORMATS = [("FLOAT32", "ROW_MAJOR", "FLOAT32"), ("FLOAT32", "TILE", "FLOAT32"), ("FLOAT32", "TILE", "BFLOAT16"),
           ("FLOAT32", "ROW_MAJOR", "BFLOAT16"), ("FLOAT32", "TILE", "BFLOAT8_B"), ("FLOAT32", "TILE", "BFLOAT4_B"),
           ("BFLOAT16", "ROW_MAJOR", "BFLOAT16"), ("BFLOAT16", "TILE", "BFLOAT16"), ("BFLOAT16", "TILE", "BFLOAT8_B"),
           ("INT32", "ROW_MAJOR", "INT32"), ("INT32", "TILE", "INT32"), ("UINT8", "ROW_MAJOR", "UINT8"),
           ("UINT8", "TILE", "UINT8")]
SHAPES = [(2, 33, 40), (64, 96), (5,)]


def values(host: str, shape, seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    if host in ("FLOAT32", "BFLOAT16"):
        return (torch.randn(shape, generator=g) * 3).to(HOST[host])
    hi = 200 if host == "UINT8" else 1 << 30
    return torch.randint(0 if host == "UINT8" else -hi, hi, shape, generator=g).to(HOST[host])


def pages(ttnn, tensor, tmp_path) -> bytes:
    """A host ttnn tensor's pages as ttnn serialises them (u64 header length, header, pages)."""
    path = tmp_path / "t.tensorbin"
    ttnn.dump_tensor(str(path), tensor)
    blob = path.read_bytes()
    return blob[8 + int.from_bytes(blob[:8], "little"):]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: "-".join(f))
def test_ttnn_holds_the_reference_devices_bytes(fmt, shape, tmp_path):
    import ttnn

    host, layout, data_type = fmt
    x = values(host, shape, seed=sum(shape))
    t = x.to("ttnn")
    ttnn_device.set_physical_format(t, layout, data_type)
    held = ttnn_device._C._ttnn_tensor(t)
    assert held.layout == (ttnn.TILE_LAYOUT if layout == "TILE" else ttnn.ROW_MAJOR_LAYOUT)
    assert held.dtype == getattr(ttnn, data_type.lower())
    got = pages(ttnn, ttnn.from_device(held), tmp_path)
    logical = x.contiguous().view(torch.uint8).numpy().tobytes() if x.dtype != torch.bfloat16 else \
        x.contiguous().view(torch.int16).numpy().tobytes()
    want = bytes(ttnn_device._C._encode(list(shape), layout, data_type, host, logical))
    assert len(got) == len(want)
    if got != want:
        bad = np.flatnonzero(np.frombuffer(got, np.uint8) != np.frombuffer(want, np.uint8))
        pytest.fail(f"{bad.size} of {len(got)} bytes differ, first at {int(bad[0])}")
    decoded = bytes(ttnn_device._C._decode(list(shape), layout, data_type, host, want))
    back = t.cpu().contiguous()
    back_bytes = back.view(torch.int16).numpy().tobytes() if back.dtype == torch.bfloat16 else \
        back.view(torch.uint8).numpy().tobytes()
    assert back_bytes == decoded
    assert math.prod(shape) == back.numel()
