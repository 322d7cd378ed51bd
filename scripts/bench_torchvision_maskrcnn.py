#!/usr/bin/python3
"""Times torchvision's maskrcnn_resnet50_fpn as tests/MaskRcnn.Benchmarks times ours: same deterministic weights
(the rule of scripts/make_model_fixture.py), same image sizes, 2 threads.

Usage: /usr/bin/python3 scripts/bench_torchvision_maskrcnn.py [--reps 3] [--json FILE] [FILTER ...]
Each case also reports the process's peak resident memory so far (VmHWM); run one case per process for per-case peaks.
"""
import argparse
import json
import statistics
import time

import torch
import torchvision

import reference_weights as rw


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


def peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024
    return 0.0


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


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--json")
    p.add_argument("filters", nargs="*")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    print(f"threads {torch.get_num_threads()}, {a.reps} repetitions after 1 warm-up, torch {torch.__version__}, torchvision {torchvision.__version__}")
    results = []
    for name, make in cases():
        if a.filters and not any(f.lower() in name.lower() for f in a.filters):
            continue
        fn = make()
        fn()
        times = []
        for _ in range(a.reps):
            t = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        r = {"Name": name, "MedianMs": statistics.median(times), "MinMs": times[0], "MaxMs": times[-1], "Reps": a.reps, "PeakMb": peak_mb()}
        results.append(r)
        print(f"{name:<58} median {r['MedianMs']:10.2f} ms   min {r['MinMs']:10.2f}   max {r['MaxMs']:10.2f}   peak {r['PeakMb']:.0f} MB", flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
