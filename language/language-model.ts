import type { Logger } from 'pino';
/**
 * The interface every language backend implements, and what a generation
 * returns. Output is always constrained to a JSON Schema; `generateBare` is
 * the unconstrained reference a benchmark compares against.
 */
import type { LanguageBackendName } from './manifest.js';

export interface LanguageModelInfo {
  readonly backend: LanguageBackendName;
  /** Where tokens are computed: `cpu`, `cuda`, `vulkan`, `metal`, or another onnxruntime provider name. */
  readonly device: string;
  readonly path: string;
  readonly sha256: string;
  readonly vocabSize: number;
  readonly contextSize: number;
  readonly threads: number;
  /** GGUF: layers offloaded to the GPU (0 on CPU). */
  readonly gpuLayers?: number;
}

export interface GenerateRequest {
  /** The operator's raw request; the manifest's `prompt.template` is applied around it. */
  readonly prompt: string;
  /** JSON Schema (the subset in json-schema-subset.ts) every output must satisfy. */
  readonly schema: object;
  /** Default: the manifest's maxTokens. */
  readonly maxTokens?: number;
  /** Default: the manifest's timeBudgetMs. */
  readonly timeBudgetMs?: number;
  /** Cancels the generation: it rejects with `language.aborted`. */
  readonly signal?: AbortSignal;
}

export interface BareGenerateRequest {
  readonly prompt: string;
  readonly maxTokens?: number;
  readonly timeBudgetMs?: number;
  readonly signal?: AbortSignal;
  /** Keep generating past EOS until maxTokens, so a benchmark generates as many tokens as the constrained run. */
  readonly ignoreEos?: boolean;
}

/**
 * - `complete`: the constraint reached an accepting state where nothing else was allowed, or EOS was chosen there;
 *   `text` JSON.parses and satisfies the schema.
 * - `eos`: (bare generation) the model emitted EOS.
 * - `max_tokens` / `timeout`: stopped early; `text` is a prefix of a valid output, not valid JSON.
 */
export type StopReason = 'complete' | 'eos' | 'max_tokens' | 'timeout';

export interface GenerateResult {
  readonly text: string;
  /** Generated tokens (EOS not counted). */
  readonly tokens: number;
  readonly promptTokens: number;
  /** Whole call: tokenize, prefill, decode. */
  readonly durationMs: number;
  /** From the call to the first generated token (includes prefill). */
  readonly firstTokenMs: number;
  /** tokens / durationMs, over the whole call. */
  readonly tokensPerSecond: number;
  readonly stopReason: StopReason;
}

export interface LanguageModel {
  readonly info: LanguageModelInfo;
  /**
   * Generates JSON that satisfies `schema`.
   *
   * @example
   * const r = await model.generate({ prompt: 'search the east sector for fires', schema: planSchema });
   * if (r.stopReason === 'complete') plan = JSON.parse(r.text);
   */
  generate(request: GenerateRequest): Promise<GenerateResult>;
  /** Unconstrained greedy generation of the same model: the reference for benchmarks. */
  generateBare(request: BareGenerateRequest): Promise<GenerateResult>;
  close(): Promise<void>;
}

/** Monotonic milliseconds; injected so tests can step time. */
export type MsClock = () => number;

export function result(
  text: string,
  tokens: number,
  promptTokens: number,
  durationMs: number,
  firstTokenMs: number | undefined,
  stopReason: StopReason,
): GenerateResult {
  return {
    text,
    tokens,
    promptTokens,
    durationMs,
    firstTokenMs: firstTokenMs ?? durationMs,
    tokensPerSecond: durationMs > 0 ? (tokens * 1000) / durationMs : 0,
    stopReason,
  };
}

/** One debug line per generation, the same fields for every backend. */
export function logGeneration(logger: Logger, backend: string, mode: string, r: GenerateResult): void {
  if (!logger.isLevelEnabled('debug')) return;
  logger.debug(
    {
      backend,
      mode,
      tokens: r.tokens,
      promptTokens: r.promptTokens,
      durationMs: r.durationMs,
      tokensPerSecond: r.tokensPerSecond,
      stopReason: r.stopReason,
    },
    'language generation',
  );
}
