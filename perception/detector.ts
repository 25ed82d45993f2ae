/**
 * The detector: manifest → verified model → warm session → `detect(image)`.
 *
 * Per frame: preprocess into one reused Float32Array, one inference, decode
 * into typed-array candidates, NMS, then objects only for the boxes kept.
 * Frames run one at a time (the input tensor is shared); a reload builds and
 * warms the new model beside the old one and swaps between frames, so the
 * runtime never stops serving.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { getBackend, registerBackend, type ModelRunner, type ProviderFallback } from './backend.js';
import { Candidates } from './decoders/candidates.js';
import type { DecodeContext, Decoder } from './decoders/decoder.js';
import { createDecoder } from './decoders/registry.js';
import { ModelLoadError, ModelManifestError, PerceptionInputError } from './errors.js';
import { Preprocessor, unletterboxInPlace, type ImageInput } from './letterbox.js';
import type { ModelManifest } from './manifest.js';
import { resolveManifest, type ManifestSource, type ResolvedManifest } from './manifest-file.js';
import { nms, NmsScratch } from './nms.js';
import { parseUltralyticsNames } from './onnx/metadata.js';
import { onnxBackend } from './onnx/session.js';
import { silentLogger, WallClock, type Clock, type Logger, type TimerHandle } from '../runtime/index.js';
import { sha256Bytes, verifySha256 } from './sha256.js';
import type { Detection, DetectionFrame } from './types.js';

registerBackend(onnxBackend);

export interface DetectorOptions {
  readonly logger?: Logger;
  /** Monotonic time for stage timings and the watch debounce. Default: the wall clock. */
  readonly clock?: Clock;
  /** Folder that relative paths in an inline manifest resolve against (the mission's). Default: cwd. */
  readonly baseDir?: string;
  /** Fields forced over whatever the manifest says, on every (re)load; e.g. a CLI `--score`. */
  readonly overrides?: Partial<
    Pick<ModelManifest, 'scoreThreshold' | 'iouThreshold' | 'executionProviders' | 'warmupRuns'>
  >;
  /** Reload when the model or manifest file changes on disk. Default false. */
  readonly watch?: boolean;
  /** Quiet time after the last file change before reloading, ms. Default 250. */
  readonly watchDebounceMs?: number;
  /** Called after every reload attempt, whatever started it. */
  readonly onReload?: (result: ReloadResult) => void;
}

export type ReloadResult =
  | { readonly ok: true; readonly generation: number; readonly sha256: string; readonly provider: string }
  | { readonly ok: false; readonly generation: number; readonly error: Error };

export interface Detector {
  /** Absolute path of the model file in use. */
  readonly modelPath: string;
  readonly manifest: ModelManifest;
  readonly activeProvider: string;
  readonly fallbacks: readonly ProviderFallback[];
  readonly classNames: readonly string[];
  /** Model input size, pixels. */
  readonly inputWidth: number;
  readonly inputHeight: number;
  /** SHA-256 of the loaded model bytes, hex. */
  readonly sha256: string;
  /** 1 after the first load, +1 per successful reload. */
  readonly generation: number;
  /** Detections in original image pixels. */
  detect(input: ImageInput): Promise<Detection[]>;
  /** Detections with image size, per-stage timings and the provider that ran them. */
  run(input: ImageInput): Promise<DetectionFrame>;
  /**
   * Re-reads the manifest (when it came from a file) and the model, verifies,
   * loads and warms it, then swaps it in between frames. On failure the old
   * model keeps serving and the result says why.
   */
  reload(): Promise<ReloadResult>;
  /** Stops watching and releases the session. Later calls to `run` throw `perception.closed`. */
  close(): Promise<void>;
}

/** Everything that belongs to one load of the model. Swapped whole on reload. */
interface LoadedModel {
  readonly resolved: ResolvedManifest;
  readonly runner: ModelRunner;
  readonly sha256: string;
  readonly inputName: string;
  readonly outputName: string;
  readonly pre: Preprocessor;
  readonly decoder: Decoder;
  readonly ctx: DecodeContext;
  readonly classIou: Float32Array;
  readonly classNames: string[];
  readonly candidates: Candidates;
  readonly nmsScratch: NmsScratch;
}

function applyOverrides(resolved: ResolvedManifest, overrides: DetectorOptions['overrides']): ResolvedManifest {
  if (overrides === undefined) return resolved;
  const defined = Object.fromEntries(
    Object.entries(overrides as Record<string, unknown>).filter(([, v]) => v !== undefined),
  );
  return { ...resolved, manifest: { ...resolved.manifest, ...defined } };
}

function inputSize(manifest: ModelManifest, runner: ModelRunner, inputName: string): { width: number; height: number } {
  const info = runner.inputs.find((i) => i.name === inputName);
  const shape = info?.shape ?? [];
  const nchw = manifest.input.layout === 'NCHW';
  const h = shape[nchw ? 2 : 1];
  const w = shape[nchw ? 3 : 2];
  const c = shape[nchw ? 1 : 3];
  if (typeof c === 'number' && c !== 3) {
    throw new ModelLoadError(
      'model.io_mismatch',
      `input ${inputName} has ${c} channels in ${manifest.input.layout}; Kestrel feeds 3 (check input.layout)`,
      { issues: [{ code: 'io_mismatch', path: ['input', 'layout'], message: `shape [${shape.join(', ')}]` }] },
    );
  }
  const width = manifest.input.width ?? (typeof w === 'number' && w > 0 ? w : undefined);
  const height = manifest.input.height ?? (typeof h === 'number' && h > 0 ? h : undefined);
  if (width === undefined || height === undefined) {
    throw new ModelLoadError(
      'model.io_mismatch',
      `input ${inputName} has a dynamic size [${shape.join(', ')}]: set input.width and input.height in the manifest`,
      { issues: [{ code: 'io_mismatch', path: ['input', 'width'], message: 'dynamic input size needs width/height' }] },
    );
  }
  return { width, height };
}

function classTables(
  manifest: ModelManifest,
  names: readonly string[],
): { minScore: number; classMinScore: Float32Array; classIou: Float32Array } {
  const classMinScore = new Float32Array(names.length).fill(manifest.scoreThreshold);
  const classIou = new Float32Array(names.length).fill(manifest.iouThreshold);
  const unknown: string[] = [];
  for (const [name, o] of Object.entries(manifest.classes)) {
    const id = names.indexOf(name);
    if (id < 0) {
      unknown.push(name);
      continue;
    }
    classMinScore[id] = o.enabled ? (o.scoreThreshold ?? manifest.scoreThreshold) : Infinity;
    classIou[id] = o.iouThreshold ?? manifest.iouThreshold;
  }
  if (unknown.length > 0) {
    // A misspelt override would silently do nothing: refuse instead.
    throw new ModelManifestError(
      'model.manifest_invalid',
      `classes overrides name unknown classes: ${unknown.join(', ')} (model classes: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', …' : ''})`,
      { issues: unknown.map((n) => ({ code: 'unknown_class', path: ['classes', n], message: `no class named ${n}` })) },
    );
  }
  let minScore = manifest.scoreThreshold;
  for (const s of classMinScore) minScore = Math.min(minScore, s);
  return { minScore, classMinScore, classIou };
}

async function loadModel(resolved: ResolvedManifest, logger: Logger): Promise<LoadedModel> {
  const { manifest, modelPath } = resolved;
  let bytes: Uint8Array;
  try {
    bytes = await readFile(modelPath);
  } catch (cause) {
    throw new ModelLoadError('model.not_found', `cannot read model file ${modelPath}`, {
      cause,
      issues: [{ code: 'not_found', path: ['path'], message: `cannot read ${modelPath}` }],
    });
  }
  let sha256: string;
  if (manifest.sha256 === undefined) {
    sha256 = sha256Bytes(bytes);
    logger.warn({ model: modelPath, sha256 }, 'model manifest has no sha256: loading an unpinned model');
  } else {
    sha256 = verifySha256(bytes, manifest.sha256, modelPath);
  }
  const decoder = createDecoder(manifest.output);
  const backend = getBackend(manifest.backend);
  const cachePath = manifest.optimizedModelCachePath;
  const runner = await backend.load(bytes, manifest, {
    logger,
    modelPath,
    optimizedModelCachePath:
      cachePath === undefined ? undefined : isAbsolute(cachePath) ? cachePath : resolve(dirname(modelPath), cachePath),
  });
  try {
    const inputName = manifest.input.name ?? runner.inputs[0]?.name ?? '';
    const outputName = manifest.output.tensor ?? runner.outputs[0]?.name ?? '';
    if (!runner.inputs.some((i) => i.name === inputName) || !runner.outputs.some((o) => o.name === outputName)) {
      throw new ModelLoadError(
        'model.io_mismatch',
        `model ${modelPath} has inputs [${runner.inputs.map((i) => i.name).join(', ')}] and outputs [${runner.outputs.map((o) => o.name).join(', ')}]; manifest asks for ${inputName} → ${outputName}`,
        { issues: [{ code: 'io_mismatch', path: ['input', 'name'], message: 'tensor not in model' }] },
      );
    }
    const { width, height } = inputSize(manifest, runner, inputName);
    const pre = new Preprocessor({ width, height, ...manifest.input });

    const outInfo = runner.outputs.find((o) => o.name === outputName);
    const outDims = (outInfo?.shape ?? []).map((d) => (typeof d === 'number' ? d : 0));
    const fromMetadata = runner.metadata.names === undefined ? undefined : parseUltralyticsNames(runner.metadata.names);
    const nc = decoder.numClasses(outDims) ?? 0;
    const classNames = manifest.classNames ?? fromMetadata ?? Array.from({ length: nc }, (_, i) => `class_${i}`);
    const tables = classTables(manifest, classNames);
    const ctx: DecodeContext = {
      inputWidth: width,
      inputHeight: height,
      minScore: tables.minScore,
      classMinScore: tables.classMinScore,
    };
    // Warm-up: the first runs allocate arenas and pick kernels; pay for that before the first real frame.
    for (let i = 0; i < manifest.warmupRuns; i++) await runner.run(inputName, pre.tensor, pre.dims);
    return {
      resolved,
      runner,
      sha256,
      inputName,
      outputName,
      pre,
      decoder,
      ctx,
      classIou: tables.classIou,
      classNames,
      candidates: new Candidates(),
      nmsScratch: new NmsScratch(),
    };
  } catch (error) {
    await runner.dispose();
    throw error;
  }
}

class OnnxDetector implements Detector {
  private model: LoadedModel;
  private gen = 1;
  /** Frames and swaps run one after another on this chain. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private watchers: FSWatcher[] = [];
  private debounce: TimerHandle | undefined;
  private reloading: Promise<ReloadResult> | undefined;
  private reloadAgain: Promise<ReloadResult> | undefined;

  constructor(
    model: LoadedModel,
    private readonly source: ManifestSource,
    private readonly options: DetectorOptions,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {
    this.model = model;
    if (options.watch === true) this.startWatching();
  }

  get modelPath(): string {
    return this.model.resolved.modelPath;
  }
  get manifest(): ModelManifest {
    return this.model.resolved.manifest;
  }
  get activeProvider(): string {
    return this.model.runner.activeProvider;
  }
  get fallbacks(): readonly ProviderFallback[] {
    return this.model.runner.fallbacks;
  }
  get classNames(): readonly string[] {
    return this.model.classNames;
  }
  get inputWidth(): number {
    return this.model.pre.spec.width;
  }
  get inputHeight(): number {
    return this.model.pre.spec.height;
  }
  get sha256(): string {
    return this.model.sha256;
  }
  get generation(): number {
    return this.gen;
  }

  async detect(input: ImageInput): Promise<Detection[]> {
    return (await this.run(input)).detections;
  }

  run(input: ImageInput): Promise<DetectionFrame> {
    if (this.closed) {
      return Promise.reject(new PerceptionInputError('perception.closed', 'detector is closed'));
    }
    const next = this.queue.then(() => this.runNow(input));
    // Keep the chain alive after a failed frame.
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runNow(input: ImageInput): Promise<DetectionFrame> {
    const m = this.model;
    const generation = this.gen;
    const t0 = this.clock.monoMs();
    const transform = await m.pre.run(input);
    const t1 = this.clock.monoMs();
    const outputs = await m.runner.run(m.inputName, m.pre.tensor, m.pre.dims);
    const t2 = this.clock.monoMs();
    const output = outputs.get(m.outputName);
    if (output === undefined) {
      throw new ModelLoadError('model.io_mismatch', `model produced no output ${m.outputName}`);
    }
    const cand = m.candidates;
    cand.reset();
    m.decoder.decode(output, m.ctx, cand);
    const manifest = m.resolved.manifest;
    let kept: Uint32Array | undefined;
    let count: number;
    if (m.decoder.needsNms) {
      count = nms(
        cand.boxes,
        cand.scores,
        cand.classes,
        cand.count,
        {
          iouThreshold: manifest.iouThreshold,
          classIouThreshold: m.classIou,
          classAgnostic: manifest.classAgnosticNms,
          maxDetections: manifest.maxDetections,
        },
        m.nmsScratch,
      );
      kept = m.nmsScratch.keep;
    } else {
      count = Math.min(cand.count, manifest.maxDetections);
    }
    // Objects only now, for the few boxes that survived.
    const detections: Detection[] = new Array<Detection>(count);
    const box: [number, number, number, number] = [0, 0, 0, 0];
    for (let k = 0; k < count; k++) {
      const i = kept === undefined ? k : (kept[k] ?? 0);
      const b = i * 4;
      box[0] = cand.boxes[b] ?? 0;
      box[1] = cand.boxes[b + 1] ?? 0;
      box[2] = cand.boxes[b + 2] ?? 0;
      box[3] = cand.boxes[b + 3] ?? 0;
      unletterboxInPlace(box, 0, transform);
      const classId = cand.classes[i] ?? 0;
      detections[k] = {
        classId,
        className: m.classNames[classId] ?? `class_${classId}`,
        score: cand.scores[i] ?? 0,
        box: { x1: box[0], y1: box[1], x2: box[2], y2: box[3] },
      };
    }
    const t3 = this.clock.monoMs();
    return {
      detections,
      width: transform.srcWidth,
      height: transform.srcHeight,
      timings: { preprocessMs: t1 - t0, inferenceMs: t2 - t1, postprocessMs: t3 - t2, totalMs: t3 - t0 },
      provider: m.runner.activeProvider,
      modelGeneration: generation,
    };
  }

  reload(): Promise<ReloadResult> {
    if (this.reloading !== undefined) {
      // A change that lands while a load is in flight may not be in that load
      // (a manifest re-pinned just after the model was read): load once more after it.
      this.reloadAgain ??= this.reloading.then(() => {
        this.reloadAgain = undefined;
        return this.reload();
      });
      return this.reloadAgain;
    }
    this.reloading = this.reloadNow().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private async reloadNow(): Promise<ReloadResult> {
    let result: ReloadResult;
    try {
      const resolved = applyOverrides(await resolveManifest(this.source, this.options.baseDir), this.options.overrides);
      const fresh = await loadModel(resolved, this.logger);
      if (this.closed) {
        await fresh.runner.dispose();
        throw new PerceptionInputError('perception.closed', 'detector closed during reload');
      }
      // Swap between frames: wait for the frame in flight, then switch.
      const old = await this.enqueue(() => {
        const previous = this.model;
        this.model = fresh;
        this.gen++;
        return previous;
      });
      await old.runner.dispose();
      result = { ok: true, generation: this.gen, sha256: fresh.sha256, provider: fresh.runner.activeProvider };
      this.logger.info({ model: resolved.modelPath, sha256: fresh.sha256, generation: this.gen }, 'model reloaded');
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      result = { ok: false, generation: this.gen, error };
      this.logger.error({ err: error, model: this.modelPath }, 'model reload failed; still serving the previous model');
    }
    this.options.onReload?.(result);
    return result;
  }

  private enqueue<T>(fn: () => T): Promise<T> {
    const next = this.queue.then(fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private startWatching(): void {
    const targets = new Map<string, Set<string>>();
    const add = (path: string | undefined): void => {
      if (path === undefined) return;
      const dir = dirname(path);
      const names = targets.get(dir) ?? new Set<string>();
      names.add(basename(path));
      targets.set(dir, names);
    };
    add(this.model.resolved.modelPath);
    add(this.model.resolved.manifestPath);
    // Watch folders, not files: an atomic replace (write + rename) gives the
    // file a new inode, and a watch on the old one would go silent.
    for (const [dir, names] of targets) {
      const watcher = watch(dir, (_event, filename) => {
        if (filename !== null && names.has(filename)) this.scheduleReload();
      });
      watcher.on('error', (err) => this.logger.warn({ err, dir }, 'model file watch failed'));
      this.watchers.push(watcher);
    }
  }

  private scheduleReload(): void {
    if (this.closed) return;
    this.debounce?.cancel();
    this.debounce = this.clock.setTimeout(() => {
      this.debounce = undefined;
      void this.reload();
    }, this.options.watchDebounceMs ?? 250);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.debounce?.cancel();
    for (const w of this.watchers) w.close();
    this.watchers = [];
    await this.reloadAgain;
    await this.reloading;
    await this.queue;
    await this.model.runner.dispose();
  }
}

/**
 * Loads, verifies and warms a model, and returns a detector ready for frames.
 *
 * @example
 * const detector = await createDetector('models/yolov8n.yaml', { logger });
 * const found = await detector.detect(await readFile('frame.jpg'));
 * // [{ classId: 0, className: 'person', score: 0.87, box: { x1: 48, y1: 398, x2: 245, y2: 902 } }]  (pixels)
 */
export async function createDetector(source: ManifestSource, options: DetectorOptions = {}): Promise<Detector> {
  const logger = (options.logger ?? silentLogger()).child({ component: 'perception' });
  const clock = options.clock ?? new WallClock();
  const resolved = applyOverrides(await resolveManifest(source, options.baseDir), options.overrides);
  const model = await loadModel(resolved, logger);
  logger.info(
    {
      model: resolved.modelPath,
      sha256: model.sha256,
      provider: model.runner.activeProvider,
      input: `${model.pre.spec.width}x${model.pre.spec.height}`,
      decoder: model.decoder.kind,
      classes: model.classNames.length,
    },
    'detector ready',
  );
  return new OnnxDetector(model, source, options, logger, clock);
}
