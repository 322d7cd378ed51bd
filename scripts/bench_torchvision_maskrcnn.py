#!/usr/bin/python3
"""Times torchvision's maskrcnn_resnet50_fpn as tests/MaskRcnn.Benchmarks times ours: same deterministic weights
(the rule of scripts/make_model_fixture.py), same image sizes, 2 threads.

Usage: /usr/bin/python3 scripts/bench_torchvision_maskrcnn.py [--reps 5] [--json FILE] [FILTER ...]
Each case also reports the process's peak resident memory so far (VmHWM); run one case per process for per-case peaks.
"""
import torch
import torchvision

import reference_weights as rw
from bench_torchvision_ops import run


def build(min_size, max_size):
    model = torchvision.models.detection.maskrcnn_resnet50_fpn(weights=None, weights_backbone=None, min_size=min_size, max_size=max_size)
    rw.fill(model)
    return model


def image(h, w, key="image"):
    return torch.from_numpy(rw.uniform(key, 3 * h * w).astype("float32")).reshape(3, h, w)


def targets(h, w):
    boxes = torch.tensor([[40.0, 60.0, 300.0, 400.0], [500.0, 100.0, 900.0, 500.0], [200.0, 450.0, 700.0, 780.0]])
    masks = torch.zeros(3, h, w, dtype=torch.uint8)
    for k, (x0, y0, x1, y1) in enumerate(boxes.int().tolist()):
        masks[k, y0:y1, x0:x1] = 1
    return {"boxes": boxes, "labels": torch.tensor([1, 2, 3]), "masks": masks}


def cases():
    def inference(h, w):
        model = build(h, 1333).eval()
        img = image(h, w)

        def run():
            with torch.no_grad():
                model([img])
        return run

    def training(h, w):
        model = build(h, 1333).train()
        imgs = [image(h, w, "image0"), image(h, w, "image1")]
        tgts = [targets(h, w), targets(h, w)]
        opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=1e-4, momentum=0.9)

        def run():
            losses = model(imgs, tgts)
            loss = sum(losses.values())
            opt.zero_grad()
            loss.backward()
            opt.step()
        return run

    return [
        ("Mask R-CNN R-50-FPN inference, 800x1088, batch 1", lambda: inference(800, 1088)),
        ("Mask R-CNN R-50-FPN training step, 800x1088, batch 2", lambda: training(800, 1088)),
        ("Mask R-CNN R-50-FPN training step, 512x512, batch 2", lambda: training(512, 512)),
    ]


if __name__ == "__main__":
    run(cases, lazy=True)
