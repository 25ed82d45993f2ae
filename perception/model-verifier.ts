/**
 * A hook for whoever decides which models may run (the field data loop's
 * signed-model check): the detector calls it on every load and reload, after
 * reading and hashing the model bytes and before handing them to a backend,
 * so a refused model never runs and the hash checked is that of the bytes loaded.
 */
import { defineService } from '../runtime/index.js';
import type { ModelManifest } from './manifest.js';

export interface ModelToVerify {
  /** Mission model id, when the model is loaded for a mission. */
  readonly modelId?: string;
  /** Absolute manifest path; undefined for an inline manifest. */
  readonly manifestPath: string | undefined;
  readonly modelPath: string;
  readonly manifest: ModelManifest;
  /** SHA-256 of the bytes about to be loaded, hex. */
  readonly sha256: string;
}

/** Throws (a KestrelError with a stable code) to refuse the model. */
export type ModelVerifier = (model: ModelToVerify) => void | Promise<void>;

/** Name of the component that provides `modelVerifierService` when a mission has `modelTrust`. */
export const MODEL_TRUST_COMPONENT = 'model-trust';

/** Provided by the `model-trust` component; perception pipelines of a mission with `modelTrust` use it. */
export const modelVerifierService = defineService<ModelVerifier>('perception.model_verifier');
