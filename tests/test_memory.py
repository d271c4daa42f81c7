"""The caching allocator's statistics (torch.cuda's names and meanings), mem_get_info against the board's
DRAM capacity, and out-of-memory behaviour (a clear torch.OutOfMemoryError, nothing lost)."""

from __future__ import annotations

import pytest
import torch

from conftest import collect

GiB = 1 << 30
MiB = 1 << 20


@pytest.fixture(autouse=True)
def _clean():
    collect()
    torch.ttnn.empty_cache()
    yield
    collect()


def test_memory_stats_keys_match_cuda_names():
    stats = torch.ttnn.memory_stats()
    for key in ["allocated_bytes.all.current", "allocated_bytes.all.peak", "allocated_bytes.all.allocated",
                "allocated_bytes.all.freed", "reserved_bytes.all.current", "reserved_bytes.all.peak",
                "active_bytes.all.current", "requested_bytes.all.current", "allocation.all.current",
                "segment.all.current", "num_ooms", "num_alloc_retries"]:
        assert key in stats, key
        assert isinstance(stats[key], int)
    assert stats["allocated_bytes.all.current"] == torch.ttnn.memory_allocated()
    assert stats["reserved_bytes.all.current"] == torch.ttnn.memory_reserved()
    assert torch.ttnn.memory_stats(0) == torch.ttnn.memory_stats("ttnn:0")


def test_allocated_grows_by_at_least_logical_bytes_and_returns():
    base = torch.ttnn.memory_allocated()
    base_count = torch.ttnn.memory_stats()["allocation.all.current"]
    x = torch.empty(1000, 3, device="ttnn")  # 12000 logical bytes
    y = torch.empty(7, dtype=torch.float64, device="ttnn")  # 56 logical bytes
    grown = torch.ttnn.memory_allocated() - base
    assert grown >= 12000 + 56
    assert grown < 2 * (12000 + 56) + 4096  # rounding, not a leak of whole blocks
    assert torch.ttnn.memory_stats()["allocation.all.current"] == base_count + 2
    assert torch.ttnn.memory_stats()["requested_bytes.all.current"] >= 12056
    del x, y
    collect()
    assert torch.ttnn.memory_allocated() == base
    assert torch.ttnn.memory_stats()["allocation.all.current"] == base_count


def test_views_do_not_allocate():
    x = torch.zeros(256, 256, device="ttnn")
    base = torch.ttnn.memory_allocated()
    views = [x[1:], x.t(), x.view(-1), x[:, ::2], x.unsqueeze(0), x.expand(2, 256, 256)]
    assert torch.ttnn.memory_allocated() == base
    del views, x


def test_allocated_is_zero_when_nothing_is_alive():
    x = torch.ones(10, device="ttnn")
    y = (x * 2).sum()  # fallback results are device tensors too
    z = [x + 1 for _ in range(3)]
    del x, y, z
    collect()
    assert torch.ttnn.memory_allocated() == 0, torch.ttnn.memory_stats()


def test_cycle_collected_tensor_is_freed():
    base = torch.ttnn.memory_allocated()
    holder = {"t": torch.ones(4096, device="ttnn")}
    holder["self"] = holder  # only the cycle collector can free it
    del holder
    collect()
    assert torch.ttnn.memory_allocated() == base


def test_peak_and_reset():
    torch.ttnn.reset_peak_memory_stats()
    base = torch.ttnn.memory_allocated()
    assert torch.ttnn.max_memory_allocated() == base
    x = torch.empty(4 * MiB, dtype=torch.uint8, device="ttnn")
    peak = torch.ttnn.max_memory_allocated()
    assert peak >= base + 4 * MiB
    del x
    collect()
    assert torch.ttnn.memory_allocated() == base
    assert torch.ttnn.max_memory_allocated() == peak  # the peak remembers
    assert torch.ttnn.max_memory_reserved() >= peak
    torch.ttnn.reset_peak_memory_stats()
    assert torch.ttnn.max_memory_allocated() == base
    assert torch.ttnn.max_memory_reserved() == torch.ttnn.memory_reserved()


def test_reserved_at_least_allocated_and_empty_cache_drops_it():
    x = torch.empty(8 * MiB, dtype=torch.uint8, device="ttnn")
    assert torch.ttnn.memory_reserved() >= torch.ttnn.memory_allocated() >= 8 * MiB
    reserved = torch.ttnn.memory_reserved()
    del x
    collect()
    # The block is cached, not returned: reserved stays, allocated drops.
    assert torch.ttnn.memory_reserved() == reserved
    assert torch.ttnn.memory_reserved() >= torch.ttnn.memory_allocated() + 8 * MiB
    free_before = torch.ttnn.mem_get_info()[0]
    torch.ttnn.empty_cache()
    assert torch.ttnn.memory_reserved() <= reserved - 8 * MiB
    assert torch.ttnn.memory_reserved() >= torch.ttnn.memory_allocated()
    assert torch.ttnn.mem_get_info()[0] >= free_before + 8 * MiB


def test_cached_block_is_reused():
    x = torch.empty(2 * MiB, dtype=torch.uint8, device="ttnn")
    del x
    collect()
    reserved = torch.ttnn.memory_reserved()
    y = torch.empty(2 * MiB, dtype=torch.uint8, device="ttnn")
    assert torch.ttnn.memory_reserved() == reserved  # served from the cache
    del y


def test_mem_get_info_total_is_board_capacity_and_free_tracks_allocation():
    free, total = torch.ttnn.mem_get_info()
    assert total == 12 * GiB  # n150
    assert 0 < free <= total
    assert torch.ttnn.mem_get_info(0) == torch.ttnn.mem_get_info("ttnn:0")
    x = torch.empty(16 * MiB, dtype=torch.uint8, device="ttnn")
    free_after, total_after = torch.ttnn.mem_get_info()
    assert total_after == total
    assert free - free_after >= 16 * MiB
    del x
    collect()
    torch.ttnn.empty_cache()
    assert torch.ttnn.mem_get_info()[0] == free


def test_model_forward_then_del_leaves_nothing():
    torch.manual_seed(0)
    model = torch.nn.TransformerEncoderLayer(32, 4, dim_feedforward=64, batch_first=True).to("ttnn")
    y = model(torch.randn(2, 5, 32).to("ttnn"))
    y.sum().backward()
    assert torch.ttnn.memory_allocated() > 0
    del model, y
    collect()
    assert torch.ttnn.memory_allocated() == 0, torch.ttnn.memory_stats()


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_derived_parameter_values_are_freed_with_the_model(dtype):
    """Inference batch norm keeps its folded scale and shift, and bfloat16 parameters their FLOAT32 casts,
    on the device between forwards; deleting the model frees them with it."""
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.BatchNorm2d(8), torch.nn.ReLU()).eval()
    model = model.to("ttnn").to(dtype)
    with torch.no_grad():
        for _ in range(2):
            y = model(torch.randn(2, 3, 9, 9).to("ttnn").to(dtype))
    assert torch.ttnn.memory_allocated() > 0
    del model, y
    collect()
    assert torch.ttnn.memory_allocated() == 0, torch.ttnn.memory_stats()


def test_set_physical_format_memory_is_accounted():
    import ttnn_device
    base = torch.ttnn.memory_allocated()
    x = torch.ones(33, 40, device="ttnn")
    ttnn_device.set_physical_format(x, "TILE", "FLOAT32")
    fmt = ttnn_device.physical_format(x)
    assert fmt["physical_bytes"] == 64 * 64 * 4  # padded to 2x2 tiles
    assert fmt["logical_bytes"] == 33 * 40 * 4
    # the tiled block replaces the row-major one: allocated covers the padded tiles, and the old
    # row-major block is no longer counted
    grown = torch.ttnn.memory_allocated() - base
    assert 64 * 64 * 4 <= grown < 64 * 64 * 4 + 33 * 40 * 4
    del x
    collect()
    assert torch.ttnn.memory_allocated() == 0


def test_n300_stats_are_per_device(run_py):
    run_py(
        """
        x = torch.empty(1 << 20, dtype=torch.uint8, device="ttnn:1")
        assert torch.ttnn.memory_allocated(1) >= 1 << 20
        assert torch.ttnn.memory_allocated(0) == 0
        assert torch.ttnn.mem_get_info(0)[0] == torch.ttnn.mem_get_info(0)[1]
        assert torch.ttnn.mem_get_info(1)[0] <= torch.ttnn.mem_get_info(1)[1] - (1 << 20)
        with torch.ttnn.device(1):
            assert torch.ttnn.memory_allocated() >= 1 << 20
        del x
        import gc; gc.collect()
        assert torch.ttnn.memory_allocated(1) == 0
        """,
        env={"TTNN_DEVICE_BOARD": "n300"},
    )


OOM_SNIPPET = r"""
import gc, re
MiB = 1 << 20
assert torch.ttnn.mem_get_info() == (64 * MiB, 64 * MiB), torch.ttnn.mem_get_info()

gen = torch.Generator().manual_seed(0)
refs = [torch.randn(1 << 20, generator=gen), torch.randint(-1000, 1000, (3, 1 << 18), generator=gen),
        torch.randn(1000, generator=gen, dtype=torch.float64)]
devs = [r.to("ttnn") for r in refs]
view = devs[1][1:, ::3]
torch.ttnn.empty_cache()
free = torch.ttnn.mem_get_info()[0]
allocated = torch.ttnn.memory_allocated()

def check_oom(action, requested):
    try:
        action()
    except torch.OutOfMemoryError as e:
        msg = str(e)
        assert "ttnn:0" in msg, msg
        assert str(requested) in msg, (requested, msg)
        assert str(free) in msg, (free, msg)
        assert "Traceback" not in msg
    else:
        raise AssertionError("no OutOfMemoryError")

# a factory asking for 100 MiB of a 64 MiB device
check_oom(lambda: torch.empty(100 * MiB, dtype=torch.uint8, device="ttnn"), 100 * MiB)
# a host -> device copy
big = torch.zeros(25 * MiB // 4 * 4)  # 100 MiB of float32
check_oom(lambda: big.to("ttnn"), big.numel() * 4)
# an op result (through the CPU fallback)
check_oom(lambda: devs[0].repeat(30), 30 * 4 * MiB)
assert torch.ttnn.memory_stats()["num_ooms"] >= 3
assert torch.ttnn.memory_allocated() == allocated

# nothing lost: exact values, usable
for r, d in zip(refs, devs):
    assert torch.equal(d.cpu(), r)
assert torch.equal(view.cpu(), refs[1][1:, ::3])
assert torch.equal((devs[0] * 2).cpu(), refs[0] * 2)
devs[1].add_(1)
assert torch.equal(devs[1].cpu(), refs[1] + 1)
small = torch.ones(1000, device="ttnn")
assert small.sum().item() == 1000.0

del devs, view, small, d
gc.collect()
assert torch.ttnn.memory_allocated() == 0, torch.ttnn.memory_stats()
torch.ttnn.empty_cache()
assert torch.ttnn.mem_get_info() == (64 * MiB, 64 * MiB)
# and the whole device is usable again
full = torch.empty(60 * MiB, dtype=torch.uint8, device="ttnn")
del full
print("ok")
"""


def test_out_of_memory_is_clear_and_loses_nothing(run_py):
    out = run_py(OOM_SNIPPET, env={"TTNN_DEVICE_DRAM_MB": "64"})
    assert out.stdout.strip().endswith("ok")


def test_out_of_memory_during_relayout_keeps_tensor(run_py):
    out = run_py(
        r"""
        import gc
        MiB = 1 << 20
        ref = torch.arange(1 << 18, dtype=torch.float32).reshape(-1, 1)  # 1 MiB; TILE pads each row 32x
        x = ref.to("ttnn")
        filler = torch.empty(40 * MiB, dtype=torch.uint8, device="ttnn")
        try:
            ttnn_device.set_physical_format(x, "TILE", "FLOAT32")  # needs 32 MiB
        except torch.OutOfMemoryError as e:
            assert "ttnn:0" in str(e)
        else:
            raise AssertionError("relayout beyond the device's memory did not raise")
        assert ttnn_device.physical_format(x)["layout"] == "ROW_MAJOR"
        assert torch.equal(x.cpu(), ref)
        del filler
        gc.collect()
        ttnn_device.set_physical_format(x, "TILE", "FLOAT32")
        assert ttnn_device.physical_format(x)["layout"] == "TILE"
        assert torch.equal(x.cpu(), ref)
        del x
        gc.collect()
        assert torch.ttnn.memory_allocated() == 0
        print("ok")
        """,
        env={"TTNN_DEVICE_DRAM_MB": "64"},
    )
    assert out.stdout.strip().endswith("ok")
