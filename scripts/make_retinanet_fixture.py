#!/usr/bin/python3
"""Reference outputs of torchvision's retinanet_resnet50_fpn on deterministic weights, for the C# parity test.

Usage: /usr/bin/python3 scripts/make_retinanet_fixture.py [OUT]   # default tests/MaskRcnn.Tests/Fixtures/model/torchvision_retinanet_r50_fpn.json

Weights come from the rule of scripts/reference_weights.py (the C# tests compute it too); the image is that rule's u
for the key "image". Stored: the P3-P7 features (two channels in full, every channel's mean), per level the head's
class logits and box deltas at the first 50 anchors (torchvision's [N, H*W*A, K] order), the first anchors of each
level, the detections, and the losses of compute_loss for TARGETS on those head outputs and anchors (torchvision's
categories; ours are one higher), with each image's foreground-anchor count.
"""
import sys

import numpy as np
import torch
import torchvision

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from make_ops_fixtures import T, to_json, VERSIONS  # noqa: E402
import reference_weights as rw  # noqa: E402

HEIGHT, WIDTH = 320, 416
TARGETS = {"boxes": [[20.0, 30.0, 120.0, 150.0], [200.0, 40.0, 260.0, 90.0], [100.0, 180.0, 400.0, 310.0]], "labels": [1, 5, 17]}


def main(out):
    torch.set_num_threads(2)
    model = torchvision.models.detection.retinanet_resnet50_fpn(weights=None, weights_backbone=None, min_size=HEIGHT, max_size=WIDTH)
    rw.fill(model)
    model.eval()
    image = torch.from_numpy(rw.uniform("image", 3 * HEIGHT * WIDTH).astype(np.float32)).reshape(3, HEIGHT, WIDTH)

    captured = {}
    model.backbone.register_forward_hook(lambda m, i, o: captured.__setitem__("features", o))
    model.head.register_forward_hook(lambda m, i, o: captured.__setitem__("head", o))
    model.anchor_generator.register_forward_hook(lambda m, i, o: captured.__setitem__("anchors", o))
    with torch.no_grad():
        result = model([image])[0]

    tensors = {}
    features = list(captured["features"].values())
    sizes = [f.shape[2] * f.shape[3] * 9 for f in features]
    logits = captured["head"]["cls_logits"][0].split(sizes)
    deltas = captured["head"]["bbox_regression"][0].split(sizes)
    anchors = captured["anchors"][0].split(sizes)
    for i, f in enumerate(features):
        tensors[f"features{i}_channels01"] = T(f[0, :2])
        tensors[f"features{i}_means"] = T(f[0].mean(dim=(1, 2)))
        tensors[f"logits{i}_first50"] = T(logits[i][:50])
        tensors[f"logits{i}_means"] = T(logits[i].mean(dim=0))
        tensors[f"deltas{i}_first50"] = T(deltas[i][:50])
        tensors[f"anchors{i}_first50"] = T(anchors[i][:50])
    targets = [{"boxes": torch.tensor(TARGETS["boxes"]), "labels": torch.tensor(TARGETS["labels"])}]
    with torch.no_grad():
        losses = model.compute_loss(targets, captured["head"], captured["anchors"])
        matched = model.proposal_matcher(torchvision.ops.box_iou(targets[0]["boxes"], captured["anchors"][0]))
    tensors["target_boxes"] = T(targets[0]["boxes"])
    tensors["target_labels"] = T(targets[0]["labels"])
    tensors["loss_classifier"] = T(losses["classification"].reshape(1))
    tensors["loss_box_reg"] = T(losses["bbox_regression"].reshape(1))
    tensors["foreground"] = T((matched >= 0).sum().reshape(1))
    tensors["boxes"] = T(result["boxes"])
    tensors["scores"] = T(result["scores"])
    tensors["labels"] = T(result["labels"])
    case = {"name": "retinanet_resnet50_fpn", "params": {"height": HEIGHT, "width": WIDTH}, "tensors": tensors}
    with open(out, "w") as f:
        f.write(to_json({"op": "retinanet_resnet50_fpn", "versions": VERSIONS, "cases": [case]}))
        f.write("\n")
    print(f"{out}: {result['labels'].shape[0]} detections, levels {[tuple(f.shape[2:]) for f in features]}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/MaskRcnn.Tests/Fixtures/model/torchvision_retinanet_r50_fpn.json")
