"""timm models: timm.create_model(name, pretrained=False), a [B, 3, 224, 224] image, logits [B, 1000].

CNNs (batch norm) get their running statistics from random images (_common.calibrate_batchnorm): with timm's
fresh statistics GhostNet, Xception, DLA, VoVNet and HRNet give the same logits (to 1e-4) for any input.
"""

import timm

from ._common import CALIBRATED, calibrated, image_inputs, reinit_linear, seeded_build
from .spec import ModelSpec


def _reinit_head(model):
    reinit_linear(model.get_classifier())


def _timm(spec_name, timm_name, family="vision-cnn", batch=1, tags=(), train=False, post=None, batch_norm=None,
          notes="", train_autocast=False):
    kind = {"vision-cnn": "cnn", "vision-mlp": "mlp"}.get(family, "transformer")
    if batch_norm is None:
        batch_norm = family in ("vision-cnn", "vision-hybrid")
    if batch_norm:
        post = calibrated(224)
        notes = "; ".join(x for x in (CALIBRATED, notes) if x)
    return ModelSpec(
        name=spec_name,
        family=family,
        source="timm",
        constructor=f"timm.create_model({timm_name!r}, pretrained=False)",
        build=seeded_build(lambda: timm.create_model(timm_name, pretrained=False), post),
        inputs=image_inputs(224),
        batch=batch,
        task="classification",
        tags=tuple(dict.fromkeys((kind,) + tuple(tags))),
        train=train,
        train_autocast=train_autocast,
        notes=notes,
    )


SPECS = [
    _timm("efficientnet_lite0", "efficientnet_lite0"),
    _timm("ghostnet_100", "ghostnet_100"),
    _timm("vovnet19b_dw", "ese_vovnet19b_dw"),
    _timm("dla34", "dla34"),
    _timm("xception41", "xception41"),
    _timm("legacy_xception", "legacy_xception"),
    _timm("regnetx_002", "regnetx_002", batch=2),
    _timm("hrnet_w18_small", "hrnet_w18_small"),
    _timm("convnext_tiny", "convnext_tiny", batch_norm=False),
    _timm("mobilevit_s", "mobilevit_s", family="vision-hybrid", tags=("transformer",)),
    _timm("swin_tiny", "swin_tiny_patch4_window7_224", family="vision-transformer"),
    _timm("vit_base_patch16", "vit_base_patch16_224", family="vision-transformer"),
    _timm("deit_tiny", "deit_tiny_patch16_224", family="vision-transformer", batch=2, tags=("quick",), train=True, train_autocast=True),
    _timm("deit_small", "deit_small_patch16_224", family="vision-transformer"),
    _timm("mixer_b16", "mixer_b16_224", family="vision-mlp", post=_reinit_head,
          notes="the classifier head, zero-initialised by timm (all-zero logits), re-initialised N(0, 0.02)"),
]
