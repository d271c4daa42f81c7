#!/usr/bin/env python3
"""Regenerates the format goldens in tests/golden/data from the real `ttnn` package (0.81.1).

Every physical byte written here comes out of ttnn itself: tensors are built with `ttnn.Tensor(np_array,
dtype, layout=...)`, written with `ttnn.dump_tensor` and the page bytes are cut out of that file; block-float
pages are cross-checked against `ttnn._ttnn.bfp_utils.pack_bfp8/4`, and decoded values come from
`Tensor.to_numpy()` / `Tensor.to_list()` / `bfp_utils.unpack_bfp8/4`. Nothing is computed by our own
conversion code, so the goldens can catch our mistakes instead of repeating them.

Needs CPython 3.12 (or 3.10) with `pip install ttnn==0.81.1` (numpy comes with it; torch is not needed) and a
mock cluster; see README.md. Run from anywhere:

    TT_METAL_MOCK_CLUSTER_DESC_PATH=tests/golden/mock_wormhole_n150.yaml python tests/golden/make_golden.py
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import sys
import tempfile

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE / "data"
SEED = 20240611

os.environ.setdefault("TT_METAL_MOCK_CLUSTER_DESC_PATH", str(HERE / "mock_wormhole_n150.yaml"))
os.environ.setdefault("TT_METAL_LOGGER_LEVEL", "ERROR")
import ttnn  # noqa: E402  (needs the environment above)

bfp = ttnn._ttnn.bfp_utils
TTNN_TYPES = {
    "FLOAT32": ttnn.float32,
    "BFLOAT16": ttnn.bfloat16,
    "INT32": ttnn.int32,
    "UINT32": ttnn.uint32,
    "UINT16": ttnn.uint16,
    "UINT8": ttnn.uint8,
    "BFLOAT8_B": ttnn.bfloat8_b,
    "BFLOAT4_B": ttnn.bfloat4_b,
}
LAYOUTS = {"TILE": ttnn.TILE_LAYOUT, "ROW_MAJOR": ttnn.ROW_MAJOR_LAYOUT}
NP_TYPES = {"FLOAT32": np.float32, "INT32": np.int32, "UINT32": np.uint32, "UINT16": np.uint16, "UINT8": np.uint8}

SHAPES = [(), (5,), (3, 5), (2, 33, 40), (64,), (1, 64, 96)]
SCRATCH = pathlib.Path(tempfile.mkdtemp(prefix="ttnn_golden_"))


def f32(bits) -> np.ndarray:
    return np.asarray(bits, dtype=np.uint32).view(np.float32)


def shape_tag(shape) -> str:
    return "x".join(str(d) for d in shape) if shape else "scalar"


def dumped_pages(tensor) -> bytes:
    """The tensor's physical bytes as ttnn serialises them.

    A .tensorbin file is a little-endian u64 header length, a flatbuffer header of that length, then the
    host buffer verbatim (the tile pages for TILE, the rows for ROW_MAJOR)."""
    path = SCRATCH / "t.tensorbin"
    ttnn.dump_tensor(str(path), tensor)
    blob = path.read_bytes()
    header = int.from_bytes(blob[:8], "little")
    return blob[8 + header :]


def expected_physical_size(tensor) -> int:
    """Buffer size according to ttnn's own tensor spec (a sanity check on the cut above)."""
    padded = list(tensor.padded_shape)
    if tensor.layout == ttnn.TILE_LAYOUT:
        outer = int(np.prod(padded[:-2], dtype=np.int64)) if len(padded) > 2 else 1
        tiles = outer * (padded[-2] // 32) * (padded[-1] // 32)
        return tiles * ttnn.Tile([32, 32]).get_tile_size(tensor.dtype)
    return int(np.prod(padded, dtype=np.int64)) * tensor.element_size()


def bits_equal(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.tobytes() == b.tobytes()


class Writer:
    def __init__(self):
        self.cases = []
        if DATA.exists():
            shutil.rmtree(DATA)
        DATA.mkdir(parents=True)

    def blob(self, name: str, kind: str, data: bytes) -> str:
        rel = f"{name}.{kind}.bin"
        (DATA / rel).write_bytes(data)
        return rel

    def add(self, name, shape, layout, data_type, host_type, logical, physical, decoded=None, note=""):
        case = {
            "name": name,
            "shape": list(shape),
            "layout": layout,
            "data_type": data_type,
            "host_type": host_type,
            # logical is None for decode-only cases (pages ttnn never produces itself, e.g. random bytes).
            "logical": self.blob(name, "logical", logical) if logical is not None else None,
            "physical": self.blob(name, "physical", physical),
            # decoded defaults to logical (lossless formats).
            "decoded": self.blob(name, "decoded", decoded) if decoded is not None else None,
        }
        if note:
            case["note"] = note
        self.cases.append(case)


def make(values: np.ndarray, data_type: str, layout: str):
    return ttnn.Tensor(np.ascontiguousarray(values), TTNN_TYPES[data_type], layout=LAYOUTS[layout])


def physical_of(tensor) -> bytes:
    raw = dumped_pages(tensor)
    assert len(raw) == expected_physical_size(tensor), (len(raw), expected_physical_size(tensor))
    return raw


# ----------------------------------------------------------------------------------------------------------
# Inputs


def random_floats(rng, shape) -> np.ndarray:
    """Normal values whose scale changes per row, so block-float groups see both narrow and wide ranges."""
    n = int(np.prod(shape, dtype=np.int64))
    x = rng.standard_normal(n).astype(np.float32)
    scales = np.float32(10.0) ** rng.uniform(-4, 4, size=max(1, n // 7 + 1)).astype(np.float32)
    x *= np.repeat(scales, 7)[:n]
    # Sprinkle exact zeros, negative zeros and values far below their neighbours.
    if n >= 8:
        idx = rng.choice(n, size=max(1, n // 16), replace=False)
        x[idx[0::3]] = 0.0
        x[idx[1::3]] = -0.0
        x[idx[2::3]] *= np.float32(1e-9)
    return x.reshape(shape)


def random_bf16_exact(rng, shape) -> np.ndarray:
    """Random finite bfloat16 bit patterns (incl. denormals, +-0), widened to float32 exactly."""
    n = int(np.prod(shape, dtype=np.int64))
    bits = rng.integers(0, 1 << 16, size=n, dtype=np.uint32)
    exponent = (bits >> 7) & 0xFF
    bits[exponent == 0xFF] &= ~np.uint32(0x4000)  # keep them finite: drop the top exponent bit
    return f32(bits << 16).reshape(shape)


def random_ints(rng, np_type, shape) -> np.ndarray:
    info = np.iinfo(np_type)
    n = int(np.prod(shape, dtype=np.int64))
    x = rng.integers(info.min, int(info.max) + 1, size=n, dtype=np.int64).astype(np_type)
    if n >= 4:
        x[:4] = [info.min, info.max, 0, 1]
    return x.reshape(shape)


def bfp_edge_tile(mantissa_bits: int) -> np.ndarray:
    """A 32x32 float32 tile whose face rows (block-float groups) each test one rule of block-float packing.

    Row r, columns 0..15 is group r of face 0 (or face 2 for r >= 16); columns 16..31 give face 1/3 groups."""
    step = 2.0 ** -(mantissa_bits - 1)  # one mantissa step at exponent 0 (1/64 for BFP8, 1/4 for BFP4)
    inf, nan = np.float32(np.inf), np.float32(np.nan)
    groups = [
        # saturation without exponent bump (1.999 -> 1.984375 / 1.9 -> 1.75)
        [1.999, -1.999, 1.9, -1.9, 1.0, 1.9999999],
        # ties round to even, with the max 1.x setting E = 127
        [1.0 + 0.5 * step, 1.0 + 1.5 * step, 1.0 + 2.5 * step, 1.0 + 3.5 * step,
         -(1.0 + 0.5 * step), -(1.0 + 1.5 * step), 1.5 + 0.5 * step, 1.0 + 0.5 * step + 2.0**-20],
        # ties of elements smaller than the max (they round at the group exponent, not their own)
        [4.0, 0.5 * step * 4, 1.5 * step * 4, 2.5 * step * 4, 1.0 + step * 2, 3.0 + 1.5 * step * 2, -0.75],
        # sticky bits: just above and below a tie
        [1.0, 1.0 + 0.5 * step * (1 + 2**-10), 1.0 + 0.5 * step * (1 - 2**-10), 1.0 + 2.5 * step * (1 + 2**-12)],
        # denormals with a normal max become 0; -0.0 and tiny negatives become +0
        [1.0, 1e-40, -1e-40, -0.0, -1e-5, 1e-38, -3e-39, 2.0**-126],
        # a group of only denormals/zeros: E = 0
        [1e-40, -1e-40, 0.0, -0.0, 1.4e-45, -1.17e-38],
        # Inf / NaN groups: E = 0xFF, other elements 0
        [inf, 1.0, -2.0, 3e38],
        [-inf, nan, 1.0],
        [f32(0x7FC00001), f32(0xFFC00000), f32(0x7F800001), -3.0, 3.4e38],
        # largest finite values (round past the max magnitude -> saturate at E = 254)
        [3.4028235e38, -3.4028235e38, 1.7e38, 1e38],
        # smallest normals: E = 1
        [1.1754944e-38, 1.5e-38, -2.3e-38, 2.0**-125],
        # huge dynamic range: small elements shift out entirely
        [1e30, 1.0, 1e20, -1e25, 1e29, 5e29],
        # elements that round up into the next binade inside the group
        [2.0, 0.999999, 1.99999, -0.99999, 0.49999],
        # BFP4 facts (1.1328 -> 1.25, 1.125 -> 1.0 tie-to-even, 1.375 -> 1.5)
        [1.1328, 1.125, 1.375, 1.625, 1.875, -1.1328, 0.3, 0.06],
        # all equal, alternating signs
        [-1.3, 1.3] * 8,
        # one element only, rest padding-like zeros (pad-influence baseline: [1,5] of 1.3 -> 1.296875)
        [1.3, 1.3, 1.3, 1.3, 1.3],
    ]
    tile = np.zeros((32, 32), dtype=np.float32)
    rng = np.random.default_rng(SEED + mantissa_bits)
    for i, g in enumerate(groups):
        row, col = i % 32, 0 if i < 32 else 16
        tile[row, col : col + len(g)] = np.asarray(g, dtype=np.float32)
    # The remaining groups: random magnitudes spanning many binades, with random signs.
    filled = np.zeros((32, 32), dtype=bool)
    for i, g in enumerate(groups):
        row, col = i % 32, 0 if i < 32 else 16
        filled[row, col : col + 16] = True
    free = ~filled
    vals = (rng.uniform(0.5, 2.0, size=free.sum()) * 2.0 ** rng.integers(-30, 30, size=free.sum())).astype(np.float32)
    vals *= np.where(rng.random(free.sum()) < 0.5, -1, 1).astype(np.float32)
    tile[free] = vals
    return tile


def bf16_edge_values() -> np.ndarray:
    """Float32 values exercising round-to-nearest-even to bfloat16."""
    lsb = 2.0**-7
    vals = [
        1.0, -1.0, 0.0, -0.0,
        1.0 + 0.5 * lsb, 1.0 + 1.5 * lsb, 1.0 + 2.5 * lsb, -(1.0 + 1.5 * lsb),  # exact ties
        1.0 + 0.5 * lsb + 2.0**-23, 1.0 + 0.5 * lsb - 2.0**-23,  # sticky
        np.inf, -np.inf, np.nan, f32(0xFFC00000), f32(0x7F800001), f32(0x7FBFFFFF), f32(0xFFFFFFFF),
        3.4028235e38, -3.4028235e38, 3.39e38,  # overflow to Inf by rounding
        1e-40, -1e-40, 1.4e-45, f32(0x00008000), f32(0x00018000), f32(0x007FFFFF),  # denormals (ties too)
        1.1754944e-38, f32(0x7F7F8000), f32(0x7F7F7FFF), 65504.0, 3.14159265, -2.718281828, 1e10, 1e-10,
    ]
    return np.asarray(vals, dtype=np.float32)


# ----------------------------------------------------------------------------------------------------------
# Cases


def decoded_f32(tensor) -> np.ndarray:
    """ttnn's decode of a float tensor as float32 (to_list for bfloat16, whose to_numpy has no numpy dtype)."""
    if tensor.dtype == ttnn.bfloat16:
        return np.asarray(tensor.to_list(), dtype=np.float32)
    return np.asarray(tensor.to_numpy(), dtype=np.float32)


def identity_case(w: Writer, values: np.ndarray, data_type: str, layout: str, tag: str):
    t = make(values if data_type != "BFLOAT16" else values.astype(np.float32), data_type, layout)
    physical = physical_of(t)
    if data_type == "BFLOAT16":
        logical = (values.view(np.uint32) >> 16).astype(np.uint16)
        back = (decoded_f32(t).reshape(values.shape).view(np.uint32) >> 16).astype(np.uint16)
    else:
        logical = values
        back = np.asarray(t.to_numpy()).reshape(values.shape).astype(values.dtype)
    assert bits_equal(back, logical), f"ttnn did not round-trip {data_type} {tag}"
    w.add(f"{layout.lower()}_{data_type.lower()}_{tag}", values.shape, layout, data_type, data_type,
          logical.tobytes(), physical)


def f32_to_bf16_case(w: Writer, values: np.ndarray, layout: str, tag: str):
    t = make(values, "BFLOAT16", layout)
    decoded = decoded_f32(t).reshape(values.shape)
    w.add(f"{layout.lower()}_float32_to_bfloat16_{tag}", values.shape, layout, "BFLOAT16", "FLOAT32",
          values.tobytes(), physical_of(t), decoded.tobytes())


def pages_by_bfp_utils(values: np.ndarray, data_type: str) -> bytes:
    """The same tensor packed tile by tile with bfp_utils (ttnn's other packing entry point)."""
    pack = bfp.pack_bfp8 if data_type == "BFLOAT8_B" else bfp.pack_bfp4
    # TT-NN's 2-D view: rank 0 is 1x1, rank 1 one row, outer dims become slices.
    if values.ndim < 2:
        x = values.reshape(1, 1, -1)
    else:
        x = values.reshape(-1, values.shape[-2], values.shape[-1])
    h, wdt = x.shape[-2], x.shape[-1]
    hp, wp = -(-h // 32) * 32, -(-wdt // 32) * 32
    padded = np.zeros((x.shape[0], hp, wp), dtype=np.float32)
    padded[:, :h, :wdt] = x
    out = []
    for s in range(x.shape[0]):
        for ty in range(hp // 32):
            for tx in range(wp // 32):
                tile = np.ascontiguousarray(padded[s, ty * 32 : ty * 32 + 32, tx * 32 : tx * 32 + 32]).reshape(-1)
                out.append(pack(tile, row_major_input=True).tobytes())
    return b"".join(out)


def bfp_case(w: Writer, values: np.ndarray, data_type: str, tag: str, host_type: str = "FLOAT32"):
    t = make(values, data_type, "TILE")
    physical = physical_of(t)
    assert physical == pages_by_bfp_utils(values, data_type), f"dump_tensor and bfp_utils disagree on {tag}"
    decoded = np.asarray(t.to_numpy(), dtype=np.float32).reshape(values.shape)
    if host_type == "BFLOAT16":
        # ttnn packs bfloat16 input by widening it to float32 first, which is exact; feed it those floats.
        assert not (values.view(np.uint32) & 0xFFFF).any()
        logical = (values.view(np.uint32) >> 16).astype(np.uint16).tobytes()
        # Block-float values carry at most 7 significant bits, so bfloat16 holds ttnn's decode exactly.
        assert not (decoded.view(np.uint32) & 0xFFFF).any()
        decoded_bytes = (decoded.view(np.uint32) >> 16).astype(np.uint16).tobytes()
    else:
        logical = values.tobytes()
        decoded_bytes = decoded.tobytes()
    w.add(f"tile_{host_type.lower()}_to_{data_type.lower()}_{tag}", values.shape, "TILE", data_type, host_type,
          logical, physical, decoded_bytes)


def bfp_decode_only_case(w: Writer, rng, data_type: str, tiles: int):
    """Random page bytes (every exponent 0..255, every code) decoded by ttnn: pins down the unpacker itself."""
    page = ttnn.Tile([32, 32]).get_tile_size(TTNN_TYPES[data_type])
    raw = rng.integers(0, 256, size=page * tiles, dtype=np.uint8)
    raw[:64] = np.arange(64, dtype=np.uint8) * 4 + 3  # make sure E = 0xFF, 0 and the edges all appear
    raw[0], raw[1], raw[2] = 0, 1, 0xFF
    unpack = bfp.unpack_bfp8 if data_type == "BFLOAT8_B" else bfp.unpack_bfp4
    rows = []
    for k in range(tiles):
        rows.append(unpack(raw[k * page : (k + 1) * page].view(np.uint32), row_major_output=True).reshape(32, 32))
    decoded = np.concatenate(rows, axis=1)  # shape [32, 32*tiles]: tiles side by side
    # The same bytes through a real tensor: patch them into a dumped tensor file and load it back.
    template = make(np.zeros((32, 32 * tiles), np.float32), data_type, "TILE")
    path = SCRATCH / "template.tensorbin"
    ttnn.dump_tensor(str(path), template)
    blob = path.read_bytes()
    header = int.from_bytes(blob[:8], "little")
    assert len(blob) - 8 - header == len(raw)
    path.write_bytes(blob[: 8 + header] + raw.tobytes())
    loaded = np.asarray(ttnn.load_tensor(str(path)).to_numpy(), dtype=np.float32)
    assert bits_equal(loaded, decoded), "to_numpy and bfp_utils.unpack disagree"
    w.add(f"decode_{data_type.lower()}_random_pages", (32, 32 * tiles), "TILE", data_type, "FLOAT32",
          None, raw.tobytes(), decoded.tobytes(), note="random page bytes; decode only")


def main() -> int:
    rng = np.random.default_rng(SEED)
    w = Writer()

    # Lossless TILE for every TT-NN element type; the 32-bit integer types skip the largest shape (same code).
    for data_type in ["FLOAT32", "BFLOAT16", "INT32", "UINT32", "UINT16", "UINT8"]:
        shapes = SHAPES if data_type in ("FLOAT32", "BFLOAT16", "UINT8") else SHAPES[:4]
        for shape in shapes:
            if data_type == "FLOAT32":
                values = random_floats(rng, shape)
            elif data_type == "BFLOAT16":
                values = random_bf16_exact(rng, shape)
            else:
                values = random_ints(rng, NP_TYPES[data_type], shape)
            identity_case(w, values, data_type, "TILE", shape_tag(shape))
    identity_case(w, random_ints(rng, np.uint16, (3, 6)), "UINT16", "ROW_MAJOR", "3x6")
    identity_case(w, random_floats(rng, (2, 3, 5)), "FLOAT32", "ROW_MAJOR", "2x3x5")

    # FLOAT32 -> BFLOAT16 (host RNE), both layouts.
    edges = bf16_edge_values()
    edge_matrix = np.zeros((3, 17), np.float32)
    edge_matrix.reshape(-1)[: len(edges)] = edges
    for layout in ["TILE", "ROW_MAJOR"]:
        f32_to_bf16_case(w, edge_matrix, layout, "edges_3x17")
    for shape in [(), (5,), (2, 33, 40), (64,)]:
        values = random_floats(rng, shape)
        f32_to_bf16_case(w, values, "TILE", shape_tag(shape))
    f32_to_bf16_case(w, random_floats(rng, (2, 33, 40)), "ROW_MAJOR", "2x33x40")

    # Block floats from float32 (and from bfloat16-exact values as a BFLOAT16 host).
    for data_type, mbits in [("BFLOAT8_B", 7), ("BFLOAT4_B", 3)]:
        bfp_case(w, bfp_edge_tile(mbits), data_type, "edges_32x32")
        bfp_case(w, np.full((1, 5), 1.3, np.float32), data_type, "pad_1x5")
        for shape in SHAPES:
            bfp_case(w, random_floats(rng, shape), data_type, shape_tag(shape))
        bfp_case(w, random_bf16_exact(rng, (2, 33, 40)), data_type, "2x33x40", host_type="BFLOAT16")
        bfp_decode_only_case(w, rng, data_type, tiles=2)

    manifest = {
        "generator": "tests/golden/make_golden.py",
        "ttnn_version": "0.81.1",
        "seed": SEED,
        "cases": w.cases,
    }
    # One case per line keeps the manifest readable and its diffs small.
    head = {k: v for k, v in manifest.items() if k != "cases"}
    lines = ",\n".join("  " + json.dumps(c) for c in w.cases)
    text = json.dumps(head, indent=1)[:-2] + ',\n "cases": [\n' + lines + "\n ]\n}\n"
    json.loads(text)  # stays valid JSON
    (HERE / "manifest.json").write_text(text)
    total = sum(p.stat().st_size for p in DATA.iterdir())
    print(f"{len(w.cases)} cases, {total} bytes in {DATA}")
    shutil.rmtree(SCRATCH, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
