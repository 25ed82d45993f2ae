/**
 * The detector: manifest → verified model → warm session → `detect(image)`.
 *
 * Per frame: decode + resize on a sharp pool thread, normalise into one of
 * two reused Float32Arrays, one inference, decode into typed-array
 * candidates, NMS, then objects only for the boxes kept. Inferences run one
 * at a time, on the model's inference thread for ONNX (manifest `thread`),
 * so the event loop stays free while the model runs, the next frame's
 * decode can start before this inference ends, and that frame is queued on
 * the thread, so the model starts on it the moment this one ends. A reload builds and warms the
 * new model beside the old one and swaps between frames, so the runtime
 * never stops serving.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { getBackend, registerBackend, type ModelRunner, type OutputTensor, type ProviderFallback } from './backend.js';
import { Candidates } from './decoders/candidates.js';
import type { DecodeContext, Decoder } from './decoders/decoder.js';
import { createDecoder } from './decoders/registry.js';
import { ModelLoadError, ModelManifestError, PerceptionInputError } from './errors.js';
import { Preprocessor, unletterboxInPlace, type ImageInput, type LetterboxTransform } from './letterbox.js';
import type { ModelManifest } from './manifest.js';
import type { ModelVerifier } from './model-verifier.js';
import { resolveManifest, type ManifestSource, type ResolvedManifest } from './manifest-file.js';
import { nms, NmsScratch } from './nms.js';
import { parseUltralyticsNames } from './onnx/metadata.js';
import { onnxBackend } from './onnx/session.js';
import { tfjsBackend } from './tfjs/backend.js';
import { silentLogger, WallClock, type Clock, type Logger, type TimerHandle } from '../runtime/index.js';
import { sha256Bytes, verifySha256 } from './sha256.js';
import { MovingAverage, WindowMin } from './stage-estimate.js';
import type { Detection, DetectionFrame } from './types.js';

registerBackend(onnxBackend);
registerBackend(tfjsBackend);

export interface DetectorOptions {
  readonly logger?: Logger;
  /** Monotonic time for stage timings and the watch debounce. Default: the wall clock. */
  readonly clock?: Clock;
  /** Folder that relative paths in an inline manifest resolve against (the mission's). Default: cwd. */
  readonly baseDir?: string;
  /** Fields forced over whatever the manifest says, on every (re)load; e.g. a CLI `--score`. */
  readonly overrides?: Partial<
    Pick<
      ModelManifest,
      | 'scoreThreshold'
      | 'iouThreshold'
      | 'maxDetections'
      | 'classes'
      | 'executionProviders'
      | 'warmupRuns'
      | 'thread'
      | 'dynamicBlockBase'
    >
  >;
  /** Reload when the model or manifest file changes on disk. Default false. */
  readonly watch?: boolean;
  /** Quiet time after the last file change before reloading, ms. Default 250. */
  readonly watchDebounceMs?: number;
  /** Called after every reload attempt, whatever started it. */
  readonly onReload?: (result: ReloadResult) => void;
  /**
   * Whether `nextFrameDue` asks for the next frame before the current
   * inference ends, so its decode overlaps it. `auto` (default): whenever
   * the early request can take effect, that is unless the runner blocks the
   * event loop while it infers (`ModelRunner.blocksEventLoop`, onnx with
   * `thread: main`), where the timer that makes the request waits for the
   * inference to end. On onnxruntime's CPU provider using every core it
   * still pays: 20 paired streams of the YOLOv8n reference model on 2 cores
   * took 0.964x (bus.jpg) and 0.977x (zidane.jpg) the time without overlap.
   */
  readonly overlap?: 'auto' | 'always' | 'never';
  /** Checked on every load and reload before the model runs; throwing refuses it (see model-verifier.ts). */
  readonly verifyModel?: ModelVerifier;
  /** Mission model id, passed to `verifyModel`. */
  readonly modelId?: string;
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
   * Starts a frame and says when the detector wants the next one. Frames
   * overlap: the next frame's decode and resize (sharp, on a pool thread) run
   * while this one infers, into the second of two input buffers. Results come
   * in submission order. A caller that submits the next frame only when
   * `nextFrameDue` resolves keeps at most one frame preprocessed ahead and
   * hands over the freshest frame it has (`latest`); one that submits at
   * will gets the same results, its frames waiting their turn.
   */
  submit(input: ImageInput): PendingFrame;
  /**
   * Re-reads the manifest (when it came from a file) and the model, verifies,
   * loads and warms it, then swaps it in between frames. On failure the old
   * model keeps serving and the result says why.
   */
  reload(): Promise<ReloadResult>;
  /** Stops watching and releases the session. Later calls to `run` throw `perception.closed`. */
  close(): Promise<void>;
}

/** One submitted frame. */
export interface PendingFrame {
  readonly result: Promise<DetectionFrame>;
  /**
   * Resolves (never rejects) when it is time to submit the next frame. When
   * overlapping pays (`DetectorOptions.overlap`): about one preprocess time
   * (with a margin) before this frame's inference is expected to end, so the
   * next frame's decode overlaps it yet the frame is as fresh as possible.
   * Otherwise, and with a simulated clock: when this frame's inference ends.
   */
  readonly nextFrameDue: Promise<void>;
}

/** Everything that belongs to one load of the model. Swapped whole on reload. */
interface LoadedModel {
  readonly resolved: ResolvedManifest;
  readonly runner: ModelRunner;
  readonly sha256: string;
  readonly inputName: string;
  readonly outputName: string;
  /** Two input buffers: frame n+1 is decoded into one while frame n's inference reads the other. */
  readonly slots: readonly [Preprocessor, Preprocessor];
  /** Index into `slots` of the next frame's buffer. */
  nextSlot: 0 | 1;
  /** Frames this load has inferred (warm-up not counted): its first frame is watched leniently. */
  framesRun: number;
  readonly decoder: Decoder;
  readonly ctx: DecodeContext;
  readonly classIou: Float32Array;
  readonly classNames: string[];
  readonly candidates: Candidates;
  readonly nmsScratch: NmsScratch;
}

/** `runTimeoutMs: 0`: a run is hung after this many times the running average of a run... */
const AUTO_RUN_TIMEOUT_FACTOR = 20;
/** ...and never before this, ms (a loaded machine, a GPU clock ramping up). */
const AUTO_RUN_TIMEOUT_MIN_MS = 2000;
/** `runTimeoutMs: 0`, a model's first frame: no average of its own yet. */
const FIRST_RUN_TIMEOUT_MS = 60_000;

/**
 * The caller's overrides, plus `thread: main` on a simulated clock: the
 * simulator moves time once pending callbacks have run, not when a thread
 * answers, so an inference on a thread of its own would land at whatever
 * simulated instant the machine's load lets it, and no two runs would agree.
 * On the event loop's thread it completes within the instant it started in.
 * Nothing is lost: simulated time does not pass while the loop is blocked.
 */
function overridesFor(options: DetectorOptions, clock: Clock): DetectorOptions['overrides'] {
  if (clock.kind !== 'sim' || options.overrides?.thread !== undefined) return options.overrides;
  return { ...options.overrides, thread: 'main' };
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

async function readCompanions(paths: readonly string[]): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for (const path of paths) {
    try {
      out.set(path, await readFile(path));
    } catch (cause) {
      throw new ModelLoadError('model.not_found', `cannot read ${path}, which the model file lists`, {
        cause,
        issues: [{ code: 'not_found', path: ['path'], message: `cannot read ${path}` }],
      });
    }
  }
  return out;
}

async function loadModel(
  resolved: ResolvedManifest,
  logger: Logger,
  options: Pick<DetectorOptions, 'verifyModel' | 'modelId'> = {},
): Promise<LoadedModel> {
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
  const backend = getBackend(manifest.backend);
  // TF.js weight shards: read once, hashed with the model file, loaded from these same bytes.
  const companions = await readCompanions(backend.companionFiles?.(bytes, modelPath) ?? []);
  const parts = [bytes, ...companions.values()];
  let sha256: string;
  if (manifest.sha256 === undefined) {
    sha256 = sha256Bytes(parts);
    logger.warn({ model: modelPath, sha256 }, 'model manifest has no sha256: loading an unpinned model');
  } else {
    sha256 = verifySha256(parts, manifest.sha256, modelPath);
  }
  await options.verifyModel?.({
    ...(options.modelId === undefined ? {} : { modelId: options.modelId }),
    manifestPath: resolved.manifestPath,
    modelPath,
    manifest,
    sha256,
  });
  const decoder = createDecoder(manifest.output);
  const cachePath = manifest.optimizedModelCachePath;
  const runner = await backend.load(bytes, manifest, {
    logger,
    modelPath,
    companions,
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
    const spec = { width, height, ...manifest.input };
    const slots: [Preprocessor, Preprocessor] = [new Preprocessor(spec), new Preprocessor(spec)];
    const pre = slots[0];

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
    for (let i = 0; i < manifest.warmupRuns; i++) {
      const slot = slots[i % 2] ?? pre;
      await runner.run(inputName, slot.tensor, slot.dims);
    }
    return {
      resolved,
      runner,
      sha256,
      inputName,
      outputName,
      slots,
      nextSlot: 0,
      framesRun: 0,
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
  /** New frames wait on this: a pending model swap. */
  private gate: Promise<void> = Promise.resolve();
  /** The last submitted frame entered inference (or failed before it). */
  private lastStarted: Promise<void> = Promise.resolve();
  /** The last submitted frame's inference settled: its input buffer is free again. */
  private lastInferred: Promise<void> = Promise.resolve();
  /** When the last submitted frame's run was called (or it failed before that). */
  private lastCalled: Promise<void> = Promise.resolve();
  /** When the last submitted frame's inference ended (or failed), on the detector's clock. */
  private lastInferredAtMs: Promise<number> = Promise.resolve(-Infinity);
  /** The last submitted frame settled. */
  private lastDone: Promise<void> = Promise.resolve();
  private readonly inferEstimate = new MovingAverage();
  private readonly preEstimate = new WindowMin();
  private closed = false;
  private watchers: FSWatcher[] = [];
  private debounce: TimerHandle | undefined;
  private reloading: Promise<ReloadResult> | undefined;
  private reloadAgain: Promise<ReloadResult> | undefined;
  /** The lost runner a recovery reload was started for (one per runner). */
  private recovering: ModelRunner | undefined;

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
    return this.model.slots[0].spec.width;
  }
  get inputHeight(): number {
    return this.model.slots[0].spec.height;
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
    return this.submit(input).result;
  }

  submit(input: ImageInput): PendingFrame {
    if (this.closed) {
      return {
        result: Promise.reject(new PerceptionInputError('perception.closed', 'detector is closed')),
        nextFrameDue: Promise.resolve(),
      };
    }
    const submittedMs = this.clock.monoMs();
    // Admission: after any pending model swap, and once the frame before has
    // entered inference, so at most one frame waits preprocessed.
    const admitted = Promise.all([this.gate, this.lastStarted]).then(() => {
      const m = this.model;
      const slot = m.slots[m.nextSlot];
      m.nextSlot = m.nextSlot === 0 ? 1 : 0;
      return { m, slot, generation: this.gen };
    });
    const prevInferred = this.lastInferred;
    const prevCalled = this.lastCalled;
    const prevDoneMs = this.lastInferredAtMs;
    const prepared = admitted.then(async (a) => {
      const t0 = this.clock.monoMs();
      const frame = await a.slot.prepare(input);
      const t1 = this.clock.monoMs();
      this.preEstimate.add(t1 - t0);
      return { ...a, frame, prepareStartMs: t0, prepareMs: t1 - t0 };
    });
    let markStarted: (startMs: number | undefined) => void = () => undefined;
    const started = new Promise<number | undefined>((resolve) => {
      markStarted = resolve;
    });
    let markCalled: () => void = () => undefined;
    const called = new Promise<void>((resolve) => {
      markCalled = resolve;
    });
    const inferred = prepared.then(async (p) => {
      // A runner that queues runs (reads the input at the call, runs calls in order) is handed
      // this frame as soon as the one before has been, so it starts the moment that one ends.
      // Others read the tensor while they run: this frame waits for the one before to finish.
      const queues = p.m.runner.queuesRuns === true;
      await (queues ? prevCalled : prevInferred);
      const f0 = this.clock.monoMs();
      // The slot's previous frame (two back) has been handed over (queued runner) or has
      // finished inferring (others): the buffer is free.
      const transform = p.slot.fill(p.frame);
      const f1 = this.clock.monoMs();
      const running = p.m.runner.run(p.m.inputName, p.slot.tensor, p.slot.dims);
      markCalled();
      // When the model starts on this frame: now, or when the run queued before it ends.
      const startMs = queues ? prevDoneMs.then((done) => Math.max(f1, done)) : Promise.resolve(f1);
      void startMs.then(markStarted);
      const outputs = await this.watchRun(p.m, running, startMs).catch((error: unknown) => {
        const lost = p.m.runner.lost;
        if (lost !== undefined) this.recover(p.m, lost);
        throw error;
      });
      const f2 = this.clock.monoMs();
      const began = Math.min(f2, await startMs);
      this.inferEstimate.add(f2 - began);
      return {
        ...p,
        transform,
        outputs,
        doneMs: f2,
        timings: {
          waitMs: p.prepareStartMs - submittedMs + (f0 - (p.prepareStartMs + p.prepareMs)) + (began - f1),
          preprocessMs: p.prepareMs + (f1 - f0),
          inferenceMs: f2 - began,
        },
      };
    });
    // A frame that fails before inference must not hold up the next one.
    inferred.catch(() => {
      markCalled();
      markStarted(undefined);
    });
    this.lastStarted = started.then(() => undefined);
    this.lastCalled = called;
    this.lastInferredAtMs = inferred.then(
      (r) => r.doneMs,
      () => this.clock.monoMs(),
    );
    this.lastInferred = inferred.then(
      () => undefined,
      () => undefined,
    );
    const result = inferred.then((r) => this.postprocess(r, submittedMs));
    this.lastDone = result.then(
      () => undefined,
      () => undefined,
    );
    return { result, nextFrameDue: this.nextFrameDue(started, this.lastInferred) };
  }

  /** See `DetectorOptions.overlap`. */
  private overlapPays(): boolean {
    const mode = this.options.overlap ?? 'auto';
    if (mode !== 'auto') return mode === 'always';
    const runner = this.model.runner;
    // The early request is a timer: it cannot fire while run() holds the event loop.
    if (runner.blocksEventLoop === true) return false;
    const provider = runner.activeProvider;
    if (provider !== 'cpu') return true;
    // onnxruntime on the CPU off the event loop: its threads sleep at each operator's barrier
    // (spinning is off), and the decode fills those gaps.
    return runner.backend === 'onnx';
  }

  /** See `PendingFrame.nextFrameDue`. */
  private nextFrameDue(started: Promise<number | undefined>, inferred: Promise<void>): Promise<void> {
    return started.then((startMs) => {
      const infer = this.inferEstimate.get();
      const pre = this.preEstimate.get();
      if (
        startMs === undefined ||
        infer === undefined ||
        pre === undefined ||
        this.clock.kind === 'sim' ||
        !this.overlapPays()
      ) {
        return inferred;
      }
      // Ask early enough for a decode slowed by sharing the CPU with the inference.
      const leadMs = 1.5 * pre + 2;
      const dueInMs = startMs + infer - leadMs - this.clock.monoMs();
      if (dueInMs <= 0) return undefined;
      return new Promise<void>((resolve) => {
        const timer = this.clock.setTimeout(resolve, dueInMs);
        void inferred.then(() => {
          timer.cancel();
          resolve();
        });
      });
    });
  }

  private postprocess(
    r: {
      readonly m: LoadedModel;
      readonly generation: number;
      readonly transform: LetterboxTransform;
      readonly outputs: ReadonlyMap<string, OutputTensor>;
      readonly timings: { readonly waitMs: number; readonly preprocessMs: number; readonly inferenceMs: number };
    },
    submittedMs: number,
  ): DetectionFrame {
    const { m, transform } = r;
    const t2 = this.clock.monoMs();
    const output = r.outputs.get(m.outputName);
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
      timings: { ...r.timings, postprocessMs: t3 - t2, totalMs: t3 - submittedMs },
      provider: m.runner.activeProvider,
      modelGeneration: r.generation,
    };
  }

  /**
   * `running`, with a watchdog: past the model's run timeout (manifest
   * `runTimeoutMs`; by default 20 times the running average, at least 2 s,
   * and 60 s for a load's first frame) the
   * runner is terminated, which fails the run and marks the runner lost, and
   * `recover` loads the model again. A hung driver call would otherwise stop
   * every later frame without a word.
   */
  private watchRun<T>(m: LoadedModel, running: Promise<T>, startMs: Promise<unknown>): Promise<T> {
    const runner = m.runner;
    if (runner.terminate === undefined || runner.blocksEventLoop === true) return running;
    const configured = m.resolved.manifest.runTimeoutMs;
    const estimate = this.inferEstimate.get();
    let budgetMs = configured;
    if (configured === 0) {
      // A model's first frame has no average of its own yet (the last model's may be far off).
      budgetMs =
        m.framesRun === 0 || estimate === undefined
          ? FIRST_RUN_TIMEOUT_MS
          : Math.max(AUTO_RUN_TIMEOUT_MIN_MS, AUTO_RUN_TIMEOUT_FACTOR * estimate);
    }
    let done = false;
    let timer: TimerHandle | undefined;
    // From when the model starts on this frame, not from when it was queued.
    void startMs.then(() => {
      if (done) return;
      timer = this.clock.setTimeout(() => {
        const reason = `a run took longer than ${Math.round(budgetMs)} ms (runTimeoutMs): the inference thread was stopped`;
        this.logger.error({ model: m.resolved.modelPath, budgetMs }, 'inference hung');
        void runner.terminate?.(reason);
      }, budgetMs);
    });
    return running.finally(() => {
      done = true;
      timer?.cancel();
      m.framesRun++;
    });
  }

  /**
   * The runner of `m` can no longer run (its inference thread died): load the
   * model again, once per lost runner, so the frames after this one are served.
   * Frames already admitted fail; if the reload fails too, it says so and the
   * detector keeps failing frames until a reload (file watch, `reload()`) works.
   */
  private recover(m: LoadedModel, reason: string): void {
    if (this.closed || m !== this.model || this.recovering === m.runner) return;
    this.recovering = m.runner;
    this.logger.error({ model: m.resolved.modelPath, reason }, 'model runner lost: loading the model again');
    void this.reload();
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
      const resolved = applyOverrides(
        await resolveManifest(this.source, this.options.baseDir),
        overridesFor(this.options, this.clock),
      );
      const fresh = await loadModel(resolved, this.logger, this.options);
      if (this.closed) {
        await fresh.runner.dispose();
        throw new PerceptionInputError('perception.closed', 'detector closed during reload');
      }
      // Swap between frames: frames already submitted finish on the old model,
      // frames submitted from now on wait for the swap.
      const old = await this.barrier(() => {
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

  private barrier<T>(fn: () => T): Promise<T> {
    const next = Promise.all([this.gate, this.lastDone]).then(fn);
    this.gate = next.then(
      () => undefined,
      () => undefined,
    );
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
    await this.gate;
    await this.lastDone;
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
  const resolved = applyOverrides(await resolveManifest(source, options.baseDir), overridesFor(options, clock));
  const model = await loadModel(resolved, logger, options);
  logger.info(
    {
      model: resolved.modelPath,
      sha256: model.sha256,
      provider: model.runner.activeProvider,
      ...(model.runner.backend === 'onnx' ? { thread: resolved.manifest.thread } : {}),
      input: `${model.slots[0].spec.width}x${model.slots[0].spec.height}`,
      decoder: model.decoder.kind,
      classes: model.classNames.length,
    },
    'detector ready',
  );
  return new OnnxDetector(model, source, options, logger, clock);
}
