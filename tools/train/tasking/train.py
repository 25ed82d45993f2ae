#!/usr/bin/env python3
"""Trains Kestrel's mission-tuned tasking model: a small decoder-only
character-level transformer that generates a structured plan (compact JSON)
token by token from an operator's request, then exports it in the
"Kestrel ONNX LM v1" layout with its tokenizer, genai config, manifest, and
writes the held-out evaluation fixture.

Dev-time only (Debian's python3-torch, CPU). See README.md.

    /usr/bin/python3 tools/train/tasking/train.py --seed 7 --steps 950 --out models/

Sequence: <|bos|>{request}<|sep|>{plan}<|eos|>, teacher forcing, loss on the
plan tokens (and <|eos|>) only. Training requests come from the TRAIN
template split of corpus.py, generated fresh for every batch; the held-out
fixture from the HELDOUT split.
"""

import argparse
import json
import math
import os
import random
import signal
import sys
import time

import numpy as np

# OpenBLAS (when Debian's libblas points at it) keeps its own thread pool: match --threads,
# before torch loads it. Oversubscribed threads slow a shared 2-core machine down a lot.
_t = next((sys.argv[i + 1] for i, a in enumerate(sys.argv[:-1]) if a == "--threads"), "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", _t)

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import corpus  # noqa: E402
from evaluate import evaluate, load_jsonl  # noqa: E402
from model import (  # noqa: E402
    EOS, PAD, SEP, TaskLM, encode_prompt, encode_text, greedy_plan, greedy_plan_full, set_tokenizer, tokenizer,
)
from onnx_weights import load_checkpoint  # noqa: E402
from tokenizer import BpeTokenizer, CharTokenizer, from_state  # noqa: E402

try:
    from tqdm import tqdm
except ImportError:  # a plain counter when tqdm is missing
    class tqdm:  # noqa: N801
        def __init__(self, total=None, desc="", **_):
            self.n, self.total, self.desc = 0, total, desc

        def update(self, k=1):
            self.n += k
            sys.stderr.write(f"\r{self.desc} {self.n}/{self.total}")

        def set_postfix_str(self, s):
            sys.stderr.write(f"\r{self.desc} {self.n}/{self.total} {s}")

        def close(self):
            sys.stderr.write("\n")

REPO = corpus.REPO


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default=os.path.join(REPO, "models"), help="folder for kestrel-tasking.* (default models/)")
    p.add_argument("--mission", default=corpus.DEFAULT_MISSION, help="mission file whose zones: the corpus uses")
    p.add_argument("--heldout", default=os.path.join(REPO, "test", "fixtures", "tasking", "firefighting-heldout.jsonl"),
                   help="held-out fixture to write and evaluate on")
    p.add_argument("--heldout-n", type=int, default=300)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--steps", type=int, default=950)
    p.add_argument("--minutes", type=float, default=None,
                   help="train for this wall time instead: the schedule follows elapsed time and ends at the budget "
                        "(for a shared machine whose speed varies; --steps is the bit-reproducible mode)")
    p.add_argument("--batch", type=int, default=24)
    p.add_argument("--lr", type=float, default=3e-3, help="peak AdamW learning rate (warm-up, cosine to 5%%)")
    p.add_argument("--warmup", type=int, default=50)
    p.add_argument("--d", type=int, default=128, help="model width")
    p.add_argument("--layers", type=int, default=3)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--context", type=int, default=None, help="positions (default 320 for char, 192 for bpe)")
    p.add_argument("--tokenizer", choices=["bpe", "char"], default="bpe",
                   help="byte-level BPE learned from the TRAIN corpus (default) or one token per character")
    p.add_argument("--merges", type=int, default=700, help="BPE merges to learn (vocab = 261 + merges)")
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads (default 2)")
    p.add_argument("--device", default="cpu", help="torch device for training (cpu; cuda works too); evaluation and export run on the CPU")
    p.add_argument("--ckpt", default=os.path.join(REPO, ".scratch", "tasking", "kestrel-tasking.pt"))
    p.add_argument("--opset", type=int, default=14)
    p.add_argument("--no-export", action="store_true", help="train and evaluate only")
    p.add_argument("--noise", type=float, default=0.0,
                   help="random meaningless words at clause boundaries, this chance each (needs wamerican; 0 = off)")
    p.add_argument("--wild", type=float, default=0.0,
                   help="share of unknown places named with word-list words, not the fixed noun list (needs wamerican; 0 = off)")
    p.add_argument("--lead", type=float, default=0.0,
                   help="share of requests whose target lead is a random word-list participle (\"the quarry trekking for fires\"); "
                        "wild places then hold no -ing word (needs wamerican; 0 = off)")
    p.add_argument("--rich", action="store_true",
                   help="train on the corpus's RICH phrasings too (about twice the TRAIN paraphrases; HELDOUT unchanged)")
    p.add_argument("--lower", action="store_true",
                   help="lowercase every request, as Kestrel does before the model (manifest prompt.lowercase)")
    p.add_argument("--copy", action="store_true",
                   help="add a pointer over the request (copy head): the next token mixes the vocabulary and copied tokens")
    p.add_argument("--init", default=None, help="start from these weights: a checkpoint (.pt) or an exported model (.onnx, read back by onnx_weights.py)")
    return p.parse_args(argv)


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def encode_pair(request, plan):
    prompt = encode_prompt(request)
    target = encode_text(corpus.plan_json(plan)) + [EOS]
    return prompt, target


class Batches:
    """Fresh examples from the TRAIN split, bucketed by length (little padding)."""

    def __init__(self, zones, seed, batch, context, pool=32, noise=0.0, wild=0.0, lower=False, lead=0.0):
        self.zones, self.seed, self.batch, self.context, self.pool = zones, seed, batch, context, pool
        self.noise, self.wild, self.lower, self.lead = noise, wild, lower, lead
        self.noise_words = corpus.load_noise_words(zones) if noise or wild or lead else None
        self.chunk = 0
        self.queue = []

    def _refill(self):
        rows = corpus.make_examples(self.zones, corpus.TRAIN, self.batch * self.pool + 64, f"{self.seed}:{self.chunk}",
                                    self.noise, self.noise_words, self.wild, self.lead)
        self.chunk += 1
        seqs = []
        for req, plan in rows:
            prompt, target = encode_pair(req.lower() if self.lower else req, plan)
            if len(prompt) + len(target) <= self.context:
                seqs.append((prompt, target))
        seqs.sort(key=lambda s: len(s[0]) + len(s[1]))
        batches = [seqs[i:i + self.batch] for i in range(0, len(seqs) - self.batch + 1, self.batch)]
        random.Random(f"{self.seed}:{self.chunk}").shuffle(batches)
        self.queue.extend(batches)

    def next(self):
        if not self.queue:
            self._refill()
        rows = self.queue.pop()
        S = max(len(p) + len(t) for p, t in rows)
        x = torch.full((len(rows), S), PAD, dtype=torch.long)
        w = torch.zeros((len(rows), S), dtype=torch.bool)
        for i, (p, t) in enumerate(rows):
            seq = p + t
            x[i, :len(seq)] = torch.tensor(seq)
            # Predict target tokens: positions len(p)-1 .. len(seq)-2 predict t[0..]
            w[i, len(p) - 1:len(seq) - 1] = True
        return x, w


def check_cache(model, requests):
    """Prefill + stepwise greedy with the cache equals full recomputation (torch)."""
    worst = 0.0
    for req in requests:
        a = greedy_plan(model, req)
        b = greedy_plan_full(model, req)
        if a != b:
            raise SystemExit(f"KV-cache decode differs from full recomputation on {req!r}: {a} vs {b}")
        # Logits too: the whole sequence at once vs token by token.
        ids = encode_prompt(req) + encode_text(a)
        with torch.no_grad():
            full = model.forward_train(torch.tensor([ids]))[0]
            past = model.empty_past(1)
            step = []
            for i, t in enumerate(ids):
                lg, past = model.forward_cached(torch.tensor([[t]]), torch.tensor([[i]]),
                                                torch.ones(1, i + 1, dtype=torch.long), past)
                step.append(lg[0, 0])
            worst = max(worst, float((full - torch.stack(step)).abs().max()))
    print(f"cache check: {len(requests)} requests, greedy plans identical, max |logit diff| {worst:.2e}")
    if worst > 1e-3:
        raise SystemExit("cache check failed")


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    zones = corpus.load_zones(args.mission)
    if args.rich:
        corpus.enrich()
    init = load_checkpoint(args.init) if args.init else None
    if init:
        set_tokenizer(from_state(init.get("tokenizer")))
    elif args.tokenizer == "bpe":
        # Learned from TRAIN requests and their plans only (a seeded stream of its own): HELDOUT words stay unseen.
        sample = corpus.make_examples(zones, corpus.TRAIN, 20000, f"{args.seed}:bpe")
        t0 = time.time()
        set_tokenizer(BpeTokenizer.train([t for req, plan in sample for t in (req, corpus.plan_json(plan))],
                                         merges=args.merges))
        print(f"bpe: {len(tokenizer().merges)} merges, vocab {tokenizer().vocab_size}, {time.time() - t0:.0f} s")
    else:
        set_tokenizer(CharTokenizer())
    if args.context is None:
        args.context = 192 if tokenizer().kind == "bpe" else 320

    # Held-out fixture: HELDOUT templates/vocabulary, another seed stream.
    rows = corpus.make_examples(zones, corpus.HELDOUT, args.heldout_n, args.seed + 1000)
    os.makedirs(os.path.dirname(args.heldout), exist_ok=True)
    with open(args.heldout, "w", encoding="utf-8") as f:
        for req, plan in rows:
            f.write(json.dumps({"request": req, "plan": json.loads(corpus.plan_json(plan))},
                               separators=(", ", ": ")) + "\n")
    print(f"wrote {len(rows)} held-out examples to {os.path.relpath(args.heldout, REPO)}")

    model = TaskLM(d=args.d, layers=args.layers, heads=args.heads, context=args.context, copy=args.copy).to(args.device)
    if init:
        missing, unexpected = model.load_state_dict(init["state"], strict=False)
        # Only the pointer may start fresh (a --copy model from a plain one); anything else is a mismatch.
        if unexpected or any(not k.startswith("copy_") for k in missing):
            raise SystemExit(f"--init {args.init} does not fit this model: missing {missing}, unexpected {unexpected}")
        print(f"initialised from {args.init}" + (f" (new: {', '.join(missing)})" if missing else ""))
    nparams = sum(p.numel() for p in model.parameters())
    print(f"model: d={args.d} layers={args.layers} heads={args.heads} context={args.context}, {nparams / 1e6:.2f}M params")

    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.98))

    budget_s = None if args.minutes is None else args.minutes * 60
    if budget_s is not None:
        args.steps = 10 ** 9  # the clock ends training

    def progress(step):
        """Fraction of the schedule done after warm-up: by steps, or by elapsed time under --minutes."""
        if budget_s is not None:
            return min(1.0, (time.time() - t0) / budget_s)
        return (step - args.warmup) / max(1, args.steps - args.warmup)

    def lr_at(step):
        if step < args.warmup:
            return args.lr * (step + 1) / args.warmup
        return args.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress(step))))

    data = Batches(zones, args.seed, args.batch, args.context, noise=args.noise, wild=args.wild, lower=args.lower,
                   lead=args.lead)
    # SIGTERM/SIGINT end training early but still save, evaluate and export (the cosine schedule is cut short).
    stop = {"flag": False}

    def _stop(signum, _frame):
        stop["flag"] = True
        print(f"\nsignal {signum}: stopping after this step", file=sys.stderr)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    done = 0
    t0 = time.time()
    bar = tqdm(total=None if budget_s is not None else args.steps, desc="train", dynamic_ncols=True, mininterval=2)
    ema = None
    model.train()
    for step in range(args.steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        x, w = data.next()
        x, w = x.to(args.device), w.to(args.device)
        logits = model.forward_train(x[:, :-1])
        loss = F.cross_entropy(logits[w[:, :-1]], x[:, 1:][w[:, :-1]])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        ema = float(loss) if ema is None else 0.98 * ema + 0.02 * float(loss)
        bar.update(1)
        if step % 10 == 0:
            bar.set_postfix_str(f"loss {ema:.4f} lr {lr_at(step):.1e}")
        done = step + 1
        if stop["flag"] or (budget_s is not None and time.time() - t0 >= budget_s):
            break
    bar.close()
    train_s = time.time() - t0
    if budget_s is not None:
        print(f"time budget {args.minutes} min: {done} steps")
        args.steps = done
    elif done < args.steps:
        print(f"stopped early at step {done} of {args.steps}")
    print(f"trained {done} steps x {args.batch} in {train_s / 60:.1f} min, final loss (EMA) {ema:.4f}")

    os.makedirs(os.path.dirname(args.ckpt), exist_ok=True)
    training = {"seed": args.seed, "steps": done, "minutes_budget": args.minutes, "scheduled_steps": args.steps, "d": args.d, "layers": args.layers,
                "heads": args.heads, "copy": args.copy, "rich": args.rich, "lower": args.lower, "lead": args.lead, "threads": args.threads, "batch": args.batch, "lr": args.lr, "warmup": args.warmup,
                "examples": args.steps * args.batch, "train_minutes": round(train_s / 60, 1),
                "mission": os.path.relpath(args.mission, REPO)}
    model = model.cpu()
    training["device"] = args.device
    training["tokenizer"] = tokenizer().kind
    torch.save({"cfg": model.cfg, "state": model.state_dict(), "training": training,
                "tokenizer": tokenizer().state()}, args.ckpt)
    print(f"saved {os.path.relpath(args.ckpt, REPO)}")

    model.eval()
    heldout = load_jsonl(args.heldout)
    if args.lower:  # scored as Kestrel will feed it
        heldout = [{**r, "request": r["request"].lower()} for r in heldout]
    check_cache(model, [r["request"] for r in heldout[:5]])
    res = evaluate(model, heldout)
    training["heldout"] = {"n": res["n"], "exact": round(res["exact"], 4), "invalid": round(res["invalid"], 4),
                           "ms_mean": round(res["ms_mean"], 1)}

    if not args.no_export:
        from export import export_all
        export_all(model, args.out, args.opset, training)


if __name__ == "__main__":
    main()
