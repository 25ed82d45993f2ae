/**
 * A `ModelRunner` whose onnxruntime session lives on an inference thread of
 * its own (inference-thread.ts), so `run` never blocks the event loop.
 *
 * Cost per frame: one copy of the input tensor into a buffer that is then
 * moved to the thread (about 0.5 ms for 640 x 640 x 3 float32) and two
 * message hops; outputs move back without a copy. Measured by the
 * perception bench against a bare `session.run` on the main thread.
 *
 * The thread holds no reference on the process while idle: a program that
 * forgets `dispose()` still exits, and one waiting on a run does not.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../runtime/index.js';
import type { ModelRunner, OutputTensor, ProviderFallback, TensorInfo } from '../backend.js';
import { InferenceError, ModelLoadError } from '../errors.js';
import { prepareOrtEnvironment } from './ort-environment.js';
import type { FromThread, ThreadSessionOptions, ToThread } from './thread-protocol.js';

/**
 * The thread's entry: inference-thread.js beside this file in a build; from
 * TypeScript sources (tests), the .ts file through tsx's loader, registered
 * inside the thread.
 */
function startThread(): Worker {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.ts')) return new Worker(new URL('./inference-thread.js', import.meta.url));
  const require = createRequire(import.meta.url);
  const tsxApi = pathToFileURL(join(dirname(require.resolve('tsx/esm/api')), 'index.mjs')).href;
  const entry = pathToFileURL(join(dirname(here), 'inference-thread.ts')).href;
  const code = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true });
}

interface PendingRun {
  readonly resolve: (outputs: ReadonlyMap<string, OutputTensor>) => void;
  readonly reject: (error: Error) => void;
}

type Loaded = Extract<FromThread, { type: 'loaded' }>;

export class ThreadedOnnxRunner implements ModelRunner {
  readonly backend = 'onnx';
  readonly blocksEventLoop = false;
  /** The input is copied at the call and the thread takes messages in order. */
  readonly queuesRuns = true;
  readonly activeProvider: string;
  readonly fallbacks: readonly ProviderFallback[];
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  readonly metadata: Readonly<Record<string, string>>;
  /** Input buffers back from the thread, reused for the next runs. */
  private readonly spare: Float32Array[] = [];
  private readonly pending = new Map<number, PendingRun>();
  private nextId = 1;
  /** Why the thread is gone, once it is. */
  private deadReason: string | undefined;
  /** Resolves when the thread has exited; set by the first `dispose()`. */
  private disposing: Promise<void> | undefined;
  private exited: (() => void) | undefined;

  private constructor(
    private readonly thread: Worker,
    loaded: Loaded,
    metadata: Record<string, string>,
    private readonly modelPath: string,
    private readonly logger: Logger,
  ) {
    this.activeProvider = loaded.activeProvider;
    this.fallbacks = loaded.fallbacks;
    this.inputs = loaded.inputs;
    this.outputs = loaded.outputs;
    this.metadata = metadata;
    thread.on('message', (message: FromThread) => {
      this.onMessage(message);
    });
    thread.on('error', (error) => {
      this.fail(`the inference thread failed: ${error.message}`);
    });
    thread.on('exit', (code) => {
      this.fail(`the inference thread exited (code ${code})`);
      this.exited?.();
    });
    thread.unref();
  }

  /** Starts a thread, opens the session there, and resolves once it is ready (or throws `ModelLoadError`). */
  static async open(
    model: Uint8Array,
    options: ThreadSessionOptions,
    metadata: Record<string, string>,
    logger: Logger,
  ): Promise<ThreadedOnnxRunner> {
    // The thread's 4 MiB stack is too small for onnxruntime to build its environment there under a long command line.
    await prepareOrtEnvironment();
    const thread = startThread();
    const loaded = await new Promise<Loaded>((resolve, reject) => {
      const onMessage = (message: FromThread): void => {
        if (message.type === 'log') logger[message.level](message.obj, message.msg);
        else if (message.type === 'loaded') settle(() => resolve(message));
        else if (message.type === 'load_failed') {
          settle(() => reject(new ModelLoadError(message.code, message.message, { issues: message.issues })));
        }
      };
      const onError = (error: Error): void => {
        settle(() =>
          reject(
            new ModelLoadError('model.load_failed', `inference thread for ${options.modelPath}: ${error.message}`),
          ),
        );
      };
      const onExit = (code: number): void => {
        onError(new Error(`exited (code ${code}) before the model loaded`));
      };
      const settle = (done: () => void): void => {
        thread.off('message', onMessage).off('error', onError).off('exit', onExit);
        done();
      };
      thread.on('message', onMessage).on('error', onError).on('exit', onExit);
      // Cloned, not moved: the caller keeps its bytes (the detector hashed them and may reload).
      const load: ToThread = { type: 'load', model, options };
      thread.postMessage(load);
    }).catch(async (error: unknown) => {
      await thread.terminate();
      throw error;
    });
    return new ThreadedOnnxRunner(thread, loaded, metadata, options.modelPath, logger);
  }

  run(inputName: string, data: Float32Array, dims: readonly number[]): Promise<ReadonlyMap<string, OutputTensor>> {
    if (this.deadReason !== undefined) {
      return Promise.reject(new InferenceError('perception.inference_failed', `${this.modelPath}: ${this.deadReason}`));
    }
    // `data` is read now only, as the ModelRunner contract says: it is copied into a buffer that moves.
    let input = this.spare.pop();
    if (input?.length !== data.length) input = new Float32Array(data.length);
    input.set(data);
    const id = this.nextId++;
    const promise = new Promise<ReadonlyMap<string, OutputTensor>>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
    });
    if (this.pending.size === 1) this.thread.ref();
    const message: ToThread = { type: 'run', id, inputName, input, dims: [...dims] };
    this.thread.postMessage(message, [input.buffer as ArrayBuffer]);
    return promise;
  }

  /** See `ModelRunner.lost`; not set by `dispose()`. */
  get lost(): string | undefined {
    return this.disposing === undefined ? this.deadReason : undefined;
  }

  /**
   * Stops the thread at once, as a crash would (a watchdog's last resort for a
   * run that never returns): runs in flight fail with `perception.inference_failed`,
   * and `lost` says why. JavaScript stops; a native call that never returns keeps
   * its OS thread until the process ends, but no longer holds up the detector.
   */
  async terminate(reason = 'the inference thread was terminated'): Promise<void> {
    this.fail(reason);
    await this.thread.terminate();
  }

  dispose(): Promise<void> {
    if (this.disposing !== undefined) return this.disposing;
    if (this.deadReason !== undefined) return Promise.resolve();
    this.disposing = new Promise<void>((resolve) => {
      this.exited = resolve;
      this.thread.ref();
      const message: ToThread = { type: 'dispose' };
      this.thread.postMessage(message);
      // The thread releases its session, says so, and is then stopped; a thread stuck in a
      // run is stopped after a grace period (terminate interrupts JavaScript, not native code).
      const timer = setTimeout(() => void this.thread.terminate(), 5000);
      timer.unref();
    });
    return this.disposing;
  }

  private onMessage(message: FromThread): void {
    switch (message.type) {
      case 'result': {
        this.spare.push(message.input);
        const outputs = new Map<string, OutputTensor>();
        for (const o of message.outputs) outputs.set(o.name, { data: o.data, dims: o.dims });
        this.settle(message.id)?.resolve(outputs);
        break;
      }
      case 'run_failed':
        this.spare.push(message.input);
        this.settle(message.id)?.reject(new InferenceError('perception.inference_failed', message.message));
        break;
      case 'disposed':
        this.deadReason = 'the model was disposed';
        void this.thread.terminate();
        break;
      case 'log':
        this.logger[message.level](message.obj, message.msg);
        break;
      default:
        break;
    }
  }

  /** Takes a run out of `pending`; the thread stops holding the process once none waits. */
  private settle(id: number): PendingRun | undefined {
    const run = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) this.thread.unref();
    return run;
  }

  private fail(reason: string): void {
    this.deadReason ??= reason;
    for (const [id, run] of this.pending) {
      this.pending.delete(id);
      run.reject(new InferenceError('perception.inference_failed', `${this.modelPath}: ${reason}`));
    }
  }
}
