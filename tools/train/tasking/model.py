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


def cache_slots(cfg):
    """KV-cache slots of a model config: one per layer, and the copy head's last when it has one."""
    return cfg["layers"] + (1 if cfg.get("copy") else 0)


def _log_sigmoid(x):
    """log(sigmoid(x)) from Exp and Log alone, exact to float32's absolute precision for any x (the
    ONNX export of F.logsigmoid is Log(Sigmoid(x)), as good as the runtime's Sigmoid for x << 0)."""
    return torch.clamp(x, max=0.0) - torch.log(1.0 + torch.exp(-torch.abs(x)))


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
    """GPT-2-style decoder. With `copy`, a pointer over the sequence so far: the next token's
    distribution is a gated mix of the vocabulary softmax and the tokens the pointer attends to,
    so a name the model has never seen can be copied from the request token by token (the
    forward passes then return log-probabilities, which serve as logits). The pointer's keys and
    the token ids ride in one more KV-cache slot (`past_L`, same shape as the others: keys as
    [heads, head_size], the id in channel 0 of head 0), so the ONNX I/O stays "Kestrel ONNX LM v1"."""

    def __init__(self, vocab=None, d=160, layers=4, heads=4, context=320, copy=False):
        super().__init__()
        vocab = vocab if vocab is not None else _TOK["current"].vocab_size
        self.cfg = dict(vocab=vocab, d=d, layers=layers, heads=heads, context=context)
        if copy:
            self.cfg["copy"] = True
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(context, d)
        self.blocks = nn.ModuleList([Block(d, heads) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(d)
        self.apply(self._init)
        for b in self.blocks:  # GPT-2's scaled init of residual projections
            nn.init.normal_(b.proj.weight, std=0.02 / math.sqrt(2 * layers))
            nn.init.normal_(b.out.weight, std=0.02 / math.sqrt(2 * layers))
        if copy:
            self.copy_q = nn.Linear(d, d)
            self.copy_k = nn.Linear(d, d)
            self.copy_gate = nn.Linear(d, 1)
            nn.init.normal_(self.copy_q.weight, std=0.02)
            nn.init.zeros_(self.copy_q.bias)
            nn.init.normal_(self.copy_k.weight, std=0.02)
            nn.init.zeros_(self.copy_k.bias)
            # The gate starts shut (sigmoid(6) = 0.9975 to the vocabulary): a model initialised from a
            # plain one starts from that model's outputs.
            nn.init.zeros_(self.copy_gate.weight)
            nn.init.constant_(self.copy_gate.bias, 6.0)

    def _out(self, h, keys, ids, mask):
        """h [B,S,d] final hidden states; keys [B,T,d] pointer keys; ids [B,T] token ids; mask [B|1,S,T]."""
        logits = h @ self.tok.weight.t()
        if not self.cfg.get("copy"):
            return logits
        att = (self.copy_q(h) @ keys.transpose(1, 2)) * (1.0 / math.sqrt(h.shape[-1]))
        att = torch.softmax(att.masked_fill(~mask, -1e9), dim=-1)
        onehot = (ids[:, :, None] == torch.arange(self.cfg["vocab"], device=ids.device)).to(h.dtype)
        # The mix in log space: log(g p_vocab + (1 - g) p_copy), the gate's two logs written out.
        # The gate is nearly shut on most tokens (1 - g about 1e-6): as probabilities, 1 - g cancels
        # in float32, and torch.log(torch.sigmoid(-z)) (what F.logsigmoid exports to) rides on
        # onnxruntime's Sigmoid, whose error is absolute (about 1e-8): 1.5 % of 1e-6, so copied
        # tokens came out up to 0.1 apart in log p between torch and onnxruntime, and between
        # onnxruntime's cached and recomputed sequence.
        z = self.copy_gate(h)
        log_vocab = _log_sigmoid(z) + torch.log_softmax(logits, dim=-1)
        # Tokens absent from the sequence have p_copy = 0: a floor far below anything the vocabulary
        # side gives (and a zero gradient there) rather than log(0).
        log_copy = _log_sigmoid(-z) + torch.log((att @ onehot).clamp_min(1e-30))
        top = torch.maximum(log_vocab, log_copy)
        return top + torch.log(torch.exp(log_vocab - top) + torch.exp(log_copy - top))

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
        h = self.ln_f(x)
        keys = self.copy_k(h) if self.cfg.get("copy") else None
        return self._out(h, keys, idx, mask[:, 0])

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
        h = self.ln_f(x)
        if not self.cfg.get("copy"):
            return self._out(h, None, None, None), presents
        B = input_ids.shape[0]
        H, hs = self.cfg["heads"], self.cfg["d"] // self.cfg["heads"]
        new_keys = self.copy_k(h).view(B, S, H, hs).transpose(1, 2)
        # The id in channel 0 of head 0, zeros elsewhere (a constant selector, so no dynamic shapes).
        select = torch.zeros(1, H, 1, hs)
        select[0, 0, 0, 0] = 1.0
        new_ids = input_ids.to(h.dtype)[:, None, :, None] * select
        past = pasts[len(self.blocks)]
        keys = torch.cat([past[0], new_keys], dim=2)
        ids = torch.cat([past[1], new_ids], dim=2)
        presents.append(torch.stack([keys, ids]))
        T = keys.shape[2]
        out = self._out(h, keys.transpose(1, 2).reshape(B, T, H * hs), ids[:, 0, :, 0].round().long(), mask[:, 0])
        return out, presents

    def empty_past(self, batch=1):
        c = self.cfg
        hs = c["d"] // c["heads"]
        return [torch.zeros(2, batch, c["heads"], 0, hs) for _ in range(cache_slots(c))]


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
