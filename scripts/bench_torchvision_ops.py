#!/usr/bin/python3
"""Times torchvision's detection ops on the inputs tests/MaskRcnn.Benchmarks uses (same shapes, same recipe).

Usage: /usr/bin/python3 scripts/bench_torchvision_ops.py [--threads 2] [--reps 5] [--json FILE]
Prints one row per case (median/min/max ms); scripts/bench_ops.sh runs it next to the C# benchmarks.
"""
import argparse
import json
import statistics
import time

import torch
import torchvision
from torchvision.models.detection.roi_heads import paste_masks_in_image
from torchvision.ops import boxes as box_ops
from torchvision.ops.poolers import MultiScaleRoIAlign

IMAGE_H, IMAGE_W = 800, 1088


def random_boxes(g, n, min_size=16.0, max_size=400.0):
    wh = torch.rand(n, 2, generator=g) * (max_size - min_size) + min_size
    xy = torch.rand(n, 2, generator=g) * torch.tensor([IMAGE_W, IMAGE_H])
    b = torch.cat([xy - wh / 2, xy + wh / 2], 1)
    b[:, 0::2] = b[:, 0::2].clamp(0, IMAGE_W)
    b[:, 1::2] = b[:, 1::2].clamp(0, IMAGE_H)
    return b


def cases():
    g = torch.Generator().manual_seed(0)
    feature = torch.randn(1, 256, IMAGE_H // 4, IMAGE_W // 4, generator=g)
    rois = torch.cat([torch.zeros(1000, 1), random_boxes(g, 1000)], 1)

    def roi_fwd():
        torchvision.ops.roi_align(feature, rois, (7, 7), 0.25, 2, False)

    feature_grad = feature.clone().requires_grad_(True)
    grad_out = torch.randn(1000, 256, 7, 7, generator=g)

    def roi_bwd():
        out = torchvision.ops.roi_align(feature_grad, rois, (7, 7), 0.25, 2, False)
        out.backward(grad_out)
        feature_grad.grad = None

    feats = {str(i): torch.randn(1, 256, IMAGE_H // s, IMAGE_W // s, generator=g) for i, s in enumerate((4, 8, 16, 32))}
    boxes1000 = [random_boxes(g, 1000)]
    boxes512 = [random_boxes(g, 512)]
    pool7 = MultiScaleRoIAlign(["0", "1", "2", "3"], 7, 2)
    pool14 = MultiScaleRoIAlign(["0", "1", "2", "3"], 14, 2)

    nms_boxes = {n: (random_boxes(g, n, 16, 256), torch.rand(n, generator=g)) for n in (1000, 4000)}
    per_class = random_boxes(g, 80 * 1000, 16, 256)
    per_class_scores = torch.rand(80 * 1000, generator=g)
    per_class_ids = torch.arange(80).repeat_interleave(1000)
    keep = per_class_scores > 0.05
    b_boxes, b_scores, b_ids = per_class[keep], per_class_scores[keep], per_class_ids[keep]

    masks = torch.rand(100, 1, 28, 28, generator=g)
    mask_boxes = random_boxes(g, 100)

    return [
        ("RoIAlign forward, 1000 boxes -> 7x7", roi_fwd),
        ("RoIAlign backward, 1000 boxes -> 7x7", roi_bwd),
        ("Pooler 4 levels, 1000 boxes -> 7x7", lambda: pool7(feats, boxes1000, [(IMAGE_H, IMAGE_W)])),
        ("Pooler 4 levels, 512 boxes -> 14x14", lambda: pool14(feats, boxes512, [(IMAGE_H, IMAGE_W)])),
        ("NMS 1000 boxes", lambda: box_ops.nms(*nms_boxes[1000], 0.5)),
        ("NMS 4000 boxes", lambda: box_ops.nms(*nms_boxes[4000], 0.5)),
        (f"Batched NMS 80 classes x 1000 (score > 0.05)", lambda: box_ops.batched_nms(b_boxes, b_scores, b_ids, 0.5)),
        ("Paste 100 masks 28x28 into 800x1088", lambda: paste_masks_in_image(masks, mask_boxes, (IMAGE_H, IMAGE_W), 1)),
    ]


def peak_mb():
    """The process's peak resident memory so far (VmHWM), in MB."""
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024
    return 0.0


def time_case(name, fn, reps):
    """Runs fn once to warm up, then reps times; returns the result row (milliseconds) the benchmark JSON files hold."""
    fn()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {"Name": name, "MedianMs": statistics.median(times), "MinMs": times[0], "MaxMs": times[-1], "Reps": reps, "PeakMb": peak_mb()}


def run(make_cases, lazy=False):
    """Times every case (or those matching a filter) and prints and optionally saves the results. With lazy, each
    case is (name, setup) and setup() returns the timed function, so unselected cases build nothing."""
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--json")
    p.add_argument("filters", nargs="*")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    print(f"threads {torch.get_num_threads()}, {a.reps} repetitions after 1 warm-up, torch {torch.__version__}, torchvision {torchvision.__version__}")
    results = []
    for name, fn in make_cases():
        if a.filters and not any(f.lower() in name.lower() for f in a.filters):
            continue
        if lazy:
            fn = fn()
        r = time_case(name, fn, a.reps)
        results.append(r)
        print(f"{name:<58} median {r['MedianMs']:10.2f} ms   min {r['MinMs']:10.2f}   max {r['MaxMs']:10.2f}   peak {r['PeakMb']:.0f} MB", flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    run(cases)
