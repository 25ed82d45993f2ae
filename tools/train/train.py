#!/usr/bin/env python3
"""Trains Kestrel's small sim detector on a YOLO-format dataset and exports
ONNX in the Ultralytics layout [1, 4 + nc, N] (cx, cy, w, h in input pixels,
then per-class sigmoid scores), class names in metadata_props `names`.

Dev-time only (Debian's python3-torch, CPU). See README.md.

    /usr/bin/python3 tools/train/train.py --data data/ff-train --epochs 12 --imgsz 320 \\
        --out models/kestrel-sim-det.onnx
"""

import argparse
import copy
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from data import load_split, read_names  # noqa: E402
from init_weights import freeze_bn, load_onnx_weights  # noqa: E402
from loss import detection_loss  # noqa: E402
from model import STRIDE, ExportHead, TinyDet, anchor_points, decode_boxes  # noqa: E402
from quick_eval import ap50_per_class  # noqa: E402

try:
    from tqdm import tqdm
except ImportError:  # a plain counter when tqdm is missing
    def tqdm(it, total=None, desc="", **_):
        total = total if total is not None else len(it)
        for i, x in enumerate(it):
            sys.stderr.write(f"\r{desc} {i + 1}/{total}")
            yield x
        sys.stderr.write("\n")


# Classes that give up contested cells to any other class in the assignment (see loss.py).
DIFFUSE_CLASSES = ("smoke",)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="dataset dir with data.yaml, images/{train,val}, labels/{train,val}")
    p.add_argument("--out", required=True, help="ONNX file to write")
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--imgsz", type=int, default=320, help="square input size, multiple of 32 (default 320)")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=2e-3, help="peak AdamW learning rate")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads (default 2)")
    p.add_argument("--limit", type=int, default=None, help="use at most this many train images (smoke tests)")
    p.add_argument("--width", default="16,32,48,64,96", help="channels per stage, comma separated")
    p.add_argument("--opset", type=int, default=13)
    p.add_argument("--init", default=None,
                   help="fine-tune: start from this exported detector (.onnx, same --width and classes); "
                        "BatchNorm statistics stay frozen")
    p.add_argument("--add", action="append", default=[], metavar="DIR",
                   help="another YOLO dataset whose train split joins the training set (repeatable; same class "
                        "names), e.g. an exported field capture set")
    return p.parse_args(argv)


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def augment(images, labels, size, rng):
    """Flips (a nadir view has no up) and a brightness/contrast jitter; boxes follow the flips."""
    x = images.float()
    out_labels = []
    for i in range(x.shape[0]):
        t = labels[i].clone()
        if rng.random() < 0.5:
            x[i] = x[i].flip(2)
            t[:, [1, 3]] = size - t[:, [3, 1]]
        if rng.random() < 0.5:
            x[i] = x[i].flip(1)
            t[:, [2, 4]] = size - t[:, [4, 2]]
        gain = rng.uniform(0.75, 1.25)
        bias = rng.uniform(-20, 20)
        x[i] = (x[i] * gain + bias).clamp(0, 255)
        out_labels.append(t)
    return x / 255.0, out_labels


class Ema:
    """Exponential moving average of weights, ramped in (Ultralytics' ModelEMA): steadier than the last step's weights."""

    def __init__(self, model, decay=0.999, tau=500):
        self.model = copy.deepcopy(model).eval()
        self.decay = decay
        self.tau = tau
        self.updates = 0
        for p in self.model.parameters():
            p.requires_grad_(False)

    @torch.no_grad()
    def update(self, model):
        self.updates += 1
        d = self.decay * (1 - math.exp(-self.updates / self.tau))
        msd = model.state_dict()
        for k, v in self.model.state_dict().items():
            if v.dtype.is_floating_point:
                v.mul_(d).add_(msd[k].detach(), alpha=1 - d)
            else:
                v.copy_(msd[k])


@torch.no_grad()
def predict(model, images, size, batch=64):
    model.eval()
    g = size // STRIDE
    anchors = anchor_points(g, g)
    outs = []
    for i in range(0, images.shape[0], batch):
        box, cls = model(images[i:i + batch].float() / 255.0)
        b = decode_boxes(box.flatten(2), anchors)
        outs.append(torch.cat([b, torch.sigmoid(cls.flatten(2))], 1))
    return torch.cat(outs, 0)


def export_onnx(model, names, size, path, opset, meta):
    import onnx

    head = ExportHead(copy.deepcopy(model).eval(), size).eval()
    dummy = torch.zeros(1, 3, size, size)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    torch.onnx.export(head, dummy, path, input_names=["images"], output_names=["output0"], opset_version=opset,
                      do_constant_folding=True)
    m = onnx.load(path)
    # Ultralytics writes names as a Python dict literal; Kestrel's parseUltralyticsNames reads exactly that.
    props = {
        "names": "{" + ", ".join(f"{i}: '{n}'" for i, n in enumerate(names)) + "}",
        "stride": str(STRIDE),
        "imgsz": f"[{size}, {size}]",
        "task": "detect",
        "description": "Kestrel sim detector (tools/train)",
        "author": "Kestrel",
        "kestrel_training": json.dumps(meta, sort_keys=True),
    }
    del m.metadata_props[:]
    for k, v in props.items():
        e = m.metadata_props.add()
        e.key, e.value = k, v
    onnx.checker.check_model(m)
    onnx.save(m, path)


def main(argv=None):
    args = parse_args(argv)
    if args.imgsz % 32 != 0:
        sys.exit("error: --imgsz must be a multiple of 32")
    seed_everything(args.seed)
    torch.set_num_threads(args.threads)
    names = read_names(args.data)
    nc = len(names)
    t0 = time.time()
    train_x, train_y, _ = load_split(args.data, "train", args.imgsz, args.limit)
    for extra in args.add:
        if read_names(extra) != names:
            sys.exit(f"error: {extra} has classes {read_names(extra)}, {args.data} has {names}")
        ex, ey, _ = load_split(extra, "train", args.imgsz, args.limit)
        print(f"added {len(ey)} train images from {extra}", file=sys.stderr)
        train_x = np.concatenate([train_x, ex])
        train_y = train_y + ey
    val_x, val_y, _ = load_split(args.data, "val", args.imgsz, None if args.limit is None else max(8, args.limit // 4))
    print(f"loaded {len(train_y)} train / {len(val_y)} val images at {args.imgsz}px in {time.time() - t0:.0f}s; "
          f"classes {names}", file=sys.stderr)
    train_x = torch.from_numpy(train_x)
    val_x = torch.from_numpy(val_x)
    train_y = [torch.from_numpy(y) for y in train_y]

    width = tuple(int(c) for c in args.width.split(","))
    model = TinyDet(nc, width)
    if args.init is not None:
        n = load_onnx_weights(model, args.init, args.imgsz)
        print(f"init: {n} convolutions from {args.init}", file=sys.stderr)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"model: {n_params / 1e6:.2f} M parameters", file=sys.stderr)
    g = args.imgsz // STRIDE
    anchors = anchor_points(g, g)
    decay, no_decay = [], []
    for n_, p in model.named_parameters():
        (no_decay if p.ndim <= 1 else decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 5e-4}, {"params": no_decay, "weight_decay": 0}],
                            lr=args.lr, betas=(0.9, 0.999))
    steps_per_epoch = math.ceil(len(train_y) / args.batch)
    total = max(1, steps_per_epoch * args.epochs)
    warmup = min(300, total // 10)

    def lr_at(step):
        if step < warmup:
            return args.lr * (step + 1) / warmup
        return args.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, total - warmup))))

    def meta(done):
        m = {"data": os.path.abspath(args.data), "epochs": args.epochs, "epochs_done": done,
             "imgsz": args.imgsz, "seed": args.seed, "batch": args.batch, "lr": args.lr, "width": list(width),
             "train_images": len(train_y), "torch": torch.__version__}
        if args.add:
            m["add"] = [os.path.abspath(a) for a in args.add]
        if args.init is not None:
            m["init"] = os.path.abspath(args.init)
        return m

    yielding = tuple(i for i, n in enumerate(names) if n in DIFFUSE_CLASSES)
    ema = Ema(model)
    rng = random.Random(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    step = 0
    for epoch in range(args.epochs):
        model.train()
        if args.init is not None:
            freeze_bn(model)
        order = torch.randperm(len(train_y), generator=gen)
        bar = tqdm(range(steps_per_epoch), total=steps_per_epoch, desc=f"epoch {epoch + 1}/{args.epochs}",
                   file=sys.stderr)
        sums = [0.0, 0.0]
        for k in bar:
            idx = order[k * args.batch:(k + 1) * args.batch]
            x, y = augment(train_x[idx], [train_y[int(i)] for i in idx], args.imgsz, rng)
            for group in opt.param_groups:
                group["lr"] = lr_at(step)
            box, cls = model(x)
            loss, (lc, lb) = detection_loss(box, cls, y, anchors, yielding=yielding)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
            opt.step()
            ema.update(model)
            step += 1
            sums[0] += lc
            sums[1] += lb
            if hasattr(bar, "set_postfix"):
                bar.set_postfix(cls=f"{sums[0] / (k + 1):.3f}", box=f"{sums[1] / (k + 1):.3f}")
        # A progress check every few epochs (half a minute on 2 cores); `kestrel eval` gives the real numbers.
        if (epoch + 1) % 3 == 0 or epoch + 1 == args.epochs:
            preds = predict(ema.model, val_x, args.imgsz)
            aps = ap50_per_class(preds, val_y, nc, score=0.001)
            print(f"epoch {epoch + 1}: val AP@0.5 " + ", ".join(f"{n} {a:.3f}" for n, a in zip(names, aps)) +
                  f" ({time.time() - t0:.0f}s)", file=sys.stderr)
        # Exported after every epoch: an interrupted run still leaves its latest model behind.
        export_onnx(ema.model, names, args.imgsz, args.out, args.opset, meta(epoch + 1))
    if args.epochs == 0:
        # --init with no training: the loaded weights as they are (checks the round trip with `kestrel eval`).
        export_onnx(model, names, args.imgsz, args.out, args.opset, meta(0))
    print(f"wrote {args.out} ({os.path.getsize(args.out) / 1e6:.2f} MB) after {time.time() - t0:.0f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
