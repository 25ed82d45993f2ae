/**
 * TF.js model files → `ModelArtifacts`, with no network and no second read.
 *
 * A TF.js model is a `model.json` (topology + a weights manifest naming its
 * shard files) and one or more `.bin` shards beside it. The detector reads
 * the shards once (`tfjsShardPaths` names them), checks the sha256 over
 * model.json and the shards, and the backend builds the model from those same
 * bytes through `bytesIOHandler`, a TF.js IOHandler over files already read.
 */
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { io } from '@tensorflow/tfjs';
import { ModelLoadError } from '../errors.js';

interface WeightsGroup {
  readonly paths: readonly string[];
  readonly weights: readonly io.WeightsManifestEntry[];
}

/** The parts of model.json Kestrel reads. */
export interface TfjsModelJson {
  readonly format?: string;
  readonly generatedBy?: string;
  readonly convertedBy?: string | null;
  readonly modelTopology: Record<string, unknown>;
  readonly weightsManifest: readonly WeightsGroup[];
  readonly signature?: object;
  readonly userDefinedMetadata?: Record<string, object>;
  readonly modelInitializer?: object;
  readonly trainingConfig?: unknown;
}

export type TfjsModelKind = 'graph' | 'layers';

function invalid(modelPath: string, why: string): ModelLoadError {
  return new ModelLoadError('model.load_failed', `${modelPath} is not a TF.js model.json: ${why}`, {
    issues: [{ code: 'load_failed', path: ['path'], message: why }],
  });
}

/** True when `value` (parsed JSON) has the shape of a TF.js model.json. */
export function looksLikeTfjsModel(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    'modelTopology' in value &&
    'weightsManifest' in value &&
    Array.isArray((value as { weightsManifest: unknown }).weightsManifest)
  );
}

export function parseTfjsModelJson(bytes: Uint8Array, modelPath: string): TfjsModelJson {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw invalid(modelPath, `not JSON (${cause instanceof Error ? cause.message : String(cause)})`);
  }
  if (!looksLikeTfjsModel(value)) throw invalid(modelPath, 'no modelTopology and weightsManifest');
  const json = value as TfjsModelJson;
  for (const group of json.weightsManifest) {
    if (!Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw invalid(modelPath, 'a weightsManifest entry lacks paths or weights');
    }
  }
  return json;
}

/** `graph` for converter output (a GraphDef), `layers` for Keras-style models. */
export function tfjsModelKind(json: TfjsModelJson): TfjsModelKind {
  if (json.format === 'graph-model') return 'graph';
  if (json.format === 'layers-model') return 'layers';
  return Array.isArray(json.modelTopology.node) ? 'graph' : 'layers';
}

/**
 * Absolute paths of the weight shards, in manifest order. Only files inside
 * the model's folder: a manifest that points elsewhere (`../`, absolute, a
 * URL) is refused rather than fetched.
 */
export function tfjsShardPaths(json: TfjsModelJson, modelPath: string): string[] {
  const dir = dirname(modelPath);
  const out: string[] = [];
  for (const group of json.weightsManifest) {
    for (const p of group.paths) {
      const inside = relative(dir, resolve(dir, p));
      if (/^[a-z][a-z0-9+.-]*:/i.test(p) || isAbsolute(p) || inside.startsWith('..') || isAbsolute(inside)) {
        throw invalid(modelPath, `weight file "${p}" is not a file beside model.json`);
      }
      out.push(resolve(dir, p));
    }
  }
  return out;
}

/** An IOHandler over a model.json and its shards already in memory. */
export function bytesIOHandler(
  json: TfjsModelJson,
  shards: readonly Uint8Array[],
): io.IOHandler & { load: () => Promise<io.ModelArtifacts> } {
  return {
    load: () => {
      // Shards concatenate in manifest order, as TF.js itself lays them out.
      const total = shards.reduce((n, s) => n + s.byteLength, 0);
      const weightData = new Uint8Array(total);
      let offset = 0;
      for (const s of shards) {
        weightData.set(s, offset);
        offset += s.byteLength;
      }
      const artifacts: io.ModelArtifacts = {
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
        weightData: weightData.buffer,
        ...(json.format === undefined ? {} : { format: json.format }),
        ...(json.generatedBy === undefined ? {} : { generatedBy: json.generatedBy }),
        ...(json.convertedBy == null ? {} : { convertedBy: json.convertedBy }),
        ...(json.signature === undefined ? {} : { signature: json.signature }),
        ...(json.userDefinedMetadata === undefined ? {} : { userDefinedMetadata: json.userDefinedMetadata }),
        ...(json.modelInitializer === undefined ? {} : { modelInitializer: json.modelInitializer }),
      };
      return Promise.resolve(artifacts);
    },
  };
}
