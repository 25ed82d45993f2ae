#!/usr/bin/env python3
"""Merges several exported tasking models (same tokenizer, same "Kestrel ONNX LM v1" I/O) into one
ONNX file whose next-token distribution is their average: the decoding loop, the token mask and the
KV cache need nothing new. Model k's cache slots become past_{k*S}..past_{k*S+S-1} (S slots each), so a
runtime that sizes its caches from genai_config's num_hidden_layers feeds them like any other slot.

    /usr/bin/python3 tools/train/tasking/ensemble.py A.onnx B.onnx --out DIR [--combine prob|logp]

`prob` (default): log of the mean probability, the usual ensemble. `logp`: the mean log-probability
(a product of experts, renormalised), which lets any one model veto a token.

Writes DIR/kestrel-tasking.onnx, with the first model's tokenizer, genai_config (slot count updated)
and a manifest with sha256s, as export.py does.
"""

import argparse
import json
import math
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from average import NAME, save_beside, sha256  # noqa: E402

SHARED = ("input_ids", "position_ids", "attention_mask")


def slots(model):
    return sum(1 for i in model.graph.input if i.name.startswith("past_"))


def renamed(model, k, s):
    """Model k's graph with every name prefixed, except the shared inputs; its cache slots renumbered."""
    g = onnx.GraphProto()
    g.CopyFrom(model.graph)

    def name(n):
        if n == "" or n in SHARED:
            return n
        for kind in ("past_", "present_"):
            if n.startswith(kind) and n[len(kind):].isdigit():
                return f"{kind}{k * s + int(n[len(kind):])}"
        if n == "logits":
            return f"m{k}_logits"
        return f"m{k}/{n}"

    for node in g.node:
        node.name = f"m{k}/{node.name}"
        node.input[:] = [name(n) for n in node.input]
        node.output[:] = [name(n) for n in node.output]
    for t in g.initializer:
        t.name = name(t.name)
    for v in list(g.input) + list(g.output) + list(g.value_info):
        v.name = name(v.name)
    return g


def half_weights(graph, min_size=1024):
    """Stores each float32 initializer of at least `min_size` values as float16 behind a Cast to float32.
    onnxruntime folds the Cast when it builds the session (graph optimisation), so inference still runs in
    float32 on float32 weights, rounded once to float16's 11-bit significand (relative error under 5e-4):
    half the file. Returns the number of tensors converted."""
    casts, kept, n = [], [], 0
    for t in graph.initializer:
        if t.data_type == TensorProto.FLOAT and int(np.prod(t.dims)) >= min_size:
            half = numpy_helper.from_array(numpy_helper.to_array(t).astype(np.float16), f"{t.name}/f16")
            kept.append(half)
            casts.append(helper.make_node("Cast", [half.name], [t.name], to=TensorProto.FLOAT, name=f"{t.name}/cast"))
            n += 1
        else:
            kept.append(t)
    del graph.initializer[:]
    graph.initializer.extend(kept)
    nodes = casts + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    return n


def merge(paths, combine, half=False):
    models = [onnx.load(p) for p in paths]
    s = slots(models[0])
    for p, m in zip(paths, models):
        if slots(m) != s:
            raise SystemExit(f"{p}: {slots(m)} cache slots, {paths[0]} has {s}")
    graphs = [renamed(m, k, s) for k, m in enumerate(models)]
    nodes, inits, inputs, outputs = [], [], [], []
    for k, g in enumerate(graphs):
        nodes += list(g.node)
        inits += list(g.initializer)
        inputs += [i for i in g.input if k == 0 or i.name not in SHARED]
        outputs += [o for o in g.output if o.name.startswith("present_")]
    n = len(graphs)
    logits = [f"m{k}_logits" for k in range(n)]
    inits.append(helper.make_tensor("ens/axes", TensorProto.INT64, [1], [0]))
    inits.append(helper.make_tensor("ens/log_n", TensorProto.FLOAT, [], [math.log(n)]))
    inits.append(helper.make_tensor("ens/inv_n", TensorProto.FLOAT, [], [1.0 / n]))
    stacked = []
    for name in logits:
        nodes.append(helper.make_node("Unsqueeze", [name, "ens/axes"], [f"{name}/u"], name=f"ens/{name}/u"))
        stacked.append(f"{name}/u")
    nodes.append(helper.make_node("Concat", stacked, ["ens/stack"], axis=0, name="ens/concat"))
    if combine == "prob":
        # log((p_1 + ... + p_n) / n), computed in log space: the models' outputs are log-probabilities.
        nodes.append(helper.make_node("ReduceLogSumExp", ["ens/stack"], ["ens/lse"], axes=[0], keepdims=0,
                                      name="ens/lse"))
        nodes.append(helper.make_node("Sub", ["ens/lse", "ens/log_n"], ["logits"], name="ens/mean"))
    else:
        nodes.append(helper.make_node("ReduceSum", ["ens/stack", "ens/axes"], ["ens/sum"], keepdims=0, name="ens/sum"))
        nodes.append(helper.make_node("Mul", ["ens/sum", "ens/inv_n"], ["ens/mean"], name="ens/mean_lp"))
        nodes.append(helper.make_node("LogSoftmax", ["ens/mean"], ["logits"], axis=-1, name="ens/renorm"))
    first_logits = next(o for o in models[0].graph.output if o.name == "logits")
    graph = helper.make_graph(nodes, f"{NAME}-ensemble", inputs, [first_logits] + outputs, inits)
    if half:
        half_weights(graph)
    out = helper.make_model(graph, opset_imports=list(models[0].opset_import), ir_version=models[0].ir_version)
    for p in models[0].metadata_props:
        out.metadata_props.append(p)
    out.metadata_props.append(onnx.StringStringEntryProto(
        key="kestrel_ensemble",
        value=json.dumps({"combine": combine, "weights": "float16" if half else "float32",
                          "members": [sha256(p) for p in paths]})))
    onnx.checker.check_model(out)
    return out, s * n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("models", nargs="+")
    ap.add_argument("--out", required=True)
    ap.add_argument("--combine", choices=["prob", "logp"], default="prob")
    ap.add_argument("--half", action="store_true", help="store the weights as float16 (half the file; see half_weights)")
    a = ap.parse_args()
    if len(a.models) < 2:
        raise SystemExit("an ensemble needs two models or more")
    model, total_slots = merge(a.models, a.combine, a.half)
    with open(os.path.join(os.path.dirname(os.path.abspath(a.models[0])), f"{NAME}.genai_config.json")) as f:
        config = json.load(f)
    config["model"]["decoder"]["num_hidden_layers"] = total_slots
    config["model"]["decoder"]["filename"] = f"{NAME}.onnx"
    onnx_path = save_beside(model, a.models[0], a.out, config)
    print(f"wrote {onnx_path} ({os.path.getsize(onnx_path) / 1e6:.2f} MB, {len(a.models)} models, {total_slots} cache slots)")


if __name__ == "__main__":
    main()
