"""Host mirrors: a storage that ops on the CPU read again and again without it changing (a parameter)
crosses to the host once; any change on the device makes the next CPU run see the new contents."""

import pytest
import torch
import torch.nn.functional as F

import ttnn_device


# float64: TT-NN has no math in it, so these ops run on the CPU through the fallback, which reads mirrors.
F64 = torch.float64


def d2h():
    return ttnn_device.transfer_counts()["device_to_host"]


def linear_on_device(x, w, b):
    return F.linear(x, w, b)  # float64 addmm: declined (no TT-NN math in float64), so it runs on the CPU


def test_unchanged_parameters_cross_once(counters):
    torch.manual_seed(0)
    w, b, x = torch.randn(64, 32, dtype=F64), torch.randn(64, dtype=F64), torch.randn(8, 32, dtype=F64)
    wd, bd, xd = w.to("ttnn"), b.to("ttnn"), x.to("ttnn")
    crossings = []
    for _ in range(4):
        ttnn_device.reset_transfer_counts()
        out = linear_on_device(xd, wd, bd)
        crossings.append(d2h()["count"])
        assert torch.equal(out.cpu(), F.linear(x, w, b))
    # first call: plain copies; second: the mirrors are made (one full read each); then nothing crosses
    assert crossings[0] == 3 and crossings[1] == 3
    assert crossings[2:] == [0, 0]


def _mirrored(w, x):
    for _ in range(2):
        F.linear(x, w)
    ttnn_device.reset_transfer_counts()
    F.linear(x, w)
    assert d2h()["count"] == 0, "the mirror should be in use before the change"


def test_every_change_reaches_the_cpu_side(counters):
    torch.manual_seed(1)
    w, x = torch.randn(16, 16, dtype=F64), torch.randn(4, 16, dtype=F64)
    wd, xd = w.to("ttnn"), x.to("ttnn")
    changes = [
        ("copy_ from the host", lambda t: t[3].copy_(torch.arange(16.0, dtype=F64))),
        ("copy_ on the device", lambda t: t[5].copy_(t[6].clone())),
        ("fill_", lambda t: t[:, 2].fill_(7.0)),
        ("zero_", lambda t: t[0].zero_()),
        ("in-place op through the fallback", lambda t: t.mul_(0.5)),
        ("relayout", lambda t: ttnn_device.set_physical_format(t, "ROW_MAJOR", "RAW")),
    ]
    for what, change in changes:
        _mirrored(wd, xd)
        change(wd)
        expected = F.linear(x, wd.cpu())
        assert torch.equal(F.linear(xd, wd).cpu(), expected), what


def test_mirrors_are_read_only_in_the_checking_mode(run_py):
    """The control for the test below: with TTNN_DEVICE_CHECK_HOST_MIRRORS=1 (the suite's setting) a write
    into a mirror faults (SIGSEGV) instead of passing unseen; without it the same write goes through."""
    code = """
        w = torch.randn(8, 8, dtype=torch.float64).to("ttnn")
        assert ttnn_device._C._host_mirror_view(w) is None  # the first read makes none
        view = ttnn_device._C._host_mirror_view(w)
        assert view is not None and view.device.type == "cpu" and torch.equal(view, w.cpu())
        print("writing", flush=True)
        view.add_(1)
        print("written", flush=True)
        """
    checked = run_py(code, env={"TTNN_DEVICE_CHECK_HOST_MIRRORS": "1"}, check=False)
    assert checked.returncode == -11 and "writing" in checked.stdout and "written" not in checked.stdout, checked
    unchecked = run_py(code, env={"TTNN_DEVICE_CHECK_HOST_MIRRORS": "0"}, check=False)
    assert unchecked.returncode == 0 and "written" in unchecked.stdout, unchecked


@pytest.mark.parametrize("op", ["add_", "mul_ through the fallback", "index_put_", "copy_"])
def test_mirror_is_not_written_by_an_in_place_op(run_py, op):
    """In-place ops on a mirrored storage run on a private host copy (or natively), never on the mirror:
    in the checking mode a write into the mirror would kill the child process."""
    change = {"add_": "wd.add_(1); w.add_(1)",
              "mul_ through the fallback": "wd.mul_(0.5); w.mul_(0.5)",
              "index_put_": "wd[torch.tensor([1, 3])] = 7.0; w[torch.tensor([1, 3])] = 7.0",
              "copy_": "wd[2].copy_(wd[5]); w[2].copy_(w[5])"}[op]
    run_py(f"""
        w = torch.randn(8, 8, dtype=torch.float64)
        wd = w.to("ttnn")
        for _ in range(3):
            torch.nn.functional.linear(torch.ones(2, 8, dtype=torch.float64).to("ttnn"), wd).cpu()
        assert ttnn_device._C._host_mirror_view(wd) is not None  # mirrored now
        {change}
        assert torch.equal(wd.cpu(), w)
        assert torch.equal((wd * 2).cpu(), w * 2)
        """, env={"TTNN_DEVICE_CHECK_HOST_MIRRORS": "1"})


def test_budget_zero_turns_mirrors_off(run_py):
    run_py(
        """
        F64 = torch.float64
        w, x = torch.randn(32, 32, dtype=F64).to("ttnn"), torch.randn(4, 32, dtype=F64).to("ttnn")
        counts = []
        for _ in range(4):
            ttnn_device.reset_transfer_counts()
            torch.nn.functional.linear(x, w)
            counts.append(ttnn_device.transfer_counts()["device_to_host"]["count"])
        assert counts == [2, 2, 2, 2], counts
        """,
        env={"TTNN_DEVICE_HOST_MIRROR_MB": "0"},
    )
