#!/usr/bin/python3
"""Reference numbers for the keypoint head's heatmap decoding (tests/MaskRcnn.Tests/Fixtures/keypoint_decode/).

maskrcnn-benchmark decodes keypoint heatmaps with OpenCV: each RoI's [K, S, S] logits, as an S x S image of K
channels, are resized with cv2.INTER_CUBIC to the RoI's size rounded up (at least 1), and each keypoint is the first
maximum of its channel, at the pixel centre scaled back by size / rounded size and shifted to the RoI. This script
runs that with Debian's python3-opencv (4.6) and numpy, on seeded random logits:
  heatmaps.f32.gz   [N, K, S, S] float32 logits (little-endian, C order, gzip)
  rois.json         N boxes x1, y1, x2, y2 (float32 values) and the shapes
  resized.f32.gz    RoI 0's resized maps, [K, h0, w0] float32: OpenCV's values, to compare bit for bit
  expected.json     keypoints [N, K, 3] (x, y, 1) and scores [N, K], as float32 values
Run: /usr/bin/python3 scripts/make_keypoint_decode_fixture.py [--out DIR]
"""
import argparse
import gzip
import json
import os

import cv2
import numpy as np

DEFAULT_OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "MaskRcnn.Tests", "Fixtures", "keypoint_decode")


def gz(path, array):
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as f:
            f.write(np.ascontiguousarray(array, dtype="<f4").tobytes())


def decode(maps, rois):
    n, k = maps.shape[:2]
    points = np.zeros((n, k, 3), np.float32)
    scores = np.zeros((n, k), np.float32)
    resized_first = None
    for i in range(n):
        x1, y1, x2, y2 = rois[i]
        w = np.maximum(x2 - x1, np.float32(1))
        h = np.maximum(y2 - y1, np.float32(1))
        wc, hc = int(np.ceil(w)), int(np.ceil(h))
        image = cv2.resize(np.ascontiguousarray(maps[i].transpose(1, 2, 0)), (wc, hc), interpolation=cv2.INTER_CUBIC)
        image = image.reshape(hc, wc, k).transpose(2, 0, 1)  # a 1-channel result would lose its last axis
        if i == 0:
            resized_first = image.copy()
        flat = image.reshape(k, -1).argmax(axis=1)
        xs, ys = flat % wc, flat // wc
        points[i, :, 0] = (xs + 0.5) * (w / np.float32(wc)) + x1
        points[i, :, 1] = (ys + 0.5) * (h / np.float32(hc)) + y1
        points[i, :, 2] = 1
        scores[i] = image[np.arange(k), ys, xs]
    return points, scores, resized_first


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT)
    out = ap.parse_args().out
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(56)
    n, k, s = 5, 17, 14
    maps = rng.normal(0, 2, (n, k, s, s)).astype(np.float32)
    # Sizes: odd widths (OpenCV's scalar tail differs from its SIMD loop), fractional, below one pixel, larger than S.
    rois = np.array([[3.5, 7.25, 12.75, 30.0], [10, 20, 47, 33], [0, 0, 0.4, 0.6], [100.125, 50.5, 171.0, 149.75], [5, 5, 19, 19]], np.float32)
    points, scores, resized = decode(maps, rois)
    gz(os.path.join(out, "heatmaps.f32.gz"), maps)
    gz(os.path.join(out, "resized.f32.gz"), resized)
    with open(os.path.join(out, "rois.json"), "w") as f:
        json.dump({"rois": [[float(v) for v in r] for r in rois], "heatmaps": [n, k, s, s], "resized": list(resized.shape),
                   "opencv": cv2.__version__, "numpy": np.__version__}, f, indent=1)
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump({"keypoints": [[[float(v) for v in p] for p in r] for r in points], "scores": [[float(v) for v in r] for r in scores]}, f)
    print(f"wrote {out}: resized RoI 0 to {resized.shape}; scores {scores.min():.3f}..{scores.max():.3f}")


if __name__ == "__main__":
    main()
