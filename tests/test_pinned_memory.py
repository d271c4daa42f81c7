"""Pinned host memory as torch.cuda offers it: Tensor.pin_memory() / is_pinned(), non_blocking copies from
pinned tensors, and DataLoader(pin_memory=True) feeding the device; values against the CPU."""

import torch
import torch.utils.data

import ttnn_device._C as _C


def test_pin_memory_returns_a_pinned_copy_on_the_host():
    x = torch.randn(3, 5, 7)
    before = _C._pinned_host_stats()
    pinned = x.pin_memory()
    assert not x.is_pinned()
    assert pinned.is_pinned() and pinned.device.type == "cpu"
    assert pinned.data_ptr() != x.data_ptr() and pinned.data_ptr() % 64 == 0
    assert torch.equal(pinned, x)
    assert pinned.pin_memory().data_ptr() == pinned.data_ptr()  # already pinned: the same tensor, as on CUDA
    assert pinned[1:].is_pinned()  # a view into a pinned block is pinned
    during = _C._pinned_host_stats()
    assert during["blocks"] == before["blocks"] + 1 and during["bytes"] == before["bytes"] + x.nbytes
    del pinned
    assert _C._pinned_host_stats() == before  # freed when the last reference goes


def test_non_blocking_copies_from_pinned_memory():
    x = torch.randn(64, 33).pin_memory()
    d = x.to("ttnn", non_blocking=True)
    back = torch.empty(64, 33).pin_memory()
    back.copy_(d, non_blocking=True)
    torch.ttnn.synchronize()
    assert torch.equal(back, x)


def test_dataloader_with_pin_memory_feeds_the_device():
    torch.manual_seed(0)
    data = torch.utils.data.TensorDataset(torch.randn(40, 12), torch.randint(0, 3, (40,)))
    loader = torch.utils.data.DataLoader(data, batch_size=8, pin_memory=True)
    model = torch.nn.Linear(12, 3)
    expected = [model(x) for x, _ in torch.utils.data.DataLoader(data, batch_size=8)]
    model.to("ttnn")
    seen = 0
    for (x, y), want in zip(loader, expected):
        assert x.is_pinned() and y.is_pinned()
        with torch.no_grad():
            out = model(x.to("ttnn", non_blocking=True))
        torch.testing.assert_close(out.cpu(), want.detach(), atol=1e-5, rtol=1e-5)
        seen += 1
    assert seen == 5
