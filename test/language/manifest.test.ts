import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  LanguageIntegrityError,
  LanguageLoadError,
  LanguageManifestError,
  loadLanguageManifest,
  loadLanguageModel,
  parseLanguageManifest,
  physicalCoreCount,
  renderPrompt,
} from '../../language/index.js';
import { silentLogger } from '../../runtime/index.js';
import { fixtureDir, fixtureManifest, fixtureModel, fixtureTokenizer } from './fixtures.js';

const SHA = 'a'.repeat(64);
const base = { kind: 'language', backend: 'gguf', path: 'm.gguf', sha256: SHA };

function manifestError(value: unknown): LanguageManifestError {
  try {
    parseLanguageManifest(value);
  } catch (e) {
    expect(e).toBeInstanceOf(LanguageManifestError);
    expect((e as LanguageManifestError).code).toBe('language.manifest_invalid');
    return e as LanguageManifestError;
  }
  throw new Error('expected the manifest to be refused');
}

describe('languageModelManifestSchema', () => {
  it('fills the documented defaults', () => {
    const m = parseLanguageManifest(base);
    expect(m).toMatchObject({
      prompt: { template: '{request}' },
      contextSize: 2048,
      threads: physicalCoreCount(),
      gpuLayers: 'auto',
      maxTokens: 256,
      timeBudgetMs: 2000,
      executionProviders: ['cpu'],
    });
    expect(physicalCoreCount()).toBeGreaterThanOrEqual(1);
  });

  it('puts the request into the template as text, lowercased when the manifest says so', () => {
    const plain = parseLanguageManifest({ ...base, prompt: { template: '<|bos|>{request}<|sep|>' } }).prompt;
    expect(plain.lowercase).toBe(false);
    expect(renderPrompt(plain, 'Search NORTH STRIP')).toBe('<|bos|>Search NORTH STRIP<|sep|>');
    // A replacement pattern in the request stays text ("$&" would otherwise repeat the placeholder).
    expect(renderPrompt(plain, "pay $& and $'")).toBe("<|bos|>pay $& and $'<|sep|>");
    const lower = parseLanguageManifest({ ...base, prompt: { template: '{request}', lowercase: true } }).prompt;
    expect(renderPrompt(lower, 'Search NORTH STRIP at 40 M')).toBe('search north strip at 40 m');
  });

  it.each([
    ['backend', { ...base, backend: 'tflite' }],
    ['kind', { ...base, kind: 'vision' }],
    ['sha256', { ...base, sha256: 'xyz' }],
    ['prompt.template', { ...base, prompt: { template: 'no placeholder' } }],
    ['gpuLayers', { ...base, gpuLayers: 'some' }],
    ['threads', { ...base, threads: 0 }],
    ['tokenizer', { ...base, backend: 'onnx-lm' }],
    ['executionProviders', { ...base, executionProviders: [] }],
  ])('EXPECTED FAILURE - a bad %s is named in the issues', (field, value) => {
    const error = manifestError(value);
    expect(error.issues.map((i) => i.path.join('.'))).toContain(field);
    expect(error.message).toContain(field);
  });

  it('EXPECTED FAILURE - unknown keys and a missing kind are refused (strict)', () => {
    expect(manifestError({ ...base, temperature: 0.7 }).issues[0]?.code).toBe('unrecognized_keys');
    const { kind: _kind, ...noKind } = base;
    expect(manifestError(noKind).issues.map((i) => i.path.join('.'))).toContain('kind');
  });
});

describe('loadLanguageManifest', () => {
  it('reads YAML and resolves paths against the manifest folder', async () => {
    const m = await loadLanguageManifest(fixtureManifest);
    expect(m.backend).toBe('onnx-lm');
    expect(m.path).toBe(fixtureModel);
    expect(m.tokenizer?.path).toBe(fixtureTokenizer);
    expect(m.prompt.template).toBe('<|bos|>{request}<|sep|>');
  });

  it('EXPECTED FAILURE - a missing file is language.not_found, bad YAML language.manifest_invalid', async () => {
    await expect(loadLanguageManifest(path.join(fixtureDir, 'nope.yaml'))).rejects.toMatchObject({
      code: 'language.not_found',
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'kestrel-lang-'));
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'kind: language\n  backend: [');
    await expect(loadLanguageManifest(bad)).rejects.toBeInstanceOf(LanguageManifestError);
  });
});

describe('sha256 before load', () => {
  it('EXPECTED FAILURE - a model whose digest differs is refused naming file, expected and actual', async () => {
    const m = await loadLanguageManifest(fixtureManifest);
    let error: unknown;
    try {
      await loadLanguageModel({ ...m, sha256: SHA }, { logger: silentLogger() });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LanguageIntegrityError);
    const e = error as LanguageIntegrityError;
    expect(e.code).toBe('language.sha256_mismatch');
    expect(e.filePath).toBe(fixtureModel);
    expect(e.expectedSha256).toBe(SHA);
    expect(e.actualSha256).toBe(m.sha256);
    expect(e.message).toContain(fixtureModel);
    expect(e.message).toContain(SHA);
    expect(e.message).toContain(m.sha256);
    expect(e.issues[0]?.path).toEqual(['sha256']);
  });

  it('EXPECTED FAILURE - a tokenizer whose pinned digest differs is refused the same way', async () => {
    const m = await loadLanguageManifest(fixtureManifest);
    const error = await loadLanguageModel(
      { ...m, tokenizer: { path: fixtureTokenizer, sha256: SHA } },
      { logger: silentLogger() },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LanguageIntegrityError);
    expect((error as LanguageIntegrityError).filePath).toBe(fixtureTokenizer);
    expect((error as LanguageIntegrityError).issues[0]?.path).toEqual(['tokenizer', 'sha256']);
  });

  it('EXPECTED FAILURE - a missing model file is language.not_found', async () => {
    const m = await loadLanguageManifest(fixtureManifest);
    const error = await loadLanguageModel(
      { ...m, path: 'missing.onnx' },
      { logger: silentLogger(), baseDir: fixtureDir },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LanguageLoadError);
    expect((error as LanguageLoadError).code).toBe('language.not_found');
  });
});
