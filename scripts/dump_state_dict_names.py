#!/usr/bin/env python3
"""Names and shapes of torchvision's R-50-FPN Mask R-CNN, Faster R-CNN, Keypoint R-CNN and RetinaNet state dicts, for the name-map tests.

    /usr/bin/python3 scripts/dump_state_dict_names.py

Writes tests/MaskRcnn.Tests/Fixtures/model/torchvision_state_dict_names.json (Debian's torch 1.13 / torchvision 0.14).
"""
import json
import os

import torch
import torchvision
from torchvision.models.detection import (fasterrcnn_resnet50_fpn, keypointrcnn_resnet50_fpn, maskrcnn_resnet50_fpn,
                                          retinanet_resnet50_fpn)

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "MaskRcnn.Tests", "Fixtures", "model", "torchvision_state_dict_names.json")


def names(model):
    return [[name, list(t.shape)] for name, t in model.state_dict().items()]


def main():
    models = {
        "maskrcnn_resnet50_fpn": names(maskrcnn_resnet50_fpn(weights=None, weights_backbone=None)),
        "fasterrcnn_resnet50_fpn": names(fasterrcnn_resnet50_fpn(weights=None, weights_backbone=None)),
        "retinanet_resnet50_fpn": names(retinanet_resnet50_fpn(weights=None, weights_backbone=None)),
        "keypointrcnn_resnet50_fpn": names(keypointrcnn_resnet50_fpn(weights=None, weights_backbone=None)),
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    versions = {"torch": torch.__version__, "torchvision": torchvision.__version__}
    # One name per line, so that a diff of the fixture reads as a diff of names.
    blocks = [f'  {json.dumps(model)}: [\n' + ",\n".join(f"   {json.dumps(entry)}" for entry in entries) + "\n  ]"
              for model, entries in models.items()]
    with open(OUT, "w") as f:
        f.write('{\n "versions": ' + json.dumps(versions) + ',\n "models": {\n' + ",\n".join(blocks) + "\n }\n}\n")
    print(f"wrote {OUT}: " + ", ".join(f"{k} {len(v)} names" for k, v in models.items()))


if __name__ == "__main__":
    main()
