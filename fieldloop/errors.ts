/**
 * Field data loop errors. Codes are API: add new ones, never rename one.
 *
 * | code                         | class                    | when                                                          |
 * | ---------------------------- | ------------------------ | ------------------------------------------------------------- |
 * | `model.unsigned`             | `ModelUnsignedError`     | signatures are required and the manifest has none (or is inline) |
 * | `model.signature_malformed`  | `SignatureMalformedError`| the `.sig` file is not a Kestrel model signature               |
 * | `model.unknown_signer`       | `UnknownSignerError`     | the signature names a key the mission does not trust          |
 * | `model.bad_signature`        | `BadSignatureError`      | the signature does not verify with the trusted key            |
 * | `model.manifest_tampered`    | `ManifestTamperedError`  | the manifest's bytes changed since it was signed              |
 * | `model.file_tampered`        | `ModelTamperedError`     | the model file's SHA-256 is not the one signed                |
 * | `trust.key_invalid`          | `SigningKeyError`        | a key file that is not an Ed25519 key                         |
 * | `promote.refused`            | `PromotionRefusedError`  | the candidate does not beat the current model, regresses a class, or flies the mission worse |
 * | `registry.invalid`           | `RegistryError`          | the registry folder or its history cannot be read             |
 * | `registry.empty`             | `RegistryError`          | nothing promoted yet                                          |
 * | `registry.no_previous`       | `RegistryError`          | rollback with nothing to return to                            |
 * | `capture.store_invalid`      | `CaptureStoreError`      | a database that is not a Kestrel capture store                |
 * | `capture.store_closed`       | `CaptureStoreError`      | the store was used after `close()`                            |
 * | `data.labels_invalid`        | `DataError`              | an imported label file that is not YOLO text                  |
 * | `data.class_conflict`        | `DataError`              | captures from models that disagree on class names             |
 * | `data.out_not_empty`         | `DataError`              | export into a folder that already holds a dataset             |
 * | `data.split_invalid`         | `DataError`              | a split name that is not a plain folder name                  |
 */
import { KestrelError, type KestrelErrorOptions } from '../runtime/index.js';
import type { PromotionComparison } from './registry/compare.js';
import type { FlightComparison } from './registry/flight.js';

/** Every reason a model is refused by the trust check; `manifestPath` names the manifest at fault. */
export class ModelTrustError extends KestrelError {
  constructor(
    code: string,
    message: string,
    readonly manifestPath: string | undefined,
    options: KestrelErrorOptions = {},
  ) {
    super(code, message, options);
  }
}

export class ModelUnsignedError extends ModelTrustError {
  constructor(message: string, manifestPath: string | undefined) {
    super('model.unsigned', message, manifestPath, {
      issues: [{ code: 'unsigned', path: ['signature'], message }],
    });
  }
}

export class SignatureMalformedError extends ModelTrustError {
  constructor(message: string, manifestPath: string | undefined, options: KestrelErrorOptions = {}) {
    super('model.signature_malformed', message, manifestPath, options);
  }
}

export class UnknownSignerError extends ModelTrustError {
  constructor(
    message: string,
    manifestPath: string | undefined,
    readonly keyId: string,
  ) {
    super('model.unknown_signer', message, manifestPath, {
      issues: [{ code: 'unknown_signer', path: ['signature', 'keyId'], message }],
    });
  }
}

export class BadSignatureError extends ModelTrustError {
  constructor(
    message: string,
    manifestPath: string | undefined,
    readonly keyId: string,
  ) {
    super('model.bad_signature', message, manifestPath, {
      issues: [{ code: 'bad_signature', path: ['signature', 'sig'], message }],
    });
  }
}

export class ManifestTamperedError extends ModelTrustError {
  constructor(
    message: string,
    manifestPath: string | undefined,
    readonly signedSha256: string,
    readonly actualSha256: string,
  ) {
    super('model.manifest_tampered', message, manifestPath, {
      issues: [{ code: 'manifest_tampered', path: ['signature', 'manifestSha256'], message }],
    });
  }
}

export class ModelTamperedError extends ModelTrustError {
  constructor(
    message: string,
    manifestPath: string | undefined,
    readonly modelPath: string,
    readonly signedSha256: string,
    readonly actualSha256: string,
  ) {
    super('model.file_tampered', message, manifestPath, {
      issues: [{ code: 'file_tampered', path: ['signature', 'modelSha256'], message }],
    });
  }
}

export class SigningKeyError extends KestrelError {
  constructor(message: string, options: KestrelErrorOptions = {}) {
    super('trust.key_invalid', message, options);
  }
}

/**
 * The candidate lost; `comparison` holds the per-class table (`renderComparison`
 * prints it), and `flights` the mission flights when those refused it.
 */
export class PromotionRefusedError extends KestrelError {
  constructor(
    message: string,
    readonly comparison: PromotionComparison,
    readonly flights?: FlightComparison,
  ) {
    super('promote.refused', message, {
      issues: [
        ...comparison.classes
          .filter((c) => c.regressed)
          .map((c) => ({
            code: 'class_regressed',
            path: ['classes', c.className],
            message: `${c.className} regressed`,
          })),
        ...(flights?.rows ?? [])
          .filter((r) => !r.held)
          .map((r) => ({ code: 'flight_failed', path: ['flights', r.seed], message: r.failures.join('; ') })),
      ],
    });
  }

  override toJSON(): ReturnType<KestrelError['toJSON']> & {
    comparison: PromotionComparison;
    flights?: FlightComparison;
  } {
    return {
      ...super.toJSON(),
      comparison: this.comparison,
      ...(this.flights === undefined ? {} : { flights: this.flights }),
    };
  }
}
export class RegistryError extends KestrelError {}
export class CaptureStoreError extends KestrelError {}
export class DataError extends KestrelError {}
