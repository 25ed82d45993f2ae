import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  feedText,
  JsonConstraint,
  LanguageGenerationError,
  LanguageSchemaError,
  loadLanguageManifest,
  loadLanguageModel,
  VocabMismatchError,
  type LanguageModel,
  type LanguageModelManifest,
} from '../../language/index.js';
import { silentLogger } from '../../runtime/index.js';
import {
  fixtureConfig,
  fixtureManifest,
  fixtureModel,
  fixtureTokenizer,
  FULL_PLAN_SCHEMA,
  gpt2Config,
  gpt2Model,
  gpt2Tokenizer,
  hasGpt2,
  outputProblems,
  PLAN_SCHEMA,
  REQUESTS,
} from './fixtures.js';

/** A clock that advances `stepMs` every time it is read. */
function steppedClock(stepMs: number): () => number {
  let t = 0;
  return () => (t += stepMs);
}

describe('onnx-lm: constrained generation on the tiny fixture model', () => {
  let manifest: LanguageModelManifest;
  let model: LanguageModel;
  beforeAll(async () => {
    manifest = await loadLanguageManifest(fixtureManifest);
    model = await loadLanguageModel(manifest, { logger: silentLogger() });
  });
  afterAll(async () => {
    await model.close();
  });

  it('reports what it loaded', () => {
    expect(model.info).toMatchObject({
      backend: 'onnx-lm',
      device: 'cpu',
      path: fixtureModel,
      sha256: manifest.sha256,
      vocabSize: 100,
      contextSize: 512,
    });
  });

  it('returns schema-valid compact JSON for every request, deterministically', async () => {
    const texts = new Set<string>();
    let tokens = 0;
    let ms = 0;
    for (const prompt of REQUESTS) {
      const r = await model.generate({ prompt, schema: PLAN_SCHEMA, timeBudgetMs: 10_000 });
      expect(r.stopReason, prompt).toBe('complete');
      expect(outputProblems(r.text, PLAN_SCHEMA), r.text).toEqual([]);
      expect(r.tokens).toBe(r.text.length); // one character per token
      expect(r.promptTokens).toBe(prompt.length + 2); // <|bos|> … <|sep|>
      expect(r.firstTokenMs).toBeLessThanOrEqual(r.durationMs);
      const again = await model.generate({ prompt, schema: PLAN_SCHEMA, timeBudgetMs: 10_000 });
      expect(again.text).toBe(r.text);
      texts.add(r.text);
      tokens += r.tokens;
      ms += r.durationMs;
    }
    console.log(`tiny onnx-lm constrained: ${REQUESTS.length} plans, ${((tokens * 1000) / ms).toFixed(0)} tokens/s`, [
      ...texts,
    ]);
    // The request steers the output: a random model still answers different requests differently.
    expect(texts.size).toBeGreaterThan(1);
  });

  it('every construct, when required, still comes out valid (zone pattern, integers, unique targets)', async () => {
    for (const prompt of REQUESTS) {
      const r = await model.generate({ prompt, schema: FULL_PLAN_SCHEMA });
      expect(r.stopReason).toBe('complete');
      expect(outputProblems(r.text, FULL_PLAN_SCHEMA), r.text).toEqual([]);
    }
  });

  it('fast-forwards forced tokens: a one-value enum costs the model no extra steps', async () => {
    const schema = { type: 'object', required: ['behavior'], properties: { behavior: { enum: ['return_home'] } } };
    const r = await model.generate({ prompt: 'go', schema });
    expect(r).toMatchObject({ text: '{"behavior":"return_home"}', stopReason: 'complete', tokens: 26 });
  });

  it('a time budget that runs out gives stopReason timeout and a prefix of a valid output (stepped clock)', async () => {
    const timed = await loadLanguageModel(manifest, { logger: silentLogger(), now: steppedClock(1) });
    try {
      const r = await timed.generate({ prompt: REQUESTS[0]!, schema: PLAN_SCHEMA, timeBudgetMs: 3 });
      expect(r.stopReason).toBe('timeout');
      expect(r.tokens).toBeGreaterThan(0);
      const state = feedText(JsonConstraint.compile(PLAN_SCHEMA).initial(), r.text);
      expect(state).toBeDefined();
      expect(state?.closed).toBe(false);
    } finally {
      await timed.close();
    }
  });

  it('a time budget shorter than prefill stops before the first token (real clock)', async () => {
    const r = await model.generate({ prompt: REQUESTS[0]!, schema: PLAN_SCHEMA, timeBudgetMs: 0.001 });
    expect(r).toMatchObject({ stopReason: 'timeout', tokens: 0, text: '' });
  });

  it('maxTokens stops with max_tokens, fast-forward included', async () => {
    const r = await model.generate({ prompt: REQUESTS[1]!, schema: PLAN_SCHEMA, maxTokens: 5 });
    expect(r.stopReason).toBe('max_tokens');
    expect(r.tokens).toBe(5);
    expect(r.text).toHaveLength(5);
  });

  it('bare generation (benchmark reference) runs the same model unconstrained', async () => {
    const r = await model.generateBare({ prompt: REQUESTS[0]!, maxTokens: 40, ignoreEos: true });
    expect(r).toMatchObject({ tokens: 40, stopReason: 'max_tokens' });
    const constrained = await model.generate({ prompt: REQUESTS[0]!, schema: PLAN_SCHEMA });
    console.log(
      `tiny onnx-lm: bare ${r.tokensPerSecond.toFixed(0)} tokens/s vs constrained ${constrained.tokensPerSecond.toFixed(0)} tokens/s`,
    );
  });

  it('EXPECTED FAILURE - an aborted signal rejects with language.aborted', async () => {
    const error = await model
      .generate({ prompt: 'x', schema: PLAN_SCHEMA, signal: AbortSignal.abort() })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LanguageGenerationError);
    expect((error as LanguageGenerationError).code).toBe('language.aborted');
  });

  it('BAD CALL - a schema outside the subset is refused before the model runs', async () => {
    await expect(model.generate({ prompt: 'x', schema: { type: 'string' } })).rejects.toBeInstanceOf(
      LanguageSchemaError,
    );
  });

  it('EXPECTED FAILURE - a prompt longer than the context is refused with language.prompt_too_long', async () => {
    const small = await loadLanguageModel({ ...manifest, contextSize: 16 }, { logger: silentLogger() });
    try {
      const error = await small.generate({ prompt: 'x'.repeat(20), schema: PLAN_SCHEMA }).catch((e: unknown) => e);
      expect((error as LanguageGenerationError).code).toBe('language.prompt_too_long');
    } finally {
      await small.close();
    }
  });

  it('BAD CALL - generate() after close() is language.closed', async () => {
    const m = await loadLanguageModel(manifest, { logger: silentLogger() });
    await m.close();
    await expect(m.generate({ prompt: 'x', schema: PLAN_SCHEMA })).rejects.toMatchObject({ code: 'language.closed' });
  });
});

describe('vocab check: tokenizer size against the model logits', () => {
  async function mismatch(input: Parameters<typeof loadLanguageModel>[0]): Promise<VocabMismatchError> {
    const error = await loadLanguageModel(input, { logger: silentLogger() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VocabMismatchError);
    expect((error as VocabMismatchError).code).toBe('language.vocab_mismatch');
    return error as VocabMismatchError;
  }

  it('EXPECTED FAILURE - a tokenizer two entries short of the fixture model is refused (logits dimension)', async () => {
    const json = JSON.parse(readFileSync(fixtureTokenizer, 'utf8')) as { model: { vocab: Record<string, number> } };
    json.model.vocab = Object.fromEntries(Object.entries(json.model.vocab).filter(([, id]) => id < 98));
    const dir = mkdtempSync(path.join(tmpdir(), 'kestrel-vocab-'));
    const tokPath = path.join(dir, 'tokenizer.json');
    writeFileSync(tokPath, JSON.stringify(json));
    const m = await loadLanguageManifest(fixtureManifest);
    const e = await mismatch({ ...m, tokenizer: { path: tokPath }, config: undefined });
    expect([e.tokenizerVocabSize, e.modelVocabSize]).toEqual([98, 100]);
    expect(e.message).toContain(tokPath);
    expect(e.message).toContain(fixtureModel);
    expect(e.message).toMatch(/98 .*100/);
  });

  it.skipIf(!hasGpt2)(
    'EXPECTED FAILURE - the shared GPT-2 pair (tokenizer 50,257 + 38 added, model 1,000) is refused, not crashed',
    async () => {
      const { createHash } = await import('node:crypto');
      const sha256 = createHash('sha256').update(readFileSync(gpt2Model)).digest('hex');
      const base = {
        kind: 'language',
        backend: 'onnx-lm',
        path: gpt2Model,
        sha256,
        tokenizer: { path: gpt2Tokenizer },
      } as const;
      for (const input of [base, { ...base, config: { path: gpt2Config } }]) {
        const e = await mismatch(input);
        expect(e.tokenizerVocabSize).toBe(50295);
        expect(e.modelVocabSize).toBe(1000);
        expect(e.tokenizerPath).toBe(gpt2Tokenizer);
        expect(e.modelPath).toBe(gpt2Model);
        expect(e.message).toContain('50257 vocab entries');
        expect(e.message).toContain('1000');
        console.log(`refused: ${e.message}`);
      }
    },
  );

  it('the fixture pair matches (control)', async () => {
    const m = await loadLanguageModel(
      { ...(await loadLanguageManifest(fixtureManifest)), config: { path: fixtureConfig } },
      { logger: silentLogger() },
    );
    expect(m.info.vocabSize).toBe(100);
    await m.close();
  });
});
