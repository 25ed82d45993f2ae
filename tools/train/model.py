"""A tiny anchor-free YOLOv8-style detector: CSP backbone, FPN neck, one
decoupled head at stride 8.

One output level keeps the exported graph and the decoder trivial
(Ultralytics layout, N = (imgsz / 8)^2 rows) while the FPN brings stride-32
context down to stride 8, so the same cells see 3-pixel persons and fires
that fill the frame. Boxes are centre offset + size per cell (not DFL) so a
single level can reach any box size.
"""

import math

import torch
from torch import nn
import torch.nn.functional as F

STRIDE = 8


class Conv(nn.Sequential):
    def __init__(self, c_in, c_out, k=3, s=1, p=None):
        super().__init__(
            nn.Conv2d(c_in, c_out, k, s, k // 2 if p is None else p, bias=False),
            nn.BatchNorm2d(c_out, eps=1e-3, momentum=0.03),
            nn.SiLU(inplace=True),
        )


def zero_init(*convs):
    """A branch's output convolutions start at zero: the branch adds nothing until it trains, so `--init` from a
    model without it starts from that model's outputs."""
    for m in convs:
        nn.init.zeros_(m.weight)
        nn.init.zeros_(m.bias)


class Bottleneck(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.a = Conv(c, c, 3)
        self.b = Conv(c, c, 3)

    def forward(self, x):
        return x + self.b(self.a(x))


class C2f(nn.Module):
    """Ultralytics' C2f: split, run n bottlenecks on one half, concatenate every stage."""

    def __init__(self, c_in, c_out, n=1):
        super().__init__()
        self.h = c_out // 2
        self.cv1 = Conv(c_in, 2 * self.h, 1)
        self.cv2 = Conv((2 + n) * self.h, c_out, 1)
        self.m = nn.ModuleList(Bottleneck(self.h) for _ in range(n))

    def forward(self, x):
        y = list(self.cv1(x).chunk(2, 1))
        for m in self.m:
            y.append(m(y[-1]))
        return self.cv2(torch.cat(y, 1))


class SPPF(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.cv1 = Conv(c, c // 2, 1)
        self.cv2 = Conv(c * 2, c, 1)
        self.pool = nn.MaxPool2d(5, 1, 2)

    def forward(self, x):
        x = self.cv1(x)
        y1 = self.pool(x)
        y2 = self.pool(y1)
        return self.cv2(torch.cat([x, y1, y2, self.pool(y2)], 1))


class TinyDet(nn.Module):
    """p2: add a stride-4 level (neck back to the stride-4 backbone stage, a light one-convolution head) for
    objects a few pixels wide; its layers run after the stride-8 head, so `--init` from a one-level model
    still matches that model's convolutions in order and only the new ones start fresh."""

    def __init__(self, nc, width=(16, 32, 48, 64, 96), p2=False, pix=False, fine=False, head4=0, count=0,
                 size_aux=False):
        super().__init__()
        c1, c2, c3, c4, c5 = width
        self.nc = nc
        self.p2 = p2
        self.pix = pix and p2
        self.fine = fine and self.pix
        self.head4 = head4 if self.fine else 0
        self.count = count if self.head4 else 0
        self.size_aux = bool(size_aux) and self.count > 0
        self.aux_size = None
        self.stem = Conv(3, c1, 3, 2)
        self.s4 = nn.Sequential(Conv(c1, c2, 3, 2), C2f(c2, c2))
        self.s8 = nn.Sequential(Conv(c2, c3, 3, 2), C2f(c3, c3))
        self.s16 = nn.Sequential(Conv(c3, c4, 3, 2), C2f(c4, c4))
        self.s32 = nn.Sequential(Conv(c4, c5, 3, 2), C2f(c5, c5), SPPF(c5))
        self.up16 = C2f(c5 + c4, c4)
        self.up8 = C2f(c4 + c3, c3)
        self.box = nn.Sequential(Conv(c3, c3), Conv(c3, c3), nn.Conv2d(c3, 4, 1))
        self.cls = nn.Sequential(Conv(c3, c3), Conv(c3, c3), nn.Conv2d(c3, nc, 1))
        # Start with ~1% scores (focal-loss prior) and boxes about one stride wide.
        nn.init.constant_(self.cls[-1].bias, -math.log(99))
        nn.init.zeros_(self.box[-1].weight)
        nn.init.constant_(self.box[-1].bias, 0.5)
        if p2:
            self.up4 = C2f(c3 + c2, c2)
            self.box4 = nn.Sequential(Conv(c2, c2), nn.Conv2d(c2, 4, 1))
            self.cls4 = nn.Sequential(Conv(c2, c2), nn.Conv2d(c2, nc, 1))
            # A rarer prior than stride 8's: four times the cells, and only small objects are its positives
            # (at 1 % the background loss of 6400 cells per crop swamped everything for the first epochs).
            nn.init.constant_(self.cls4[-1].bias, -math.log(999))
            nn.init.zeros_(self.box4[-1].weight)
            nn.init.constant_(self.box4[-1].bias, 0.0)
        if self.pix:
            # Pixel refinement of the stride-4 level (`--pix`): its cells also see the input's own pixels, 4 x 4
            # per cell as 48 channels (space-to-depth), and add a correction to its box terms and class logits.
            # A person two to four pixels wide is boxed to the pixel only if the head can see which pixels it
            # covers; the backbone's strided convolutions blur exactly that. The correction starts at zero, so
            # `--init` from a model without it starts from that model's outputs, and its layers run last.
            # One 1 x 1 convolution over [stride-4 features, space-to-depth pixels] is the sum of a 1 x 1 over the
            # features and a 4 x 4, stride-4 convolution over the input: the second form needs no 48-channel copy
            # of the frame (a 6-D transpose in ONNX: 9 ms against 3 on the dev CPU). Only the first carries the
            # BatchNorm; the pixel convolution adds to it before the activation.
            self.pix4_feat = nn.Sequential(nn.Conv2d(c2, c1, 1, bias=False), nn.BatchNorm2d(c1, eps=1e-3, momentum=0.03))
            self.pix4_px = nn.Conv2d(3, c1, 4, 4, bias=False)
            self.pix4 = Conv(c1, c1, 3)
            self.pix4_box = nn.Conv2d(c1, 4, 1)
            self.pix4_cls = nn.Conv2d(c1, nc, 1)
            zero_init(self.pix4_box, self.pix4_cls)
        if self.fine:
            # Full-resolution pixel stem (`--fine`): a 2 x 2 convolution at stride 2 on the frame, a 3 x 3 at
            # stride 2 and a 1 x 1 (a 6 x 6 pixel view per stride-4 cell, nonlinear from the first layer). The
            # `--pix` branch sees a cell's 16 pixels only through one linear map, and boxed 2, 3 and 4 px
            # persons at 2.9, 3.3 and 3.7 px: telling them apart is counting which pixels differ from the
            # ground around them, which a linear map of raw colours cannot do across clothing colours. (A 3 x 3
            # at stride 1 first cost twice the training step; this form costs 12 %.) The stem's features join
            # the pixel branch's in one 3 x 3 convolution whose box and class corrections start at zero, and
            # all of it runs after the existing convolutions, so `--init` from a `--pix` model starts from its
            # outputs.
            self.fine1 = Conv(3, c1, 2, 2, 0)
            self.fine2 = Conv(c1, c1, 3, 2)
            self.fine3 = Conv(c1, c1, 1)
            self.fine4 = Conv(2 * c1, c1, 3)
            self.fine_box = nn.Conv2d(c1, 4, 1)
            self.fine_cls = nn.Conv2d(c1, nc, 1)
            zero_init(self.fine_box, self.fine_cls)
        if self.head4:
            # A wider stride-4 head (`--head4 C`): two 3 x 3 convolutions of C channels over the level's features, the
            # pixel branch's and the full-resolution path's together. The level's own head is one 32-channel
            # convolution, and the model fits persons no better on its training frames than on held-out ones
            # (person AP50 0.734 on the training split against 0.759), so it lacks capacity, not data. Its corrections
            # start at zero and it runs last, so `--init` from a `--fine` model starts from that model's outputs.
            self.h4a = Conv(c2 + 2 * c1, head4, 3)
            self.h4b = Conv(head4, head4, 3)
            self.h4_box = nn.Conv2d(head4, 4, 1)
            self.h4_cls = nn.Conv2d(head4, nc, 1)
            zero_init(self.h4_box, self.h4_cls)
        if self.count:
            # Local contrast counted per cell (`--count C`). Stage 19 boxes 2 x 2 px persons at 2.8 px and 3 x 3 ones
            # at 3.2: it cannot tell them apart, so the L1 term settles on a size between. Yet the frame can: on the
            # seed-9 split, pixels differing from their 8 x 8 surround by over 40 / 255 number 4 (median; 90th
            # percentile 4) for 2 x 2 persons and 7 (median) for 3 x 3 ones. This path computes that directly: each
            # pixel minus the mean of its 7 x 7 neighbourhood (and its magnitude), two 1 x 1 convolutions into C
            # per-pixel channels, then their mean over each stride-4 cell (4 x 4) and over an 8 x 8 window centred
            # on it, joined with the wider head's features in a 3 x 3 convolution whose corrections start at zero.
            # It runs last, so `--init` from a `--head4` model starts from that model's outputs.
            self.cnt1 = Conv(6, count, 1)
            self.cnt2 = Conv(count, count, 1)
            self.cnt3 = Conv(2 * count + head4, head4, 3)
            self.cnt_box = nn.Conv2d(head4, 4, 1)
            self.cnt_cls = nn.Conv2d(head4, nc, 1)
            zero_init(self.cnt_box, self.cnt_cls)
        if self.size_aux:
            # Training only (`--size-aux`): a size class (2, 3, 4+ px) from the count path's cells, asked of the
            # stride-4 positives of small objects. With no such target the path's layers never learned to count:
            # a linear probe on the level's features told 2 x 2 from 3 x 3 persons no better than the model's own
            # size (0.79 against 0.80), where counting contrasting pixels does 0.92 (`size_probe.py`). Called
            # last and not part of the exported outputs, so `--init` and the ONNX layout are unchanged.
            self.cnt_size = nn.Conv2d(head4, 3, 1)

    def _features(self, x):
        p2 = self.s4(self.stem(x))
        p3 = self.s8(p2)
        p4 = self.s16(p3)
        p5 = self.s32(p4)
        n4 = self.up16(torch.cat([F.interpolate(p5, scale_factor=2.0, mode="nearest"), p4], 1))
        return p2, self.up8(torch.cat([F.interpolate(n4, scale_factor=2.0, mode="nearest"), p3], 1))

    def features(self, x):
        return self._features(x)[1]

    def levels(self, x):
        """[(stride, raw box terms [B, 4, H, W], class logits [B, nc, H, W])], stride 8 first."""
        p2, f = self._features(x)
        out = [(STRIDE, self.box(f), self.cls(f))]
        if self.p2:
            n2 = self.up4(torch.cat([F.interpolate(f, scale_factor=2.0, mode="nearest"), p2], 1))
            box4, cls4 = self.box4(n2), self.cls4(n2)
            if self.pix:
                r = self.pix4(F.silu(self.pix4_feat(n2) + self.pix4_px(x)))
                box4 = box4 + self.pix4_box(r)
                cls4 = cls4 + self.pix4_cls(r)
                if self.fine:
                    q = self.fine4(torch.cat([self.fine3(self.fine2(self.fine1(x))), r], 1))
                    box4 = box4 + self.fine_box(q)
                    cls4 = cls4 + self.fine_cls(q)
                    if self.head4:
                        h = self.h4b(self.h4a(torch.cat([n2, r, q], 1)))
                        box4 = box4 + self.h4_box(h)
                        cls4 = cls4 + self.h4_cls(h)
                        if self.count:
                            d = x - F.avg_pool2d(x, 7, 1, 3, count_include_pad=False)
                            px = self.cnt2(self.cnt1(torch.cat([d, d.abs()], 1)))
                            cells = torch.cat([F.avg_pool2d(px, 4, 4),
                                               F.avg_pool2d(px, 8, 4, 2, count_include_pad=False), h], 1)
                            g = self.cnt3(cells)
                            box4 = box4 + self.cnt_box(g)
                            cls4 = cls4 + self.cnt_cls(g)
                            self.aux_size = self.cnt_size(g) if self.size_aux else None
            out.append((STRIDE // 2, box4, cls4))
        return out

    def forward(self, x):
        """Returns raw box terms [B, 4, H, W] and class logits [B, nc, H, W] (stride 8; `levels` for all)."""
        if self.p2:
            return self.levels(x)
        f = self.features(x)
        return self.box(f), self.cls(f)


def anchor_points(h, w, device=None, stride=STRIDE):
    """Cell centres in input pixels, [H*W, 2] (x, y), row-major like the flattened head."""
    ys = (torch.arange(h, device=device, dtype=torch.float32) + 0.5) * stride
    xs = (torch.arange(w, device=device, dtype=torch.float32) + 0.5) * stride
    gy, gx = torch.meshgrid(ys, xs, indexing="ij")
    return torch.stack([gx.reshape(-1), gy.reshape(-1)], 1)


def decode_boxes(raw, anchors, stride=STRIDE):
    """raw [B, 4, N] -> cx, cy, w, h [B, 4, N] in input pixels.

    Centre: within 3 strides of the cell (every positive cell is that close to
    its object). Size: softplus keeps it positive and linear for large boxes.
    """
    off = 3.0 * torch.tanh(raw[:, 0:2]) * stride
    cxcy = anchors.t().unsqueeze(0) + off
    wh = F.softplus(raw[:, 2:4]) * stride * 2.0
    return torch.cat([cxcy, wh], 1)


class ExportHead(nn.Module):
    """Wraps the detector into the Ultralytics export layout [1, 4 + nc, N]: cx, cy, w, h, per-class sigmoid."""

    def __init__(self, net, imgsz):
        """imgsz: an int (square input) or (width, height); the anchors are that input's grid, row-major."""
        super().__init__()
        self.net = net
        w, h = (imgsz, imgsz) if isinstance(imgsz, int) else imgsz
        self.register_buffer("anchors", anchor_points(h // STRIDE, w // STRIDE))
        if getattr(net, "p2", False):
            s = STRIDE // 2
            self.register_buffer("anchors4", anchor_points(h // s, w // s, stride=s))

    def forward(self, x):
        if getattr(self.net, "p2", False):
            # Both levels in one [1, 4 + nc, N] tensor, stride-8 rows first: the decoder needs no level split.
            (_, box, cls), (s, box4, cls4) = self.net.levels(x)
            return torch.cat([
                torch.cat([decode_boxes(box.flatten(2), self.anchors), torch.sigmoid(cls.flatten(2))], 1),
                torch.cat([decode_boxes(box4.flatten(2), self.anchors4, s), torch.sigmoid(cls4.flatten(2))], 1),
            ], 2)
        box, cls = self.net(x)
        b = box.flatten(2)
        c = cls.flatten(2)
        return torch.cat([decode_boxes(b, self.anchors), torch.sigmoid(c)], 1)
