"""Reads a YOLO-format dataset (as written by `kestrel sim dataset`) into
memory, letterboxed exactly as Kestrel's Preprocessor does it: scale to fit,
centre, pad with grey 114, antialiased linear resize. The input may be
rectangular (`size` as (width, height)); an image already that size is
copied as it is, not resampled."""

import os
import re

import numpy as np
from PIL import Image

IMAGE_EXT = (".jpg", ".jpeg", ".png", ".webp")


def read_names(data_dir):
    """Class names from data.yaml, in index order (`names:` as an index map or a list)."""
    names = {}
    in_names = False
    listed = []
    with open(os.path.join(data_dir, "data.yaml"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("names:"):
                in_names = True
                rest = line[len("names:"):].strip()
                if rest.startswith("["):
                    return [n.strip().strip("'\"") for n in rest.strip("[]").split(",")]
                continue
            if in_names:
                # Keys may be quoted ("0": fire): `kestrel data export` writes data.yaml with a YAML library.
                m = re.match(r"^\s+[\"']?(\d+)[\"']?\s*:\s*(.+?)\s*$", line)
                if m:
                    names[int(m.group(1))] = m.group(2).strip("'\"")
                    continue
                m = re.match(r"^\s+-\s*(.+?)\s*$", line)
                if m:
                    listed.append(m.group(1).strip("'\""))
                    continue
                in_names = False
    if listed:
        return listed
    return [names[i] for i in range(len(names))]


def size_wh(size):
    """(width, height) of an input size given as one int (square) or a (width, height) pair."""
    return (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))


def letterbox_geometry(w, h, size):
    sw, sh = size_wh(size)
    s = min(sw / w, sh / h)
    nw = min(sw, max(1, round(w * s)))
    nh = min(sh, max(1, round(h * s)))
    return s, nw, nh, (sw - nw) // 2, (sh - nh) // 2


def load_split(data_dir, split, size, limit=None):
    """Returns images uint8 [N, 3, height, width] and a list of label arrays [M, 5] (cls, x1, y1, x2, y2 in input
    pixels). `size`: an int (square input) or (width, height)."""
    img_dir = os.path.join(data_dir, "images", split)
    lbl_dir = os.path.join(data_dir, "labels", split)
    files = sorted(f for f in os.listdir(img_dir) if f.lower().endswith(IMAGE_EXT))
    if limit is not None:
        files = files[:limit]
    sw, sh = size_wh(size)
    images = np.full((len(files), 3, sh, sw), 114, dtype=np.uint8)
    labels = []
    for i, name in enumerate(files):
        im = Image.open(os.path.join(img_dir, name)).convert("RGB")
        w, h = im.size
        s, nw, nh, px, py = letterbox_geometry(w, h, size)
        # Native size (the rectangular input): no resampling at all, as Kestrel's letterbox at scale 1.
        arr = np.asarray(im if (nw, nh) == (w, h) else im.resize((nw, nh), Image.BILINEAR))
        images[i, :, py:py + nh, px:px + nw] = arr.transpose(2, 0, 1)
        rows = []
        path = os.path.join(lbl_dir, os.path.splitext(name)[0] + ".txt")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                for line in f:
                    p = line.split()
                    if len(p) != 5:
                        continue
                    c, cx, cy, bw, bh = int(p[0]), *map(float, p[1:])
                    rows.append([c, px + (cx - bw / 2) * nw, py + (cy - bh / 2) * nh,
                                 px + (cx + bw / 2) * nw, py + (cy + bh / 2) * nh])
        labels.append(np.asarray(rows, dtype=np.float32).reshape(-1, 5))
    return images, labels, files
