#!/usr/bin/env python3
"""Averages the weights of exported tasking models fine-tuned from one parent (a "model soup",
Wortsman et al. 2022) into one model of the same size and speed.

    /usr/bin/python3 tools/train/tasking/average.py PARENT.onnx FINETUNE.onnx ... --out DIR

Every member must be the same graph (same operators, same initializer names and shapes): steps
started with `--init` from one model, so their weights stay in one basin where the average is
itself a good model. Non-float initializers (shapes, indices) must be equal and are kept.
Writes DIR/kestrel-tasking.onnx with the first member's tokenizer and genai_config, and a
manifest with sha256s (comments from the first member's manifest), as export.py does; records
the members' sha256s and training metadata in metadata_props["kestrel_average"].

Averaging needs no new code in Kestrel and costs nothing at run time, unlike an ensemble
(ensemble.py), which runs every member per token; an ensemble is the choice only for members
that do not share a parent.
"""

import argparse
import hashlib
import json
import os

import numpy as np
import onnx
from onnx import numpy_helper

NAME = "kestrel-tasking"


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def signature(model):
    """What must match for two files to be one architecture: the operators and how they connect."""
    nodes = [(n.op_type, tuple(n.input), tuple(n.output)) for n in model.graph.node]
    inits = [(t.name, tuple(t.dims), t.data_type) for t in model.graph.initializer]
    return nodes, inits


def average(models, paths):
    base_sig = signature(models[0])
    for p, m in zip(paths[1:], models[1:]):
        if signature(m) != base_sig:
            raise SystemExit(f"{p} is not the same graph as {paths[0]}: only fine-tunes of one parent average")
    out = onnx.ModelProto()
    out.CopyFrom(models[0])
    averaged = []
    for i, t in enumerate(models[0].graph.initializer):
        arrays = [numpy_helper.to_array(m.graph.initializer[i]) for m in models]
        if arrays[0].dtype.kind == "f":
            mean = np.mean(np.stack([a.astype(np.float64) for a in arrays]), axis=0).astype(arrays[0].dtype)
        else:
            if any(not np.array_equal(a, arrays[0]) for a in arrays[1:]):
                raise SystemExit(f"initializer {t.name} is not a weight and differs between members")
            mean = arrays[0]
        averaged.append(numpy_helper.from_array(mean, t.name))
    del out.graph.initializer[:]
    out.graph.initializer.extend(averaged)
    members = []
    for p, m in zip(paths, models):
        training = next((e.value for e in m.metadata_props if e.key == "kestrel_training"), None)
        members.append({"sha256": sha256(p), "training": json.loads(training) if training else None})
    props = [e for e in out.metadata_props if e.key != "kestrel_average"]
    del out.metadata_props[:]
    out.metadata_props.extend(props)
    out.metadata_props.append(onnx.StringStringEntryProto(key="kestrel_average", value=json.dumps(members)))
    onnx.checker.check_model(out)
    return out


def save_beside(model, first_member, out_dir, config=None):
    """Writes out_dir/kestrel-tasking.onnx and, from the first member's folder, its tokenizer, its genai_config
    (or `config`, a dict) and its manifest with the new file's sha256. Reads every source before it writes
    anything, so out_dir may be that folder. Returns the ONNX path."""
    src = os.path.dirname(os.path.abspath(first_member))
    with open(os.path.join(src, f"{NAME}.yaml")) as f:
        manifest = f.read()
    with open(os.path.join(src, f"{NAME}.genai_config.json")) as f:
        config_text = f.read() if config is None else json.dumps(config, indent=2) + "\n"
    with open(os.path.join(src, f"{NAME}.tokenizer.json"), "rb") as f:
        tokenizer = f.read()
    os.makedirs(out_dir, exist_ok=True)
    onnx_path = os.path.join(out_dir, f"{NAME}.onnx")
    onnx.save(model, onnx_path)
    with open(os.path.join(out_dir, f"{NAME}.tokenizer.json"), "wb") as f:
        f.write(tokenizer)
    with open(os.path.join(out_dir, f"{NAME}.genai_config.json"), "w") as f:
        f.write(config_text)
    # The top-level sha256 is the model's; the tokenizer's (indented) is unchanged.
    lines = [f"sha256: {sha256(onnx_path)}" if line.startswith("sha256:") else line for line in manifest.splitlines()]
    with open(os.path.join(out_dir, f"{NAME}.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return onnx_path


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("models", nargs="+", help="exported members (.onnx), the first one's tokenizer and manifest are used")
    ap.add_argument("--out", required=True, help="folder for kestrel-tasking.* (may be the first member's)")
    a = ap.parse_args()
    if len(a.models) < 2:
        raise SystemExit("averaging needs two models or more")
    models = [onnx.load(p) for p in a.models]  # all read before anything is written: --out may hold a member
    onnx_path = save_beside(average(models, a.models), a.models[0], a.out)
    print(f"wrote {onnx_path} ({os.path.getsize(onnx_path) / 1e6:.2f} MB), the average of {len(models)} models")


if __name__ == "__main__":
    main()
