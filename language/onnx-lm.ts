/**
 * The `onnx-lm` backend: an HF tokenizer, an ONNX decoder with a KV cache
 * (onnx-decoder.ts) and Kestrel's constrained greedy loop.
 *
 * Each step masks the logits to the tokens the JSON automaton allows, takes
 * the best one, and, while the constraint admits exactly one next token,
 * appends it without asking the model (fast-forward); the forced run is
 * then fed to the model in one `step` call so it still enters the KV cache.
 * Generation ends `complete` when the automaton closes (nothing more is
 * allowed) or the model picks EOS where the output may end.
 */
import { z } from 'zod';
import type { Logger } from '../runtime/index.js';
import { LanguageGenerationError, LanguageLoadError, VocabMismatchError } from './errors.js';
import { readVerified } from './integrity.js';
import { feedText, JsonConstraint, SchemaCache, type ConstraintState } from './json-constraint.js';
import {
  logGeneration,
  result,
  type BareGenerateRequest,
  type GenerateRequest,
  type GenerateResult,
  type LanguageModel,
  type LanguageModelInfo,
  type MsClock,
  type StopReason,
} from './language-model.js';
import { renderPrompt, type LanguageModelManifest } from './manifest.js';
import { OnnxDecoder } from './onnx-decoder.js';
import { TokenTrie } from './token-mask.js';
import { Tokenizer } from './tokenizer.js';

const genaiConfigSchema = z.looseObject({
  model: z.looseObject({
    eos_token_id: z.union([z.number().int(), z.array(z.number().int())]).optional(),
    vocab_size: z.number().int().positive().optional(),
    context_length: z.number().int().positive().optional(),
    decoder: z
      .looseObject({
        inputs: z.looseObject({ past_names: z.string().optional() }).optional(),
        outputs: z.looseObject({ present_names: z.string().optional() }).optional(),
      })
      .optional(),
  }),
});
export type GenaiConfig = z.output<typeof genaiConfigSchema>;

export interface OnnxLmLoadOptions {
  readonly logger: Logger;
  readonly now: MsClock;
}

function parseJson(bytes: Uint8Array, path: string, what: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch (cause) {
    throw new LanguageLoadError(
      `language.${what === 'tokenizer' ? 'tokenizer_invalid' : 'load_failed'}`,
      `${path} is not valid JSON`,
      {
        cause,
      },
    );
  }
}

/** Reads and checks tokenizer.json (sha256 when the manifest pins one). */
export async function loadTokenizerFile(path: string, sha256?: string): Promise<Tokenizer> {
  const { bytes } = await readVerified(path, sha256, 'tokenizer', 'tokenizer.sha256');
  return Tokenizer.fromJson(parseJson(bytes, path, 'tokenizer'), path);
}

async function loadGenaiConfig(path: string): Promise<GenaiConfig> {
  const { bytes } = await readVerified(path, undefined, 'config');
  const parsed = genaiConfigSchema.safeParse(parseJson(bytes, path, 'config'));
  if (!parsed.success) {
    throw new LanguageLoadError('language.load_failed', `${path} is not a genai_config.json: ${parsed.error.message}`, {
      issues: [{ code: 'config_invalid', path: ['config', 'path'], message: parsed.error.message }],
    });
  }
  return parsed.data;
}

/** Index of the largest logit among `ids` (and `extra` when given). */
function argmax(logits: Float32Array, ids: readonly number[], extra?: number): number {
  let best = -1;
  let bestValue = -Infinity;
  for (const id of ids) {
    const v = logits[id] ?? -Infinity;
    if (v > bestValue) {
      bestValue = v;
      best = id;
    }
  }
  if (extra !== undefined && (logits[extra] ?? -Infinity) > bestValue) best = extra;
  return best;
}

class OnnxLanguageModel implements LanguageModel {
  private closed = false;
  private busy: Promise<unknown> = Promise.resolve();
  private readonly constraints = new SchemaCache<JsonConstraint>();
  private readonly trie: TokenTrie;

  constructor(
    readonly info: LanguageModelInfo,
    private readonly manifest: LanguageModelManifest,
    private readonly tokenizer: Tokenizer,
    private readonly decoder: OnnxDecoder,
    private readonly eosIds: readonly number[],
    private readonly contextSize: number,
    private readonly options: OnnxLmLoadOptions,
  ) {
    this.trie = new TokenTrie(tokenizer);
  }

  /** One generation at a time: the decoder's KV cache is a single sequence. */
  private serial<T>(run: () => Promise<T>): Promise<T> {
    const next = this.busy.then(run, run);
    this.busy = next.catch(() => undefined);
    return next;
  }

  private constraint(schema: object): JsonConstraint {
    return this.constraints.get(schema, () => JsonConstraint.compile(schema));
  }

  private prepare(prompt: string, maxTokens: number | undefined): { ids: number[]; maxTokens: number } {
    if (this.closed) throw new LanguageGenerationError('language.closed', 'generate() after close()');
    const ids = this.tokenizer.encode(renderPrompt(this.manifest.prompt, prompt));
    const room = this.contextSize - ids.length;
    if (room < 1) {
      throw new LanguageGenerationError(
        'language.prompt_too_long',
        `prompt is ${ids.length} tokens; the context holds ${this.contextSize}`,
        {
          issues: [
            { code: 'prompt_too_long', path: ['prompt'], message: `${ids.length} tokens > ${this.contextSize - 1}` },
          ],
        },
      );
    }
    return { ids, maxTokens: Math.min(maxTokens ?? this.manifest.maxTokens, room) };
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    // Compile before queueing so a bad schema fails fast with its own error.
    const constraint = this.constraint(request.schema);
    return this.serial(() => this.runConstrained(request, constraint));
  }

  private async runConstrained(request: GenerateRequest, constraint: JsonConstraint): Promise<GenerateResult> {
    const { now } = this.options;
    const start = now();
    const { ids, maxTokens } = this.prepare(request.prompt, request.maxTokens);
    const deadline = start + (request.timeBudgetMs ?? this.manifest.timeBudgetMs);
    const eos = this.eosIds[0];
    const out: number[] = [];
    let text = '';
    let state: ConstraintState = constraint.initial();
    let firstTokenMs: number | undefined;
    let stop: StopReason;
    let logits = await this.decoder.prefill(ids);
    for (;;) {
      if (request.signal?.aborted === true) throw new LanguageGenerationError('language.aborted', 'generation aborted');
      if (now() >= deadline) {
        stop = 'timeout';
        break;
      }
      if (out.length >= maxTokens) {
        stop = 'max_tokens';
        break;
      }
      const mask = this.trie.mask(state);
      if (mask.allowed.length === 0) {
        if (mask.eosAllowed) {
          stop = 'complete';
          break;
        }
        throw new LanguageGenerationError(
          'language.constraint_unsatisfiable',
          `no token of the vocabulary continues ${JSON.stringify(text)} within the schema`,
        );
      }
      const pick = argmax(logits, mask.allowed, mask.eosAllowed ? eos : undefined);
      if (pick === eos) {
        stop = 'complete';
        break;
      }
      const run = [pick];
      let pickedText = this.tokenizer.tokenText(pick) ?? '';
      state = feedText(state, pickedText) ?? state;
      // Fast-forward: while exactly one token is allowed (and ending is not), the model has no choice to make.
      while (!state.closed && out.length + run.length < maxTokens) {
        const forced = this.trie.mask(state);
        const only = forced.allowed[0];
        if (forced.allowed.length !== 1 || forced.eosAllowed || only === undefined) break;
        const t = this.tokenizer.tokenText(only) ?? '';
        state = feedText(state, t) ?? state;
        run.push(only);
        pickedText += t;
      }
      firstTokenMs ??= now() - start;
      out.push(...run);
      text += pickedText;
      if (state.closed) {
        stop = 'complete';
        break;
      }
      logits = await this.decoder.step(run);
    }
    return this.finish(text, out.length, ids.length, start, firstTokenMs, stop, 'constrained');
  }

  generateBare(request: BareGenerateRequest): Promise<GenerateResult> {
    return this.serial(() => this.runBare(request));
  }

  private async runBare(request: BareGenerateRequest): Promise<GenerateResult> {
    const { now } = this.options;
    const start = now();
    const { ids, maxTokens } = this.prepare(request.prompt, request.maxTokens);
    const deadline = start + (request.timeBudgetMs ?? this.manifest.timeBudgetMs);
    const out: number[] = [];
    let firstTokenMs: number | undefined;
    let stop: StopReason = 'max_tokens';
    let logits = await this.decoder.prefill(ids);
    const eos = new Set(this.eosIds);
    for (;;) {
      if (request.signal?.aborted === true) throw new LanguageGenerationError('language.aborted', 'generation aborted');
      if (now() >= deadline) {
        stop = 'timeout';
        break;
      }
      if (out.length >= maxTokens) break;
      let best = 0;
      for (let i = 1; i < logits.length; i++) {
        if (request.ignoreEos === true && eos.has(i)) continue;
        if ((logits[i] ?? -Infinity) > (logits[best] ?? -Infinity)) best = i;
      }
      if (eos.has(best) && request.ignoreEos !== true) {
        stop = 'eos';
        break;
      }
      firstTokenMs ??= now() - start;
      out.push(best);
      logits = await this.decoder.step([best]);
    }
    const text = this.tokenizer.decode(out, { skipSpecial: true });
    return this.finish(text, out.length, ids.length, start, firstTokenMs, stop, 'bare');
  }

  private finish(
    text: string,
    tokens: number,
    promptTokens: number,
    start: number,
    firstTokenMs: number | undefined,
    stop: StopReason,
    mode: string,
  ): GenerateResult {
    const r = result(text, tokens, promptTokens, this.options.now() - start, firstTokenMs, stop);
    logGeneration(this.options.logger, 'onnx-lm', mode, r);
    return r;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.busy;
    await this.decoder.close();
  }
}

/** Loads an `onnx-lm` manifest whose paths are absolute. */
export async function loadOnnxLm(manifest: LanguageModelManifest, options: OnnxLmLoadOptions): Promise<LanguageModel> {
  const tokenizerRef = manifest.tokenizer;
  if (tokenizerRef === undefined) {
    throw new LanguageLoadError('language.manifest_invalid', 'onnx-lm needs a tokenizer', {
      issues: [{ code: 'custom', path: ['tokenizer'], message: 'onnx-lm needs a tokenizer (HF tokenizer.json)' }],
    });
  }
  const model = await readVerified(manifest.path, manifest.sha256, 'model');
  const tokenizer = await loadTokenizerFile(tokenizerRef.path, tokenizerRef.sha256);
  const config = manifest.config === undefined ? undefined : await loadGenaiConfig(manifest.config.path);
  const configVocab = config?.model.vocab_size;
  // Cheap refusal before a session is built, when the config already tells.
  if (configVocab !== undefined && configVocab !== tokenizer.vocabSize) {
    throw vocabMismatch(
      tokenizer,
      configVocab,
      tokenizerRef.path,
      manifest.path,
      `vocab_size in ${manifest.config?.path ?? 'genai_config.json'}`,
    );
  }
  const decoderNames = config?.model.decoder;
  const decoder = await OnnxDecoder.open(model.bytes, {
    logger: options.logger,
    modelPath: manifest.path,
    executionProviders: manifest.executionProviders,
    threads: manifest.threads,
    pastNames: decoderNames?.inputs?.past_names,
    presentNames: decoderNames?.outputs?.present_names,
  });
  try {
    const modelVocab = decoder.shape.vocabSize ?? configVocab;
    if (modelVocab === undefined) {
      throw new LanguageLoadError(
        'language.io_mismatch',
        `${manifest.path} leaves the logits' vocab dimension symbolic and no genai_config vocab_size is given`,
        { issues: [{ code: 'io_mismatch', path: ['config'], message: 'vocab size unknown' }] },
      );
    }
    if (modelVocab !== tokenizer.vocabSize)
      throw vocabMismatch(tokenizer, modelVocab, tokenizerRef.path, manifest.path, 'logits dimension');
    const eosConfig = config?.model.eos_token_id;
    const eosIds =
      eosConfig === undefined
        ? ['<|eos|>', '<|endoftext|>', '</s>']
            .map((t) => tokenizer.idOf(t))
            .filter((id): id is number => id !== undefined)
            .slice(0, 1)
        : Array.isArray(eosConfig)
          ? eosConfig
          : [eosConfig];
    const contextSize = Math.min(manifest.contextSize, config?.model.context_length ?? Infinity);
    const info: LanguageModelInfo = {
      backend: 'onnx-lm',
      device: decoder.activeProvider,
      path: manifest.path,
      sha256: model.sha256,
      vocabSize: modelVocab,
      contextSize,
      threads: manifest.threads,
    };
    options.logger.info(
      { ...info, layers: decoder.shape.layers, tokenizer: tokenizer.info.kind },
      `language model on ${info.device}: ${manifest.path}`,
    );
    return new OnnxLanguageModel(info, manifest, tokenizer, decoder, eosIds, contextSize, options);
  } catch (error) {
    await decoder.close();
    throw error;
  }
}

function vocabMismatch(
  tokenizer: Tokenizer,
  modelVocab: number,
  tokenizerPath: string,
  modelPath: string,
  via: string,
): VocabMismatchError {
  const { vocabEntries, addedEntries } = tokenizer.info;
  return new VocabMismatchError(
    `tokenizer ${tokenizerPath} has ${tokenizer.vocabSize} token ids (${vocabEntries} vocab entries + ${addedEntries} added tokens) ` +
      `but model ${modelPath} has ${modelVocab} (${via}): refusing the pair`,
    tokenizer.vocabSize,
    modelVocab,
    tokenizerPath,
    modelPath,
  );
}
