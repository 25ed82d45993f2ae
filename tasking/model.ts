import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import {
  loadLanguageManifest,
  loadLanguageModel,
  parseLanguageManifest,
  type LanguageModel,
  type LanguageModelManifest,
} from '../language/index.js';
import { sha256File } from '../perception/index.js';
import type { Mission } from '../missions/index.js';
import { TaskingError } from './errors.js';

/**
 * The language model a mission's `tasking.model` names, loaded through its
 * manifest (sha256 checked before anything runs). `override` is a manifest
 * file given on the command line instead, for evaluating another model.
 */
export async function loadTaskingModel(
  mission: Mission,
  baseDir: string,
  logger: Logger,
  override?: string,
): Promise<LanguageModel> {
  const file = override ?? manifestOf(mission, baseDir);
  const manifest = await manifestFor(file);
  return loadLanguageModel(manifest, { logger, baseDir: path.dirname(path.resolve(file)) });
}

/**
 * A manifest file as it is, or a bare model file with a manifest made for
 * it: a `.gguf`, or an `.onnx` decoder with `tokenizer.json` and
 * `genai_config.json` beside it (the onnxruntime-genai layout). A bare file
 * is pinned to the sha256 it has now: the operator named that very file.
 */
export async function manifestFor(file: string): Promise<LanguageModelManifest> {
  const abs = path.resolve(file);
  const ext = path.extname(abs).toLowerCase();
  if (ext === '.gguf') {
    return parseLanguageManifest({ kind: 'language', backend: 'gguf', path: abs, sha256: await sha256File(abs) }, abs);
  }
  if (ext === '.onnx') {
    const dir = path.dirname(abs);
    const tokenizer = path.join(dir, 'tokenizer.json');
    const config = path.join(dir, 'genai_config.json');
    return parseLanguageManifest(
      {
        kind: 'language',
        backend: 'onnx-lm',
        path: abs,
        sha256: await sha256File(abs),
        ...(existsSync(tokenizer) ? { tokenizer: { path: tokenizer } } : {}),
        ...(existsSync(config) ? { config: { path: config } } : {}),
      },
      abs,
    );
  }
  return loadLanguageManifest(abs);
}

function manifestOf(mission: Mission, baseDir: string): string {
  const id = mission.tasking?.model;
  if (id === undefined) {
    throw new TaskingError(
      'tasking.not_configured',
      'the mission has no tasking block: add `tasking: { model: <id> }` naming a language model in `models`',
    );
  }
  const entry = mission.models.find((m) => m.id === id);
  if (entry === undefined || !('manifest' in entry)) {
    throw new TaskingError(
      'tasking.not_configured',
      `tasking model "${id}" must be a models entry with a manifest file (kind: language)`,
    );
  }
  return path.resolve(baseDir, entry.manifest);
}
