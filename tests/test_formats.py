"""Physical formats (tilize, bfloat16, block floats) byte-exact against goldens from the real ttnn 0.81.1.

The goldens in tests/golden were produced by tests/golden/make_golden.py with ttnn itself; this test runs
them through the extension's own conversions (ttnn_device._C._encode/_decode, i.e. the runtime's
TensorDesc::encode/decode), so CI checks TT-NN compatibility without ttnn installed.
"""

from __future__ import annotations

import json
import math
import pathlib
import struct

import pytest

from ttnn_device import _C

GOLDEN = pathlib.Path(__file__).resolve().parent / "golden"
MANIFEST = json.loads((GOLDEN / "manifest.json").read_text())
CASES = MANIFEST["cases"]


def _read(name: str) -> bytes:
    return (GOLDEN / "data" / name).read_bytes()


def _args(case: dict) -> tuple:
    return case["shape"], case["layout"], case["data_type"], case["host_type"]


def _first_difference(got: bytes, want: bytes) -> str:
    if len(got) != len(want):
        return f"size {len(got)} != {len(want)}"
    i = next(i for i in range(len(got)) if got[i] != want[i])
    return f"first difference at byte {i}: got {got[i]:#04x}, want {want[i]:#04x}"


def test_manifest_covers_the_formats():
    kinds = {(c["layout"], c["data_type"], c["host_type"]) for c in CASES}
    for data_type in ["FLOAT32", "BFLOAT16", "INT32", "UINT32", "UINT16", "UINT8"]:
        assert ("TILE", data_type, data_type) in kinds
    for data_type in ["BFLOAT16", "BFLOAT8_B", "BFLOAT4_B"]:
        assert ("TILE", data_type, "FLOAT32") in kinds


@pytest.mark.parametrize("case", [c for c in CASES if c["logical"]], ids=lambda c: c["name"])
def test_encode_matches_ttnn(case):
    got = _C._encode(*_args(case), _read(case["logical"]))
    want = _read(case["physical"])
    assert got == want, _first_difference(got, want)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_decode_matches_ttnn(case):
    got = _C._decode(*_args(case), _read(case["physical"]))
    want = _read(case["decoded"] or case["logical"])
    assert got == want, _first_difference(got, want)


def _bfp(data_type: str, values: list[float]) -> list[float]:
    shape = [1, len(values)]
    physical = _C._encode(shape, "TILE", data_type, "FLOAT32", struct.pack(f"<{len(values)}f", *values))
    assert len(physical) == {"BFLOAT8_B": 1088, "BFLOAT4_B": 576}[data_type]
    return list(struct.unpack(f"<{len(values)}f", _C._decode(shape, "TILE", data_type, "FLOAT32", physical)))


def test_block_float_spec_values():
    assert _bfp("BFLOAT8_B", [1.999]) == [1.984375]  # saturates without bumping the exponent
    assert _bfp("BFLOAT4_B", [1.9]) == [1.75]
    assert _bfp("BFLOAT8_B", [1.3] * 5) == [1.296875] * 5  # [1, 5] with zero padding in the group
    inf, nan, minus_zero, big = _bfp("BFLOAT8_B", [math.inf, math.nan, -0.0, 1.0])
    assert inf == math.inf and math.isnan(nan) and big == 0.0
    assert math.copysign(1.0, minus_zero) == 1.0  # -0.0 packs as +0


def test_float32_to_bfloat16_rounding():
    values = [1.00390625, 1.01171875, 1e-40, math.nan, -0.0]
    physical = _C._encode([5], "ROW_MAJOR", "BFLOAT16", "FLOAT32", struct.pack("<5f", *values))
    assert struct.unpack("<5H", physical) == (0x3F80, 0x3F82, 0x0001, 0x7FC0, 0x8000)


def test_accepts_any_contiguous_buffer_and_lowercase_names():
    data = struct.pack("<6i", *range(6))
    for buf in (data, bytearray(data), memoryview(data)):
        physical = _C._encode([2, 3], "tile", "int32", "int32", buf)
        assert len(physical) == 4096
        assert _C._decode([2, 3], "TILE_LAYOUT", "INT32", "INT32", physical) == data


def test_raw_round_trips_verbatim():
    data = struct.pack("<3d", 1.0, math.nan, -0.0)
    assert _C._encode([3], "ROW_MAJOR", "RAW", "RAW", data, raw_element_size=8) == data
    assert _C._decode([3], "ROW_MAJOR", "RAW", "RAW", data, raw_element_size=8) == data


@pytest.mark.parametrize(
    "args",
    [
        ([32, 32], "ROW_MAJOR", "BFLOAT8_B", "FLOAT32", bytes(4096)),  # block floats are TILE only
        ([4], "TILE", "RAW", "RAW", bytes(4)),  # RAW cannot be tiled
        ([4], "TILE", "BFLOAT16", "INT32", bytes(16)),  # not an encoding TT-NN performs
        ([4], "TILE", "FLOAT32", "FLOAT32", bytes(15)),  # wrong byte count
        ([4], "TILE", "FLOAT64", "FLOAT64", bytes(32)),  # not a TT-NN type name
    ],
)
def test_invalid_requests_raise_value_error(args):
    with pytest.raises(ValueError):
        _C._encode(*args)
