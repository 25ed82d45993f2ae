"""Loads a detector's weights back from its exported ONNX file, so
`train.py --init model.onnx` fine-tunes the shipped model rather than
starting over (no PyTorch checkpoint ships with it).

The export folds each BatchNorm into the convolution before it, so the ONNX
file holds one weight and one bias per convolution, named `onnx::Conv_*`.
They are matched to the network's convolutions by order: the ONNX graph
lists Conv nodes in the order the traced forward pass ran them, which is
the order forward hooks see them here; every shape is checked. Each folded
pair comes back as the convolution's weight plus a BatchNorm that is the
identity (mean 0, variance 1 - eps, scale 1) with the folded bias as its
shift; fine-tuning then keeps BatchNorm statistics frozen (`freeze_bn`),
since batch statistics of an identity layer would undo the fold.
"""

import numpy as np
import torch
from torch import nn


def _conv_call_order(model, imgsz):
    order = []
    hooks = [m.register_forward_hook(lambda mod, _i, _o: order.append(mod))
             for m in model.modules() if isinstance(m, nn.Conv2d)]
    was_training = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 3, imgsz, imgsz))
    model.train(was_training)
    for h in hooks:
        h.remove()
    return order


def _bn_after(model):
    """Maps each Conv2d to the BatchNorm2d that follows it in the same Sequential (Conv blocks), if any."""
    following = {}
    for m in model.modules():
        if isinstance(m, nn.Sequential):
            kids = list(m.children())
            for a, b in zip(kids, kids[1:]):
                if isinstance(a, nn.Conv2d) and isinstance(b, nn.BatchNorm2d):
                    following[a] = b
    return following


def load_onnx_weights(model, onnx_path, imgsz, allow_extra=False):
    """Copies the ONNX file's (folded) weights into `model` (a TinyDet of the same width and classes). Returns the count.
    allow_extra: the network may run more convolutions than the file holds, after all of the file's (a level added
    at the end of the forward pass); those keep their fresh initialisation."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(onnx_path).graph
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    # The exporter stores equal tensors once and reaches the copies through Identity nodes (two all-zero output
    # convolutions of one shape, as an `--epochs 0` export of a new branch has): follow them.
    for node in graph.node:
        if node.op_type == "Identity" and node.input[0] in inits:
            inits[node.output[0]] = inits[node.input[0]]
    nodes = [n for n in graph.node if n.op_type == "Conv"]
    convs = _conv_call_order(model, imgsz)
    nodes = _split_pixel_concat(nodes, convs, inits)
    if allow_extra and len(nodes) < len(convs):
        convs = convs[:len(nodes)]
    if len(nodes) != len(convs):
        raise SystemExit(f"error: {onnx_path} has {len(nodes)} convolutions, the network {len(convs)}: "
                         "not this architecture (check --width and the class count)")
    bn_of = _bn_after(model)
    with torch.no_grad():
        for i, (node, conv) in enumerate(zip(nodes, convs)):
            w = inits.get(node.input[1])
            b = inits.get(node.input[2]) if len(node.input) > 2 else None
            if w is None or tuple(w.shape) != tuple(conv.weight.shape):
                raise SystemExit(f"error: convolution {i} ({node.name}): weight shape "
                                 f"{None if w is None else tuple(w.shape)} != {tuple(conv.weight.shape)}")
            conv.weight.copy_(torch.from_numpy(np.array(w, dtype=np.float32)))
            conv.loaded = True  # the file filled it: `fresh_parameters` and `freeze_bn` read this mark
            bias = torch.zeros(conv.out_channels) if b is None else torch.from_numpy(np.array(b, dtype=np.float32))
            bn = bn_of.get(conv)
            if b is None and bn is None and conv.bias is None:
                continue  # a convolution without bias (the pixel path of `--pix`) and none in the file either
            if bn is not None:
                bn.loaded = True  # its statistics are folded into the weights now: `freeze_bn` keeps them fixed
                bn.weight.fill_(1.0)
                bn.bias.copy_(bias)
                bn.running_mean.zero_()
                bn.running_var.fill_(1.0 - bn.eps)
            elif conv.bias is not None:
                conv.bias.copy_(bias)
            else:
                raise SystemExit(f"error: convolution {i} ({node.name}) has a bias but no BatchNorm to carry it")
    return len(nodes)


class _Split:
    """A Conv node stand-in: `input` names weight (and bias) in `inits`, like an onnx NodeProto's."""

    def __init__(self, name, inputs):
        self.name = name
        self.input = inputs


def _split_pixel_concat(nodes, convs, inits):
    """Reads `--pix` models written before the pixel path was two convolutions: there one 1 x 1 convolution took
    [features (C), space-to-depth pixels (48)] concatenated, where the network now runs a 1 x 1 over the
    features plus a 4 x 4, stride-4 convolution over the input (the same function: space-to-depth channel
    c * 16 + i * 4 + j is input channel c at offset (i, j)). Splits that node in two, in the network's order."""
    out = []
    k = 0
    for node in nodes:
        w = inits.get(node.input[1])
        here = convs[k] if k < len(convs) else None
        after = convs[k + 1] if k + 1 < len(convs) else None
        if (w is not None and here is not None and after is not None and w.ndim == 4 and w.shape[2:] == (1, 1)
                and tuple(here.weight.shape) == (w.shape[0], w.shape[1] - 48, 1, 1)
                and tuple(after.weight.shape) == (w.shape[0], 3, 4, 4)):
            c = w.shape[1] - 48
            inits[node.name + ":feat"] = w[:, :c]
            inits[node.name + ":px"] = np.ascontiguousarray(w[:, c:, 0, 0].reshape(w.shape[0], 3, 4, 4))
            out.append(_Split(node.name + ":feat", [node.input[0], node.name + ":feat"] + list(node.input[2:3])))
            out.append(_Split(node.name + ":px", [node.input[0], node.name + ":px"]))
            k += 2
            continue
        out.append(node)
        k += 1
    return out


def fresh_parameters(model):
    """The parameters of the layers `load_onnx_weights` had nothing for (the convolutions a new flag adds and their
    BatchNorms), in `model.parameters()` order."""
    loaded = {id(p) for m in model.modules() if getattr(m, "loaded", False) for p in m.parameters(recurse=False)}
    return [p for p in model.parameters() if id(p) not in loaded]


def freeze_bn(model):
    """Keeps each BatchNorm that `load_onnx_weights` filled in eval mode (running statistics fixed, scale and shift
    still learned). A BatchNorm the file had nothing for (a layer `--init` adds, like `--fine`'s) keeps learning its
    statistics: frozen at the identity it normalises nothing, and a fresh layer's activations stay a few hundredths
    wide, where SiLU is a straight line (stage 12's full-resolution path, measured: 0.08, 0.012, 0.003 standard
    deviation after its first three layers), so a branch added for its nonlinearity trains as a linear map."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d) and getattr(m, "loaded", False):
            m.eval()
