#!/usr/bin/env python3
"""Trains Kestrel's small sim detector on a YOLO-format dataset and exports
ONNX in the Ultralytics layout [1, 4 + nc, N] (cx, cy, w, h in input pixels,
then per-class sigmoid scores), class names in metadata_props `names`.

Dev-time only (Debian's python3-torch, CPU). See README.md.

    /usr/bin/python3 tools/train/train.py --data data/ff-train --epochs 12 --imgsz 320 \\
        --out models/kestrel-sim-det.onnx

Native resolution: `--imgsz 640x480` (width x height) feeds 640 x 480 frames
as they are, and `--crop 320` trains on random 320 x 320 windows of them (the
network is fully convolutional), biased towards windows holding a person
(`--crop-person`); validation and export use the whole input.
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

from data import load_split, read_names, size_wh  # noqa: E402
from init_weights import freeze_bn, fresh_parameters, load_onnx_weights  # noqa: E402
from loss import detection_loss, detection_loss_levels  # noqa: E402
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
    p.add_argument("--imgsz", type=parse_size, default=320,
                   help="input size, multiple of 32: PX (square, default 320) or WxH (e.g. 640x480)")
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
    p.add_argument("--crop", type=parse_size, default=None,
                   help="train on random crops of this size (PX or WxH, multiple of 32, within --imgsz) taken from "
                        "the --imgsz input; validation and export stay at --imgsz")
    p.add_argument("--crop-person", type=float, default=0.5, metavar="P",
                   help="with --crop: share of crops, in images with a person, placed to hold a whole person "
                        "(default 0.5)")
    p.add_argument("--full", type=float, default=0.0, metavar="P",
                   help="with --crop: share of steps that train on the whole --imgsz frame instead, so objects larger "
                        "than the crop (a fire filling the view from 15 m) are seen whole (default 0: crops only)")
    p.add_argument("--p2", action="store_true",
                   help="add a stride-4 output level for small objects (rows after the stride-8 ones in the export)")
    p.add_argument("--p2-max", type=float, default=12.0, metavar="PX",
                   help="with --p2: objects whose longer side is under PX input pixels are the stride-4 level's "
                        "targets, the rest the stride-8 level's (default 12)")
    p.add_argument("--pix", action="store_true",
                   help="with --p2: the stride-4 level also sees the input's pixels (space-to-depth) and refines its "
                        "boxes and scores with them; starts as a no-op, so --init from a --p2 model works")
    p.add_argument("--fine", action="store_true",
                   help="with --pix: a full-resolution pixel stem (2 x 2 and 3 x 3 convolutions at stride 2) adds a second "
                        "correction to the stride-4 level; starts as a no-op, so --init from a --pix model works")
    p.add_argument("--l1", type=float, default=0.0, metavar="W",
                   help="with --p2: weight of an L1 loss on the stride-4 level's box edges (in strides) beside "
                        "GIoU, against GIoU's larger-box hedge on objects a few pixels wide (default 0: off)")
    p.add_argument("--head4", type=int, default=0, metavar="C",
                   help="with --fine: a wider stride-4 head, two 3 x 3 convolutions of C channels over the level's, the "
                        "pixel branch's and the full-resolution path's features; starts as a no-op (default 0: off)")
    p.add_argument("--count", type=int, default=0, metavar="C",
                   help="with --head4: a local-contrast path, C per-pixel channels of each pixel against its 7 x 7 "
                        "neighbourhood, averaged per stride-4 cell, so the level can count which pixels an object "
                        "covers; starts as a no-op (default 0: off)")
    p.add_argument("--size-aux", type=float, default=0.0, metavar="W",
                   help="with --count: train the count path to tell object sizes apart, a 2 / 3 / 4+ px class of each "
                        "stride-4 positive's object, cross-entropy at weight W; training only, not exported "
                        "(default 0: off)")
    p.add_argument("--l1-on", choices=("edges", "centre-size"), default="edges",
                   help="with --l1: the L1 term on the box edges (x1, y1, x2, y2; default) or on centre and size "
                        "(cx, cy, w, h). On edges it cannot see a box too large by up to twice its centre error, and "
                        "GIoU grows the box into that slack (see loss.py)")
    p.add_argument("--train-only", default=None, metavar="MODULES",
                   help="only these modules learn (comma-separated top-level names of model.py's TinyDet, e.g. "
                        "box4,h4_box); the rest keep their weights and no gradient flows through them")
    p.add_argument("--train-new-only", action="store_true",
                   help="with --init: only the layers the file has nothing for learn; the file's stay as they are and "
                        "no gradient flows through them (a step costs about the forward pass)")
    p.add_argument("--repeat-in-fire", type=int, default=1, metavar="K",
                   help="frames with a person standing inside a fire's box appear K times per epoch, and their person "
                        "crops (--crop-person) are placed on that person (default 1: as any frame)")
    p.add_argument("--lr-new", type=float, default=1.0, metavar="X",
                   help="with --init: the layers the file has nothing for (those --p2, --pix, --fine or --head4 add) "
                        "learn at X times --lr, and the file's layers at --lr (default 1)")
    return p.parse_args(argv)


def parse_size(text):
    """'320' -> 320 (square); '640x480' -> (640, 480) as (width, height); 'NxN' -> N."""
    parts = str(text).lower().split("x")
    if len(parts) not in (1, 2) or not all(p.strip().isdigit() for p in parts):
        raise argparse.ArgumentTypeError(f"expected PX or WxH, got {text!r}")
    w, h = int(parts[0]), int(parts[-1])
    return w if w == h else (w, h)


def size_text(size):
    w, h = size_wh(size)
    return str(w) if w == h else f"{w}x{h}"


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def augment(images, labels, size, rng):
    """Flips (a nadir view has no up) and a brightness/contrast jitter; boxes follow the flips."""
    sw, sh = size_wh(size)
    x = images.float()
    out_labels = []
    for i in range(x.shape[0]):
        t = labels[i].clone()
        if rng.random() < 0.5:
            x[i] = x[i].flip(2)
            t[:, [1, 3]] = sw - t[:, [3, 1]]
        if rng.random() < 0.5:
            x[i] = x[i].flip(1)
            t[:, [2, 4]] = sh - t[:, [4, 2]]
        gain = rng.uniform(0.75, 1.25)
        bias = rng.uniform(-20, 20)
        x[i] = (x[i] * gain + bias).clamp(0, 255)
        out_labels.append(t)
    return x / 255.0, out_labels


# A box cut by the crop edge stays a target when 2 px each way and either 40 % of its area or, for big boxes,
# 10 % and 16 px each way are left inside: an edge sliver of a person is no person, but a third of a smoke plume
# that fills the frame is still smoke (dropping it would teach the crop's smoke as background).
CROP_KEEP_AREA = 0.4
CROP_KEEP_AREA_BIG = 0.1
CROP_BIG_SIDE = 16.0
CROP_MIN_SIDE = 2.0


def inside_class(boxes, cls, around):
    """Rows of `boxes` [M, 5] of class `cls` whose centre lies inside a box of class `around`, as a bool mask."""
    mine = boxes[:, 0] == cls
    others = boxes[boxes[:, 0] == around]
    if not bool(mine.any()) or others.shape[0] == 0:
        return torch.zeros(boxes.shape[0], dtype=torch.bool)
    cx, cy = (boxes[:, 1] + boxes[:, 3]) / 2, (boxes[:, 2] + boxes[:, 4]) / 2
    inside = ((cx[:, None] >= others[None, :, 1]) & (cx[:, None] <= others[None, :, 3])
              & (cy[:, None] >= others[None, :, 2]) & (cy[:, None] <= others[None, :, 4])).any(1)
    return mine & inside


def crop_window(boxes, full, crop, rng, focus_cls, focus_share, prefer_around=None):
    """Top-left corner (x0, y0) of a crop. With probability focus_share, when the image holds a focus-class box
    that fits, the window is drawn uniformly among those that hold one such box whole; otherwise uniformly.
    prefer_around: a class; focus boxes whose centre lies inside one of its boxes are picked first when any."""
    fw, fh = full
    cw, ch = crop
    if focus_cls is not None and boxes.shape[0] and rng.random() < focus_share:
        picks = boxes[boxes[:, 0] == focus_cls]
        if prefer_around is not None:
            inside = inside_class(boxes, focus_cls, prefer_around)
            if bool(inside.any()):
                picks = boxes[inside]
        if picks.shape[0]:
            _, x1, y1, x2, y2 = picks[rng.randrange(picks.shape[0])].tolist()
            lo_x, hi_x = max(0, math.ceil(x2) - cw), min(fw - cw, math.floor(x1))
            lo_y, hi_y = max(0, math.ceil(y2) - ch), min(fh - ch, math.floor(y1))
            if lo_x <= hi_x and lo_y <= hi_y:
                return rng.randint(lo_x, hi_x), rng.randint(lo_y, hi_y)
    return rng.randint(0, fw - cw), rng.randint(0, fh - ch)


def crop_boxes(t, x0, y0, crop):
    """Boxes [M, 5] (cls, xyxy) in crop pixels: shifted, clipped to the window, cut remnants dropped."""
    cw, ch = crop
    if t.shape[0] == 0:
        return t.clone()
    out = t.clone()
    out[:, [1, 3]] = (t[:, [1, 3]] - x0).clamp(0, cw)
    out[:, [2, 4]] = (t[:, [2, 4]] - y0).clamp(0, ch)
    w, h = out[:, 3] - out[:, 1], out[:, 4] - out[:, 2]
    area0 = ((t[:, 3] - t[:, 1]) * (t[:, 4] - t[:, 2])).clamp(min=1e-6)
    frac = w * h / area0
    big = (w >= CROP_BIG_SIDE) & (h >= CROP_BIG_SIDE) & (frac >= CROP_KEEP_AREA_BIG)
    keep = (w >= CROP_MIN_SIDE) & (h >= CROP_MIN_SIDE) & ((frac >= CROP_KEEP_AREA) | big)
    return out[keep]


def crop_batch(images, labels, full, crop, rng, focus_cls=None, focus_share=0.0, prefer_around=None):
    """Random native-resolution crops of a uint8 batch [B, 3, H, W] and their boxes."""
    cw, ch = crop
    xs = torch.empty(images.shape[0], images.shape[1], ch, cw, dtype=images.dtype)
    ys = []
    for i in range(images.shape[0]):
        x0, y0 = crop_window(labels[i], full, crop, rng, focus_cls, focus_share, prefer_around)
        xs[i] = images[i, :, y0:y0 + ch, x0:x0 + cw]
        ys.append(crop_boxes(labels[i], x0, y0, crop))
    return xs, ys


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
    sw, sh = size_wh(size)
    anchors = anchor_points(sh // STRIDE, sw // STRIDE)
    # The same memory per batch as 64 images of 320 x 320 at larger inputs.
    batch = max(1, min(batch, batch * 320 * 320 // (sw * sh)))
    outs = []
    for i in range(0, images.shape[0], batch):
        x = images[i:i + batch].float() / 255.0
        if getattr(model, "p2", False):
            rows = []
            for s, box, cls in model.levels(x):
                a = anchor_points(sh // s, sw // s, stride=s)
                rows.append(torch.cat([decode_boxes(box.flatten(2), a, s), torch.sigmoid(cls.flatten(2))], 1))
            outs.append(torch.cat(rows, 2))
            continue
        box, cls = model(x)
        b = decode_boxes(box.flatten(2), anchors)
        outs.append(torch.cat([b, torch.sigmoid(cls.flatten(2))], 1))
    return torch.cat(outs, 0)


def export_onnx(model, names, size, path, opset, meta):
    import onnx

    head = ExportHead(copy.deepcopy(model).eval(), size).eval()
    sw, sh = size_wh(size)
    dummy = torch.zeros(1, 3, sh, sw)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    torch.onnx.export(head, dummy, path, input_names=["images"], output_names=["output0"], opset_version=opset,
                      do_constant_folding=True)
    m = onnx.load(path)
    # Ultralytics writes names as a Python dict literal; Kestrel's parseUltralyticsNames reads exactly that.
    props = {
        "names": "{" + ", ".join(f"{i}: '{n}'" for i, n in enumerate(names)) + "}",
        "stride": str(STRIDE) if not getattr(model, "p2", False) else f"{STRIDE // 2},{STRIDE}",
        "imgsz": f"[{sh}, {sw}]",  # Ultralytics order: height, width
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
    in_w, in_h = size_wh(args.imgsz)
    if in_w % 32 != 0 or in_h % 32 != 0:
        sys.exit("error: --imgsz must be a multiple of 32")
    if args.crop is not None:
        crop_w, crop_h = size_wh(args.crop)
        if crop_w % 32 != 0 or crop_h % 32 != 0 or crop_w > in_w or crop_h > in_h:
            sys.exit("error: --crop must be a multiple of 32 and fit in --imgsz")
    if not 0.0 <= args.crop_person <= 1.0:
        sys.exit("error: --crop-person must be within 0..1")
    if not 0.0 <= args.full <= 1.0:
        sys.exit("error: --full must be within 0..1")
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
    print(f"loaded {len(train_y)} train / {len(val_y)} val images at {size_text(args.imgsz)}px in "
          f"{time.time() - t0:.0f}s; "
          f"classes {names}", file=sys.stderr)
    train_x = torch.from_numpy(train_x)
    val_x = torch.from_numpy(val_x)
    train_y = [torch.from_numpy(y) for y in train_y]

    width = tuple(int(c) for c in args.width.split(","))
    if args.fine and not args.pix:
        sys.exit("error: --fine needs --pix (and --p2)")
    if args.head4 and not args.fine:
        sys.exit("error: --head4 needs --fine (and --pix, --p2)")
    if args.count and not args.head4:
        sys.exit("error: --count needs --head4 (and --fine, --pix, --p2)")
    if args.size_aux > 0 and not args.count:
        sys.exit("error: --size-aux needs --count (and --head4, --fine, --pix, --p2)")
    model = (TinyDet(nc, width, p2=True, pix=args.pix, fine=args.fine, head4=args.head4, count=args.count,
                     size_aux=args.size_aux > 0) if args.p2
             else TinyDet(nc, width))
    if args.init is not None:
        # Any size does: the weights do not depend on it, only the order convolutions run in. With --p2 the
        # stride-4 level's convolutions run last and start fresh when the file has none for them.
        n = load_onnx_weights(model, args.init, min(in_w, in_h), allow_extra=args.p2)
        print(f"init: {n} convolutions from {args.init}", file=sys.stderr)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"model: {n_params / 1e6:.2f} M parameters", file=sys.stderr)
    # Training runs on the crop's grid when cropping; validation and export on the whole input's.
    train_size = args.imgsz if args.crop is None else args.crop
    train_w, train_h = size_wh(train_size)
    anchors = anchor_points(train_h // STRIDE, train_w // STRIDE)
    anchors4 = anchor_points(train_h // (STRIDE // 2), train_w // (STRIDE // 2), stride=STRIDE // 2)
    # Whole-frame steps (--full) run on the input's own grid.
    full_anchors = (anchor_points(in_h // STRIDE, in_w // STRIDE),
                    anchor_points(in_h // (STRIDE // 2), in_w // (STRIDE // 2), stride=STRIDE // 2))
    # Four groups: weight decay or not, times the file's layers or new ones (`--lr-new`). A new layer's output
    # convolution starts at zero beside a trained network: at the file's learning rate it is still near zero
    # after an epoch (measured: `--fine`'s box weights under 0.005 after 238 steps at 3e-4).
    fresh = {id(p) for p in fresh_parameters(model)} if args.init is not None else set()
    if args.train_only is not None:
        names_on = {n.strip() for n in args.train_only.split(",") if n.strip()}
        top = {name for name, _ in model.named_children()}
        unknown = names_on - top
        if unknown:
            sys.exit(f"error: --train-only: no module {', '.join(sorted(unknown))} (the model has {', '.join(sorted(top))})")
        for name, p in model.named_parameters():
            p.requires_grad_(name.split(".")[0] in names_on)
    if args.train_new_only:
        if not fresh:
            sys.exit("error: --train-new-only needs --init and a flag that adds layers")
        for p in model.parameters():
            p.requires_grad_(id(p) in fresh)
    groups = {}
    for p in model.parameters():
        if not p.requires_grad:
            continue
        key = (p.ndim <= 1, id(p) in fresh)
        groups.setdefault(key, []).append(p)
    opt = torch.optim.AdamW([{"params": ps, "weight_decay": 0 if no_wd else 5e-4, "mult": args.lr_new if new else 1.0}
                             for (no_wd, new), ps in sorted(groups.items())], lr=args.lr, betas=(0.9, 0.999))
    if fresh:
        print(f"init: {sum(p.numel() for p in model.parameters() if id(p) in fresh)} parameters are new, "
              f"learning at {args.lr_new:g} x --lr", file=sys.stderr)
    # `--repeat-in-fire`: a person standing in a fire is 1-3 % of the persons, and models trained on the frames as
    # they come find 38 % of the held-out ones against 80 % of the others (flames are background to the stride-4
    # level). Person crops in those frames are placed on such a person (`crop_prefer`).
    fire_cls = names.index("fire") if "fire" in names else None
    person = names.index("person") if "person" in names else None
    epoch_items = list(range(len(train_y)))
    crop_prefer = fire_cls if args.repeat_in_fire > 1 else None
    if args.repeat_in_fire > 1 and fire_cls is not None and person is not None:
        in_fire = [i for i, t in enumerate(train_y) if bool(inside_class(t, person, fire_cls).any())]
        epoch_items += in_fire * (args.repeat_in_fire - 1)
        print(f"--repeat-in-fire: {len(in_fire)} frames with a person in a fire, each {args.repeat_in_fire} times "
              f"per epoch", file=sys.stderr)
    steps_per_epoch = math.ceil(len(epoch_items) / args.batch)
    total = max(1, steps_per_epoch * args.epochs)
    warmup = min(300, total // 10)

    def lr_at(step):
        if step < warmup:
            return args.lr * (step + 1) / warmup
        return args.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, total - warmup))))

    def meta(done):
        m = {"data": os.path.abspath(args.data), "epochs": args.epochs, "epochs_done": done,
             "imgsz": args.imgsz if isinstance(args.imgsz, int) else size_text(args.imgsz),
             "seed": args.seed, "batch": args.batch, "lr": args.lr, "width": list(width),
             "train_images": len(train_y), "torch": torch.__version__}
        if args.add:
            m["add"] = [os.path.abspath(a) for a in args.add]
        if args.init is not None:
            m["init"] = os.path.abspath(args.init)
        if args.crop is not None:
            m["crop"] = size_text(args.crop)
            m["crop_person"] = args.crop_person
            if args.full > 0:
                m["full"] = args.full
        if args.p2:
            m["p2_max"] = args.p2_max
        if args.pix:
            m["pix"] = True
        if args.fine:
            m["fine"] = True
        if args.head4:
            m["head4"] = args.head4
        if args.count:
            m["count"] = args.count
        if args.size_aux > 0:
            m["size_aux"] = args.size_aux
        if args.repeat_in_fire > 1:
            m["repeat_in_fire"] = args.repeat_in_fire
        if args.l1 > 0:
            m["l1"] = args.l1
        if args.lr_new != 1.0:
            m["lr_new"] = args.lr_new
        if args.train_new_only:
            m["train_new_only"] = True
        if args.train_only is not None:
            m["train_only"] = args.train_only
        if args.l1 > 0 and args.l1_on != "edges":
            m["l1_on"] = args.l1_on
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
        order = torch.tensor(epoch_items)[torch.randperm(len(epoch_items), generator=gen)]
        bar = tqdm(range(steps_per_epoch), total=steps_per_epoch, desc=f"epoch {epoch + 1}/{args.epochs}",
                   file=sys.stderr)
        sums = [0.0, 0.0]
        for k in bar:
            idx = order[k * args.batch:(k + 1) * args.batch]
            x, y = train_x[idx], [train_y[int(i)] for i in idx]
            # Drawn only with --full, so runs without it keep their random stream.
            whole = args.crop is not None and args.full > 0 and rng.random() < args.full
            if args.crop is not None and not whole:
                x, y = crop_batch(x, y, (in_w, in_h), (train_w, train_h), rng, person, args.crop_person, crop_prefer)
            x, y = augment(x, y, args.imgsz if whole else train_size, rng)
            step_anchors = full_anchors if whole else (anchors, anchors4)
            for group in opt.param_groups:
                group["lr"] = lr_at(step) * group["mult"]
            if args.p2:
                levels = model.levels(x)  # first: it sets model.aux_size
                loss, (lc, lb) = detection_loss_levels(levels, y, list(step_anchors), args.p2_max,
                                                       yielding=yielding, l1=args.l1, l1_on=args.l1_on,
                                                       size_aux=model.aux_size, size_aux_weight=args.size_aux)
            else:
                box, cls = model(x)
                loss, (lc, lb) = detection_loss(box, cls, y, step_anchors[0], yielding=yielding)
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
