#!/usr/bin/env python3
"""Exports a trained tasking checkpoint in the "Kestrel ONNX LM v1" layout
(the I/O convention of GPT-2 `past.onnx` exports):

  inputs   input_ids int64 [batch, seq], position_ids int64 [batch, seq],
           attention_mask int64 [batch, total_seq],
           past_0..past_{L-1} float32 [2, batch, heads, past_seq, head_size] (L: layers, + 1 with --copy)
  outputs  logits float32 [batch, seq, vocab],
           present_0..present_{L-1} float32 [2, batch, heads, total_seq, head_size]

and writes beside it kestrel-tasking.tokenizer.json (HF format: the
byte-level BPE the model was trained with, or one token per character), kestrel-tasking.genai_config.json,
the manifest kestrel-tasking.yaml (with sha256s) and checks the ONNX with
onnx.checker. train.py calls export_all() at the end; by hand:

    /usr/bin/python3 tools/train/tasking/export.py --ckpt .scratch/tasking/kestrel-tasking.pt --out models/

`--ckpt` also takes an exported model (`models/kestrel-tasking.onnx`), read back by onnx_weights.py.
"""

import argparse
import hashlib
import json
import os
import sys

import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from model import SPECIALS, OnnxWrapper, TaskLM, cache_slots, set_tokenizer, tokenizer  # noqa: E402
from onnx_weights import load_checkpoint  # noqa: E402
from tokenizer import from_state  # noqa: E402

NAME = "kestrel-tasking"
MAX_TOKENS = 160
# Plans are short in BPE tokens (about 25; the longest held-out one is under 60).
MAX_TOKENS_BPE = 96


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def tokenizer_json():
    """The tokenizer the model was trained with, in Hugging Face format."""
    return tokenizer().to_json()


def genai_config(cfg, onnx_name):
    return {
        "model": {
            "type": "gpt2",
            "pad_token_id": SPECIALS.index("<|pad|>"),
            "bos_token_id": SPECIALS.index("<|bos|>"),
            "eos_token_id": SPECIALS.index("<|eos|>"),
            "sep_token_id": SPECIALS.index("<|sep|>"),
            "vocab_size": cfg["vocab"],
            "context_length": cfg["context"],
            "decoder": {
                "filename": onnx_name,
                "hidden_size": cfg["d"],
                "num_attention_heads": cfg["heads"],
                "num_key_value_heads": cfg["heads"],
                "head_size": cfg["d"] // cfg["heads"],
                # KV-cache slots: with a pointer (--copy) one more than the transformer's layers, so a
                # runtime that sizes its caches from this count feeds the pointer's slot like any other.
                "num_hidden_layers": cache_slots(cfg),
                "inputs": {"input_ids": "input_ids", "position_ids": "position_ids",
                           "attention_mask": "attention_mask", "past_names": "past_%d"},
                "outputs": {"logits": "logits", "present_names": "present_%d"},
            },
        }
    }


def manifest_yaml(onnx_sha, tok_sha, training, context=320, max_tokens=MAX_TOKENS):
    h = training.get("heldout", {})
    return f"""# Kestrel's mission-tuned tasking model: an operator request in, a plan (compact JSON) out.
# Model card: {NAME}.md. Trained by tools/train/tasking (see its README to reproduce).
kind: language
backend: onnx-lm
path: {NAME}.onnx
# Any other file refuses to load: update this with every retrain.
sha256: {onnx_sha}
tokenizer:
  path: {NAME}.tokenizer.json
  sha256: {tok_sha}
config: {{ path: {NAME}.genai_config.json }}
# lowercase: plans are all lowercase, and byte-level BPE spells "NORTH STRIP" and "north strip" apart.
prompt: {{ template: '<|bos|>{{request}}<|sep|>', lowercase: true }}
contextSize: {context}
threads: 2
maxTokens: {max_tokens}
timeBudgetMs: 1000
executionProviders: [cpu]
# Trained with seed {training.get('seed')}, {training.get('steps')} steps x {training.get('batch')} requests;
# held-out exact plans (torch, greedy, unconstrained): {100 * h.get('exact', 0):.1f}% of {h.get('n', 0)}.
"""


def export_onnx(model, path, opset):
    cfg = model.cfg
    hs = cfg["d"] // cfg["heads"]
    L = cache_slots(cfg)  # the pointer's cache slot comes last
    wrapper = OnnxWrapper(model).eval()
    B, S, P = 1, 2, 3
    ids = torch.randint(len(SPECIALS), cfg["vocab"], (B, S))
    pos = torch.arange(P, P + S)[None]
    am = torch.ones(B, P + S, dtype=torch.long)
    pasts = [torch.randn(2, B, cfg["heads"], P, hs) for _ in range(L)]
    if cfg.get("copy"):  # the pointer slot holds token ids in its values
        pasts[-1][1] = torch.randint(0, cfg["vocab"], pasts[-1][1].shape).float()
    in_names = ["input_ids", "position_ids", "attention_mask"] + [f"past_{i}" for i in range(L)]
    out_names = ["logits"] + [f"present_{i}" for i in range(L)]
    dyn = {"input_ids": {0: "batch_size", 1: "seq_len"}, "position_ids": {0: "batch_size", 1: "seq_len"},
           "attention_mask": {0: "batch_size", 1: "total_seq_len"}, "logits": {0: "batch_size", 1: "seq_len"}}
    for i in range(L):
        dyn[f"past_{i}"] = {1: "batch_size", 3: "past_seq_len"}
        dyn[f"present_{i}"] = {1: "batch_size", 3: "total_seq_len"}
    kwargs = {}
    if int(torch.__version__.split(".")[0]) >= 2:
        kwargs["dynamo"] = False  # the TorchScript exporter (torch 1.13 has no other)
    with torch.no_grad():
        torch.onnx.export(wrapper, (ids, pos, am, *pasts), path, input_names=in_names, output_names=out_names,
                          dynamic_axes=dyn, opset_version=opset, do_constant_folding=True, **kwargs)
    m = onnx.load(path)
    onnx.checker.check_model(m)
    return m


def export_all(model, out_dir, opset, training):
    model = model.cpu().eval()
    os.makedirs(out_dir, exist_ok=True)
    onnx_path = os.path.join(out_dir, f"{NAME}.onnx")
    m = export_onnx(model, onnx_path, opset)
    meta = {"kestrel_format": "Kestrel ONNX LM v1", "kestrel_training": json.dumps(training, sort_keys=True),
            "kestrel_prompt": "<|bos|>{request}<|sep|>"}
    for k, v in meta.items():
        p = m.metadata_props.add()
        p.key, p.value = k, v
    onnx.save(m, onnx_path)
    onnx.checker.check_model(onnx.load(onnx_path))
    for t in list(m.graph.input) + list(m.graph.output):
        dims = [d.dim_param or d.dim_value for d in t.type.tensor_type.shape.dim]
        print(f"  {t.name}: {onnx.TensorProto.DataType.Name(t.type.tensor_type.elem_type).lower()} {dims}")
    tok_path = os.path.join(out_dir, f"{NAME}.tokenizer.json")
    with open(tok_path, "w", encoding="utf-8") as f:
        json.dump(tokenizer_json(), f, indent=2, ensure_ascii=True)
        f.write("\n")
    cfg_path = os.path.join(out_dir, f"{NAME}.genai_config.json")
    with open(cfg_path, "w", encoding="utf-8") as f:
        json.dump(genai_config(model.cfg, f"{NAME}.onnx"), f, indent=2)
        f.write("\n")
    yaml_path = os.path.join(out_dir, f"{NAME}.yaml")
    with open(yaml_path, "w", encoding="utf-8") as f:
        max_tokens = MAX_TOKENS_BPE if tokenizer().kind == "bpe" else MAX_TOKENS
        f.write(manifest_yaml(sha256(onnx_path), sha256(tok_path), training, model.cfg["context"], max_tokens))
    size = os.path.getsize(onnx_path)
    print(f"wrote {onnx_path} ({size / 1e6:.2f} MB), {tok_path}, {cfg_path}, {yaml_path}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ckpt", default=".scratch/tasking/kestrel-tasking.pt")
    p.add_argument("--out", default="models")
    p.add_argument("--opset", type=int, default=14)
    args = p.parse_args(argv)
    ck = load_checkpoint(args.ckpt)
    set_tokenizer(from_state(ck.get("tokenizer")))
    model = TaskLM(**ck["cfg"])
    model.load_state_dict(ck["state"])
    export_all(model, args.out, args.opset, ck.get("training", {}))


if __name__ == "__main__":
    main()
