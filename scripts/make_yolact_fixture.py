#!/usr/bin/python3
"""Reference outputs of dbolya/yolact's own model code on deterministic weights, for the C# YOLACT parity tests.

Usage (Debian 12, python3-torchvision 1.13 and python3-opencv installed; run with Debian's own interpreter):
    git clone /work/.mirror/dbolya+yolact/repo /work/ext/yolact        # outside the repository (902073d)
    /usr/bin/python3 scripts/make_yolact_fixture.py /work/ext/yolact [OUT_DIR]
OUT_DIR defaults to tests/MaskRcnn.Tests/Fixtures/model. No reference code is committed; this script imports it from
the checkout given on the command line and calls its modules (Yolact, Detect, MultiBoxLoss, match, postprocess).

What is patched to import the reference on a CPU-only machine, and why nothing it computes is affected:
  - torch.cuda.current_device() is called at import of yolact.py (a Windows driver workaround): replaced by a no-op.
  - data/coco.py imports pycocotools (only its dataset class uses it). When no built pycocotools is importable,
    empty stand-in modules (types.ModuleType) are registered for pycocotools, pycocotools.mask and pycocotools.coco;
    the model, loss, detection and post-processing code never calls them. The fixture records which was used.
  - utils.augmentations.FastBaseTransform calls .cuda(); its operations are done here by hand, in its order:
    the BGR float image (0-255) [1,3,H,W] -> F.interpolate to (max_size, max_size), bilinear, align_corners=False
    -> (x - MEANS) / STD per BGR channel -> channels reversed to RGB.

Weights: every tensor of the reference's state dict is filled by scripts/reference_weights.py's rule under the
reference's own name (e.g. backbone.layers.0.0.conv1.weight, fpn.lat_layers.0.weight); the names and shapes are
stored in the fixture so the C# test can regenerate them and rename them to ours.

Input image: the raw RGB uint8 image [H, W, 3] with element index i = (y * W + x) * 3 + c (c = 0 R, 1 G, 2 B) equal to
floor(u_i * 256), u = reference_weights.uniform("image", H * W * 3). As cv2.imread would give it to eval.py, it is
handed to the transform as BGR (channels reversed).

Files:
  yolact_r50_small.json  case "r50_small": yolact_resnet50_config with num_classes 5, max_size 160, pred_scales as
      the reference's im400 config scales them (int(s / 550 * 160)), masks_to_train 1000 (no random sampling);
      everything else as yolact_base (square anchors, FPN with 2 conv downsamples, ProtoNet, shared head with
      upfeature, semantic segmentation loss). Image 120 x 150 (H x W). Stored:
        priors [A,4] (cx, cy, w, h, exact, as the reference builds them with use_square_anchors True) and
        priors_nonsquare (the same with use_square_anchors False);
        fpn{0..4}_channels01 [2,h,w] and fpn{0..4}_means [256] (float64) for P3..P7 in eval mode;
        proto_channels01 [2,ph,pw] (channels-first) and proto_means [32] (float64): the ReLU'd prototypes;
        loc/conf/coeffs at every 5th anchor (anchor_stride) and their column sums over all anchors (float64);
        conf is the raw logits, coeffs the tanh'd coefficients;
        image_sum and image_index_weighted_sum (sum of i * value over the flat index above) of the raw image,
        target_boxes [n,4] and target_mask_areas [n] of the ground truth below, to check its rebuild;
        the losses B, C, M, S (loss_B ...) after the reference's normalisation, computed with net.train();
        net.freeze_bn() (batch norm on running statistics) on the ground truth in params.targets; also the
        matcher's conf_t (-1 neutral, 0 background, label + 1) and idx_t per anchor and num_pos;
        detections in eval mode with Fast NMS (use_fast_nms True, cross-class off, as eval.py's defaults):
        det_classes (0-based foreground class), det_scores, det_boxes_relative (Detect's x1,y1,x2,y2 relative to
        the squashed input), det_boxes_pixels (postprocess's sanitize_coordinates to the original W x H, before its
        .long() cast), and for the first mask_count detections the full-size masks of postprocess(crop_masks=True)
        as COCO uncompressed RLE (column-major runs starting with a 0-run; mask_rle_lengths gives each mask's number
        of counts, mask_rle_counts all of them concatenated) and mask_areas.
      params.targets: boxes are the half-open integer pixel bounds of each mask on the 160 x 160 input divided by 160
      (float32), labels 0-based; each mask is the union of its rectangles [x1, y1, x2, y2) (half-open pixels) on a
      160 x 160 float canvas (1 inside); the last num_crowds objects are crowds.
      params.state_dict: [[name, shape], ...] of the reference model.
  yolact_r50_550.json  case "r50_550": yolact_resnet50_config as the reference (81 classes, max_size 550), image
      200 x 260 (H x W); det_classes, det_scores, det_boxes_relative, det_boxes_pixels, the first 20 masks (RLE as
      above), proto_means, fpn{0..4}_means, and params.forward_seconds (one timed eval forward, informative only).
"""
import os
import sys
import time
import types

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_ops_fixtures import T, to_json, VERSIONS  # noqa: E402
import reference_weights as rw  # noqa: E402

ANCHOR_STRIDE = 5
SMALL_SIZE = (120, 150)  # H, W
LARGE_SIZE = (200, 260)
MASKS_SMALL = 20
MASKS_LARGE = 20

# Ground truth of the small case on its 160 x 160 input: (label, rectangles whose union is the mask).
# Boxes sit on the anchor grid so that some anchors besides the forced ones reach the positive IoU: [53,53,107,107]
# matches P5's 54 px and P6's 55 px anchors at (80, 80); [0,0,95,95] P7's 111 px one; [107,27,133,53] P4's 26 px one.
TARGETS = [
    (0, [[53, 53, 107, 80], [53, 80, 75, 107]]),    # an L shape
    (2, [[0, 0, 95, 60], [0, 60, 50, 95]]),         # another L, overlapping the first
    (3, [[107, 35, 133, 45], [115, 27, 125, 53]]),  # a plus sign
    (1, [[100, 110, 160, 160]]),                    # the crowd
]
NUM_CROWDS = 1


def import_reference(path):
    """Imports the reference from its checkout with the two import-time patches (see the module docstring)."""
    sys.path.insert(0, os.path.abspath(path))
    torch.cuda.current_device = lambda: 0
    try:
        import pycocotools.mask  # noqa: F401
        stubbed = False
    except ImportError:
        for name in ["pycocotools", "pycocotools.mask", "pycocotools.coco"]:
            sys.modules[name] = types.ModuleType(name)
        sys.modules["pycocotools"].mask = sys.modules["pycocotools.mask"]
        sys.modules["pycocotools"].coco = sys.modules["pycocotools.coco"]
        stubbed = True
    import data.config as config
    import yolact
    from layers.box_utils import match
    from layers.modules.multibox_loss import MultiBoxLoss
    import layers.output_utils as output_utils
    return types.SimpleNamespace(config=config, yolact=yolact, match=match, MultiBoxLoss=MultiBoxLoss,
                                 output_utils=output_utils, pycocotools_stubbed=stubbed)


def reference_commit(path):
    try:
        import subprocess
        return subprocess.run(["git", "-C", path, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, Exception):
        return "unknown"


def raw_image(height, width):
    u = rw.uniform("image", height * width * 3)
    return np.floor(u * 256).astype(np.uint8).reshape(height, width, 3)


def transform(ref, rgb):
    """FastBaseTransform's operations on the CPU: the image as BGR float, squashed to max_size², normalised, to RGB."""
    cfg = ref.config.cfg
    bgr = torch.from_numpy(np.ascontiguousarray(rgb[:, :, ::-1])).float()[None]
    img = bgr.permute(0, 3, 1, 2).contiguous()
    img = F.interpolate(img, (cfg.max_size, cfg.max_size), mode="bilinear", align_corners=False)
    mean = torch.Tensor(ref.config.MEANS).float()[None, :, None, None]
    std = torch.Tensor(ref.config.STD).float()[None, :, None, None]
    img = (img - mean) / std
    return img[:, (2, 1, 0), :, :].contiguous()


def configure(ref, name, num_classes, max_size, masks_to_train):
    c = ref.config
    base = c.yolact_resnet50_config
    scales = [[int(s[0] / c.yolact_base_config.max_size * max_size)] for s in base.backbone.pred_scales]
    c.cfg.replace(base.copy({
        "name": name, "num_classes": num_classes, "max_size": max_size, "masks_to_train": masks_to_train,
        "backbone": base.backbone.copy({"pred_scales": scales}),
    }))
    c.cfg.mask_proto_debug = False  # eval.py sets this from its command line (default False)


def config_params(ref):
    cfg = ref.config.cfg
    b = cfg.backbone
    return {
        "name": cfg.name, "num_classes": cfg.num_classes, "max_size": cfg.max_size, "mask_dim": cfg.mask_dim,
        "backbone": b.name, "selected_layers": b.selected_layers, "pred_scales": b.pred_scales,
        "pred_aspect_ratios": b.pred_aspect_ratios, "use_pixel_scales": b.use_pixel_scales,
        "preapply_sqrt": b.preapply_sqrt, "use_square_anchors": b.use_square_anchors,
        "fpn_num_features": cfg.fpn.num_features, "fpn_num_downsample": cfg.fpn.num_downsample,
        "fpn_use_conv_downsample": cfg.fpn.use_conv_downsample, "fpn_relu_pred_layers": cfg.fpn.relu_pred_layers,
        "fpn_relu_downsample_layers": cfg.fpn.relu_downsample_layers,
        "share_prediction_module": cfg.share_prediction_module,
        "use_semantic_segmentation_loss": cfg.use_semantic_segmentation_loss,
        "positive_iou_threshold": cfg.positive_iou_threshold, "negative_iou_threshold": cfg.negative_iou_threshold,
        "crowd_iou_threshold": cfg.crowd_iou_threshold, "ohem_negpos_ratio": cfg.ohem_negpos_ratio,
        "masks_to_train": cfg.masks_to_train, "bbox_alpha": cfg.bbox_alpha, "conf_alpha": cfg.conf_alpha,
        "mask_alpha": cfg.mask_alpha, "semantic_segmentation_alpha": cfg.semantic_segmentation_alpha,
        "mask_proto_normalize_emulate_roi_pooling": cfg.mask_proto_normalize_emulate_roi_pooling,
        "mask_proto_crop": cfg.mask_proto_crop, "nms_top_k": cfg.nms_top_k, "nms_conf_thresh": cfg.nms_conf_thresh,
        "nms_thresh": cfg.nms_thresh, "max_num_detections": cfg.max_num_detections,
        "means_bgr": list(ref.config.MEANS), "std_bgr": list(ref.config.STD),
    }


def build(ref):
    net = ref.yolact.Yolact()
    rw.fill(net)
    net.eval()
    net.detect.use_fast_nms = True  # eval.py's defaults
    net.detect.use_cross_class_nms = False
    return net


def state_dict_names(net):
    return [[k, list(v.shape)] for k, v in net.state_dict().items()]


def features(ref, net, x):
    """P3..P7 and the ReLU'd prototypes [1,k,ph,pw], from the reference's own modules in the order forward runs them."""
    cfg = ref.config.cfg
    outs = net.backbone(x)
    outs = net.fpn([outs[i] for i in cfg.backbone.selected_layers])
    proto = cfg.mask_proto_prototype_activation(net.proto_net(outs[cfg.mask_proto_src]))
    return outs, proto


def make_priors(ref, net, fpn, square):
    """All priors as the prediction layers build them, with use_square_anchors set as asked (cache reset)."""
    cfg = ref.config.cfg
    saved = cfg.backbone.use_square_anchors
    cfg.backbone.use_square_anchors = square
    try:
        priors = []
        for layer, f in zip(net.prediction_layers, fpn):
            layer.last_img_size = None
            priors.append(layer.make_priors(f.size(2), f.size(3), f.device).clone())
            layer.last_img_size = None
        return torch.cat(priors, 0)
    finally:
        cfg.backbone.use_square_anchors = saved


def head_hooks(net):
    captured = []
    handles = [layer.register_forward_hook(lambda m, i, o: captured.append({k: v.detach().clone() for k, v in o.items()}))
               for layer in net.prediction_layers]

    def collect():
        for h in handles:
            h.remove()
        return {k: torch.cat([c[k] for c in captured], -2) for k in captured[0]}
    return collect


def coco_rle(mask):
    """COCO uncompressed RLE counts of a bool [h, w] mask: column-major runs, the first one of zeros."""
    flat = np.asarray(mask, dtype=np.uint8).flatten(order="F")
    changes = np.flatnonzero(np.diff(flat)) + 1
    bounds = np.concatenate([[0], changes, [flat.size]])
    runs = np.diff(bounds).tolist()
    if flat.size and flat[0] == 1:
        runs = [0] + runs
    return runs


def detect_and_postprocess(ref, net, x, height, width, mask_count):
    """Eval forward (Fast NMS as eval.py), then postprocess to the original size; tensors of the detections."""
    with torch.no_grad():
        dets = net(x)
    d = dets[0]["detection"]
    out = {"det_classes": T(d["class"].long()), "det_scores": T(d["score"]), "det_boxes_relative": T(d["box"].clone())}

    # Record postprocess's own sanitize_coordinates results (its boxes before the .long() cast).
    sanitized = []
    original = ref.output_utils.sanitize_coordinates

    def recording(a, b, size: int, padding: int = 0, cast: bool = True):
        r = original(a, b, size, padding=padding, cast=cast)
        sanitized.append((r[0].clone(), r[1].clone()))
        return r
    ref.output_utils.sanitize_coordinates = recording
    try:
        classes, scores, boxes, masks = ref.output_utils.postprocess(dets, width, height, crop_masks=True, score_threshold=0)
    finally:
        ref.output_utils.sanitize_coordinates = original
    (x1, x2), (y1, y2) = sanitized
    out["det_boxes_pixels"] = T(torch.stack([x1, y1, x2, y2], 1))
    assert torch.equal(out["det_boxes_pixels"].t.long(), boxes)
    masks = masks[:mask_count].bool().numpy()
    rles = [coco_rle(m) for m in masks]
    out["mask_rle_lengths"] = T(torch.tensor([len(r) for r in rles], dtype=torch.int64))
    out["mask_rle_counts"] = T(torch.tensor([c for r in rles for c in r], dtype=torch.int64))
    out["mask_areas"] = T(torch.tensor(masks.reshape(masks.shape[0], -1).sum(1), dtype=torch.int64))
    return out, d


def targets_tensors(size):
    boxes, labels, masks = [], [], []
    for label, rects in TARGETS:
        m = np.zeros((size, size), dtype=np.float32)
        for x1, y1, x2, y2 in rects:
            m[y1:y2, x1:x2] = 1
        ys, xs = np.nonzero(m)
        boxes.append([xs.min() / size, ys.min() / size, (xs.max() + 1) / size, (ys.max() + 1) / size])
        labels.append(label)
        masks.append(m)
    t = torch.cat([torch.tensor(boxes, dtype=torch.float32), torch.tensor(labels, dtype=torch.float32)[:, None]], 1)
    return t, torch.from_numpy(np.stack(masks))


def losses(ref, net, x):
    """The reference's MultiBoxLoss on TARGETS with batch norm on running statistics, and its matcher's targets."""
    cfg = ref.config.cfg
    net.train()
    net.freeze_bn()
    try:
        with torch.no_grad():
            preds = net(x)
        target, masks = targets_tensors(cfg.max_size)
        criterion = ref.MultiBoxLoss(num_classes=cfg.num_classes, pos_threshold=cfg.positive_iou_threshold,
                                     neg_threshold=cfg.negative_iou_threshold, negpos_ratio=cfg.ohem_negpos_ratio)
        with torch.no_grad():
            result = criterion(net, preds, [target.clone()], [masks.clone()], [NUM_CROWDS])

        # The matcher's output for the same image, as MultiBoxLoss calls it (crowds split off the end).
        priors = preds["priors"]
        n = priors.size(0)
        loc_t = torch.zeros(1, n, 4)
        conf_t = torch.zeros(1, n, dtype=torch.long)
        idx_t = torch.zeros(1, n, dtype=torch.long)
        truths, labels = target[:, :-1], target[:, -1].long()
        ref.match(cfg.positive_iou_threshold, cfg.negative_iou_threshold, truths[:-NUM_CROWDS], priors,
                  labels[:-NUM_CROWDS], truths[-NUM_CROWDS:], loc_t, conf_t, idx_t, 0, preds["loc"][0])
    finally:
        net.eval()
    out = {f"loss_{k}": T(v.reshape(()).double()) for k, v in sorted(result.items())}
    out["conf_t"] = T(conf_t[0])
    out["idx_t"] = T(idx_t[0])
    out["num_pos"] = T((conf_t[0] > 0).sum().reshape(()))
    return out, {k: float(v) for k, v in result.items()}


def small_case(ref):
    configure(ref, "yolact_resnet50_small", num_classes=5, max_size=160, masks_to_train=1000)
    net = build(ref)
    height, width = SMALL_SIZE
    image = raw_image(height, width)
    x = transform(ref, image)

    tensors = {}
    with torch.no_grad():
        fpn, proto = features(ref, net, x)
        collect = head_hooks(net)
        det_out, det = detect_and_postprocess(ref, net, x, height, width, MASKS_SMALL)
        heads = collect()
    assert torch.equal(det["proto"], proto[0].permute(1, 2, 0)), "prototypes differ from the forward's"
    priors = heads["priors"]
    tensors["priors"] = T(priors)
    tensors["priors_nonsquare"] = T(make_priors(ref, net, fpn, square=False))
    assert torch.equal(make_priors(ref, net, fpn, square=True), priors)
    for i, f in enumerate(fpn):
        tensors[f"fpn{i}_channels01"] = T(f[0, :2])
        tensors[f"fpn{i}_means"] = T(f[0].double().mean(dim=(1, 2)))
    tensors["proto_channels01"] = T(proto[0, :2])
    tensors["proto_means"] = T(proto[0].double().mean(dim=(1, 2)))
    for key, name in [("loc", "loc"), ("conf", "conf"), ("mask", "coeffs")]:
        tensors[f"{name}_every{ANCHOR_STRIDE}"] = T(heads[key][0, ::ANCHOR_STRIDE])
        tensors[f"{name}_colsums"] = T(heads[key][0].double().sum(0))
    # Checks for the C# rebuild of the inputs: the image's layout and the targets' boxes and masks.
    flat = image.reshape(-1).astype(np.int64)
    tensors["image_sum"] = T(torch.tensor(int(flat.sum())))
    tensors["image_index_weighted_sum"] = T(torch.tensor(int((flat * np.arange(flat.size, dtype=np.int64)).sum())))
    target, target_masks = targets_tensors(ref.config.cfg.max_size)
    tensors["target_boxes"] = T(target[:, :4])
    tensors["target_mask_areas"] = T(target_masks.sum((1, 2)).long())
    loss_tensors, loss_values = losses(ref, net, x)
    tensors.update(loss_tensors)
    tensors.update(det_out)

    params = {
        "height": height, "width": width, "image_key": "image", "anchor_stride": ANCHOR_STRIDE,
        "mask_count": int(det_out["mask_rle_lengths"].t.shape[0]),
        "config": config_params(ref),
        "targets": {"canvas": ref.config.cfg.max_size, "num_crowds": NUM_CROWDS,
                    "labels": [label for label, _ in TARGETS], "rects": [rects for _, rects in TARGETS]},
        "state_dict": state_dict_names(net),
    }
    print(f"small: {priors.shape[0]} priors, {det['class'].shape[0]} detections, losses {loss_values}, "
          f"num_pos {int(loss_tensors['num_pos'].t)}")
    return {"name": "r50_small", "params": params, "tensors": tensors}


def large_case(ref):
    configure(ref, "yolact_resnet50", num_classes=81, max_size=550, masks_to_train=100)
    net = build(ref)
    height, width = LARGE_SIZE
    image = raw_image(height, width)
    x = transform(ref, image)
    tensors = {}
    with torch.no_grad():
        fpn, proto = features(ref, net, x)
        net(x)  # warm-up, then one timed forward
        start = time.perf_counter()
        net(x)
        seconds = time.perf_counter() - start
        det_out, det = detect_and_postprocess(ref, net, x, height, width, MASKS_LARGE)
    for i, f in enumerate(fpn):
        tensors[f"fpn{i}_means"] = T(f[0].double().mean(dim=(1, 2)))
    tensors["proto_means"] = T(proto[0].double().mean(dim=(1, 2)))
    tensors.update(det_out)
    params = {"height": height, "width": width, "image_key": "image", "mask_count": int(det_out["mask_rle_lengths"].t.shape[0]),
              "config": config_params(ref), "forward_seconds": round(seconds, 3), "threads": torch.get_num_threads()}
    print(f"550: {det['class'].shape[0]} detections, one eval forward {seconds:.3f} s on {torch.get_num_threads()} threads")
    return {"name": "r50_550", "params": params, "tensors": tensors}


def write(path, op, case, ref_path, stubbed):
    versions = dict(VERSIONS, yolact=reference_commit(ref_path), pycocotools="stub" if stubbed else "real")
    with open(path, "w") as f:
        f.write(to_json({"op": op, "versions": versions, "cases": [case]}))
        f.write("\n")
    print(f"{path}: {os.path.getsize(path) // 1024} KiB")


def main(ref_path, out_dir):
    torch.set_num_threads(2)
    ref = import_reference(ref_path)
    write(os.path.join(out_dir, "yolact_r50_small.json"), "yolact_r50_small", small_case(ref), ref_path, ref.pycocotools_stubbed)
    write(os.path.join(out_dir, "yolact_r50_550.json"), "yolact_r50_550", large_case(ref), ref_path, ref.pycocotools_stubbed)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: make_yolact_fixture.py YOLACT_CHECKOUT [OUT_DIR]")
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "tests/MaskRcnn.Tests/Fixtures/model")
