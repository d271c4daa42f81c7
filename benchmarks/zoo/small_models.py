"""Small custom models that no library ships: MNIST classifiers and autoencoders.

Weights: He initialisation (he_init). Inputs are real digits, [B, 1, 28, 28] in [0, 1]: scikit-learn's bundled
8x8 digits resized MNIST-style.
"""

import torch
from torch import nn

from ._common import image_inputs, seeded_build
from .spec import ModelSpec


def he_init(module):
    """He (Kaiming-normal) weights and zero biases for every Linear / Conv / ConvTranspose layer.

    torch's default initialisation scales each layer's output down (by about 1/sqrt(6) behind a ReLU): through
    the 8 layers of the linear autoencoder the input's contribution shrinks to nothing, and the reconstruction
    is the same for every image. He initialisation keeps the signal, as a trained network does.
    """
    for m in module.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            nn.init.zeros_(m.bias)
    return module


class MnistMLP(nn.Module):
    """784-128-64-10 MLP, log-softmax output."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                                 nn.Linear(64, 10))

    def forward(self, x):
        return torch.log_softmax(self.net(x), dim=1)


class LeNet5(nn.Module):
    """LeNet-5 for 28x28 inputs (padding 2 on the first conv, as in the 32x32 original), max pooling, ReLU."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


class LinearAutoencoder(nn.Module):
    """784-128-64-12-3 encoder, mirrored decoder, sigmoid reconstruction [B, 784]."""

    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                                     nn.Linear(64, 12), nn.ReLU(), nn.Linear(12, 3))
        self.decoder = nn.Sequential(nn.Linear(3, 12), nn.ReLU(), nn.Linear(12, 64), nn.ReLU(), nn.Linear(64, 128),
                                     nn.ReLU(), nn.Linear(128, 784), nn.Sigmoid())

    def forward(self, x):
        return self.decoder(self.encoder(x))


class ConvAutoencoder(nn.Module):
    """Two stride-1 convs with max pooling, two stride-2 transposed convs, sigmoid reconstruction [B, 1, 28, 28]."""

    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(4, 16, 2, stride=2), nn.ReLU(),
            nn.ConvTranspose2d(16, 1, 2, stride=2), nn.Sigmoid(),
        )

    def forward(self, x):
        return self.decoder(self.encoder(x))


def _digits(batch):
    """Real handwritten digits: scikit-learn's bundled 8x8 digits (load_digits, no download), scaled to 20x20 and
    centred in 28x28 in [0, 1] as in MNIST; the first `batch` of the 1,797. Random images if scikit-learn is
    missing."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        return image_inputs(28, channels=1, unit=True)(batch)
    data = load_digits().images[:batch]
    x = torch.from_numpy(data).float().unsqueeze(1) / 16.0
    x = torch.nn.functional.interpolate(x, size=(20, 20), mode="bilinear", align_corners=False).clamp(0, 1)
    return (torch.nn.functional.pad(x, (4, 4, 4, 4)),)


_MNIST = _digits

SPECS = [
    ModelSpec(name="mnist_mlp", family="mnist", source="custom", constructor="custom MLP 784-128-64-10",
              build=seeded_build(MnistMLP, he_init), inputs=_MNIST, batch=8, task="classification",
              tags=("quick", "mlp"), train=True, notes="log-probabilities [B, 10]"),
    ModelSpec(name="mnist_lenet5", family="mnist", source="custom", constructor="custom LeNet-5 (28x28 input)",
              build=seeded_build(LeNet5, he_init), inputs=_MNIST, batch=8, task="classification",
              tags=("quick", "cnn"), train=True),
    ModelSpec(name="autoencoder_linear", family="autoencoder", source="custom",
              constructor="custom linear autoencoder 784-128-64-12-3", build=seeded_build(LinearAutoencoder, he_init),
              inputs=_MNIST, batch=8, tags=("quick", "mlp"), notes="reconstruction [B, 784]"),
    ModelSpec(name="autoencoder_conv", family="autoencoder", source="custom",
              constructor="custom conv autoencoder (2 conv + 2 transposed conv)",
              build=seeded_build(ConvAutoencoder, he_init),
              inputs=_MNIST, batch=8, tags=("quick", "cnn"), train=True, notes="reconstruction [B, 1, 28, 28]"),
]
