"""ultralytics YOLO detectors, built from their bundled yaml (no weights file, nothing downloaded).

The module is the raw `DetectionModel` (`YOLO('yolov8n.yaml').model`): no letterboxing and no NMS. `run` returns
the decoded predictions [B, 4 + 80, anchors] and the head's raw box-distribution and class outputs.
"""

import os

os.environ.setdefault("YOLO_OFFLINE", "1")  # no update checks, no telemetry

from ultralytics import YOLO  # noqa: E402

from ._common import CALIBRATED, calibrated, image_inputs, seeded_build  # noqa: E402
from .spec import ModelSpec  # noqa: E402

SIZE = 320


def _yolo_constructor(yaml):
    def constructor():
        return YOLO(yaml, verbose=False).model

    constructor.__name__ = yaml.split(".")[0]
    return constructor


def _yolo_run(model, inputs):
    decoded, raw = model(*inputs)
    return {"predictions": decoded, "boxes": raw["boxes"], "scores": raw["scores"]}


def _yolo(name, yaml, notes=""):
    return ModelSpec(
        name=name,
        family="detection",
        source="ultralytics",
        constructor=f"ultralytics.YOLO({yaml!r}).model (raw head output, no NMS), {SIZE}x{SIZE}",
        # With fresh batch-norm statistics, random YOLO weights give a constant box head (2.0 +- 1e-7, any image).
        build=seeded_build(_yolo_constructor(yaml), calibrated(SIZE, unit=True)),
        inputs=image_inputs(SIZE, unit=True),
        task="detection",
        run=_yolo_run,
        tags=("detection", "cnn"),
        notes="returns predictions [B, 84, 2100] (decoded boxes + class scores), and the head's raw "
        "boxes [B, 64, 2100] and scores [B, 80, 2100]; " + CALIBRATED
        + " (without it the box head's output is constant)" + (("; " + notes) if notes else ""),
    )


SPECS = [
    _yolo("yolov8n", "yolov8n.yaml"),
    _yolo("yolo11n", "yolo11n.yaml"),
]
