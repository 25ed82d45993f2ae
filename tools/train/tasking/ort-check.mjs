// Dev-time check of the exported tasking model in onnxruntime-node (the runtime Kestrel uses):
// prefill with past_seq = 0, then greedy steps with the KV cache must give the same logits as
// recomputing the whole sequence, and the greedy plans are scored on the held-out fixture.
// Tokenizes with Kestrel's own Tokenizer (from dist/: run `npm run build` first), so this also
// checks that the tokenizer.json the trainer wrote encodes as in training.
//
//   node tools/train/tasking/ort-check.mjs [models/kestrel-tasking.yaml] [test/fixtures/tasking/firefighting-heldout.jsonl] [N]
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import ort from 'onnxruntime-node';
import { Tokenizer } from '../../../dist/language/index.js';

const manifestPath = process.argv[2] ?? 'models/kestrel-tasking.yaml';
const dataPath = process.argv[3] ?? 'test/fixtures/tasking/firefighting-heldout.jsonl';
const limit = Number(process.argv[4] ?? 300);

const dir = dirname(manifestPath);
const config = JSON.parse(readFileSync(join(dir, 'kestrel-tasking.genai_config.json'), 'utf8')).model;
const tok = JSON.parse(readFileSync(join(dir, 'kestrel-tasking.tokenizer.json'), 'utf8'));
const tokenizer = Tokenizer.fromJson(tok, 'kestrel-tasking.tokenizer.json');
const special = (name) => tok.added_tokens.find((t) => t.content === name).id;
const BOS = special('<|bos|>');
const SEP = special('<|sep|>');
const EOS = special('<|eos|>');
const maxTokens = Number(/^maxTokens:\s*(\d+)/m.exec(readFileSync(manifestPath, 'utf8'))?.[1] ?? 160);
const { num_key_value_heads: H, head_size: HS } = config.decoder;
const V = config.vocab_size;

const session = await ort.InferenceSession.create(join(dir, config.decoder.filename), {
  intraOpNumThreads: 2,
  executionProviders: ['cpu'],
});
// KV-cache slots as the model declares them (a --copy model has one more than its layers), as Kestrel counts them.
const L = session.inputNames.filter((n) => /^past_\d+$/.test(n)).length;

const i64 = (arr, dims) => new ort.Tensor('int64', BigInt64Array.from(arr.map(BigInt)), dims);
const emptyPast = () => new ort.Tensor('float32', new Float32Array(0), [2, 1, H, 0, HS]);

async function run(ids, start, past) {
  const feeds = {
    input_ids: i64(ids, [1, ids.length]),
    position_ids: i64(
      ids.map((_, i) => start + i),
      [1, ids.length],
    ),
    attention_mask: i64(new Array(start + ids.length).fill(1), [1, start + ids.length]),
  };
  for (let l = 0; l < L; l++) feeds[`past_${l}`] = past?.[l] ?? emptyPast();
  const out = await session.run(feeds);
  const presents = [];
  for (let l = 0; l < L; l++) presents.push(out[`present_${l}`]);
  return { logits: out.logits.data, presents };
}

const argmax = (data, offset) => {
  let best = 0;
  for (let v = 1; v < V; v++) if (data[offset + v] > data[offset + best]) best = v;
  return best;
};

async function greedy(request, checkRecompute) {
  const prompt = [BOS, ...tokenizer.encode(request), SEP];
  let { logits, presents } = await run(prompt, 0, null);
  let next = argmax(logits, (prompt.length - 1) * V);
  const seq = [...prompt];
  const out = [];
  let worst = 0;
  while (next !== EOS && out.length < maxTokens && seq.length < config.context_length) {
    out.push(next);
    seq.push(next);
    ({ logits, presents } = await run([next], seq.length - 1, presents));
    if (checkRecompute) {
      const full = await run(seq, 0, null);
      const off = (seq.length - 1) * V;
      for (let v = 0; v < V; v++) worst = Math.max(worst, Math.abs(full.logits[off + v] - logits[v]));
    }
    next = argmax(logits, 0);
  }
  return { text: tokenizer.decode(out), worst };
}

const keyOrder = ['behavior', 'zone', 'altitudeM', 'speedMps', 'returnHomePct', 'targets', 'payload'];
const compact = (plan) =>
  JSON.stringify(Object.fromEntries(keyOrder.filter((k) => k in plan).map((k) => [k, plan[k]])));

const rows = readFileSync(dataPath, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l))
  .slice(0, limit);
let exact = 0;
let invalid = 0;
let worst = 0;
let shown = 0;
const times = [];
for (const [i, row] of rows.entries()) {
  const t0 = performance.now();
  const { text, worst: w } = await greedy(row.request, i < 3);
  times.push(performance.now() - t0);
  worst = Math.max(worst, w);
  try {
    JSON.parse(text);
  } catch {
    invalid++;
  }
  if (text === compact(row.plan)) exact++;
  else if (shown++ < 10) process.stdout.write(`MISS ${JSON.stringify(row.request)}\n  got  ${text}\n`);
}
times.sort((a, b) => a - b);
process.stdout.write(
  `onnxruntime-node: ${rows.length} held-out requests, exact ${((100 * exact) / rows.length).toFixed(1)}%, ` +
    `invalid ${((100 * invalid) / rows.length).toFixed(1)}%, p50 ${times[Math.floor(times.length / 2)].toFixed(1)} ms, ` +
    `p99 ${times[Math.min(times.length - 1, Math.floor(times.length * 0.99))].toFixed(1)} ms; ` +
    `cache vs recompute max |logit diff| ${worst.toExponential(2)}\n`,
);
if (worst > 1e-3) process.exit(1);
