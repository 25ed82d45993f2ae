# Writes a llama-architecture GGUF of any size with random weights, taking the tokenizer and every
# other key from a small reference GGUF (../shared's llama-2-tiny-random.gguf). For measuring
# throughput of a realistically sized model where none can be downloaded (the device machines):
# its output is noise, its cost per token is that of a real model of the same shape and type.
#   gguf-synth.py <reference.gguf> <out.gguf> [--embd 2048 --layers 22 --heads 32 --kv-heads 4 --ff 5632]
# Weights are F16 (norms F32), normal(0, 0.02), seeded. Needs numpy only.
import argparse, struct, sys
import numpy as np

T_U8, T_I8, T_U16, T_I16, T_U32, T_I32, T_F32, T_BOOL, T_STR, T_ARR, T_U64, T_I64, T_F64 = range(13)
SCALAR = {T_U8: '<B', T_I8: '<b', T_U16: '<H', T_I16: '<h', T_U32: '<I', T_I32: '<i', T_F32: '<f', T_BOOL: '<?',
          T_U64: '<Q', T_I64: '<q', T_F64: '<d'}
GGML_F32, GGML_F16 = 0, 1


class Reader:
    def __init__(self, data):
        self.d, self.o = data, 0

    def take(self, fmt):
        v = struct.unpack_from(fmt, self.d, self.o)[0]
        self.o += struct.calcsize(fmt)
        return v

    def string(self):
        n = self.take('<Q')
        s = self.d[self.o:self.o + n].decode('utf-8')
        self.o += n
        return s

    def value(self, t):
        if t == T_STR:
            return self.string()
        if t == T_ARR:
            et, n = self.take('<I'), self.take('<Q')
            return (et, [self.value(et) for _ in range(n)])
        return self.take(SCALAR[t])


def read_gguf(path):
    r = Reader(open(path, 'rb').read())
    assert r.d[:4] == b'GGUF', 'not a GGUF file'
    r.o = 4
    version, n_tensors, n_kv = r.take('<I'), r.take('<Q'), r.take('<Q')
    kv = []
    for _ in range(n_kv):
        k = r.string()
        t = r.take('<I')
        kv.append((k, t, r.value(t)))
    tensors = []
    for _ in range(n_tensors):
        name = r.string()
        nd = r.take('<I')
        dims = [r.take('<Q') for _ in range(nd)]
        tensors.append((name, dims, r.take('<I'), r.take('<Q')))
    return version, kv, tensors


def w_str(f, s):
    b = s.encode('utf-8')
    f.write(struct.pack('<Q', len(b)) + b)


def w_value(f, t, v):
    if t == T_STR:
        w_str(f, v)
    elif t == T_ARR:
        et, items = v
        f.write(struct.pack('<IQ', et, len(items)))
        for it in items:
            w_value(f, et, it)
    else:
        f.write(struct.pack(SCALAR[t], v))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('reference'); ap.add_argument('out')
    ap.add_argument('--embd', type=int, default=2048); ap.add_argument('--layers', type=int, default=22)
    ap.add_argument('--heads', type=int, default=32); ap.add_argument('--kv-heads', type=int, default=4)
    ap.add_argument('--ff', type=int, default=5632); ap.add_argument('--ctx', type=int, default=2048)
    ap.add_argument('--seed', type=int, default=0)
    a = ap.parse_args()
    version, kv, ref_tensors = read_gguf(a.reference)
    keys = {k: (t, v) for k, t, v in kv}
    assert keys['general.architecture'][1] == 'llama', 'reference must be a llama GGUF'
    vocab = len(keys['tokenizer.ggml.tokens'][1][1])
    head_dim = a.embd // a.heads
    set_u32 = {'llama.embedding_length': a.embd, 'llama.block_count': a.layers, 'llama.feed_forward_length': a.ff,
               'llama.attention.head_count': a.heads, 'llama.attention.head_count_kv': a.kv_heads,
               'llama.context_length': a.ctx, 'llama.rope.dimension_count': head_dim}
    out_kv = []
    for k, t, v in kv:
        if k in set_u32:
            out_kv.append((k, T_U32, set_u32.pop(k)))
        elif k == 'general.file_type':
            out_kv.append((k, T_U32, 1))  # mostly F16
        elif k == 'general.name':
            out_kv.append((k, T_STR, f'kestrel-synth-llama-{a.embd}x{a.layers}'))
        else:
            out_kv.append((k, t, v))
    for k, v in set_u32.items():
        out_kv.append((k, T_U32, v))
    kv_dim = head_dim * a.kv_heads
    shapes = [('token_embd.weight', [a.embd, vocab], GGML_F16)]
    for i in range(a.layers):
        b = f'blk.{i}.'
        shapes += [(b + 'attn_norm.weight', [a.embd], GGML_F32), (b + 'attn_q.weight', [a.embd, a.embd], GGML_F16),
                   (b + 'attn_k.weight', [a.embd, kv_dim], GGML_F16), (b + 'attn_v.weight', [a.embd, kv_dim], GGML_F16),
                   (b + 'attn_output.weight', [a.embd, a.embd], GGML_F16), (b + 'ffn_norm.weight', [a.embd], GGML_F32),
                   (b + 'ffn_gate.weight', [a.embd, a.ff], GGML_F16), (b + 'ffn_up.weight', [a.embd, a.ff], GGML_F16),
                   (b + 'ffn_down.weight', [a.ff, a.embd], GGML_F16)]
    shapes += [('output_norm.weight', [a.embd], GGML_F32), ('output.weight', [a.embd, vocab], GGML_F16)]
    align = 32
    for k, t, v in out_kv:
        if k == 'general.alignment':
            align = v
    infos, offset = [], 0
    for name, dims, typ in shapes:
        n = int(np.prod(dims))
        size = n * (2 if typ == GGML_F16 else 4)
        infos.append((name, dims, typ, offset, n))
        offset += (size + align - 1) // align * align
    rng = np.random.default_rng(a.seed)
    with open(a.out, 'wb') as f:
        f.write(b'GGUF' + struct.pack('<IQQ', version, len(infos), len(out_kv)))
        for k, t, v in out_kv:
            w_str(f, k); f.write(struct.pack('<I', t)); w_value(f, t, v)
        for name, dims, typ, off, _ in infos:
            w_str(f, name); f.write(struct.pack('<I', len(dims)))
            for d in dims:
                f.write(struct.pack('<Q', d))
            f.write(struct.pack('<IQ', typ, off))
        pad = (-f.tell()) % align
        f.write(b'\0' * pad)
        base = f.tell()
        for name, dims, typ, off, n in infos:
            f.seek(base + off)
            if typ == GGML_F32:
                f.write(np.ones(n, dtype=np.float32).tobytes())
            else:
                # Chunked so a 1 B-parameter model needs little memory.
                left = n
                while left > 0:
                    m = min(left, 1 << 24)
                    f.write((rng.standard_normal(m, dtype=np.float32) * 0.02).astype(np.float16).tobytes())
                    left -= m
        end = base + offset
        f.truncate(end)
    params = sum(i[4] for i in infos)
    print(f'wrote {a.out}: {params / 1e6:.1f} M parameters, vocab {vocab}, {end / 1e9:.2f} GB', flush=True)


if __name__ == '__main__':
    sys.exit(main())
