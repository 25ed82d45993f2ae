/**
 * Signing and verifying manifests on disk: reads the manifest bytes, hashes
 * the model file, and reads or writes `<manifest>.sig`. The checks themselves
 * are in signature.ts.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { ModelIntegrityError, resolveManifest, sha256File, type ModelToVerify } from '../../perception/index.js';
import type { ModelTrust } from '../../missions/index.js';
import type { Logger } from '../../runtime/index.js';
import { ModelUnsignedError, UnknownSignerError } from '../errors.js';
import type { ModelSigningKey } from './keys.js';
import {
  parseSignature,
  signModel,
  SIGNATURE_SUFFIX,
  trustedKeys,
  verifyModelSignature,
  type SignatureEnvelope,
  type TrustedKey,
  type VerifiedSignature,
} from './signature.js';

export function signaturePath(manifestPath: string): string {
  return `${manifestPath}${SIGNATURE_SUFFIX}`;
}

/** Writes a file whole or not at all: a reader never sees half a signature. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

export interface SignedManifest {
  readonly manifestPath: string;
  readonly signaturePath: string;
  readonly modelPath: string;
  readonly envelope: SignatureEnvelope;
}

/**
 * Signs a manifest file and its model: writes `<manifest>.sig`. Refuses a
 * manifest whose `sha256` pin does not match its model file (signing would
 * vouch for a model that cannot load).
 *
 * @example
 * const key = await readSigningKey('keys/release.pem');
 * await signManifestFile('models/kestrel-sim-det.yaml', key, Date.now());
 */
export async function signManifestFile(
  manifestPath: string,
  key: ModelSigningKey,
  signedAtMs: number,
): Promise<SignedManifest> {
  const resolved = await resolveManifest(manifestPath);
  const path = resolved.manifestPath ?? manifestPath;
  const manifestBytes = await readFile(path);
  const modelSha256 = await sha256File(resolved.modelPath);
  const pinned = resolved.manifest.sha256;
  if (pinned !== undefined && pinned !== modelSha256) {
    throw new ModelIntegrityError(
      `model ${resolved.modelPath} has sha256 ${modelSha256}, manifest pins ${pinned}: refusing to sign`,
      pinned,
      modelSha256,
      resolved.modelPath,
    );
  }
  const envelope = signModel(manifestBytes, modelSha256, key, signedAtMs);
  const sigPath = signaturePath(path);
  await writeFileAtomic(sigPath, `${JSON.stringify(envelope, null, 2)}\n`);
  return { manifestPath: path, signaturePath: sigPath, modelPath: resolved.modelPath, envelope };
}

export interface ManifestVerification extends VerifiedSignature {
  readonly manifestPath: string;
  readonly modelPath: string;
}

/**
 * Verifies `<manifest>.sig` against the manifest and model on disk. With
 * `trusted`, only those keys count; without, the signature is checked against
 * the key it carries (integrity, not trust: `trusted: false` in the result).
 */
export async function verifyManifestFile(
  manifestPath: string,
  trusted?: ReadonlyMap<string, TrustedKey>,
): Promise<ManifestVerification> {
  const resolved = await resolveManifest(manifestPath);
  const path = resolved.manifestPath ?? manifestPath;
  const sigText = await readIfExists(signaturePath(path));
  if (sigText === undefined) {
    throw new ModelUnsignedError(
      `${path} is not signed (no ${signaturePath(path)}); sign it with kestrel model sign`,
      path,
    );
  }
  const manifestBytes = await readFile(path);
  const modelSha256 = await sha256File(resolved.modelPath);
  const verified = verifyModelSignature({
    envelope: parseSignature(sigText.toString('utf8'), path),
    manifestBytes,
    modelSha256,
    manifestPath: path,
    modelPath: resolved.modelPath,
    trusted,
  });
  return { ...verified, manifestPath: path, modelPath: resolved.modelPath };
}

/**
 * The runtime's check of one model load under a mission's `modelTrust`
 * (perception calls it through `modelVerifierService` with the hash of the
 * bytes it is about to load).
 *
 * With `requireSigned: false` the check audits: an unsigned model or an
 * unknown signer is logged and allowed, but a signature that fails, or a
 * manifest or model changed since signing, still refuses the model: evidence
 * of tampering is never ignored.
 */
export function modelTrustVerifier(
  trust: ModelTrust,
  logger: Logger,
): (model: ModelToVerify) => Promise<VerifiedSignature | undefined> {
  const keys = trustedKeys(trust.trustedSigners);
  const label = (m: ModelToVerify): string => (m.modelId === undefined ? m.modelPath : `model "${m.modelId}"`);
  return async (model) => {
    if (model.manifestPath === undefined) {
      const message = `${label(model)} has an inline manifest, which cannot carry a signature; reference a signed model.yaml (manifest: …)`;
      if (trust.requireSigned) throw new ModelUnsignedError(message, undefined);
      logger.warn({ model: model.modelPath }, message);
      return undefined;
    }
    const sigText = await readIfExists(signaturePath(model.manifestPath));
    if (sigText === undefined) {
      const message = `${label(model)}: ${model.manifestPath} is not signed and the mission requires signed models (modelTrust.requireSigned); refusing to load`;
      if (trust.requireSigned) throw new ModelUnsignedError(message, model.manifestPath);
      logger.warn({ model: model.modelPath, manifest: model.manifestPath }, `${label(model)} is not signed`);
      return undefined;
    }
    const manifestBytes = await readFile(model.manifestPath);
    try {
      const verified = verifyModelSignature({
        envelope: parseSignature(sigText.toString('utf8'), model.manifestPath),
        manifestBytes,
        modelSha256: model.sha256,
        manifestPath: model.manifestPath,
        modelPath: model.modelPath,
        trusted: keys,
      });
      logger.info(
        { model: model.modelPath, keyId: verified.keyId, signedAtMs: verified.signedAtMs },
        'model signature verified',
      );
      return verified;
    } catch (error) {
      if (!trust.requireSigned && error instanceof UnknownSignerError) {
        logger.warn({ model: model.modelPath, keyId: error.keyId }, error.message);
        return undefined;
      }
      throw error;
    }
  };
}
