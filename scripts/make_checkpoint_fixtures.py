#!/usr/bin/env python3
"""Fixtures for the checkpoint tests, written with scripts/pth_to_safetensors.py's writer (no safetensors package).

    /usr/bin/python3 scripts/make_checkpoint_fixtures.py

Writes under tests/MaskRcnn.Tests/Fixtures/checkpoint/:
  python_dtypes.safetensors / .json  one tensor of every dtype (special values included), metadata with non-ASCII
                                      text; the .json holds the values as torch reads them
  maskrcnn_benchmark_checkpoint.pth   a tiny maskrcnn-benchmark-style checkpoint ({"model": ..., "optimizer":
                                      ..., "iteration": ...}, DataParallel "module." names, anchor buffers) as torch.save writes it
  maskrcnn_benchmark_checkpoint.safetensors  the same converted by pth_to_safetensors.py
"""
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
import pth_to_safetensors  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "MaskRcnn.Tests", "Fixtures", "checkpoint")
INF, NAN = float("inf"), float("nan")


def dtype_tensors():
    return {
        "f32": torch.tensor([[0.0, -0.0, 1.0 / 3.0], [3.4e38, -INF, NAN]], dtype=torch.float32),
        "f32_subnormal": torch.tensor([1e-45, -1e-40, 1.17549435e-38], dtype=torch.float32),
        "f16": torch.tensor([1.0 / 3.0, 65504.0, -2.0 ** -24, INF], dtype=torch.float16),
        "bf16": torch.tensor([[1.0 / 3.0, -1e30], [3.0e38, NAN]], dtype=torch.bfloat16),
        "f64": torch.tensor([math.pi, -1e300, 5e-324], dtype=torch.float64),
        "i64": torch.tensor([-2 ** 63, 2 ** 63 - 1, 0], dtype=torch.int64),
        "i32": torch.tensor([-2 ** 31, 2 ** 31 - 1, 7], dtype=torch.int32),
        "i16": torch.tensor([-32768, 32767], dtype=torch.int16),
        "i8": torch.tensor([-128, 127, -1], dtype=torch.int8),
        "u8": torch.tensor([0, 255, 7], dtype=torch.uint8),
        "bool": torch.tensor([[True, False], [False, True]]),
        "empty": torch.zeros((0, 4), dtype=torch.float32),
        "scalar": torch.tensor(42, dtype=torch.int64),
        "a.nested.name": torch.arange(6, dtype=torch.float32).reshape(1, 2, 3),
    }


def json_value(x):
    if isinstance(x, float) and not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    return x


def expected(t):
    flat = t.reshape(-1)
    values = flat.double().tolist() if t.dtype.is_floating_point else flat.tolist()
    return {"dtype": pth_to_safetensors.NAME[t.dtype], "shape": list(t.shape), "values": [json_value(v) for v in values]}


def write_dtypes():
    tensors = dtype_tensors()
    metadata = {"format": "pt", "note": "written by scripts/make_checkpoint_fixtures.py", "text": "h\u00e9llo \u2713 \"quoted\"\nnext line"}
    pth_to_safetensors.save_safetensors(os.path.join(OUT, "python_dtypes.safetensors"), tensors, metadata)
    with open(os.path.join(OUT, "python_dtypes.json"), "w") as f:
        json.dump({"metadata": metadata, "tensors": {k: expected(v) for k, v in tensors.items()}}, f, indent=1)
        f.write("\n")


def benchmark_checkpoint():
    """The names of the test module in CheckpointTestModel.cs, as maskrcnn-benchmark's trainer saves them."""
    g = torch.Generator().manual_seed(0)
    model = {
        "backbone.body.stem.conv1.weight": torch.randn(2, 3, 1, 1, generator=g),
        "backbone.body.stem.bn1.weight": torch.rand(2, generator=g),
        "backbone.body.stem.bn1.bias": torch.randn(2, generator=g),
        "backbone.body.stem.bn1.running_mean": torch.zeros(2),
        "backbone.body.stem.bn1.running_var": torch.ones(2),
        "backbone.body.layer1.0.bn1.weight": torch.rand(2, generator=g),
        "backbone.body.layer1.0.bn1.bias": torch.randn(2, generator=g),
        "backbone.body.layer1.0.bn1.running_mean": torch.randn(2, generator=g),
        "backbone.body.layer1.0.bn1.running_var": torch.rand(2, generator=g) + 0.5,
        "rpn.anchor_generator.cell_anchors.0": torch.tensor([[-22.0, -10.0, 25.0, 13.0], [-14.0, -14.0, 17.0, 17.0], [-10.0, -22.0, 13.0, 25.0]]),
        "rpn.head.conv.weight": torch.randn(2, 2, 3, 3, generator=g),
        "rpn.head.conv.bias": torch.randn(2, generator=g),
        "roi_heads.box.predictor.cls_score.weight": torch.randn(3, 2, generator=g),
        "roi_heads.box.predictor.cls_score.bias": torch.randn(3, generator=g),
        "roi_heads.box.predictor.bbox_pred.weight": torch.randn(12, 2, generator=g),
        "roi_heads.box.predictor.bbox_pred.bias": torch.randn(12, generator=g),
    }
    checkpoint = {
        "model": {"module." + k: v for k, v in model.items()},
        "optimizer": {"state": {}, "param_groups": [{"lr": 0.02, "momentum": 0.9, "params": list(range(len(model)))}]},
        "scheduler": {"last_epoch": 90000, "milestones": [60000, 80000]},
        "iteration": 90000,
    }
    pth = os.path.join(OUT, "maskrcnn_benchmark_checkpoint.pth")
    torch.save(checkpoint, pth)
    pth_to_safetensors.main(["pth_to_safetensors.py", pth, os.path.join(OUT, "maskrcnn_benchmark_checkpoint.safetensors"), "--trust"])  # made above
    with open(os.path.join(OUT, "maskrcnn_benchmark_checkpoint.json"), "w") as f:
        json.dump({"tensors": {k: expected(v) for k, v in model.items()}}, f, indent=1)
        f.write("\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    write_dtypes()
    benchmark_checkpoint()
    print(f"wrote fixtures to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
