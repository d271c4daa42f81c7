"""torchvision models: classifiers, segmentation and detection (plus the segmentation-models-pytorch U-Net).

Random weights everywhere: weights=None and, where the constructor has one, weights_backbone=None (its default
would download ImageNet weights). Models with batch norm get their running statistics from random images
(_common.calibrate_batchnorm): with the library's fresh statistics several of them give the same output for
any input, which would make an accuracy comparison meaningless.
"""

import torchvision
from torchvision.models import detection, segmentation

from ._common import CALIBRATED, calibrated, image_inputs, image_list_inputs, reinit_linear, seeded_build
from .spec import ModelSpec

_INSENSITIVE = ("with random weights the logits barely depend on the input (PCC %s between the logits of two "
                "random images): a PCC against the CPU says little here, top-1 and max abs error say more")

_NO_BATCH_NORM = {"alexnet", "squeezenet1_1", "vgg16", "convnext_tiny", "vit_b_16", "swin_t"}


def _notes(*parts):
    return "; ".join(p for p in parts if p)


def _classifier(name, batch=1, tags=(), train=False, size=224, notes="", train_autocast=False):
    """torchvision.models.<name>(weights=None), a [B, 3, size, size] image, logits [B, 1000]."""
    constructor = getattr(torchvision.models, name)
    calibrate = name not in _NO_BATCH_NORM
    return ModelSpec(
        name=name if name != "convnext_tiny" else "convnext_tiny_tv",
        family="vision-cnn",
        source="torchvision",
        constructor=f"torchvision.models.{name}(weights=None)",
        build=seeded_build(lambda: constructor(weights=None), calibrated(size) if calibrate else None),
        inputs=image_inputs(size),
        batch=batch,
        task="classification",
        tags=("cnn",) + tuple(tags),
        train=train,
        train_autocast=train_autocast,
        notes=_notes(CALIBRATED if calibrate else "", notes),
    )


def _vision_transformer(name, spec_name, post=None, notes=""):
    constructor = getattr(torchvision.models, name)
    return ModelSpec(
        name=spec_name,
        family="vision-transformer",
        source="torchvision",
        constructor=f"torchvision.models.{name}(weights=None)",
        build=seeded_build(lambda: constructor(weights=None), post),
        inputs=image_inputs(224),
        task="classification",
        tags=("transformer",),
        notes=notes,
    )


def _segmentation(name, spec_name, size=224):
    constructor = getattr(segmentation, name)
    return ModelSpec(
        name=spec_name,
        family="segmentation",
        source="torchvision",
        constructor=f"torchvision.models.segmentation.{name}(weights=None, weights_backbone=None)",
        build=seeded_build(lambda: constructor(weights=None, weights_backbone=None), calibrated(size)),
        inputs=image_inputs(size),
        tags=("segmentation", "cnn"),
        notes=_notes("returns {'out': [B, 21, H, W]}", CALIBRATED),
    )


_BF16_NMS = ("bfloat16 fails on the CPU in torchvision itself: RuntimeError: \"nms_kernel\" not implemented for "
             "'BFloat16' (torchvision/csrc/ops/cpu/nms_kernel.cpp)")


def _detection(name, spec_name, kwargs):
    constructor = getattr(detection, name)
    kwargs_text = "".join(f", {k}={v!r}" for k, v in kwargs.items())
    return ModelSpec(
        name=spec_name,
        family="detection",
        source="torchvision",
        constructor=f"torchvision.models.detection.{name}(weights=None, weights_backbone=None{kwargs_text})",
        build=seeded_build(lambda: constructor(weights=None, weights_backbone=None, **kwargs),
                           calibrated(320, unit=True, as_list=True, steps=1, batch=1)),
        inputs=image_list_inputs(320),
        task="detection",
        tags=("detection", "cnn"),
        supports_bfloat16=False,
        notes=_notes(
            "input: a list of one [3, 320, 320] image in [0, 1); output: a list of dicts (boxes, scores, labels"
            + (", masks" if "mask" in name else "") + ") after NMS; the number of boxes depends on the random "
            "weights and on NMS, so it can differ between devices", CALIBRATED, _BF16_NMS),
    )


# Detection at 320x320: min_size/max_size 320 keeps the models' own resize at 320 (the default 800 would make
# RetinaNet and Mask R-CNN take seconds). Low score thresholds, so that random weights still give boxes (class
# scores of a random 91-way softmax are near 1/91, below the default 0.05, and RetinaNet's prior is 0.01) and NMS
# has work to do; at most 50 detections.
_320 = dict(min_size=320, max_size=320)

SPECS = [
    _classifier("resnet18", batch=2, tags=("quick",), train=True, train_autocast=True),
    _classifier("resnet50"),
    _classifier("mobilenet_v2", batch=2),
    _classifier("mobilenet_v3_small", batch=2, tags=("quick",)),
    _classifier("mobilenet_v3_large"),
    _classifier("vgg16", notes=_INSENSITIVE % "0.995"),
    _classifier("vgg11_bn"),
    _classifier("densenet121"),
    _classifier("regnet_y_400mf"),
    _classifier("efficientnet_b0"),
    _classifier("squeezenet1_1", batch=2, tags=("quick",), notes=_INSENSITIVE % "0.9999"),
    _classifier("shufflenet_v2_x1_0"),
    _classifier("mnasnet1_0"),
    _classifier("inception_v3", notes="224x224 (the network accepts >= 75x75; its native size is 299)"),
    _classifier("googlenet"),
    _classifier("alexnet", notes=_INSENSITIVE % "0.998"),
    _classifier("resnext50_32x4d"),
    _classifier("wide_resnet50_2"),
    _classifier("convnext_tiny"),
    _vision_transformer("vit_b_16", "vit_b_16_tv", post=lambda m: reinit_linear(m.heads.head),
                        notes="the classifier head, zero-initialised by torchvision (all-zero logits), "
                              "re-initialised N(0, 0.02)"),
    _vision_transformer("swin_t", "swin_t_tv"),
    _segmentation("deeplabv3_mobilenet_v3_large", "deeplabv3_mobilenet_v3"),
    _segmentation("lraspp_mobilenet_v3_large", "lraspp_mobilenet_v3"),
    _segmentation("fcn_resnet50", "fcn_resnet50"),
    _detection("fasterrcnn_mobilenet_v3_large_320_fpn", "fasterrcnn_mobilenet_v3_320",
               dict(box_score_thresh=0.001, box_detections_per_img=50)),
    _detection("ssdlite320_mobilenet_v3_large", "ssdlite320_mobilenet_v3", dict(detections_per_img=50)),
    _detection("retinanet_resnet50_fpn", "retinanet_resnet50_fpn",
               dict(_320, score_thresh=0.001, detections_per_img=50)),
    _detection("maskrcnn_resnet50_fpn", "maskrcnn_resnet50_fpn",
               dict(_320, box_score_thresh=0.001, box_detections_per_img=50)),
]

try:
    import segmentation_models_pytorch  # noqa: F401
except ImportError:  # the U-Net needs segmentation-models-pytorch; the rest of the family does not
    pass
else:

    def _smp_unet():
        import segmentation_models_pytorch as smp

        return smp.Unet("resnet34", encoder_weights=None, in_channels=3, classes=1)

    SPECS.append(
        ModelSpec(
            name="unet_smp_resnet34",
            family="segmentation",
            source="smp",
            constructor="segmentation_models_pytorch.Unet('resnet34', encoder_weights=None, classes=1)",
            build=seeded_build(_smp_unet, calibrated(224)),
            inputs=image_inputs(224),
            tags=("segmentation", "cnn"),
            notes=_notes("mask logits [B, 1, 224, 224]", CALIBRATED),
        )
    )
