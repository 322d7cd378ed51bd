#!/usr/bin/python3
"""Reference COCO evaluations by pycocotools' COCOeval for the C# evaluator's tests.

Writes, per case, into tests/MaskRcnn.Tests/Fixtures/cocoeval/<case>/ (or --out DIR):
  gt.json                     COCO instances (images, categories, annotations)
  results.json                COCO results list
  expected_<iouType>.json     stats, parameters (iouThrs/recThrs as exact reprs, maxDets, areaRng, catIds, imgIds),
                              shapes, and where the arrays are
  precision_<iouType>.f64.gz  gzip of little-endian float64, C order, shape [T,R,K,A,M]
  recall_<iouType>.f64.gz     same, shape [T,K,A,M]
  scores_<iouType>.f64.gz     same, shape [T,R,K,A,M]
  summary_<iouType>.txt       what COCOeval.summarize() printed
Every case comes from a seeded numpy Generator; nothing depends on time. Running twice writes the same files.

Cases
  bbox_mixed          40 images, 6 GT categories (one with GT but no detections, one with detections but no GT) and
                      detections of a category id absent from the GT's categories; crowd boxes with detections inside;
                      GT 'area' set apart from the box (pycocotools ranges GT by that field), areas exactly 32^2 and
                      96^2; score ties within and across images; one image with 130 detections of one category; IoUs
                      exactly at thresholds (0.5, 0.75, 0.95, iouThrs[8] = 0.8999999999999999) and just below 0.5;
                      identical GT boxes of different area ranges; images with only detections, only GT, neither;
                      a few non-crowd GT carry "ignore": 1, which COCOeval overwrites with iscrowd (they count).
                      Results are shuffled, so file order (loadRes ids) breaks score ties.   -> bbox
  bbox_gt_id_zero     a GT annotation with id 0: COCOeval stores matches as GT ids with 0 meaning "unmatched", so the
                      detection that matches it counts as a false positive.                   -> bbox
  segm_mixed          20 images 40-160 px; polygon GT (some with two polygons), crowd GT as uncompressed RLE, some GT as
                      compressed RLE; results are compressed RLE without 'bbox' (maskrcnn-benchmark's segm.json), so
                      loadRes takes the area from the mask and the box from toBbox; one empty mask; one image with
                      105 detections of one category.                                          -> segm, bbox
  segm_area_from_box  results with both 'bbox' and 'segmentation' (detectron2 style): loadRes takes the area from the box
                      (w*h) even for segm evaluation.                                          -> segm, bbox
  keypoints_mixed     24 images, two keypoint categories (person and a second one, to exercise per-category
                      cells), GT keypoints as COCO writes them (integers, unlabelled ones 0,0,0); ignored GT: crowds
                      (keypoints all 0, num_keypoints 0) and non-crowd GT without labelled keypoints, both with
                      detections on them (OKS against the region of three times the box); GT whose num_keypoints
                      disagrees with its visibilities (ignore follows num_keypoints, OKS the visibilities); GT areas
                      below 32^2 and exactly 32^2 and 96^2; near and far detections, duplicates with other scores,
                      score ties, one image with 30 detections of a category (maxDets 20), images with only
                      detections or only GT, a detection of a category not in the GT, one whose keypoints all
                      coincide (area 0). Results carry only 'keypoints' (maskrcnn-benchmark's keypoints.json), so
                      loadRes measures their area as the keypoints' extent.                   -> keypoints
  keypoints_area_from_box  the same kind of data with a 'bbox' on every result: loadRes then takes the area from the
                      box.                                                                      -> keypoints

Building pycocotools outside the repository (never commit it; Debian 12 has no package):
    apt-get install -y cython3            # python3-dev and python3-numpy (1.24) are Debian's
    git clone /work/.mirror/cocodataset+cocoapi/repo /work/cocoapi-build     # cocoapi 8c9bcc3
    cd /work/cocoapi-build/PythonAPI
    sed -i 's/astype(dtype=np\\.float)/astype(dtype=np.float64)/' pycocotools/cocoeval.py
    /usr/bin/python3 setup.py build_ext --inplace
The sed is needed because numpy 1.24 removed np.float (it was the builtin float, i.e. float64, so results are the same).
coco.py imports matplotlib, which Debian's python3 here lacks; scripts/pycocotools_env.py registers empty stand-ins.

Run (Debian's own interpreter):
    /usr/bin/python3 scripts/make_cocoeval_fixtures.py --cocoapi /work/cocoapi-build/PythonAPI [--out DIR]
  or PYTHONPATH=/work/cocoapi-build/PythonAPI /usr/bin/python3 scripts/make_cocoeval_fixtures.py
"""
import argparse
import contextlib
import gzip
import io
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pycocotools_env  # noqa: E402
from synthetic_masks import grow, shift, uncompressed_rle  # noqa: E402

DEFAULT_OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "MaskRcnn.Tests", "Fixtures", "cocoeval")
TIE_SCORES = [0.95, 0.9, 0.8, 0.75, 0.6, 0.5, 0.3, 0.1]

COCO = COCOeval = mask_util = None
SOURCE = {}


def f32(x):
    """A float32 value as maskrcnn-benchmark writes it (tensor.tolist() gives the float32 as a double)."""
    return float(np.float32(x))


def r2(x):
    return round(float(x), 2)


class Case:
    def __init__(self, name, seed):
        self.name = name
        self.rng = np.random.default_rng(seed)
        self.images, self.categories, self.annotations, self.results = [], [], [], []
        self.sizes = {}
        self.next_id = 1

    def image(self, image_id, w, h):
        self.images.append({"id": image_id, "width": int(w), "height": int(h), "file_name": f"{image_id:06d}.jpg"})
        self.sizes[image_id] = (int(h), int(w))

    def category(self, cat_id, name):
        self.categories.append({"id": cat_id, "name": name, "supercategory": "thing"})

    def gt(self, image_id, cat, bbox, area, segmentation, iscrowd=0, ann_id=None):
        if ann_id is None:
            ann_id = self.next_id
            self.next_id += int(self.rng.integers(1, 4))  # ids need not be contiguous
        a = {"id": ann_id, "image_id": image_id, "category_id": cat, "bbox": [float(v) for v in bbox],
             "area": area, "iscrowd": iscrowd, "segmentation": segmentation}
        self.annotations.append(a)
        return a

    def det(self, image_id, cat, score, bbox=None, segmentation=None):
        r = {"image_id": image_id, "category_id": cat}
        if bbox is not None:
            r["bbox"] = [float(v) for v in bbox]
        if segmentation is not None:
            r["segmentation"] = segmentation
        r["score"] = float(score)
        self.results.append(r)

    def score(self, tie_fraction=0.5):
        if self.rng.random() < tie_fraction:
            return TIE_SCORES[int(self.rng.integers(len(TIE_SCORES)))]
        return f32(self.rng.uniform(0.05, 1.0))

    def shuffle_results(self):
        order = self.rng.permutation(len(self.results))
        self.results = [self.results[i] for i in order]

    def write(self, folder):
        os.makedirs(folder, exist_ok=True)
        gt = {"info": {"description": f"synthetic case {self.name} (scripts/make_cocoeval_fixtures.py)"},
              "images": self.images, "categories": self.categories, "annotations": self.annotations}
        write_lines_json(os.path.join(folder, "gt.json"), gt)
        write_lines_json(os.path.join(folder, "results.json"), self.results)


def write_lines_json(path, obj):
    """Compact JSON, one list element per line (floats as Python repr, which reads back exactly)."""
    def dump(v):
        return json.dumps(v, separators=(",", ":"), allow_nan=False)

    if isinstance(obj, list):
        text = "[\n" + ",\n".join(dump(v) for v in obj) + "\n]\n"
    else:
        parts = []
        for k, v in obj.items():
            if isinstance(v, list) and v:
                parts.append(dump(k) + ":[\n" + ",\n".join(dump(x) for x in v) + "\n]")
            else:
                parts.append(dump(k) + ":" + dump(v))
        text = "{\n" + ",\n".join(parts) + "\n}\n"
    with open(path, "w") as f:
        f.write(text)


# ---------------------------------------------------------------------------------------------------------- helpers

def box_polygon(b):
    x1, y1, x2, y2 = b[0], b[1], b[0] + b[2], b[1] + b[3]
    return [[x1, y1, x1, y2, x2, y2, x2, y1]]


def compressed_rle(mask):
    rle = mask_util.encode(np.asfortranarray(np.asarray(mask, dtype=np.uint8)))
    return {"size": [int(v) for v in rle["size"]], "counts": rle["counts"].decode("ascii")}


def rle_bbox(rle):
    return [float(v) for v in mask_util.toBbox(rle)]


def poly_mask(polys, h, w):
    return mask_util.decode(mask_util.merge(mask_util.frPyObjects(polys, h, w)))


def shoelace(poly):
    x, y = np.array(poly[0::2]), np.array(poly[1::2])
    return abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))) / 2.0


def ellipse(h, w, cx, cy, rx, ry):
    yy, xx = np.mgrid[0:h, 0:w]
    return (((xx + 0.5 - cx) / rx) ** 2 + ((yy + 0.5 - cy) / ry) ** 2 <= 1.0).astype(np.uint8)


def exact_iou_pair(x, target):
    """A GT box [x, 0, s, s] and a detection [x, 0, s, h] whose IoU, as pycocotools computes it, is exactly the double
    target: h steps one ulp at a time from target * s, for a few sizes s, and pycocotools itself judges each try."""
    for s in (10.0, 8.0, 12.0, 7.0, 13.0, 9.0, 11.0):
        g = [x, 0.0, s, s]
        for direction in (math.inf, -math.inf):
            h = target * s
            for _ in range(3000):
                if mask_util.iou([[x, 0.0, s, h]], [g], [0])[0][0] == target:
                    return g, [x, 0.0, s, h]
                h = math.nextafter(h, direction)
    raise RuntimeError(f"no box gives IoU {target!r}")


# ------------------------------------------------------------------------------------------------------ bbox cases

def rand_box(rng, W, H, min_area=12.0, max_area=60000.0):
    area = math.exp(rng.uniform(math.log(min_area), math.log(min(max_area, W * H * 0.5))))
    ar = math.exp(rng.uniform(math.log(0.4), math.log(2.5)))
    w = min(math.sqrt(area * ar), W - 1.0)
    h = min(area / w, H - 1.0)
    x = rng.uniform(0, W - w)
    y = rng.uniform(0, H - h)
    return [r2(x), r2(y), r2(w), r2(h)]


def jitter(rng, b, sigma, W, H):
    x, y, w, h = b
    nw = max(1.0, w * math.exp(rng.normal(0, sigma)))
    nh = max(1.0, h * math.exp(rng.normal(0, sigma)))
    nx = min(max(0.0, x + w / 2 - nw / 2 + rng.normal(0, sigma * w)), W - 1.0)
    ny = min(max(0.0, y + h / 2 - nh / 2 + rng.normal(0, sigma * h)), H - 1.0)
    nw, nh = min(nw, W - nx), min(nh, H - ny)
    return [f32(nx), f32(ny), f32(nw), f32(nh)]


def bbox_mixed():
    c = Case("bbox_mixed", 20240501)
    rng = c.rng
    # Categories listed out of order; ids not contiguous. 13: GT only. 8: detections only. 99: not a GT category.
    for cid, name in [(5, "e"), (1, "a"), (13, "gt-only"), (2, "b"), (8, "det-only"), (3, "c")]:
        c.category(cid, name)
    gt_cats = [1, 2, 3, 5, 13]
    det_cats = [1, 2, 3, 5]
    stray_cats = [8, 99]

    ids = [int(v) for v in rng.choice(np.arange(1, 5000), size=40, replace=False)]
    exact_img, crowd_img1, crowd_img2, many_img = ids[0], ids[1], ids[2], ids[3]
    det_only_imgs, gt_only_imgs, empty_img = ids[4:7], ids[7:10], ids[10]
    for i in ids:
        w, h = (400, 400) if i == exact_img else (int(rng.integers(160, 401)), int(rng.integers(160, 401)))
        c.image(i, w, h)
    c.images = [c.images[k] for k in rng.permutation(len(c.images))]  # file order is not id order

    # Exact-threshold IoUs: GT boxes 10x10 in a row; one detection each whose IoU is exactly the target double.
    targets = [0.5, math.nextafter(0.5, 0.0), 0.75, 0.95, 0.8999999999999999, 0.55, 0.7]
    for j, t in enumerate(targets):
        g, d = exact_iou_pair(20.0 + 30.0 * j, t)  # y = 0: the intersection height is the detection height exactly
        c.gt(exact_img, 1, g, g[2] * g[3], box_polygon(g))
        c.det(exact_img, 1, 0.9 - 0.05 * j, d)
    # Areas exactly on the range limits (both ranges include them).
    for k, (side, area) in enumerate([(32.0, 1024.0), (96.0, 9216.0)]):
        g = [20.0 + 120.0 * k, 60.0, side, side]
        c.gt(exact_img, 2, g, area, box_polygon(g))
        c.det(exact_img, 2, 0.7, jitter(rng, g, 0.05, 400, 400))
    c.det(exact_img, 2, 0.7, [300.0, 300.0, 32.0, 32.0])  # unmatched detection of area exactly 1024
    c.det(exact_img, 2, 0.65, [250.0, 200.0, 96.0, 96.0])  # unmatched detection of area exactly 9216
    # Identical GT boxes, one small by its area field, one medium: which one a detection takes depends on the range.
    g = [200.0, 20.0, 40.0, 40.0]
    c.gt(exact_img, 3, g, 900.0, box_polygon(g))
    c.gt(exact_img, 3, g, 1500.0, box_polygon(g))
    c.det(exact_img, 3, 0.8, [201.0, 21.0, 40.0, 40.0])
    c.det(exact_img, 3, 0.8, [199.0, 19.0, 41.0, 41.0])
    c.det(exact_img, 3, 0.8, [202.0, 22.0, 38.0, 38.0])
    # A detection between two GT boxes with equal IoU to both (the later GT wins ties).
    g1, g2 = [20.0, 300.0, 40.0, 40.0], [60.0, 300.0, 40.0, 40.0]
    c.gt(exact_img, 5, g1, 1600.0, box_polygon(g1))
    c.gt(exact_img, 5, g2, 1600.0, box_polygon(g2))
    c.det(exact_img, 5, 0.6, [40.0, 300.0, 40.0, 40.0])
    c.det(exact_img, 5, 0.6, [20.0, 300.0, 60.0, 40.0])

    # Crowd images: crowd boxes with detections inside, regular GT inside and next to them.
    for img, cat, crowd_box in ((crowd_img1, 1, [30.0, 30.0, 120.0, 100.0]), (crowd_img2, 3, [10.5, 20.25, 140.0, 130.0])):
        H, W = c.sizes[img]
        m = np.zeros((H, W), np.uint8)
        x0, y0, x1, y1 = [int(round(v)) for v in (crowd_box[0], crowd_box[1], crowd_box[0] + crowd_box[2], crowd_box[1] + crowd_box[3])]
        m[y0:y1, x0:x1] = 1
        c.gt(img, cat, crowd_box, float(m.sum()), uncompressed_rle(m), iscrowd=1)
        inner = [[crowd_box[0] + 10, crowd_box[1] + 10, 30.0, 25.0], [crowd_box[0] + 70, crowd_box[1] + 50, 40.0, 35.0]]
        for b in inner:
            c.gt(img, cat, b, r2(b[2] * b[3] * 0.8), box_polygon(b))
            c.det(img, cat, c.score(), jitter(rng, b, 0.04, W, H))
        for _ in range(7):  # inside the crowd: IoU with the crowd box is intersection / detection area
            w, h = rng.uniform(5, 40), rng.uniform(5, 40)
            b = [f32(rng.uniform(crowd_box[0], crowd_box[0] + crowd_box[2] - w)), f32(rng.uniform(crowd_box[1], crowd_box[1] + crowd_box[3] - h)), f32(w), f32(h)]
            c.det(img, cat, c.score(), b)
        c.det(img, cat, c.score(), [f32(crowd_box[0] - 20), f32(crowd_box[1] + 5), 40.0, 30.0])  # half in
        c.det(img, cat, 0.5, [f32(crowd_box[0] + 12), f32(crowd_box[1] + 14), 30.0, 25.0])  # near a regular GT, in crowd
        b = rand_box(rng, W, H)
        c.gt(img, 5, b, r2(b[2] * b[3]), box_polygon(b))
        c.det(img, 5, c.score(), jitter(rng, b, 0.08, W, H))

    # One image with 130 detections of category 2 (maxDets 100 cuts the lowest 30 by score).
    H, W = c.sizes[many_img]
    boxes = [rand_box(rng, W, H, 100.0, 20000.0) for _ in range(12)]
    for b in boxes:
        c.gt(many_img, 2, b, r2(b[2] * b[3] * rng.uniform(0.5, 1.0)), box_polygon(b))
    for b in boxes:
        for _ in range(3):
            c.det(many_img, 2, c.score(), jitter(rng, b, 0.1, W, H))
    for _ in range(130 - 36):
        c.det(many_img, 2, c.score(0.7), jitter(rng, rand_box(rng, W, H), 0.0, W, H))

    # Everything else: random GT, detections near them (sometimes of a wrong category), false positives.
    specials = {exact_img, crowd_img1, crowd_img2, many_img, empty_img}
    for img in ids:
        if img in specials:
            continue
        H, W = c.sizes[img]
        n_gt = 0 if img in det_only_imgs else int(rng.integers(1, 9))
        for _ in range(n_gt):
            cat = gt_cats[int(rng.integers(len(gt_cats)))]
            b = rand_box(rng, W, H)
            area = r2(b[2] * b[3] * rng.uniform(0.45, 1.0)) if rng.random() < 0.6 else b[2] * b[3]
            a = c.gt(img, cat, b, area, box_polygon(b))
            if rng.random() < 0.04:
                a["ignore"] = 1  # COCOeval overwrites 'ignore' with iscrowd: this GT still counts
            if img in gt_only_imgs or cat == 13:
                continue
            for _ in range(int(rng.choice([0, 1, 1, 1, 2, 3]))):
                dcat = cat
                if rng.random() < 0.1:
                    dcat = [1, 2, 3, 5, 8, 99][int(rng.integers(6))]
                c.det(img, dcat, c.score(), jitter(rng, b, float(rng.choice([0.03, 0.1, 0.25])), W, H))
        if img in gt_only_imgs:
            continue
        for _ in range(int(rng.integers(0, 6))):
            cats = det_cats + stray_cats
            c.det(img, cats[int(rng.integers(len(cats)))], c.score(), jitter(rng, rand_box(rng, W, H), 0.0, W, H))
    c.shuffle_results()
    return c, ["bbox"]


def bbox_gt_id_zero():
    c = Case("bbox_gt_id_zero", 7)
    c.category(1, "a")
    c.image(1, 100, 100)
    c.image(2, 100, 100)
    for ann_id, img, b in [(0, 1, [10.0, 10.0, 30.0, 30.0]), (1, 1, [50.0, 50.0, 40.0, 40.0]), (2, 2, [20.0, 20.0, 50.0, 50.0])]:
        c.gt(img, 1, b, b[2] * b[3], box_polygon(b), ann_id=ann_id)
    c.det(1, 1, 0.9, [10.0, 10.0, 30.0, 30.0])  # matches GT id 0: stored as match 0, counted as a false positive
    c.det(1, 1, 0.8, [50.0, 50.0, 40.0, 40.0])
    c.det(2, 1, 0.7, [20.0, 20.0, 50.0, 50.0])
    return c, ["bbox"]


# ------------------------------------------------------------------------------------------------------ segm cases

def star(rng, cx, cy, r, W, H, spread=(0.6, 1.3)):
    n = int(rng.integers(5, 13))
    ang = np.sort(rng.uniform(0, 2 * math.pi, n))
    rad = r * rng.uniform(spread[0], spread[1], n)
    xs = np.clip(cx + rad * np.cos(ang), 0, W)
    ys = np.clip(cy + rad * np.sin(ang), 0, H)
    return [r2(v) for p in zip(xs, ys) for v in p]


def segm_gt(c, img, cats, n):
    """n random GT instances on img; returns [(annotation, mask)] of the non-crowd ones."""
    rng = c.rng
    H, W = c.sizes[img]
    out = []
    for _ in range(n):
        cat = cats[int(rng.integers(len(cats)))]
        kind = rng.choice(["poly", "poly", "poly", "poly2", "rle"])
        spread = (0.6, 1.3)
        if min(W, H) >= 130 and rng.random() < 0.3:  # large (> 96^2) needs a big, round instance
            r, spread = rng.uniform(0.42, 0.5) * min(W, H), (0.85, 1.15)
            cx, cy = rng.uniform(W * 0.4, W * 0.6), rng.uniform(H * 0.4, H * 0.6)
        else:
            r = math.exp(rng.uniform(math.log(3), math.log(max(4.0, min(W, H) * 0.35))))
            cx, cy = rng.uniform(0, W), rng.uniform(0, H)
        if kind == "rle":
            m = ellipse(H, W, cx, cy, r, r * rng.uniform(0.5, 1.5))
            if m.sum() == 0:
                continue
            seg = compressed_rle(m)
            a = c.gt(img, cat, rle_bbox(seg), int(m.sum()), seg)
        else:
            polys = [star(rng, cx, cy, r, W, H, spread)]
            if kind == "poly2":
                polys.append(star(rng, rng.uniform(0, W), rng.uniform(0, H), r * 0.6, W, H))
            m = poly_mask(polys, H, W)
            if m.sum() == 0:
                continue
            xs = [v for p in polys for v in p[0::2]]
            ys = [v for p in polys for v in p[1::2]]
            bbox = [min(xs), min(ys), r2(max(xs) - min(xs)), r2(max(ys) - min(ys))]
            a = c.gt(img, cat, bbox, sum(shoelace(p) for p in polys), polys)
        out.append((a, m, r))
    return out


def crowd_gt(c, img, cat):
    rng = c.rng
    H, W = c.sizes[img]
    m = np.zeros((H, W), np.uint8)
    cx, cy = rng.uniform(W * 0.3, W * 0.7), rng.uniform(H * 0.3, H * 0.7)
    for _ in range(int(rng.integers(2, 5))):
        m |= ellipse(H, W, cx + rng.normal(0, W * 0.1), cy + rng.normal(0, H * 0.1), rng.uniform(5, W * 0.3), rng.uniform(5, H * 0.3))
    seg = uncompressed_rle(m)
    assert (mask_util.decode(mask_util.frPyObjects(seg, H, W)) == m).all()
    c.gt(img, cat, rle_bbox(mask_util.frPyObjects(seg, H, W)), int(m.sum()), seg, iscrowd=1)
    return m


def perturbed(rng, m, r):
    """A detection made from a GT mask of radius about r: shifted by a few percent of r, grown or shrunk a pixel."""
    sigma = max(0.4, 0.08 * r)
    d = shift(m, int(round(rng.normal(0, sigma))), int(round(rng.normal(0, sigma))))
    return grow(d, int(rng.choice([-1, 0, 0, 1] if r > 6 else [0, 0, 1])))


def random_blob(rng, H, W, max_r=None):
    max_r = max_r or max(3.0, min(W, H) * 0.4)
    return ellipse(H, W, rng.uniform(0, W), rng.uniform(0, H), rng.uniform(1.5, max_r), rng.uniform(1.5, max_r))


def segm_case(name, seed, n_images, cats, with_box):
    c = Case(name, seed)
    rng = c.rng
    for cid in cats:
        c.category(cid, f"cat{cid}")
    ids = [int(v) for v in rng.choice(np.arange(1, 1000), size=n_images, replace=False)]
    for k, i in enumerate(ids):
        lo = 140 if k % 4 == 1 else 40  # every fourth image big enough for large instances
        c.image(i, int(rng.integers(lo, 161)), int(rng.integers(lo, 161)))
    many_img, crowd_imgs, det_only_img = ids[0], ids[1:6], ids[6]

    def emit(img, cat, m, score=None):
        seg = compressed_rle(m)
        score = c.score() if score is None else score
        if not with_box:
            c.det(img, cat, score, segmentation=seg)
            return
        if m.any():
            x, y, w, h = rle_bbox(seg)
        else:
            x, y, w, h = 3.0, 3.0, 6.0, 5.0
        # A predicted box is not the mask's extent: jitter it, so box area and mask area fall in different ranges.
        nw, nh = w * math.exp(rng.normal(0.1, 0.15)), h * math.exp(rng.normal(0.1, 0.15))
        box = [f32(x + w / 2 - nw / 2 + rng.normal(0, 1)), f32(y + h / 2 - nh / 2 + rng.normal(0, 1)), f32(nw), f32(nh)]
        c.det(img, cat, score, bbox=box, segmentation=seg)

    for img in ids:
        H, W = c.sizes[img]
        gts = [] if img == det_only_img else segm_gt(c, img, cats, int(rng.integers(1, 7)))
        if img in crowd_imgs:
            cat = cats[int(rng.integers(len(cats)))]
            cm = crowd_gt(c, img, cat)
            for _ in range(int(rng.integers(3, 7))):  # detections inside the crowd region
                m = random_blob(rng, H, W, 8.0) & cm
                if m.any():
                    emit(img, cat, m)
        for a, m, r in gts:
            for _ in range(int(rng.choice([0, 1, 1, 2]))):
                cat = a["category_id"] if rng.random() > 0.1 else cats[int(rng.integers(len(cats)))]
                emit(img, cat, perturbed(rng, m, r))
        for _ in range(int(rng.integers(0, 4))):
            emit(img, cats[int(rng.integers(len(cats)))], random_blob(rng, H, W))
    H, W = c.sizes[many_img]
    for _ in range(105):
        emit(many_img, cats[0], random_blob(rng, H, W, 12.0))
    emit(ids[7], cats[1], np.zeros(c.sizes[ids[7]], np.uint8), 0.5)  # an empty mask (area 0, box [0, 0, 0, 0])
    c.shuffle_results()
    return c, ["segm", "bbox"]


def segm_mixed():
    return segm_case("segm_mixed", 1234567, 20, [1, 2, 4, 7], with_box=False)


def segm_area_from_box():
    return segm_case("segm_area_from_box", 7654321, 16, [2, 3, 6], with_box=True)


# -------------------------------------------------------------------------------------------------- keypoint cases

KEYPOINT_NAMES = ["nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
                  "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee",
                  "right_knee", "left_ankle", "right_ankle"]


def kp_gt(c, img, cat, box, area, visibility=None, iscrowd=0, num_keypoints=None):
    """A GT with integer keypoints inside its box (unlabelled ones 0,0,0); num_keypoints from the visibilities unless given."""
    rng = c.rng
    if visibility is None:
        visibility = [int(v) for v in rng.choice([0, 1, 2], size=17, p=[0.25, 0.15, 0.6])]
    kps = []
    for v in visibility:
        if v == 0:
            kps += [0, 0, 0]
        else:
            kps += [int(rng.integers(int(box[0]), int(box[0] + box[2]) + 1)), int(rng.integers(int(box[1]), int(box[1] + box[3]) + 1)), int(v)]
    a = c.gt(img, cat, box, area, box_polygon(box), iscrowd=iscrowd)
    a["keypoints"] = kps
    a["num_keypoints"] = sum(1 for v in visibility if v > 0) if num_keypoints is None else num_keypoints
    return a


def kp_det(c, img, cat, kps, score, with_box):
    r = {"image_id": img, "category_id": cat, "keypoints": kps, "score": float(score)}
    if with_box:
        xs, ys = kps[0::3], kps[1::3]
        x0, y0, w, h = min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)
        # A predicted box is not the keypoints' extent: grow it, so that the two areas differ.
        g = math.exp(c.rng.normal(0.15, 0.1))
        r["bbox"] = [f32(x0 - w * (g - 1) / 2), f32(y0 - h * (g - 1) / 2), f32(w * g), f32(h * g)]
    c.results.append(r)


def near(c, a, spread):
    """Detected keypoints around a GT's: labelled ones moved by spread * sqrt(area), the others anywhere in its box;
    the third value is the keypoint's score."""
    rng = c.rng
    g = a["keypoints"]
    bx, by, bw, bh = a["bbox"]
    s = math.sqrt(max(a["area"], 1.0)) * spread
    out = []
    for i in range(17):
        if g[3 * i + 2] > 0:
            x, y = g[3 * i] + rng.normal(0, s), g[3 * i + 1] + rng.normal(0, s)
        else:
            x, y = rng.uniform(bx, bx + bw), rng.uniform(by, by + bh)
        out += [f32(x), f32(y), f32(rng.uniform(0, 1))]
    return out


def anywhere(c, W, H, box=None):
    rng = c.rng
    bx, by, bw, bh = box or [0.0, 0.0, float(W), float(H)]
    out = []
    for _ in range(17):
        out += [f32(rng.uniform(bx, bx + bw)), f32(rng.uniform(by, by + bh)), f32(rng.uniform(0, 1))]
    return out


def keypoints_case(name, seed, with_box):
    c = Case(name, seed)
    rng = c.rng
    for cid, cname in [(1, "person"), (4, "robot")]:
        c.category(cid, cname)
        c.categories[-1]["keypoints"] = KEYPOINT_NAMES
        c.categories[-1]["skeleton"] = [[16, 14], [14, 12], [17, 15], [15, 13], [12, 13], [6, 12], [7, 13], [6, 7], [6, 8], [7, 9],
                                        [8, 10], [9, 11], [2, 3], [1, 2], [1, 3], [2, 4], [3, 5], [4, 6], [5, 7]]
    cats = [1, 4]
    ids = [int(v) for v in rng.choice(np.arange(1, 3000), size=24, replace=False)]
    for i in ids:
        c.image(i, int(rng.integers(200, 641)), int(rng.integers(200, 481)))
    special, many_img, det_only, gt_only = ids[0], ids[1], ids[2], ids[3]

    def dets_for(img, a, cat=None):
        cat = a["category_id"] if cat is None else cat
        for _ in range(int(rng.choice([0, 1, 1, 1, 2]))):
            kps = near(c, a, float(rng.choice([0.01, 0.04, 0.1, 0.3])))
            score = c.score()
            kp_det(c, img, cat, kps, score, with_box)
            if rng.random() < 0.15:  # a duplicate with another score
                kp_det(c, img, cat, list(kps), c.score(), with_box)

    # The special image: ignored GT with detections on them, num_keypoints at odds with the visibilities, range limits.
    H, W = c.sizes[special]
    crowd_box = [20.0, 20.0, 150.0, 120.0]
    kp_gt(c, special, 1, crowd_box, 15000.0, visibility=[0] * 17, iscrowd=1)
    for _ in range(4):  # inside the crowd box, and one far outside its threefold region
        kp_det(c, special, 1, anywhere(c, W, H, crowd_box), c.score(), with_box)
    kp_det(c, special, 1, anywhere(c, W, H, [float(W) - 30.0, float(H) - 30.0, 25.0, 25.0]), 0.3, with_box)
    unlabelled = kp_gt(c, special, 1, [200.0, 30.0, 60.0, 90.0], 4000.0, visibility=[0] * 17)
    kp_det(c, special, 1, anywhere(c, W, H, [150.0, 0.0, 160.0, 200.0]), 0.85, with_box)  # partly outside 3x the box
    kp_det(c, special, 1, anywhere(c, W, H, unlabelled["bbox"]), 0.6, with_box)
    odd = kp_gt(c, special, 4, [30.0, 150.0, 80.0, 70.0], 3500.0, num_keypoints=0)  # labelled points, but ignored
    kp_det(c, special, 4, near(c, odd, 0.02), 0.9, with_box)
    odd2 = kp_gt(c, special, 4, [130.0, 150.0, 60.0, 60.0], 2500.0, visibility=[0] * 17, num_keypoints=5)  # counts; OKS by region
    kp_det(c, special, 4, anywhere(c, W, H, odd2["bbox"]), 0.7, with_box)
    for k, (box, area) in enumerate([([10.0, 190.0, 32.0, 32.0], 1024.0), ([60.0, 190.0, 96.0, 96.0], 9216.0), ([170.0, 200.0, 20.0, 20.0], 400.0)]):
        a = kp_gt(c, special, 1, box, area)
        kp_det(c, special, 1, near(c, a, 0.03), 0.5 + 0.1 * k, with_box)
    kp_det(c, special, 99, anywhere(c, W, H), 0.99, with_box)  # a category the GT does not have
    point = [f32(50.0), f32(60.0), 0.5] * 17  # all keypoints in one place: extent 0 x 0
    kp_det(c, special, 1, point, 0.4, with_box)

    # 30 detections of one category on one image: maxDets 20 keeps the best 20 by score.
    H, W = c.sizes[many_img]
    gts = [kp_gt(c, many_img, 1, rand_box(rng, W, H, 400.0, 40000.0), None) for _ in range(6)]
    for a in gts:
        a["area"] = r2(a["bbox"][2] * a["bbox"][3] * rng.uniform(0.4, 0.9))
        kp_det(c, many_img, 1, near(c, a, 0.05), c.score(), with_box)
    for _ in range(24):
        kp_det(c, many_img, 1, anywhere(c, W, H), c.score(0.7), with_box)

    for img in ids:
        if img in (special, many_img):
            continue
        H, W = c.sizes[img]
        n_gt = 0 if img == det_only else int(rng.integers(1, 7))
        for _ in range(n_gt):
            cat = cats[int(rng.integers(2))]
            box = rand_box(rng, W, H, 150.0, 60000.0)
            area = r2(box[2] * box[3] * rng.uniform(0.4, 0.9))
            crowd = rng.random() < 0.06
            a = kp_gt(c, img, cat, box, area, visibility=[0] * 17 if crowd else None, iscrowd=int(crowd))
            if img != gt_only:
                dets_for(img, a, cat if rng.random() > 0.08 else cats[1 - cats.index(cat)])
        if img == gt_only:
            continue
        for _ in range(int(rng.integers(0, 3))):
            kp_det(c, img, cats[int(rng.integers(2))], anywhere(c, W, H), c.score(), with_box)
    c.shuffle_results()
    return c, ["keypoints"]


def keypoints_mixed():
    return keypoints_case("keypoints_mixed", 3141592, with_box=False)


def keypoints_area_from_box():
    return keypoints_case("keypoints_area_from_box", 2718281, with_box=True)


# ------------------------------------------------------------------------------------------------------ evaluation

def run_eval(folder, iou_type, iou_thrs=None):
    with pycocotools_env.quiet():
        gt = COCO(os.path.join(folder, "gt.json"))
        dt = gt.loadRes(os.path.join(folder, "results.json"))
        E = COCOeval(gt, dt, iou_type)
        if iou_thrs is not None:
            E.params.iouThrs = iou_thrs
        E.evaluate()
        E.accumulate()
    return E


def write_array(folder, name, a):
    a = np.ascontiguousarray(a, dtype="<f8")
    with open(os.path.join(folder, name), "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as f:
            f.write(a.tobytes(order="C"))
    return {"file": name, "shape": list(a.shape)}


def evaluate_case(folder, iou_type):
    E = run_eval(folder, iou_type)
    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        E.summarize()
    summary = text.getvalue()
    with open(os.path.join(folder, f"summary_{iou_type}.txt"), "w") as f:
        f.write(summary)
    p = E.params
    ev = E.eval

    # Do the cases exercise the non-round thresholds? Compare with rounded ones.
    E2 = run_eval(folder, iou_type, iou_thrs=np.round(p.iouThrs, 2))
    rounded_iou_differs = not np.array_equal(E2.eval["precision"], ev["precision"]) or not np.array_equal(E2.eval["recall"], ev["recall"])
    rec_thrs = p.recThrs
    with pycocotools_env.quiet():
        p.recThrs = np.round(rec_thrs, 2)
        E.accumulate()
    rounded_rec_differs = not np.array_equal(E.eval["precision"], ev["precision"])
    p.recThrs = rec_thrs

    def reprs(v):
        return [float(x) for x in v]

    expected = {
        "iouType": iou_type,
        "stats": reprs(E.stats),
        "iouThrs": reprs(p.iouThrs),
        "recThrs": reprs(p.recThrs),
        "maxDets": [int(m) for m in p.maxDets],
        "areaRng": [[float(a), float(b)] for a, b in p.areaRng],
        "areaRngLbl": list(p.areaRngLbl),
        "catIds": [int(k) for k in p.catIds],
        "imgIds": [int(i) for i in p.imgIds],
        "counts": [int(v) for v in ev["counts"]],
        "layout": "each array file is gzip-compressed little-endian float64 in C (row-major) order; "
                  "precision and scores [T,R,K,A,M], recall [T,K,A,M]; T=iouThrs, R=recThrs, K=catIds, A=areaRng, M=maxDets",
        "precision": write_array(folder, f"precision_{iou_type}.f64.gz", ev["precision"]),
        "recall": write_array(folder, f"recall_{iou_type}.f64.gz", ev["recall"]),
        "scores": write_array(folder, f"scores_{iou_type}.f64.gz", ev["scores"]),
        "summaryFile": f"summary_{iou_type}.txt",
        "coverage": {
            "iouThrsRoundedTo2DecimalsChangesResults": bool(rounded_iou_differs),
            "recThrsRoundedTo2DecimalsChangesPrecision": bool(rounded_rec_differs),
        },
        "source": {"cocoapiCommit": SOURCE.get("commit"), "localChanges": SOURCE.get("localChanges"),
                   "numpy": SOURCE["numpy"], "python": SOURCE["python"]},
    }
    with open(os.path.join(folder, f"expected_{iou_type}.json"), "w") as f:
        f.write("{\n" + ",\n".join(f" {json.dumps(k)}: {json.dumps(v, allow_nan=False)}" for k, v in expected.items()) + "\n}\n")
    return summary, expected


CASES = [bbox_mixed, bbox_gt_id_zero, segm_mixed, segm_area_from_box, keypoints_mixed, keypoints_area_from_box]


def main():
    global COCO, COCOeval, mask_util, SOURCE
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--cocoapi", default=None, help="pycocotools' PythonAPI folder (else PYTHONPATH)")
    ap.add_argument("--only", nargs="*", default=None, help="write only these cases (names as the folders)")
    a = ap.parse_args()
    COCO, COCOeval, mask_util, SOURCE = pycocotools_env.load(a.cocoapi)
    for make in CASES:
        if a.only and make.__name__ not in a.only:
            continue
        case, iou_types = make()
        folder = os.path.join(a.out, case.name)
        case.write(folder)
        print(f"== {case.name}: {len(case.images)} images, {len(case.annotations)} GT, {len(case.results)} results")
        for t in iou_types:
            summary, exp = evaluate_case(folder, t)
            print(f"-- {t}  counts {exp['counts']}  coverage {exp['coverage']}")
            print(summary, end="")


if __name__ == "__main__":
    main()
