#!/usr/bin/python3
"""pycocotools COCOeval speed on large synthetic sets that the C# evaluator's benchmark reads too.

Usage (pycocotools built outside the repository, see scripts/make_cocoeval_fixtures.py):
    /usr/bin/python3 scripts/bench_cocoeval.py generate [--dir DIR] [--cocoapi PATH]
    /usr/bin/python3 scripts/bench_cocoeval.py time [--dir DIR] [--reps N] [--json] [--sets bbox,segm] [--cocoapi PATH]
DIR defaults to /tmp/maskrcnn-cocoeval-bench. PATH is pycocotools' PythonAPI folder (else PYTHONPATH).

generate writes, deterministically (seeded numpy), standard COCO files:
  bbox_gt.json, bbox_results.json   5000 images (640 x 360..640), 80 COCO category ids, about 7 GT per image
                                    (1% crowd, 'area' below the box area as for masks), 100 detections per image
                                    (500,000): 1-4 jittered boxes per GT, sometimes of another category, the rest
                                    random false positives; float32 boxes and scores as maskrcnn-benchmark writes them
  segm_gt.json, segm_results.json   500 images 480 x 640, about 7 polygon GT per image (some with two polygons; 1%
                                    crowd as uncompressed RLE), 100 compressed-RLE detections per image (50,000) made
                                    by shifting/dilating GT masks and from random ellipses; no 'bbox' key
                                    (maskrcnn-benchmark's segm.json), so loadRes takes areas and boxes from the masks
  params.json                       the parameters; files are regenerated only when these differ
time runs, per set, a fresh child process that loads the files (not timed), then times COCOeval evaluate() +
accumulate() (not summarize) --reps times (reloading between reps: evaluate converts GT polygons in place), and
reports the median (and evaluate()'s share) and the child's peak resident memory (VmHWM, which includes loading), as a markdown table and,
with --json, one JSON line.
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pycocotools_env  # noqa: E402
from synthetic_masks import grow, shift, uncompressed_rle  # noqa: E402

DEFAULT_DIR = "/tmp/maskrcnn-cocoeval-bench"
COCO_CAT_IDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28, 31, 32,
                33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59,
                60, 61, 62, 63, 64, 65, 67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 90]
FILES = ["bbox_gt.json", "bbox_results.json", "segm_gt.json", "segm_results.json"]


def params(a):
    return {"version": 1,
            "bbox": {"seed": 11, "images": a.bbox_images, "categories": 80, "gtPerImage": 7, "detsPerImage": 100},
            "segm": {"seed": 12, "images": a.segm_images, "height": 480, "width": 640, "gtPerImage": 7, "detsPerImage": 100}}


def f32(v):
    """float32 values as Python floats (what maskrcnn-benchmark's tensor.tolist() writes)."""
    return np.asarray(v, dtype=np.float32).astype(np.float64).tolist()


def write_json(path, obj):
    tmp = path + ".part"
    with open(tmp, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
    os.replace(tmp, path)


def category_sampler(rng):
    """Skewed like COCO: a few common categories, a long tail."""
    w = 1.0 / (np.arange(80) + 4.0)
    w /= w.sum()
    perm = rng.permutation(80)
    return lambda n: np.array(COCO_CAT_IDS)[perm[rng.choice(80, size=n, p=w)]]


def random_boxes(rng, n, W, H, min_area=16.0):
    """Area log-uniform in [min_area, 0.6 W H] (about 44% small, 24% medium, 32% large), aspect 0.3..3."""
    area = np.exp(rng.uniform(np.log(min_area), np.log(0.6 * W * H), n))
    ar = np.exp(rng.uniform(np.log(0.3), np.log(3.0), n))
    w = np.minimum(np.sqrt(area * ar), W - 1.0)
    h = np.minimum(area / w, H - 1.0)
    x = rng.uniform(0, 1, n) * (W - w)
    y = rng.uniform(0, 1, n) * (H - h)
    return np.stack([x, y, w, h], 1)


def jitter_boxes(rng, b, sigma, W, H):
    n = len(b)
    w = np.maximum(1.0, b[:, 2] * np.exp(rng.normal(0, sigma, n)))
    h = np.maximum(1.0, b[:, 3] * np.exp(rng.normal(0, sigma, n)))
    x = np.clip(b[:, 0] + b[:, 2] / 2 - w / 2 + rng.normal(0, 1, n) * sigma * b[:, 2], 0, W - 1.0)
    y = np.clip(b[:, 1] + b[:, 3] / 2 - h / 2 + rng.normal(0, 1, n) * sigma * b[:, 3], 0, H - 1.0)
    return np.stack([x, y, np.minimum(w, W - x), np.minimum(h, H - y)], 1)


def gen_bbox(p, folder):
    rng = np.random.default_rng(p["seed"])
    cats = category_sampler(rng)
    images, anns, results = [], [], []
    ann_id = 1
    for img in range(1, p["images"] + 1):
        W, H = 640, int(rng.integers(360, 641))
        images.append({"id": img, "width": W, "height": H, "file_name": f"{img:012d}.jpg"})
        n = max(1, int(rng.poisson(p["gtPerImage"])))
        boxes = np.round(random_boxes(rng, n, W, H), 2)
        gcats = cats(n)
        crowd = rng.random(n) < 0.01
        area = np.round(boxes[:, 2] * boxes[:, 3] * rng.uniform(0.4, 0.9, n), 2)
        for b, c, cr, a in zip(boxes.tolist(), gcats.tolist(), crowd.tolist(), area.tolist()):
            x1, y1, x2, y2 = b[0], b[1], b[0] + b[2], b[1] + b[3]
            anns.append({"id": ann_id, "image_id": img, "category_id": c, "bbox": b, "area": a, "iscrowd": int(cr),
                         "segmentation": [[x1, y1, x1, y2, x2, y2, x2, y1]]})
            ann_id += 1
        k = rng.integers(1, 5, n)
        src = np.repeat(np.arange(n), k)[:p["detsPerImage"]]
        near = jitter_boxes(rng, boxes[src], 0.12, W, H)
        ncats = gcats[src].copy()
        other = rng.random(len(src)) < 0.1
        ncats[other] = cats(int(other.sum()))
        m = p["detsPerImage"] - len(src)
        dboxes = f32(np.concatenate([near, random_boxes(rng, m, W, H)]))
        dcats = np.concatenate([ncats, cats(m)]).tolist()
        scores = f32(np.concatenate([rng.beta(4, 2, len(src)), rng.beta(1, 4, m)]))
        for b, c, s in zip(dboxes, dcats, scores):
            results.append({"image_id": img, "category_id": c, "bbox": b, "score": s})
    cat_list = [{"id": c, "name": f"class{c}", "supercategory": "thing"} for c in COCO_CAT_IDS]
    write_json(os.path.join(folder, "bbox_gt.json"), {"images": images, "categories": cat_list, "annotations": anns})
    write_json(os.path.join(folder, "bbox_results.json"), results)


def star(rng, cx, cy, r, W, H):
    n = int(rng.integers(10, 31))
    ang = np.sort(rng.uniform(0, 2 * math.pi, n))
    rad = r * rng.uniform(0.7, 1.2, n)
    xs = np.round(np.clip(cx + rad * np.cos(ang), 0, W), 2)
    ys = np.round(np.clip(cy + rad * np.sin(ang), 0, H), 2)
    return np.stack([xs, ys], 1).ravel().tolist()


def ellipse_into(out, rng, W, H):
    """Draws a random ellipse into out (H x W uint8), touching only its bounding region."""
    area = math.exp(rng.uniform(math.log(20), math.log(0.3 * W * H)))
    ar = math.exp(rng.uniform(math.log(0.4), math.log(2.5)))
    rx, ry = math.sqrt(area * ar / math.pi), math.sqrt(area / ar / math.pi)
    cx, cy = rng.uniform(0, W), rng.uniform(0, H)
    x0, x1 = max(0, int(cx - rx)), min(W, int(cx + rx) + 1)
    y0, y1 = max(0, int(cy - ry)), min(H, int(cy + ry) + 1)
    yy, xx = np.mgrid[y0:y1, x0:x1]
    out[y0:y1, x0:x1] = (((xx + 0.5 - cx) / rx) ** 2 + ((yy + 0.5 - cy) / ry) ** 2 <= 1.0)


def gen_segm(p, folder, mask_util):
    rng = np.random.default_rng(p["seed"])
    cats = category_sampler(rng)
    H, W, D = p["height"], p["width"], p["detsPerImage"]
    images, anns, results = [], [], []
    ann_id = 1
    for img in range(1, p["images"] + 1):
        images.append({"id": img, "width": W, "height": H, "file_name": f"{img:012d}.jpg"})
        n = max(1, int(rng.poisson(p["gtPerImage"])))
        gcats = cats(n)
        masks = []
        for c in gcats.tolist():
            r = math.exp(rng.uniform(math.log(3), math.log(0.35 * H)))
            cx, cy = rng.uniform(0, W), rng.uniform(0, H)
            if rng.random() < 0.01:  # crowd: a union of ellipses as uncompressed RLE
                m = np.zeros((H, W), np.uint8)
                for _ in range(3):
                    ellipse_into(m, rng, W, H)
                if not m.any():
                    continue
                seg, crowd = uncompressed_rle(m), 1
                area = int(m.sum())
                bbox = mask_util.toBbox(mask_util.frPyObjects(seg, H, W)).tolist()
            else:
                polys = [star(rng, cx, cy, r, W, H)]
                if rng.random() < 0.15:
                    polys.append(star(rng, rng.uniform(0, W), rng.uniform(0, H), r * 0.5, W, H))
                rle = mask_util.merge(mask_util.frPyObjects(polys, H, W))
                m = mask_util.decode(rle)
                if not m.any():
                    continue
                seg, crowd = polys, 0
                area = float(mask_util.area(rle))
                xs = [v for q in polys for v in q[0::2]]
                ys = [v for q in polys for v in q[1::2]]
                bbox = [min(xs), min(ys), round(max(xs) - min(xs), 2), round(max(ys) - min(ys), 2)]
            anns.append({"id": ann_id, "image_id": img, "category_id": c, "bbox": bbox, "area": area,
                         "iscrowd": crowd, "segmentation": seg})
            ann_id += 1
            masks.append((c, m, r))
        stack = np.zeros((H, W, D), np.uint8, order="F")
        dcats = []
        for c, m, r in masks:
            for _ in range(int(rng.integers(1, 4))):
                if len(dcats) == D:
                    break
                sigma = max(0.5, 0.1 * r)
                d = shift(m, int(round(rng.normal(0, sigma))), int(round(rng.normal(0, sigma))))
                stack[:, :, len(dcats)] = grow(d, int(rng.choice([-1, 0, 1, 2])))
                dcats.append(c if rng.random() > 0.1 else int(cats(1)[0]))
        n_near = len(dcats)
        while len(dcats) < D:
            ellipse_into(stack[:, :, len(dcats)], rng, W, H)
            dcats.append(int(cats(1)[0]))
        rles = mask_util.encode(stack)
        scores = f32(np.concatenate([rng.beta(4, 2, n_near), rng.beta(1, 4, D - n_near)]))
        for rle, c, s in zip(rles, dcats, scores):
            results.append({"image_id": img, "category_id": c,
                            "segmentation": {"size": [H, W], "counts": rle["counts"].decode("ascii")}, "score": s})
    cat_list = [{"id": c, "name": f"class{c}", "supercategory": "thing"} for c in COCO_CAT_IDS]
    write_json(os.path.join(folder, "segm_gt.json"), {"images": images, "categories": cat_list, "annotations": anns})
    write_json(os.path.join(folder, "segm_results.json"), results)


def generate(a):
    p = params(a)
    os.makedirs(a.dir, exist_ok=True)
    pfile = os.path.join(a.dir, "params.json")
    if os.path.exists(pfile) and all(os.path.exists(os.path.join(a.dir, f)) for f in FILES):
        with open(pfile) as f:
            if json.load(f) == p:
                print(f"{a.dir}: files exist with these parameters; skipped")
                return
    if os.path.exists(pfile):
        os.remove(pfile)
    _, _, mask_util, _ = pycocotools_env.load(a.cocoapi)
    t = time.time()
    gen_bbox(p["bbox"], a.dir)
    print(f"bbox set written ({time.time() - t:.1f} s)", flush=True)
    t = time.time()
    gen_segm(p["segm"], a.dir, mask_util)
    print(f"segm set written ({time.time() - t:.1f} s)", flush=True)
    write_json(pfile, p)


def peak_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def child(a):
    """One set, in its own process: load (untimed), then time evaluate() + accumulate()."""
    COCO, COCOeval, _, _ = pycocotools_env.load(a.cocoapi)
    times, eval_times, load_times = [], [], []
    for _ in range(a.reps):
        t = time.perf_counter()
        with pycocotools_env.quiet():
            gt = COCO(os.path.join(a.dir, f"{a.set}_gt.json"))
            dt = gt.loadRes(os.path.join(a.dir, f"{a.set}_results.json"))
        load_times.append(time.perf_counter() - t)
        E = COCOeval(gt, dt, a.set)
        with pycocotools_env.quiet():
            t = time.perf_counter()
            E.evaluate()
            t1 = time.perf_counter()
            E.accumulate()
            times.append(time.perf_counter() - t)
            eval_times.append(t1 - t)
            E.summarize()  # untimed: the stats let the comparison script check that both tools agree
        stats = [float(x) for x in E.stats]
        del E, gt, dt
    print(json.dumps({"set": a.set, "times": times, "evaluateTimes": eval_times, "loadTimes": load_times, "peakRssMb": peak_mb(),
                      "stats": stats}))


def time_sets(a):
    generate(a)
    with open(os.path.join(a.dir, "params.json")) as f:
        p = json.load(f)
    rows = []
    load_before = os.getloadavg()
    for s in a.sets.split(","):
        cmd = [sys.executable, os.path.abspath(__file__), "_child", "--set", s, "--dir", a.dir, "--reps", str(a.reps)]
        if a.cocoapi:
            cmd += ["--cocoapi", a.cocoapi]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        r.update({"images": p[s]["images"], "detections": p[s]["images"] * p[s]["detsPerImage"], "reps": a.reps,
                  "medianS": statistics.median(r["times"]), "minS": min(r["times"]), "maxS": max(r["times"])})
        rows.append(r)
    print("| set | images | detections | reps | evaluate+accumulate median s | min s | max s | of which evaluate s | load s (untimed) | peak RSS MB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(f"| {r['set']} | {r['images']} | {r['detections']} | {r['reps']} | {r['medianS']:.2f} | {r['minS']:.2f} | "
              f"{r['maxS']:.2f} | {statistics.median(r['evaluateTimes']):.2f} | {statistics.median(r['loadTimes']):.2f} | {r['peakRssMb']:.0f} |")
    if a.json:
        print(json.dumps({"tool": "pycocotools", "cpus": os.cpu_count(), "loadavgBefore": load_before,
                          "loadavgAfter": os.getloadavg(), "results": rows}))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("command", choices=["generate", "time", "_child"])
    ap.add_argument("--dir", default=DEFAULT_DIR)
    ap.add_argument("--cocoapi", default=None, help="pycocotools' PythonAPI folder (else PYTHONPATH)")
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--json", action="store_true", help="also print one JSON line")
    ap.add_argument("--sets", default="bbox,segm")
    ap.add_argument("--set", help=argparse.SUPPRESS)
    ap.add_argument("--bbox-images", type=int, default=5000, help="for quick trials; the C# benchmark uses 5000")
    ap.add_argument("--segm-images", type=int, default=500, help="for quick trials; the C# benchmark uses 500")
    a = ap.parse_args()
    {"generate": generate, "time": time_sets, "_child": child}[a.command](a)


if __name__ == "__main__":
    main()
