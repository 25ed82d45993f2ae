/**
 * `loadLanguageModel`: validates a manifest, checks the files it pins, and
 * opens the backend it names.
 */
import type { Logger } from '../runtime/index.js';
import { loadGguf } from './gguf.js';
import { IsolatedLanguageModel } from './isolated.js';
import type { LanguageModel, MsClock } from './language-model.js';
import {
  isolationOf,
  parseLanguageManifest,
  resolveLanguagePaths,
  type LanguageModelManifest,
  type LanguageModelManifestInput,
} from './manifest.js';
import { loadOnnxLm } from './onnx-lm.js';

export interface LoadLanguageModelOptions {
  readonly logger: Logger;
  /** Folder relative paths in the manifest resolve against (the mission file's); default the working directory. */
  readonly baseDir?: string;
  /** Monotonic ms clock for durations and the ONNX loop's time budget; default `performance.now`. */
  readonly now?: MsClock;
  /** Host-process watchdog and restart policy, where the manifest's isolation is `process`. */
  readonly isolation?: {
    readonly hangGraceMs?: number;
    readonly maxRestarts?: number;
    readonly restartDelayMs?: number;
  };
}

/**
 * Loads a language model. The sha256 of the model (and of the tokenizer when
 * pinned) is checked before any backend reads it. With `isolation: process`
 * (the default for gguf) the model runs in a host process of its own
 * (isolated.ts); the injected clock then does not reach it.
 *
 * @example
 * const model = await loadLanguageModel(await loadLanguageManifest('models/tasking.yaml'), { logger });
 * const r = await model.generate({ prompt: 'patrol the north fence at 40 m', schema: planSchema });
 */
export async function loadLanguageModel(
  manifest: LanguageModelManifest | LanguageModelManifestInput,
  options: LoadLanguageModelOptions,
): Promise<LanguageModel> {
  const parsed = resolveLanguagePaths(parseLanguageManifest(manifest), options.baseDir ?? process.cwd());
  if (isolationOf(parsed) === 'process') {
    // The host checks the sha256 and loads; its errors come back as the same classes and codes.
    return IsolatedLanguageModel.load(parsed, { logger: options.logger, ...options.isolation });
  }
  const now = options.now ?? (() => performance.now());
  const backendOptions = { logger: options.logger, now };
  return parsed.backend === 'gguf' ? loadGguf(parsed, backendOptions) : loadOnnxLm(parsed, backendOptions);
}
