import { createHmac, createPublicKey, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import type { OperatorCommandKind, TelemetryOperator } from '../../missions/index.js';
import { TelemetryError } from '../errors.js';
import type { SignatureAlgorithm } from './wire.js';

/** DER prefix that turns a raw 32-byte Ed25519 key into an SPKI structure (RFC 8410). */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const MIN_HMAC_KEY_BYTES = 32;

/** An operator the robot accepts commands from, with a verifier for their signatures. */
export interface OperatorKey {
  readonly id: string;
  readonly alg: SignatureAlgorithm;
  readonly allow: ReadonlySet<OperatorCommandKind>;
  verify(message: Buffer, signature: Buffer): boolean;
}

export function ed25519PublicKeyFromRaw(rawBase64: string): KeyObject {
  const raw = Buffer.from(rawBase64, 'base64');
  if (raw.length !== 32) throw new RangeError(`an Ed25519 public key is 32 bytes, got ${raw.length}`);
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

export function hmacOperatorKey(id: string, secret: Buffer, allow: Iterable<OperatorCommandKind>): OperatorKey {
  if (secret.length < MIN_HMAC_KEY_BYTES) {
    throw new TelemetryError(
      'telemetry.config',
      `operator "${id}": HMAC secret must be at least ${MIN_HMAC_KEY_BYTES} bytes`,
    );
  }
  return {
    id,
    alg: 'hmac-sha256',
    allow: new Set(allow),
    verify(message, signature) {
      const expected = createHmac('sha256', secret).update(message).digest();
      // Constant time, so the comparison does not leak how many leading bytes of a forgery were right.
      return signature.length === expected.length && timingSafeEqual(signature, expected);
    },
  };
}

export function ed25519OperatorKey(
  id: string,
  publicKey: KeyObject,
  allow: Iterable<OperatorCommandKind>,
): OperatorKey {
  return {
    id,
    alg: 'ed25519',
    allow: new Set(allow),
    verify(message, signature) {
      if (signature.length !== 64) return false;
      try {
        return verify(null, message, publicKey, signature);
      } catch {
        return false;
      }
    },
  };
}

/**
 * Builds verifiers from the mission's operators. HMAC secrets come from the
 * environment variables the mission names; a missing or short secret is a
 * configuration error (found at configure, before the robot moves).
 */
export function operatorKeysFromConfig(
  operators: readonly TelemetryOperator[],
  env: Readonly<Record<string, string | undefined>>,
): Map<string, OperatorKey> {
  const keys = new Map<string, OperatorKey>();
  for (const o of operators) {
    if (o.ed25519PublicKey !== undefined) {
      keys.set(o.id, ed25519OperatorKey(o.id, ed25519PublicKeyFromRaw(o.ed25519PublicKey), o.allow));
    } else if (o.hmacKeyEnv !== undefined) {
      const value = env[o.hmacKeyEnv];
      if (value === undefined || value === '') {
        throw new TelemetryError(
          'telemetry.config',
          `operator "${o.id}": environment variable ${o.hmacKeyEnv} (its HMAC secret, base64) is not set`,
        );
      }
      keys.set(o.id, hmacOperatorKey(o.id, Buffer.from(value, 'base64'), o.allow));
    }
  }
  return keys;
}
