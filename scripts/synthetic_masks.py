"""Small numpy mask helpers shared by the synthetic COCO generators (make_cocoeval_fixtures.py, bench_cocoeval.py)."""
import numpy as np


def uncompressed_rle(mask):
    """COCO's uncompressed RLE of a HxW 0/1 array: column-major run lengths, starting with a run of zeros."""
    flat = np.asarray(mask, dtype=np.uint8).flatten(order="F")
    bounds = np.concatenate([[0], np.flatnonzero(np.diff(flat)) + 1, [flat.size]])
    counts = np.diff(bounds).tolist()
    if flat[0] == 1:
        counts = [0] + counts
    return {"counts": [int(c) for c in counts], "size": [int(mask.shape[0]), int(mask.shape[1])]}


def shift(mask, dx, dy):
    """The mask moved by (dx, dy) pixels, zeros shifted in."""
    out = np.zeros_like(mask)
    h, w = mask.shape
    src = mask[max(0, -dy):h - max(0, dy), max(0, -dx):w - max(0, dx)]
    out[max(0, dy):max(0, dy) + src.shape[0], max(0, dx):max(0, dx) + src.shape[1]] = src
    return out


def grow(mask, steps):
    """4-neighbour dilation (steps > 0) or erosion (steps < 0), as a uint8 0/1 array."""
    m = mask.astype(bool)
    for _ in range(abs(steps)):
        n = [shift(m.astype(np.uint8), dx, dy).astype(bool) for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1))]
        if steps > 0:
            m = m | n[0] | n[1] | n[2] | n[3]
        else:
            m = m & n[0] & n[1] & n[2] & n[3]
    return m.astype(np.uint8)
