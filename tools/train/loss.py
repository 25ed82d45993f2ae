"""Centre-region assignment and the detection loss.

A cell is a positive for an object when it lies within the object's central
region: half the box, clamped to [1, 2.5] strides each way. The lower clamp
gives 3-pixel objects a few positives even when no cell centre falls inside
them; the upper keeps big fires from flooding the batch. A cell claimed by
two objects goes to the smaller one (it would otherwise never be seen), except
that diffuse classes (smoke) yield to every other class: a smoke plume drifts
over the fire below it, and letting its puffs take the fire's central cells
left fires with almost no positives (fire AP fell while smoke AP rose).
"""

import torch
import torch.nn.functional as F

from model import STRIDE, decode_boxes


def assign(targets, anchors, nc, yielding=(), stride=STRIDE):
    """targets: list (per image) of [M, 5] tensors (cls, x1, y1, x2, y2). Returns
    fg [B, N] bool, gt boxes [B, N, 4] xyxy, gt class [B, N] long."""
    b = len(targets)
    n = anchors.shape[0]
    fg = torch.zeros(b, n, dtype=torch.bool)
    boxes = torch.zeros(b, n, 4)
    classes = torch.zeros(b, n, dtype=torch.long)
    ax, ay = anchors[:, 0], anchors[:, 1]
    for i, t in enumerate(targets):
        if t.shape[0] == 0:
            continue
        x1, y1, x2, y2 = t[:, 1], t[:, 2], t[:, 3], t[:, 4]
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
        rx = ((x2 - x1) / 2).clamp(stride * 1.0, stride * 2.5)
        ry = ((y2 - y1) / 2).clamp(stride * 1.0, stride * 2.5)
        inside = ((ax[None] - cx[:, None]).abs() < rx[:, None]) & ((ay[None] - cy[:, None]).abs() < ry[:, None])
        rank = torch.zeros_like(x1)
        for c in yielding:
            rank[t[:, 0] == c] = 1e9
        area = ((x2 - x1) * (y2 - y1) + rank)[:, None].expand(-1, n).clone()
        area[~inside] = float("inf")
        best_area, best = area.min(0)
        pos = torch.isfinite(best_area)
        fg[i] = pos
        boxes[i] = t[best, 1:5]
        classes[i] = t[best, 0].long()
    return fg, boxes, classes


def xyxy(cxcywh):
    c, wh = cxcywh[..., :2], cxcywh[..., 2:]
    return torch.cat([c - wh / 2, c + wh / 2], -1)


def giou(a, b, eps=1e-7):
    """GIoU and IoU of matching rows of two [K, 4] xyxy tensors."""
    ix1, iy1 = torch.max(a[:, 0], b[:, 0]), torch.max(a[:, 1], b[:, 1])
    ix2, iy2 = torch.min(a[:, 2], b[:, 2]), torch.min(a[:, 3], b[:, 3])
    inter = (ix2 - ix1).clamp(0) * (iy2 - iy1).clamp(0)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a + area_b - inter + eps
    iou = inter / union
    cw = torch.max(a[:, 2], b[:, 2]) - torch.min(a[:, 0], b[:, 0])
    ch = torch.max(a[:, 3], b[:, 3]) - torch.min(a[:, 1], b[:, 1])
    hull = cw * ch + eps
    return iou - (hull - union) / hull, iou


def detection_loss(box_raw, cls_logits, targets, anchors, box_gain=5.0, yielding=()):
    """box_raw [B, 4, H, W], cls_logits [B, nc, H, W]. Returns (total, parts)."""
    b, nc = cls_logits.shape[0], cls_logits.shape[1]
    raw = box_raw.flatten(2)
    logits = cls_logits.flatten(2).transpose(1, 2)  # B, N, nc
    fg, gt_boxes, gt_cls = assign(targets, anchors, nc, yielding)
    n_pos = max(1, int(fg.sum()))
    target = torch.zeros_like(logits)
    box_loss = logits.new_zeros(())
    if fg.any():
        pred = xyxy(decode_boxes(raw, anchors).transpose(1, 2))[fg]
        g, iou = giou(pred, gt_boxes[fg])
        box_loss = (1.0 - g).sum() / n_pos
        # IoU-aware class target: a well-placed box should also score higher, which is what AP ranks by.
        quality = 0.25 + 0.75 * iou.detach().clamp(0, 1)
        target[fg, gt_cls[fg]] = quality
    # Plain BCE summed over every cell and class, per positive (as YOLOv8). A quality focal loss was tried and
    # learned far slower in the few hundred steps this trainer gets on a CPU.
    cls_loss = F.binary_cross_entropy_with_logits(logits, target, reduction="sum") / n_pos
    return cls_loss + box_gain * box_loss, (float(cls_loss), float(box_loss))


def detection_loss_levels(levels, targets, anchors, small_max, box_gain=5.0, yielding=(), l1=0.0, l1_on="edges",
                          size_aux=None, size_aux_weight=0.0):
    """Two levels (`--p2`): levels [(stride, box_raw, cls_logits)], stride 8 first; anchors one per level.
    An object whose longer side is under `small_max` pixels is a target of the stride-4 level only, any other
    of the stride-8 level only, so the two never both learn (and export) the same object. Sums as
    `detection_loss` does, normalised by the positives of both levels together.
    l1: weight of an L1 term on the stride-4 level's box edges, in strides. GIoU alone rewards a box larger
    than the object when the centre is uncertain (a bigger box still overlaps), and on a 2-3 px person that
    hedge alone costs IoU 0.5; L1 pulls the edges to where they are.
    l1_on: "edges" (x1, y1, x2, y2) or "centre-size" (cx, cy, w, h). On the edges, L1 does not see a box too large
    by up to twice its centre error: per axis |e - d| + |e + d| = 2 max(|e|, |d|) for centre error e and half the
    size error d, flat in d while |d| <= |e|, and GIoU then pushes the size to that flat region's top. Cells a few
    pixels from a 2 px person's centre are positives too, so the level learns 2 x 2 px persons 0.8 px too large
    (measured on stage 19, on its own training frames as well as held out). On centre and size the size term is
    |2d| whatever the centre does, and the optimum size is the object's.
    size_aux: [B, 3, H, W] logits of the stride-4 level's size class (`--size-aux`): cross-entropy against each
    positive's object's longer side, rounded, as 2, 3 or 4+ px, times `size_aux_weight`, normalised by the
    positives like the rest."""
    small = [t[torch.maximum(t[:, 3] - t[:, 1], t[:, 4] - t[:, 2]) < small_max] for t in targets]
    large = [t[torch.maximum(t[:, 3] - t[:, 1], t[:, 4] - t[:, 2]) >= small_max] for t in targets]
    cls_sum = box_sum = None
    aux_sum = 0.0
    n_pos = 0
    parts = []
    for (stride, box_raw, cls_logits), a, tg in zip(levels, anchors, (large, small)):
        raw = box_raw.flatten(2)
        logits = cls_logits.flatten(2).transpose(1, 2)
        fg, gt_boxes, gt_cls = assign(tg, a, logits.shape[2], yielding, stride)
        n_pos += int(fg.sum())
        target = torch.zeros_like(logits)
        bl = logits.new_zeros(())
        if fg.any():
            pred = xyxy(decode_boxes(raw, a, stride).transpose(1, 2))[fg]
            g, iou = giou(pred, gt_boxes[fg])
            bl = (1.0 - g).sum()
            if l1 > 0 and tg is small:
                p, t = pred, gt_boxes[fg]
                if l1_on == "centre-size":
                    p = torch.cat([(p[:, :2] + p[:, 2:]) / 2, p[:, 2:] - p[:, :2]], 1)
                    t = torch.cat([(t[:, :2] + t[:, 2:]) / 2, t[:, 2:] - t[:, :2]], 1)
                bl = bl + l1 * ((p - t).abs() / stride).sum()
            target[fg, gt_cls[fg]] = 0.25 + 0.75 * iou.detach().clamp(0, 1)
            if size_aux is not None and size_aux_weight > 0 and tg is small:
                gb = gt_boxes[fg]
                side = torch.maximum(gb[:, 2] - gb[:, 0], gb[:, 3] - gb[:, 1])
                k = (side.round() - 2).clamp(0, 2).long()
                aux_sum = aux_sum + F.cross_entropy(size_aux.flatten(2).transpose(1, 2)[fg], k, reduction="sum")
        cl = F.binary_cross_entropy_with_logits(logits, target, reduction="sum")
        cls_sum = cl if cls_sum is None else cls_sum + cl
        box_sum = bl if box_sum is None else box_sum + bl
    n_pos = max(1, n_pos)
    cls_loss, box_loss = cls_sum / n_pos, box_sum / n_pos
    return cls_loss + box_gain * box_loss + size_aux_weight * aux_sum / n_pos, (float(cls_loss), float(box_loss))
