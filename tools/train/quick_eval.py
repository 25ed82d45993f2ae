"""AP@0.5 per class on the validation split, for progress lines while
training. The numbers that count come from `kestrel eval` (COCO-style,
101-point, 0.5:0.95), which runs the exported ONNX through Kestrel itself."""

import numpy as np
import torch


def nms_xyxy(boxes, scores, iou=0.6):
    keep = []
    order = scores.argsort()[::-1]
    while order.size > 0:
        i = order[0]
        keep.append(i)
        if order.size == 1:
            break
        xx1 = np.maximum(boxes[i, 0], boxes[order[1:], 0])
        yy1 = np.maximum(boxes[i, 1], boxes[order[1:], 1])
        xx2 = np.minimum(boxes[i, 2], boxes[order[1:], 2])
        yy2 = np.minimum(boxes[i, 3], boxes[order[1:], 3])
        inter = np.clip(xx2 - xx1, 0, None) * np.clip(yy2 - yy1, 0, None)
        a = (boxes[i, 2] - boxes[i, 0]) * (boxes[i, 3] - boxes[i, 1])
        b = (boxes[order[1:], 2] - boxes[order[1:], 0]) * (boxes[order[1:], 3] - boxes[order[1:], 1])
        order = order[1:][inter / (a + b - inter + 1e-9) <= iou]
    return keep


def iou_one(box, boxes):
    xx1 = np.maximum(box[0], boxes[:, 0])
    yy1 = np.maximum(box[1], boxes[:, 1])
    xx2 = np.minimum(box[2], boxes[:, 2])
    yy2 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(xx2 - xx1, 0, None) * np.clip(yy2 - yy1, 0, None)
    a = (box[2] - box[0]) * (box[3] - box[1])
    b = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    return inter / (a + b - inter + 1e-9)


def ap50_per_class(preds, labels, nc, score=0.01):
    """preds [B, 4 + nc, N] (cx, cy, w, h, scores); labels list of [M, 5] (cls, xyxy)."""
    p = preds.numpy() if isinstance(preds, torch.Tensor) else preds
    aps = []
    for c in range(nc):
        dets = []
        n_gt = 0
        for i in range(p.shape[0]):
            gt = labels[i][labels[i][:, 0] == c][:, 1:5]
            n_gt += len(gt)
            s = p[i, 4 + c]
            m = s > score
            if m.sum() > 300:  # the 300 best only: NMS in NumPy is quadratic (Ultralytics caps at max_nms too)
                m = s >= np.sort(s)[-300]
            if not m.any():
                continue
            b = p[i][:4][:, m].T
            xy = np.concatenate([b[:, :2] - b[:, 2:] / 2, b[:, :2] + b[:, 2:] / 2], 1)
            sc = s[m]
            keep = nms_xyxy(xy, sc)[:100]
            used = np.zeros(len(gt), dtype=bool)
            for k in keep:
                tp = 0
                if len(gt):
                    ious = iou_one(xy[k], gt)
                    j = int(ious.argmax())
                    if ious[j] >= 0.5 and not used[j]:
                        used[j] = True
                        tp = 1
                dets.append((sc[k], tp))
        if n_gt == 0:
            aps.append(float("nan"))
            continue
        dets.sort(key=lambda d: -d[0])
        tps = np.cumsum([d[1] for d in dets]) if dets else np.zeros(0)
        fps = np.cumsum([1 - d[1] for d in dets]) if dets else np.zeros(0)
        rec = tps / n_gt
        prec = tps / np.maximum(tps + fps, 1e-9)
        ap = 0.0
        for t in np.linspace(0, 1, 101):
            pr = prec[rec >= t]
            ap += (pr.max() if pr.size else 0) / 101
        aps.append(ap)
    return aps
