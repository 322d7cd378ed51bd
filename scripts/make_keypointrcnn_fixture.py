#!/usr/bin/python3
"""Reference outputs of torchvision's keypointrcnn_resnet50_fpn on deterministic weights, for the C# parity test.

Usage: /usr/bin/python3 scripts/make_keypointrcnn_fixture.py [OUT_DIR]   # default tests/MaskRcnn.Tests/Fixtures/model

No weights are stored: every state-dict tensor is filled by the rule of scripts/reference_weights.py, which the C#
tests compute too. The image is that rule's u in [0, 1) for the key "image", 160 x 224 (min_size/max_size keep it
unscaled). Written:
  torchvision_keypointrcnn_r50_fpn.json
    inference (box_score_thresh 0, DETECTIONS detections): boxes, scores, labels, keypoints [N, 17, 3],
      keypoints_scores [N, 17]; the keypoint logits of every detection subsampled ([N, 17, 7, 7], every 8th cell from
      0) with each map's mean and maximum; and the same logits decoded as maskrcnn-benchmark does (OpenCV INTER_CUBIC,
      cv_keypoints / cv_scores), to measure torchvision's F.interpolate bicubic against it on identical maps.
    keypoint loss on given RoIs: TARGETS (boxes, keypoints), fixed RoIs with their matched target, the head's logits
      summary on them and keypointrcnn_loss.
    roi_heads training losses on given proposals: loss_classifier, loss_box_reg, loss_keypoint of roi_heads in
      training mode for PROPOSALS (torchvision appends the targets' boxes; few enough proposals that its sampler keeps
      all of them, so the draw does not matter).
  torchvision_keypointrcnn_r50_fpn_logits.f32.gz   the full [2, 17, 56, 56] logits of detections 0 and 1 (float32,
      little-endian, C order), to decode in C# exactly what torchvision decoded.
"""
import gzip
import os
import sys

import cv2
import numpy as np
import torch
import torchvision
from torchvision.models.detection.roi_heads import keypointrcnn_loss

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_ops_fixtures import T, to_json, VERSIONS  # noqa: E402
import reference_weights as rw  # noqa: E402

HEIGHT, WIDTH = 160, 224
DETECTIONS = 20
FULL_LOGITS = 2

# Two people; every labelled keypoint lies inside its box (torchvision trains on every positive RoI, maskrcnn-benchmark
# only on those whose person has a labelled keypoint inside the RoI's matched box: here the same).
TARGET_BOXES = [[20.0, 16.0, 92.0, 150.0], [110.0, 30.0, 200.0, 140.0]]


def target_keypoints():
    u = rw.uniform("keypoints", 2 * 17 * 3).reshape(2, 17, 3)
    keypoints = np.zeros((2, 17, 3), np.float32)
    for i, (x1, y1, x2, y2) in enumerate(TARGET_BOXES):
        keypoints[i, :, 0] = x1 + u[i, :, 0] * (x2 - x1)
        keypoints[i, :, 1] = y1 + u[i, :, 1] * (y2 - y1)
        keypoints[i, :, 2] = np.floor(u[i, :, 2] * 3)  # v in {0, 1, 2}
    keypoints[0, 3] = [TARGET_BOXES[0][2], 40.0, 2]  # on the right edge: the heatmap's last column
    keypoints[:, :, :2] *= keypoints[:, :, 2:] > 0  # unlabelled ones at (0, 0), as COCO writes them
    return torch.from_numpy(keypoints)


def jittered(boxes, key, n, scale):
    u = rw.uniform(key, n * len(boxes) * 4).reshape(n * len(boxes), 4)
    base = np.repeat(np.array(boxes, np.float64), n, axis=0)
    wh = np.concatenate([base[:, 2:] - base[:, :2]] * 2, axis=1)
    return torch.from_numpy((base + (2 * u - 1) * scale * wh).astype(np.float32))


def cv_decode(maps, rois):
    """maskrcnn-benchmark's heatmaps_to_keypoints (OpenCV INTER_CUBIC) on [N, K, S, S] float32 maps."""
    n, k = maps.shape[:2]
    points = np.zeros((n, k, 3), np.float32)
    scores = np.zeros((n, k), np.float32)
    for i in range(n):
        x1, y1, x2, y2 = rois[i]
        w = np.maximum(x2 - x1, np.float32(1))
        h = np.maximum(y2 - y1, np.float32(1))
        wc, hc = int(np.ceil(w)), int(np.ceil(h))
        image = cv2.resize(np.ascontiguousarray(maps[i].transpose(1, 2, 0)), (wc, hc), interpolation=cv2.INTER_CUBIC)
        image = image.reshape(hc, wc, k).transpose(2, 0, 1)
        flat = image.reshape(k, -1).argmax(axis=1)
        xs, ys = flat % wc, flat // wc
        points[i, :, 0] = (xs + 0.5) * (w / np.float32(wc)) + x1
        points[i, :, 1] = (ys + 0.5) * (h / np.float32(hc)) + y1
        points[i, :, 2] = 1
        scores[i] = image[np.arange(k), ys, xs]
    return points, scores


def main(out_dir):
    torch.set_num_threads(2)
    model = torchvision.models.detection.keypointrcnn_resnet50_fpn(
        weights=None, weights_backbone=None, min_size=HEIGHT, max_size=WIDTH, box_score_thresh=0.0, box_detections_per_img=DETECTIONS)
    rw.fill(model)
    model.eval()
    image = torch.from_numpy(rw.uniform("image", 3 * HEIGHT * WIDTH).astype(np.float32)).reshape(3, HEIGHT, WIDTH)

    captured = {}
    model.backbone.register_forward_hook(lambda m, i, o: captured.__setitem__("features", o))
    model.roi_heads.keypoint_predictor.register_forward_hook(lambda m, i, o: captured.__setitem__("logits", o))
    with torch.no_grad():
        result = model([image])[0]
    logits = captured["logits"]
    features = captured["features"]
    tensors = {}
    for name in ("boxes", "scores", "labels", "keypoints", "keypoints_scores"):
        tensors[name] = T(result[name])
    tensors["logits_sub8"] = T(logits[:, :, ::8, ::8])
    tensors["logits_means"] = T(logits.mean(dim=(2, 3)))
    tensors["logits_max"] = T(logits.amax(dim=(2, 3)))
    cv_points, cv_scores = cv_decode(logits.numpy(), result["boxes"].numpy())
    tensors["cv_keypoints"] = T(torch.from_numpy(cv_points))
    tensors["cv_scores"] = T(torch.from_numpy(cv_scores))
    moved = (torch.from_numpy(cv_points[:, :, :2]) - result["keypoints"][:, :, :2]).abs().amax(dim=2) > 1e-4
    score_diff = (torch.from_numpy(cv_scores) - result["keypoints_scores"]).abs()
    print(f"torchvision vs OpenCV decoding of the same logits: {int(moved.sum())} of {moved.numel()} keypoints placed differently, "
          f"scores within {float(score_diff.max()):.3g} (where placed alike: {float(score_diff[~moved].max()):.3g})")

    # The keypoint loss on given RoIs, from the same (inference-mode) features.
    targets = [{"boxes": torch.tensor(TARGET_BOXES), "labels": torch.tensor([1, 1]), "keypoints": target_keypoints()}]
    rois = jittered(TARGET_BOXES, "rois", 5, 0.12)
    matched = torch.arange(2).repeat_interleave(5)
    image_sizes = [(HEIGHT, WIDTH)]
    with torch.no_grad():
        head = model.roi_heads
        roi_logits = head.keypoint_predictor(head.keypoint_head(head.keypoint_roi_pool(features, [rois], image_sizes)))
        loss = keypointrcnn_loss(roi_logits, [rois], [targets[0]["keypoints"]], [matched])
    tensors["target_boxes"] = T(targets[0]["boxes"])
    tensors["target_keypoints"] = T(targets[0]["keypoints"])
    tensors["rois"] = T(rois)
    tensors["rois_matched"] = T(matched)
    tensors["rois_logits_means"] = T(roi_logits.mean(dim=(2, 3)))
    tensors["rois_logits_sub8"] = T(roi_logits[:, :, ::8, ::8])
    tensors["rois_loss_keypoint"] = T(loss.reshape(1))

    # roi_heads' training losses on given proposals: jittered people and background boxes, every one kept by the sampler.
    proposals = torch.cat([jittered(TARGET_BOXES, "proposals", 8, 0.25),
                           jittered([[0.0, 0.0, 60.0, 50.0], [150.0, 100.0, 220.0, 158.0], [60.0, 120.0, 140.0, 159.0]], "background", 4, 0.2)])
    proposals[:, 0::2] = proposals[:, 0::2].clamp(0, WIDTH)
    proposals[:, 1::2] = proposals[:, 1::2].clamp(0, HEIGHT)
    head.train()
    with torch.no_grad():
        _, losses = head(features, [proposals], image_sizes, targets)
        labels = head.assign_targets_to_proposals([torch.cat([proposals, targets[0]["boxes"]])], [targets[0]["boxes"]], [targets[0]["labels"]])[1][0]
    positives, negatives = int((labels > 0).sum()), int((labels == 0).sum())
    assert positives <= 128 and negatives <= 512 - positives, "the sampler would draw"
    tensors["proposals"] = T(proposals)
    for name in ("loss_classifier", "loss_box_reg", "loss_keypoint"):
        tensors[name] = T(losses[name].reshape(1))
    tensors["proposal_positives"] = T(torch.tensor([positives]))

    case = {"name": "keypointrcnn_resnet50_fpn", "params": {"height": HEIGHT, "width": WIDTH, "full_logits": FULL_LOGITS}, "tensors": tensors}
    out = os.path.join(out_dir, "torchvision_keypointrcnn_r50_fpn.json")
    with open(out, "w") as f:
        f.write(to_json({"op": "keypointrcnn_resnet50_fpn", "versions": VERSIONS, "cases": [case]}))
        f.write("\n")
    with open(os.path.join(out_dir, "torchvision_keypointrcnn_r50_fpn_logits.f32.gz"), "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as f:
            f.write(np.ascontiguousarray(logits[:FULL_LOGITS].numpy(), dtype="<f4").tobytes())
    print(f"{out}: {result['labels'].shape[0]} detections; losses " + ", ".join(f"{k} {float(v):.6f}" for k, v in losses.items()) +
          f"; keypoint loss on the RoIs {float(loss):.6f}; {positives} positive, {negatives} negative proposals")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/MaskRcnn.Tests/Fixtures/model")
