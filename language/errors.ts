/**
 * Language-model errors. Codes are API: add new ones, never rename one.
 *
 * | code                              | class                   | when                                                          |
 * | --------------------------------- | ----------------------- | ------------------------------------------------------------- |
 * | `language.manifest_invalid`       | `LanguageManifestError` | the manifest fails its schema (issues name each field)        |
 * | `language.not_found`              | `LanguageLoadError`     | a model, tokenizer, config or manifest file cannot be read    |
 * | `language.sha256_mismatch`        | `LanguageIntegrityError`| a file's digest differs from the manifest's `sha256`          |
 * | `language.backend_unavailable`    | `LanguageLoadError`     | the backend's package (node-llama-cpp) is not installed       |
 * | `language.load_failed`            | `LanguageLoadError`     | the backend could not load the model                          |
 * | `language.io_mismatch`            | `LanguageLoadError`     | an ONNX model does not follow the Kestrel ONNX LM v1 layout   |
 * | `language.vocab_mismatch`         | `LanguageLoadError`     | tokenizer size differs from the model's logits dimension      |
 * | `language.tokenizer_invalid`      | `LanguageLoadError`     | tokenizer.json is of a kind Kestrel does not read             |
 * | `language.schema_unsupported`     | `LanguageSchemaError`   | a JSON Schema outside the constrained-generation subset       |
 * | `language.prompt_too_long`        | `LanguageGenerationError` | the prompt does not fit the context                         |
 * | `language.constraint_unsatisfiable` | `LanguageGenerationError` | no token of the vocabulary can continue the constrained output |
 * | `language.output_invalid`        | `LanguageGenerationError` | a GGUF grammar let through text the schema refuses (never returned) |
 * | `language.aborted`                | `LanguageGenerationError` | the caller's AbortSignal fired                              |
 * | `language.closed`                 | `LanguageGenerationError` | `generate()` after `close()`                                |
 * | `language.crashed`                | `LanguageGenerationError` | the model's host process died or hung (isolation: process); the request was not answered |
 */
import { KestrelError, type KestrelErrorOptions } from '../runtime/index.js';

export class LanguageManifestError extends KestrelError {}

export class LanguageIntegrityError extends KestrelError {
  constructor(
    message: string,
    readonly expectedSha256: string,
    readonly actualSha256: string,
    readonly filePath: string,
    field: 'sha256' | 'tokenizer.sha256',
  ) {
    super('language.sha256_mismatch', message, {
      issues: [{ code: 'sha256_mismatch', path: field.split('.'), message }],
    });
  }
}

export class LanguageLoadError extends KestrelError {}

/** Tokenizer and model disagree on the vocabulary: both numbers and both files are kept for the caller. */
export class VocabMismatchError extends LanguageLoadError {
  constructor(
    message: string,
    readonly tokenizerVocabSize: number,
    readonly modelVocabSize: number,
    readonly tokenizerPath: string,
    readonly modelPath: string,
    options: KestrelErrorOptions = {},
  ) {
    super('language.vocab_mismatch', message, {
      ...options,
      issues: [{ code: 'vocab_mismatch', path: ['tokenizer'], message }],
    });
  }
}

export class LanguageSchemaError extends KestrelError {}
export class LanguageGenerationError extends KestrelError {}
