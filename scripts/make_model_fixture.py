#!/usr/bin/python3
"""Reference outputs of torchvision's maskrcnn_resnet50_fpn on deterministic weights, for the C# parity test.

Usage: /usr/bin/python3 scripts/make_model_fixture.py [OUT]   # default tests/MaskRcnn.Tests/Fixtures/model/torchvision_maskrcnn_r50_fpn.json

No weights are stored: every state-dict tensor is filled by a rule that the C# test computes too
(tests/MaskRcnn.Tests/Modeling/ReferenceWeights.cs): h = FNV-1a 32-bit hash of the key; element i gets
u = ((i * 2654435761 + h) mod 2^32) / 2^32 and then, by key, running_mean (2u-1)*0.1, running_var 0.5+u,
1-D weight 0.5+0.5u, bias (2u-1)*0.1, >=2-D weight (2u-1)*sqrt(6/fan_in). The image is made the same way
from the key "image". Stored: the backbone/FPN features (two channels of each level in full, and every
channel's mean), the RPN proposals, and the detections with their 28x28 mask probabilities.
"""
import math
import sys

import numpy as np
import torch
import torchvision

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from make_ops_fixtures import T, to_json, VERSIONS  # noqa: E402

HEIGHT, WIDTH = 320, 416


def fnv1a(text):
    h = 2166136261
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h


def uniform(key, n):
    i = np.arange(n, dtype=np.uint64)
    return ((i * np.uint64(2654435761) + np.uint64(fnv1a(key))) % np.uint64(2 ** 32)).astype(np.float64) / 2.0 ** 32


def reference_value(key, shape):
    n = int(np.prod(shape)) if len(shape) else 1
    u = uniform(key, n)
    if key.endswith("running_mean"):
        v = (2 * u - 1) * 0.1
    elif key.endswith("running_var"):
        v = 0.5 + u
    elif key.endswith("bias"):
        v = (2 * u - 1) * 0.1
    elif key.endswith("weight") and len(shape) == 1:
        v = 0.5 + 0.5 * u
    else:
        fan_in = shape[1] * int(np.prod(shape[2:])) if len(shape) > 1 else n
        v = (2 * u - 1) * math.sqrt(6.0 / fan_in)
    return torch.from_numpy(v.astype(np.float32)).reshape(shape)


def main(out):
    torch.set_num_threads(2)
    model = torchvision.models.detection.maskrcnn_resnet50_fpn(
        weights=None, weights_backbone=None, min_size=HEIGHT, max_size=WIDTH, box_score_thresh=0.0, box_detections_per_img=100)
    with torch.no_grad():
        for key, tensor in model.state_dict().items():
            if key.endswith("num_batches_tracked"):
                continue
            tensor.copy_(reference_value(key, tuple(tensor.shape)))
    model.eval()
    image = torch.from_numpy(uniform("image", 3 * HEIGHT * WIDTH).astype(np.float32)).reshape(3, HEIGHT, WIDTH)

    captured = {}
    model.backbone.register_forward_hook(lambda m, i, o: captured.__setitem__("features", o))
    model.rpn.register_forward_hook(lambda m, i, o: captured.__setitem__("proposals", o[0]))
    model.roi_heads.mask_predictor.register_forward_hook(lambda m, i, o: captured.__setitem__("mask_logits", o))
    with torch.no_grad():
        result = model([image])[0]
    labels = result["labels"]
    logits = captured["mask_logits"]
    mask_probabilities = torch.sigmoid(logits[torch.arange(labels.shape[0]), labels])

    tensors = {}  # the image is recomputed from the rule, not stored
    for i, (name, f) in enumerate(captured["features"].items()):
        tensors[f"features{i}_channels01"] = T(f[0, :2])
        tensors[f"features{i}_means"] = T(f[0].mean(dim=(1, 2)))
    tensors["proposals"] = T(captured["proposals"][0])
    tensors["boxes"] = T(result["boxes"])
    tensors["scores"] = T(result["scores"])
    tensors["labels"] = T(labels)
    tensors["mask_probabilities"] = T(mask_probabilities)
    case = {"name": "maskrcnn_resnet50_fpn", "params": {"height": HEIGHT, "width": WIDTH, "feature_names": list(captured["features"].keys())},
            "tensors": tensors}
    with open(out, "w") as f:
        f.write(to_json({"op": "maskrcnn_resnet50_fpn", "versions": VERSIONS, "cases": [case]}))
        f.write("\n")
    print(f"{out}: {labels.shape[0]} detections, {captured['proposals'][0].shape[0]} proposals")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/MaskRcnn.Tests/Fixtures/model/torchvision_maskrcnn_r50_fpn.json")
