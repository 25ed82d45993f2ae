/**
 * Perception errors. Codes are API: add new ones, never rename one.
 *
 * | code                         | class                 | when                                                  |
 * | ---------------------------- | --------------------- | ----------------------------------------------------- |
 * | `model.manifest_invalid`     | `ModelManifestError`  | the manifest fails its schema (issues name each field) |
 * | `model.not_found`            | `ModelLoadError`      | model or manifest file missing                        |
 * | `model.sha256_mismatch`      | `ModelIntegrityError` | file digest differs from the manifest's `sha256`      |
 * | `model.load_failed`          | `ModelLoadError`      | the backend could not build a session                 |
 * | `model.no_provider`          | `ModelLoadError`      | every execution provider in the preference list failed |
 * | `model.backend_unavailable`  | `ModelLoadError`      | backend not registered or its package not installed   |
 * | `model.io_mismatch`          | `ModelLoadError`      | manifest input/output names or shapes don't fit the model |
 * | `perception.decoder_unknown` | `DecoderError`        | no decoder registered for `output.kind`               |
 * | `perception.decoder_options` | `DecoderError`        | the decoder rejected its options                      |
 * | `perception.output_shape`    | `DecoderError`        | the output tensor has a shape the decoder can't read  |
 * | `perception.input_invalid`   | `PerceptionInputError`| an image or raw frame that can't be read              |
 * | `perception.closed`          | `PerceptionInputError`| `detect()` after `close()`                            |
 * | `perception.output_invalid`  | `PerceptionInputError`| an annotated-image path it cannot write (`--out`)     |
 * | `perception.inference_failed`| `InferenceError`      | a run failed on the inference thread, or the thread is gone |
 */
import { KestrelError } from '../runtime/index.js';

export class ModelManifestError extends KestrelError {}
export class ModelIntegrityError extends KestrelError {
  constructor(
    message: string,
    readonly expectedSha256: string,
    readonly actualSha256: string,
    readonly modelPath: string,
  ) {
    super('model.sha256_mismatch', message, {
      issues: [{ code: 'sha256_mismatch', path: ['sha256'], message }],
    });
  }
}
export class ModelLoadError extends KestrelError {}
export class DecoderError extends KestrelError {}
export class PerceptionInputError extends KestrelError {}
export class InferenceError extends KestrelError {}
