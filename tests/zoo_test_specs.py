"""Model specs for testing the zoo harness apart from the zoo (`--specs tests/zoo_test_specs.py`).

Tags: "quick" (tiny models covering each task kind and input/output shape the harness handles),
"vision" (a real torchvision model), "harness-failure" (models that raise, crash or hang, to check that the
run isolates them).
"""

import os
import time

import torch
from torch import nn

from benchmarks.zoo.spec import ModelSpec


def _seeded(build):
    def wrapped():
        torch.manual_seed(0)
        return build().eval()
    return wrapped


def _randn(*shape):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(1))


class TinyLM(nn.Module):
    """Embedding, one causal transformer layer, vocabulary head: enough for greedy decoding."""

    def __init__(self, vocab=50, width=32):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.layer = nn.TransformerEncoderLayer(width, 4, 64, dropout=0.0, batch_first=True)
        self.head = nn.Linear(width, vocab)

    def forward(self, ids):
        mask = nn.Transformer.generate_square_subsequent_mask(ids.shape[1], device=ids.device)
        return self.head(self.layer(self.embed(ids), src_mask=mask, is_causal=True))


def greedy(model, inputs, new_tokens=4):
    """Greedy decoding without a cache: returns the token ids and every step's logits."""
    ids = inputs[0]
    steps = []
    for _ in range(new_tokens):
        logits = model(ids)[:, -1]
        steps.append(logits)
        ids = torch.cat([ids, logits.argmax(-1, keepdim=True)], dim=1)
    return {"sequences": ids, "scores": torch.stack(steps, 1)}


class DictIO(nn.Module):
    """Keyword inputs and a nested output (tuple holding a dict), as transformers models have."""

    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(16, 16)

    def forward(self, features, scale):
        hidden = torch.tanh(self.proj(features)) * scale
        return hidden, {"pooled": hidden.mean(1), "count": torch.tensor(hidden.shape[1])}


def _boom():
    raise RuntimeError("this model fails on purpose")


def _hang(batch):
    time.sleep(3600)


def _crash():
    os.abort()


def _mlp():
    return nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))


def _cnn():
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3),
                         nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10))


def _resnet18():
    import torchvision
    return torchvision.models.resnet18(weights=None)


SPECS = [
    # The failing models come first: the isolation test then shows that the run goes on after them.
    ModelSpec("fails_on_build", "harness", "custom", "raises in build()", _boom, lambda b: (), tags=("harness-failure",)),
    ModelSpec("hangs_on_inputs", "harness", "custom", "sleeps in inputs()", _seeded(_mlp), _hang,
              tags=("harness-failure",)),
    ModelSpec("crashes_on_build", "harness", "custom", "os.abort() in build()", _crash, lambda b: (),
              tags=("harness-failure",)),
    ModelSpec("tiny_mlp", "mlp", "custom", "Linear-ReLU-Linear 64-128-10", _seeded(_mlp),
              lambda b: (_randn(b, 64),), batch=8, task="classification", tags=("quick", "train"), train=True),
    ModelSpec("tiny_cnn", "vision-cnn", "custom", "2 conv + pool + linear, 1x28x28", _seeded(_cnn),
              lambda b: (_randn(b, 1, 28, 28),), batch=4, task="classification", tags=("quick", "train"),
              train=True),
    ModelSpec("tiny_lm_generate", "nlp-decoder", "custom", "embedding + causal encoder layer + head, greedy x4",
              _seeded(TinyLM), lambda b: (torch.randint(0, 50, (b, 6), generator=torch.Generator().manual_seed(2)),),
              batch=2, task="generate", run=greedy, tags=("quick",)),
    ModelSpec("tiny_dict_io", "features", "custom", "Linear + tanh, keyword inputs, nested outputs",
              _seeded(DictIO), lambda b: {"features": _randn(b, 5, 16), "scale": torch.tensor(2.0)}, batch=2,
              tags=("quick",)),
    ModelSpec("resnet18", "vision-cnn", "torchvision", "torchvision.models.resnet18(weights=None)",
              _seeded(_resnet18), lambda b: (_randn(b, 3, 224, 224),), batch=1, task="classification",
              tags=("vision",), train=True),
]
