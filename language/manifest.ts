/**
 * The language-model manifest: which file, which backend, how to prompt it and
 * how much time and compute it may use. Sits beside the vision manifests and
 * shares their rules: paths are relative to the manifest, the sha256 is
 * checked on the bytes that get loaded, every bad field is named.
 *
 * @example
 * ```yaml
 * kind: language
 * backend: onnx-lm
 * path: tasking.onnx
 * sha256: 0f3c…                       # 64 hex digits
 * tokenizer: { path: tokenizer.json }
 * config: { path: genai_config.json }
 * prompt: { template: "<|bos|>{request}<|sep|>" }
 * maxTokens: 160
 * timeBudgetMs: 1000
 * ```
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { physicalCoreCount } from './cores.js';
import { LanguageLoadError, LanguageManifestError } from './errors.js';

export const LANGUAGE_BACKENDS = ['gguf', 'onnx-lm'] as const;
export type LanguageBackendName = (typeof LANGUAGE_BACKENDS)[number];

/** onnxruntime execution providers, as in perception's manifest. */
const EXECUTION_PROVIDERS = ['tensorrt', 'cuda', 'coreml', 'dml', 'webgpu', 'xnnpack', 'cpu'] as const;

const sha256 = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'sha256 must be 64 hex digits')
  .transform((s) => s.toLowerCase());

export const languageModelManifestSchema = z
  .strictObject({
    kind: z.literal('language').describe('Manifest kind; `language` for language models.'),
    backend: z
      .enum(LANGUAGE_BACKENDS)
      .describe('`gguf` (node-llama-cpp, llama.cpp GGUF files) or `onnx-lm` (Kestrel ONNX LM v1 decoder).'),
    path: z.string().min(1).describe('Model file, relative to the manifest.'),
    sha256: sha256.describe('SHA-256 of the model file; checked before loading.'),
    tokenizer: z
      .strictObject({
        path: z.string().min(1).describe('HF tokenizer.json, relative to the manifest.'),
        sha256: sha256.optional().describe('SHA-256 of tokenizer.json; checked before loading when given.'),
      })
      .optional()
      .describe('Tokenizer; required for onnx-lm (GGUF files carry their own).'),
    config: z
      .strictObject({
        path: z.string().min(1).describe('onnxruntime-genai genai_config.json, relative to the manifest.'),
      })
      .optional()
      .describe('Model config (onnx-lm): EOS id, vocab size, KV-cache names.'),
    prompt: z
      .strictObject({
        template: z
          .string()
          .refine((t) => t.includes('{request}'), 'template must contain "{request}"')
          .default('{request}')
          .describe('Prompt around the operator request; `{request}` is replaced by it.'),
        lowercase: z
          .boolean()
          .default(false)
          .describe(
            'Lowercase the request before it enters the template: for a model trained on plans that are all ' +
              'lowercase, whose byte-level tokens spell "NORTH STRIP" and "north strip" apart. Default false.',
          ),
      })
      .default({ template: '{request}', lowercase: false }),
    contextSize: z.number().int().positive().default(2048).describe('Context window, tokens. Default 2048.'),
    threads: z
      .number()
      .int()
      .positive()
      .default(() => physicalCoreCount())
      .describe('CPU threads. Default: physical cores (logical CPUs oversubscribe and run slower).'),
    gpuLayers: z
      .union([z.literal('auto'), z.literal('max'), z.number().int().min(0)])
      .default('auto')
      .describe('GGUF layers to offload to the GPU: auto, max or a count; 0 = CPU only. Default auto.'),
    maxTokens: z.number().int().positive().default(256).describe('Generated tokens at most. Default 256.'),
    timeBudgetMs: z.number().positive().default(2000).describe('Wall-time budget of one generation, ms. Default 2000.'),
    isolation: z
      .enum(['process', 'none'])
      .optional()
      .describe(
        "Run the model in its own host process (`process`) or in the runtime's (`none`). A native crash or hang in a " +
          'host process fails the request, not the runtime. Default: process for gguf (llama.cpp aborts the process on ' +
          'CUDA errors), none for onnx-lm.',
      ),
    executionProviders: z
      .array(z.enum(EXECUTION_PROVIDERS))
      .min(1)
      .default(['cpu'])
      .describe('onnx-lm only: onnxruntime providers in preference order. Default [cpu].'),
  })
  .superRefine((m, ctx) => {
    if (m.backend === 'onnx-lm' && m.tokenizer === undefined) {
      ctx.addIssue({ code: 'custom', path: ['tokenizer'], message: 'onnx-lm needs a tokenizer (HF tokenizer.json)' });
    }
  });

export type LanguageModelManifest = z.output<typeof languageModelManifestSchema>;

/** Where the manifest's model runs: its `isolation`, or the backend's default. */
export function isolationOf(manifest: LanguageModelManifest): 'process' | 'none' {
  return manifest.isolation ?? (manifest.backend === 'gguf' ? 'process' : 'none');
}
export type LanguageModelManifestInput = z.input<typeof languageModelManifestSchema>;

/** Validates a manifest; every issue names its field. */
export function parseLanguageManifest(value: unknown, source = 'language manifest'): LanguageModelManifest {
  const result = languageModelManifestSchema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({
    code: i.code,
    path: i.path.filter((p): p is string | number => typeof p !== 'symbol'),
    message: i.message,
  }));
  const lines = issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
  throw new LanguageManifestError(
    'language.manifest_invalid',
    `${source} is not a valid language manifest:\n${lines}`,
    {
      issues,
    },
  );
}

/** JSON Schema of the manifest for editors and docs. */
export function languageManifestJsonSchema(): unknown {
  return z.toJSONSchema(languageModelManifestSchema, { io: 'input' });
}

/** The manifest with every path made absolute against `baseDir`. */
export function resolveLanguagePaths(manifest: LanguageModelManifest, baseDir: string): LanguageModelManifest {
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));
  return {
    ...manifest,
    path: abs(manifest.path),
    ...(manifest.tokenizer === undefined
      ? {}
      : { tokenizer: { ...manifest.tokenizer, path: abs(manifest.tokenizer.path) } }),
    ...(manifest.config === undefined ? {} : { config: { path: abs(manifest.config.path) } }),
  };
}

/**
 * Reads a YAML (or JSON) manifest file; the returned paths are absolute,
 * resolved against the manifest's folder.
 */
export async function loadLanguageManifest(file: string): Promise<LanguageModelManifest> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new LanguageLoadError('language.not_found', `cannot read language manifest ${path}`, {
      cause,
      issues: [{ code: 'not_found', path: [], message: `cannot read ${path}` }],
    });
  }
  let value: unknown;
  try {
    value = parseYaml(text) as unknown;
  } catch (cause) {
    throw new LanguageManifestError('language.manifest_invalid', `${path} is not valid YAML`, {
      cause,
      issues: [{ code: 'invalid_yaml', path: [], message: cause instanceof Error ? cause.message : String(cause) }],
    });
  }
  return resolveLanguagePaths(parseLanguageManifest(value, path), dirname(path));
}

/**
 * The prompt a model sees for one request: the manifest's template around the
 * request, lowercased first when the manifest says so. The request is put in
 * by a function, so a `$&` or `$'` in it stays text.
 */
export function renderPrompt(prompt: LanguageModelManifest['prompt'], request: string): string {
  const text = prompt.lowercase ? request.toLowerCase() : request;
  return prompt.template.replace('{request}', () => text);
}
