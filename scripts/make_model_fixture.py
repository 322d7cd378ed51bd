#!/usr/bin/python3
"""Reference outputs of torchvision's maskrcnn_resnet50_fpn on deterministic weights, for the C# parity test.

Usage: /usr/bin/python3 scripts/make_model_fixture.py [OUT]   # default tests/MaskRcnn.Tests/Fixtures/model/torchvision_maskrcnn_r50_fpn.json

No weights are stored: every state-dict tensor is filled by the rule of scripts/reference_weights.py, which the
C# tests compute too (tests/MaskRcnn.Tests/Modeling/ReferenceWeights.cs). The image is that rule's u in [0, 1)
for the key "image". Stored: the backbone/FPN features (two channels of each level in full, and every
channel's mean), the RPN proposals, and the detections with their 28x28 mask probabilities.
"""
import sys

import numpy as np
import torch
import torchvision

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from make_ops_fixtures import T, to_json, VERSIONS  # noqa: E402
import reference_weights as rw  # noqa: E402

HEIGHT, WIDTH = 320, 416


def main(out):
    torch.set_num_threads(2)
    model = torchvision.models.detection.maskrcnn_resnet50_fpn(
        weights=None, weights_backbone=None, min_size=HEIGHT, max_size=WIDTH, box_score_thresh=0.0, box_detections_per_img=100)
    rw.fill(model)
    model.eval()
    image = torch.from_numpy(rw.uniform("image", 3 * HEIGHT * WIDTH).astype(np.float32)).reshape(3, HEIGHT, WIDTH)

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
