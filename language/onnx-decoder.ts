/**
 * Kestrel's own decoding loop over an ONNX decoder-only model with a KV cache.
 *
 * Convention "Kestrel ONNX LM v1" (the onnxruntime-genai layout of GPT-2):
 *
 *   inputs   input_ids, position_ids  int32|int64 [batch, seq]
 *            attention_mask           int32|int64 [batch, total_seq]
 *            past_%d                  float32 [2, batch, heads, past_seq, head_size]
 *   outputs  logits                   float32 [batch, seq, vocab]
 *            present_%d               float32 [2, batch, heads, total_seq, head_size]
 *
 * `prefill(ids)` runs the whole prompt in one call with an empty past;
 * `step(ids)` appends one or more tokens, reusing the presents of the last run
 * as the next past (several ids at once fast-forward tokens the constraint
 * forces, and they still enter the cache). Both return the logits of the last
 * position. Batch is always 1.
 */
import ort from 'onnxruntime-node';
import { openOnnxSession, type ExecutionProviderName } from '../perception/index.js';
import type { Logger } from '../runtime/index.js';
import { LanguageLoadError } from './errors.js';

export interface OnnxDecoderOptions {
  readonly logger: Logger;
  /** For messages only. */
  readonly modelPath: string;
  readonly executionProviders?: readonly ExecutionProviderName[];
  /** Intra-op threads; 0 lets onnxruntime choose. */
  readonly threads?: number;
  /** `past_%d`-style names; default `past_%d` / `present_%d`. */
  readonly pastNames?: string;
  readonly presentNames?: string;
}

/** What the model's metadata says about its KV cache and vocabulary. */
export interface OnnxDecoderShape {
  readonly layers: number;
  readonly heads: number;
  readonly headSize: number;
  /** Logits' last dimension, or undefined when the model leaves it symbolic. */
  readonly vocabSize: number | undefined;
  readonly idType: 'int32' | 'int64';
  readonly maskType: 'int32' | 'int64';
}

type IntType = 'int32' | 'int64';

function intTensor(type: IntType, values: readonly number[] | ArrayLike<number>, dims: readonly number[]): ort.Tensor {
  const n = values.length;
  if (type === 'int64') {
    const data = new BigInt64Array(n);
    for (let i = 0; i < n; i++) data[i] = BigInt(values[i] ?? 0);
    return new ort.Tensor('int64', data, dims);
  }
  const data = new Int32Array(n);
  for (let i = 0; i < n; i++) data[i] = values[i] ?? 0;
  return new ort.Tensor('int32', data, dims);
}

function fmt(template: string, i: number): string {
  return template.replace('%d', String(i));
}

export class OnnxDecoder {
  readonly shape: OnnxDecoderShape;
  readonly activeProvider: string;
  private readonly session: ort.InferenceSession;
  private readonly pastNames: string[];
  private readonly presentNames: string[];
  private past: ort.Tensor[] = [];
  private pastLength = 0;
  private readonly emptyPast: ort.Tensor[];

  private constructor(
    session: ort.InferenceSession,
    activeProvider: string,
    shape: OnnxDecoderShape,
    past: string,
    present: string,
  ) {
    this.session = session;
    this.activeProvider = activeProvider;
    this.shape = shape;
    this.pastNames = Array.from({ length: shape.layers }, (_, i) => fmt(past, i));
    this.presentNames = Array.from({ length: shape.layers }, (_, i) => fmt(present, i));
    this.emptyPast = this.pastNames.map(
      () => new ort.Tensor('float32', new Float32Array(0), [2, 1, shape.heads, 0, shape.headSize]),
    );
    this.past = this.emptyPast;
  }

  /** Opens a session on the model bytes and checks they follow the v1 layout (`language.io_mismatch` otherwise). */
  static async open(model: Uint8Array, options: OnnxDecoderOptions): Promise<OnnxDecoder> {
    let opened;
    try {
      opened = await openOnnxSession(model, {
        executionProviders: options.executionProviders ?? ['cpu'],
        intraOpThreads: options.threads ?? 0,
        graphOptimizationLevel: 'all',
        logger: options.logger,
        modelPath: options.modelPath,
      });
    } catch (cause) {
      throw new LanguageLoadError('language.load_failed', `onnxruntime cannot load ${options.modelPath}`, { cause });
    }
    const { session } = opened;
    const past = options.pastNames ?? 'past_%d';
    const present = options.presentNames ?? 'present_%d';
    try {
      const shape = OnnxDecoder.readShape(session, past, present, options.modelPath);
      return new OnnxDecoder(session, opened.activeProvider, shape, past, present);
    } catch (error) {
      await session.release();
      throw error;
    }
  }

  private static readShape(
    session: ort.InferenceSession,
    past: string,
    present: string,
    modelPath: string,
  ): OnnxDecoderShape {
    const mismatch = (message: string): never => {
      throw new LanguageLoadError(
        'language.io_mismatch',
        `${modelPath} does not follow the Kestrel ONNX LM v1 layout: ${message}`,
        { issues: [{ code: 'io_mismatch', path: ['path'], message }] },
      );
    };
    const inputs = new Map(session.inputMetadata.map((m) => [m.name, m]));
    const outputs = new Map(session.outputMetadata.map((m) => [m.name, m]));
    const intInput = (name: string): IntType => {
      const m = inputs.get(name);
      if (m === undefined) return mismatch(`no input ${name}`);
      if (!m.isTensor || (m.type !== 'int32' && m.type !== 'int64'))
        return mismatch(`input ${name} must be int32 or int64`);
      return m.type;
    };
    const idType = intInput('input_ids');
    if (intInput('position_ids') !== idType) mismatch('position_ids and input_ids differ in type');
    const maskType = intInput('attention_mask');
    let layers = 0;
    while (inputs.has(fmt(past, layers))) layers++;
    if (layers === 0) mismatch(`no KV-cache inputs named ${past}`);
    const first = inputs.get(fmt(past, 0));
    const dims = first?.isTensor === true ? first.shape : [];
    const heads = dims[2];
    const headSize = dims[4];
    if (
      first?.isTensor !== true ||
      first.type !== 'float32' ||
      dims.length !== 5 ||
      typeof heads !== 'number' ||
      typeof headSize !== 'number'
    ) {
      return mismatch(
        `${fmt(past, 0)} must be float32 [2, batch, heads, past_seq, head_size] with numeric heads and head_size`,
      );
    }
    for (let i = 0; i < layers; i++) {
      if (!outputs.has(fmt(present, i))) mismatch(`no output ${fmt(present, i)} for ${fmt(past, i)}`);
    }
    const logits = outputs.get('logits');
    if (logits?.isTensor !== true || logits.type !== 'float32' || logits.shape.length !== 3) {
      return mismatch('output logits must be float32 [batch, seq, vocab]');
    }
    const v = logits.shape[2];
    return { layers, heads, headSize, vocabSize: typeof v === 'number' ? v : undefined, idType, maskType };
  }

  /** Tokens in the cache. */
  get length(): number {
    return this.pastLength;
  }

  /** Forgets the cache. */
  reset(): void {
    this.past = this.emptyPast;
    this.pastLength = 0;
  }

  /** Runs the whole prompt from an empty cache; returns the last position's logits. */
  async prefill(ids: readonly number[]): Promise<Float32Array> {
    this.reset();
    return this.step(ids);
  }

  /** Appends `ids` (one or a forced run) to the cache; returns the last position's logits. */
  async step(ids: readonly number[]): Promise<Float32Array> {
    const n = ids.length;
    if (n === 0) throw new RangeError('step() needs at least one token id');
    const start = this.pastLength;
    const total = start + n;
    const positions = new Array<number>(n);
    for (let i = 0; i < n; i++) positions[i] = start + i;
    const feeds: Record<string, ort.Tensor> = {
      input_ids: intTensor(this.shape.idType, ids, [1, n]),
      position_ids: intTensor(this.shape.idType, positions, [1, n]),
      attention_mask: intTensor(this.shape.maskType, new Array<number>(total).fill(1), [1, total]),
    };
    this.pastNames.forEach((name, i) => {
      const t = this.past[i];
      if (t !== undefined) feeds[name] = t;
    });
    const results = await this.session.run(feeds);
    const logits = results.logits;
    if (logits === undefined || !(logits.data instanceof Float32Array)) {
      throw new LanguageLoadError('language.io_mismatch', 'model returned no float32 logits');
    }
    // Presents become the next pasts as they are: onnxruntime owns the buffers, no copy.
    const nextPast: ort.Tensor[] = [];
    for (const name of this.presentNames) {
      const p = results[name];
      if (p === undefined) throw new LanguageLoadError('language.io_mismatch', `model returned no ${name}`);
      nextPast.push(p);
    }
    this.past = nextPast;
    this.pastLength = total;
    const vocab = logits.dims[2] ?? 0;
    // A copy of one row: the caller keeps it across the next run.
    return logits.data.slice((n - 1) * vocab, n * vocab);
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
