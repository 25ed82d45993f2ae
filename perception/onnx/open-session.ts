/**
 * Opening an onnxruntime-node session, with nothing from the rest of Kestrel
 * in its imports: the inference thread (inference-thread.ts) loads this file
 * on its own, and importing the runtime there would cost it a tenth of a
 * second per model load. Failures come back as data (`OpenFailure`);
 * session.ts turns them into `ModelLoadError`.
 *
 * Execution providers are tried in preference order, each failure logged with
 * its reason, the active one reported; options set for single-stream low latency.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ort from 'onnxruntime-node';
import type { ProviderFallback, TensorInfo } from '../backend.js';
import type { ExecutionProviderName } from '../manifest.js';
import { prepareOrtEnvironment } from './ort-environment.js';

export interface OnnxSessionOptions {
  readonly executionProviders: readonly ExecutionProviderName[];
  /** 0 lets onnxruntime pick one thread per physical core. */
  readonly intraOpThreads: number;
  readonly graphOptimizationLevel: 'disabled' | 'basic' | 'extended' | 'all';
  /** Busy-wait in intra-op threads between operators. Default false. */
  readonly allowSpinning?: boolean;
  /** onnxruntime's memory pattern (one planned block per run) besides the arena. Default true. */
  readonly memoryPattern?: boolean;
  /** onnxruntime's session.dynamic_block_base; 0 or absent: off. */
  readonly dynamicBlockBase?: number;
  readonly optimizedModelFilePath?: string | undefined;
  readonly logger: SessionLog;
  /** For messages only. */
  readonly modelPath: string;
}

export interface OnnxSession {
  readonly session: ort.InferenceSession;
  readonly activeProvider: ExecutionProviderName;
  readonly fallbacks: readonly ProviderFallback[];
}

/** What opening a session can log: a pino logger fits, and so does the inference thread's relay. */
export interface SessionLog {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

/** Why no session opened, as data: the inference thread sends it to the main thread, which throws it. */
export interface OpenFailure {
  readonly code: 'model.load_failed' | 'model.no_provider';
  readonly message: string;
  readonly issues: { code: string; path: (string | number)[]; message: string }[];
}

/**
 * onnxruntime's session config entries ("session.*"), as onnxruntime-node's
 * `extra` nests them. Shared with the benches' reference sessions, so that
 * "bare" means the same options.
 */
export function sessionConfig(options: {
  readonly allowSpinning?: boolean;
  readonly dynamicBlockBase?: number;
}): Record<string, unknown> {
  return {
    intra_op: { allow_spinning: options.allowSpinning === true ? '1' : '0' },
    // Off unless set: with it, an operator's work goes out in shrinking blocks that idle threads take,
    // instead of one fixed share per thread that a preempted thread holds up.
    ...((options.dynamicBlockBase ?? 0) > 0 ? { dynamic_block_base: String(options.dynamicBlockBase) } : {}),
  };
}

function sessionOptions(
  options: OnnxSessionOptions,
  provider: ExecutionProviderName,
): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    graphOptimizationLevel: options.graphOptimizationLevel,
    // One frame at a time: sequential execution avoids the inter-op thread
    // pool's hand-offs, which cost more than they save on detector graphs.
    executionMode: 'sequential',
    ...(options.intraOpThreads > 0 ? { intraOpNumThreads: options.intraOpThreads } : {}),
    // The arena lets repeated runs reuse their buffers: without it the 640 x 480 detector infers 44 % slower.
    // The memory pattern plans one block per run on top of it; a manifest may turn that off (`memoryPattern`).
    enableCpuMemArena: true,
    enableMemPattern: options.memoryPattern !== false,
    ...(options.optimizedModelFilePath === undefined ? {} : { optimizedModelFilePath: options.optimizedModelFilePath }),
    // Spinning intra-op threads keep cores busy after a run; with two cores that
    // doubled inference and preprocessing times whenever anything else ran.
    extra: { session: sessionConfig(options) },
    // 3 = error: keep onnxruntime's own warnings out of the field log; we log fallbacks ourselves.
    logSeverityLevel: 3,
  };
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n')[0] ?? text).trim().slice(0, 300);
}

/** Providers that onnxruntime loads from a shared library beside its own. */
const PLUGIN_PROVIDERS: Partial<Record<ExecutionProviderName, string>> = { cuda: 'cuda', tensorrt: 'tensorrt' };

let nativeDir: string | null | undefined;
/** Folder of the onnxruntime-node native binding, or null when it cannot be found (then nothing is pre-checked). */
function onnxNativeDir(): string | null {
  if (nativeDir !== undefined) return nativeDir;
  try {
    const main = createRequire(import.meta.url).resolve('onnxruntime-node');
    const dir = join(dirname(main), '..', 'bin', 'napi-v6', process.platform, process.arch);
    nativeDir = existsSync(dir) ? dir : null;
  } catch {
    nativeDir = null;
  }
  return nativeDir;
}

/**
 * Why `provider` cannot load here without trying, or undefined to try it.
 * onnxruntime loads the CUDA/TensorRT provider from its own folder; when the
 * library is absent, trying costs a load attempt and an error line on stderr
 * that no logger controls.
 */
function missingProviderLibrary(provider: ExecutionProviderName): string | undefined {
  const plugin = PLUGIN_PROVIDERS[provider];
  const dir = onnxNativeDir();
  if (plugin === undefined || dir === null) return undefined;
  const file =
    process.platform === 'win32' ? `onnxruntime_providers_${plugin}.dll` : `libonnxruntime_providers_${plugin}.so`;
  if (process.platform === 'darwin' || existsSync(join(dir, file))) return undefined;
  return `${file} is not installed beside onnxruntime-node (${dir})`;
}

/**
 * Opens a session on the first execution provider that works, or says why
 * none did. `cpu` is not added implicitly: a manifest that lists only `cuda`
 * means "GPU or nothing".
 */
export async function tryOpenOnnxSession(
  model: Uint8Array,
  options: OnnxSessionOptions,
): Promise<OnnxSession | OpenFailure> {
  await prepareOrtEnvironment();
  const fallbacks: ProviderFallback[] = [];
  for (const provider of options.executionProviders) {
    const missing = missingProviderLibrary(provider);
    if (missing !== undefined) {
      fallbacks.push({ provider, reason: missing });
      options.logger.info(
        { model: options.modelPath, provider, reason: missing },
        `execution provider ${provider} unavailable`,
      );
      continue;
    }
    try {
      const session = await ort.InferenceSession.create(model, sessionOptions(options, provider));
      if (fallbacks.length > 0) {
        options.logger.warn(
          { model: options.modelPath, activeProvider: provider, fallbacks },
          `execution provider fallback: running on ${provider}`,
        );
      } else {
        options.logger.info({ model: options.modelPath, activeProvider: provider }, `model session on ${provider}`);
      }
      return { session, activeProvider: provider, fallbacks };
    } catch (error) {
      const reason = firstLine(error);
      fallbacks.push({ provider, reason });
      options.logger.info({ model: options.modelPath, provider, reason }, `execution provider ${provider} unavailable`);
    }
  }
  const summary = fallbacks.map((f) => `${f.provider}: ${f.reason}`).join('; ');
  const issues = fallbacks.map((f, i) => ({
    code: 'provider_failed',
    path: ['executionProviders', i],
    message: f.reason,
  }));
  // cpu always exists: when it fails too, the model is at fault, not the hardware.
  if (options.executionProviders.includes('cpu')) {
    return { code: 'model.load_failed', message: `onnxruntime cannot load ${options.modelPath} (${summary})`, issues };
  }
  return {
    code: 'model.no_provider',
    message: `no execution provider could run ${options.modelPath} (${summary})`,
    issues,
  };
}

export function toFloat32(tensor: ort.Tensor): Float32Array {
  const data = tensor.data;
  if (data instanceof Float32Array) return data;
  if (Array.isArray(data)) return Float32Array.from(data, Number);
  // Other numeric outputs (int64 class ids, float64) are rare in detectors: convert once.
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  return out;
}

export function describeValues(meta: readonly ort.InferenceSession.ValueMetadata[]): TensorInfo[] {
  return meta.map((m) =>
    m.isTensor ? { name: m.name, shape: [...m.shape], type: m.type } : { name: m.name, shape: [], type: 'non-tensor' },
  );
}

export function isOpenFailure(opened: OnnxSession | OpenFailure): opened is OpenFailure {
  return 'code' in opened;
}
