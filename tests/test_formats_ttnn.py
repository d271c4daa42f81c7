"""Physical formats checked in-process against the real ttnn 0.81.1 (host conversions, mock cluster).

tests/test_formats.py compares our conversions with committed goldens; this file asks ttnn itself, on
seeded random shapes and values, so nothing is limited to what the goldens happened to contain. For every
(layout, physical data type, host type) that TT-NN's host conversion performs:

* encode: ``_C._encode`` of the logical elements == the page bytes of ``ttnn.from_torch(x, dtype, layout)``
  (cut out of ``ttnn.dump_tensor``'s file as tests/golden/make_golden.py does);
* decode: ``_C._decode`` of ttnn's page bytes == ``ttnn.to_torch`` of that tensor, bit for bit;
* device: ``x.to("ttnn")`` + ``set_physical_format`` + ``.cpu()`` == ``ttnn.to_torch(ttnn.from_torch(x, ...))``
  bit for bit, with the same padded shape and buffer size;

plus special values (NaN payloads, +-Inf, denormals, -0.0, bfloat16 rounding ties, block-float edge
groups), random page bytes decoded by both, layout changes (``ttnn.Tensor.to(layout)`` against our
re-layout of a device tensor) and ``pad_value``.

Known disagreement (measured, asserted exactly below): our encoder has no pad value; TILE padding is
always 0. ``ttnn.from_torch(..., pad_value=v)`` fills the padding with v, which changes the padding bytes
and, for block floats, the shared exponent of every 16-element group that holds padding, hence the logical
values too. See test_pad_value_*.

Needs the ``real_ttnn`` fixture (tests/conftest.py): skipped without ttnn, an error with CI=true.
"""

from __future__ import annotations

import math
import random
import struct

import numpy as np
import pytest
import torch

import ttnn_device
from ttnn_device import _C

SEED = 20240611

TORCH = {"FLOAT32": torch.float32, "BFLOAT16": torch.bfloat16, "INT32": torch.int32, "UINT32": torch.uint32,
         "UINT16": torch.uint16, "UINT8": torch.uint8}
LOSSLESS = list(TORCH)
BLOCK_FLOATS = ["BFLOAT8_B", "BFLOAT4_B"]

# (layout, physical data type, host type): every encoding TensorDesc::validate accepts except RAW.
KINDS = (
    [(layout, t, t) for t in LOSSLESS for layout in ("TILE", "ROW_MAJOR")]
    + [(layout, "BFLOAT16", "FLOAT32") for layout in ("TILE", "ROW_MAJOR")]
    + [("TILE", b, host) for b in BLOCK_FLOATS for host in ("FLOAT32", "BFLOAT16")]
)


def _random_shapes() -> list[tuple[int, ...]]:
    rng = random.Random(SEED)
    shapes = []
    for rank in (4, 4, 3, 2, 1):
        outer = [rng.randint(1, 3) for _ in range(max(0, rank - 2))]
        inner = [rng.randint(1, 100) for _ in range(min(rank, 2))]
        shapes.append(tuple(outer + inner))
    return shapes


SHAPES = [(), (5,), (3, 5), (2, 33, 40), (1, 64, 96), (32, 32)] + _random_shapes()


def _tag(shape) -> str:
    return "x".join(map(str, shape)) if shape else "scalar"


def _kind_id(kind) -> str:
    layout, data_type, host = kind
    return f"{layout}-{data_type}" + ("" if host == data_type else f"-from-{host}")


CASES = [pytest.param(kind, shape, id=f"{_kind_id(kind)}-{_tag(shape)}") for kind in KINDS for shape in SHAPES]


# ----------------------------------------------------------------------------------------------------------
# Values


def _f32(bits) -> torch.Tensor:
    return torch.from_numpy(np.asarray(bits, dtype=np.uint32).view(np.float32).copy())


def _bf16(bits) -> torch.Tensor:
    return torch.from_numpy(np.asarray(bits, dtype=np.uint16).copy()).view(torch.bfloat16)


def random_floats(rng: np.random.Generator, n: int) -> np.ndarray:
    """Normals whose scale changes every 7 elements (narrow and wide block-float groups), with exact zeros,
    negative zeros, float32 denormals and values far below their neighbours sprinkled in."""
    x = rng.standard_normal(n).astype(np.float32)
    scales = np.float32(10.0) ** rng.uniform(-4, 4, size=n // 7 + 1).astype(np.float32)
    x *= np.repeat(scales, 7)[:n]
    if n >= 10:
        idx = rng.choice(n, size=max(4, n // 16), replace=False)
        x[idx[0::4]] = 0.0
        x[idx[1::4]] = -0.0
        x[idx[2::4]] *= np.float32(1e-9)
        x[idx[3::4]] = (rng.integers(1, 1 << 23, size=len(idx[3::4]), dtype=np.uint32)
                        | (rng.integers(0, 2, size=len(idx[3::4]), dtype=np.uint32) << 31)).view(np.float32)
    return x


def logical_values(kind, shape) -> torch.Tensor:
    """Seeded random host elements of the kind's host type (every case has its own stream)."""
    layout, data_type, host = kind
    seed = SEED + sum(map(ord, _kind_id(kind) + _tag(shape)))
    rng = np.random.default_rng(seed)
    n = math.prod(shape)
    if host == "FLOAT32":
        x = torch.from_numpy(random_floats(rng, n))
    elif host == "BFLOAT16" and data_type == "BFLOAT16":
        # Every finite bfloat16 bit pattern (denormals and -0.0 included) is equally likely.
        bits = rng.integers(0, 1 << 16, size=n, dtype=np.uint32)
        bits[((bits >> 7) & 0xFF) == 0xFF] &= ~np.uint32(0x4000)
        x = _bf16(bits.astype(np.uint16))
    elif host == "BFLOAT16":
        # Block floats from bfloat16: realistic magnitudes (random bit patterns would flush most groups).
        x = torch.from_numpy(random_floats(rng, n)).to(torch.bfloat16)
    else:
        info = np.iinfo(np.dtype(host.lower()))
        v = rng.integers(info.min, int(info.max) + 1, size=n, dtype=np.int64)
        if n >= 4:
            v[:4] = [info.min, info.max, 0, 1]
        x = torch.from_numpy(v.astype(np.dtype(host.lower())))
    return x.reshape(shape)


# ----------------------------------------------------------------------------------------------------------
# Helpers


def raw_bytes(t: torch.Tensor) -> bytes:
    return t.detach().contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()


def from_bytes(data: bytes, host: str, shape) -> torch.Tensor:
    return torch.frombuffer(bytearray(data), dtype=TORCH[host]).reshape(shape)


def bits(t: torch.Tensor) -> np.ndarray:
    t = t.detach().contiguous().reshape(-1)
    return t.view({1: torch.uint8, 2: torch.int16, 4: torch.int32}[t.element_size()]).numpy()


def as_host(t: torch.Tensor, host: str) -> torch.Tensor:
    """ttnn.to_torch's result in the host type, exactly: bfloat16 -> float32 widens (bit-exact), and a
    block-float decode as float32 -> bfloat16 drops 16 zero bits (checked), keeping NaN signs and payloads."""
    want = TORCH[host]
    if t.dtype == want:
        return t
    if t.dtype == torch.float32 and want == torch.bfloat16:
        b = bits(t).view(np.uint32)
        assert not (b & 0xFFFF).any(), "ttnn's block-float decode is not bfloat16-exact"
        return _bf16((b >> 16).astype(np.uint16)).reshape(t.shape)
    if t.dtype == torch.bfloat16 and want == torch.float32:
        return t.float()
    raise AssertionError(f"unexpected ttnn.to_torch dtype {t.dtype} for host {host}")


def assert_same_bits(got: torch.Tensor, want: torch.Tensor, what: str):
    assert got.dtype == want.dtype, (what, got.dtype, want.dtype)
    assert tuple(got.shape) == tuple(want.shape), (what, got.shape, want.shape)
    g, w = bits(got), bits(want)
    bad = np.flatnonzero(g != w)
    if bad.size:
        i = int(bad[0])
        gv, wv = got.reshape(-1)[i].item(), want.reshape(-1)[i].item()
        mask = (1 << (8 * got.element_size())) - 1
        pytest.fail(f"{what}: {bad.size} of {g.size} elements differ; first at flat index {i}: ours {gv!r} "
                    f"({int(g[i]) & mask:#x}), ttnn {wv!r} ({int(w[i]) & mask:#x})")


def assert_same_pages(got: bytes, want: bytes, what: str, page: int):
    assert len(got) == len(want), f"{what}: {len(got)} bytes, ttnn {len(want)}"
    if got != want:
        a, b = np.frombuffer(got, np.uint8), np.frombuffer(want, np.uint8)
        bad = np.flatnonzero(a != b)
        i = int(bad[0])
        pytest.fail(f"{what}: {bad.size} of {a.size} bytes differ; first at byte {i} (page {i // page}, "
                    f"offset {i % page}): ours {a[i]:#04x}, ttnn {b[i]:#04x}")


class Oracle:
    """ttnn's side of every comparison: tensors, their page bytes and decodes (cached per case)."""

    def __init__(self, ttnn, scratch):
        self.ttnn = ttnn
        self.scratch = scratch
        self.cache = {}

    def dtype(self, name: str):
        return getattr(self.ttnn, name.lower())

    def layout(self, name: str):
        return {"TILE": self.ttnn.TILE_LAYOUT, "ROW_MAJOR": self.ttnn.ROW_MAJOR_LAYOUT}[name]

    def from_torch(self, x: torch.Tensor, layout: str, data_type: str, **kw):
        return self.ttnn.from_torch(x, dtype=self.dtype(data_type), layout=self.layout(layout), **kw)

    def page_bytes(self, data_type: str, layout: str, padded_last: int) -> int:
        if layout == "TILE":
            return self.ttnn.Tile([32, 32]).get_tile_size(self.dtype(data_type))
        return padded_last * {"FLOAT32": 4, "BFLOAT16": 2, "INT32": 4, "UINT32": 4, "UINT16": 2, "UINT8": 1}[data_type]

    def pages(self, tensor) -> bytes:
        """The host buffer as ttnn serialises it: u64 header length, flatbuffer header, then the pages
        verbatim. The length is checked against ttnn's own padded shape and tile size."""
        path = self.scratch / "t.tensorbin"
        self.ttnn.dump_tensor(str(path), tensor)
        blob = path.read_bytes()
        data = blob[8 + int.from_bytes(blob[:8], "little"):]
        padded = list(tensor.padded_shape)
        if tensor.layout == self.ttnn.TILE_LAYOUT:
            tiles = math.prod(padded[:-2]) * (padded[-2] // 32) * (padded[-1] // 32)
            expected = tiles * self.ttnn.Tile([32, 32]).get_tile_size(tensor.dtype)
        else:
            expected = math.prod(padded) * tensor.element_size()
        assert len(data) == expected, (len(data), expected, padded)
        return data

    def load_pages(self, template, data: bytes):
        """A ttnn tensor like `template` holding `data` as its pages (patched into a dumped file)."""
        path = self.scratch / "patched.tensorbin"
        self.ttnn.dump_tensor(str(path), template)
        blob = path.read_bytes()
        header = 8 + int.from_bytes(blob[:8], "little")
        assert len(blob) - header == len(data)
        path.write_bytes(blob[:header] + data)
        return self.ttnn.load_tensor(str(path))

    def case(self, kind, shape):
        """(x, ttnn tensor, its pages, ttnn.to_torch of it) for a case, computed once."""
        key = (kind, shape)
        if key not in self.cache:
            layout, data_type, _ = kind
            x = logical_values(kind, shape)
            t = self.from_torch(x, layout, data_type)
            self.cache[key] = (x, t, self.pages(t), self.ttnn.to_torch(t))
        return self.cache[key]


@pytest.fixture(scope="module")
def oracle(real_ttnn, tmp_path_factory):
    return Oracle(real_ttnn, tmp_path_factory.mktemp("ttnn_oracle"))


def encode(shape, kind, x: torch.Tensor) -> bytes:
    layout, data_type, host = kind
    return _C._encode(list(shape), layout, data_type, host, raw_bytes(x))


def decode(shape, kind, physical: bytes) -> torch.Tensor:
    layout, data_type, host = kind
    return from_bytes(_C._decode(list(shape), layout, data_type, host, physical), host, shape)


def on_device(x: torch.Tensor, layout: str, data_type: str) -> tuple[torch.Tensor, dict]:
    d = x.to("ttnn")
    ttnn_device.set_physical_format(d, layout, data_type)
    fmt = ttnn_device.physical_format(d)
    assert (fmt["layout"], fmt["data_type"]) == (layout, data_type)
    return d.cpu(), fmt


def check_all(oracle, kind, x: torch.Tensor, what: str):
    """encode, decode and device round trip of `x` against ttnn."""
    layout, data_type, host = kind
    t = oracle.from_torch(x, layout, data_type)
    theirs = oracle.pages(t)
    page = oracle.page_bytes(data_type, layout, list(t.padded_shape)[-1])
    assert_same_pages(encode(x.shape, kind, x), theirs, f"{what}: encode", page)
    decoded = as_host(oracle.ttnn.to_torch(t), host)
    assert_same_bits(decode(x.shape, kind, theirs), decoded, f"{what}: decode of ttnn's pages")
    assert_same_bits(on_device(x, layout, data_type)[0], decoded, f"{what}: device round trip")


# ----------------------------------------------------------------------------------------------------------
# Random shapes and values


def test_cases_cover_ranks_and_unaligned_sizes():
    assert {len(s) for s in SHAPES} == {0, 1, 2, 3, 4}
    assert any(s and s[-1] % 32 and len(s) == 4 for s in SHAPES)
    assert {k[1] for k in KINDS} == set(LOSSLESS) | set(BLOCK_FLOATS)


@pytest.mark.parametrize("kind, shape", CASES)
def test_encode_matches_ttnn(oracle, kind, shape):
    x, t, theirs, _ = oracle.case(kind, shape)
    page = oracle.page_bytes(kind[1], kind[0], list(t.padded_shape)[-1])
    assert_same_pages(encode(shape, kind, x), theirs, "encode", page)


@pytest.mark.parametrize("kind, shape", CASES)
def test_decode_matches_ttnn_to_torch(oracle, kind, shape):
    x, t, theirs, back = oracle.case(kind, shape)
    want = as_host(back, kind[2])
    assert_same_bits(decode(shape, kind, theirs), want, "decode of ttnn's pages")
    if kind[1] == kind[2]:
        assert_same_bits(want, x, "ttnn's own lossless round trip")  # the oracle is lossless where it should be


@pytest.mark.parametrize("layout", ["TILE", "ROW_MAJOR"])
@pytest.mark.parametrize("dtype, data_type", [(torch.int16, "UINT16"), (torch.bool, "UINT8")], ids=["int16", "bool"])
def test_reinterpreted_dtypes_match_ttnn(oracle, dtype, data_type, layout):
    """torch dtypes without a TT-NN type of their own live in the same-size unsigned type (ttnn converts
    int16 -> uint16 modulo 2**16 and bool -> 0/1): same pages, same bits back."""
    rng = np.random.default_rng(SEED)
    shape = (3, 37)
    if dtype == torch.bool:
        x = torch.from_numpy(rng.random(shape) < 0.5)
    else:
        x = torch.from_numpy(rng.integers(-(1 << 15), 1 << 15, size=shape, dtype=np.int16))
        x.view(-1)[:3] = torch.tensor([-(1 << 15), -1, (1 << 15) - 1], dtype=torch.int16)
    t = oracle.from_torch(x, layout, data_type)
    kind = (layout, data_type, data_type)
    assert_same_pages(encode(shape, kind, x), oracle.pages(t), "encode",
                      oracle.page_bytes(data_type, layout, shape[-1]))
    got = on_device(x, layout, data_type)[0]
    assert got.dtype == dtype
    assert np.array_equal(got.view(TORCH[data_type]).numpy(), oracle.ttnn.to_torch(t).numpy())


@pytest.mark.parametrize("kind, shape", CASES)
def test_device_round_trip_matches_ttnn(oracle, kind, shape):
    layout, data_type, host = kind
    x, t, theirs, back = oracle.case(kind, shape)
    got, fmt = on_device(x, layout, data_type)
    assert_same_bits(got, as_host(back, host), "x.to('ttnn') + set_physical_format + .cpu()")
    # (A rank-0 storage is laid out as shape [1]; TT-NN pads [] and [1] alike: [32, 32] in TILE, [1] in rows.)
    assert fmt["padded_shape"] == list(t.padded_shape)
    assert fmt["physical_bytes"] == len(theirs)


# ----------------------------------------------------------------------------------------------------------
# Layout changes: ttnn.Tensor.to(layout) against our re-layout of a device tensor's storage


@pytest.mark.parametrize("shape", [(3, 5), (2, 33, 40), (1, 2, 31, 65)], ids=_tag)
@pytest.mark.parametrize("data_type", LOSSLESS)
def test_relayout_matches_ttnn_to_layout(oracle, data_type, shape):
    kind_rm, kind_tile = ("ROW_MAJOR", data_type, data_type), ("TILE", data_type, data_type)
    x = logical_values(kind_rm, shape)
    # ttnn: ROW_MAJOR -> TILE and back on the host.
    tiled = oracle.from_torch(x, "ROW_MAJOR", data_type).to(oracle.ttnn.TILE_LAYOUT)
    assert_same_pages(encode(shape, kind_tile, x), oracle.pages(tiled), "encode vs ttnn .to(TILE)",
                      oracle.page_bytes(data_type, "TILE", 32))
    rows = oracle.from_torch(x, "TILE", data_type).to(oracle.ttnn.ROW_MAJOR_LAYOUT)
    assert_same_pages(encode(shape, kind_rm, x), oracle.pages(rows), "encode vs ttnn .to(ROW_MAJOR)", shape[-1])
    # Ours: one storage re-laid out TILE -> ROW_MAJOR -> TILE.
    d = x.to("ttnn")
    for layout in ("TILE", "ROW_MAJOR", "TILE"):
        ttnn_device.set_physical_format(d, layout, data_type)
        assert_same_bits(d.cpu(), as_host(oracle.ttnn.to_torch(rows if layout == "ROW_MAJOR" else tiled), data_type),
                         f"device tensor re-laid out as {layout}")


# ----------------------------------------------------------------------------------------------------------
# Special values


LSB = 2.0**-7  # bfloat16 ulp at 1.0


def f32_special_bits() -> list[int]:
    one = 0x3F800000
    vals = [
        0x00000000, 0x80000000, 0x7F800000, 0xFF800000,  # +-0, +-Inf
        0x7FC00000, 0xFFC00000, 0x7FC00001, 0x7F800001, 0x7FBFFFFF, 0xFFFFFFFF, 0x7FFF8000,  # NaNs
        0x00000001, 0x80000001, 0x00008000, 0x00018000, 0x00017FFF, 0x007FFFFF, 0x807F8000, 0x00400000,  # denormals
        0x00800000, 0x80800000, 0x7F7FFFFF, 0xFF7FFFFF, 0x7F7F8000, 0x7F7F7FFF, 0x7F7E8000,  # edges, overflow ties
        one | 0x8000, one | 0x18000, one | 0x28000, 0x80000000 | one | 0x18000,  # exact ties (to even)
        one | 0x8001, one | 0x7FFF, one | 0x18001, one | 0x17FFF,  # sticky bits either side of a tie
    ]
    rng = np.random.default_rng(SEED)
    # Random ties and their neighbours one float32 ulp away, at random exponents and signs.
    hi = rng.integers(0, 1 << 16, size=40, dtype=np.uint32)
    hi[((hi >> 7) & 0xFF) == 0xFF] &= ~np.uint32(0x4000)
    for h in hi:
        vals += [int(h) << 16 | 0x8000, int(h) << 16 | 0x7FFF, int(h) << 16 | 0x8001]
    return vals


def f32_specials() -> torch.Tensor:
    v = f32_special_bits()
    n = -(-len(v) // 40) * 40
    return _f32(v + [0x3F800000] * (n - len(v))).reshape(-1, 40)  # 40 wide: two tile columns, one unaligned


def bf16_specials() -> torch.Tensor:
    v = [0x0000, 0x8000, 0x7F80, 0xFF80, 0x7FC0, 0xFFC0, 0x7FC1, 0x7F81, 0xFFFF, 0x7FFF,
         0x0001, 0x8001, 0x007F, 0x807F, 0x0040, 0x0080, 0x7F7F, 0xFF7F, 0x3F80, 0x3F81, 0xBF81]
    return _bf16(v + [0x3F80] * (2 * 40 - len(v))).reshape(2, 40)


def bfp_edge_groups(mantissa_bits: int) -> torch.Tensor:
    """A [32, 48] float32 matrix whose 16-element face rows (block-float groups) each test one rule:
    saturation, ties at the group exponent, sticky bits, denormals, Inf/NaN groups, extremes, dynamic
    range, rounding into the next binade. Columns 32..47 are a second, partly padded tile."""
    step = 2.0 ** -(mantissa_bits - 1)
    inf, nan = math.inf, math.nan
    groups = [
        [1.999, -1.999, 1.9, -1.9, 1.0, 1.9999999],
        [1.0 + 0.5 * step, 1.0 + 1.5 * step, 1.0 + 2.5 * step, 1.0 + 3.5 * step, -(1.0 + 0.5 * step),
         -(1.0 + 1.5 * step), 1.5 + 0.5 * step, 1.0 + 0.5 * step + 2.0**-20],
        [4.0, 2.0 * step, 6.0 * step, 10.0 * step, 1.0 + 2 * step, 3.0 + 3 * step, -0.75],
        [1.0, 1.0 + 0.5 * step * (1 + 2**-10), 1.0 + 0.5 * step * (1 - 2**-10), 1.0 + 2.5 * step * (1 + 2**-12)],
        [1.0, 1e-40, -1e-40, -0.0, -1e-5, 1e-38, -3e-39, 2.0**-126],
        [1e-40, -1e-40, 0.0, -0.0, 1.4e-45, -1.17e-38],
        [inf, 1.0, -2.0, 3e38],
        [-inf, nan, 1.0],
        [float(_f32([0x7FC00001])[0]), float(_f32([0xFFC00000])[0]), -3.0, 3.4e38],
        [3.4028235e38, -3.4028235e38, 1.7e38, 1e38],
        [1.1754944e-38, 1.5e-38, -2.3e-38, 2.0**-125],
        [1e30, 1.0, 1e20, -1e25, 1e29, 5e29],
        [2.0, 0.999999, 1.99999, -0.99999, 0.49999],
        [1.1328, 1.125, 1.375, 1.625, 1.875, -1.1328, 0.3, 0.06],
        [-1.3, 1.3] * 8,
        [-0.0] * 16,
        [0.0] * 15 + [-1e-30],
    ]
    m = np.zeros((32, 48), np.float32)
    rng = np.random.default_rng(SEED + mantissa_bits)
    m[:] = (rng.uniform(0.5, 2.0, size=m.shape) * 2.0 ** rng.integers(-30, 30, size=m.shape)
            * np.where(rng.random(m.shape) < 0.5, -1, 1)).astype(np.float32)
    for i, g in enumerate(groups):
        row, col = (i % 32, 0) if i < 32 else (i - 32, 16)
        m[row, col : col + 16] = 0.0
        m[row, col : col + len(g)] = np.asarray(g, dtype=np.float32)
    for i, g in enumerate(groups[:8]):  # the same groups again in the unaligned tile (columns 32..47)
        m[20 + i, 32:48] = 0.0
        m[20 + i, 32 : 32 + len(g)] = np.asarray(g, dtype=np.float32)
    return torch.from_numpy(m)


SPECIAL_CASES = [
    pytest.param(("TILE", "FLOAT32", "FLOAT32"), f32_specials, id="TILE-FLOAT32"),
    pytest.param(("ROW_MAJOR", "FLOAT32", "FLOAT32"), f32_specials, id="ROW_MAJOR-FLOAT32"),
    pytest.param(("TILE", "BFLOAT16", "FLOAT32"), f32_specials, id="TILE-BFLOAT16-from-FLOAT32"),
    pytest.param(("ROW_MAJOR", "BFLOAT16", "FLOAT32"), f32_specials, id="ROW_MAJOR-BFLOAT16-from-FLOAT32"),
    pytest.param(("TILE", "BFLOAT16", "BFLOAT16"), bf16_specials, id="TILE-BFLOAT16"),
    pytest.param(("ROW_MAJOR", "BFLOAT16", "BFLOAT16"), bf16_specials, id="ROW_MAJOR-BFLOAT16"),
    pytest.param(("TILE", "BFLOAT8_B", "FLOAT32"), f32_specials, id="TILE-BFLOAT8_B-from-FLOAT32"),
    pytest.param(("TILE", "BFLOAT4_B", "FLOAT32"), f32_specials, id="TILE-BFLOAT4_B-from-FLOAT32"),
    pytest.param(("TILE", "BFLOAT8_B", "BFLOAT16"), bf16_specials, id="TILE-BFLOAT8_B-from-BFLOAT16"),
    pytest.param(("TILE", "BFLOAT4_B", "BFLOAT16"), bf16_specials, id="TILE-BFLOAT4_B-from-BFLOAT16"),
    pytest.param(("TILE", "BFLOAT8_B", "FLOAT32"), lambda: bfp_edge_groups(7), id="TILE-BFLOAT8_B-edge-groups"),
    pytest.param(("TILE", "BFLOAT4_B", "FLOAT32"), lambda: bfp_edge_groups(3), id="TILE-BFLOAT4_B-edge-groups"),
    pytest.param(("TILE", "BFLOAT8_B", "BFLOAT16"), lambda: bfp_edge_groups(7).to(torch.bfloat16),
                 id="TILE-BFLOAT8_B-edge-groups-from-BFLOAT16"),
    pytest.param(("TILE", "BFLOAT4_B", "BFLOAT16"), lambda: bfp_edge_groups(3).to(torch.bfloat16),
                 id="TILE-BFLOAT4_B-edge-groups-from-BFLOAT16"),
]


@pytest.mark.parametrize("kind, values", SPECIAL_CASES)
def test_special_values_match_ttnn(oracle, kind, values):
    check_all(oracle, kind, values(), "special values")


def test_float32_to_bfloat16_specials_spot_values(oracle):
    """A few of ttnn's float32 -> bfloat16 results spelled out (what the comparison above agrees on)."""
    v = _f32([0x7FC00001, 0xFFC00000, 0x7F800001, 0x3F808000, 0x3F818000, 0x00008000, 0x7F7F8000, 0x80000000])
    t = oracle.from_torch(v, "ROW_MAJOR", "BFLOAT16")
    want = (0x7FC0, 0x7FC0, 0x7FC0, 0x3F80, 0x3F82, 0x0000, 0x7F80, 0x8000)  # NaNs canonical and positive
    assert struct.unpack("<8H", oracle.pages(t)) == want
    assert struct.unpack("<8H", encode([8], ("ROW_MAJOR", "BFLOAT16", "FLOAT32"), v)) == want


# ----------------------------------------------------------------------------------------------------------
# Random page bytes: ttnn's unpacker (load_tensor + to_torch) against our decode


@pytest.mark.parametrize("layout, data_type", [("TILE", t) for t in LOSSLESS + BLOCK_FLOATS] +
                         [("ROW_MAJOR", t) for t in LOSSLESS])
def test_decode_of_random_pages_matches_ttnn(oracle, layout, data_type):
    shape = (2, 40, 33)
    host = data_type if data_type in LOSSLESS else "FLOAT32"
    template = oracle.from_torch(torch.zeros(shape, dtype=TORCH[host]), layout, data_type)
    size = len(oracle.pages(template))
    rng = np.random.default_rng(SEED + sum(map(ord, layout + data_type)))
    raw = rng.integers(0, 256, size=size, dtype=np.uint8)
    if data_type in BLOCK_FLOATS:
        raw[:64] = np.arange(64, dtype=np.uint8) * 4 + 3  # exponents 0, 1, 0xFF and the edges all appear
        raw[0], raw[1], raw[2] = 0, 1, 0xFF
    raw = raw.tobytes()
    want = as_host(oracle.ttnn.to_torch(oracle.load_pages(template, raw)), host)
    assert_same_bits(decode(shape, (layout, data_type, host), raw), want, "decode of random pages")
    if data_type in BLOCK_FLOATS:  # and with a bfloat16 host (ttnn decodes to float32 only)
        assert_same_bits(decode(shape, (layout, data_type, "BFLOAT16"), raw), as_host(want, "BFLOAT16"),
                         "decode of random pages to BFLOAT16")


# ----------------------------------------------------------------------------------------------------------
# pad_value: our encoder always pads with 0 (no pad value parameter); ttnn.from_torch can pad with any value.


@pytest.mark.parametrize("data_type, pad", [("FLOAT32", -3.5), ("BFLOAT16", 7.0), ("INT32", -9.0),
                                            ("UINT32", 9.0), ("UINT16", 9.0), ("UINT8", 9.0)])
def test_pad_value_lossless_logical_elements_match(oracle, data_type, pad):
    """Lossless types: ttnn's padding holds pad_value, ours 0; every logical element agrees, and our decode
    of ttnn's pages ignores the padding."""
    shape = (2, 33, 40)
    kind = ("TILE", data_type, data_type)
    x = logical_values(kind, shape)
    t = oracle.from_torch(x, "TILE", data_type, pad_value=pad)
    theirs = np.frombuffer(oracle.pages(t), np.uint8)
    ours = np.frombuffer(encode(shape, kind, x), np.uint8)
    es = x.element_size()
    # Where the logical elements go: tilize an all-0xFF buffer (identity encode moves bytes, pads with 0).
    logical = np.frombuffer(_C._encode(list(shape), "TILE", data_type, data_type, b"\xff" * (x.numel() * es)),
                            np.uint8) == 0xFF
    assert np.array_equal(ours[logical], theirs[logical])
    assert not ours[~logical].any()  # our padding: zeros
    pad_elem = raw_bytes(torch.tensor([pad]).to(TORCH[data_type]))
    assert theirs[~logical].tobytes() == pad_elem * (int((~logical).sum()) // es)  # ttnn's: pad_value
    assert_same_bits(decode(shape, kind, theirs.tobytes()), x, "decode of pad_value pages")
    assert_same_bits(oracle.ttnn.to_torch(t), x, "ttnn.to_torch with pad_value")


def test_pad_value_zero_block_float_matches(oracle):
    x = torch.full((1, 5), 1.3)
    for data_type in BLOCK_FLOATS:
        t = oracle.from_torch(x, "TILE", data_type, pad_value=0.0)
        assert encode((1, 5), ("TILE", data_type, "FLOAT32"), x) == oracle.pages(t)


@pytest.mark.parametrize("data_type, pad, ttnn_value, our_value", [
    ("BFLOAT8_B", 2.0, 1.3125, 1.296875),
    ("BFLOAT4_B", 2.0, 1.5, 1.25),
    ("BFLOAT8_B", 1e30, 0.0, 1.296875),
])
def test_pad_value_block_float_known_disagreement(oracle, data_type, pad, ttnn_value, our_value):
    """Known, by design: with pad_value the padding joins the 16-element groups of the partly filled face
    rows, so the shared exponent and hence the logical values differ from ours (padding 0). Measured on
    [1, 5] of 1.3; our decode of ttnn's pages still agrees with ttnn.to_torch."""
    x = torch.full((1, 5), 1.3)
    kind = ("TILE", data_type, "FLOAT32")
    t = oracle.from_torch(x, "TILE", data_type, pad_value=pad)
    theirs = oracle.pages(t)
    assert oracle.ttnn.to_torch(t).tolist() == [[ttnn_value] * 5]
    assert decode((1, 5), kind, theirs).tolist() == [[ttnn_value] * 5]
    assert on_device(x, "TILE", data_type)[0].tolist() == [[our_value] * 5]
    assert decode((1, 5), kind, encode((1, 5), kind, x)).tolist() == [[our_value] * 5]
