"""What the harness needs to know about one zoo model."""

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import torch


@dataclass(frozen=True)
class ModelSpec:
    """One zoo entry. Everything is built offline with seeded random weights (unless `real_weights`).

    build():        returns the model, in eval() mode, on the CPU, float32.
    inputs(batch):  returns example inputs for `batch` samples: a tuple (positional args) or a dict
                    (keyword args), CPU tensors, deterministic (seeded inside).
    run(model, inputs): optional; how to call the model (e.g. greedy `generate`). Default: model(*inputs)
                    or model(**inputs). Whatever it returns, the harness compares every floating tensor in
                    it (nested tuples/lists/dicts/ModelOutput) against the CPU.
    """

    name: str
    family: str                       # vision-cnn, vision-transformer, nlp-encoder, nlp-decoder, detection, ...
    source: str                       # "torchvision", "timm", "transformers", "ultralytics", "smp", "custom"
    constructor: str                  # human-readable constructor, shown in the table
    build: Callable[[], torch.nn.Module]
    inputs: Callable[[int], Any]
    batch: int = 1
    task: str = "features"            # "classification" (logits [B, C]: top-1 is reported), "features", "detection", "generate"
    run: Optional[Callable[[torch.nn.Module, Any], Any]] = None
    tags: tuple = field(default_factory=tuple)   # e.g. ("quick", "train", "cnn")
    train: bool = False               # part of the training subset (forward, backward, optimizer step)
    train_autocast: bool = False      # also a training step under torch.autocast(bfloat16)
    real_weights: bool = False
    supports_bfloat16: bool = True    # False where the library itself cannot run in bf16 on the CPU
    notes: str = ""
