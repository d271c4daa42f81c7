"""torch.ttnn (the device module, mirroring torch.cuda), torch.accelerator, the generated .ttnn() /
.is_ttnn methods, the torch.backends autoload entry point, and random number generation state."""

from __future__ import annotations

import importlib.metadata
import time

import pytest
import torch

import ttnn_device

GiB = 1 << 30


# --------------------------------------------------------------------------------------------------
# Registration and the basic device queries


def test_backend_is_named_ttnn():
    assert torch._C._get_privateuse1_backend_name() == "ttnn"
    assert torch.get_device_module("ttnn") is torch.ttnn
    assert torch.device("ttnn").type == "ttnn"
    assert torch.device("ttnn:0") == torch.device("ttnn", 0)


def test_availability_and_count_default_board():
    assert torch.ttnn.is_available() is True
    assert torch.ttnn.device_count() == 1  # n150 is the default board: one chip
    assert torch.ttnn.current_device() == 0


def test_tensor_on_ttnn_gets_the_current_index():
    t = torch.empty(3, device="ttnn")
    assert t.device == torch.device("ttnn", 0)
    assert t.device.type == "ttnn" and t.is_ttnn
    assert t.get_device() == 0


def test_set_device_accepts_int_str_and_device():
    for spec in (0, "ttnn:0", torch.device("ttnn:0"), "ttnn"):
        torch.ttnn.set_device(spec)
        assert torch.ttnn.current_device() == 0


def test_set_device_rejects_other_device_types():
    with pytest.raises(ValueError, match="ttnn"):
        torch.ttnn.set_device("cpu")


def test_synchronize_forms():
    x = torch.ones(4, device="ttnn")
    assert torch.ttnn.synchronize() is None
    torch.ttnn.synchronize(0)
    torch.ttnn.synchronize("ttnn:0")
    torch.ttnn.synchronize(torch.device("ttnn", 0))
    assert torch.equal(x.cpu(), torch.ones(4))


def test_device_context_manager_restores_and_accepts_none():
    before = torch.ttnn.current_device()
    with torch.ttnn.device(0):
        assert torch.ttnn.current_device() == 0
        assert torch.empty(1, device="ttnn").device == torch.device("ttnn:0")
    assert torch.ttnn.current_device() == before
    with torch.ttnn.device(None):  # no-op, as torch.cuda.device(None)
        assert torch.ttnn.current_device() == before
    assert torch.ttnn.current_device() == before


def test_device_context_manager_restores_after_exception():
    with pytest.raises(KeyError):
        with torch.ttnn.device("ttnn:0"):
            raise KeyError("boom")
    assert torch.ttnn.current_device() == 0


def test_device_of_ttnn_and_cpu_tensors():
    t = torch.zeros(2, device="ttnn")
    with torch.ttnn.device_of(t):
        assert torch.ttnn.current_device() == 0
    with torch.ttnn.device_of(torch.zeros(2)):  # a CPU tensor changes nothing
        assert torch.ttnn.current_device() == 0


def test_amp_supported_dtypes():
    dtypes = torch.ttnn.get_amp_supported_dtype()
    assert torch.bfloat16 in dtypes
    assert all(isinstance(d, torch.dtype) for d in dtypes)


def test_device_properties_name_the_board():
    props = torch.ttnn.get_device_properties(0)
    assert props["total_memory"] == 12 * GiB
    assert "n150" in torch.ttnn.get_device_name(0)


# --------------------------------------------------------------------------------------------------
# Invalid device indices: a Python exception that names the device, never an abort


@pytest.mark.parametrize(
    "action",
    [
        lambda: torch.ttnn.set_device(3),
        lambda: torch.zeros(1, device="ttnn:5"),
        lambda: torch.ones(2).to("ttnn:2"),
        lambda: torch.ttnn.synchronize(7),
        lambda: torch.ttnn.memory_allocated(4),
        lambda: torch.ttnn.mem_get_info(9),
        lambda: torch.accelerator.set_device_index(6),
        lambda: torch.ttnn.device(8).__enter__(),
    ],
    ids=["set_device", "factory", "to", "synchronize", "memory_allocated", "mem_get_info",
         "accelerator.set_device_index", "device_ctx"],
)
def test_invalid_index_raises_clear_error(action):
    with pytest.raises(RuntimeError, match=r"ttnn:\d|ttnn device"):
        action()
    assert torch.ttnn.current_device() == 0  # nothing half-changed
    assert torch.equal(torch.arange(3, device="ttnn").cpu(), torch.arange(3))  # still usable


def test_invalid_index_message_is_actionable():
    with pytest.raises(RuntimeError) as info:
        torch.ttnn.set_device(3)
    message = str(info.value)
    # Names the bad index and how many devices exist (as a number of devices, not a digit anywhere: the
    # board's name "n150" holds a "1" of its own).
    assert "ttnn:3" in message and f"has {torch.ttnn.device_count()} ttnn device" in message


# --------------------------------------------------------------------------------------------------
# torch.accelerator drives the device through the hooks and the guard


def test_accelerator_reports_ttnn():
    assert torch.accelerator.is_available()
    assert torch.accelerator.current_accelerator() == torch.device("ttnn")
    assert torch.accelerator.current_accelerator().type == "ttnn"
    assert torch.accelerator.device_count() == 1


def test_accelerator_device_index_and_synchronize():
    torch.accelerator.set_device_index(0)
    assert torch.accelerator.current_device_index() == 0
    assert torch.ttnn.current_device() == 0
    torch.ones(3, device="ttnn").add_(1)
    torch.accelerator.synchronize()
    torch.accelerator.synchronize(0)


def test_accelerator_device_index_context_manager():
    with torch.accelerator.device_index(0):
        assert torch.ttnn.current_device() == 0
    assert torch.accelerator.current_device_index() == 0


def test_autocast_on_ttnn_matches_cpu_autocast():
    torch.manual_seed(12)
    a, b = torch.randn(8, 16), torch.randn(16, 4)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        want = a @ b
    with torch.autocast("ttnn", dtype=torch.bfloat16):
        got = a.to("ttnn") @ b.to("ttnn")
    assert want.dtype == got.dtype == torch.bfloat16
    assert torch.equal(got.cpu(), want)


# --------------------------------------------------------------------------------------------------
# Generated methods: .ttnn() / .is_ttnn on Tensor, Module and Storage


def test_tensor_ttnn_method_and_is_ttnn():
    cpu = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    dev = cpu.ttnn()
    assert dev.is_ttnn and not cpu.is_ttnn
    assert dev.device == torch.device("ttnn:0")
    assert torch.equal(dev.cpu(), cpu)
    assert cpu.ttnn(0).device == torch.device("ttnn:0")
    assert dev.ttnn() is dev  # already there: no copy, as .cuda()


def test_module_ttnn_method():
    module = torch.nn.Linear(3, 2)
    weight = module.weight.detach().clone()
    assert module.ttnn() is module
    assert module.weight.is_ttnn and module.bias.is_ttnn
    assert torch.equal(module.weight.cpu(), weight)


def test_storage_ttnn_method_and_is_ttnn():
    cpu = torch.tensor([1.5, -2.0, 3.25])
    storage = cpu.untyped_storage()
    dev_storage = storage.ttnn()
    assert dev_storage.is_ttnn and not storage.is_ttnn
    assert dev_storage.device.type == "ttnn"
    assert dev_storage.nbytes() == storage.nbytes()
    assert bytes(dev_storage.cpu()) == bytes(storage)
    assert cpu.ttnn().untyped_storage().is_ttnn


def test_typed_storage_ttnn_method():
    typed = torch.tensor([1, 2, 3], dtype=torch.int64).storage()
    dev = typed.ttnn()
    assert dev.is_ttnn
    assert dev.device.type == "ttnn"
    assert list(dev.cpu()) == [1, 2, 3]


# --------------------------------------------------------------------------------------------------
# Random numbers: seeding, reproducibility, state round trips


def _sample():
    return torch.randn(1000, device="ttnn").cpu()


def test_torch_manual_seed_makes_randn_reproducible():
    torch.manual_seed(1234)
    a = _sample()
    torch.manual_seed(1234)
    b = _sample()
    torch.manual_seed(4321)
    c = _sample()
    assert torch.equal(a, b)
    assert not torch.equal(a, c)
    assert abs(a.mean().item()) < 0.2 and 0.8 < a.std().item() < 1.2  # standard normal samples


def test_ttnn_manual_seed_and_initial_seed():
    torch.ttnn.manual_seed(77)
    assert torch.ttnn.initial_seed() == 77
    a = _sample()
    torch.ttnn.manual_seed_all(77)
    assert torch.ttnn.initial_seed() == 77
    assert torch.equal(_sample(), a)
    torch.ttnn.seed()
    assert torch.ttnn.initial_seed() != 77  # a fresh non-deterministic seed (2**-64 chance to collide)


def test_torch_manual_seed_seeds_ttnn_generator():
    torch.manual_seed(99)
    assert torch.ttnn.initial_seed() == 99


def test_dropout_reproducible_under_manual_seed():
    x = torch.ones(64, 64, device="ttnn")
    torch.manual_seed(5)
    a = torch.nn.functional.dropout(x, p=0.5, training=True).cpu()
    torch.manual_seed(5)
    b = torch.nn.functional.dropout(x, p=0.5, training=True).cpu()
    assert torch.equal(a, b)
    kept = a != 0
    assert torch.all(a[kept] == 2.0)  # survivors scaled by 1 / (1 - p)
    assert 0.4 < kept.float().mean().item() < 0.6
    torch.manual_seed(6)
    assert not torch.equal(torch.nn.functional.dropout(x, p=0.5, training=True).cpu(), a)


def test_rng_state_round_trip():
    torch.ttnn.manual_seed(3)
    state = torch.ttnn.get_rng_state()
    assert state.dtype == torch.uint8 and state.device.type == "cpu"
    a = _sample()
    b = _sample()
    assert not torch.equal(a, b)
    torch.ttnn.set_rng_state(state)
    assert torch.equal(_sample(), a)
    assert torch.equal(_sample(), b)


def test_rng_state_all_round_trip():
    states = torch.ttnn.get_rng_state_all()
    assert len(states) == torch.ttnn.device_count()
    a = _sample()
    torch.ttnn.set_rng_state_all(states)
    assert torch.equal(_sample(), a)


def test_set_rng_state_rejects_non_byte_tensor():
    with pytest.raises(TypeError):
        torch.ttnn.set_rng_state(torch.zeros(4))


def test_explicit_ttnn_generator():
    g = torch.Generator(device="ttnn")
    assert g.device.type == "ttnn"
    g.manual_seed(11)
    a = torch.randn(100, device="ttnn", generator=g).cpu()
    g.manual_seed(11)
    b = torch.randn(100, device="ttnn", generator=g).cpu()
    assert torch.equal(a, b)


def test_randn_on_ttnn_does_not_advance_cpu_generator():
    torch.manual_seed(21)
    expected = torch.rand(10)
    torch.manual_seed(21)
    torch.randn(100, device="ttnn")  # draws from the ttnn generator
    assert torch.equal(torch.rand(10), expected)


# --------------------------------------------------------------------------------------------------
# Other boards (fresh processes: the board is chosen when the extension loads)


def test_n300_has_two_devices(run_py):
    out = run_py(
        """
        assert torch.ttnn.device_count() == 2, torch.ttnn.device_count()
        assert torch.accelerator.device_count() == 2
        x = torch.arange(4.0, device="ttnn:1")
        assert x.device == torch.device("ttnn:1")
        assert torch.ttnn.current_device() == 0
        with torch.ttnn.device(1):
            assert torch.ttnn.current_device() == 1
            assert torch.empty(1, device="ttnn").device == torch.device("ttnn:1")
            with torch.ttnn.device(0):
                assert torch.ttnn.current_device() == 0
            assert torch.ttnn.current_device() == 1
        assert torch.ttnn.current_device() == 0
        with torch.ttnn.device_of(x):
            assert torch.ttnn.current_device() == 1
        assert torch.ttnn.current_device() == 0
        torch.ttnn.set_device("ttnn:1")
        assert torch.ttnn.current_device() == 1
        assert torch.accelerator.current_device_index() == 1
        torch.accelerator.set_device_index(0)
        assert torch.ttnn.current_device() == 0
        torch.ttnn.synchronize(1)
        assert torch.ttnn.mem_get_info(1)[1] == 12 * 2**30
        assert len(torch.ttnn.get_rng_state_all()) == 2
        assert torch.equal((x + 1).cpu(), torch.arange(4.0) + 1)
        assert (x + 1).device == torch.device("ttnn:1")
        try:
            torch.ttnn.set_device(2)
        except RuntimeError as e:
            assert "ttnn:2" in str(e)
        else:
            raise AssertionError("set_device(2) on n300 did not raise")
        print("ok")
        """,
        env={"TTNN_DEVICE_BOARD": "n300"},
    )
    assert out.stdout.strip().endswith("ok")


def test_p150_board(run_py):
    out = run_py(
        """
        assert torch.ttnn.device_count() == 1
        print(torch.ttnn.mem_get_info()[1], torch.ttnn.get_device_properties(0)["total_memory"])
        print(torch.ttnn.get_device_name())
        """,
        env={"TTNN_DEVICE_BOARD": "p150"},
    )
    lines = out.stdout.strip().splitlines()
    assert lines[0].split() == [str(32 * GiB)] * 2
    assert "p150" in lines[1]


# --------------------------------------------------------------------------------------------------
# Autoload through the torch.backends entry point


def test_entry_point_is_installed():
    names = {ep.value for ep in importlib.metadata.entry_points(group="torch.backends")}
    assert "ttnn_device:_autoload" in names, (
        "the torch.backends entry point is not installed: pip install --no-build-isolation --no-deps -e .")


def test_autoload_without_importing_ttnn_device(run_py):
    out = run_py(
        """
        import sys
        import torch
        x = torch.zeros(1, device="ttnn")
        print(x.device, "ttnn_device" in sys.modules, torch.ttnn.device_count())
        """,
        import_device=False,
    )
    assert out.stdout.split() == ["ttnn:0", "True", "1"]


# Streams and events, as torch.cuda documents them.
def test_streams_follow_torch_cuda_semantics():
    default = torch.ttnn.default_stream()
    assert isinstance(default, torch.Stream) and default.stream_id == 0 and default.device == torch.device("ttnn", 0)
    assert torch.ttnn.current_stream() == default  # the default stream is current until another is made so
    s, t = torch.ttnn.Stream(), torch.ttnn.Stream()
    assert s.device == torch.device("ttnn", 0) and s.stream_id != 0 and s != t
    with torch.ttnn.stream(s):
        assert torch.ttnn.current_stream() == s
        y = torch.ones(64, 64, device="ttnn") * 3
    assert torch.ttnn.current_stream() == default
    with torch.ttnn.stream(None):  # None: no change, as torch.cuda.stream(None)
        assert torch.ttnn.current_stream() == default
    torch.ttnn.set_stream(t)
    assert torch.ttnn.current_stream() == t
    torch.ttnn.set_stream(default)
    s.wait_stream(t)
    s.synchronize()
    assert s.query() and torch.equal(y.cpu(), torch.full((64, 64), 3.0))


def test_events_time_the_work_between_them():
    start, end = torch.ttnn.Event(enable_timing=True), torch.ttnn.Event(enable_timing=True)
    assert isinstance(start, torch.ttnn.Event) and isinstance(start, torch.Event)
    x = torch.randn(256, 256, device="ttnn")
    t0 = time.perf_counter()
    start.record()
    for _ in range(5):
        x = x @ x / 16
    end.record()
    end.synchronize()
    wall_ms = (time.perf_counter() - t0) * 1e3
    elapsed = start.elapsed_time(end)
    assert 0 < elapsed <= wall_ms and end.query()
    # Recorded on a stream, waited on by another.
    s = torch.ttnn.Stream()
    marker = s.record_event()
    torch.ttnn.current_stream().wait_event(marker)
    assert marker.query()


def test_event_timing_errors_are_cudas():
    untimed, timed = torch.ttnn.Event(), torch.ttnn.Event(enable_timing=True)
    untimed.record()
    timed.record()
    with pytest.raises((RuntimeError, ValueError), match="enable_timing"):
        untimed.elapsed_time(timed)
    never_recorded = torch.ttnn.Event(enable_timing=True)
    with pytest.raises((RuntimeError, ValueError), match="recorded"):
        timed.elapsed_time(never_recorded)
    with pytest.raises(RuntimeError, match="interprocess"):
        torch.ttnn.Event(interprocess=True)


def test_memory_snapshot_and_summary_agree_with_the_statistics():
    torch.ttnn.empty_cache()
    keep = torch.randn(300, 700, device="ttnn")
    dropped = torch.randn(50, device="ttnn")
    del dropped  # its block stays cached, reserved and free
    stats = torch.ttnn.memory_stats()
    segments = torch.ttnn.memory_snapshot()
    active = [s for s in segments if s["blocks"][0]["state"] == "active_allocated"]
    assert sum(s["total_size"] for s in active) == stats["allocated_bytes.all.current"]
    assert sum(s["total_size"] for s in segments) == stats["reserved_bytes.all.current"]
    mine = [s for s in active if s["address"] == keep.data_ptr()]
    assert len(mine) == 1 and mine[0]["requested_size"] == keep.nbytes and mine[0]["total_size"] >= keep.nbytes
    assert any(s["blocks"][0]["state"] == "inactive" for s in segments)
    summary = torch.ttnn.memory_summary()
    allocated_row = next(line for line in summary.splitlines() if line.startswith("Allocated memory"))
    value, unit = allocated_row.split("|")[1].split()  # current usage, printed with 2 decimals
    scale = {"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}[unit]
    assert abs(float(value) * scale - stats["allocated_bytes.all.current"]) <= 0.005 * scale
    assert "Reserved memory" in summary and "Allocations" not in torch.ttnn.memory_summary(abbreviated=True)


def test_device_properties_are_attributes_like_cudas():
    props = torch.ttnn.get_device_properties()
    assert props.total_memory == torch.ttnn.mem_get_info()[1] == props["total_memory"]
    assert props.name and props.arch and props.backend in ("sim", "ttnn")
    assert "total_memory=" in repr(props)
