"""The op table against the installed `ttnn`: every vocabulary op is a registered TT-NN operation, and
every parameter a call may pass is a parameter of that function (read from its nanobind signatures)."""

from __future__ import annotations

import pytest

import ttnn_device
from ttnn_device.testing.ttnn_names import parameter_names as _parameter_names
from ttnn_device.testing.ttnn_names import resolve as _resolve

TABLE = ttnn_device.op_table()


@pytest.fixture(scope="module")
def registered(real_ttnn):
    return {op.python_fully_qualified_name for op in real_ttnn.query_registered_operations(include_experimental=True)}


def test_table_is_not_empty_and_names_are_unique():
    names = [row["op"] for row in TABLE]
    assert len(names) > 80
    assert len(set(names)) == len(names)
    for row in TABLE:
        assert row["ttnn"] == "ttnn." + row["op"], row


@pytest.mark.parametrize("row", TABLE, ids=[row["op"] for row in TABLE])
def test_op_is_a_registered_ttnn_operation_with_these_parameters(real_ttnn, registered, row):
    assert row["ttnn"] in registered, f"{row['ttnn']} is not among ttnn's registered operations"
    op = _resolve(real_ttnn, row["ttnn"])
    assert op is not None, f"{row['ttnn']} does not resolve in the installed ttnn"
    params = _parameter_names(op)
    assert params, f"no signature found for {row['ttnn']}"
    missing = [p for p in row["params"] if p not in params]
    assert not missing, f"{row['ttnn']} has no parameter(s) {missing}; it takes {sorted(params)}"


def test_every_table_op_has_a_reference_implementation():
    assert [row["op"] for row in TABLE if not row["implemented"]] == []


def test_the_dispatcher_refuses_a_parameter_outside_the_table():
    # Every vocabulary call is checked against the table; the kernels only pass table parameters, so a
    # whole model run with no error is the positive side of this check (see test_native_kernels).
    table = {row["op"]: row for row in TABLE}
    assert "output_tensor" not in table["add"]["params"]


def test_hardware_backend_extra_parameters_exist_in_ttnn(real_ttnn):
    # The hardware backend adds a few arguments to table calls (the device, compute kernel configs): each
    # must be a parameter of the ttnn function of that op.
    table = {row["op"]: row for row in TABLE}
    extras = ttnn_device._C._hardware_extra_params()
    assert extras
    for op, param in extras:
        params = _parameter_names(_resolve(real_ttnn, table[op]["ttnn"]))
        assert param in params, f"{table[op]['ttnn']} takes no {param}; it takes {sorted(params)}"
