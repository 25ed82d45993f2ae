#!/usr/bin/env python3
"""Held-out evaluation of the tasking model in torch: greedy, unconstrained
decoding with the KV cache; exact-plan accuracy, per-field accuracy,
invalid-output rate and ms per request.

    /usr/bin/python3 tools/train/tasking/evaluate.py --ckpt .scratch/tasking/kestrel-tasking.pt \\
        --data test/fixtures/tasking/firefighting-heldout.jsonl
"""

import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from corpus import KEY_ORDER, plan_json  # noqa: E402
from model import TaskLM, greedy_plan, set_tokenizer  # noqa: E402
from tokenizer import from_state  # noqa: E402


def load_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def evaluate(model, rows, show_errors=10, out=sys.stdout):
    model.eval()
    exact = invalid = 0
    field_ok = {k: 0 for k in KEY_ORDER}
    times = []
    errors = []
    for row in rows:
        gold = plan_json(row["plan"])
        t0 = time.perf_counter()
        pred = greedy_plan(model, row["request"], context=model.cfg["context"])
        times.append((time.perf_counter() - t0) * 1000)
        try:
            pred_obj = json.loads(pred)
            if not isinstance(pred_obj, dict):
                raise ValueError
        except ValueError:
            invalid += 1
            pred_obj = {}
        if pred == gold:
            exact += 1
        else:
            errors.append((row["request"], gold, pred))
        for k in KEY_ORDER:
            if pred_obj.get(k) == row["plan"].get(k):
                field_ok[k] += 1
    n = len(rows)
    times.sort()
    res = {
        "n": n,
        "exact": exact / n,
        "invalid": invalid / n,
        "fields": {k: v / n for k, v in field_ok.items()},
        "ms_mean": sum(times) / n,
        "ms_p50": times[n // 2],
        "ms_p99": times[min(n - 1, int(n * 0.99))],
    }
    print(f"held-out: {n} requests, exact {100 * res['exact']:.1f}%, invalid {100 * res['invalid']:.1f}%, "
          f"{res['ms_mean']:.1f} ms/request mean (p50 {res['ms_p50']:.1f}, p99 {res['ms_p99']:.1f})", file=out)
    print("per field: " + ", ".join(f"{k} {100 * v:.1f}%" for k, v in res["fields"].items()), file=out)
    for req, gold, pred in errors[:show_errors]:
        print(f"  MISS {req!r}\n       want {gold}\n       got  {pred}", file=out)
    return res


def load_checkpoint(path):
    ck = torch.load(path, map_location="cpu")
    set_tokenizer(from_state(ck.get("tokenizer")))
    model = TaskLM(**ck["cfg"])
    model.load_state_dict(ck["state"])
    model.eval()
    return model, ck


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ckpt", default=".scratch/tasking/kestrel-tasking.pt")
    p.add_argument("--data", default="test/fixtures/tasking/firefighting-heldout.jsonl")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--errors", type=int, default=20)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    model, _ = load_checkpoint(args.ckpt)
    evaluate(model, load_jsonl(args.data), show_errors=args.errors)


if __name__ == "__main__":
    main()
