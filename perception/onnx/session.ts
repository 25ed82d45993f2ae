/**
 * The built-in `onnx` backend: onnxruntime-node sessions on an inference
 * thread of their own (threaded-runner.ts) or, with `thread: main` in the
 * manifest, on the event loop's thread.
 */
import ort from 'onnxruntime-node';
import type { Backend, ModelRunner, OutputTensor, ProviderFallback, TensorInfo } from '../backend.js';
import { ModelLoadError } from '../errors.js';
import type { ModelManifest } from '../manifest.js';
import { readOnnxMetadata } from './metadata.js';
import {
  describeValues,
  isOpenFailure,
  toFloat32,
  tryOpenOnnxSession,
  type OnnxSession,
  type OnnxSessionOptions,
} from './open-session.js';
import { ThreadedOnnxRunner } from './threaded-runner.js';

/**
 * Opens a session on the first execution provider that works, on this
 * thread. Throws `ModelLoadError` (`model.load_failed` when even `cpu` could
 * not load it, `model.no_provider` when the list had no `cpu`).
 */
export async function openOnnxSession(model: Uint8Array, options: OnnxSessionOptions): Promise<OnnxSession> {
  const opened = await tryOpenOnnxSession(model, options);
  if (isOpenFailure(opened)) throw new ModelLoadError(opened.code, opened.message, { issues: opened.issues });
  return opened;
}

/** A session run on the event loop's thread (`thread: main`): each `run` blocks it for the inference. */
class OnnxRunner implements ModelRunner {
  readonly backend = 'onnx';
  readonly blocksEventLoop = true;
  readonly activeProvider: string;
  readonly fallbacks: readonly ProviderFallback[];
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  readonly metadata: Readonly<Record<string, string>>;
  private readonly session: ort.InferenceSession;
  // One Tensor wrapper per input buffer (the detector alternates two): ort.Tensor over a
  // Float32Array does not copy, and reusing it saves an allocation per frame.
  private readonly cached = new WeakMap<Float32Array, { dims: string; tensor: ort.Tensor }>();

  constructor(opened: OnnxSession, metadata: Record<string, string>) {
    this.session = opened.session;
    this.activeProvider = opened.activeProvider;
    this.fallbacks = opened.fallbacks;
    this.inputs = describeValues(opened.session.inputMetadata);
    this.outputs = describeValues(opened.session.outputMetadata);
    this.metadata = metadata;
  }

  async run(
    inputName: string,
    data: Float32Array,
    dims: readonly number[],
  ): Promise<ReadonlyMap<string, OutputTensor>> {
    const key = dims.join('x');
    let cached = this.cached.get(data);
    if (cached?.dims !== key) {
      cached = { dims: key, tensor: new ort.Tensor('float32', data, dims) };
      this.cached.set(data, cached);
    }
    const results = await this.session.run({ [inputName]: cached.tensor });
    const out = new Map<string, OutputTensor>();
    for (const name of this.session.outputNames) {
      const t = results[name];
      if (t !== undefined) out.set(name, { data: toFloat32(t), dims: t.dims });
    }
    return out;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/** The built-in `onnx` backend. */
export const onnxBackend: Backend = {
  name: 'onnx',
  async load(bytes: Uint8Array, manifest: ModelManifest, ctx): Promise<ModelRunner> {
    const options = {
      executionProviders: manifest.executionProviders,
      intraOpThreads: manifest.intraOpThreads,
      graphOptimizationLevel: manifest.graphOptimizationLevel,
      allowSpinning: manifest.allowSpinning,
      memoryPattern: manifest.memoryPattern,
      dynamicBlockBase: manifest.dynamicBlockBase,
      optimizedModelFilePath: ctx.optimizedModelCachePath,
      modelPath: ctx.modelPath,
    };
    const metadata = readOnnxMetadata(bytes);
    if (manifest.thread === 'worker') return ThreadedOnnxRunner.open(bytes, options, metadata, ctx.logger);
    return new OnnxRunner(await openOnnxSession(bytes, { ...options, logger: ctx.logger }), metadata);
  },
};
