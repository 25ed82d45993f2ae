"""Can the stride-4 level tell a 2 x 2 px person from a 3 x 3 one? (dev-time diagnosis, tools/train/README.md)

For every person of 2 x 2 or 3 x 3 px in a YOLO split, at the stride-4 cell holding its centre, it compares:
  - a linear probe (logistic regression, 5 folds split by image) on the features that the level's box and class
    layers read (the outputs of box4[0], pix4, fine4, h4b and, with --count, cnt3);
  - the model's own predicted size at that cell (mean of w and h), at its best threshold;
  - one rule on the pixels: how many in the 6 x 6 core of the person's 8 x 8 window differ from the window
    border's median by over 40 / 255 in some channel (3 or 4: a 2 x 2 person; any other count: 3 x 3).
If the probe does no better than the model's size, the head reads all its features hold; if the pixel rule does
better than both, the evidence is in the frame and lost below the head.

  /usr/bin/python3 tools/train/size_probe.py models/kestrel-sim-det-640.onnx <split dir> [--max-images N]

The model is rebuilt from the ONNX file's own `kestrel_training` metadata (flags) and weights.
"""

import argparse
import ast
import glob
import json
import os
import sys

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from init_weights import load_onnx_weights  # noqa: E402
from model import TinyDet, decode_boxes  # noqa: E402

STRIDE4 = 4
CONTRAST = 40.0  # / 255
PERSON = 2


def load_model(path):
    import onnx

    props = {p.key: p.value for p in onnx.load(path, load_external_data=False).metadata_props}
    meta = json.loads(props["kestrel_training"])
    nc = len(ast.literal_eval(props["names"]))  # Ultralytics writes a Python dict: {0: 'fire', ...}
    if "p2_max" not in meta:
        sys.exit(f"{path}: not a --p2 model, it has no stride-4 level to probe")
    model = TinyDet(nc, tuple(meta["width"]), p2=True, pix=meta.get("pix", False), fine=meta.get("fine", False),
                    head4=meta.get("head4", 0), count=meta.get("count", 0))
    load_onnx_weights(model, path, 320, allow_extra=False)
    return model.eval(), meta


def persons(label_file, w, h):
    """(cx, cy, size) of each 2 x 2 or 3 x 3 person, in pixels."""
    out = []
    for line in open(label_file):
        k, cx, cy, bw, bh = line.split()
        if int(k) != PERSON:
            continue
        pw, ph = round(float(bw) * w), round(float(bh) * h)
        if (pw, ph) in ((2, 2), (3, 3)):
            out.append((float(cx) * w, float(cy) * h, pw))
    return out


def pixel_count(img, cx, cy):
    """Pixels of the 6 x 6 core of the 8 x 8 window around (cx, cy) off the border's median by over CONTRAST."""
    x0, y0 = int(round(cx)) - 4, int(round(cy)) - 4
    if x0 < 0 or y0 < 0 or x0 + 8 > img.shape[1] or y0 + 8 > img.shape[0]:
        return None
    p = img[y0:y0 + 8, x0:x0 + 8]
    ring = np.concatenate([p[0], p[-1], p[:, 0], p[:, -1]])
    return int((np.abs(p[1:-1, 1:-1] - np.median(ring, 0)).max(-1) > CONTRAST).sum())


def logistic(x, y, lam=1e-2, steps=3000, lr=0.5):
    mu, sd = x.mean(0), x.std(0) + 1e-6
    z = (x - mu) / sd
    w, b = np.zeros(z.shape[1]), 0.0
    for _ in range(steps):
        g = 1 / (1 + np.exp(-(z @ w + b))) - y
        w -= lr * (z.T @ g / len(y) + lam * w)
        b -= lr * g.mean()
    return lambda xn: 1 / (1 + np.exp(-(((xn - mu) / sd) @ w + b)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model", help="an ONNX file the trainer exported with --p2")
    ap.add_argument("data", help="a YOLO split written by `kestrel sim dataset`")
    ap.add_argument("--split", default="val")
    ap.add_argument("--max-images", type=int, default=0, help="stop after this many images with such persons")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    model, meta = load_model(args.model)

    feats = {}
    layers = ["box4", "pix4", "fine4", "h4b"] + (["cnt3"] if meta.get("count") else [])
    for name in layers:
        mod = getattr(model, name)
        mod = mod[0] if name == "box4" else mod
        mod.register_forward_hook(lambda _m, _i, out, name=name: feats.__setitem__(name, out))

    xs, ys, sizes, counts, groups = [], [], [], [], []
    used = 0
    for lf in sorted(glob.glob(os.path.join(args.data, "labels", args.split, "*.txt"))):
        image = lf.replace(os.sep + "labels" + os.sep, os.sep + "images" + os.sep)[:-4] + ".jpg"
        img = np.asarray(Image.open(image).convert("RGB"), dtype=np.float32)
        ps = persons(lf, img.shape[1], img.shape[0])
        if not ps:
            continue
        used += 1
        if args.max_images and used > args.max_images:
            break
        with torch.no_grad():
            levels = model.levels(torch.from_numpy(img / 255.0).permute(2, 0, 1).unsqueeze(0).float())
        stride, box4, _ = levels[-1]
        assert stride == STRIDE4
        gh, gw = box4.shape[2:]
        for cx, cy, size in ps:
            n = pixel_count(img, cx, cy)
            if n is None:
                continue
            r, c = min(int(cy // STRIDE4), gh - 1), min(int(cx // STRIDE4), gw - 1)
            xs.append(np.concatenate([feats[k][0, :, r, c].numpy() for k in layers]))
            anchor = torch.tensor([[(c + 0.5) * STRIDE4, (r + 0.5) * STRIDE4]])
            wh = decode_boxes(box4[:, :, r, c].reshape(1, 4, 1), anchor, STRIDE4)[0, 2:, 0]
            ys.append(1.0 if size == 3 else 0.0)
            sizes.append(float(wh.mean()))
            counts.append(n)
            groups.append(used % 5)

    x, y, s, n, g = (np.array(v, dtype=np.float64) for v in (xs, ys, sizes, counts, groups))
    if len(y) < 20 or y.min() == y.max():
        sys.exit(f"too few persons of both sizes ({len(y)}) to probe")
    acc = []
    for k in range(5):
        fit = logistic(x[g != k], y[g != k])
        acc.append(float(((fit(x[g == k]) > 0.5) == (y[g == k] == 1)).mean()))
    own = max(float(((s < t) == (y == 0)).mean()) for t in np.arange(1.5, 4.5, 0.01))
    rule = float((((n == 3) | (n == 4)) == (y == 0)).mean())
    print(f"{len(y)} persons ({int((y == 0).sum())} 2 x 2, {int(y.sum())} 3 x 3) in {min(used, args.max_images or used)} "
          f"images; features: {x.shape[1]} ({', '.join(layers)})")
    print(f"  linear probe, 5 folds by image   {np.mean(acc):.3f}  ({', '.join(f'{a:.2f}' for a in acc)})")
    print(f"  the model's size, best threshold {own:.3f}  (mean {s[y == 0].mean():.2f} px on 2 x 2, "
          f"{s[y == 1].mean():.2f} on 3 x 3)")
    print(f"  always 3 x 3                     {max(y.mean(), 1 - y.mean()):.3f}")
    print(f"  pixel rule (3-4 pixels: 2 x 2)   {rule:.3f}")


if __name__ == "__main__":
    main()
