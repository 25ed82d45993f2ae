/**
 * Finds and reads model manifests on disk: a `.yaml`/`.yml`/`.json` manifest,
 * or a bare model file (with a `model.yaml` beside it when one names it). A
 * bare TF.js `model.json` is told from a JSON manifest by its content.
 */
import { readFile, access } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ModelLoadError, ModelManifestError } from './errors.js';
import { parseModelManifest, type ModelManifest, type ModelManifestInput } from './manifest.js';
import { looksLikeTfjsModel } from './tfjs/artifacts.js';

export interface ResolvedManifest {
  readonly manifest: ModelManifest;
  /** Absolute model file path. */
  readonly modelPath: string;
  /** Absolute manifest path when the manifest came from a file; reloads re-read it. */
  readonly manifestPath: string | undefined;
}

/** Where a detector's manifest comes from: a path (manifest or model file) or an inline manifest. */
export type ManifestSource = string | ModelManifestInput;

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function readManifestFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ModelLoadError('model.not_found', `cannot read model manifest ${path}`, {
      cause,
      issues: [{ code: 'not_found', path: [], message: `cannot read ${path}` }],
    });
  }
  try {
    return extname(path) === '.json' ? (JSON.parse(text) as unknown) : (parseYaml(text) as unknown);
  } catch (cause) {
    throw new ModelManifestError('model.manifest_invalid', `${path} is not valid YAML/JSON`, { cause });
  }
}

/**
 * Resolves a manifest source to a validated manifest and an absolute model path.
 * Inline manifests resolve `path` against `baseDir` (the mission file's folder).
 */
export async function resolveManifest(
  source: ManifestSource,
  baseDir: string = process.cwd(),
): Promise<ResolvedManifest> {
  if (typeof source !== 'string') {
    const manifest = parseModelManifest(source, 'inline model manifest');
    return { manifest, modelPath: absolute(manifest.path, baseDir), manifestPath: undefined };
  }
  const path = absolute(source, baseDir);
  if (MANIFEST_EXTENSIONS.has(extname(path).toLowerCase())) {
    const value = await readManifestFile(path);
    // A TF.js model.json given as the model itself: a bare model, not a manifest.
    if (!looksLikeTfjsModel(value)) {
      const manifest = parseModelManifest(value, path);
      return { manifest, modelPath: absolute(manifest.path, dirname(path)), manifestPath: path };
    }
  }
  // A bare model file: use a model.yaml beside it if that manifest is about this file.
  const sidecar = resolve(dirname(path), 'model.yaml');
  if (await exists(sidecar)) {
    const manifest = parseModelManifest(await readManifestFile(sidecar), sidecar);
    if (absolute(manifest.path, dirname(sidecar)) === path) return { manifest, modelPath: path, manifestPath: sidecar };
  }
  // TF.js models are NHWC unless a manifest says otherwise (the converter keeps TensorFlow's layout).
  const bare: ModelManifestInput =
    extname(path).toLowerCase() === '.json'
      ? { path: basename(path), backend: 'tfjs', input: { layout: 'NHWC' } }
      : { path: basename(path) };
  return { manifest: parseModelManifest(bare, path), modelPath: path, manifestPath: undefined };
}

function absolute(path: string, baseDir: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}
