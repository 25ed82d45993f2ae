/**
 * The signed statement about a model: "the manifest with these bytes, and the
 * model file with this SHA-256, were vouched for by key K at time T".
 *
 * It lives beside the manifest as `<manifest>.sig` (JSON):
 *
 * ```json
 * { "v": 1,
 *   "payload": { "kind": "kestrel.model-signature/v1", "manifestSha256": "…", "modelSha256": "…",
 *                "keyId": "ed25519:3f0c…", "signedAtMs": 1767225600000 },
 *   "publicKey": "<raw Ed25519 public key, base64; informational>",
 *   "sig": { "alg": "ed25519", "value": "<base64>" } }
 * ```
 *
 * `sig.value` is the Ed25519 signature of the canonical JSON of `payload`
 * (telemetry's `canonicalJson`: sorted keys, no whitespace; RFC 8785 for these
 * values), so any tool can recompute the signed bytes. `manifestSha256` is the
 * SHA-256 of the manifest file's bytes as they are on disk (`sha256sum
 * model.yaml`); the manifest names the model file by a path relative to itself,
 * so moving the pair together keeps the signature valid. `publicKey` is never
 * trusted: verification uses the key the mission lists for `keyId`.
 *
 * Pure: bytes and hashes in, a verdict out (no fs).
 */
import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../../telemetry/index.js';
import {
  BadSignatureError,
  ManifestTamperedError,
  ModelTamperedError,
  SignatureMalformedError,
  UnknownSignerError,
} from '../errors.js';
import { keyFingerprint, publicKeyFromBase64, type ModelSigningKey } from './keys.js';

export const SIGNATURE_KIND = 'kestrel.model-signature/v1';
/** `<manifest>` + this is where the signature lives. */
export const SIGNATURE_SUFFIX = '.sig';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');

export const signaturePayloadSchema = z.strictObject({
  kind: z.literal(SIGNATURE_KIND),
  manifestSha256: hex64,
  modelSha256: hex64,
  keyId: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/),
  signedAtMs: z.int().nonnegative(),
});

export const signatureEnvelopeSchema = z.strictObject({
  v: z.literal(1),
  payload: signaturePayloadSchema,
  publicKey: z.string().regex(/^[A-Za-z0-9+/]{43}=$/),
  sig: z.strictObject({ alg: z.literal('ed25519'), value: z.string().regex(/^[A-Za-z0-9+/]{86}==$/) }),
});

export type SignaturePayload = z.infer<typeof signaturePayloadSchema>;
export type SignatureEnvelope = z.infer<typeof signatureEnvelopeSchema>;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function payloadBytes(payload: SignaturePayload): Buffer {
  return Buffer.from(canonicalJson(payload), 'utf8');
}

/** Signs a manifest's bytes and its model's hash. */
export function signModel(
  manifestBytes: Uint8Array,
  modelSha256: string,
  key: ModelSigningKey,
  signedAtMs: number,
): SignatureEnvelope {
  const payload: SignaturePayload = {
    kind: SIGNATURE_KIND,
    manifestSha256: sha256Hex(manifestBytes),
    modelSha256: modelSha256.toLowerCase(),
    keyId: key.keyId,
    signedAtMs: Math.trunc(signedAtMs),
  };
  const value = sign(null, payloadBytes(payload), key.privateKey).toString('base64');
  return { v: 1, payload, publicKey: key.publicKeyBase64, sig: { alg: 'ed25519', value } };
}

/** Parses a `.sig` file's text, or throws `model.signature_malformed`. */
export function parseSignature(text: string, manifestPath: string | undefined): SignatureEnvelope {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new SignatureMalformedError(`signature of ${manifestPath ?? 'the manifest'} is not JSON`, manifestPath, {
      cause,
    });
  }
  const parsed = signatureEnvelopeSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({
      code: i.code,
      path: i.path.filter((p): p is string | number => typeof p !== 'symbol'),
      message: i.message,
    }));
    throw new SignatureMalformedError(
      `signature of ${manifestPath ?? 'the manifest'} is not a Kestrel model signature`,
      manifestPath,
      { issues },
    );
  }
  return parsed.data;
}

/** A key the verifier accepts signatures from. */
export interface TrustedKey {
  readonly id: string;
  readonly publicKey: KeyObject;
}

export function trustedKeys(signers: readonly { id: string; publicKey: string }[]): Map<string, TrustedKey> {
  const keys = new Map<string, TrustedKey>();
  for (const s of signers) {
    keys.set(s.id, { id: s.id, publicKey: publicKeyFromBase64(s.publicKey, `trusted signer "${s.id}"`) });
  }
  return keys;
}

export interface VerifiedSignature {
  readonly keyId: string;
  readonly signedAtMs: number;
  readonly manifestSha256: string;
  readonly modelSha256: string;
  /** True when the key came from a trust list; false when only the envelope's own key was checked. */
  readonly trusted: boolean;
}

export interface VerifyInput {
  readonly envelope: SignatureEnvelope;
  readonly manifestBytes: Uint8Array;
  /** SHA-256 of the model bytes that will be loaded. */
  readonly modelSha256: string;
  readonly manifestPath: string | undefined;
  readonly modelPath: string;
  /** Keys to accept. Undefined: check the signature against the envelope's own key (integrity only, not trust). */
  readonly trusted: ReadonlyMap<string, TrustedKey> | undefined;
}

/**
 * The checks, in order; the first that fails decides the error:
 *   1. the signer is trusted (`model.unknown_signer`);
 *   2. the signature verifies with the trusted key (`model.bad_signature`): the payload is what was signed;
 *   3. the manifest's bytes are those signed (`model.manifest_tampered`);
 *   4. the model's SHA-256 is the one signed (`model.file_tampered`).
 * Authentication comes first, so the hashes compared in 3 and 4 are ones a trusted key vouched for.
 */
export function verifyModelSignature(input: VerifyInput): VerifiedSignature {
  const { envelope, manifestPath } = input;
  const p = envelope.payload;
  const where = manifestPath ?? 'the manifest';
  let key: KeyObject;
  if (input.trusted === undefined) {
    key = publicKeyFromBase64(envelope.publicKey, `signature of ${where}`);
    if (p.keyId.startsWith('ed25519:') && keyFingerprint(envelope.publicKey) !== p.keyId) {
      // A fingerprint-style id must match the key it came with; a named id cannot be checked without a trust list.
      throw new BadSignatureError(
        `signature of ${where} names key ${p.keyId} but carries another key`,
        manifestPath,
        p.keyId,
      );
    }
  } else {
    const trusted = input.trusted.get(p.keyId);
    if (trusted === undefined) {
      const known = [...input.trusted.keys()];
      throw new UnknownSignerError(
        `${where} is signed by "${p.keyId}", which is not a trusted signer (trusted: ${known.length === 0 ? 'none' : known.join(', ')}): refusing to load`,
        manifestPath,
        p.keyId,
      );
    }
    key = trusted.publicKey;
  }
  let ok: boolean;
  try {
    ok = verify(null, payloadBytes(p), key, Buffer.from(envelope.sig.value, 'base64'));
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new BadSignatureError(
      `signature of ${where} does not verify with the key of "${p.keyId}": the signature file was altered or made with another key; refusing to load`,
      manifestPath,
      p.keyId,
    );
  }
  const manifestSha256 = sha256Hex(input.manifestBytes);
  if (manifestSha256 !== p.manifestSha256) {
    throw new ManifestTamperedError(
      `${where} changed after it was signed (sha256 ${manifestSha256}, signed ${p.manifestSha256}): refusing to load`,
      manifestPath,
      p.manifestSha256,
      manifestSha256,
    );
  }
  const modelSha256 = input.modelSha256.toLowerCase();
  if (modelSha256 !== p.modelSha256) {
    throw new ModelTamperedError(
      `model file ${input.modelPath} is not the one signed (sha256 ${modelSha256}, signed ${p.modelSha256}): refusing to load`,
      manifestPath,
      input.modelPath,
      p.modelSha256,
      modelSha256,
    );
  }
  return {
    keyId: p.keyId,
    signedAtMs: p.signedAtMs,
    manifestSha256,
    modelSha256,
    trusted: input.trusted !== undefined,
  };
}
