import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ed25519PublicKeyFromRaw } from '../../telemetry/index.js';
import { SigningKeyError } from '../errors.js';

/** An Ed25519 signing key and the names it goes by. */
export interface ModelSigningKey {
  readonly privateKey: KeyObject;
  /** Raw 32-byte public key, base64: what a mission lists under `modelTrust.trustedSigners[].publicKey`. */
  readonly publicKeyBase64: string;
  /** The id signatures name. */
  readonly keyId: string;
}

/** Raw 32-byte Ed25519 public key (the last 32 bytes of its SPKI DER), base64. */
export function rawPublicKeyBase64(key: KeyObject): string {
  const der = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32).toString('base64');
}

/** `ed25519:<first 16 hex digits of SHA-256 of the raw public key>`: a stable default key id. */
export function keyFingerprint(publicKeyBase64: string): string {
  return `ed25519:${createHash('sha256').update(Buffer.from(publicKeyBase64, 'base64')).digest('hex').slice(0, 16)}`;
}

/** A public key from its raw base64 form, or a `trust.key_invalid` error naming what was wrong. */
export function publicKeyFromBase64(rawBase64: string, what: string): KeyObject {
  try {
    return ed25519PublicKeyFromRaw(rawBase64);
  } catch (cause) {
    throw new SigningKeyError(`${what}: not a raw 32-byte Ed25519 public key in base64`, { cause });
  }
}

/** The signing key from a PKCS#8 PEM (`openssl genpkey -algorithm ed25519`, or `kestrel model keygen`). */
export function signingKeyFromPem(pem: string | Buffer, source: string, keyId?: string): ModelSigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (cause) {
    throw new SigningKeyError(`${source} is not a PEM private key`, { cause });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new SigningKeyError(
      `${source} is a ${privateKey.asymmetricKeyType ?? 'unknown'} key; model signing needs Ed25519`,
    );
  }
  const publicKeyBase64 = rawPublicKeyBase64(privateKey);
  return { privateKey, publicKeyBase64, keyId: keyId ?? keyFingerprint(publicKeyBase64) };
}

export async function readSigningKey(path: string, keyId?: string): Promise<ModelSigningKey> {
  let pem: Buffer;
  try {
    pem = await readFile(path);
  } catch (cause) {
    throw new SigningKeyError(`cannot read key file ${path}`, { cause });
  }
  return signingKeyFromPem(pem, path, keyId);
}
