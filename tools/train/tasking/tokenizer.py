"""Tokenizers for the tasking model, each written out as a Hugging Face
`tokenizer.json` that Kestrel's TypeScript `Tokenizer` reads and encodes
identically (language/tokenizer.ts):

- `CharTokenizer`: one token per printable ASCII character (a BPE with no
  merges). The first shipped model used it.
- `BpeTokenizer`: GPT-2 style byte-level BPE (ByteLevel pre-tokenizer and
  decoder, merges learned here from the TRAIN corpus). Words and the plan's
  JSON punctuation become one token each, so a request is about 4x shorter
  than in characters: training sees 4x more requests for the same compute,
  and a zone name is one or two tokens to copy instead of a dozen. Digits are
  never merged, so a number is copied digit by digit ("40" -> "4", "0")
  whatever its value, including values the corpus rarely says.

Both put the five specials first: <|pad|> 0, <|bos|> 1, <|sep|> 2,
<|eos|> 3, <|unk|> 4.
"""

import collections
import re

SPECIALS = ["<|pad|>", "<|bos|>", "<|sep|>", "<|eos|>", "<|unk|>"]
PAD, BOS, SEP, EOS, UNK = range(5)

# GPT-2's pre-tokenization regex, for ASCII text (\p{L} = letters, \p{N} = digits): the same splits
# as the TypeScript tokenizer's /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu.
GPT2_SPLIT = re.compile(r"'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+")


def _added_tokens():
    return [{"id": i, "content": tok, "single_word": False, "lstrip": False, "rstrip": False,
             "normalized": False, "special": True} for i, tok in enumerate(SPECIALS)]


def _ascii(text):
    """Non-ASCII characters never occur in the corpus; map any to '?' so both sides agree."""
    return "".join(ch if ord(ch) < 128 else "?" for ch in text)


class CharTokenizer:
    kind = "char"

    def __init__(self):
        self.first = len(SPECIALS)
        self.vocab_size = self.first + (127 - 32)

    def encode(self, text):
        return [self.first + ord(ch) - 32 if 32 <= ord(ch) <= 126 else UNK for ch in text]

    def decode(self, ids):
        return "".join(chr(i - self.first + 32) for i in ids if self.first <= i < self.vocab_size)

    def to_json(self):
        vocab = {tok: i for i, tok in enumerate(SPECIALS)}
        for c in range(32, 127):
            vocab[chr(c)] = self.first + c - 32
        return {
            "version": "1.0", "truncation": None, "padding": None, "added_tokens": _added_tokens(),
            "normalizer": None, "pre_tokenizer": None, "post_processor": None, "decoder": None,
            "model": {"type": "BPE", "dropout": None, "unk_token": "<|unk|>", "continuing_subword_prefix": None,
                      "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                      "vocab": vocab, "merges": []},
        }

    def state(self):
        return {"kind": "char"}


def bytes_to_unicode():
    """GPT-2's reversible byte -> printable character map (the ByteLevel alphabet)."""
    bs = list(range(33, 127)) + list(range(161, 173)) + list(range(174, 256))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


BYTE_CHAR = bytes_to_unicode()
CHAR_BYTE = {c: b for b, c in BYTE_CHAR.items()}


def _has_digit(symbol):
    return any(CHAR_BYTE.get(ch, 0) in range(48, 58) for ch in symbol)


class BpeTokenizer:
    kind = "bpe"

    def __init__(self, merges):
        self.merges = [tuple(m) for m in merges]
        self.ranks = {m: r for r, m in enumerate(self.merges)}
        vocab = {tok: i for i, tok in enumerate(SPECIALS)}
        for b in range(256):
            vocab[BYTE_CHAR[b]] = len(vocab)
        for a, b in self.merges:
            if a + b not in vocab:
                vocab[a + b] = len(vocab)
        self.vocab = vocab
        self.id_to_tok = {i: t for t, i in vocab.items()}
        self.vocab_size = len(vocab)
        self.cache = {}

    @staticmethod
    def train(texts, merges=700):
        """Learns `merges` merges from `texts` (standard BPE: most frequent adjacent pair first,
        ties broken by the pair itself so training is deterministic). Pairs with a digit never merge."""
        words = collections.Counter()
        for text in texts:
            for piece in GPT2_SPLIT.findall(_ascii(text)):
                words[tuple(BYTE_CHAR[b] for b in piece.encode("ascii"))] += 1
        words = {w: c for w, c in words.items()}
        learned = []
        for _ in range(merges):
            pairs = collections.Counter()
            for w, c in words.items():
                for a, b in zip(w, w[1:]):
                    if not _has_digit(a) and not _has_digit(b):
                        pairs[(a, b)] += c
            if not pairs:
                break
            best = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))[0]
            if pairs[best] < 2:
                break
            learned.append(best)
            merged = {}
            for w, c in words.items():
                out = []
                i = 0
                while i < len(w):
                    if i + 1 < len(w) and (w[i], w[i + 1]) == best:
                        out.append(w[i] + w[i + 1])
                        i += 2
                    else:
                        out.append(w[i])
                        i += 1
                merged[tuple(out)] = merged.get(tuple(out), 0) + c
            words = merged
        return BpeTokenizer(learned)

    def _bpe(self, piece):
        cached = self.cache.get(piece)
        if cached is not None:
            return cached
        word = [BYTE_CHAR[b] for b in piece.encode("ascii")]
        while len(word) > 1:
            ranked = [(self.ranks.get((a, b), 1 << 30), i) for i, (a, b) in enumerate(zip(word, word[1:]))]
            rank, i = min(ranked)
            if rank == 1 << 30:
                break
            pair = (word[i], word[i + 1])
            out = []
            j = 0
            while j < len(word):
                if j + 1 < len(word) and (word[j], word[j + 1]) == pair:
                    out.append(word[j] + word[j + 1])
                    j += 2
                else:
                    out.append(word[j])
                    j += 1
            word = out
        ids = [self.vocab[t] for t in word]
        self.cache[piece] = ids
        return ids

    def encode(self, text):
        ids = []
        for piece in GPT2_SPLIT.findall(_ascii(text)):
            ids.extend(self._bpe(piece))
        return ids

    def decode(self, ids):
        chars = "".join(self.id_to_tok[i] for i in ids if i >= len(SPECIALS) and i in self.id_to_tok)
        return bytes(CHAR_BYTE[c] for c in chars).decode("ascii", errors="replace")

    def to_json(self):
        return {
            "version": "1.0", "truncation": None, "padding": None, "added_tokens": _added_tokens(),
            "normalizer": None,
            "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
            "post_processor": None,
            "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
            "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                      "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                      "vocab": self.vocab, "merges": [f"{a} {b}" for a, b in self.merges]},
        }

    def state(self):
        return {"kind": "bpe", "merges": [list(m) for m in self.merges]}


def from_state(state):
    """The tokenizer a checkpoint was trained with (checkpoints before BPE stored none: characters)."""
    if state is None or state.get("kind") == "char":
        return CharTokenizer()
    return BpeTokenizer(state["merges"])
