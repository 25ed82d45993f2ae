/**
 * Messages between a Kestrel process and its language-model host process
 * (host.ts), both ways parsed with zod: the host is another program as far
 * as the runtime is concerned, and a message that does not parse is a fault
 * of that program, not something to trust.
 */
import { z } from 'zod';
import { KestrelError, type KestrelIssue } from '../runtime/index.js';
import { LanguageGenerationError, LanguageIntegrityError, LanguageLoadError, LanguageSchemaError } from './errors.js';
import { LANGUAGE_BACKENDS, type LanguageModelManifest } from './manifest.js';

export const HOST_LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type HostLogLevel = (typeof HOST_LOG_LEVELS)[number];

const issueSchema = z.object({
  code: z.string(),
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
});

export const wireErrorSchema = z.object({
  name: z.string(),
  code: z.string(),
  message: z.string(),
  issues: z.array(issueSchema).default([]),
  /** LanguageIntegrityError's digests and file, so the parent rebuilds the same error. */
  integrity: z
    .object({ expectedSha256: z.string(), actualSha256: z.string(), filePath: z.string(), field: z.string() })
    .optional(),
});
export type WireError = z.output<typeof wireErrorSchema>;

const generateRequestSchema = z.object({
  prompt: z.string(),
  schema: z.record(z.string(), z.unknown()),
  maxTokens: z.number().int().positive().optional(),
  timeBudgetMs: z.number().positive().optional(),
});

const bareRequestSchema = z.object({
  prompt: z.string(),
  maxTokens: z.number().int().positive().optional(),
  timeBudgetMs: z.number().positive().optional(),
  ignoreEos: z.boolean().optional(),
});

/** Parent to host. The manifest is sent already parsed, with absolute paths. */
export const toHostSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('load'),
    manifest: z.record(z.string(), z.unknown()),
    logLevel: z.enum(HOST_LOG_LEVELS),
  }),
  z.object({ type: z.literal('generate'), id: z.number().int(), request: generateRequestSchema }),
  z.object({ type: z.literal('bare'), id: z.number().int(), request: bareRequestSchema }),
  z.object({ type: z.literal('abort'), id: z.number().int() }),
  z.object({ type: z.literal('close') }),
]);
export type ToHost = z.output<typeof toHostSchema>;

const infoSchema = z.object({
  backend: z.enum(LANGUAGE_BACKENDS),
  device: z.string(),
  path: z.string(),
  sha256: z.string(),
  vocabSize: z.number(),
  contextSize: z.number(),
  threads: z.number(),
  gpuLayers: z.number().optional(),
});

const resultSchema = z.object({
  text: z.string(),
  tokens: z.number(),
  promptTokens: z.number(),
  durationMs: z.number(),
  firstTokenMs: z.number(),
  tokensPerSecond: z.number(),
  stopReason: z.enum(['complete', 'eos', 'max_tokens', 'timeout']),
});

/** Host to parent. */
export const fromHostSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), info: infoSchema, loadMs: z.number() }),
  z.object({ type: z.literal('load_failed'), error: wireErrorSchema }),
  z.object({ type: z.literal('result'), id: z.number().int(), result: resultSchema }),
  z.object({ type: z.literal('error'), id: z.number().int(), error: wireErrorSchema }),
  /** One pino line of the host's logger, re-logged by the parent's. */
  z.object({ type: z.literal('log'), line: z.string() }),
]);
export type FromHost = z.output<typeof fromHostSchema>;

export function manifestToWire(manifest: LanguageModelManifest): Record<string, unknown> {
  return { ...manifest };
}

export function errorToWire(error: unknown): WireError {
  if (error instanceof LanguageIntegrityError) {
    const field = error.issues[0]?.path.join('.') ?? 'sha256';
    return {
      name: error.name,
      code: error.code,
      message: error.message,
      issues: error.issues.map((i) => ({ ...i, path: [...i.path] })),
      integrity: {
        expectedSha256: error.expectedSha256,
        actualSha256: error.actualSha256,
        filePath: error.filePath,
        field,
      },
    };
  }
  if (error instanceof KestrelError) {
    return {
      name: error.name,
      code: error.code,
      message: error.message,
      issues: error.issues.map((i) => ({ ...i, path: [...i.path] })),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { name: 'Error', code: 'language.load_failed', message, issues: [] };
}

/** The error the host raised, as the same class with the same code, so callers handle both modes alike. */
export function errorFromWire(wire: WireError): KestrelError {
  const issues: KestrelIssue[] = wire.issues;
  if (wire.integrity !== undefined) {
    const field = wire.integrity.field === 'tokenizer.sha256' ? 'tokenizer.sha256' : 'sha256';
    return new LanguageIntegrityError(
      wire.message,
      wire.integrity.expectedSha256,
      wire.integrity.actualSha256,
      wire.integrity.filePath,
      field,
    );
  }
  switch (wire.name) {
    case 'LanguageGenerationError':
      return new LanguageGenerationError(wire.code, wire.message, { issues });
    case 'LanguageSchemaError':
      return new LanguageSchemaError(wire.code, wire.message, { issues });
    default:
      return new LanguageLoadError(wire.code, wire.message, { issues });
  }
}
