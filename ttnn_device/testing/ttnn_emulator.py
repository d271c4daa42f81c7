"""An emulated Tenstorrent device inside the real ``ttnn`` package, for testing the hardware backend
without a card (``TTNN_DEVICE_EMULATE=1``).

``install()`` replaces, in the imported ``ttnn`` module, only what needs a card: opening devices, moving
tensors to and from them, and running device ops. Everything else is the real package: host tensors are
made by the real ``ttnn.from_torch`` (its tilize and block-float packing) and read by the real
``ttnn.to_torch``. An emulated device tensor holds such a host tensor. Each device op is checked against
the real function's signature (every keyword must be one of its parameters) and its argument rules
(tensors on the device, block floats only in TILE, TILE where the op requires it), and computed by
TT-NN's own golden function (``ttnn.get_golden_function``) on the host values, the result stored in the
data type and layout TT-NN gives the op. Ops whose golden function does not fit the call (listed in
OURS) are computed by an emulation of ours, said so in their entry. The hardware backend does not know
it is emulated.
"""

from __future__ import annotations

import os
import pathlib

import torch

from .ttnn_names import owner_and_name, parameter_names

_REAL: dict = {}
# When a list, every emulated op call is appended to it as (dotted name, keyword arguments): benchmarks
# replay the same calls straight from Python to measure the backend's own overhead.
TRACE: list | None = None
_TILE_INPUTS = {"matmul", "linear", "softmax", "scale_mask_softmax", "moreh_logsoftmax", "layer_norm", "rms_norm", "batch_norm", "gelu_bw"}
_TILE_OUTPUT = {"gelu_bw", "conv2d", "conv_transpose2d", "matmul", "linear", "softmax", "scale_mask_softmax", "moreh_logsoftmax", "layer_norm", "rms_norm", "batch_norm", "sum", "mean", "max", "min",
                "prod", "var", "std"}
_SAME_DTYPE_OUTPUTS = {"transformer.split_query_key_value_and_split_heads"}
_ROW_MAJOR_OUTPUT = {"argmax", "embedding", "arange", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d",
                     "adaptive_max_pool2d"}
_NOT_EMULATED: set[str] = set()


class EmulatedDevice:
    def __init__(self, device_id: int):
        self.device_id = device_id

    def id(self):
        return self.device_id

    def __repr__(self):
        return f"EmulatedDevice(id={self.device_id})"


class DeviceTensor:
    """A tensor "in device DRAM": the real host ttnn.Tensor holding its pages."""

    def __init__(self, host, device: EmulatedDevice):
        self.host = host
        self.device_ = device

    shape = property(lambda self: self.host.shape)
    padded_shape = property(lambda self: self.host.padded_shape)
    dtype = property(lambda self: self.host.dtype)
    layout = property(lambda self: self.host.layout)

    def device(self):
        return self.device_

    def __repr__(self):
        return f"DeviceTensor({list(self.shape)}, {self.dtype}, {self.layout}, on {self.device_})"


def _torch_dtype(ttnn, dtype):
    return {ttnn.bfloat16: torch.bfloat16, ttnn.float32: torch.float32, ttnn.bfloat8_b: torch.float32,
            ttnn.bfloat4_b: torch.float32, ttnn.int32: torch.int32, ttnn.uint32: torch.uint32,
            ttnn.uint16: torch.uint16, ttnn.uint8: torch.uint8}[dtype]


def _host_value(v):
    if isinstance(v, DeviceTensor):
        return _REAL["to_torch"](v.host)
    if isinstance(v, list):
        return [_host_value(x) for x in v]
    return v


def _store(ttnn, value: torch.Tensor, dtype, layout, device):
    if dtype in (ttnn.bfloat8_b, ttnn.bfloat4_b):
        layout = ttnn.TILE_LAYOUT
    value = value.to(_torch_dtype(ttnn, dtype)).contiguous().clone()
    return DeviceTensor(_REAL["from_torch"](value, dtype=dtype, layout=layout), device)


def _as_tensor(v, like):
    return v if isinstance(v, torch.Tensor) else torch.tensor(v, dtype=like.dtype)


# Golden calls: op -> function(golden, kwargs of host values) -> torch result.
def _binary(g, k):
    a, b = k["input_tensor_a"], k["input_tensor_b"]
    extra = {"rounding_mode": k["rounding_mode"]} if k.get("rounding_mode") else {}
    return g(a, _as_tensor(b, a), **extra)


def _unary(params):
    return lambda g, k: g(k["input_tensor"], **{p: k[p] for p in params if p in k})


GOLDEN_CALLS = {
    **{op: _binary for op in ["add", "subtract", "multiply", "divide", "maximum", "minimum", "remainder", "fmod",
                              "eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor",
                              "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift"]},
    "pow": lambda g, k: g(k["input_tensor"], k["exponent"]),
    "where": lambda g, k: g(k["predicate"], k["true_value"], k["false_value"]),
    "lerp": lambda g, k: g(k["input"], k["end"], k["weight"]),
    "addcmul": lambda g, k: g(k["input_a"], k["input_b"], k["input_c"], value=k.get("value", 1)),
    "addcdiv": lambda g, k: g(k["input_a"], k["input_b"], k["input_c"], value=k.get("value", 1)),
    "mac": lambda g, k: g(k["input_tensor_a"], k["input_tensor_b"], k["input_tensor_c"]),
    "clamp": lambda g, k: g(k["input_tensor"], min=k.get("min"), max=k.get("max")),
    **{op: _unary([]) for op in ["relu", "silu", "sigmoid", "tanh", "exp", "log", "log2", "log1p", "sqrt", "rsqrt",
                                 "reciprocal", "neg", "abs", "sign", "square", "erf", "floor", "ceil", "trunc",
                                 "sin", "cos", "hardswish", "hardsigmoid", "mish", "isnan", "isinf", "isfinite",
                                 "logical_not", "bitwise_not"]},
    # The golden names the tanh form by `variant`; the op by fast_and_approximate_mode.
    "gelu": lambda g, k: g(k["input_tensor"], variant=_REAL["module"].GeluVariant.Tanh
                           if k.get("fast_and_approximate_mode") else None),
    "round": _unary(["decimals"]),
    "hardtanh": _unary(["min_val", "max_val"]),
    "leaky_relu": _unary(["negative_slope"]),
    "elu": _unary(["alpha"]),
    "softplus": _unary(["beta", "threshold"]),
    "matmul": lambda g, k: g(k["input_tensor_a"], k["input_tensor_b"], transpose_a=k.get("transpose_a", False),
                             transpose_b=k.get("transpose_b", False)),
    "linear": lambda g, k: g(k["input_tensor_a"], k["input_tensor_b"], transpose_a=k.get("transpose_a", False),
                             transpose_b=k.get("transpose_b", False), bias=_row(k.get("bias"))),
    "softmax": lambda g, k: g(k["input_tensor"], dim=k.get("dim", -1)),
    "moreh_logsoftmax": lambda g, k: g(k["input_tensor"], k["dim"]),
    "scale_mask_softmax": lambda g, k: g(k["input_tensor"], k.get("scale"), k.get("mask")),
    "layer_norm": lambda g, k: g(k["input_tensor"], epsilon=k.get("epsilon", 1e-12), weight=k.get("weight"),
                                 bias=k.get("bias")),
    "rms_norm": lambda g, k: g(k["input_tensor"], k.get("weight"), epsilon=k.get("epsilon", 1e-12),
                               bias=k.get("bias")),
    # Channels-last [N, 1, HxW, C] input; weight and bias per channel.
    "group_norm": lambda g, k: g(k["input_tensor"], num_groups=k["num_groups"], epsilon=k.get("epsilon", 1e-5),
                                 weight=k.get("weight"), bias=k.get("bias")),
    "batch_norm": lambda g, k: g(k["input"], running_mean=k.get("running_mean"), running_var=k.get("running_var"),
                                 eps=k.get("eps", 1e-5), weight=k.get("weight"), bias=k.get("bias")),
    **{op: (lambda g, k: g(k["input_tensor"], dim=_dims(k.get("dim")), keepdim=k.get("keepdim", False)))
       for op in ["sum", "mean", "max", "min", "argmax"]},
    **{op: (lambda g, k: g(k["input_tensor"], dim=_dims(k.get("dim")), keepdim=k.get("keepdim", False),
                           correction=k.get("correction", 1))) for op in ["var", "std"]},
    "cumsum": lambda g, k: g(k["input"], k["dim"]),
    "cumprod": lambda g, k: g(k["input_tensor"], k["dim"]),
    "topk": lambda g, k: g(k["input_tensor"], k["k"], dim=k.get("dim", -1), largest=k.get("largest", True),
                           sorted=k.get("sorted", True)),
    "sort": lambda g, k: g(k["input_tensor"], dim=k.get("dim", -1), descending=k.get("descending", False),
                           stable=k.get("stable", False)),
    "reshape": lambda g, k: g(k["input_tensor"], tuple(k["shape"])),
    "permute": lambda g, k: g(k["input_tensor"], tuple(k["dims"])),
    "slice": lambda g, k: g(k["input_tensor"], slice_start=k["starts"], slice_end=k["ends"],
                            slice_step=k.get("steps") or [1] * len(k["starts"])),
    "concat": lambda g, k: g(k["tensors"], dim=k.get("dim", 0)),
    "expand": lambda g, k: g(k["input_tensor"], k["output_shape"]),
    "repeat": lambda g, k: g(k["input_tensor"], k["repeat_dims"]),
    "transformer.concatenate_heads": lambda g, k: g(k["input_tensor"]),
    "transformer.split_query_key_value_and_split_heads": lambda g, k: g(
        k["input_tensor"], k.get("kv_input_tensor"), num_heads=k["num_heads"], num_kv_heads=k.get("num_kv_heads"),
        transpose_key=k.get("transpose_key", True)),
    "tril": lambda g, k: g(k["input_tensor"], k.get("diagonal", 0)),
    "triu": lambda g, k: g(k["input_tensor"], k.get("diagonal", 0)),
    "embedding": lambda g, k: g(k["input_tensor"], k["weight"]),
    "gather": lambda g, k: g(k["input"], k["dim"], k["index"].long()),
    "scatter": lambda g, k: g(k["input"], k["dim"], k["index"].long(), k["src"]),
    "scatter_add": lambda g, k: g(k["input"], k["dim"], k["index"].long(), k["src"]),
    "gelu_bw": lambda g, k: g(k["grad_tensor"], k["input_tensor"]),
}


def _row(bias):
    """The bias as [N], except for N == 2: the golden function tests ``len(bias) == 2`` (the first dim's
    size, meant as the rank) and refuses such a 1-D bias, so that one goes as [1, 2]."""
    if bias is None:
        return None
    flat = bias.reshape(-1)
    return flat.reshape(1, -1) if flat.numel() == 2 else flat


def _dims(dim):
    if isinstance(dim, list):
        return dim[0] if len(dim) == 1 else tuple(dim)
    return dim


def _pad(k):
    x, value = k["input_tensor"], k.get("value", 0)
    flat = [n for before_after in reversed(k["padding"]) for n in before_after]
    return torch.nn.functional.pad(x, flat, value=value)


def _slice_write(k):
    out = k["output_tensor"].clone()
    index = tuple(slice(s, e, st) for s, e, st in zip(k["start"], k["end"], k["step"]))
    out[index] = k["input_tensor"].to(out.dtype)
    return out


F = torch.nn.functional


def _planes(x, n, h, w, c):
    """TT-NN's channels-last activation ([N, H, W, C] or flattened [1, 1, N*H*W, C]) as NCHW, in float32."""
    return x.reshape(n, h, w, c).permute(0, 3, 1, 2).float()


def _flat(y):
    """NCHW back to TT-NN's flattened channels-last output [1, 1, N*H*W, C]."""
    return y.permute(0, 2, 3, 1).reshape(1, 1, -1, y.shape[1])


def _conv(k, transposed=False):
    x = _planes(k["input_tensor"], k["batch_size"], k["input_height"], k["input_width"], k["in_channels"])
    w = k["weight_tensor"].float()
    b = k.get("bias_tensor")
    b = b.reshape(-1).float() if b is not None else None
    common = dict(stride=k["stride"], padding=k["padding"], dilation=k["dilation"], groups=k["groups"])
    if transposed:
        return _flat(F.conv_transpose2d(x, w, b, output_padding=k.get("output_padding", 0), **common))
    return _flat(F.conv2d(x, w, b, **common))


def _pool_input(k):
    return _planes(k["input_tensor"], k["batch_size"], k["input_h"], k["input_w"], k["channels"])


def _max_pool(k):
    values, indices = F.max_pool2d(_pool_input(k), k["kernel_size"], k["stride"], k["padding"], k["dilation"],
                                   ceil_mode=k.get("ceil_mode", False), return_indices=True)
    return (_flat(values), _flat(indices)) if k.get("return_indices") else _flat(values)


def _upsample(k):
    x = k["input_tensor"]
    scale = k["scale_factor"]
    y = F.interpolate(x.permute(0, 3, 1, 2).float(), scale_factor=tuple(scale) if isinstance(scale, list) else scale,
                      mode=k.get("mode", "nearest"))
    return y.permute(0, 2, 3, 1)


# Ops computed by an emulation of ours: no golden function, or one that does not take TT-NN's call.
OURS = {
    "typecast": lambda k: k["input_tensor"],        # the conversion is the store into the output dtype
    "to_layout": lambda k: k["tensor"],              # the same values, stored in the asked layout
    "clone": lambda k: k["input"],
    "pad": _pad,
    "prod": lambda k: torch.prod(k["input_tensor"], dim=_dims(k["dim"]), keepdim=k.get("keepdim", False))
    if k.get("dim") is not None else torch.prod(k["input_tensor"]),
    "full": lambda k: torch.full(tuple(k["shape"]), k["fill_value"]),
    "arange": lambda k: torch.arange(k["start"], k["end"], k.get("step", 1)),
    # TT-NN's random streams are its own: values drawn from a CPU generator seeded by the call's seed
    "rand": lambda k: torch.empty(tuple(k["shape"])).uniform_(k.get("low", 0.0), k.get("high", 1.0),
                                                              generator=torch.Generator().manual_seed(k["seed"])),
    "randn": lambda k: torch.randn(tuple(k["shape"]), generator=torch.Generator().manual_seed(k["seed"])),
    "experimental.slice_write": _slice_write,
    # TT-NN's vision ops take channels-last activations with their sizes as arguments; emulated with
    # torch's NCHW ops around a layout change, computed in float32 and stored once in the output dtype.
    "conv2d": _conv,
    "conv_transpose2d": lambda k: _conv(k, transposed=True),
    "max_pool2d": _max_pool,
    "avg_pool2d": lambda k: _flat(F.avg_pool2d(_pool_input(k), k["kernel_size"], k["stride"], k["padding"],
                                               ceil_mode=k.get("ceil_mode", False),
                                               count_include_pad=k.get("count_include_pad", True),
                                               divisor_override=k.get("divisor_override"))),
    "adaptive_avg_pool2d": lambda k: _flat(F.adaptive_avg_pool2d(_pool_input(k), k["output_size"])),
    "adaptive_max_pool2d": lambda k: _flat(F.adaptive_max_pool2d(_pool_input(k), k["output_size"])),
    "upsample": _upsample,
}


def _check(op, fn, kwargs):
    params = parameter_names(fn)
    unknown = [k for k in kwargs if k not in params]
    if unknown:
        raise TypeError(f"ttnn.{op}() got unexpected keyword argument(s) {unknown}; it takes {sorted(params)}")
    ttnn = _REAL["module"]
    for name, v in kwargs.items():
        for t in (v if isinstance(v, list) else [v]):
            if hasattr(t, "storage_type") and not isinstance(t, DeviceTensor):
                raise RuntimeError(f"ttnn.{op}: {name} must be on device!")
            if isinstance(t, DeviceTensor):
                if t.dtype in (ttnn.bfloat8_b, ttnn.bfloat4_b) and t.layout != ttnn.TILE_LAYOUT:
                    raise RuntimeError(f"ttnn.{op}: {name}: block floats must be in TILE layout")
                if op in _TILE_INPUTS and name.startswith("input") and t.layout != ttnn.TILE_LAYOUT:
                    raise RuntimeError(f"ttnn.{op}: {name} must be in TILE layout")


def _device_of(kwargs):
    for v in kwargs.values():
        for t in (v if isinstance(v, list) else [v]):
            if isinstance(t, DeviceTensor):
                return t.device_
            if isinstance(t, EmulatedDevice):
                return t
    raise RuntimeError("no device tensor or device among the arguments")


def _emulate(op, fn):
    ttnn = _REAL["module"]

    def run(*args, **kwargs):
        if args:
            raise TypeError(f"the emulated ttnn.{op} takes keyword arguments only (the hardware backend passes them)")
        if op in _NOT_EMULATED:
            raise NotImplementedError(f"the ttnn emulator does not emulate ttnn.{op} yet")
        _check(op, fn, kwargs)
        if TRACE is not None:
            TRACE.append(("ttnn." + op, dict(kwargs)))
        device = _device_of(kwargs)
        inputs = [v for v in kwargs.values() if isinstance(v, DeviceTensor)]
        inputs += [t for v in kwargs.values() if isinstance(v, list) for t in v if isinstance(t, DeviceTensor)]
        host = {k: _host_value(v) for k, v in kwargs.items()}
        if op in OURS:
            result = OURS[op](host)
        else:
            result = GOLDEN_CALLS[op](ttnn.get_golden_function(fn), host)
        results = list(result) if isinstance(result, (tuple, list)) else [result]
        first = inputs[0] if inputs else None
        dtype = kwargs.get("dtype") or (first.dtype if first is not None else ttnn.bfloat16)
        if op == "argmax":
            dtype = ttnn.uint32
        if op == "embedding" and not kwargs.get("dtype"):
            dtype = kwargs["weight"].dtype
        layout = kwargs.get("layout") or (first.layout if first is not None else ttnn.ROW_MAJOR_LAYOUT)
        if op in _TILE_OUTPUT:
            layout = ttnn.TILE_LAYOUT
        if op in _ROW_MAJOR_OUTPUT:
            layout = ttnn.ROW_MAJOR_LAYOUT
        # A second output is indices (UINT32: max_pool2d, topk, sort), except for the head split's k and v.
        dtypes = [dtype] * len(results) if op in _SAME_DTYPE_OUTPUTS else [dtype] + [ttnn.uint32] * (len(results) - 1)
        stored = [_store(ttnn, torch.as_tensor(r), d, layout, device) for r, d in zip(results, dtypes)]
        if op == "experimental.slice_write":  # writes into output_tensor, as the device op does
            out = kwargs["output_tensor"]
            out.host = _store(ttnn, results[0], out.dtype, out.layout, device).host
            return out
        return stored[0] if len(stored) == 1 else stored

    # What ttnn's own helpers read off an operation (get_golden_function, names) stays reachable.
    for attr in ("golden_function", "python_fully_qualified_name", "function", "__doc__"):
        if hasattr(fn, attr):
            try:
                setattr(run, attr, getattr(fn, attr))
            except (AttributeError, TypeError):
                pass
    return run


MOCK_CLUSTERS = pathlib.Path(__file__).resolve().parent / "mock_clusters"


def install(op_names=None):
    """Puts the emulated device into the imported ``ttnn``; idempotent. The real ttnn's host conversions
    need a cluster descriptor without a card: a mock one of the board (n150 or p150 files here) is named in
    TT_METAL_MOCK_CLUSTER_DESC_PATH unless the caller named one."""
    from .. import _C

    board = _C._environment_board()  # TTNN_DEVICE_BOARD, read by the extension's configuration reader
    os.environ.setdefault("TT_METAL_MOCK_CLUSTER_DESC_PATH",
                          str(MOCK_CLUSTERS / ("p150.yaml" if board["arch"] == "blackhole" else "n150.yaml")))
    os.environ.setdefault("TT_METAL_LOGGER_LEVEL", "ERROR")
    import ttnn

    if _REAL:
        return
    _REAL.update(module=ttnn, from_torch=ttnn.from_torch, to_torch=ttnn.to_torch)
    chips = board["chips"]

    def from_torch(tensor, dtype=None, layout=None, device=None, memory_config=None, **kw):
        host = _REAL["from_torch"](tensor.contiguous().clone(), dtype=dtype, layout=layout, **kw)
        return DeviceTensor(host, device) if device is not None else host

    def to_torch(tensor, **kw):
        return _REAL["to_torch"](tensor.host if isinstance(tensor, DeviceTensor) else tensor, **kw)

    ttnn.GetNumAvailableDevices = lambda: chips
    ttnn.open_device = lambda device_id=0, **_: EmulatedDevice(device_id)
    ttnn.close_device = lambda device: None
    ttnn.synchronize_device = lambda device, **_: None
    ttnn.from_torch = from_torch
    ttnn.to_torch = to_torch
    ttnn.from_device = lambda t, **_: t.host
    ttnn.to_device = lambda t, device, **_: DeviceTensor(t, device)
    ttnn.deallocate = lambda t, **_: None
    if op_names is None:
        import ttnn_device

        op_names = [row["ttnn"] for row in ttnn_device._C._op_table()]
    for dotted in op_names:
        owner, name = owner_and_name(ttnn, dotted)
        setattr(owner, name, _emulate(dotted[len("ttnn."):], getattr(owner, name)))


def emulated_ops() -> dict:
    """How each emulated op is computed: "golden", "ours" or "not emulated"."""
    names = set(GOLDEN_CALLS) | set(OURS) | _NOT_EMULATED
    return {op: "ours" if op in OURS else "not emulated" if op in _NOT_EMULATED else "golden" for op in sorted(names)}
