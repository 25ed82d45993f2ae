"""A small decoder-only transformer (GPT-2 style: learned
positions, pre-LayerNorm, GELU MLP, tied input/output embeddings) with a
KV cache in the "Kestrel ONNX LM v1" layout: past/present per layer as
[2, batch, heads, seq, head_size] (keys, then values)."""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from tokenizer import BOS, EOS, PAD, SEP, SPECIALS, UNK, CharTokenizer  # noqa: F401  (re-exported)

# The tokenizer in use: train.py sets it (characters or byte-level BPE); checkpoints record which.
_TOK = {"current": CharTokenizer()}


def set_tokenizer(tok):
    _TOK["current"] = tok


def tokenizer():
    return _TOK["current"]


def encode_text(text):
    return _TOK["current"].encode(text)


def decode_ids(ids):
    return _TOK["current"].decode(ids)


def encode_prompt(request):
    return [BOS] + encode_text(request) + [SEP]


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.fc = nn.Linear(d, 4 * d)
        self.out = nn.Linear(4 * d, d)

    def forward(self, x, mask, past=None):
        """x [B,S,d]; mask [B or 1, 1, S, T] bool (True = may attend); past [2,B,H,P,hs] or None."""
        B, S, d = x.shape
        H = self.heads
        hs = d // H
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)
        q = q.view(B, S, H, hs).transpose(1, 2)
        k = k.view(B, S, H, hs).transpose(1, 2)
        v = v.view(B, S, H, hs).transpose(1, 2)
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hs))
        att = att.masked_fill(~mask, -1e9)
        att = torch.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, S, d)
        x = x + self.proj(y)
        x = x + self.out(F.gelu(self.fc(self.ln2(x))))
        return x, torch.stack([k, v])


class TaskLM(nn.Module):
    def __init__(self, vocab=None, d=160, layers=4, heads=4, context=320):
        super().__init__()
        vocab = vocab if vocab is not None else _TOK["current"].vocab_size
        self.cfg = dict(vocab=vocab, d=d, layers=layers, heads=heads, context=context)
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(context, d)
        self.blocks = nn.ModuleList([Block(d, heads) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(d)
        self.apply(self._init)
        for b in self.blocks:  # GPT-2's scaled init of residual projections
            nn.init.normal_(b.proj.weight, std=0.02 / math.sqrt(2 * layers))
            nn.init.normal_(b.out.weight, std=0.02 / math.sqrt(2 * layers))

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=0.02)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, std=0.02)

    def forward_train(self, idx):
        """idx [B,S] right-padded: the causal mask alone keeps padding out of real positions."""
        B, S = idx.shape
        pos = torch.arange(S, device=idx.device)
        x = self.tok(idx) + self.pos(pos)[None]
        mask = torch.ones(S, S, dtype=torch.bool, device=idx.device).tril()[None, None]
        for b in self.blocks:
            x, _ = b(x, mask)
        return self.ln_f(x) @ self.tok.weight.t()

    def forward_cached(self, input_ids, position_ids, attention_mask, pasts):
        """The exported signature. pasts: list of [2,B,H,P,hs] (P may be 0).
        attention_mask [B, P+S]: 1 = real token. Returns logits [B,S,V], presents."""
        S = input_ids.shape[1]
        P = pasts[0].shape[3]
        x = self.tok(input_ids) + self.pos(position_ids)
        q_idx = torch.arange(S, device=input_ids.device) + P
        k_idx = torch.arange(P + S, device=input_ids.device)
        causal = k_idx[None, :] <= q_idx[:, None]  # [S, T]
        mask = causal[None, None] & (attention_mask[:, None, None, :] > 0)
        presents = []
        for b, past in zip(self.blocks, pasts):
            x, present = b(x, mask, past)
            presents.append(present)
        return self.ln_f(x) @ self.tok.weight.t(), presents

    def empty_past(self, batch=1):
        c = self.cfg
        hs = c["d"] // c["heads"]
        return [torch.zeros(2, batch, c["heads"], 0, hs) for _ in range(c["layers"])]


class OnnxWrapper(nn.Module):
    """input_ids, position_ids, attention_mask, past_0..past_{L-1} -> logits, present_0.."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, position_ids, attention_mask, *pasts):
        logits, presents = self.model.forward_cached(input_ids, position_ids, attention_mask, list(pasts))
        return (logits, *presents)


@torch.no_grad()
def greedy_plan(model, request, max_new=160, context=None):
    """Greedy decoding with the KV cache (prefill, then one token a step), unconstrained."""
    context = context or model.cfg["context"]
    ids = encode_prompt(request)
    ids = ids[: context - 1]
    inp = torch.tensor([ids])
    pos = torch.arange(len(ids))[None]
    am = torch.ones(1, len(ids), dtype=torch.long)
    logits, past = model.forward_cached(inp, pos, am, model.empty_past(1))
    out = []
    n = len(ids)
    for _ in range(max_new):
        nxt = int(logits[0, -1].argmax())
        if nxt == EOS or n >= context:
            break
        out.append(nxt)
        am = torch.ones(1, n + 1, dtype=torch.long)
        logits, past = model.forward_cached(torch.tensor([[nxt]]), torch.tensor([[n]]), am, past)
        n += 1
    return decode_ids(out)


@torch.no_grad()
def greedy_plan_full(model, request, max_new=160, context=None):
    """The same greedy decoding, recomputing the whole sequence each step (no cache)."""
    context = context or model.cfg["context"]
    ids = encode_prompt(request)
    out = []
    for _ in range(max_new):
        if len(ids) >= context:
            break
        logits = model.forward_train(torch.tensor([ids]))
        nxt = int(logits[0, -1].argmax())
        if nxt == EOS:
            break
        out.append(nxt)
        ids.append(nxt)
    return decode_ids(out)
