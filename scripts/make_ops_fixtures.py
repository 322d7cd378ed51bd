#!/usr/bin/python3
"""Reference outputs of torchvision's detection ops for the C# tests.

Usage (Debian 12: apt-get install python3-torchvision; run with Debian's own interpreter):
    /usr/bin/python3 scripts/make_ops_fixtures.py [OUT_DIR]   # default tests/MaskRcnn.Tests/Fixtures/ops

Each op gets one JSON file with fixed, seeded inputs and torchvision's outputs (see TensorFixture.cs for the
format). Inputs are stored too, so the tests never depend on matching random number generators.
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
from torchvision.models.detection import _utils as det_utils
from torchvision.models.detection.roi_heads import paste_masks_in_image
from torchvision.ops import boxes as box_ops
from torchvision.ops.poolers import MultiScaleRoIAlign

VERSIONS = {"torch": torch.__version__, "torchvision": torchvision.__version__}


class T:
    """A tensor to store: shape, dtype and flat values."""

    def __init__(self, tensor):
        self.t = tensor.detach().cpu().contiguous()


def fmt_values(t):
    if t.dtype == torch.bool:
        return ",".join("true" if v else "false" for v in t.flatten().tolist())
    if t.dtype in (torch.int64, torch.int32):
        return ",".join(str(int(v)) for v in t.flatten().tolist())
    if t.dtype == torch.float32:
        # Shortest text that reads back as the same float32.
        return ",".join(str(np.float32(v)) for v in t.flatten().numpy())
    return ",".join(repr(float(v)) for v in t.flatten().tolist())


DTYPES = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64", torch.int32: "int64", torch.bool: "bool"}


def to_json(obj, indent=0):
    pad = " " * indent
    if isinstance(obj, T):
        t = obj.t
        return '{"shape": %s, "dtype": "%s", "data": [%s]}' % (json.dumps(list(t.shape)), DTYPES[t.dtype], fmt_values(t))
    if isinstance(obj, dict):
        items = [f'{pad} {json.dumps(k)}: {to_json(v, indent + 1)}' for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list) and any(isinstance(v, (dict, T)) for v in obj):
        return "[\n" + ",\n".join(pad + " " + to_json(v, indent + 1) for v in obj) + "\n" + pad + "]"
    return json.dumps(obj)


def write(out_dir, op, cases):
    path = os.path.join(out_dir, op + ".json")
    with open(path, "w") as f:
        f.write(to_json({"op": op, "versions": VERSIONS, "cases": cases}))
        f.write("\n")
    print(f"{path}: {len(cases)} cases, {os.path.getsize(path) // 1024} KiB")


def random_boxes(g, n, width, height, min_size=1.0, max_size=None):
    max_size = max_size or max(width, height) / 2
    wh = torch.rand(n, 2, generator=g) * (max_size - min_size) + min_size
    xy = torch.rand(n, 2, generator=g) * torch.tensor([width, height])
    return torch.cat([xy - wh / 2, xy + wh / 2], dim=1)


def box_iou_cases(g):
    a = random_boxes(g, 30, 100, 80)
    b = random_boxes(g, 20, 100, 80)
    b[3] = a[5]  # an identical pair
    b[4] = torch.tensor([10.0, 10.0, 10.0, 30.0])  # zero width
    return [{"name": "random", "params": {}, "tensors": {
        "boxes1": T(a), "boxes2": T(b), "iou": T(box_ops.box_iou(a, b)),
        "area1": T(box_ops.box_area(a)), "giou": T(box_ops.generalized_box_iou(a, b))}}]


def box_coder_cases(g):
    cases = []
    for weights in [(10.0, 10.0, 5.0, 5.0), (1.0, 1.0, 1.0, 1.0)]:
        coder = det_utils.BoxCoder(weights, bbox_xform_clip=math.log(1000.0 / 16))
        proposals = random_boxes(g, 40, 200, 160, min_size=2)
        gt = random_boxes(g, 40, 200, 160, min_size=2)
        codes = coder.encode_single(gt, proposals)
        deltas = torch.randn(40, 4, generator=g) * 2
        deltas[0, 2:] = torch.tensor([10.0, -10.0])  # exercises the dw/dh clamp
        decoded = coder.decode_single(deltas, proposals)
        cases.append({"name": "weights=%g,%g,%g,%g" % weights, "params": {"weights": list(weights), "clip": math.log(1000.0 / 16)},
                      "tensors": {"proposals": T(proposals), "gt": T(gt), "encoded": T(codes), "deltas": T(deltas), "decoded": T(decoded)}})
    return cases


def nms_cases(g):
    cases = []
    boxes = random_boxes(g, 300, 200, 200, min_size=4, max_size=60)
    scores = torch.rand(300, generator=g)
    for thr in (0.3, 0.5, 0.7):
        cases.append({"name": f"random300,iou={thr}", "params": {"iou_threshold": thr},
                      "tensors": {"boxes": T(boxes), "scores": T(scores), "keep": T(box_ops.nms(boxes, scores, thr))}})
    # Ties: coarse scores, many equal.
    tie_scores = (torch.rand(300, generator=g) * 5).floor() / 5
    cases.append({"name": "ties", "params": {"iou_threshold": 0.5},
                  "tensors": {"boxes": T(boxes), "scores": T(tie_scores), "keep": T(box_ops.nms(boxes, tie_scores, 0.5))}})
    # Many heavily overlapping boxes around a few centres, and exact duplicates.
    centres = torch.rand(5, 2, generator=g) * 100 + 20
    c = centres[torch.randint(0, 5, (400,), generator=g)] + torch.randn(400, 2, generator=g) * 3
    wh = 30 + torch.randn(400, 2, generator=g) * 3
    clustered = torch.cat([c - wh / 2, c + wh / 2], 1)
    clustered[200:210] = clustered[0]
    cl_scores = torch.rand(400, generator=g)
    cases.append({"name": "clustered", "params": {"iou_threshold": 0.5},
                  "tensors": {"boxes": T(clustered), "scores": T(cl_scores), "keep": T(box_ops.nms(clustered, cl_scores, 0.5))}})
    # IoU exactly at the threshold: suppression needs IoU > threshold.
    exact = torch.tensor([[0.0, 0.0, 10.0, 10.0], [0.0, 0.0, 10.0, 5.0], [0.0, 0.0, 10.0, 5.0001]])
    ex_scores = torch.tensor([0.9, 0.8, 0.7])
    cases.append({"name": "at_threshold", "params": {"iou_threshold": 0.5},
                  "tensors": {"boxes": T(exact), "scores": T(ex_scores), "keep": T(box_ops.nms(exact, ex_scores, 0.5))}})
    empty = torch.zeros(0, 4)
    cases.append({"name": "empty", "params": {"iou_threshold": 0.5},
                  "tensors": {"boxes": T(empty), "scores": T(torch.zeros(0)), "keep": T(box_ops.nms(empty, torch.zeros(0), 0.5))}})
    # Batched: per-class NMS, both torchvision strategies give the same set.
    idxs = torch.randint(0, 7, (300,), generator=g)
    cases.append({"name": "batched", "params": {"iou_threshold": 0.5},
                  "tensors": {"boxes": T(boxes), "scores": T(scores), "idxs": T(idxs),
                              "keep": T(box_ops.batched_nms(boxes, scores, idxs, 0.5))}})
    return cases


def matcher_cases(g):
    cases = []
    gt = random_boxes(g, 6, 100, 100, min_size=10, max_size=50)
    anchors = random_boxes(g, 200, 100, 100, min_size=5, max_size=60)
    anchors[10] = gt[2]
    anchors[11] = gt[2]  # two anchors tie for gt 2's best match
    iou = box_ops.box_iou(gt, anchors)
    for high, low, allow in [(0.7, 0.3, True), (0.7, 0.3, False), (0.5, 0.5, False), (0.5, 0.4, True)]:
        m = det_utils.Matcher(high, low, allow_low_quality_matches=allow)
        cases.append({"name": f"high={high},low={low},allow={allow}", "params": {"high": high, "low": low, "allow_low_quality_matches": allow},
                      "tensors": {"iou": T(iou), "matches": T(m(iou))}})
    return cases


def roi_align_cases(g):
    cases = []
    x = torch.randn(2, 3, 20, 24, generator=g)
    scale = 0.5  # rois in "image" coordinates of a 40x48 image
    rois = torch.cat([torch.randint(0, 2, (14, 1), generator=g).float(), random_boxes(g, 14, 48, 40, min_size=0.5, max_size=30)], 1)
    rois[0, 1:] = torch.tensor([-10.0, -6.0, 8.0, 9.0])  # partly outside
    rois[1, 1:] = torch.tensor([40.0, 30.0, 60.0, 52.0])  # mostly outside
    rois[2, 1:] = torch.tensor([5.0, 5.0, 5.2, 5.3])  # tiny
    rois[3, 1:] = torch.tensor([0.0, 0.0, 48.0, 40.0])  # the whole map: adaptive sampling > 2
    for aligned in (False, True):
        for sampling in (0, 2):
            for out in ((7, 7), (14, 14)) if sampling == 0 else ((7, 7),):
                xi = x.clone().requires_grad_(True)
                y = torchvision.ops.roi_align(xi, rois, out, spatial_scale=scale, sampling_ratio=sampling, aligned=aligned)
                gy = torch.randn(y.shape, generator=g)
                (y * gy).sum().backward()
                cases.append({"name": f"aligned={str(aligned).lower()},sampling={sampling},out={out[0]}x{out[1]}",
                              "params": {"output_size": list(out), "spatial_scale": scale, "sampling_ratio": sampling, "aligned": aligned},
                              "tensors": {"input": T(x), "rois": T(rois), "output": T(y), "grad_output": T(gy), "grad_input": T(xi.grad)}})
    return cases


def multiscale_cases(g):
    cases = []
    image_sizes = [(448, 448), (400, 430)]
    feats = {str(i): torch.randn(2, 1, 448 // s, 448 // s, generator=g) for i, s in enumerate((4, 8, 16, 32))}
    boxes = [random_boxes(g, 24, 448, 448, min_size=8, max_size=440), random_boxes(g, 16, 430, 400, min_size=8, max_size=420)]
    boxes[0][0] = torch.tensor([10.0, 10.0, 66.0, 66.0])  # sqrt(area) 56: level 2 boundary region
    boxes[0][1] = torch.tensor([0.0, 0.0, 224.0, 224.0])  # the canonical box: level 4
    boxes[0][2] = torch.tensor([0.0, 0.0, 448.0, 448.0])  # the largest: level 5
    for out, sampling in (((7, 7), 2), ((14, 14), 2), ((7, 7), 0)):
        pooler = MultiScaleRoIAlign(["0", "1", "2", "3"], out, sampling)
        y = pooler(feats, boxes, image_sizes)
        levels = pooler.map_levels(boxes)  # set up by the call above
        cases.append({"name": f"out={out[0]}x{out[1]},sampling={sampling}",
                      "params": {"image_sizes": [list(s) for s in image_sizes], "output_size": list(out), "sampling_ratio": sampling},
                      "tensors": {**{f"feat{i}": T(feats[str(i)]) for i in range(4)}, "boxes0": T(boxes[0]), "boxes1": T(boxes[1]),
                                  "output": T(y), "levels": T(levels.to(torch.int64))}})
    return cases


def paste_cases(g):
    masks = torch.rand(8, 1, 28, 28, generator=g)
    boxes = random_boxes(g, 8, 80, 60, min_size=3, max_size=50)
    boxes[0] = torch.tensor([-5.0, -3.0, 20.0, 15.0])  # off the top-left corner
    boxes[1] = torch.tensor([70.0, 50.0, 95.0, 70.0])  # off the bottom-right corner
    boxes[2] = torch.tensor([10.2, 10.7, 10.9, 11.1])  # smaller than a pixel
    out = paste_masks_in_image(masks, boxes, (60, 80), padding=1)
    return [{"name": "random", "params": {"image_size": [60, 80], "padding": 1},
             "tensors": {"masks": T(masks), "boxes": T(boxes), "output": T(out)}}]


def loss_cases(g):
    cases = []
    x = torch.randn(64, 4, generator=g)
    y = x + torch.randn(64, 4, generator=g) * 0.3
    for beta in (1.0 / 9, 1.0):
        cases.append({"name": f"smooth_l1,beta={beta:.6g}", "params": {"beta": beta},
                      "tensors": {"input": T(x), "target": T(y),
                                  "sum": T(F.smooth_l1_loss(x, y, reduction="sum", beta=beta)),
                                  "none": T(F.smooth_l1_loss(x, y, reduction="none", beta=beta))}})
    logits = torch.randn(50, 5, generator=g) * 3
    targets = (torch.rand(50, 5, generator=g) < 0.2).float()
    for alpha, gamma in ((0.25, 2.0), (-1.0, 2.0), (0.5, 0.0)):
        cases.append({"name": f"focal,alpha={alpha},gamma={gamma}", "params": {"alpha": alpha, "gamma": gamma},
                      "tensors": {"logits": T(logits), "targets": T(targets),
                                  "none": T(torchvision.ops.sigmoid_focal_loss(logits, targets, alpha, gamma, "none")),
                                  "sum": T(torchvision.ops.sigmoid_focal_loss(logits, targets, alpha, gamma, "sum"))}})
    a = random_boxes(g, 40, 100, 100, min_size=2)
    b = random_boxes(g, 40, 100, 100, min_size=2)
    b[0] = a[0]
    cases.append({"name": "giou", "params": {},
                  "tensors": {"boxes1": T(a), "boxes2": T(b),
                              "none": T(torchvision.ops.generalized_box_iou_loss(a, b, reduction="none")),
                              "sum": T(torchvision.ops.generalized_box_iou_loss(a, b, reduction="sum"))}})
    return cases


def anchor_cases(g):
    from torchvision.models.detection.anchor_utils import AnchorGenerator
    from torchvision.models.detection.image_list import ImageList
    gen = AnchorGenerator(((32,), (64,), (128,), (256,), (512,)), ((0.5, 1.0, 2.0),) * 5)
    images = ImageList(torch.zeros(1, 3, 128, 160), [(128, 160)])
    sizes = [(32, 40), (16, 20), (8, 10), (4, 5), (2, 3)]
    feats = [torch.zeros(1, 1, h, w) for h, w in sizes]
    anchors = gen(images, feats)[0]
    return [{"name": "fpn", "params": {"padded_size": [128, 160], "grid_sizes": [list(x) for x in sizes]},
             "tensors": {"anchors": T(anchors)}}]


def rpn_cases(g):
    from torchvision.models.detection.anchor_utils import AnchorGenerator
    from torchvision.models.detection.image_list import ImageList
    from torchvision.models.detection.rpn import RegionProposalNetwork, RPNHead
    gen = AnchorGenerator(((32,), (64,), (128,), (256,), (512,)), ((0.5, 1.0, 2.0),) * 5)
    head = RPNHead(8, 3)
    with torch.no_grad():
        for p in head.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 0.3)
    rpn = RegionProposalNetwork(gen, head, 0.7, 0.3, 256, 0.5, dict(training=2000, testing=300), dict(training=2000, testing=200), 0.7)
    rpn.eval()
    sizes = [(32, 40), (16, 20), (8, 10), (4, 5), (2, 3)]
    feats = {str(i): torch.randn(2, 8, h, w, generator=g) for i, (h, w) in enumerate(sizes)}
    images = ImageList(torch.zeros(2, 3, 128, 160), [(128, 160), (120, 150)])
    with torch.no_grad():
        boxes, _ = rpn(images, feats)
    tensors = {f"feat{i}": T(feats[str(i)]) for i in range(5)}
    tensors.update({k: T(v) for k, v in head.state_dict().items()})
    tensors.update({"proposals0": T(boxes[0]), "proposals1": T(boxes[1])})
    return [{"name": "fpn,test", "params": {"padded_size": [128, 160], "image_sizes": [[128, 160], [120, 150]],
             "pre_nms_top_n": 300, "post_nms_top_n": 200, "nms": 0.7, "min_size": 1e-3}, "tensors": tensors}]


def box_postprocess_cases(g):
    from torchvision.models.detection.roi_heads import RoIHeads
    from torchvision.models.detection import _utils as det_utils
    heads = RoIHeads(None, None, None, 0.5, 0.5, 512, 0.25, (10.0, 10.0, 5.0, 5.0), 0.05, 0.5, 100)
    proposals = [random_boxes(g, 60, 150, 120, min_size=4, max_size=60), random_boxes(g, 40, 140, 110, min_size=4, max_size=60)]
    logits = torch.randn(100, 6, generator=g) * 2
    deltas = torch.randn(100, 24, generator=g) * 0.5
    boxes, scores, labels = heads.postprocess_detections(logits, deltas, proposals, [(120, 150), (110, 140)])
    return [{"name": "torchvision", "params": {"image_sizes": [[120, 150], [110, 140]], "score_thresh": 0.05, "nms": 0.5,
             "detections_per_img": 100, "min_size": 0.01, "weights": [10.0, 10.0, 5.0, 5.0]},
             "tensors": {"proposals0": T(proposals[0]), "proposals1": T(proposals[1]), "logits": T(logits), "deltas": T(deltas),
                         "boxes0": T(boxes[0]), "scores0": T(scores[0]), "labels0": T(labels[0]),
                         "boxes1": T(boxes[1]), "scores1": T(scores[1]), "labels1": T(labels[1])}}]


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(2)
    for op, make in [("box_iou", box_iou_cases), ("box_coder", box_coder_cases), ("nms", nms_cases), ("matcher", matcher_cases),
                     ("roi_align", roi_align_cases), ("multiscale_roi_align", multiscale_cases), ("paste_masks", paste_cases),
                     ("losses", loss_cases), ("anchors", anchor_cases), ("rpn", rpn_cases), ("box_postprocess", box_postprocess_cases)]:
        g = torch.Generator().manual_seed(sum(map(ord, op)))  # fixed per op, independent of the order
        write(out_dir, op, make(g))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/MaskRcnn.Tests/Fixtures/ops")
