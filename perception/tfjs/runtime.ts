/**
 * Which TF.js runs the model, loaded lazily on the first TF.js model:
 *
 * 1. `@tensorflow/tfjs-node-gpu` (TensorFlow's C library with CUDA) when the
 *    manifest prefers `cuda` or `tensorrt` and the package loads; it is an
 *    optional dependency, absent on most machines;
 * 2. `@tensorflow/tfjs` on its WebAssembly backend, the wasm binaries read
 *    from node_modules (file paths, no fetch);
 * 3. `@tensorflow/tfjs`'s plain JavaScript `cpu` backend, if wasm fails.
 *
 * The choice is process-wide (TF.js has one active backend per process): the
 * first TF.js model decides it; each model load logs one line saying which
 * runs and why (`tfjsBackend`).
 */
import { createRequire } from 'node:module';
import type * as TfModule from '@tensorflow/tfjs';
import { dirname, join } from 'node:path';
import type { ProviderFallback } from '../backend.js';
import { ModelLoadError } from '../errors.js';
import type { ExecutionProviderName } from '../manifest.js';

export type Tf = typeof TfModule;

export interface TfRuntime {
  readonly tf: Tf;
  /** `tensorflow-gpu`, `wasm` or `cpu`. */
  readonly provider: string;
  /** What was tried before `provider` and why it did not run. */
  readonly fallbacks: readonly ProviderFallback[];
}

const GPU_PACKAGE = '@tensorflow/tfjs-node-gpu';

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n')[0] ?? text).trim().slice(0, 300);
}

function notInstalled(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

async function importGpu(): Promise<Tf> {
  // A variable specifier: the package is optional, so neither tsc nor a bundler may insist on it.
  const name: string = GPU_PACKAGE;
  const mod = (await import(name)) as { default?: Tf } & Tf;
  const tf = mod.default ?? mod;
  await tf.ready();
  if (tf.getBackend() !== 'tensorflow') throw new Error(`loaded, but its backend is ${tf.getBackend()}`);
  return tf;
}

async function importTfjs(): Promise<Tf> {
  try {
    return await import('@tensorflow/tfjs');
  } catch (cause) {
    throw new ModelLoadError(
      'model.backend_unavailable',
      `backend tfjs needs @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm (npm install them): ${firstLine(cause)}`,
      {
        cause,
        issues: [{ code: 'backend_unavailable', path: ['backend'], message: '@tensorflow/tfjs not installed' }],
      },
    );
  }
}

/** Folder of the wasm binaries, as a file path ending in `/` (what setWasmPaths wants as a prefix). */
function wasmDir(): string {
  const pkg = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return `${join(dirname(pkg), 'dist')}/`;
}

async function startWasm(tf: Tf): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(wasmDir());
  // setBackend resolves false (after a console warning from TF.js) when initialisation fails.
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to initialise');
}

let chosen: Promise<TfRuntime> | undefined;

async function choose(preferGpu: boolean): Promise<TfRuntime> {
  const fallbacks: ProviderFallback[] = [];
  let runtime: TfRuntime | undefined;
  if (preferGpu) {
    try {
      runtime = { tf: await importGpu(), provider: 'tensorflow-gpu', fallbacks };
    } catch (error) {
      fallbacks.push({
        provider: 'tfjs-node-gpu',
        reason: notInstalled(error) ? `${GPU_PACKAGE} is not installed` : `${GPU_PACKAGE}: ${firstLine(error)}`,
      });
    }
  }
  if (runtime === undefined) {
    const tf = await importTfjs();
    // Production mode: no per-op debug checks, and no "install the node backend" banner on stdout.
    tf.enableProdMode();
    try {
      await startWasm(tf);
      runtime = { tf, provider: 'wasm', fallbacks };
    } catch (error) {
      fallbacks.push({ provider: 'wasm', reason: firstLine(error) });
      await tf.setBackend('cpu');
      runtime = { tf, provider: 'cpu', fallbacks };
    }
  }
  return runtime;
}

/**
 * The process's TF.js, chosen on the first call. `cuda` or `tensorrt` in the
 * first manifest's providers asks for tfjs-node-gpu; later manifests share
 * whatever was chosen.
 */
export function tfRuntime(providers: readonly ExecutionProviderName[]): Promise<TfRuntime> {
  if (chosen === undefined) {
    const preferGpu = providers.includes('cuda') || providers.includes('tensorrt');
    chosen = choose(preferGpu);
    // A failed start (package missing) may be fixed later in the same process: try again next time.
    chosen.catch(() => {
      chosen = undefined;
    });
  }
  return chosen;
}
