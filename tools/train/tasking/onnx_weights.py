"""Reads an exported tasking model back into a checkpoint (cfg, weights, tokenizer, training record).

No PyTorch checkpoint ships with `models/kestrel-tasking.onnx`, so `train.py --init` and `export.py --ckpt`
take the ONNX file itself. The TorchScript export keeps every bias and LayerNorm under its parameter name;
the Linear weights become anonymous MatMul initializers, transposed, and are found by the MatMul node that
reads them (`/blocks.0/qkv/MatMul` is `blocks.0.qkv`). The output projection is the tied token
embedding folded into a constant of its own: it must equal `tok.weight` transposed, which is checked.

    /usr/bin/python3 tools/train/tasking/onnx_weights.py models/kestrel-tasking.onnx   # prints what it read
"""

import json
import os
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from tokenizer import BpeTokenizer, CharTokenizer

PREFIX = "model."  # the OnnxWrapper's attribute


def _tokenizer(path):
    with open(path, encoding="utf-8") as f:
        tj = json.load(f)
    if tj["model"]["type"] == "BPE":
        return BpeTokenizer([m.split(" ") for m in tj["model"]["merges"]])
    return CharTokenizer()


def checkpoint_from_onnx(onnx_path):
    """The dict `train.py` saves ({cfg, state, training, tokenizer}), read from an exported model and the
    tokenizer.json / genai_config.json beside it."""
    base = onnx_path[: -len(".onnx")]
    with open(base + ".genai_config.json", encoding="utf-8") as f:
        gc = json.load(f)["model"]
    m = onnx.load(onnx_path)
    inits = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    meta = {p.key: p.value for p in m.metadata_props}
    training = json.loads(meta.get("kestrel_training", "{}"))
    dec = gc["decoder"]
    copy = any(n.name == "/copy_k/MatMul" for n in m.graph.node)
    layers = dec["num_hidden_layers"] - (1 if copy else 0)
    cfg = {"vocab": gc["vocab_size"], "d": dec["hidden_size"], "layers": layers, "heads": dec["num_attention_heads"],
           "context": gc["context_length"]}
    if copy:
        cfg["copy"] = True

    state = {}
    for name, arr in inits.items():
        if name.startswith(PREFIX):
            state[name[len(PREFIX):]] = torch.from_numpy(arr.copy())
    tied = None
    for node in m.graph.node:
        if node.op_type != "MatMul" or node.input[1] not in inits:
            continue
        w = inits[node.input[1]]
        module = node.name.strip("/").rsplit("/", 1)[0].replace("/", ".")
        if node.name == "/MatMul":  # logits = h @ tok.weight^T
            tied = w
            continue
        state[f"{module}.weight"] = torch.from_numpy(w.T.copy())
    if tied is None or not np.array_equal(tied.T, state["tok.weight"].numpy()):
        raise SystemExit(f"{onnx_path}: the output projection is not the token embedding transposed")
    return {"cfg": cfg, "state": state, "training": training, "tokenizer": _tokenizer(base + ".tokenizer.json").state()}


def load_checkpoint(path):
    """A `.pt` checkpoint, or an exported `.onnx` model read back."""
    if path.endswith(".onnx"):
        return checkpoint_from_onnx(path)
    return torch.load(path, map_location="cpu")


if __name__ == "__main__":
    ck = checkpoint_from_onnx(sys.argv[1] if len(sys.argv) > 1 else os.path.join("models", "kestrel-tasking.onnx"))
    n = sum(v.numel() for v in ck["state"].values())
    print(f"cfg {ck['cfg']}, {len(ck['state'])} tensors, {n / 1e6:.3f}M values, tokenizer {ck['tokenizer']['kind']}")
