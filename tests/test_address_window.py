"""Device addresses never run out and never collide: at the end of a device's address window they start
again from the gaps between live storages. Shown with the window shrunk to 1 MiB (from 2^48 bytes), so
the wrap-around happens hundreds of times in one test."""

import random

import pytest
import torch

import ttnn_device._C as _C


@pytest.fixture
def small_window():
    _C._set_address_window_limit(1 << 20)
    yield
    _C._set_address_window_limit(0)


def test_addresses_wrap_around_without_collisions(small_window):
    rng = random.Random(0)
    live = {}  # name -> (device tensor, expected values)
    handed_out = set()
    for step in range(3000):
        if live and (len(live) > 24 or rng.random() < 0.45):
            live.pop(rng.choice(sorted(live)))
            continue
        n = rng.choice([1, 7, 100, 1000, 5000])
        values = torch.arange(n, dtype=torch.float32) + step
        t = values.to("ttnn")
        live[step] = (t, values)
        handed_out.add(t.data_ptr())
        spans = sorted((x.data_ptr(), x.data_ptr() + x.untyped_storage().nbytes()) for x, _ in live.values())
        assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:])), step
    window = {p >> 48 for p in handed_out}
    assert window == {1}  # every address stayed in device 0's window
    assert max(handed_out) - min(handed_out) < (1 << 20)
    assert len(handed_out) < 600  # addresses were reused (1700-odd allocations)
    for t, values in live.values():
        assert torch.equal(t.cpu(), values)
        assert torch.equal((t * 2).cpu(), values * 2)


def test_a_full_window_is_an_out_of_memory_error(small_window):
    keep = [torch.empty(4096 // 4, device="ttnn") for _ in range(256)]  # fills 1 MiB of addresses
    before = torch.ttnn.memory_allocated()
    with pytest.raises(torch.OutOfMemoryError, match="address window"):
        torch.empty(10, device="ttnn")
    assert torch.ttnn.memory_allocated() == before  # the block found for it was given back
    del keep
    assert torch.equal(torch.ones(3, device="ttnn").cpu(), torch.ones(3))
