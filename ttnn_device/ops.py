"""The op vocabulary as Python sees it: the op table and the numerics switch of the reference device."""

from . import _C


def op_table():
    """The op vocabulary, one dict per op: ``op`` (vocabulary name), ``ttnn`` (the dotted name of the TT-NN
    function it is, e.g. ``ttnn.matmul``), ``family``, ``params`` (the TT-NN parameter names a call may
    pass), ``dtypes`` and ``layouts`` (what TT-NN accepts for the main input), ``output_layout``,
    ``constraints`` and ``implemented`` (the active backend has it)."""
    return list(_C._op_table())


def get_numerics():
    """``"tt"`` (TT-NN's default numerics: matmul/convolution operands cut to the math fidelity's bits,
    denormals flushed to zero) or ``"exact"`` (IEEE math, rounded only to the output's data type)."""
    return _C._get_numerics()


def set_numerics(mode):
    """Chooses the reference device's numerics, ``"tt"`` or ``"exact"`` (also ``TTNN_DEVICE_NUMERICS``)."""
    _C._set_numerics(mode)
