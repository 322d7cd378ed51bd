#!/usr/bin/python3
"""Times torchvision's model parts on the inputs tests/MaskRcnn.Benchmarks uses (same case names).

Usage: /usr/bin/python3 scripts/bench_torchvision_model.py [--threads 2] [--reps 5] [--json FILE] [FILTER ...]
Backbone + FPN inference (resnet_fpn_backbone with FrozenBatchNorm2d, eval, no grad) on one 800x1088 image.
scripts/bench_ops.sh runs it next to the C# benchmarks.
"""
import torch
from torchvision.models.detection.backbone_utils import resnet_fpn_backbone
from torchvision.ops.misc import FrozenBatchNorm2d

from bench_torchvision_ops import IMAGE_H, IMAGE_W, run


def cases():
    image = torch.randn(1, 3, IMAGE_H, IMAGE_W, generator=torch.Generator().manual_seed(4))
    result = []
    for arch, name in (("resnet50", "R-50-FPN"), ("resnet18", "R-18-FPN")):
        backbone = resnet_fpn_backbone(backbone_name=arch, weights=None, norm_layer=FrozenBatchNorm2d, trainable_layers=3).eval()

        def infer(backbone=backbone):
            with torch.no_grad():
                backbone(image)

        result.append((f"{name} backbone+FPN {IMAGE_H}x{IMAGE_W}, inference", infer))
    return result


if __name__ == "__main__":
    run(cases)
