/**
 * Inference backends. A backend turns model bytes into a `ModelRunner`; the
 * detector only ever talks to the runner, so ONNX, TF.js or an integrator's
 * own runtime look the same to the rest of the pipeline.
 */
import type { ModelManifest } from './manifest.js';
import type { Logger } from '../runtime/index.js';
import { ModelLoadError } from './errors.js';

export interface TensorInfo {
  readonly name: string;
  /** Dimensions; a string is a symbolic (dynamic) dimension. */
  readonly shape: readonly (number | string)[];
  readonly type: string;
}

/** An output tensor as float32, borrowed from the backend until the next run. */
export interface OutputTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

export interface ProviderFallback {
  readonly provider: string;
  readonly reason: string;
}

export interface ModelRunner {
  readonly backend: string;
  /** Execution provider (or device) that actually runs the model, e.g. `cpu`, `cuda`. */
  readonly activeProvider: string;
  /** Providers tried before `activeProvider` and why each was skipped. */
  readonly fallbacks: readonly ProviderFallback[];
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  /**
   * True when `run` holds the event loop for the whole inference (onnxruntime-node's
   * `session.run` on the main thread): no timer or I/O callback runs meanwhile, so the
   * detector does not ask for the next frame early. Default false.
   */
  readonly blocksEventLoop?: boolean;
  /**
   * True when `run` reads `data` at the call and runs calls one at a time in call
   * order: the detector then hands over the next frame while the current one infers,
   * so the model starts on it the moment the current one ends. Default false.
   */
  readonly queuesRuns?: boolean;
  /**
   * Why this runner can no longer run (its inference thread exited), or undefined
   * while it can. The detector loads the model again when a run fails and this is set.
   */
  readonly lost?: string | undefined;
  /** Model metadata (ONNX `metadata_props`, TF.js `userDefinedMetadata`); `{}` when the format has none. */
  readonly metadata: Readonly<Record<string, string>>;
  /**
   * Stops a run that never returns, as a crash would: runs in flight fail and `lost`
   * says `reason`. Only a runner whose run leaves the event loop free has one (a
   * watchdog's timer could not fire otherwise); the detector calls it after `runTimeoutMs`.
   */
  terminate?(reason: string): Promise<void>;
  /** Runs one inference. `data` is read during the call only, so callers may reuse it. */
  run(inputName: string, data: Float32Array, dims: readonly number[]): Promise<ReadonlyMap<string, OutputTensor>>;
  dispose(): Promise<void>;
}

export interface BackendLoadContext {
  readonly logger: Logger;
  /** Absolute path of the model file, for messages and for formats that load sidecar files. */
  readonly modelPath: string;
  /** Absolute path for the optimised-model cache, when the manifest asks for one. */
  readonly optimizedModelCachePath?: string | undefined;
  /**
   * The files `companionFiles` named, by absolute path, read once and covered
   * by the same sha256 check as the model file: load from these bytes, not
   * from disk again, so a file swapped after the check is never loaded.
   */
  readonly companions?: ReadonlyMap<string, Uint8Array> | undefined;
}

export interface Backend {
  readonly name: string;
  /**
   * Other files the model needs beside `path` (TF.js weight shards), as
   * absolute paths, in the order they are hashed after the model file. The
   * detector reads them and verifies the manifest's sha256 over the model file
   * followed by these. Throws `ModelLoadError` when the model file is unreadable.
   */
  companionFiles?(modelBytes: Uint8Array, modelPath: string): readonly string[];
  /** Builds a runner from the verified model bytes. Throws `ModelLoadError` on failure. */
  load(bytes: Uint8Array, manifest: ModelManifest, ctx: BackendLoadContext): Promise<ModelRunner>;
}

const backends = new Map<string, Backend>();

/**
 * Adds or replaces the backend named `backend.name`; manifests select it with `backend:`.
 *
 * @example
 * registerBackend({ name: 'tfjs', load: async (bytes, manifest, ctx) => myTfjsRunner(bytes) });
 */
export function registerBackend(backend: Backend): void {
  backends.set(backend.name, backend);
}

export function getBackend(name: string): Backend {
  const backend = backends.get(name);
  if (backend === undefined) {
    throw new ModelLoadError(
      'model.backend_unavailable',
      `no inference backend "${name}" is registered (registered: ${[...backends.keys()].join(', ') || 'none'})`,
      { issues: [{ code: 'backend_unavailable', path: ['backend'], message: `backend ${name} not registered` }] },
    );
  }
  return backend;
}

export function registeredBackends(): string[] {
  return [...backends.keys()];
}
