"""torch.save / torch.load of ttnn tensors, storages, views and state_dicts: values exact, storage
sharing kept, map_location to and from the CPU and between device indices (n300)."""

from __future__ import annotations

import io
import warnings

import pytest
import torch
import torch.nn as nn

import ttnn_device
from conftest import assert_bit_equal
from test_copies import ALL_DTYPES, float_specials, random_tensor


def _round_trip(obj, **load_kwargs):
    buf = io.BytesIO()
    torch.save(obj, buf)
    buf.seek(0)
    return torch.load(buf, **load_kwargs)


def _same_storage(a, b):
    return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
def test_every_dtype_saves_and_loads_exactly(dtype):
    src = random_tensor((3, 5), dtype, seed=1)
    loaded = _round_trip(src.to("ttnn"), weights_only=False)
    assert loaded.device == torch.device("ttnn:0")
    assert_bit_equal(loaded.cpu(), src)


def test_float_specials_exact():
    src = float_specials(torch.float32)
    loaded = _round_trip(src.to("ttnn"))
    assert_bit_equal(loaded.cpu(), src)


@pytest.mark.parametrize("map_location", [None, "ttnn", "ttnn:0", torch.device("ttnn", 0), {"ttnn:0": "ttnn:0"}],
                         ids=["none", "ttnn", "ttnn:0", "device", "dict"])
def test_ttnn_tensor_loads_on_ttnn(map_location):
    src = torch.randn(4, 6)
    loaded = _round_trip(src.to("ttnn"), map_location=map_location)
    assert loaded.device == torch.device("ttnn:0")
    assert_bit_equal(loaded.cpu(), src)


@pytest.mark.parametrize("map_location", ["cpu", torch.device("cpu"), {"ttnn:0": "cpu"},
                                          lambda storage, location: storage.cpu()],
                         ids=["str", "device", "dict", "callable"])
def test_ttnn_tensor_loads_on_cpu(map_location):
    src = torch.randn(4, 6)
    loaded = _round_trip(src.to("ttnn"), map_location=map_location, weights_only=not callable(map_location))
    assert loaded.device.type == "cpu"
    assert_bit_equal(loaded, src)


@pytest.mark.parametrize("map_location", ["ttnn", "ttnn:0", {"cpu": "ttnn:0"}, lambda s, loc: s.ttnn()],
                         ids=["str", "indexed", "dict", "callable"])
def test_cpu_saved_file_loads_on_ttnn(map_location, tmp_path):
    src = {"w": torch.randn(3, 4), "i": torch.arange(5), "view": None}
    src["view"] = src["w"][1:, ::2]
    path = tmp_path / "cpu.pt"
    torch.save(src, path)
    loaded = torch.load(path, map_location=map_location, weights_only=not callable(map_location))
    for key in ["w", "i", "view"]:
        assert loaded[key].device == torch.device("ttnn:0"), key
        assert_bit_equal(loaded[key].cpu(), src[key])
    assert _same_storage(loaded["view"], loaded["w"])
    assert loaded["view"].storage_offset() == src["view"].storage_offset()
    assert loaded["view"].stride() == src["view"].stride()


def test_default_weights_only_load_of_ttnn_state_dict():
    """torch.load's default (weights_only=True) must accept ttnn tensors."""
    model = nn.Linear(3, 2).to("ttnn")
    loaded = _round_trip(model.state_dict())
    for key, value in model.state_dict().items():
        assert loaded[key].device == torch.device("ttnn:0")
        assert_bit_equal(loaded[key].cpu(), value.cpu())


def test_views_keep_storage_sharing():
    base = torch.randn(5, 6).to("ttnn")
    objs = {"base": base, "slice": base[1:, ::2], "t": base.t(), "row": base[3], "flat": base.view(-1)[7:20]}
    for map_location in [None, "cpu", "ttnn"]:
        loaded = _round_trip(objs, map_location=map_location)
        for key, value in objs.items():
            assert _same_storage(loaded[key], loaded["base"]), key
            assert loaded[key].storage_offset() == value.storage_offset(), key
            assert loaded[key].stride() == value.stride(), key
            assert_bit_equal(loaded[key].cpu(), value.cpu())
        # writes through a loaded view reach the loaded base
        loaded["slice"].fill_(42.0)
        want = base.cpu().clone()
        want[1:, ::2] = 42.0
        assert_bit_equal(loaded["base"].cpu(), want)
    assert not torch.any(base.cpu() == 42.0)  # the original is a separate storage


def test_view_saved_alone_keeps_offset():
    base = torch.arange(24.0).to("ttnn").reshape(4, 6)
    loaded = _round_trip(base[2:, 1::2])
    assert loaded.storage_offset() == 13
    assert loaded.untyped_storage().nbytes() == 96  # the whole storage is saved, as on the CPU
    assert_bit_equal(loaded.cpu(), torch.arange(24.0).reshape(4, 6)[2:, 1::2])


def test_storages():
    src = torch.tensor([1.5, -2.0, float("nan")]).to("ttnn")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        loaded = _round_trip(src.untyped_storage(), weights_only=False)
        want_type = type(_round_trip(src.cpu().untyped_storage(), weights_only=False))
        assert type(loaded) is want_type
        assert loaded.device == torch.device("ttnn:0")
        assert bytes(loaded.cpu()) == bytes(src.untyped_storage().cpu())
        typed = _round_trip(src.storage(), weights_only=False)
        assert typed.device == torch.device("ttnn:0") and typed.dtype == torch.float32
        assert_bit_equal(torch.tensor(typed.cpu().tolist()), src.cpu())
        on_cpu = _round_trip(src.untyped_storage(), map_location="cpu", weights_only=False)
        assert on_cpu.device.type == "cpu"
        assert bytes(on_cpu) == bytes(src.untyped_storage().cpu())


def test_tile_format_tensor_saves_its_values():
    src = torch.randn(33, 40)
    dev = src.to("ttnn")
    ttnn_device.set_physical_format(dev, "TILE", "FLOAT32")
    loaded = _round_trip(dev)
    assert_bit_equal(loaded.cpu(), src)


def test_parameters_and_requires_grad():
    p = nn.Parameter(torch.randn(3).to("ttnn"))
    loaded = _round_trip({"p": p, "g": torch.randn(2, requires_grad=True).to("ttnn")}, weights_only=False)
    assert isinstance(loaded["p"], nn.Parameter) and loaded["p"].device.type == "ttnn"
    assert_bit_equal(loaded["p"].detach().cpu(), p.detach().cpu())


def test_model_state_dict_round_trip_into_fresh_model(tmp_path):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.LazyLinear(5))
    model(torch.randn(1, 3, 8, 8))
    model.to("ttnn")
    path = tmp_path / "model.pt"
    torch.save(model.state_dict(), path)
    fresh = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(144, 5))
    fresh.load_state_dict(torch.load(path, map_location="cpu"))
    x = torch.randn(2, 3, 8, 8)
    model.eval(), fresh.eval()
    with torch.no_grad():
        torch.testing.assert_close(model(x.to("ttnn")).cpu(), fresh(x), rtol=1e-5, atol=1e-6)
    state = torch.load(path)
    assert all(v.device.type == "ttnn" for v in state.values())
    for key, value in model.state_dict().items():
        assert_bit_equal(state[key].cpu(), value.cpu())


def test_optimizer_state_round_trip():
    model = nn.Linear(4, 3).to("ttnn")
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    model(torch.randn(2, 4).to("ttnn")).sum().backward()
    opt.step()
    loaded = _round_trip(opt.state_dict())
    for idx, state in opt.state_dict()["state"].items():
        for key in ["exp_avg", "exp_avg_sq"]:
            assert loaded["state"][idx][key].device.type == "ttnn"
            assert_bit_equal(loaded["state"][idx][key].cpu(), state[key].cpu())


def test_n300_map_location_between_devices(run_py, tmp_path):
    out = run_py(
        f"""
        import io
        path = {str(tmp_path / "n300.pt")!r}
        x = torch.randn(4, 6)
        y = torch.arange(10, dtype=torch.int64)
        d1 = x.to("ttnn:1")
        torch.save({{"a": x.to("ttnn:0"), "b": d1, "v": d1[1:, ::2], "y": y.to("ttnn:1")}}, path)
        plain = torch.load(path)
        assert plain["a"].device == torch.device("ttnn:0"), plain["a"].device
        assert plain["b"].device == torch.device("ttnn:1"), plain["b"].device
        assert plain["v"].untyped_storage().data_ptr() == plain["b"].untyped_storage().data_ptr()
        moved = torch.load(path, map_location="ttnn:1")
        assert {{t.device for t in moved.values()}} == {{torch.device("ttnn:1")}}
        assert torch.equal(moved["a"].cpu(), x) and torch.equal(moved["b"].cpu(), x)
        assert torch.equal(moved["v"].cpu(), x[1:, ::2]) and torch.equal(moved["y"].cpu(), y)
        swapped = torch.load(path, map_location={{"ttnn:0": "ttnn:1", "ttnn:1": "ttnn:0"}})
        assert swapped["a"].device == torch.device("ttnn:1") and swapped["b"].device == torch.device("ttnn:0")
        assert torch.equal(swapped["a"].cpu(), x) and torch.equal(swapped["b"].cpu(), x)
        to_cpu = torch.load(path, map_location="cpu")
        assert all(t.device.type == "cpu" for t in to_cpu.values())
        assert torch.equal(to_cpu["y"], y)
        buf = io.BytesIO()
        torch.save(x, buf)
        buf.seek(0)
        assert torch.load(buf, map_location="ttnn:1").device == torch.device("ttnn:1")
        print("ok")
        """,
        env={"TTNN_DEVICE_BOARD": "n300"},
    )
    assert out.stdout.strip().endswith("ok")


def test_loading_ttnn_file_in_fresh_process(run_py, tmp_path):
    """A file written by one process loads in another (with autoload, without importing ttnn_device)."""
    path = tmp_path / "fresh.pt"
    src = torch.randn(3, 3)
    torch.save({"x": src.to("ttnn")}, path)
    torch.save(src, tmp_path / "ref.pt")
    out = run_py(
        f"""
        import torch
        d = torch.load({str(path)!r})
        ref = torch.load({str(tmp_path / "ref.pt")!r})
        print(d["x"].device, torch.equal(d["x"].cpu(), ref))
        """,
        import_device=False,
    )
    assert out.stdout.split() == ["ttnn:0", "True"]
